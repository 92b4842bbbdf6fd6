import Foundation
import ReturnLedgerStorage
import Testing
import Synchronization

/// Backups through the real binary: taken under write load, restored into a new
/// directory with every acknowledged change up to it; a failing backup disk fails only BACKUP.
@Suite struct BackupEndToEndTests {
    static func digest(_ path: String, upTo seq: UInt64 = .max) throws -> String {
        try Recovery.load(DataDirectory(path), fs: PosixFileSystem(), repair: false, limit: seq).ledger.digest
    }

    @Test func aBackupUnderWriteLoadRestoresToTheStateAtItsSequence() throws {
        let backups = FileManager.default.temporaryDirectory.appendingPathComponent("rl-backups-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: backups) }
        let server = try ServerProcess(["--backup-dir", backups, "--backup-every", "0"])
        defer { server.stop() }
        try setUpShop(server)
        let clerk = try server.login("clerk1")
        #expect(try clerk.call("SALE S-1 location=STORE1 customer=C1 A100:5000").ok)
        // Three tills file returns flat out while the admin takes a backup.
        let stop = Atomic<Bool>(false)
        let filed = Atomic<Int>(0)
        let tills = (0..<3).map { t in
            Thread {
                guard let till = try? server.login("clerk1") else { return }
                var n = 0
                while !stop.load(ordering: .relaxed), n < 1500 {
                    if (try? till.call("RETURN S-1 A100:1 reason=DEFECTIVE key=t\(t)-\(n)"))?.ok == true { filed.add(1, ordering: .relaxed) }
                    n += 1
                }
            }
        }
        for till in tills { till.start() }
        let deadline = Date().addingTimeInterval(30)
        while filed.load(ordering: .relaxed) < 100, Date() < deadline { usleep(1000) }
        let admin = try server.login("admin")
        let backup = try admin.call("BACKUP")
        stop.store(true, ordering: .relaxed)
        #expect(backup.ok, "\(backup.status)")
        let name = try #require(backup["backup"]), seq = try #require(backup["seq"].flatMap { UInt64($0) })
        #expect(name.hasPrefix("backup-") && name.hasSuffix("-" + String(repeating: "0", count: 20 - String(seq).count) + String(seq)))
        #expect(try admin.call("INFO").data.contains { $0.contains("backup_last_name=\(name) backup_last_status=ok") })
        let tillsDeadline = Date().addingTimeInterval(60)
        while tills.contains(where: { $0.isExecuting }), Date() < tillsDeadline { usleep(1000) }
        #expect(!tills.contains(where: { $0.isExecuting }), "the tills did not stop within 60 s")
        server.stop(keepData: true)
        defer { try? FileManager.default.removeItem(at: server.directory) }

        // The backup is the live history up to its sequence, no more and no less.
        let folder = backups + "/" + name
        let expected = try Self.digest(server.directory.path, upTo: seq)
        #expect(try Self.digest(folder) == expected)
        #expect(filed.load(ordering: .relaxed) > 100)

        // Restored into a new directory and started: that state, under a new epoch.
        let restoredAt = FileManager.default.temporaryDirectory.appendingPathComponent("rl-restored-\(UUID().uuidString)")
        let restored = try ServerProcess(["--restore", folder, "--backup-every", "0"], directory: restoredAt)
        defer { restored.stop(); try? FileManager.default.removeItem(at: restoredAt) }
        restored.stop(keepData: true)
        #expect(try Self.digest(restoredAt.path) == expected)
        #expect(restored.stderrText().contains("restored \(folder) into \(restoredAt.path)"))
        let again = try ServerProcess(["--backup-every", "0"], directory: restoredAt)
        defer { again.stop() }
        let auditor = try again.login("aud1")
        let epochs = try [server.directory.path, restoredAt.path].map {
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: $0 + "/EPOCH")), as: UTF8.self)
        }
        #expect(epochs[0] != epochs[1])
        #expect(try auditor.call("INFO").data.contains { $0.contains("epoch=\(epochs[1].filter(\.isHexDigit))") })
        // The backup carried its epoch history: the restored epoch's parent is the backed-up one's.
        #expect(try auditor.call("INFO").data.contains { $0.contains("epoch_parent=\(epochs[0].filter(\.isHexDigit)) ") })

        // From a folder that is not a backup (missing, or holding neither snapshot nor log): exit 2.
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("rl-not-a-backup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        for source in [empty + "/missing", empty] {
            let target = empty + "-into"
            defer { try? FileManager.default.removeItem(atPath: target) }
            let (code, message) = try runToExit(["--port", "0", "--data", target, "--restore", source])
            #expect(code == 2 && message.contains("cannot restore from \(source)"), "\(message)")
        }

        // Into a directory that holds anything: refused, exit 2, nothing touched (its LOCK, left
        // by the server that ran there, keeps that server's pid).
        again.stop(keepData: true)
        let before = try Self.listing(restoredAt.path)
        let (status, stderr) = try runToExit(["--port", "0", "--data", restoredAt.path, "--restore", folder])
        #expect(status == 2 && stderr.contains("--restore needs an empty data directory"), "\(stderr)")
        #expect(try Self.listing(restoredAt.path) == before)
        #expect(try Self.digest(restoredAt.path, upTo: seq) == expected)
    }

    /// Every file in a directory with its bytes, to tell that nothing was touched.
    static func listing(_ path: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: path) {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: path + "/" + name))
        }
        return files
    }

    /// A restore into a directory that holds anything exits 2 and leaves it as it was,
    /// with no LOCK file (and no pid) of its own left behind.
    @Test func aRefusedRestoreLeavesTheDirectoryUntouched() throws {
        let backup = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/golden-v7/snapshot").path
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("rl-occupied-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: data) }
        try Data("the shop's own notes\n".utf8).write(to: URL(fileURLWithPath: data + "/notes.txt"))
        let before = try Self.listing(data)
        let (status, stderr) = try runToExit(["--port", "0", "--data", data, "--restore", backup])
        #expect(status == 2 && stderr.contains("--restore needs an empty data directory; \(data) holds notes.txt"), "\(stderr)")
        #expect(try Self.listing(data) == before)
        #expect(!FileManager.default.fileExists(atPath: data + "/LOCK"))
    }

    @Test func aFailingBackupDiskFailsOnlyTheBackupAndOldOnesArePruned() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rl-not-a-dir-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        defer { try? FileManager.default.removeItem(atPath: file) }
        // The backup directory cannot be made (its parent is a file): every backup fails.
        let server = try ServerProcess(["--backup-dir", file + "/backups"])
        defer { server.stop() }
        try setUpShop(server)
        let admin = try server.login("admin")
        let reply = try admin.call("BACKUP")
        #expect(reply.code == "BACKUP", "\(reply.status)")
        #expect(try admin.call("INFO").data.contains { $0.contains("backup_last_status=failed") })
        let clerk = try server.login("clerk1")
        #expect(try clerk.call("SALE S-1 location=STORE1 A100:2").ok)
        #expect(try clerk.call("RETURN S-1 A100:1 reason=DEFECTIVE").ok)

        // A working directory, keep 2: a backup at start (none was there), then two by hand.
        let backups = FileManager.default.temporaryDirectory.appendingPathComponent("rl-keep-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: backups) }
        let kept = try server.restart(["--backup-dir", backups, "--backup-keep", "2"])
        defer { kept.stop() }
        let deadline = Date().addingTimeInterval(30)
        while Backup.list(backups, fs: PosixFileSystem()).isEmpty, Date() < deadline { usleep(2000) }
        let atStart = Backup.list(backups, fs: PosixFileSystem())
        #expect(atStart.count == 1)
        let admin2 = try kept.login("admin")
        let names = try (0..<2).map { _ in try #require(try admin2.call("BACKUP")["backup"]) }
        #expect(Backup.list(backups, fs: PosixFileSystem()).map(\.name) == names)
    }

    /// Section 23's archives go with backups: BACKUP's reply counts them (`archives=`), a second
    /// backup links the first one's copy (its `bytes=` leaves it out), `--restore` copies them into
    /// the new archive folder (the data directory, or `--archive-dir`) and the restored server
    /// lists them whole; a damaged one in the backup refuses the restore (exit 2), writing nothing.
    @Test func backupsHoldTheirArchivesAndARestoreBringsThemBack() throws {
        let backups = FileManager.default.temporaryDirectory.appendingPathComponent("rl-backups-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: backups) }
        let server = try ServerProcess(["--backup-dir", backups, "--backup-every", "0"])
        defer { server.stop() }
        try setUpShop(server)
        let admin = try server.login("admin")
        // Audit entries of today are always finished: closed through today, ARCHIVE takes them.
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        let today = formatter.string(from: Date())
        let close = try admin.call("PERIOD CLOSE \(today)")
        #expect(close.ok, "\(close.status)")
        let archived = try admin.call("ARCHIVE through=\(today)")
        #expect(archived.ok, "\(archived.status)")
        let name = try #require(archived["archive"])
        #expect(!name.isEmpty)

        let first = try admin.call("BACKUP")
        #expect(first.ok && first["archives"] == "1", "\(first.status)")
        #expect(first.status.hasSuffix(" archives=1"), "\(first.status)")
        // A change between the two: another sequence, another backup name.
        #expect(try admin.call("SKU ADD D500 name=Mug price=9 cost=4").ok)
        let second = try admin.call("BACKUP")
        #expect(second.ok && second["archives"] == "1", "\(second.status)")
        let folders = try [first, second].map { backups + "/" + (try #require($0["backup"])) }
        let file = ArchiveFile.fileName(name)
        // The second links the first one's copy: its bytes are its snapshot's only.
        let inodes = try folders.map { try #require(FileManager.default.attributesOfItem(atPath: $0 + "/" + file)[.systemFileNumber] as? UInt64) }
        #expect(inodes[0] == inodes[1])
        func snapshotBytes(_ folder: String) throws -> Int {
            let snapshot = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".snap") })
            return try PosixFileSystem().readFileSize(folder + "/" + snapshot)
        }
        #expect(first["bytes"] == String(try snapshotBytes(folders[0]) + PosixFileSystem().readFileSize(folders[0] + "/" + file)))
        #expect(second["bytes"] == String(try snapshotBytes(folders[1])))
        server.stop(keepData: true)
        defer { try? FileManager.default.removeItem(at: server.directory) }

        // Restored into a new data directory: the archive comes along, whole.
        let restoredAt = FileManager.default.temporaryDirectory.appendingPathComponent("rl-restored-\(UUID().uuidString)")
        let restored = try ServerProcess(["--restore", folders[1], "--backup-every", "0"], directory: restoredAt)
        defer { restored.stop(); try? FileManager.default.removeItem(at: restoredAt) }
        #expect(FileManager.default.contentsEqual(atPath: restoredAt.path + "/" + file, andPath: server.directory.path + "/" + file))
        let list = try restored.login("admin").call("ARCHIVE LIST")
        #expect(list.ok && list.data.contains { $0.contains("archive=\(name) ") && $0.contains("status=ok") }, "\(list.data)")
        restored.stop()

        // Into a new data directory with a separate --archive-dir (made, and the archive put there).
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("rl-restored-\(UUID().uuidString)")
        let archiveDir = elsewhere.path + "-archives"
        defer { try? FileManager.default.removeItem(at: elsewhere); try? FileManager.default.removeItem(atPath: archiveDir) }
        let separate = try ServerProcess(["--restore", folders[0], "--archive-dir", archiveDir, "--backup-every", "0"], directory: elsewhere)
        defer { separate.stop() }
        #expect(FileManager.default.fileExists(atPath: archiveDir + "/" + file))
        #expect(!FileManager.default.fileExists(atPath: elsewhere.path + "/" + file))
        let listed = try separate.login("admin").call("ARCHIVE LIST")
        #expect(listed.data.contains { $0.contains("archive=\(name) ") && $0.contains("status=ok") }, "\(listed.data)")
        separate.stop()

        // A byte changed in the backup's archive: exit 2 naming it, nothing written.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: folders[0] + "/" + file))
        bytes[bytes.count / 2] ^= 0x5A
        try bytes.write(to: URL(fileURLWithPath: folders[0] + "/" + file))
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("rl-refused-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: target) }
        let (code, message) = try runToExit(["--port", "0", "--data", target, "--restore", folders[0]])
        #expect(code == 2 && message.contains("cannot restore from \(folders[0])") && message.contains(file), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: target))
        // Missing: the same.
        try FileManager.default.removeItem(atPath: folders[0] + "/" + file)
        let (code2, message2) = try runToExit(["--port", "0", "--data", target, "--restore", folders[0]])
        #expect(code2 == 2 && message2.contains("\(file) is missing"), "\(message2)")
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}
