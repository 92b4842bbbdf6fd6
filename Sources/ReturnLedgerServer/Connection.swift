import CEpoll
import ReturnLedgerCore
import ReturnLedgerWire

/// One client socket, owned by one event loop: everything here runs on that loop's thread.
/// This file is its socket side: reading into the framer, sending the output, backpressure and
/// closing. The bytes cross the socket through its `Transport` (plain or TLS); what it may hold
/// is its `OutputBudget`; the order of requests and replies is `Connection+Pipeline.swift`,
/// push lines `Connection+Push.swift`, the timeouts and limits that close it
/// `Connection+Limits.swift`, and the last replies at shutdown `Connection+Shutdown.swift`.
///
/// ```
/// EPOLLIN ─▶ Transport ─▶ LineFramer ─▶ frames ─▶ pipeline: parse, batch ─▶ engine (sync) ─▶ encode ─▶ output ─▶ Transport
///                                                    ├─ replies wait for the log: the loop's DurabilityFanout
///                                                    ├─ a scan or SNAPSHOT: computed off the writer, posted back
///                                                    └─ AUTH, USER ADD/PASSWORD: Authenticator, posted back
/// ```
final class Connection: EventHandler, @unchecked Sendable {
    let loop: EventLoop
    /// The socket, plain or TLS (a connection of the TLS listener).
    let transport: Transport
    /// EPOLLOUT is watched for TLS's sake: a read must write to go on.
    private var writeArmedForRead = false
    /// Strong: a connection keeps its server alive until it closes and unregisters.
    let server: Server
    var session: Session
    var framer: LineFramer
    /// Lines read and not yet begun.
    var frames = FrameQueue()
    /// The batch being collected, kept to reuse its storage.
    var batch: [Incoming] = []
    /// Requests of the last batch the engine did not reach (it stops after a deferred reply).
    var carried: [Incoming] = []
    var output: [UInt8] = []
    /// Bytes of `output` already sent.
    var written = 0
    private var readPaused = false
    /// The socket refused more (EAGAIN): output waits for EPOLLOUT.
    private(set) var writeArmed = false
    /// Waiting in the loop's round-end list to send the output.
    private var flushScheduled = false
    /// A batch is at the engine, the log, crypt or a deferred read; nothing else is sent until
    /// it is back, which keeps replies in order.
    var busy = false
    /// Finish sending what is queued, then close (QUIT, too many failures, peer done sending).
    var closeAfterFlush = false
    var peerClosed = false
    /// Shutting down: no new request is begun; the one outstanding still gets its replies.
    var stopping = false
    var closed = false
    private(set) var lastActive: Int64
    /// Over `--max-connections` on the TLS port: the error to send once the handshake is done
    /// (a TLS client cannot read it in plain text), then close. Nothing it sends is run.
    var refusal: DomainError?
    /// WATCH is on (set by the loop's PushRouter): push lines come, and the idle timeout spares it.
    var watching = false
    /// This session has sent WATCH: closing or logging in again must end it at the engine.
    var sentWatch = false
    var pushes = PushQueue()
    /// Bytes of the frames read and not yet begun (input queued, as `--max-client-buffer` counts
    /// it).
    var queuedInput: Int { frames.queuedBytes }
    /// When unsent output last went out, or first had to wait: `--idle-timeout` closes a
    /// connection whose replies make no progress that long.
    private(set) var lastProgress: Int64
    /// `--max-client-buffer` and what this connection's replies take.
    var budget: OutputBudget

    /// Stop reading when this many requests wait (besides the byte budget): a frame is small, but
    /// each is parsed in turn while the rest wait.
    static let maxQueuedFrames = 4096
    static let batchSize = 512

    /// Everything this connection holds queued now, in bytes. Replies count with the sent bytes
    /// still at the front of the output (at most a quarter more, see `dropSent`): what the budget
    /// bounds is memory the connection has touched, not only what the client has yet to read.
    var queued: Int { queuedInput + output.count + pushes.bytes.count }

    init(transport: Transport, peer: String, id: Int, server: Server, loop: EventLoop) {
        self.transport = transport
        self.server = server
        self.loop = loop
        self.session = Session(id: id, peer: peer)
        self.framer = LineFramer(maxLine: server.config.maxLine)
        self.budget = OutputBudget(limit: server.config.maxClientBuffer)
        self.lastActive = Syscalls.now()
        self.lastProgress = lastActive
    }

    /// On the loop thread.
    func start() { loop.add(transport.fd, self) }

