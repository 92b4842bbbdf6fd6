import ReturnLedgerStorage
import Synchronization

/// Files in memory, for running recovery on bytes the fuzzer made without touching a disk.
final class MemoryFileSystem: FileSystem {
    private struct Files { var data: [String: [UInt8]] = [:]; var open: [Int32: String] = [:]; var nextFD: Int32 = 3 }
    private let files = Mutex(Files())

    init(_ contents: [String: [UInt8]]) { files.withLock { $0.data = contents } }

    func openForAppend(_ path: String, create: Bool) throws(StorageError) -> Int32 {
        try files.withLock { (f: inout Files) throws(StorageError) -> Int32 in
            if f.data[path] == nil {
                guard create else { throw StorageError("\(path): no such file") }
                f.data[path] = []
            }
            let fd = f.nextFD
            f.nextFD += 1
            f.open[fd] = path
            return fd
        }
    }

    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        files.withLock { f in if let path = f.open[fd] { f.data[path, default: []].append(contentsOf: bytes) } }
    }

    func sync(_ fd: Int32, dataOnly: Bool) throws(StorageError) {}
    func close(_ fd: Int32) { _ = files.withLock { $0.open.removeValue(forKey: fd) } }

    func size(_ fd: Int32) throws(StorageError) -> Int {
        files.withLock { f in f.open[fd].flatMap { f.data[$0]?.count } ?? 0 }
    }

    func readFile(_ path: String) throws(StorageError) -> [UInt8] {
        guard let bytes = files.withLock({ $0.data[path] }) else { throw StorageError("\(path): no such file") }
        return bytes
    }

    func readRange(_ path: String, offset: Int, count: Int) throws(StorageError) -> [UInt8] {
        let bytes = try readFile(path)
        guard offset < bytes.count else { return [] }
        return Array(bytes[offset..<min(bytes.count, offset + count)])
    }

    func rename(_ from: String, _ to: String) throws(StorageError) {
        try files.withLock { (f: inout Files) throws(StorageError) in
            guard let bytes = f.data.removeValue(forKey: from) else { throw StorageError("\(from): no such file") }
            f.data[to] = bytes
        }
    }

    func remove(_ path: String) throws(StorageError) { _ = files.withLock { $0.data.removeValue(forKey: path) } }

    func truncate(_ path: String, to length: Int) throws(StorageError) {
        files.withLock { f in if let bytes = f.data[path], length < bytes.count { f.data[path] = Array(bytes[0..<length]) } }
    }

    func list(_ directory: String) throws(StorageError) -> [String] {
        let prefix = directory + "/"
        return files.withLock { f in f.data.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) } }
    }

    func syncDirectory(_ directory: String) throws(StorageError) {}
    func makeDirectory(_ path: String) throws(StorageError) {}
    func removeDirectory(_ path: String) throws(StorageError) {}
}
