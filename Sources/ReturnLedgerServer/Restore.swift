import ReturnLedgerCore
public import ReturnLedgerStorage

/// `--restore BACKUP_FOLDER` (protocol.md, Backups, restore and log keeping): into an empty or
/// missing data directory only, after checking the backup replays; a new epoch, then the server
/// starts on it as usual. Checked before anything is made in the data directory (`check`), so a
/// refused restore touches nothing, then carried out under the directory's lock (`run`).
///
/// The archives the backup's state names (section 23; the backup holds them beside its snapshot)
/// are checked whole against the checksums that state recorded before anything is written (one
/// missing or damaged refuses the restore, naming it), then copied into the new data directory's
/// archive folder (`--archive-dir`, else the data directory) and fsynced.
public enum Restore {
    /// A restore found possible: the backup replays, holds its archives whole, and the data
    /// directory holds nothing.
    public struct Plan: Sendable {
        public let folder: String
        public let data: String
        /// Where the archives go: `--archive-dir`, else the data directory.
        public let archiveDirectory: String
        let lastSeq: UInt64
        let archives: [ArchiveEntry]
    }

    /// Refuses a data directory that holds anything (its `LOCK` aside), a folder that is not a
    /// backup that replays, and one missing or holding damaged any archive its state names.
    /// Writes nothing. `archives`: `--archive-dir` (nil: the data directory).
    public static func check(from folder: String, into data: String, archives archiveDirectory: String? = nil,
                             fs: any FileSystem = PosixFileSystem()) throws(Flags.Failure) -> Plan {
        try refuseUnlessEmpty(data, fs: fs)
        do {
            _ = try Backup.files(ofBackup: folder, fs: fs)
            let checked = try Recovery.load(DataDirectory(folder), fs: fs, repair: false)
            try Backup.checkArchives(checked.ledger.archives, inBackup: folder, fs: fs)
            if let archiveDirectory, archiveDirectory != data {
                try refuseForeignArchives(in: archiveDirectory, keeping: checked.ledger.archives, fs: fs)
            }
            return Plan(folder: folder, data: data, archiveDirectory: archiveDirectory ?? data, lastSeq: checked.lastSeq,
                        archives: checked.ledger.archives)
        } catch {
            throw Flags.Failure(message: "cannot restore from \(folder): \(error.message)")
        }
    }

    /// Copies the backup (and its archives) in and starts a new epoch; the caller holds the
    /// directory's lock (and the archive directory's).
    public static func run(_ plan: Plan, fs: any FileSystem = PosixFileSystem()) throws(Flags.Failure) -> [String] {
        try refuseUnlessEmpty(plan.data, fs: fs)  // filled since the check, before the lock was ours
        do {
            let copied = try Backup.restore(from: plan.folder, into: plan.data, archives: plan.archives,
                                            archiveDirectory: plan.archiveDirectory, checked: true, fs: fs)
            let backupHistory = try EpochHistory.load(DataDirectory(plan.folder), fs: fs)
            let epoch = try Epoch.startRestored(DataDirectory(plan.data), backupHistory: backupHistory,
                                                firstSeq: plan.lastSeq + 1, fs: fs)
            let archives = plan.archives.isEmpty || plan.archiveDirectory == plan.data ? "" : " (archives into \(plan.archiveDirectory))"
            return ["restored \(plan.folder) into \(plan.data): \(copied.joined(separator: ", "))\(archives), up to seq \(plan.lastSeq); new epoch \(epoch)"]
        } catch {
            throw Flags.Failure(message: "cannot restore into \(plan.data): \(error.message)")
        }
    }

    /// `check`, then `run`.
    public static func run(from folder: String, into data: String, archives archiveDirectory: String? = nil,
                           fs: any FileSystem = PosixFileSystem()) throws(Flags.Failure) -> [String] {
        try run(check(from: folder, into: data, archives: archiveDirectory, fs: fs), fs: fs)
    }

    /// A separate archive folder may hold the backup's own archives (the same name and checksum:
    /// they are taken as they are), nothing else of ours: another data directory's archives there
    /// would be overwritten by, or mistaken for, the restored directory's.
    private static func refuseForeignArchives(in directory: String, keeping archives: [ArchiveEntry],
                                              fs: any FileSystem) throws(StorageError) {
        let ours = Dictionary(uniqueKeysWithValues: archives.map { (ArchiveFile.fileName($0.name), $0.checksum) })
        for file in ((try? fs.list(directory)) ?? []) where file.hasPrefix("archive-") {
            let same = ours[file].map { checksum in (try? ArchiveReader(path: directory + "/" + file, fs: fs))?.checksum == checksum } ?? false
            guard same else {
                throw StorageError("--archive-dir \(directory) holds \(file), which is not one of this backup's archives: "
                                   + "another data directory's? choose an empty --archive-dir")
            }
        }
    }

    private static func refuseUnlessEmpty(_ data: String, fs: any FileSystem) throws(Flags.Failure) {
        let present = ((try? fs.list(data)) ?? []).filter { $0 != "LOCK" }
        guard present.isEmpty else {
            throw Flags.Failure(message: "--restore needs an empty data directory; \(data) holds \(present.prefix(3).joined(separator: ", "))"
                                + (present.count > 3 ? " and \(present.count - 3) more" : "") + " (choose a new --data)")
        }
    }
}
