import Dispatch
import Glibc
import Synchronization

/// How hard the log works to keep acknowledged changes across a crash (as Redis's appendfsync).
public enum FsyncPolicy: String, Sendable, CaseIterable {
    /// fdatasync before any reply that observed the change (group commit). Loses nothing.
    case always
    /// fdatasync once a second; replies do not wait. Loses up to about a second on power loss.
    case everysec
    /// Never fdatasync; the OS writes back when it likes. Survives a process crash, not power loss.
    case no
}

/// The write-ahead log: segments of framed records, group commit.
///
/// ```
///  engine queue                      flusher queue (one)
///  append(entry) ─▶ pending bytes ──▶ write all pending ─▶ fdatasync once ─▶ durable = last seq
///                    (under a lock)                                          └▶ release waiters ≤ durable
/// ```
/// Concurrency turns into bigger batches, not more fsyncs: while one fdatasync runs, appends
/// pile up and the next round covers them all.
public final class WriteAheadLog: @unchecked Sendable {
    public struct Status: Sendable {
        public var lastSeq: UInt64 = 0
        public var durableSeq: UInt64 = 0
        /// The last record an fsync covers (what a standby may be sent, and acknowledges).
        public var syncedSeq: UInt64 = 0
        public var bytesWritten = 0
        public var segmentBytes = 0
        /// Size of all segment files: summed once when the log opens, then kept up to date by
        /// writes and drops, so INFO needs no directory listing on the writer queue.
        public var diskBytes = 0
        public var syncs = 0
        public var lastSyncMicros = 0
        public var maxSyncMicros = 0
        public var failure: String?
    }

    private struct Piece {
        var bytes = ByteWriter(capacity: 4096)
        var firstSeq: UInt64
        var lastSeq: UInt64
        var startsSegment: Bool
    }

    private struct Waiter {
        var seq: UInt64
        var done: @Sendable (Bool) -> Void
    }

    private struct Shared {
        var pieces: [Piece] = []
        var flushing = false
        var rotateNext = false
        var durableSeq: UInt64
        var waiters: [Waiter] = []
        var waitersHead = 0
        var failure: StorageError?
        var status = Status()
    }

    public let policy: FsyncPolicy
    /// `--log-keep`: bytes of segments a snapshot covers kept for FEED (nil: all; 0: none).
    public let keepBytes: Int?
    public let directory: DataDirectory
    private let fs: any FileSystem
    private let segmentLimit: Int
    private let shared: Mutex<Shared>
    private let queue = DispatchQueue(label: "returnledger.wal")
    private var timer: (any DispatchSourceTimer)?
    /// The last record every standby holds (nil: none to wait for): covered segments with records
    /// after it stay whatever `--log-keep` says, so a standby behind is streamed, not seeded again
    /// and again. Read on the flusher queue when segments are trimmed.
    public var retainAfter: (@Sendable () -> UInt64?)?
    /// Called once, on the flusher queue, when a write or fsync fails.
    public var onFailure: (@Sendable (StorageError) -> Void)?
    /// The one "durable up to N" signal: called on the flusher queue after each advance of the
    /// durable sequence (once per fsync under `always`, however many waited), and with
    /// `failed: true` when the log fails. Set before the first append.
    public var onDurable: (@Sendable (_ durable: UInt64, _ failed: Bool) -> Void)?
    /// Called on the flusher queue after each fsync that covers new records, with the last one
    /// it covers: what replication sends and acknowledges (protocol.md, A warm standby). Under
    /// `always` it follows `onDurable`; under `everysec` it comes once a second.
    public var onSynced: (@Sendable (_ synced: UInt64) -> Void)?
    /// Under `--fsync no`, fsync once a second anyway: a primary with standbys sends them only
    /// what it has fsynced, and a standby acknowledges only that, whatever its policy.
    public func syncEverySecond() { syncsEverySecond.store(true, ordering: .relaxed) }
    private let syncsEverySecond = Atomic<Bool>(false)
    private let published: Atomic<UInt64>

