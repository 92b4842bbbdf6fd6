public import ReturnLedgerStorage

/// `--restore BACKUP_FOLDER` (section 15): into an empty or missing data directory only (the
/// caller holds its lock), after checking the backup replays; a new epoch, then the server starts
/// on it as usual.
public enum Restore {
    public static func run(from folder: String, into data: String, fs: any FileSystem = PosixFileSystem()) throws(Flags.Failure) -> [String] {
        let present = ((try? fs.list(data)) ?? []).filter { $0 != "LOCK" }
        guard present.isEmpty else {
            throw Flags.Failure(message: "--restore needs an empty data directory; \(data) holds \(present.prefix(3).joined(separator: ", "))"
                                + (present.count > 3 ? " and \(present.count - 3) more" : "") + " (choose a new --data)")
        }
        let checked: Recovery.Result
        do {
            _ = try Backup.files(ofBackup: folder, fs: fs)
            checked = try Recovery.load(DataDirectory(folder), fs: fs, repair: false)
        } catch {
            throw Flags.Failure(message: "cannot restore from \(folder): \(error.message)")
        }
        do {
            let copied = try Backup.restore(from: folder, into: data, fs: fs)
            let epoch = try Epoch.start(DataDirectory(data), fs: fs)
            return ["restored \(folder) into \(data): \(copied.joined(separator: ", ")), up to seq \(checked.lastSeq); new epoch \(epoch)"]
        } catch {
            throw Flags.Failure(message: "cannot restore into \(data): \(error.message)")
        }
    }
}
