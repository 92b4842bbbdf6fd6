import Dispatch
import ReturnLedgerCore
import ReturnLedgerStorage

/// Snapshots without a stall: the state is taken on the writer queue (an O(1) copy-on-write copy,
/// with the log rotated so older segments can go), then serialised and written on this type's own
/// queue while the clients are served. Taken on SNAPSHOT, and by themselves every `every` events
/// once the log since the last one has grown by `growth` percent of that snapshot's size.
/// Everything but `write` runs on the writer queue.
///
/// Why the growth: a snapshot writes the whole state. At a fixed interval of events a large state
/// under load was written back to back, a core's worth of work (RETURN+APPROVE at pipeline 16 ran
/// 20% faster without it). Paced by size, as Redis paces its AOF rewrite
/// (`auto-aof-rewrite-percentage`), the snapshot bytes written stay at most 100/growth times the
/// log bytes written whatever the state's size, and a start-up replays at most growth percent of
/// the snapshot's size in log after loading it. The default, 50, keeps both: on 200k returns under
/// load a snapshot at 50, 100 or 25 percent made no difference to the rate (within the runs'
/// spread), and half a snapshot's size of log replays in about the time the snapshot loads.
final class Snapshotter: @unchecked Sendable {
    let queue = DispatchQueue(label: "returnledger.snapshot")
    private let every: Int
    /// `--snapshot-growth`: percent of the last snapshot's size the log must grow by (0: off).
    private let growth: Int
    /// The log's `bytesWritten` where the last snapshot was taken (at start-up: minus the log
    /// bytes replayed after the snapshot loaded).
    private var logBytesAtSnapshot: Int
    /// Past `every`, the growth is looked at again only after this many events (not on each commit).
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
        init(ledger: Ledger, seq: UInt64) { self.ledger = ledger; self.seq = seq }
    }

    /// `recovered`: what start-up loaded (the snapshot's sequence and size, the log after it).
    init(every: Int, growth: Int, recovered: Recovery.Result, storage: DataDirectory, fs: any FileSystem,
         clock: @escaping @Sendable () -> Timestamp) {
        self.every = every
        self.growth = growth
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
        logBytesAtSnapshot = wal.status.bytesWritten
        wal.rotate()
        return Job(ledger: ledger, seq: wal.lastSeq)
    }

    /// Counts applied events and starts a background snapshot when enough have piled up.
    func applied(_ events: Int, engine: Engine) {
        eventsSince += events
        guard eventsSince >= every, eventsSince >= checkAt else { return }
        guard grown(engine.wal) else {
            checkAt = eventsSince + max(every / 16, 1)
            return
        }
        start(engine)
    }

    /// Whether the log since the last snapshot is at least `growth` percent of its size.
    private func grown(_ wal: WriteAheadLog) -> Bool {
        guard growth > 0, last.bytes > 0 else { return true }
        let logged = wal.status.bytesWritten - logBytesAtSnapshot
        return logged * 100 >= last.bytes * growth
    }

    /// A snapshot now, when snapshots are taken by themselves (after an ARCHIVE: no start-up
    /// then reads its archive back). Writer queue.
    func soon(engine: Engine) {
        guard every != .max else { return }
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
            engineQueue.async { self.last = record }
            return .success((job.seq, written.bytes))
        } catch {
            engineQueue.async { self.last.failure = error.message }
            return .failure(error)
        }
    }
}