    /// How an idle flusher is started once a record waits; nil: at once. The server hands the
    /// start to its event loop, which runs it after the round of ready sockets is handled, so one
    /// fdatasync covers every request read in that round (as Redis fsyncs before it sleeps)
    /// instead of the round's first request setting off an fsync of its own. Set on the thread
    /// that appends (the server does it on the writer queue).
    public var startFlusher: (@Sendable (_ start: @escaping @Sendable () -> Void) -> Void)?

    /// Engine queue only: the last sequence number handed out.
    public private(set) var lastSeq: UInt64

    // Flusher queue only.
    private var fd: Int32 = -1
    private var segmentFirstSeq: UInt64 = 0
    /// The newest snapshot's sequence (flusher queue): segments wholly before it are covered.
    private var coveredUpTo: UInt64 = 0
    private var segmentSize = 0
    private var writtenSeq: UInt64
    /// Last record covered by an fsync (the everysec timer syncs when this lags `writtenSeq`).
    private var syncedSeq: UInt64

    /// Opens the log after recovery: appending continues in `segment` (its first sequence number
    /// and name) or, without one, a new segment is created with the first record.
    public init(directory: DataDirectory, fs: any FileSystem, policy: FsyncPolicy, lastSeq: UInt64,
                segment: (firstSeq: UInt64, name: String)?, segmentLimit: Int = 64 << 20,
                keepBytes: Int? = 0) throws(StorageError) {
        self.directory = directory
        self.fs = fs
        self.policy = policy
        self.keepBytes = keepBytes
        self.segmentLimit = segmentLimit
        self.lastSeq = lastSeq
        self.writtenSeq = lastSeq
        self.syncedSeq = lastSeq
        var initial = Shared(durableSeq: lastSeq)
        initial.status.lastSeq = lastSeq
        initial.status.durableSeq = lastSeq
        initial.status.syncedSeq = lastSeq
        // What recovery replayed counts as durable from here on (replies may rest on it), but
        // after a crash of the process the newest segment's last records may be in the page
        // cache only, and its name too. So before anything is served:
        // - The newest segment is written again, through a temporary file (fsync, rename, fsync
        //   of the directory). A fsync of the file as it is would not do: when the crash followed
        //   a failed fsync (the log stops there, so it is always the newest segment's), Linux
        //   has marked the pages whose writeback failed clean, kept in the cache but never
        //   written, and a later fsync reports success without writing them ("fsyncgate";
        //   PostgreSQL's answer is the same: never retry an fsync, redo the writes). New pages
        //   with the same bytes are written for real, or their fsync fails and start-up stops.
        //   Found by tools/sim (with the simulated disk's failed fsync as Linux's): a crash after
        //   a failed fsync, then a power cut, lost records the restarted server had replayed.
        // - The directory fsync that ends it makes the newest segment's name durable: a rotation
        //   syncs the directory only after the new segment's header is synced; when that sync
        //   failed (or the disk filled up, or the process died in between), recovery continued in
        //   a segment whose name a power cut could take, and with it every record acknowledged
        //   after the restart. Found by tools/sim (seed 6, 400 operations, 50 faults). It also
        //   makes recovery's removals durable, and the rewrite its cut of a torn tail.
        // The cost: one segment (at most the segment limit) read and written at start-up.
        // Under `no` too: a standby acknowledges, and a primary streams, only what an fsync
        // covers, and everything recovery replayed counts as that from here on.
        let segments = try directory.contents(fs).segments
        if let newest = segments.last {
            try Self.rewrite(newest.name, in: directory, fs: fs, finishingHeader: newest.name == segment?.name)
        } else {
            try fs.syncDirectory(directory.path)
        }
        if let segment {
            fd = try fs.openForAppend(directory.file(segment.name), create: false)
            segmentFirstSeq = segment.firstSeq
            segmentSize = try fs.size(fd)
            if segmentSize < LogRecord.magic.count {
                // A crash while creating it: finish the header (the rewrite did, as a safeguard).
                try fs.write(fd, bytes: Array(LogRecord.magic[segmentSize...]))
                segmentSize = LogRecord.magic.count
            }
        }
        initial.status.segmentBytes = segmentSize
        for existing in segments {
            initial.status.diskBytes += (try? fs.readFileSize(directory.file(existing.name))) ?? 0
        }
        shared = Mutex(initial)
        published = Atomic(lastSeq)
        if policy != .always {
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + 1, repeating: 1.0)
            timer.setEventHandler { [weak self] in
                guard let self, policy == .everysec || syncsEverySecond.load(ordering: .relaxed) else { return }
                syncWritten()
            }
            timer.resume()
            self.timer = timer
        }
    }

    /// Writes segment `name` again as it reads now, through `name.tmp` (fsync, rename, fsync of
    /// the directory): its bytes and its name durable whatever became of earlier writes of them.
    /// The segment appending continues in gets its header finished if a crash cut it.
    static func rewrite(_ name: String, in directory: DataDirectory, fs: any FileSystem,
                        finishingHeader: Bool) throws(StorageError) {
        var bytes = try fs.readFile(directory.file(name))
        if finishingHeader, bytes.count < LogRecord.magic.count { bytes = LogRecord.magic }
        try DurableFile.write(name, in: directory.path, fs: fs) { fd throws(StorageError) in
            try fs.write(fd, bytes: bytes)
        }
    }

    deinit {
        timer?.cancel()
        if fd >= 0 { fs.close(fd) }
    }

    public var failure: StorageError? { shared.withLock { $0.failure } }
    public var status: Status {
        var status = shared.withLock { $0.status }
        status.syncedSeq = syncedSequence
        return status
    }

    /// Appends one record and returns its sequence number. Engine queue only. Throws once the
    /// log has failed: nothing more may be acknowledged.
    @discardableResult
    public func append(_ entry: LogEntry) throws(StorageError) -> UInt64 {
        try append(seq: lastSeq + 1) { LogRecord.append(entry, seq: $1, to: &$0) }
    }

    /// Appends records framed elsewhere, byte for byte: a standby's copy of its primary's log
    /// (protocol.md, A warm standby). The caller has checked each record (its checksum, and
    /// sequences from `lastSeq + 1` on, ending at `last`). Engine queue only.
    public func append(framed bytes: ArraySlice<UInt8>, last: UInt64) throws(StorageError) {
        precondition(last > lastSeq, "framed records must follow the log")
        _ = try append(seq: last) { out, _ in out.bytes.append(contentsOf: bytes) }
    }

    @inline(__always)
    private func append(seq: UInt64, _ write: (inout ByteWriter, UInt64) -> Void) throws(StorageError) -> UInt64 {
        let first = lastSeq + 1
        var idle = false
        let failed: StorageError? = shared.withLock { s in
            if let failure = s.failure { return failure }
            if s.pieces.isEmpty || s.rotateNext {
                s.pieces.append(Piece(firstSeq: first, lastSeq: seq, startsSegment: s.rotateNext))
                s.rotateNext = false
            }
            write(&s.pieces[s.pieces.count - 1].bytes, seq)
            s.pieces[s.pieces.count - 1].lastSeq = seq
            s.status.lastSeq = seq
            if !s.flushing {
                s.flushing = true
                idle = true
            }
            return nil
        }
        if let failed { throw failed }
        lastSeq = seq
        if idle {
            let start: @Sendable () -> Void = { self.queue.async { self.flushLoop() } }
            if let startFlusher { startFlusher(start) } else { start() }
        }
        return seq
    }

    /// Records after the current last one go to a new segment, so that a snapshot at `lastSeq`
    /// lets every older segment be dropped. Engine queue only.
    public func rotate() {
        shared.withLock { $0.rotateNext = true }
    }

    /// Runs `done(true)` once every record up to `seq` is where the policy promises (fsynced for
    /// `always`, written to the OS for `everysec` and `no`), or
    /// `done(false)` if the log fails first. May run at once, on the caller's thread.
    public func whenDurable(_ seq: UInt64, _ done: @escaping @Sendable (Bool) -> Void) {
        let now: Bool? = shared.withLock { s in
            if seq <= s.durableSeq { return true }
            if s.failure != nil { return false }
            s.waiters.append(Waiter(seq: seq, done: done))
            return nil
        }
        if let now { done(now) }
    }

    public func isDurable(_ seq: UInt64) -> Bool { shared.withLock { seq <= $0.durableSeq } }

    private func flushLoop() {
        while true {
            let pieces: [Piece] = shared.withLock { s in
                let taken = s.pieces
                s.pieces = []
                if taken.isEmpty { s.flushing = false }
                return taken
            }
            guard let last = pieces.last else { return }
            do throws(StorageError) {
                for piece in pieces {
                    if fd < 0 || (piece.startsSegment && piece.firstSeq != segmentFirstSeq)
                        || (segmentSize >= segmentLimit && piece.firstSeq != segmentFirstSeq) {
                        try openSegment(firstSeq: piece.firstSeq)
                    }
                    try fs.write(fd, bytes: piece.bytes.bytes)
                    segmentSize += piece.bytes.bytes.count
                }
                writtenSeq = last.lastSeq
                let bytes = pieces.reduce(0) { $0 + $1.bytes.bytes.count }
                var micros = -1
                if policy == .always { micros = try timedSync() }
                // A reply may go once its record is where the policy promises: fsynced under
                // `always`; written to the OS (safe from a crash of this process) otherwise.
                release(durable: writtenSeq, bytes: bytes, syncMicros: micros)
            } catch {
                fail(error)
                return
            }
        }
    }

    /// everysec (and `no` with standbys): one fdatasync a second covers whatever was written.
    private func syncWritten() {
        guard fd >= 0, syncedSeq < writtenSeq, failure == nil else { return }
        do throws(StorageError) {
            let micros = try timedSync()
            release(durable: writtenSeq, bytes: 0, syncMicros: micros)
        } catch {
            fail(error)
        }
    }

    private func timedSync() throws(StorageError) -> Int {
        let start = monotonicMicros()
        let covered = writtenSeq
        try fs.sync(fd, dataOnly: true)
        synced(covered)
        return monotonicMicros() - start
    }

    /// Flusher queue: an fsync covered everything up to `seq`.
    private func synced(_ seq: UInt64) {
        guard seq > syncedSeq else { return }
        syncedSeq = seq
        published.store(seq, ordering: .releasing)
        onSynced?(seq)
    }

    /// The last record an fsync covers, for the threads that stream it (no lock: every fsync
    /// sets it, and a standby link reads it on each turn).
    public var syncedSequence: UInt64 { published.load(ordering: .acquiring) }

    private func release(durable: UInt64?, bytes: Int, syncMicros: Int) {
        var advanced: UInt64?
        let ready: [Waiter] = shared.withLock { s in
            s.status.bytesWritten += bytes
            s.status.diskBytes += bytes
            s.status.segmentBytes = segmentSize
            if syncMicros >= 0 {
                s.status.syncs += 1
                s.status.lastSyncMicros = syncMicros
                s.status.maxSyncMicros = max(s.status.maxSyncMicros, syncMicros)
            }
            guard let durable else { return [] }
            if durable > s.durableSeq { advanced = durable }
            s.durableSeq = max(s.durableSeq, durable)
            s.status.durableSeq = s.durableSeq
            var ready: [Waiter] = []
            while s.waitersHead < s.waiters.count, s.waiters[s.waitersHead].seq <= s.durableSeq {
                ready.append(s.waiters[s.waitersHead])
                s.waitersHead += 1
            }
            if s.waitersHead > 1024, s.waitersHead * 2 > s.waiters.count {
                s.waiters.removeFirst(s.waitersHead)
                s.waitersHead = 0
            }
            return ready
        }
        for waiter in ready { waiter.done(true) }
        if let advanced { onDurable?(advanced, false) }
    }

    private func fail(_ error: StorageError) {
        let waiting: [Waiter] = shared.withLock { s in
            s.failure = error
            s.status.failure = error.message
            s.flushing = true  // nothing more is written
            let waiting = Array(s.waiters[s.waitersHead...])
            s.waiters = []
            s.waitersHead = 0
            return waiting
        }
        onDurable?(shared.withLock { $0.durableSeq }, true)
        for waiter in waiting { waiter.done(false) }
        onFailure?(error)
    }

    private func openSegment(firstSeq: UInt64) throws(StorageError) {
        if fd >= 0 {
            if policy != .no {
                try fs.sync(fd, dataOnly: true)
                synced(writtenSeq)
            }
            fs.close(fd)
            fd = -1
        }
        let name = DataDirectory.walName(firstSeq)
        let newFD = try fs.openForAppend(directory.file(name), create: true)
        fd = newFD
        try fs.write(newFD, bytes: LogRecord.magic)
        shared.withLock { $0.status.diskBytes += LogRecord.magic.count }
        try fs.sync(newFD, dataOnly: true)
        try fs.syncDirectory(directory.path)
        segmentFirstSeq = firstSeq
        segmentSize = LogRecord.magic.count
        // A snapshot's rotation takes effect here: the segment before it is now covered.
        trimCovered()
    }

    /// After a snapshot at `seq`: removes segments whose records are all covered by it, and
    /// older snapshots. Runs on the flusher queue, after any pending rotation took effect.
    public func dropCovered(by seq: UInt64, keepSnapshot: String) {
        queue.async { [self] in
            coveredUpTo = max(coveredUpTo, seq)
            trimCovered()
            guard let contents = try? directory.contents(fs) else { return }
            for snapshot in contents.snapshots where snapshot.name != keepSnapshot && snapshot.seq < seq {
                try? fs.remove(directory.file(snapshot.name))
            }
        }
    }

    /// Covered segments stay for FEED up to `keepBytes` in all; the oldest go first. Flusher queue.
    private func trimCovered() {
        guard let keep = keepBytes, coveredUpTo > 0, let contents = try? directory.contents(fs) else { return }
        let segments = contents.segments
        let retained = retainAfter?() ?? .max
        var covered: [(path: String, size: Int)] = []
        for (index, segment) in segments.enumerated() where index + 1 < segments.count {
            // Its records end at the next segment's first − 1: covered, and held by every standby.
            if segments[index + 1].seq <= coveredUpTo + 1, segments[index + 1].seq - 1 <= retained, segment.seq != segmentFirstSeq {
                let path = directory.file(segment.name)
                covered.append((path, (try? fs.readFileSize(path)) ?? 0))
            }
        }
        var kept = covered.reduce(0) { $0 + $1.size }
        for (path, size) in covered where kept > keep {
            if (try? fs.remove(path)) != nil {
                shared.withLock { $0.status.diskBytes -= size }
                kept -= size
            }
        }
    }

    /// Writes and syncs everything pending (shutdown). Blocks the caller.
    public func flush() {
        queue.sync {
            flushLoop()
            if fd >= 0, policy != .always, failure == nil, syncedSeq < writtenSeq {
                syncWritten()
            }
        }
    }
}

/// Microseconds on the monotonic clock, for durations (fsync, snapshot, recovery).
public func monotonicMicros() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return ts.tv_sec * 1_000_000 + ts.tv_nsec / 1000
}
