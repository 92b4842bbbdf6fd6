import Dispatch
public import ReturnLedgerCore
public import ReturnLedgerStorage
import ReturnLedgerWire
import Synchronization

/// The TCP listener, the connection registry and the engine, wired together.
public final class Server: @unchecked Sendable {
    public static let version = ServerCounters.version
    public let config: ServerConfig
    package let engine: Engine
    let counters: ServerCounters
    /// The event loops connections are spread over, round-robin. One, as in Redis: the engine is
    /// a single writer anyway, and on this 2-core machine two loops measured no faster and with a
    /// worse tail (STOCK at pipeline 1: 0.77x of Redis with two, 0.79x with one; p99 4.4 -> 2.1 ms),
    /// leaving the other core to the log's flusher, crypt and snapshots.
    let loops: [EventLoop] = [EventLoop()]
    private let acceptQueue = DispatchQueue(label: "returnledger.accept")
    private var listenFD: Int32 = -1
    /// The TLS listener, when `--tls-cert` and `--tls-key` are given.
    private var tlsListenFD: Int32 = -1
    private var acceptSources: [any DispatchSourceRead] = []
    private var sweeper: (any DispatchSourceTimer)?
    /// Every minute on the backup queue: is a backup due (`--backup-every`)?
    private var backupTimer: (any DispatchSourceTimer)?
    private let connections = Mutex<[Int: Connection]>([:])
    /// Accept queue only.
    private var reserve = DescriptorReserve()
    private let nextSession = Atomic<Int>(0)
    /// The plain-text port (nil with `--plain no`) and the TLS port (nil without TLS).
    public private(set) var port: Int?
    public private(set) var tlsPort: Int?

    /// What start-up found in the data directory, for the operator's log.
    public let recoveryNotes: [String]
    /// Replies wait until the log holds what they observed, as far as the policy promises.
    let gatesReplies: Bool

