package import Dispatch
package import ReturnLedgerCore
package import ReturnLedgerStorage
import ReturnLedgerWire
import Synchronization

/// The single writer: owns the ledger and runs every command on one serial queue, as in Redis.
/// No locks in the domain, a total order of events, deterministic replay. Parsing, reply
/// encoding and socket I/O stay on the event loop, crypt on its own queue, file I/O on the log's
/// and snapshots' queues, and reads that scan the state run on a copy of it off this queue.
///
/// Every change goes `authorize` → `decide` → `wal.append` → `apply`: nothing reaches the state
/// that is not in the log, and a batch carries the log sequence it observed so its replies are
/// sent only once that is durable.
package final class Engine: @unchecked Sendable {
    package let queue = DispatchQueue(label: "returnledger.engine")
    /// Reads that scan the whole state (LIST, AUDIT, DIGEST...) run here, on an O(1) copy.
    let readQueue = DispatchQueue(label: "returnledger.reads", attributes: .concurrent)
    /// Writer queue only (the storage-failure reload swaps it in there).
    package var ledger: Ledger
    package let wal: WriteAheadLog
    let snapshots: Snapshotter
    let storage: DataDirectory
    let fs: any FileSystem
    private let clock: @Sendable () -> Timestamp
    let counters: ServerCounters
    /// After a storage failure the state is reloaded from disk and reads are no longer gated.
    var storageFailed = false
    /// The storage-failure reload while it runs (off this queue); reads wait for it.
    package var reload: Reload?
    /// Per command word (by ordinal): calls and failures, for INFO.
    var calls = [(calls: Int, failed: Int)](repeating: (0, 0), count: CommandWord.allCases.count)
    /// What the watching sessions hear of, in commit order (protocol.md: WATCH): one stream per event
    /// loop, each taken by that loop's router. Set by the server before it starts.
    var pushStreams: [PushStream] = []
    /// Sessions that watch (writer queue); changes are published only while there are any.
    var watching: Set<Int> = []
    /// What the server was started with that the engine reports or acts on.
    let setting: Setting
    var backups: Backups { setting.backups }
    /// The archives' files (protocol.md, Years of history).
    package var shelf: ArchiveShelf { setting.archives }
    var maxMemory: Int { setting.maxMemory }
    let logReader: LogReader
    let durableSignal: DurableSignal
    /// FEED's pages run here, below the writer and the loop (at the lowest priority: an exporter
    /// reading flat out must not slow the tills).
    var feedWorkers: BackgroundWorkers { .feed }
    /// Has each loop route what is already durable (a WATCH needs no new fsync to start).
    var wakeRouters: @Sendable () -> Void = {}
    /// Where this server stands among its peers (protocol.md, A warm standby); the server sets it
    /// before it starts (a primary with no standbys until then).
    var replication = Replication(role: .primary, history: EpochHistory(entries: []), primaryAddress: "", syncGate: nil)
    /// Writer queue only: the refusal of every change on a standby or a fenced primary (nil: a
    /// serving primary). Such a server writes nothing to its log. Read on every request and
    /// written only on the writer queue, so no exclusivity check is spent on it.
    @exclusivity(unchecked) var readOnly: DomainError?
    /// REPLICATE answered, by session: the connection takes its stream's start once the reply is
    /// out (rare: a few per standby's connection).
    let handoffs = Mutex<[Int: ReplicationStart]>([:])
    func takeHandoff(_ session: Int) -> ReplicationStart? { handoffs.withLock { $0.removeValue(forKey: session) } }
    /// `--sync-standby`: replies that wrote only audit entries wait for the local log alone, so
    /// a batch says whether it touched anything else (set before the server starts).
    var syncing = false
    /// The standby links' wakers, signalled by each fsync of the log.
    let standbyWakers = WakerSet()
    /// A standby's link to its primary (set before the server starts).
    var follower: StandbyFollower?
    /// The operator's log (stderr); the simulation keeps the lines in its trace instead.
    package var log: @Sendable (String) -> Void = { Runner.log($0) }

    /// The start-up settings the engine holds besides its state.
    package struct Setting: Sendable {
        /// The per-connection budget and the memory limit, for INFO and for refusing large reads
        /// while memory is high (protocol.md, Resource budgets).
        var maxClientBuffer = 0
        var maxMemory = 0
        /// The TLS certificate, for INFO (nil: TLS off).
        var tls: TLSContext?
        var backups: Backups
        var archives: ArchiveShelf
        /// `--standby-user` and its password: how a promoted server logs in at the primary it
        /// fences (protocol.md, A warm standby).
        var standbyLogin: StandbyLink?
        /// `--snapshot-growth`: how much the log grows, in percent of the last snapshot, before
        /// an automatic one (SnapshotPacing).
        var snapshotGrowth: Int

        package init(maxClientBuffer: Int = 0, maxMemory: Int = 0, tls: TLSContext? = nil, backups: Backups,
                     archives: ArchiveShelf, standbyLogin: StandbyLink? = nil, snapshotGrowth: Int = SnapshotPacing.defaultGrowth) {
            self.maxClientBuffer = maxClientBuffer; self.maxMemory = maxMemory; self.tls = tls
            self.backups = backups; self.archives = archives; self.standbyLogin = standbyLogin
            self.snapshotGrowth = snapshotGrowth
        }
    }

    package init(recovered: Recovery.Result, wal: WriteAheadLog, storage: DataDirectory, fs: any FileSystem,
         snapshotEvery: Int, clock: @escaping @Sendable () -> Timestamp, counters: ServerCounters, setting: Setting) {
        self.setting = setting
        var ledger = recovered.ledger
        ledger.archiveReach = ArchiveReach(setting.archives.records)  // returns that left memory are read back there
        self.ledger = ledger
        self.wal = wal
        self.storage = storage
        self.fs = fs
        self.clock = clock
        self.counters = counters
        self.logReader = LogReader(directory: storage, fs: fs)
        self.durableSignal = DurableSignal(durable: recovered.lastSeq)
        self.snapshots = Snapshotter(every: snapshotEvery, growth: setting.snapshotGrowth, recovered: recovered,
                                     storage: storage, fs: fs, clock: clock)
        wal.onFailure = { [weak self] error in
            guard let self else { return }
            queue.async { self.reloadAfterFailure(error) }
        }
    }

    /// The outcome of one batch: replies in request order (encoded by the connection, off this
    /// queue), the log sequence they observed, and what the connection must do next.
    package struct BatchResult: Sendable {
        package var replies: [Result<Reply, DomainError>] = []
        package var seq: UInt64 = 0
        package var close = false
        /// How many of the batch's requests ran: the rest wait for the deferred reply (or QUIT).
        var consumed: Int {
            get { packed & ~BatchResult.localOnlyBit }
            set { packed = newValue | (packed & BatchResult.localOnlyBit) }
        }
        /// Only audit entries were written (a login, refusals, INFO): under `--sync-standby` the
        /// replies wait for this server's log alone (protocol.md, A warm standby).
        var localOnly: Bool {
            get { packed & BatchResult.localOnlyBit != 0 }
            set { packed = newValue ? packed | BatchResult.localOnlyBit : packed & ~BatchResult.localOnlyBit }
        }
        /// `consumed` and `localOnly` in one word. A Bool field of its own cost every batch about
        /// 260 instructions (callgrind, STOCK at pipeline 1): the result then no longer moved as
        /// it did and was copied and destroyed through its value witnesses.
        private var packed = 0
        private static let localOnlyBit = 1 << 62

        init(replies: [Result<Reply, DomainError>] = [], seq: UInt64 = 0) {
            self.replies = replies
            self.seq = seq
        }
        /// The batch's last request answers later, off the writer (SNAPSHOT, a scan).
        package var deferred: DeferredReply?

        /// Replies in all, the deferred one included.
        var count: Int { replies.count + (deferred == nil ? 0 : 1) }
    }

    /// A reply computed off the writer queue, after the ones before it.
    package struct DeferredReply: Sendable {
        /// Where the work (and the encoding of its reply) runs: a queue, or FEED's workers.
        package let schedule: @Sendable (@escaping @Sendable () -> Void) -> Void
        package let work: @Sendable () -> Result<Reply, DomainError>

        init(queue: DispatchQueue, work: @escaping @Sendable () -> Result<Reply, DomainError>) {
            self.schedule = { queue.async(execute: $0) }
            self.work = work
        }

        init(schedule: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
             work: @escaping @Sendable () -> Result<Reply, DomainError>) {
            self.schedule = schedule
            self.work = work
        }
    }

    /// What running one request gave: a reply now, or one to compute elsewhere.
    enum Execution {
        case reply(Result<Reply, DomainError>)
        case deferred(DeferredReply)
        /// REPLICATE's OK (in the start: one pointer, so every other execution stays as small):
        /// after it the connection's socket belongs to a standby link.
        case handoff(ReplicationStart)
    }

    /// Runs `work` on the writer queue and waits for it. Dispatch's own generic `sync` returning a
    /// value costs twice the plain one (about 260 against 130 ns here), once per batch.
    package func onQueue<T>(_ work: () -> T) -> T {
        var result: T?
        queue.sync { result = work() }
        return result!
    }

    /// Runs a batch of requests from one connection, in order.
    package func run(_ batch: [Incoming], session: Session) -> BatchResult {
        dispatchPrecondition(condition: .onQueue(queue))
        noticeStorageFailure()
        var result = BatchResult()
        result.replies.reserveCapacity(batch.count)
        var touched = false  // a change or a read: its replies wait for the standbys under sync
        for item in batch {
            result.consumed += 1
            switch item {
            case .failed(let failure):
                counters.failedUnparsed()
                // NOAUTH comes before UNKNOWN_COMMAND and SYNTAX; only framing errors come first.
                let framing = failure.code == .TOO_LONG || failure.code == .ENCODING
                result.replies.append(.failure(session.user == nil && !framing ? AccessRefusal.notLoggedIn.error : failure))
            case .request(let request):
                switch execute(request, session: session) {
                case .reply(let reply):
                    let failed = { if case .failure = reply { return true } else { return false } }()
                    count(request.word, failed: failed)
                    result.replies.append(reply)
                    if syncing, !failed, request.word.waitsForStandbys { touched = true }
                    if case .success(.server(.quit)) = request.parsed, case .success = reply { result.close = true }
                case .handoff(let start):
                    // The connection closes after the reply, handing its socket over instead
                    // (`takeHandoff`): kept aside, not in every batch's result.
                    count(request.word, failed: false)
                    result.replies.append(.success(start.reply))
                    handoffs.withLock { $0[session.id] = start }
                    result.close = true
                case .deferred(let deferred):
                    touched = true
                    count(request.word, failed: false)
                    result.deferred = deferred  // its reply comes after the ones before it
                }
            }
            if result.close || result.deferred != nil { break }
        }
        result.seq = observedSeq()
        result.localOnly = syncing && !touched
        return result
    }

    /// The sequence a reply must wait for: everything appended so far. Zero once storage has
    /// failed, since the state was then reloaded from what the disk holds.
    func observedSeq() -> UInt64 { storageFailed ? 0 : wal.lastSeq }

    func count(_ word: CommandWord, failed: Bool) {
        calls[word.ordinal].calls += 1
        if failed { calls[word.ordinal].failed += 1 }
    }

    /// The contract's order of checks: NOAUTH, DENIED (role only), SYNTAX/INVALID, then the
    /// domain. Mutations and denials leave audit entries.
    private func execute(_ request: Request, session: Session) -> Execution {
        let word = request.word
        let (context, refusal) = ledger.authorizeInPlace(word, sub: request.sub, name: request.name, user: session.user,
                                                         peer: session.peer, now: clock())
        if let refusal {
            if case .denied = refusal, readOnly == nil {
                let target = (try? request.parsed.get())?.target ?? ""  // who or what it was aimed at
                try? commit([ledger.auditEvent(request.name, target: target, outcome: DomainError.Code.DENIED.rawValue, context)], context)
            }
            return .reply(.failure(refusal.error))
        }
        if readOnly != nil, let refused = readOnlyRefusal(request) { return .reply(.failure(refused)) }

        let parsed: ParsedCommand
        switch request.parsed {
        case .success(let p): parsed = p
        case .failure(let refused):
            if word.isMutating {
                try? commit([ledger.auditEvent(request.name, target: refused.target, outcome: refused.error.code.rawValue, context)], context)
            }
            return .reply(.failure(refused.error))
        }

        switch parsed {
        case .change(let command): return .reply(change(command, name: request.name, context))
        case .query(let query): return read(query, context)
        case .server(let command): return serve(command, request, session: session, context)
        }
    }

    /// A change: decided, logged and applied, with its audit entry (ok or not).
    private func change(_ command: Command, name: String, _ context: Context) -> Result<Reply, DomainError> {
        if let refused = storageRefusal() { return .failure(refused) }
        let (events, result) = ledger.recordInPlace(command, name: name, context)
        do {
            try commit(events, context)
        } catch {
            return .failure(DomainError(.STORAGE, error.message))
        }
        return result
    }

    /// A read: on the writer when it is small, on a copy off it when it walks the state.
    private func read(_ query: Query, _ context: Context) -> Execution {
        if case .list(let filter) = query, filter.limit > Engine.smallRead,
           let refused = memoryRefusal("LIST past \(Engine.smallRead) rows") {
            return .reply(.failure(refused))
        }
        if case .verify = query, let refused = memoryRefusal("VERIFY") { return .reply(.failure(refused)) }
        if let reload {
            return afterReload(reload) { state in
                do throws(DomainError) { return .success(try state.query(query, context)) } catch { return .failure(error) }
            }
        }
        if case .verify = query, !ledger.archives.isEmpty, reload == nil { return verifyWithArchives(query, context) }
        if (query.scansState && !query.costsThePage(in: context.scope, openReturns: ledger.openReturns.count))
            || ledger.readsArchivedReturnsInPlace(query) {
            let copy = ledger  // it reaches the archives (`archiveReach`)
            return .deferred(DeferredReply(queue: readQueue) {
                do throws(DomainError) { return .success(try copy.query(query, context)) } catch { return .failure(error) }
            })
        }
        do { return .reply(.success(try ledger.queryInPlace(query, context))) } catch { return .reply(.failure(error)) }
    }

    /// The audit entry of a command that changes nothing else (SNAPSHOT, BACKUP), logged before
    /// it runs; the error to answer when the log refuses it.
    func audited(_ request: Request, _ context: Context) -> DomainError? {
        do {
            try commit([ledger.auditEvent(request.name, target: "", outcome: "ok", context)], context)
            return nil
        } catch {
            return DomainError(.STORAGE, error.message)
        }
    }

    /// Logs the events of one command, then applies them. If the log refuses, nothing changes.
    func commit(_ events: [Event], _ context: Context) throws(StorageError) {
        dispatchPrecondition(condition: .onQueue(queue))
        // A standby or a fenced primary writes nothing (its logins and refusals go unaudited).
        guard !events.isEmpty, readOnly == nil else { return }
        try wal.append(LogEntry(at: context.now, actor: context.user, events: events))
        if shelf.touches != nil { for event in events { shelf.touches!.note(event) } }
        ledger.apply(events)
        if !watching.isEmpty { publish(events, actor: context.user) }
        snapshots.applied(events.count, engine: self)
    }

    /// Runs an already-parsed ledger command (hashed password commands, start-up, demo data).
    package func perform(_ command: Command, name: String, context: Context) -> Result<Reply, DomainError> {
        dispatchPrecondition(condition: .onQueue(queue))
        let result = change(command, name: name, context)
        if let word = CommandWord.named(String(name.prefix { $0 != " " })) {
            count(word, failed: { if case .failure = result { return true } else { return false } }())
        }
        return result
    }

    func now() -> Timestamp { clock() }
}

func monotonicMillis() -> Int { monotonicMicros() / 1000 }

/// `query` and `record` reached through an in-place (inout) access. Called on the engine's stored
/// property directly, a method runs on a copy of the whole ledger: a retain and a release of each
/// of its collections on every request (callgrind: about 40 of a STOCK's ~160 retains and
/// releases). Neither changes anything.
extension Ledger {
    mutating func queryInPlace(_ query: Query, _ context: Context) throws(DomainError) -> Reply {
        try self.query(query, context)
    }

    mutating func readsArchivedReturnsInPlace(_ query: Query) -> Bool { readsArchivedReturns(query) }

    mutating func authorizeInPlace(_ word: CommandWord, sub: String?, name: @autoclosure () -> String, user: String?,
                                   peer: String, now: Timestamp) -> (context: Context, refusal: AccessRefusal?) {
        authorize(word, sub: sub, name: name(), user: user, peer: peer, now: now)
    }

    mutating func recordInPlace(_ command: Command, name: String, _ context: Context)
        -> (events: [Event], result: Result<Reply, DomainError>) {
        record(command, name: name, context)
    }
}
