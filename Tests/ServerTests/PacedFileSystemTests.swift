import Foundation
@testable import ReturnLedgerServer
import ReturnLedgerStorage
import Testing

/// The backup writer's paced file system writes the same bytes in pieces, each written back
/// before the next, and passes fsyncs and failures through untouched.
@Suite struct PacedFileSystemTests {
    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "rl-paced-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func writesTheSameBytesInPiecesAndSyncsAsAsked() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let base = FaultInjectingFileSystem()
        let fs = PacedFileSystem(base, piece: 256 << 10)
        let bytes = (0..<((1 << 20) + 100)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let fd = try fs.openForAppend(directory + "/file", create: true)
        try fs.write(fd, bytes: bytes)
        try fs.sync(fd, dataOnly: false)
        fs.close(fd)
        #expect(try fs.readFile(directory + "/file") == bytes)
        #expect(base.counters.writes == 5)  // four whole pieces and the 100 bytes left
        #expect(base.counters.syncs == 1)
    }

    @Test func aFailingWriteIsTheBackupsFailure() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let base = FaultInjectingFileSystem()
        let fs = PacedFileSystem(base)
        let fd = try fs.openForAppend(directory + "/file", create: true)
        defer { fs.close(fd) }
        base.failWrites(true)
        #expect(throws: StorageError.self) { try fs.write(fd, bytes: [1, 2, 3]) }
    }
}

extension PacedFileSystemTests {
    /// A write-back that fails (EIO, a full disk) fails the write: the kernel reports such an
    /// error once per descriptor, so the fsync after could pass over pages never written. One the
    /// descriptor cannot do (EINVAL: not a regular file) leaves the write to the caller's fsync.
    @Test(arguments: [(EIO, true), (ENOSPC, true), (EINVAL, false), (ESPIPE, false), (0, false)])
    func aFailedWriteBackFailsTheWrite(errno: Int32, fails: Bool) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let base = FaultInjectingFileSystem()
        let fs = PacedFileSystem(base, writeBack: { _ in errno })
        let fd = try fs.openForAppend(directory + "/file", create: true)
        defer { fs.close(fd) }
        if fails {
            #expect(throws: StorageError.self) { try fs.write(fd, bytes: [1, 2, 3]) }
        } else {
            try fs.write(fd, bytes: [1, 2, 3])
            #expect(try fs.readFile(directory + "/file") == [1, 2, 3])
        }
    }
}
