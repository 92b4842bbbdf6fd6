import Dispatch
import Glibc
import ReturnLedgerCore
import ReturnLedgerWire

/// One client socket. Everything here runs on the connection's own serial queue; requests go
/// to the engine in batches, in order, and their replies come back in the same order.
///
/// ```
/// read source ─▶ LineFramer ─▶ frames ─▶ pump: parse, batch ─▶ engine queue ─▶ output ─▶ send
///                                            └─ AUTH: engine lookup, crypt here, engine record
/// ```
final class Connection: @unchecked Sendable {
    let fd: Int32
    let queue: DispatchQueue
    /// Strong: a connection keeps its server alive until it closes and unregisters.
    private let server: Server
    private var session: Session
    private var framer: LineFramer
    private var frames: [LineFramer.Frame] = []
    private var next = 0
    private var output: [UInt8] = []
    private var written = 0
    private var readSource: (any DispatchSourceRead)?
    private var writeSource: (any DispatchSourceWrite)?
    private var readPaused = false
    private var writeArmed = false
    /// A batch is at the engine; nothing else is sent until it returns, which keeps order.
    private var busy = false
    /// Finish sending what is queued, then close (QUIT, too many failures, peer done sending).
    private var closeAfterFlush = false
    private var peerClosed = false
    private var closed = false
    private var cancelled = 0
    private(set) var lastActive: Int64

    /// Stop reading when this much is waiting, so a flood cannot grow memory without bound.
    private static let maxQueuedFrames = 4096
    private static let maxQueuedOutput = 1 << 20
    private static let batchSize = 512

    init(fd: Int32, peer: String, id: Int, server: Server) {
        self.fd = fd
        self.server = server
        self.queue = DispatchQueue(label: "returnledger.conn", target: server.ioQueue)
        self.session = Session(id: id, peer: peer)
        self.framer = LineFramer(maxLine: server.config.maxLine)
        self.lastActive = Syscalls.now()
    }

    func start() {
        let read = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        let write = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        read.setEventHandler { [self] in readAvailable() }
        write.setEventHandler { [self] in flush() }
        read.setCancelHandler { [self] in sourceCancelled() }
        write.setCancelHandler { [self] in sourceCancelled() }
        readSource = read
        writeSource = write
        read.resume()
    }

