public import ReturnLedgerStorage
import Synchronization

/// A disk in memory that knows what a crash keeps. A process crash keeps everything written (the
/// page cache survives); a power cut keeps, of each file, what an fsync made durable and a torn
/// piece of the rest, and of each directory the names as of its last fsync: a file created,
/// renamed or removed since then is back as it was (a new segment gone, a removed one returned,
/// a renamed snapshot under its temporary name). Faults are injected on request: the disk fills
/// up after so many bytes, or an fsync fails.
///
/// A failed fsync is Linux's (PostgreSQL's "fsyncgate", fsync(2) ERRORS, the kernel's
/// Documentation/filesystems/vfs.rst on writeback errors): the pages whose writeback failed are
/// marked clean and stay in the page cache, so reads (by this process or the next one after a
/// crash) still see the bytes, but no later fsync writes them again and it reports success; a
/// power cut brings back what the device holds there (zeros: the blocks were never written).
/// Only writing the bytes again (new dirty pages) and a successful fsync make them durable.
///
/// Simplifications, stated: a truncation is durable at once (recovery's cut of a torn tail); bytes
/// whose writeback failed stay lost even when a later write dirties their page again (Linux would
/// write that page out again).
public final class SimulatedDisk: FileSystem {
    struct File {
        var data: [UInt8] = []
        var synced = 0
        /// Bytes whose writeback failed: in the page cache, never on the device.
        var lost: [Range<Int>] = []
    }
    struct State {
        /// File contents by inode number: a name points at one; a power cut may bring back a name
        /// for contents no name pointed at any more.
        var inodes: [Int: File] = [:]
        /// Path → inode, as the running process sees it.
        var names: [String: Int] = [:]
        /// Path → inode, as a power cut leaves it: each directory's names at its last fsync.
        var durableNames: [String: Int] = [:]
        var nextInode = 1
        var open: [Int32: Int] = [:]
        var nextFD: Int32 = 3
        /// Bytes that may still be written before "No space left on device" (nil: no limit).
        var spaceLeft: Int?
        /// Fsyncs to go before one fails (nil: none fails).
        var syncsUntilFailure: Int?
        var writes = 0, syncs = 0

        mutating func file(_ path: String) -> File? { names[path].flatMap { inodes[$0] } }

        /// Drops what no name, live or durable, points at any more.
        mutating func collect() {
            let used = Set(names.values).union(durableNames.values)
            inodes = inodes.filter { used.contains($0.key) }
        }
    }
    let state = Mutex(State())

    /// A disk holding `files` (path → bytes), all of them durable, names and contents.
    public init(files: [String: [UInt8]] = [:]) {
        state.withLock { s in
            for (path, data) in files.sorted(by: { $0.key < $1.key }) {
                s.inodes[s.nextInode] = File(data: data, synced: data.count)
                s.names[path] = s.nextInode
                s.durableNames[path] = s.nextInode
                s.nextInode += 1
            }
        }
    }

    public var writes: Int { state.withLock { $0.writes } }

    /// The disk fills up once `bytes` more have been written.
    public func fill(after bytes: Int) { state.withLock { $0.spaceLeft = bytes } }
    /// The fsync after `count` more succeed fails.
    public func failSync(after count: Int) { state.withLock { $0.syncsUntilFailure = count } }

    /// What is on the disk after the process dies: everything written. Clears faults and open files.
    public func crashProcess() {
        state.withLock { s in
            s.open = [:]
            s.spaceLeft = nil
            s.syncsUntilFailure = nil
        }
    }

    /// What is on the disk after the power goes: the names each directory's last fsync saw, each
    /// file's synced bytes, and of the rest a prefix cut where `tear` says (given the unsynced
    /// byte count, returns how many survive). Files are torn in the order of their names.
    public func cutPower(_ tear: (Int) -> Int) {
        state.withLock { s in
            s.names = s.durableNames
            s.collect()
            for (_, inode) in s.names.sorted(by: { $0.key < $1.key }) {
                guard let file = s.inodes[inode] else { continue }
                let unsynced = file.data.count - file.synced
                if unsynced > 0 {
                    let kept = max(0, min(unsynced, tear(unsynced)))
                    s.inodes[inode]!.data.removeLast(unsynced - kept)
                    s.inodes[inode]!.synced = s.inodes[inode]!.data.count
                }
                let length = s.inodes[inode]!.data.count
                for range in file.lost where range.lowerBound < length {
                    for i in range.clamped(to: 0..<length) { s.inodes[inode]!.data[i] = 0 }
                }
                s.inodes[inode]!.lost = []
            }
            s.open = [:]
            s.spaceLeft = nil
            s.syncsUntilFailure = nil
        }
    }

    static func children(of directory: String, in paths: some Sequence<String>) -> [String] {
        let prefix = directory + "/"
        return paths.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/") }.map { String($0.dropFirst(prefix.count)) }
    }