    /// Recovers the state from the data directory (newest snapshot, then the log after it).
    /// Throws when the directory holds damage that recovery must not paper over.
    public init(config: ServerConfig, clock: (@Sendable () -> Timestamp)? = nil) throws(StorageError) {
        self.config = config
        let clock = clock ?? { Timestamp(seconds: Syscalls.now()) }
        counters = ServerCounters(startedAt: clock().seconds, pid: Syscalls.processID(), fsyncPolicy: config.fsync.rawValue)
        TimeZoneFiles.install()  // the business zones of POLICY SET and of the log's records
        let directory = DataDirectory(config.dataDirectory)
        let started = monotonicMillis()
        let shelf = ArchiveShelf(directory: config.archiveDirectory ?? config.dataDirectory, fs: config.fileSystem)
        let recovered = try Recovery.load(directory, fs: config.fileSystem, repair: true, archives: shelf.replay)
        let wal = try WriteAheadLog(directory: directory, fs: config.fileSystem, policy: config.fsync,
                                    lastSeq: recovered.lastSeq, segment: recovered.lastSegment, keepBytes: config.logKeep)
        var notes = recovered.notes
        let missing = Set(recovered.ledger.policy.calendar.periods.filter { !$0.zone.resolved }.map(\.zone.name))
        for name in missing.sorted() {
            notes.append("time zone \(name) is not in this machine's tzdata (install tzdata): its business dates count as UTC")
        }
        if recovered.lastSeq > 0 {
            notes.append("recovered to seq \(recovered.lastSeq): \(recovered.recordsReplayed) records, \(recovered.eventsReplayed) events replayed after snapshot \(recovered.snapshotSeq) in \(monotonicMillis() - started) ms")
        }
        let standing = try Standing.of(directory, config: config, lastSeq: recovered.lastSeq, fs: config.fileSystem)
        notes += standing.notes
        notes += shelf.open(recovered.ledger, epochs: Set(standing.history.entries.map(\.epoch)))
        recoveryNotes = notes
        gatesReplies = true  // every policy: a reply follows its record's write (always: its fsync)
        let backups = Backups(directory: config.backupDirectory ?? Backups.defaultDirectory(for: config.dataDirectory),
                              every: config.backupEvery, keep: config.backupKeep, fs: config.backupFileSystem, clock: clock)
        let setting = Engine.Setting(maxClientBuffer: config.maxClientBuffer, maxMemory: config.maxMemory, tls: config.tls,
                                     backups: backups, archives: shelf, standbyLogin: config.standbyLogin,
                                     snapshotGrowth: config.snapshotGrowth)
        engine = Engine(recovered: recovered, wal: wal, storage: directory, fs: config.fileSystem,
                        snapshotEvery: config.snapshotEvery, clock: clock, counters: counters, setting: setting)
        // One report per advance of the durable sequence, fanned out to each loop's waiters.
        let syncing = config.syncStandby > 0 && standing.role == .primary
        let fanouts = loops.map { DurabilityFanout(loop: $0, durable: recovered.lastSeq, gated: syncing ? 0 : nil) }
        for (loop, fanout) in zip(loops, fanouts) { loop.durability = fanout }
        let signal = engine.durableSignal
        // FEED's signal first: a client that got OK for a change finds it in FEED at once.
        let gated: @Sendable (UInt64, Bool) -> Void = { seq, failed in
            if !failed { signal.advance(to: seq) }
            for fanout in fanouts { fanout.report(durable: seq, failed: failed) }
        }
        // `--sync-standby N`: the replies' durable sequence is the log's and N standbys' (SyncGate).
        var syncGate: SyncGate?
        if syncing {
            let gate = SyncGate(required: config.syncStandby, timeoutSeconds: config.syncTimeout, durable: recovered.lastSeq,
                                log: { Runner.log($0) }, report: gated)
            syncGate = gate
            wal.onDurable = { seq, failed in
                for fanout in fanouts { fanout.reportLocal(durable: seq, failed: failed) }
                gate.local(seq, failed: failed)
            }
        } else {
            wal.onDurable = gated
        }
        for fanout in fanouts { fanout.separateLocal = syncGate != nil }
        engine.syncing = syncGate != nil
        engine.replication = Replication(role: standing.role, history: standing.history,
                                         primaryAddress: config.standby?.address ?? "", syncGate: syncGate)
        wal.onSynced = { [wakers = engine.standbyWakers] _ in wakers.signalAll() }
        wal.retainAfter = { [replication = engine.replication] in replication.retainAfter() }
        if standing.role == .standby, let link = config.standby {
            let follower = StandbyFollower(link: link, engine: engine)
            engine.follower = follower
            wal.syncEverySecond()  // a standby acknowledges only what it has fsynced, whatever --fsync
            wal.onSynced = { [wakers = engine.standbyWakers] _ in
                follower.synced()
                wakers.signalAll()  // once promoted, its own standbys' links
            }
        }
        engine.queue.sync {
            if standing.role == .standby {
                engine.followed(standing.history)
            } else {
                engine.becomePrimary(standing.history)
                engine.recordEpochStartIfMissing()
            }
        }
        // Push lines follow the replies each advance releases (protocol.md: WATCH).
        for (loop, fanout) in zip(loops, fanouts) {
            let stream = PushStream()
            engine.pushStreams.append(stream)
            let router = PushRouter(stream: stream, server: self, loop: loop)
            loop.pushes = router
            fanout.subscribe { seq in router.durable(seq) }
        }
        engine.wakeRouters = { [loops] in
            for loop in loops { loop.post { loop.pushes.route(upTo: loop.durability.durableSeq) } }
        }
    }

    /// The open connection of a session, if any.
    func connection(_ session: Int) -> Connection? { connections.withLock { $0[session] } }

    /// Prepares the state: the bootstrap admin on an empty store, and the demo shop if asked.
    /// Returns lines for the operator (a generated password, demo credentials) for stderr.
    public func bootstrap() -> [String] {
        // A standby holds its primary's users; it creates none.
        guard engine.replication.role == .primary else { return [] }
        return engine.queue.sync { Bootstrap.run(engine: engine, config: config) }
    }

    /// `--reset-admin`: the admin's new password in the log, durable; nothing is served.
    public func resetAdmin() -> (ok: Bool, notes: [String]) {
        engine.queue.sync { Bootstrap.resetAdmin(engine: engine, config: config) }
    }

