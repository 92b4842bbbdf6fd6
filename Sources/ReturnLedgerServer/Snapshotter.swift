import Dispatch
import ReturnLedgerCore
import ReturnLedgerStorage

/// When a snapshot is taken by itself: every `every` events (`--snapshot-every`); once the last
/// snapshot is 64 MiB or more, also not before the log written since it is `growth` percent of
/// its size (`--snapshot-growth`), as Redis rewrites its AOF (`auto-aof-rewrite-min-size 64mb`,
/// `auto-aof-rewrite-percentage`).
///
/// Why: a snapshot writes the whole state. At a fixed count of events a large state under load
/// was written back to back, a core's worth of work (RETURN+APPROVE at pipeline 16 on 200k
/// returns: 30.8-31.2k ops/s, 38.7-39.0k paced). Paced by size, the bytes snapshots write stay
/// within 100/growth times the log's whatever the state's size; a start-up then replays, after
/// such a snapshot, at most `growth` percent of its size in log (or `every` events, whichever is
/// more). At 50, half a snapshot's size of log replays in about the time the snapshot loads
/// (200k returns: a 141 MB snapshot in 0.67-0.92 s, 142 MB of log in 1.6-1.9 s); 25, 50 and 100
/// gave the same rate under load within the runs' spread. A state under 64 MiB is written every
/// `every` events as the contract says (it costs a few hundred milliseconds at most).
struct SnapshotPacing: Sendable {
    var every: Int
    var growth: Int
    /// The size from which a snapshot also waits for the log.
    static let paced = 64 << 20
    /// `--snapshot-growth`'s default.
    static let defaultGrowth = 50

    /// Whether, past `every` events, the next snapshot also waits for the log to grow.
    func waitsForLog(after lastBytes: Int) -> Bool { growth > 0 && lastBytes >= Self.paced }

    /// Whether `logged` bytes since a snapshot of `lastBytes` are enough.
    func grown(_ logged: Int, after lastBytes: Int) -> Bool { logged * 100 >= lastBytes * growth }
}

/// Snapshots without a stall: the state is taken on the writer queue (an O(1) copy-on-write copy,
/// with the log rotated so older segments can go), then serialised and written on this type's own
/// queue while the clients are served. Taken on SNAPSHOT, and by themselves as `pacing` says.
/// Everything but `write` runs on the writer queue.
final class Snapshotter: @unchecked Sendable {
    let queue = DispatchQueue(label: "returnledger.snapshot")
    private let pacing: SnapshotPacing
    /// The log's `bytesWritten` where the last snapshot written was taken (at start-up: minus the
    /// log bytes replayed after the snapshot loaded).
    private var logBytesAtSnapshot: Int
    /// Past `every`, the log's growth is looked at again only after this many events (not on
    /// each commit).
    private var checkAt = 0
    private let storage: DataDirectory
    private let fs: any FileSystem
    private let clock: @Sendable () -> Timestamp
    private(set) var eventsSince: Int
    private(set) var inFlight = false
    private(set) var last: Written

    /// The newest snapshot on disk, for INFO.
    struct Written {
        var seq: UInt64 = 0
        var at = ""
        var bytes = 0
        var millis = 0
        var failure: String?
    }

    /// The state as of one log sequence number, to be written off the writer queue.
    final class Job: @unchecked Sendable {
        let ledger: Ledger
        let seq: UInt64
        /// The log's `bytesWritten` when it was taken: where the pacing counts from once written.
        let logBytes: Int
        init(ledger: Ledger, seq: UInt64, logBytes: Int) { self.ledger = ledger; self.seq = seq; self.logBytes = logBytes }
    }

    /// `recovered`: what start-up loaded (the snapshot's sequence and size, the log after it).
    init(every: Int, growth: Int, recovered: Recovery.Result, storage: DataDirectory, fs: any FileSystem,
         clock: @escaping @Sendable () -> Timestamp) {
        self.pacing = SnapshotPacing(every: every, growth: growth)
        self.eventsSince = recovered.eventsReplayed
        self.logBytesAtSnapshot = -recovered.logBytesAfterSnapshot
        self.storage = storage
        self.fs = fs
        self.clock = clock
        self.last = Written(seq: recovered.snapshotSeq, bytes: recovered.snapshotBytes)
    }

    /// Takes the state and starts a new log segment after it. Writer queue.
    func begin(_ ledger: Ledger, wal: WriteAheadLog) -> Job {
        eventsSince = 0
        checkAt = 0
        let logBytes = wal.status.bytesWritten
        wal.rotate()
        return Job(ledger: ledger, seq: wal.lastSeq, logBytes: logBytes)
    }

    /// Counts applied events and starts a background snapshot when enough have piled up.
    func applied(_ events: Int, engine: Engine) {
        eventsSince += events
        guard eventsSince >= pacing.every, eventsSince >= checkAt else { return }
        if pacing.waitsForLog(after: last.bytes),
           !pacing.grown(engine.wal.status.bytesWritten - logBytesAtSnapshot, after: last.bytes) {
            checkAt = eventsSince + max(pacing.every / 16, 1)
            return
        }
        start(engine)
    }

    /// A snapshot now, when snapshots are taken by themselves (after an ARCHIVE: no start-up
    /// then reads its archive back). Writer queue.
    func soon(engine: Engine) {
        guard pacing.every != .max else { return }
        start(engine)
    }

    private func start(_ engine: Engine) {
        guard !inFlight else { return }
        inFlight = true
        let job = begin(engine.ledger, wal: engine.wal)
        queue.async { [self] in
            if case .failure(let error) = write(job, wal: engine.wal, engineQueue: engine.queue) {
                Runner.log("snapshot at \(job.seq) failed: \(error.message)")
            }
            engine.queue.async { self.inFlight = false }
        }
    }

    /// Serialises and writes a snapshot, then drops the log segments it covers. This queue.
    func write(_ job: Job, wal: WriteAheadLog, engineQueue: DispatchQueue) -> Result<(seq: UInt64, bytes: Int), StorageError> {
        dispatchPrecondition(condition: .onQueue(queue))
        let start = monotonicMillis()
        do {
            let written = try Snapshot.write(job.ledger, seq: job.seq, to: storage, fs: fs)
            wal.dropCovered(by: job.seq, keepSnapshot: written.name)
            let record = Written(seq: job.seq, at: clock().description, bytes: written.bytes, millis: monotonicMillis() - start)
            engineQueue.async {
                self.last = record
                self.logBytesAtSnapshot = job.logBytes
            }
            return .success((job.seq, written.bytes))
        } catch {
            engineQueue.async { self.last.failure = error.message }
            return .failure(error)
        }
    }
}