    public func openForAppend(_ path: String, create: Bool) throws(StorageError) -> Int32 {
        try state.withLock { (s: inout State) throws(StorageError) -> Int32 in
            if s.names[path] == nil {
                guard create else { throw StorageError("open \(path): No such file or directory") }
                s.inodes[s.nextInode] = File()
                s.names[path] = s.nextInode
                s.nextInode += 1
            }
            let fd = s.nextFD
            s.nextFD += 1
            s.open[fd] = s.names[path]!
            return fd
        }
    }

    public func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        try state.withLock { (s: inout State) throws(StorageError) in
            guard let inode = s.open[fd] else { throw StorageError("write: Bad file descriptor") }
            s.writes += 1
            if let left = s.spaceLeft {
                if left < bytes.count {
                    s.inodes[inode]!.data.append(contentsOf: bytes.prefix(left))  // a short write, then ENOSPC: as the kernel does
                    s.spaceLeft = 0
                    throw StorageError("write: No space left on device")
                }
                s.spaceLeft = left - bytes.count
            }
            s.inodes[inode]!.data.append(contentsOf: bytes)
        }
    }

    public func sync(_ fd: Int32, dataOnly: Bool) throws(StorageError) {
        try state.withLock { (s: inout State) throws(StorageError) in
            guard let inode = s.open[fd] else { throw StorageError("fsync: Bad file descriptor") }
            s.syncs += 1
            if let n = s.syncsUntilFailure {
                if n == 0 {
                    s.syncsUntilFailure = nil
                    // The writeback of the dirty pages failed: they are clean now, never written.
                    let file = s.inodes[inode]!
                    if file.synced < file.data.count { s.inodes[inode]!.lost.append(file.synced..<file.data.count) }
                    s.inodes[inode]!.synced = file.data.count
                    throw StorageError("fdatasync: Input/output error")
                }
                s.syncsUntilFailure = n - 1
            }
            s.inodes[inode]!.synced = s.inodes[inode]!.data.count
        }
    }

    public func close(_ fd: Int32) { _ = state.withLock { $0.open.removeValue(forKey: fd) } }

    public func size(_ fd: Int32) throws(StorageError) -> Int {
        try state.withLock { (s: inout State) throws(StorageError) -> Int in
            guard let inode = s.open[fd], let file = s.inodes[inode] else { throw StorageError("fstat: Bad file descriptor") }
            return file.data.count
        }
    }

    public func readFileSize(_ path: String) throws(StorageError) -> Int {
        guard let size = state.withLock({ $0.file(path)?.data.count }) else { throw StorageError("stat \(path): No such file or directory") }
        return size
    }

    public func readFile(_ path: String) throws(StorageError) -> [UInt8] {
        guard let data = state.withLock({ $0.file(path)?.data }) else { throw StorageError("open \(path): No such file or directory") }
        return data
    }

    public func readRange(_ path: String, offset: Int, count: Int) throws(StorageError) -> [UInt8] {
        let data = try readFile(path)
        guard offset < data.count else { return [] }
        return Array(data[offset..<min(data.count, offset + count)])
    }

    public func rename(_ from: String, _ to: String) throws(StorageError) {
        try state.withLock { (s: inout State) throws(StorageError) in
            guard let inode = s.names.removeValue(forKey: from) else { throw StorageError("rename \(from): No such file or directory") }
            s.names[to] = inode
        }
    }

    public func remove(_ path: String) throws(StorageError) { _ = state.withLock { $0.names.removeValue(forKey: path) } }

    /// A second name for the same inode (durable, like any name, once its directory is fsynced).
    public func link(_ from: String, _ to: String) throws(StorageError) {
        try state.withLock { (s: inout State) throws(StorageError) in
            guard let inode = s.names[from] else { throw StorageError("link \(from): No such file or directory") }
            guard s.names[to] == nil else { throw StorageError("link \(to): File exists") }
            s.names[to] = inode
        }
    }

    public func truncate(_ path: String, to length: Int) throws(StorageError) {
        state.withLock { s in
            guard let inode = s.names[path], var file = s.inodes[inode], length < file.data.count else { return }
            file.data.removeLast(file.data.count - length)
            file.synced = min(file.synced, length)
            file.lost = file.lost.compactMap { $0.lowerBound < length ? $0.clamped(to: 0..<length) : nil }
            s.inodes[inode] = file
        }
    }

    public func list(_ directory: String) throws(StorageError) -> [String] {
        state.withLock { s in Self.children(of: directory, in: s.names.keys).sorted() }
    }

    /// The directory's names as the process sees them become the ones a power cut leaves.
    public func syncDirectory(_ directory: String) throws(StorageError) {
        state.withLock { s in
            for name in Self.children(of: directory, in: s.durableNames.keys) { s.durableNames[directory + "/" + name] = nil }
            for name in Self.children(of: directory, in: s.names.keys) { s.durableNames[directory + "/" + name] = s.names[directory + "/" + name] }
            s.collect()
        }
    }

    public func makeDirectory(_ path: String) throws(StorageError) {}
    public func removeDirectory(_ path: String) throws(StorageError) {}
}
