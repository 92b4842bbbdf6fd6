import Glibc

public struct StorageError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The file calls the log and snapshots make, behind a protocol so tests can make a write or an
/// fsync fail (a full disk, a dying device) without touching the real disk.
public protocol FileSystem: Sendable {
    func openForAppend(_ path: String, create: Bool) throws(StorageError) -> Int32
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(StorageError)
    func sync(_ fd: Int32, dataOnly: Bool) throws(StorageError)
    func close(_ fd: Int32)
    func size(_ fd: Int32) throws(StorageError) -> Int
    /// The size of the file at `path`, without opening it.
    func readFileSize(_ path: String) throws(StorageError) -> Int
    func readFile(_ path: String) throws(StorageError) -> [UInt8]
    /// Up to `count` bytes from `offset` (fewer at the end of the file).
    func readRange(_ path: String, offset: Int, count: Int) throws(StorageError) -> [UInt8]
    /// Up to `buffer.count` bytes from `offset` into `buffer`'s first bytes; how many (fewer at
    /// the end of the file). For a reader that reads again and again (a standby's link after
    /// each fsync): a new array each time was a fresh allocation of up to a megabyte, whose pages
    /// the kernel faulted in and cleared on every read.
    func readRange(_ path: String, offset: Int, into buffer: inout [UInt8]) throws(StorageError) -> Int
    func rename(_ from: String, _ to: String) throws(StorageError)
    func remove(_ path: String) throws(StorageError)
    func truncate(_ path: String, to length: Int) throws(StorageError)
    func list(_ directory: String) throws(StorageError) -> [String]
    func syncDirectory(_ directory: String) throws(StorageError)
    /// `mkdir`; an existing directory is fine.
    func makeDirectory(_ path: String) throws(StorageError)
    /// `rmdir` of an empty directory; a missing one is fine.
    func removeDirectory(_ path: String) throws(StorageError)
    /// `link(2)`: `to` becomes a second name of the file at `from` (a backup holding an archive an
    /// earlier backup already holds). Fails across file systems (EXDEV) and where hard links are
    /// not supported: callers copy then.
    func link(_ from: String, _ to: String) throws(StorageError)
}

extension FileSystem {
    /// Through `readRange(_:offset:count:)`, for a file system without a read of its own.
    public func readRange(_ path: String, offset: Int, into buffer: inout [UInt8]) throws(StorageError) -> Int {
        let bytes = try readRange(path, offset: offset, count: buffer.count)
        buffer.replaceSubrange(0..<bytes.count, with: bytes)
        return bytes.count
    }

    /// Writes a whole array; keeps the error type, which `withUnsafeBytes` (rethrows) would lose.
    public func write(_ fd: Int32, bytes: [UInt8]) throws(StorageError) {
        let error: StorageError? = bytes.withUnsafeBytes { raw in
            do throws(StorageError) { try write(fd, raw); return nil } catch { return error }
        }
        if let error { throw error }
    }
}

/// The real thing: every syscall retried on EINTR, short writes completed, errors named.
public struct PosixFileSystem: FileSystem {
    public init() {}

    private func failure(_ call: String, _ path: String = "") -> StorageError {
        StorageError("\(call)\(path.isEmpty ? "" : " " + path): \(String(cString: strerror(errno)))")
    }

    public func openForAppend(_ path: String, create: Bool) throws(StorageError) -> Int32 {
        let flags = O_WRONLY | O_APPEND | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0)
        while true {
            let fd = open(path, flags, 0o644)
            if fd >= 0 { return fd }
            if errno != EINTR { throw failure("open", path) }
        }
    }

    public func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            throw failure("write")
        }
    }

    public func sync(_ fd: Int32, dataOnly: Bool) throws(StorageError) {
        while (dataOnly ? fdatasync(fd) : fsync(fd)) != 0 {
            if errno != EINTR { throw failure(dataOnly ? "fdatasync" : "fsync") }
        }
    }

    public func close(_ fd: Int32) { _ = Glibc.close(fd) }

    public func size(_ fd: Int32) throws(StorageError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("fstat") }
        return Int(info.st_size)
    }

    public func readFileSize(_ path: String) throws(StorageError) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure("stat", path) }
        return Int(info.st_size)
    }

    public func readRange(_ path: String, offset: Int, count: Int) throws(StorageError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path) }
        defer { Glibc.close(fd) }
        return try read(fd, offset: offset, count: count, path: path)
    }

    public func readRange(_ path: String, offset: Int, into buffer: inout [UInt8]) throws(StorageError) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path) }
        defer { Glibc.close(fd) }
        let count = buffer.count
        guard count > 0 else { return 0 }
        let done = buffer.withUnsafeMutableBytes { PosixFileSystem.pread(fd, into: $0.baseAddress!, count: count, offset: offset) }
        guard let done else { throw failure("pread", path) }
        return done
    }

    public func readFile(_ path: String) throws(StorageError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path) }
        defer { Glibc.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("fstat", path) }
        return try read(fd, offset: 0, count: Int(info.st_size), path: path)
    }

    /// Up to `count` bytes from `offset`, fewer at the end of the file, read straight into
    /// uninitialised storage and returned as they are. Zeroed first, a reader asking a megabyte
    /// ahead near the end of a segment (a standby's link after each fsync, FEED's pages) cleared a
    /// megabyte to read a few hundred bytes (callgrind: 87% of a primary's instructions with a
    /// standby attached); a whole file was also copied out again (two passes over a snapshot of
    /// hundreds of megabytes at every start).
    private func read(_ fd: Int32, offset: Int, count: Int, path: String) throws(StorageError) -> [UInt8] {
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let done = PosixFileSystem.pread(fd, into: buffer.baseAddress!, count: count, offset: offset)
            failed = done == nil
            initialized = done ?? 0
        }
        if failed { throw failure("pread", path) }
        return bytes
    }

    /// `pread` until `count` bytes or the end of the file: how many, nil on an error (errno).
    private static func pread(_ fd: Int32, into base: UnsafeMutableRawPointer, count: Int, offset: Int) -> Int? {
        var done = 0
        while done < count {
            let n = Glibc.pread(fd, base + done, count - done, off_t(offset + done))
            if n > 0 { done += n; continue }
            if n == 0 { break }
            if errno != EINTR { return nil }
        }
        return done
    }

    public func rename(_ from: String, _ to: String) throws(StorageError) {
        guard Glibc.rename(from, to) == 0 else { throw failure("rename", from) }
    }

    public func link(_ from: String, _ to: String) throws(StorageError) {
        guard Glibc.link(from, to) == 0 else { throw failure("link", from + " " + to) }
    }

    public func remove(_ path: String) throws(StorageError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("unlink", path) }
    }

    public func truncate(_ path: String, to length: Int) throws(StorageError) {
        guard Glibc.truncate(path, off_t(length)) == 0 else { throw failure("truncate", path) }
    }

    public func list(_ directory: String) throws(StorageError) -> [String] {
        guard let dir = opendir(directory) else { throw failure("opendir", directory) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func makeDirectory(_ path: String) throws(StorageError) {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw failure("mkdir", path) }
    }

    public func removeDirectory(_ path: String) throws(StorageError) {
        guard rmdir(path) == 0 || errno == ENOENT else { throw failure("rmdir", path) }
    }

    public func syncDirectory(_ directory: String) throws(StorageError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", directory) }
        defer { Glibc.close(fd) }
        try sync(fd, dataOnly: false)
    }
}
