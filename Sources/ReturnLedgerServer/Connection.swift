import Dispatch
import CEpoll
import Glibc
import ReturnLedgerCore
import ReturnLedgerWire

/// One client socket, owned by one event loop: everything here runs on that loop's thread.
/// Requests go to the engine in batches, in order, and their replies come back in that order.
///
/// ```
/// EPOLLIN ─▶ LineFramer ─▶ frames ─▶ pump: parse, batch ─▶ engine (sync) ─▶ output ─▶ send
///                                        ├─ reply waits for the log: flusher posts it back
///                                        └─ AUTH, USER ADD/PASSWORD: crypt on a global queue, posted back
/// ```
final class Connection: EventHandler, @unchecked Sendable {
    let fd: Int32
    let loop: EventLoop
    /// Strong: a connection keeps its server alive until it closes and unregisters.
    private let server: Server
    private var session: Session
    private var framer: LineFramer
    private var frames: [LineFramer.Frame] = []
    private var next = 0
    /// The batch being collected, kept to reuse its storage.
    private var batch: [Incoming] = []
    private var output: [UInt8] = []
    private var written = 0
    private var readPaused = false
    private var writeArmed = false
    /// Waiting in the loop's round-end list to send the output.
    private var flushScheduled = false
    /// A batch is at the engine, the log or crypt; nothing else is sent until it is back, which
    /// keeps replies in order.
    private var busy = false
    /// Finish sending what is queued, then close (QUIT, too many failures, peer done sending).
    private var closeAfterFlush = false
    private var peerClosed = false
    private var closed = false
    private(set) var lastActive: Int64

    /// Stop reading when this much is waiting, so a flood cannot grow memory without bound.
    private static let maxQueuedFrames = 4096
    private static let maxQueuedOutput = 1 << 20
    private static let batchSize = 512
    /// Where the ~20 ms crypt(3) calls run, off every event loop.
    private static let slowWork = DispatchQueue(label: "returnledger.crypt", attributes: .concurrent)

    init(fd: Int32, peer: String, id: Int, server: Server, loop: EventLoop) {
        self.fd = fd
        self.server = server
        self.loop = loop
        self.session = Session(id: id, peer: peer)
        self.framer = LineFramer(maxLine: server.config.maxLine)
        self.lastActive = Syscalls.now()
    }

    /// On the loop thread.
    func start() { loop.add(fd, self) }

    func handle(events: UInt32) {
        guard !closed else { return }
        if events & EPOLLERR.rawValue != 0 || (events & EPOLLHUP.rawValue != 0 && peerClosed) {
            close()  // the peer is gone both ways: nothing more can be read or delivered
            return
        }
        if events & EPOLLOUT.rawValue != 0 { flush() }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0, !readPaused { readAvailable() }
    }

