import Dispatch
package import ReturnLedgerCore
package import ReturnLedgerStorage

/// Backups: `BACKUP`, and one whenever the newest in `--backup-dir` is older than
/// `--backup-every`, checked at start and every minute. The state is taken on the writer queue
/// (an O(1) copy, as for a snapshot); checking the schedule, waiting for the log to be durable up
/// to it, writing and pruning happen on this type's own queue, through its own file system, so a
/// slow, full or hung backup disk costs only the backup: the writer, the log and snapshots never
/// wait for it.
package final class Backups: @unchecked Sendable {
    let queue = DispatchQueue(label: "returnledger.backup")
    let directory: String
    /// Seconds; 0 = no automatic backups.
    let every: Int64
    let keep: Int
    private let fs: any FileSystem
    private let clock: @Sendable () -> Timestamp
    /// Writer queue: a backup is being written (automatic ones do not pile up).
    private(set) var inFlight = false
    /// Writer queue: the last backup finished or failed, for INFO.
    private(set) var last: Last

    struct Last {
        var at = ""
        var name = ""
        var status = "none"
        var error = ""
    }

    package init(directory: String, every: Int64, keep: Int, fs: any FileSystem, clock: @escaping @Sendable () -> Timestamp) {
        self.directory = directory
        self.every = every
        self.keep = keep
        self.fs = fs
        self.clock = clock
        last = Last()
        if let newest = Backup.list(directory, fs: fs).last {
            last = Last(at: newest.at.description, name: newest.name, status: "ok")
        }
    }

    /// `--backup-dir` when not given: the data directory's absolute path, without a trailing
    /// slash, followed by `-backups`.
    static func defaultDirectory(for data: String) -> String {
        let absolute = data.hasPrefix("/") ? data : Syscalls.currentDirectory() + "/" + data
        // `./d/` and `/srv/./d` name `/srv/d`: its backups go to `/srv/d-backups`.
        let parts = absolute.split(separator: "/").filter { $0 != "." }
        return "/" + parts.joined(separator: "/") + "-backups"
    }

    /// Takes the state for a backup; the returned work writes it (on this queue). Writer queue.
    func begin(_ engine: Engine) -> @Sendable () -> Result<Backup.Written, StorageError> {
        dispatchPrecondition(condition: .onQueue(engine.queue))
        inFlight = true
        // The epoch history goes with the state: a restore forks from it (the new epoch's parent
        // is the backup's, section 24).
        let ledger = engine.ledger, seq = engine.wal.lastSeq, at = clock(), history = engine.replication.history
        // The archives the state names go with it (section 23): linked from the newest earlier
        // backup when it holds them, else copied from the archive directory and checked.
        let archives = engine.shelf.directory
        return { [self, wal = engine.wal, engineQueue = engine.queue] in
            // Nothing in a backup that the log could still lose: wait until it is durable up to seq.
            wal.flush()
            // Encoded and written at the lowest CPU and I/O priority, its writes paced: the tills
            // keep their rate while it runs (see `PacedFileSystem`).
            let result = BackgroundWorkers.backups.run { [directory, keep, fs] () -> Result<Backup.Written, StorageError> in
                let result: Result<Backup.Written, StorageError>
                do throws(StorageError) {
                    result = .success(try Backup.write(ledger, seq: seq, at: at, into: directory, history: history,
                                                       archives: archives, fs: fs))
                } catch {
                    result = .failure(error)
                }
                if case .success = result { Backup.prune(directory, keep: keep, fs: fs) }
                return result
            }
            engineQueue.async { [self] in
                inFlight = false
                switch result {
                case .success(let written): last = Last(at: written.entry.at.description, name: written.entry.name, status: "ok")
                case .failure(let error): last = Last(at: at.description, name: "", status: "failed", error: error.message)
                }
            }
            return result
        }
    }

    /// An automatic backup if one is due (newest older than `every`, or none). This queue: the
    /// backup directory is listed here, never on the writer queue, so a hung backup disk (a
    /// stuck network mount) holds up backups only.
    func checkSchedule(_ engine: Engine) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard every > 0 else { return }
        // Nothing to keep yet (a standby before its first records): the schedule waits for data.
        guard engine.wal.status.lastSeq > 0 else { return }
        if let newest = Backup.list(directory, fs: fs).last, clock().seconds - newest.at.seconds < every { return }
        let work: (@Sendable () -> Result<Backup.Written, StorageError>)? = engine.onQueue { inFlight ? nil : begin(engine) }
        guard let work else { return }
        switch work() {
        case .success(let written):
            Runner.log("backup \(written.entry.name) written to \(directory) (\(written.bytes) bytes"
                       + (written.archives == 0 ? "" : ", \(written.archives) archives, \(written.linked) linked") + ")")
        case .failure(let error): Runner.log("backup to \(directory) failed: \(error.message); changes go on")
        }
    }

    /// INFO's backup line.
    var fields: [Field] {
        [Field("section", "backup"), Field("backup_last_at", last.at), Field("backup_last_name", last.name),
         Field("backup_last_status", last.status), Field("dir", directory), Field("every_s", String(every)),
         Field("keep", String(keep)), Field("in_progress", inFlight ? "yes" : "no"), Field("error", last.error)]
    }
}
