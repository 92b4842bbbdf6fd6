import Foundation
import ReturnLedgerCore
import ReturnLedgerStorage
import Testing

/// Backup folders: complete and verifiable, pruned to N, and a failing backup disk
/// fails only the backup.
@Suite struct BackupTests {
    static func ledger(_ entries: [LogEntry]) -> Ledger {
        var ledger = Ledger()
        for entry in entries { ledger.apply(entry.events) }
        return ledger
    }

    @Test func aBackupFolderIsADataDirectoryThatReplaysToTheState() throws {
        let root = TempDirectory()
        let state = Self.ledger(everyKindEntries())
        let at = Timestamp(parsing: "2026-12-01T19:25:38Z")!
        let written = try Backup.write(state, seq: 42, at: at, into: root.path + "/backups", fs: PosixFileSystem())
        #expect(written.entry.name == "backup-20261201T192538Z-00000000000000000042")
        #expect(Backup.parse(written.entry.name) == written.entry)
        let folder = root.path + "/backups/" + written.entry.name
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["snapshot-00000000000000000042.snap"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path + "/backups") == [written.entry.name])
        let loaded = try Recovery.load(DataDirectory(folder), fs: PosixFileSystem(), repair: false)
        #expect(loaded.lastSeq == 42 && loaded.ledger.digest == state.digest)
        #expect(written.bytes == (try PosixFileSystem().readFileSize(folder + "/snapshot-00000000000000000042.snap")))
        // Restored into a new data directory: the same files, the same state.
        let restored = root.path + "/restored"
        #expect(try Backup.restore(from: folder, into: restored, fs: PosixFileSystem()) == ["snapshot-00000000000000000042.snap"])
        #expect(try Recovery.load(DataDirectory(restored), fs: PosixFileSystem(), repair: false).ledger.digest == state.digest)
    }

    @Test func retentionKeepsExactlyTheNewestN() throws {
        let root = TempDirectory()
        let state = Self.ledger(sampleEntries(count: 12))
        var names: [String] = []
        for i in 0..<6 {
            let at = Timestamp(seconds: 1_780_000_000 + Int64(i) * 3600)
            names.append(try Backup.write(state, seq: UInt64(10 + i), at: at, into: root.path, fs: PosixFileSystem()).entry.name)
        }
        #expect(Backup.prune(root.path, keep: 4, fs: PosixFileSystem()) == Array(names.prefix(2)))
        #expect(Backup.list(root.path, fs: PosixFileSystem()).map(\.name) == Array(names.suffix(4)))
        #expect(Backup.prune(root.path, keep: 4, fs: PosixFileSystem()).isEmpty)
        #expect(root.files() == Array(names.suffix(4)))
    }

    @Test func aFailingBackupDiskFailsTheBackupAndLeavesTheOthers() throws {
        let root = TempDirectory()
        let state = Self.ledger(sampleEntries(count: 12))
        let disk = FaultInjectingFileSystem()
        let first = try Backup.write(state, seq: 5, at: Timestamp(seconds: 1_780_000_000), into: root.path, fs: disk)
        disk.failWrites(true)
        #expect(throws: StorageError.self) {
            try Backup.write(state, seq: 9, at: Timestamp(seconds: 1_780_003_600), into: root.path, fs: disk)
        }
        disk.failWrites(false)
        disk.failSyncs(true)
        #expect(throws: StorageError.self) {
            try Backup.write(state, seq: 9, at: Timestamp(seconds: 1_780_003_600), into: root.path, fs: disk)
        }
        // Neither left a half-written folder; the finished backup is as it was.
        #expect(root.files() == [first.entry.name])
        #expect(try Recovery.load(DataDirectory(root.path + "/" + first.entry.name), fs: PosixFileSystem(), repair: false)
            .ledger.digest == state.digest)
    }

    @Test func otherNamesAreNotBackups() {
        for name in ["backup-20261201T192538Z-42", "backup-20261301T192538Z-00000000000000000042", "snapshot-1.snap",
                     "backup-20261201T192538Z-00000000000000000042.tmp", "backup-20261201X192538Z-00000000000000000042"] {
            #expect(Backup.parse(name) == nil, "\(name)")
        }
    }
}