    private func readAvailable() {
        // An uninitialised scratch buffer per event: no zero-filling, and nothing held by idle
        // connections (5,000 of them would otherwise keep 64 KiB each).
        withUnsafeTemporaryAllocation(byteCount: 65_536, alignment: 16) { buffer in
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
                    pauseReading()
                }
            }
        }
        pump()
    }

    /// Sends the next batch to the engine if none is out, and handles AUTH in between.
    private func pump() {
        guard !closed else { return }
        while !busy, !closed, !closeAfterFlush, next < frames.count, output.count - written < Connection.maxQueuedOutput {
            var batch: [Incoming] = []
            collect: while next < frames.count, batch.count < Connection.batchSize {
                let item: Incoming
                switch frames[next] {
                case .tooLong:
                    item = .failed(DomainErrorBox(error: DomainError(.TOO_LONG, "line longer than \(framer.maxLine) bytes")))
                case .line(let bytes):
                    guard let parsed = RequestParser.parse(bytes) else { next += 1; continue }
                    switch parsed {
                    case .failure(let error):
                        item = .failed(DomainErrorBox(error: error))
                    case .success(var request):
                        if case .success(.auth(let user, let password)) = request.parsed {
                            guard batch.isEmpty else { break collect }
                            next += 1
                            guard accept(authenticate(user, password)) else { return }
                            continue
                        }
                        hashPasswords(&request)
                        item = .request(RequestBox(request: request))
                    }
                }
                batch.append(item)
                next += 1
            }
            if next >= frames.count { frames.removeAll(keepingCapacity: true); next = 0 }
            if closeAfterFlush { break }
            guard !batch.isEmpty else { continue }
            // Synchronously: when the engine is idle Dispatch runs the batch right here, on this
            // connection's thread, and a reply that needs no fsync wait is sent without a hop.
            let session = self.session
            let engine = server.engine
            let result = engine.queue.sync { engine.run(batch, session: session) }
            guard accept(result) else { return }
        }
        if !busy { flush() }
        updateReading()
        if peerClosed, !busy, next >= frames.count { closeAfterFlush = true; flush() }
    }

    /// Backpressure: stop reading while many requests wait or much output is unsent; start
    /// again when both have drained.
    private func updateReading() {
        guard !closed else { return }
        if frames.count - next > Connection.maxQueuedFrames || output.count - written > Connection.maxQueuedOutput {
            pauseReading()
        } else if readPaused, !peerClosed, !closeAfterFlush {
            readPaused = false
            readSource?.resume()
        }
    }

    /// AUTH: the state is read and written on the engine queue; the ~20 ms crypt runs here.
    private func authenticate(_ user: String, _ password: String) -> Engine.BatchResult {
        let engine = server.engine
        let check = engine.queue.sync { engine.loginCheck(user) }
        var matched = false
        switch check {
        case .compare(let hash): matched = PasswordHasher.verify(password, against: hash)
        case .unknown: _ = PasswordHasher.verify(password, against: PasswordHasher.decoy)
        case .locked: break
        }
        let session = self.session
        var result = engine.queue.sync { engine.recordLogin(user, check: check, passwordMatched: matched, session: session) }
        if matched, case .compare = check {
            self.session.user = user
        } else {
            self.session.failures += 1
            if self.session.failures >= Session.maxFailures { result.close = true }
        }
        return result
    }

    /// Takes a batch's replies: at once if the log already holds everything they observed (or
    /// the policy does not wait), else when it does. Returns whether this connection may go on
    /// with its next requests now; if not, `release` resumes it later.
    private func accept(_ result: Engine.BatchResult) -> Bool {
        let wal = server.engine.wal
        if server.gatesReplies, result.seq > 0, !wal.isDurable(result.seq) {
            busy = true
            wal.whenDurable(result.seq) { [self] durable in queue.async { self.release(result, durable: durable) } }
            return false
        }
        return take(result, durable: true)
    }

    /// The deferred half of `accept`, on this queue once the log answered.
    private func release(_ result: Engine.BatchResult, durable: Bool) {
        busy = false
        if take(result, durable: durable) {
            flush()
            pump()
        }
    }

    /// Queues the replies for sending. False when a snapshot's reply is still to come.
    private func take(_ result: Engine.BatchResult, durable: Bool) -> Bool {
        if durable {
            output.append(contentsOf: result.output)
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
            queue.async { [self] in
                switch outcome {
                case .success(let written):
                    ReplyEncoder.encode(Reply(status: [Field("seq", String(written.seq)), Field("bytes", String(written.bytes))]),
                                        into: &output)
                case .failure(let error):
                    ReplyEncoder.encode(DomainError(.STORAGE, "snapshot failed: \(error.message)"), into: &output)
                }
                busy = false
                flush()
                pump()
            }
        }
        return false
    }

    /// USER ADD and USER PASSWORD carry plain passwords; hash them here, off the writer queue.
    private func hashPasswords(_ request: inout Request) {
        switch request.parsed {
        case .success(.userAdd(let name, let role, let password)):
            request.parsed = .success(.ledger(.userAdd(name: name, role: role, passwordHash: PasswordHasher.hash(password))))
        case .success(.userPassword(let name, let password)):
            request.parsed = .success(.ledger(.userPassword(name: name, passwordHash: PasswordHasher.hash(password))))
        default:
            break
        }
    }

    private func flush() {
        guard !closed else { return }
        while written < output.count {
            let result = output.withUnsafeBytes { Syscalls.write(fd, UnsafeRawBufferPointer(rebasing: $0[written...])) }
            switch result {
            case .bytes(let n):
                written += n
            case .wouldBlock:
                if !writeArmed { writeArmed = true; writeSource?.resume() }
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
        if writeArmed { writeArmed = false; writeSource?.suspend() }
        if closeAfterFlush, !busy { close(); return }
        // Requests held back while output was large can go on now. Asynchronously: pump calls
        // flush, and flush calling pump back would recurse without bound.
        if readPaused || (!busy && next < frames.count) { queue.async { [self] in pump() } }
    }

    private func pauseReading() {
        guard !readPaused, !closed else { return }
        readPaused = true
        readSource?.suspend()
    }

    /// Closes now; the fd is released once both sources' cancel handlers ran.
    func close() {
        guard !closed else { return }
        closed = true
        if readPaused { readPaused = false; readSource?.resume() }
        if !writeArmed { writeArmed = true; writeSource?.resume() }
        readSource?.cancel()
        writeSource?.cancel()
    }

    private func sourceCancelled() {
        cancelled += 1
        guard cancelled == 2 else { return }
        Syscalls.close(fd)
        readSource = nil
        writeSource = nil
        server.unregister(session.id)
    }

    /// Used by the idle sweeper and shutdown, on this connection's queue.
    func closeIfIdle(since limit: Int64) {
        if !busy, lastActive < limit { close() }
    }

    /// Shutdown: send what is ready, then close.
    func drainAndClose() {
        if !busy { flush() }
        close()
    }
}
