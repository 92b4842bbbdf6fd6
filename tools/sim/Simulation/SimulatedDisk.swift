public import ReturnLedgerStorage
import Synchronization

/// A disk in memory that knows what a crash keeps: each file's bytes as written, and the part of
/// them an fsync has made durable. A process crash keeps everything written (the page cache
/// survives); a power cut keeps what was synced and a torn piece of what was not. Faults are
/// injected on request: the disk fills up after so many bytes, or an fsync fails.
///
/// Simplifications, stated: names (create, rename, remove, truncate) are durable at once, as on
/// a journaling file system after the directory fsync the log and snapshots always do; only file
/// contents can be lost.
public final class SimulatedDisk: FileSystem {
    struct File { var data: [UInt8] = []; var synced = 0 }
    struct State {
        var files: [String: File] = [:]
        var open: [Int32: String] = [:]
        var nextFD: Int32 = 3
        /// Bytes that may still be written before "No space left on device" (nil: no limit).
        var spaceLeft: Int?
        /// Fsyncs to go before one fails (nil: none fails).
        var syncsUntilFailure: Int?
        var writes = 0, syncs = 0
    }
    let state = Mutex(State())

    /// A disk holding `files` (path → bytes), all of them durable.
    public init(files: [String: [UInt8]] = [:]) {
        state.withLock { s in for (path, data) in files { s.files[path] = File(data: data, synced: data.count) } }
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

    /// What is on the disk after the power goes: each file's synced bytes, and of the rest a
    /// prefix cut where `tear` says (given the unsynced byte count, returns how many survive).
    public func cutPower(_ tear: (Int) -> Int) {
        state.withLock { s in
            for (path, file) in s.files.sorted(by: { $0.key < $1.key }) {
                let unsynced = file.data.count - file.synced
                guard unsynced > 0 else { continue }
                let kept = max(0, min(unsynced, tear(unsynced)))
                s.files[path]!.data.removeLast(unsynced - kept)
            }
            s.open = [:]
            s.spaceLeft = nil
            s.syncsUntilFailure = nil
        }
    }

    public func openForAppend(_ path: String, create: Bool) throws(StorageError) -> Int32 {
        try state.withLock { (s: inout State) throws(StorageError) -> Int32 in
            if s.files[path] == nil {
                guard create else { throw StorageError("open \(path): No such file or directory") }
                s.files[path] = File()
            }
            let fd = s.nextFD
            s.nextFD += 1
            s.open[fd] = path
            return fd
        }
    }

    public func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        try state.withLock { (s: inout State) throws(StorageError) in
            guard let path = s.open[fd] else { throw StorageError("write: Bad file descriptor") }
            s.writes += 1
            var count = bytes.count
            if let left = s.spaceLeft {
                if left < count {
                    count = left  // a short write, then ENOSPC: as the kernel does
                    s.files[path]!.data.append(contentsOf: bytes.prefix(count))
                    s.spaceLeft = 0
                    throw StorageError("write \(path): No space left on device")
                }
                s.spaceLeft = left - count
            }
            s.files[path]!.data.append(contentsOf: bytes)
        }
    }

    public func sync(_ fd: Int32, dataOnly: Bool) throws(StorageError) {
        try state.withLock { (s: inout State) throws(StorageError) in
            guard let path = s.open[fd] else { throw StorageError("fsync: Bad file descriptor") }
            s.syncs += 1
            if let n = s.syncsUntilFailure {
                if n == 0 {
                    s.syncsUntilFailure = nil
                    throw StorageError("fdatasync \(path): Input/output error")
                }
                s.syncsUntilFailure = n - 1
            }
            s.files[path]!.synced = s.files[path]!.data.count
        }
    }

    public func close(_ fd: Int32) { _ = state.withLock { $0.open.removeValue(forKey: fd) } }

    public func size(_ fd: Int32) throws(StorageError) -> Int {
        try state.withLock { (s: inout State) throws(StorageError) -> Int in
            guard let path = s.open[fd], let file = s.files[path] else { throw StorageError("fstat: Bad file descriptor") }
            return file.data.count
        }
    }

    public func readFile(_ path: String) throws(StorageError) -> [UInt8] {
        guard let data = state.withLock({ $0.files[path]?.data }) else { throw StorageError("open \(path): No such file or directory") }
        return data
    }

    public func readRange(_ path: String, offset: Int, count: Int) throws(StorageError) -> [UInt8] {
        let data = try readFile(path)
        guard offset < data.count else { return [] }
        return Array(data[offset..<min(data.count, offset + count)])
    }

    public func rename(_ from: String, _ to: String) throws(StorageError) {
        try state.withLock { (s: inout State) throws(StorageError) in
            guard let file = s.files.removeValue(forKey: from) else { throw StorageError("rename \(from): No such file or directory") }
            s.files[to] = file
        }
    }

    public func remove(_ path: String) throws(StorageError) { _ = state.withLock { $0.files.removeValue(forKey: path) } }

    public func truncate(_ path: String, to length: Int) throws(StorageError) {
        state.withLock { s in
            guard var file = s.files[path], length < file.data.count else { return }
            file.data.removeLast(file.data.count - length)
            file.synced = min(file.synced, length)
            s.files[path] = file
        }
    }

    public func list(_ directory: String) throws(StorageError) -> [String] {
        let prefix = directory + "/"
        return state.withLock { s in
            s.files.keys.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/") }
                .map { String($0.dropFirst(prefix.count)) }.sorted()
        }
    }

    public func syncDirectory(_ directory: String) throws(StorageError) {}
    public func makeDirectory(_ path: String) throws(StorageError) {}
    public func removeDirectory(_ path: String) throws(StorageError) {}
}
