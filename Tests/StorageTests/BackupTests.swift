import Foundation
import ReturnLedgerCore
@testable import ReturnLedgerStorage
import Testing

/// Backup folders: complete and verifiable, pruned to N, and a failing backup disk
/// fails only the backup. The archives their states name (section 23) go with them: linked
/// from the newest earlier backup, else copied and checked; a restore checks and copies them.
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

    // MARK: Archives (section 23)

    /// A state naming `count` archives whose files are written in `directory` (each a slice of a
    /// small shop's records).
    static func archived(_ count: Int, in directory: String, base: Ledger? = nil) throws -> Ledger {
        var ledger = base ?? Self.ledger(sampleEntries(count: 12))
        let records = ArchiveFileTests.records(of: ledger)
        for number in (ledger.archives.count + 1)...(ledger.archives.count + count) {
            let header = ArchiveFileTests.header(number)
            let name = ArchiveEntry.name(through: header.through, number: number)
            // Each archive different: a different slice of the records.
            let slice = Array(records.dropFirst(number - 1).prefix(records.count / 2))
            let written = try ArchiveFile.write(slice, header: header, name: name, in: directory, fs: PosixFileSystem())
            ledger.archives.append(ArchiveEntry(name: name, through: header.through, number: number, takenAt: header.takenAt,
                                                purchasesAll: false, counts: written.header.counts, bytes: written.bytes,
                                                checksum: written.checksum, seq: UInt64(100 + number), taken: ArchiveSelection()))
        }
        return ledger
    }

    static func size(_ path: String) throws -> Int { try PosixFileSystem().readFileSize(path) }

    static func inode(_ path: String) throws -> UInt64 {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64)
    }

    /// Flips one byte in the middle of a file.
    static func damage(_ path: String) throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x5A
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    @Test func aBackupHoldsItsArchivesLinkedFromTheNewestEarlierOne() throws {
        let root = TempDirectory()
        let data = root.path + "/data", backups = root.path + "/backups"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let two = try Self.archived(2, in: data)
        let at = Timestamp(parsing: "2026-12-01T19:25:38Z")!
        let first = try Backup.write(two, seq: 42, at: at, into: backups, archives: data, fs: PosixFileSystem())
        let firstFolder = backups + "/" + first.entry.name
        let names = two.archives.map { ArchiveFile.fileName($0.name) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: firstFolder).sorted()
                == (names + ["snapshot-00000000000000000042.snap"]).sorted())
        // Both copied: counted in bytes, the copies byte for byte the archives.
        #expect(first.archives == 2 && first.linked == 0)
        let snapshotBytes = try Self.size(firstFolder + "/snapshot-00000000000000000042.snap")
        #expect(first.bytes == snapshotBytes + two.archives.reduce(0) { $0 + $1.bytes })
        for name in names {
            #expect(FileManager.default.contentsEqual(atPath: firstFolder + "/" + name, andPath: data + "/" + name))
            #expect(try Self.inode(firstFolder + "/" + name) != Self.inode(data + "/" + name))
        }

        // A third archive: the next backup links the two the first one holds and copies the new one.
        let three = try Self.archived(1, in: data, base: two)
        let second = try Backup.write(three, seq: 50, at: Timestamp(seconds: at.seconds + 3600), into: backups, archives: data,
                                      fs: PosixFileSystem())
        let secondFolder = backups + "/" + second.entry.name
        #expect(second.archives == 3 && second.linked == 2)
        #expect(second.bytes == (try Self.size(secondFolder + "/snapshot-00000000000000000050.snap")) + three.archives[2].bytes)
        for name in names { #expect(try Self.inode(secondFolder + "/" + name) == Self.inode(firstFolder + "/" + name)) }
        let third = ArchiveFile.fileName(three.archives[2].name)
        #expect(try Self.inode(secondFolder + "/" + third) != Self.inode(data + "/" + third))
        // The folder is a data directory holding its state's archives whole.
        let loaded = try Recovery.load(DataDirectory(secondFolder), fs: PosixFileSystem(), repair: false)
        #expect(loaded.ledger.archives == three.archives)
        try Backup.checkArchives(loaded.ledger.archives, inBackup: secondFolder, fs: PosixFileSystem())
        // Pruning the first leaves the second's links whole.
        #expect(Backup.prune(backups, keep: 1, fs: PosixFileSystem()) == [first.entry.name])
        try Backup.checkArchives(three.archives, inBackup: secondFolder, fs: PosixFileSystem())

        // An earlier backup's copy with another checksum (not the same archive) is not linked.
        var other = three
        other.archives[0].checksum ^= 1
        #expect(!Backup.link(other.archives[0], from: secondFolder, into: root.path, fs: PosixFileSystem()))
    }

    @Test func aMissingOrDamagedArchiveFailsTheBackupNamingIt() throws {
        let root = TempDirectory()
        let data = root.path + "/data", backups = root.path + "/backups"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let state = try Self.archived(2, in: data)
        let at = Timestamp(parsing: "2026-12-01T19:25:38Z")!
        let file = data + "/" + ArchiveFile.fileName(state.archives[1].name)
        let original = try Data(contentsOf: URL(fileURLWithPath: file))

        // A byte changed: its bytes do not match the checksum the state recorded.
        try Self.damage(file)
        let damaged = #expect(throws: StorageError.self) {
            try Backup.write(state, seq: 42, at: at, into: backups, archives: data, fs: PosixFileSystem())
        }
        #expect(damaged?.message.contains(file) == true && damaged?.message.contains("damaged") == true, "\(damaged?.message ?? "")")
        #expect(Backup.list(backups, fs: PosixFileSystem()).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: backups).isEmpty)  // no .tmp folder left

        // Whole but another archive's file (its checksum is not the one recorded).
        var renamed = state
        renamed.archives[1].checksum ^= 0xFFFF
        try original.write(to: URL(fileURLWithPath: file))
        let mismatch = #expect(throws: StorageError.self) {
            try Backup.write(renamed, seq: 42, at: at, into: backups, archives: data, fs: PosixFileSystem())
        }
        #expect(mismatch?.message.contains(file) == true && mismatch?.message.contains("checksum") == true)

        // Missing.
        try FileManager.default.removeItem(atPath: file)
        let missing = #expect(throws: StorageError.self) {
            try Backup.write(state, seq: 42, at: at, into: backups, archives: data, fs: PosixFileSystem())
        }
        #expect(missing?.message.contains("\(file) is missing") == true, "\(missing?.message ?? "")")
        #expect(try FileManager.default.contentsOfDirectory(atPath: backups).isEmpty)

        // No archive directory given for a state that names archives.
        #expect(throws: StorageError.self) { try Backup.write(state, seq: 42, at: at, into: backups, fs: PosixFileSystem()) }
        // A failing backup disk while copying an archive: the backup fails, nothing is left.
        try original.write(to: URL(fileURLWithPath: file))
        let disk = FaultInjectingFileSystem()
        disk.failSyncs(true)
        #expect(throws: StorageError.self) { try Backup.write(state, seq: 42, at: at, into: backups, archives: data, fs: disk) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: backups).isEmpty)
        // Then it works.
        #expect(try Backup.write(state, seq: 42, at: at, into: backups, archives: data, fs: PosixFileSystem()).archives == 2)
    }

    /// A data directory holding two archives, and a backup of it: (data, the state, the backup's folder).
    static func backedUp(_ root: TempDirectory) throws -> (data: String, state: Ledger, folder: String) {
        let data = root.path + "/data", backups = root.path + "/backups"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let state = try Self.archived(2, in: data)
        let written = try Backup.write(state, seq: 42, at: Timestamp(parsing: "2026-12-01T19:25:38Z")!, into: backups, archives: data,
                                       fs: PosixFileSystem())
        return (data, state, backups + "/" + written.entry.name)
    }

    @Test func aRestoreCopiesTheArchivesCheckingEach() throws {
        let root = TempDirectory()
        let (data, state, folder) = try Self.backedUp(root)
        let names = state.archives.map { ArchiveFile.fileName($0.name) }

        // Into the data directory (no --archive-dir).
        let restored = root.path + "/restored"
        let copied = try Backup.restore(from: folder, into: restored, archives: state.archives, fs: PosixFileSystem())
        #expect(copied == ["snapshot-00000000000000000042.snap"] + names)
        #expect(try FileManager.default.contentsOfDirectory(atPath: restored).sorted() == (names + ["snapshot-00000000000000000042.snap"]).sorted())
        for name in names {
            #expect(FileManager.default.contentsEqual(atPath: restored + "/" + name, andPath: data + "/" + name))
            #expect(try Self.inode(restored + "/" + name) != Self.inode(folder + "/" + name))  // a copy, not a link
        }
        let loaded = try Recovery.load(DataDirectory(restored), fs: PosixFileSystem(), repair: false)
        try Backup.checkArchives(loaded.ledger.archives, inBackup: restored, fs: PosixFileSystem())

        // Into a separate archive directory (--archive-dir), made if missing.
        let elsewhere = root.path + "/restored2", archives = root.path + "/archives/deep"
        _ = try Backup.restore(from: folder, into: elsewhere, archives: state.archives, archiveDirectory: archives, fs: PosixFileSystem())
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere) == ["snapshot-00000000000000000042.snap"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: archives).sorted() == names)
        try Backup.checkArchives(state.archives, inBackup: archives, fs: PosixFileSystem())
    }

    @Test func aMissingOrDamagedArchiveInABackupRefusesTheRestoreWritingNothing() throws {
        let root = TempDirectory()
        let (_, state, folder) = try Self.backedUp(root)
        let file = folder + "/" + ArchiveFile.fileName(state.archives[1].name)
        let original = try Data(contentsOf: URL(fileURLWithPath: file))
        let restored = root.path + "/restored", archives = root.path + "/archives"

        try Self.damage(file)
        let damaged = #expect(throws: StorageError.self) {
            try Backup.restore(from: folder, into: restored, archives: state.archives, archiveDirectory: archives, fs: PosixFileSystem())
        }
        #expect(damaged?.message.contains("archive \(file) damaged at offset") == true, "\(damaged?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: restored) && !FileManager.default.fileExists(atPath: archives))

        try FileManager.default.removeItem(atPath: file)
        let missing = #expect(throws: StorageError.self) {
            try Backup.restore(from: folder, into: restored, archives: state.archives, fs: PosixFileSystem())
        }
        #expect(missing?.message == "archive \(file) is missing", "\(missing?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: restored))

        // Whole again: the restore goes through.
        try original.write(to: URL(fileURLWithPath: file))
        #expect(try Backup.restore(from: folder, into: restored, archives: state.archives, fs: PosixFileSystem()).count == 3)
    }
}