    /// Binds the listening socket (nothing is accepted until `start`). Throws when the address
    /// cannot be bound: start-up calls it before the bootstrap, so a failed start prints no
    /// admin password and writes nothing.
    public func listen() throws(SystemError) {
        if config.plain {
            let (fd, port) = try Syscalls.listen(host: config.host, port: config.port)
            listenFD = fd
            self.port = port
        }
        if config.tls != nil {
            let (fd, port) = try Syscalls.listen(host: config.host, port: config.tlsPort)
            tlsListenFD = fd
            tlsPort = port
        }
    }

    /// TLS connections over `--max-connections` that may be handshaking to be told so at once.
    static let tlsRefusals = 32

    /// What someone typing plain text at the TLS port is told.
    private var plainTextHint: String {
        port.map { "plain text is on port \($0)" } ?? "this server takes TLS only"
    }

    /// Starts the loops and accepting (binding first if `listen` was not called).
    public func start() throws(SystemError) {
        if listenFD < 0, tlsListenFD < 0 { try listen() }
        for loop in loops { loop.start() }
        // Group commit in step with the loop: the flusher starts once the round's requests are in
        // (queued at the round's end when the append ran on the loop thread, which is the rule).
        // Set on the writer queue, the only thread that appends.
        let loop = loops[0]
        engine.queue.sync { engine.wal.startFlusher = { start in loop.soon(start) } }
        acceptQueue.sync { reserve.hold() }
        for (fd, tls) in [(listenFD, nil), (tlsListenFD, config.tls)] where fd >= 0 {
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: acceptQueue)
            source.setEventHandler { [self] in acceptAll(fd, tls: tls) }
            source.setCancelHandler { Syscalls.close(fd) }
            acceptSources.append(source)
            source.resume()
        }
        // Every second: idle connections, what the connections hold, resident memory.
        checkMemory()
        let timer = DispatchSource.makeTimerSource(queue: acceptQueue)
        timer.schedule(deadline: .now() + 1, repeating: 1.0)
        timer.setEventHandler { [self] in sweep() }
        sweeper = timer
        timer.resume()
        // Backups: checked now and every minute, so a restart never postpones one.
        engine.backups.queue.async { [engine] in engine.backups.checkSchedule(engine) }
        engine.follower?.start()
        engine.startFencing()
        let backupTimer = DispatchSource.makeTimerSource(queue: engine.backups.queue)
        backupTimer.schedule(deadline: .now() + 60, repeating: 60.0)
        backupTimer.setEventHandler { [engine] in engine.backups.checkSchedule(engine) }
        self.backupTimer = backupTimer
        backupTimer.resume()
    }

    private func acceptAll(_ listener: Int32, tls: TLSContext?) {
        while true {
            let accepted: (fd: Int32, peer: String)?
            do {
                accepted = try Syscalls.accept(listener)
            } catch {
                guard DescriptorReserve.isShortage(error) else { return }
                counters.outOfDescriptors()
                switch reserve.refuseOne(listener, log: Runner.log) {
                case .refused: continue
                case .nonePending: return
                case .stuck:
                    // Not a timer: with no descriptors left, Dispatch cannot make one (timerfd).
                    // The accept queue does nothing else that cannot wait 100 ms.
                    Syscalls.sleep(microseconds: 100_000)
                    return
                }
            }
            guard let (fd, peer) = accepted else { return }
            reserve.ended()
            var refusal: DomainError?
            if counters.connectionsNow >= config.maxConnections {
                counters.rejected()
                let limit = DomainError(.LIMIT, "too many connections")
                if tls == nil {
                    var line: [UInt8] = []
                    ReplyEncoder.encode(limit, into: &line)
                    _ = line.withUnsafeBytes { Syscalls.write(fd, $0) }
                    Syscalls.close(fd)
                    continue
                }
                // A TLS client reads it inside TLS, after the handshake: a connection of its own
                // until then (the handshake deadline bounds it), up to 32 such at once.
                guard counters.connectionsNow < config.maxConnections + Server.tlsRefusals else {
                    Syscalls.close(fd)
                    continue
                }
                refusal = limit
            }
            let transport: Transport
            if let tls {
                guard let session = TLSSession(context: tls, fd: fd, plainTextHint: plainTextHint, onEstablished: { [counters] in counters.tlsHandshake() })
                else {
                    Runner.log("cannot start TLS for a connection from \(peer): \(TLSContext.lastError())")
                    Syscalls.close(fd)
                    continue
                }
                transport = .tls(session)
            } else {
                transport = .plain(fd)
            }
            let id = nextSession.add(1, ordering: .relaxed).newValue
            let connection = Connection(transport: transport, peer: peer, id: id, server: self, loop: loops[id % loops.count])
            connection.refusal = refusal
            connections.withLock { $0[id] = connection }
            counters.opened()
            connection.loop.post { connection.start() }
        }
    }

    func unregister(_ id: Int) {
        if connections.withLock({ $0.removeValue(forKey: id) }) != nil { counters.closed() }
    }

    private func sweep() {
        let open = connections.withLock { Array($0.values) }
        let now = monotonicMillis()
        for connection in open where connection.transport.isTLS {
            connection.loop.post { connection.closeIfHandshakeStalled(now: now) }
        }
        if config.idleTimeout > 0 {
            let limit = Syscalls.now() - Int64(config.idleTimeout)
            for connection in open { connection.loop.post { connection.closeIfIdle(since: limit) } }
        }
        sampleQueues(open)
        checkMemory()
    }

    /// Sums what the connections hold, each read on its own loop, for INFO's memory section.
    private func sampleQueues(_ open: [Connection]) {
        let sample = QueueSample(loops: loops.count, counters: counters)
        for connection in open { connection.loop.post { sample.add(connection.queueFigures) } }
        for loop in loops { loop.post { sample.loopDone() } }
    }

    /// `--max-memory`: above it large reads are refused until resident memory is 10% below it.
    private func checkMemory() {
        guard config.maxMemory > 0 else { return }
        let rss = Syscalls.residentBytes()
        let high = counters.memoryHigh
        if !high, rss > config.maxMemory {
            counters.memory(high: true)
            Runner.log("resident memory \(rss) bytes is above --max-memory \(config.maxMemory): refusing large reads")
        } else if high, rss < config.maxMemory - config.maxMemory / 10 {
            counters.memory(high: false)
            Runner.log("resident memory \(rss) bytes is 10% below --max-memory again: large reads are served")
        }
    }

    /// Stops accepting, lets the requests in flight finish and their replies go out (protocol.md,
    /// Running the server): first no connection begins a new request, then the engine and the log
    /// finish what was begun, then each connection waits for its outstanding replies, sends them,
    /// and closes.
    /// A request the log holds is never left without its reply.
    public func shutdown() {
        acceptQueue.sync {
            for source in acceptSources { source.cancel() }
            acceptSources = []
            sweeper?.cancel()
        }
        backupTimer?.cancel()  // thread-safe; never waits behind a backup being written
        let open = connections.withLock { Array($0.values) }
        for connection in open { connection.loop.sync { connection.stopTakingRequests() } }
        engine.queue.sync {}
        engine.wal.flush()
        engine.snapshots.queue.sync {}  // a snapshot being written finishes (or its .tmp would linger)
        // A backup being written may finish, within reason: a hung backup disk must not keep the
        // server from stopping (an unfinished `.tmp` folder is cleared by the next backup).
        let backupDone = DispatchSemaphore(value: 0)
        engine.backups.queue.async { backupDone.signal() }
        _ = backupDone.wait(timeout: .now() + 10)
        engine.wal.flush()
        // The flush's durability report reaches the loops as a posted task; replies computed off
        // the writer (scans, crypt) come back the same way. Wait for them, within reason.
        let deadline = monotonicMillis() + 10_000
        while monotonicMillis() < deadline {
            let waiting = open.reduce(0) { count, c in count + c.loop.sync { c.busy && !c.closed ? 1 : 0 } }
            if waiting == 0 { break }
            Syscalls.sleep(microseconds: 1000)
        }
        let sendBy = monotonicMillis() + 2_000
        for connection in open { connection.loop.sync { connection.drainAndClose(until: sendBy) } }
    }
}
