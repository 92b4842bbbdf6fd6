import Glibc
import Synchronization

/// A `PosixFileSystem` that fails on demand: writes (a full disk) or syncs (a dying device).
/// Used by tests, and by anyone who wants to see what the server does when the disk goes away.
public final class FaultInjectingFileSystem: FileSystem, Sendable {
    public struct Counters: Sendable {
        public var writes = 0
        public var syncs = 0
        public var failWrites = false
        public var failSyncs = false
        /// Syncs wait while this is set (a slow disk), so a test can look at the moment before one.
        public var holdSyncs = false
    }

    private let real = PosixFileSystem()
    private let state = Mutex(Counters())

    public init() {}

    public var counters: Counters { state.withLock { $0 } }
    public func failWrites(_ on: Bool) { state.withLock { $0.failWrites = on } }
    public func failSyncs(_ on: Bool) { state.withLock { $0.failSyncs = on } }
    public func holdSyncs(_ on: Bool) { state.withLock { $0.holdSyncs = on } }

    public func openForAppend(_ path: String, create: Bool) throws(StorageError) -> Int32 {
        try real.openForAppend(path, create: create)
    }

    public func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        let fail = state.withLock { s in s.writes += 1; return s.failWrites }
        if fail { throw StorageError("write: No space left on device (injected)") }
        try real.write(fd, bytes)
    }

    public func sync(_ fd: Int32, dataOnly: Bool) throws(StorageError) {
        while state.withLock({ $0.holdSyncs }) { usleep(500) }
        let fail = state.withLock { s in s.syncs += 1; return s.failSyncs }
        if fail { throw StorageError("fdatasync: Input/output error (injected)") }
        try real.sync(fd, dataOnly: dataOnly)
    }

    public func close(_ fd: Int32) { real.close(fd) }
    public func size(_ fd: Int32) throws(StorageError) -> Int { try real.size(fd) }
    public func readFileSize(_ path: String) throws(StorageError) -> Int { try real.readFileSize(path) }
    public func readFile(_ path: String) throws(StorageError) -> [UInt8] { try real.readFile(path) }
    public func readRange(_ path: String, offset: Int, count: Int) throws(StorageError) -> [UInt8] {
        try real.readRange(path, offset: offset, count: count)
    }
    public func readRange(_ path: String, offset: Int, into buffer: inout [UInt8]) throws(StorageError) -> Int {
        try real.readRange(path, offset: offset, into: &buffer)
    }
    public func rename(_ from: String, _ to: String) throws(StorageError) { try real.rename(from, to) }
    public func remove(_ path: String) throws(StorageError) { try real.remove(path) }
    public func link(_ from: String, _ to: String) throws(StorageError) {
        let fail = state.withLock { s in s.writes += 1; return s.failWrites }
        if fail { throw StorageError("link: No space left on device (injected)") }
        try real.link(from, to)
    }
    public func truncate(_ path: String, to length: Int) throws(StorageError) { try real.truncate(path, to: length) }
    public func list(_ directory: String) throws(StorageError) -> [String] { try real.list(directory) }
    public func makeDirectory(_ path: String) throws(StorageError) {
        let fail = state.withLock { s in s.writes += 1; return s.failWrites }
        if fail { throw StorageError("mkdir: No space left on device (injected)") }
        try real.makeDirectory(path)
    }
    public func removeDirectory(_ path: String) throws(StorageError) { try real.removeDirectory(path) }
    public func syncDirectory(_ directory: String) throws(StorageError) {
        let fail = state.withLock { s in s.syncs += 1; return s.failSyncs }
        if fail { throw StorageError("fsync directory: Input/output error (injected)") }
        try real.syncDirectory(directory)
    }
}
