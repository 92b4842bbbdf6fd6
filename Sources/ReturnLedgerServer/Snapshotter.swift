import Dispatch
import ReturnLedgerCore
import ReturnLedgerStorage

/// Snapshots without a stall: the state is taken on the writer queue (an O(1) copy-on-write copy,
/// with the log rotated so older segments can go), then serialised and written on this type's own
/// queue while the clients are served. Taken every `every` events, and on SNAPSHOT.
/// Everything but `write` runs on the writer queue.
final class Snapshotter: @unchecked Sendable {
    let queue = DispatchQueue(label: "returnledger.snapshot")
    private let every: Int
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

    init(every: Int, eventsSince: Int, seq: UInt64, storage: DataDirectory, fs: any FileSystem,
         clock: @escaping @Sendable () -> Timestamp) {
        self.every = every
        self.eventsSince = eventsSince
        self.storage = storage
        self.fs = fs
        self.clock = clock
        self.last = Written(seq: seq)
    }

    /// Takes the state and starts a new log segment after it. Writer queue.
    func begin(_ ledger: Ledger, wal: WriteAheadLog) -> Job {
        eventsSince = 0
        wal.rotate()
        return Job(ledger: ledger, seq: wal.lastSeq)
    }

    /// Counts applied events and starts a background snapshot when enough have piled up.
    func applied(_ events: Int, engine: Engine) {
        eventsSince += events
        guard eventsSince >= every else { return }
        start(engine)
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