    func handle(events: UInt32) {
        guard !closed else { return }
        if events & EPOLLERR.rawValue != 0 || (events & EPOLLHUP.rawValue != 0 && peerClosed) {
            close()  // the peer is gone both ways: nothing more can be read or delivered
            return
        }
        if events & EPOLLOUT.rawValue != 0 {
            flush()
            if writeArmedForRead, !readPaused { readAvailable() }
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0, !readPaused { readAvailable() }
    }

    private func readAvailable() {
        // The loop's one read buffer: the framer copies what it keeps, so idle connections hold
        // nothing (5,000 of them would otherwise keep 64 KiB each) and no read allocates.
        do {
            let buffer = loop.readBuffer
            var reads = 0
            // Stop at the budgets too, not only after 16 reads: 16 × 64 KiB of short lines is
            // 100,000 frames.
            while !closed, !peerClosed, reads < 16, frames.count <= Connection.maxQueuedFrames, budget.hasRoom(queued: queued) {
                let room = budget.readSize(buffer: buffer.count, queued: queued)
                switch transport.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<room])) {
                case .bytes(let n):
                    reads += 1
                    lastActive = Syscalls.now()
                    framer.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), into: &frames)
                    if !framer.answers.isEmpty { sendTelnetAnswers() }
                    // Drained: no need to ask again for EAGAIN. For TLS (a read returns one record,
                    // 16 KiB at most, whatever the socket holds): when OpenSSL holds nothing more;
                    // the socket, level-triggered, signals again if it has more.
                    if n < room, !transport.hasPending { reads = .max }
                case .wouldBlock:
                    reads = .max
                case .closed:
                    peerClosed = true
                    if !transport.established {
                        server.counters.tlsFailed()  // a failed handshake, or a plain client told off
                        close()
                        return
                    }
                }
            }
        }
        if transport.readWantsWrite != writeArmedForRead {
            writeArmedForRead = transport.readWantsWrite
            watch()
        }
        if let refusal {
            guard transport.established else { return }
            self.refusal = nil
            frames = FrameQueue()  // what it sent after the handshake: never run
            append(encoded: .failure(refusal))
            closeAfterFlush = true
            updateReading()
            scheduleFlush()
            return
        }
        pump()
        resumeBufferedTLS()
    }

    /// What TLS decrypted and holds is not signalled by the socket again: read it once reading
    /// may go on (after 16 reads, or when the budget has room again).
    private func resumeBufferedTLS() {
        guard transport.hasPending, !readPaused, !closed else { return }
        loop.post { [self] in if !readPaused, !closed { readAvailable() } }
    }

    /// Telnet negotiation answers go out at once, ahead of every reply not yet sent (and of the
    /// ones still waiting for the log, which are not in the output yet): a telnet that asked for a
    /// TIMING-MARK shows nothing until it gets one. Telnet reads them anywhere in the stream.
    private func sendTelnetAnswers() {
        output.insert(contentsOf: framer.answers, at: written)
        framer.answers.removeAll()
        scheduleFlush()
    }

    /// Appends an encoded reply; a session that agreed BINARY gets CR LF line ends. Past 48 KiB
    /// the output takes room for what the budget lets it hold at once (and a batch's overshoot)
    /// instead of doubling its way there: each doubling copies. Room costs address space only
    /// until it is written.
    func append(encoded reply: Result<Reply, DomainError>) {
        dropSent()
        if output.count > 48 << 10, output.capacity < budget.limit {
            output.reserveCapacity(budget.outputReserve)
        }
        ReplyEncoder.encode(reply, into: &output, crlf: framer.binary)
    }

    /// What was sent leaves the front of the buffer once it is a quarter of what is left, so a
    /// slow reader's buffer holds its unsent bytes (and a quarter more), not everything since it
    /// last caught up. Each move shifts at most four times the bytes sent since the last one: a
    /// 2 MB reply sent 64 KiB at a time costs a few copies of itself, not one per piece (which
    /// took most of the loop's time while a FEED reader ran flat out).
    func dropSent() {
        guard written >= 64 << 10, written * 4 >= unsent else { return }
        output.removeFirst(written)
        written = 0
    }

    /// Sends the output once this loop round is done rather than now (see `EventLoop.atRoundEnd`).
    func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        loop.atRoundEnd(self)
    }

    func roundEnded() {
        flushScheduled = false
        flush()
    }

    func flush() {
        guard !closed else { return }
        while written < output.count {
            let result = output.withUnsafeBytes { transport.write(UnsafeRawBufferPointer(rebasing: $0[written...])) }
            switch result {
            case .bytes(let n):
                written += n
                lastProgress = Syscalls.now()
            case .wouldBlock:
                if !writeArmed { writeArmed = true; lastProgress = Syscalls.now(); watch() }
                dropSent()
                if budget.overHardLimit(unsent: unsent) {
                    closeForBuffers("\(unsent) bytes of replies unread, past \(OutputBudget.hardLimitFactor) times --max-client-buffer")
                }
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
        budget.allowance = 0
        if pushes.lines > 0 || pushes.dropped > 0 {
            movePushesToOutput()
            return flush()
        }
        if writeArmed { writeArmed = false; watch() }
        if closeAfterFlush, !busy { close(); return }
        // Requests held back while output was large can go on now. Posted, not called: pump
        // calls flush, and flush calling pump back would recurse without bound.
        if readPaused || (!busy && !frames.isEmpty) { loop.post { [self] in pump() } }
    }

    /// Bytes queued and not yet sent.
    var unsent: Int { output.count - written }

    /// Backpressure: stop reading while many requests wait or much output is unsent, or once the
    /// peer has finished sending; start again when both have drained.
    func updateReading() {
        guard !closed else { return }
        let pause = peerClosed || closeAfterFlush || stopping || frames.count > Connection.maxQueuedFrames
            || !budget.hasRoom(queued: queued)
        if pause != readPaused {
            readPaused = pause
            watch()
            resumeBufferedTLS()
        }
    }

    private func watch() { loop.watch(transport.fd, read: !readPaused, write: writeArmed || writeArmedForRead) }

    /// Closes now: off the loop, the socket, the registry. Loop thread only.
    func close() {
        guard !closed else { return }
        closed = true
        loop.remove(transport.fd)
        transport.close()
        endWatch()
        server.unregister(session.id)
    }

    /// No more pushes for this session (closed, or logged in as another user). Loop thread.
    func endWatch() {
        guard sentWatch else { return }
        sentWatch = false
        watching = false
        loop.pushes.remove(session.id)
        server.engine.unwatch(session.id)
    }
}