    private func readAvailable() {
        // The loop's one read buffer: the framer copies what it keeps, so idle connections hold
        // nothing (5,000 of them would otherwise keep 64 KiB each) and no read allocates.
        do {
            let buffer = loop.readBuffer
            var reads = 0
            while !closed, !peerClosed, reads < 16 {
                switch Syscalls.read(fd, into: buffer) {
                case .bytes(let n):
                    reads += 1
                    lastActive = Syscalls.now()
                    framer.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), into: &frames)
                    if n < buffer.count { reads = .max }  // drained: no need to ask again for EAGAIN
                case .wouldBlock:
                    reads = .max
                case .closed:
                    peerClosed = true
                }
            }
        }
        pump()
    }

    /// Sends batches to the engine while nothing is outstanding; hands AUTH and password
    /// hashing to the slow-work queue.
    private func pump() {
        guard !closed else { return }
        // Whatever was answered goes out at the end of this round, also when a later batch
        // now waits for the log or for crypt.
        defer { scheduleFlush() }
        while !busy, !closed, !closeAfterFlush, next < frames.count, output.count - written < Connection.maxQueuedOutput {
            batch.removeAll(keepingCapacity: true)
            collect: while next < frames.count, batch.count < Connection.batchSize {
                let item: Incoming
                switch frames[next] {
                case .tooLong:
                    item = .failed(DomainError(.TOO_LONG, "line longer than \(framer.maxLine) bytes"))
                case .line(let bytes):
                    guard let parsed = RequestParser.parse(bytes) else { next += 1; continue }
                    switch parsed {
                    case .failure(let error):
                        item = .failed(error)
                    case .success(let request):
                        if case .success(let command) = request.parsed, Connection.needsCrypt(command) {
                            guard batch.isEmpty else { break collect }
                            next += 1
                            runSlowly(request, command)
                            return
                        }
                        item = .request(request)
                    }
                }
                batch.append(item)
                next += 1
            }
            if next >= frames.count { frames.removeAll(keepingCapacity: true); next = 0 }
            if closeAfterFlush { break }
            guard !batch.isEmpty else { continue }
            // Synchronously: when the engine is idle Dispatch runs the batch right here on the
            // loop thread; a reply that needs no wait for the log is sent without any hand-off.
            let session = self.session
            let engine = server.engine
            let work = batch
            let result = engine.onQueue { engine.run(work, session: session) }
            guard accept(result) else { return }
        }
        updateReading()
        if peerClosed, !busy, next >= frames.count { closeAfterFlush = true; flush() }
    }

    private static func needsCrypt(_ command: ParsedCommand) -> Bool {
        switch command {
        case .auth, .userAdd, .userPassword: return true
        default: return false
        }
    }

    /// AUTH, USER ADD and USER PASSWORD: crypt(3) takes ~20 ms, which must not stall a loop
    /// that serves many connections. The hash runs on the slow-work queue; the result comes back
    /// here, in order (this connection is busy meanwhile).
    private func runSlowly(_ request: Request, _ command: ParsedCommand) {
        busy = true
        let engine = server.engine
        let session = self.session
        switch command {
        case .auth(let user, let password):
            let check = engine.onQueue { engine.loginCheck(user) }
            Connection.slowWork.async { [self] in
                let matched: Bool
                switch check {
                case .compare(let hash): matched = PasswordHasher.verify(password, against: hash)
                case .unknown:
                    _ = PasswordHasher.verify(password, against: PasswordHasher.decoy)  // as slow as a real check
                    matched = false
                case .locked: matched = false
                }
                loop.post { [self] in
                    var result = engine.onQueue { engine.recordLogin(user, check: check, passwordMatched: matched, session: session) }
                    if matched, case .compare = check {
                        self.session.user = user
                    } else {
                        self.session.failures += 1
                        if self.session.failures >= Session.maxFailures { result.close = true }
                    }
                    resume(result)
                }
            }
        case .userAdd(let name, let role, let password):
            hashThenRun(request, password) { .userAdd(name: name, role: role, passwordHash: $0) }
        case .userPassword(let name, let password):
            hashThenRun(request, password) { .userPassword(name: name, passwordHash: $0) }
        default:
            busy = false
        }
    }

    private func hashThenRun(_ request: Request, _ password: String, _ command: @escaping @Sendable (String) -> Command) {
        let engine = server.engine
        Connection.slowWork.async { [self] in
            let hash = PasswordHasher.hash(password)
            loop.post { [self] in
                var hashed = request
                hashed.parsed = .success(.ledger(command(hash)))
                let work: [Incoming] = [.request(hashed)]
                let session = self.session
                resume(engine.onQueue { engine.run(work, session: session) })
            }
        }
    }

    /// Back on the loop after slow work: take the result and carry on.
    private func resume(_ result: Engine.BatchResult) {
        busy = false
        guard !closed else { return }
        if accept(result) {
            pump()
        }
    }

    /// Takes a batch's replies: at once if the log already holds everything they observed, else
    /// when it does (the flusher posts them back). Returns whether this connection may go on
    /// with its next requests now.
    private func accept(_ result: Engine.BatchResult) -> Bool {
        let wal = server.engine.wal
        if server.gatesReplies, result.seq > 0, !wal.isDurable(result.seq) {
            busy = true
            wal.whenDurable(result.seq) { [self] durable in loop.post { self.release(result, durable: durable) } }
            return false
        }
        return take(result, durable: true)
    }

    /// The deferred half of `accept`, on the loop once the log answered.
    private func release(_ result: Engine.BatchResult, durable: Bool) {
        busy = false
        guard !closed else { return }
        if take(result, durable: durable) {
            pump()
        }
    }

    /// Queues the replies for sending. False when a snapshot's reply is still to come.
    private func take(_ result: Engine.BatchResult, durable: Bool) -> Bool {
        if durable {
            if output.isEmpty { output = result.output } else { output.append(contentsOf: result.output) }
        } else {
            // The log failed before these were stored: none of them may be acknowledged.
            for _ in 0..<result.replies {
                ReplyEncoder.encode(DomainError(.STORAGE, "the change may not have been stored; check before retrying"),
                                    into: &output)
            }
        }
        if result.close { closeAfterFlush = true }
        guard let job = result.snapshot, durable else { return true }
        busy = true
        let engine = server.engine
        engine.snapshotQueue.async { [self] in
            let outcome = engine.write(job)
            loop.post { [self] in
                switch outcome {
                case .success(let written):
                    ReplyEncoder.encode(Reply(status: [Field("seq", String(written.seq)), Field("bytes", String(written.bytes))]),
                                        into: &output)
                case .failure(let error):
                    ReplyEncoder.encode(DomainError(.STORAGE, "snapshot failed: \(error.message)"), into: &output)
                }
                busy = false
                guard !closed else { return }
                pump()
            }
        }
        return false
    }

    /// Sends the output once this loop round is done rather than now (see `EventLoop.atRoundEnd`).
    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        loop.atRoundEnd(self)
    }

    func roundEnded() {
        flushScheduled = false
        flush()
    }

    private func flush() {
        guard !closed else { return }
        while written < output.count {
            let result = output.withUnsafeBytes { Syscalls.write(fd, UnsafeRawBufferPointer(rebasing: $0[written...])) }
            switch result {
            case .bytes(let n):
                written += n
            case .wouldBlock:
                if !writeArmed { writeArmed = true; watch() }
                return
            case .closed:
                output.removeAll()
                written = 0
                close()
                return
            }
        }
        output.removeAll(keepingCapacity: output.capacity <= 65_536)
        written = 0
        if writeArmed { writeArmed = false; watch() }
        if closeAfterFlush, !busy { close(); return }
        // Requests held back while output was large can go on now. Posted, not called: pump
        // calls flush, and flush calling pump back would recurse without bound.
        if readPaused || (!busy && next < frames.count) { loop.post { [self] in pump() } }
    }

    /// Backpressure: stop reading while many requests wait or much output is unsent, or once the
    /// peer has finished sending; start again when both have drained.
    private func updateReading() {
        guard !closed else { return }
        let pause = peerClosed || closeAfterFlush || frames.count - next > Connection.maxQueuedFrames
            || output.count - written > Connection.maxQueuedOutput
        if pause != readPaused {
            readPaused = pause
            watch()
        }
    }

    private func watch() { loop.watch(fd, read: !readPaused, write: writeArmed) }

    /// Closes now: off the loop, the fd, the registry. Loop thread only.
    func close() {
        guard !closed else { return }
        closed = true
        loop.remove(fd)
        Syscalls.close(fd)
        server.unregister(session.id)
    }

    /// Used by the idle sweeper, on the loop thread.
    func closeIfIdle(since limit: Int64) {
        if !busy, lastActive < limit { close() }
    }

    /// Shutdown: send what is ready, then close. Loop thread.
    func drainAndClose() {
        if !busy { flush() }
        close()
    }
}
