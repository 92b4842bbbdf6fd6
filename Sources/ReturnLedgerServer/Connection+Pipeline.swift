import ReturnLedgerCore
import ReturnLedgerWire

/// The request pipeline of a connection: frames become parsed requests, batches go to the engine
/// in order, and their replies are queued in that order once the log holds what they observed.
/// One batch is outstanding at a time (`busy`), which is what keeps replies in request order
/// across the waits: the log's fsync, crypt, and replies computed off the writer.
extension Connection {
    /// Sends batches to the engine while nothing is outstanding; hands AUTH and password
    /// hashing to the Authenticator.
    func pump() {
        guard !closed else { return }
        // Whatever was answered goes out at the end of this round, also when a later batch
        // now waits for the log or for crypt.
        defer {
            scheduleFlush()
            // A full batch's array is 512 requests of 216 bytes: not kept while the connection
            // waits (one that pipelined once, or stalled, held 110 KiB for the rest of its life).
            if batch.capacity > 64 { batch = [] }
        }
        dropSent()
        while !busy, !closed, !closeAfterFlush, !stopping, !frames.isEmpty || !carried.isEmpty,
              budget.hasRoom(queued: output.count) {
            batch.removeAll(keepingCapacity: true)
            if !carried.isEmpty {
                batch.append(contentsOf: carried)
                carried.removeAll()
            }
            // As many as the output budget has room for (at least one), at most a full batch.
            let room = budget.batchRoom(output: output.count, batchSize: Connection.batchSize)
            collect: while !frames.isEmpty, batch.count < room {
                let item: Incoming
                if frames.firstIsTooLong {
                    item = .failed(DomainError(.TOO_LONG, "line longer than \(framer.maxLine) bytes"))
                } else {
                    guard let parsed = frames.withFirstLine(RequestParser.parse) else { consumeFrame(); continue }
                    switch parsed {
                    case .failure(let error):
                        item = .failed(error)
                    case .success(let request):
                        if case .success(let command) = request.parsed, Authenticator.needsCrypt(command) {
                            guard batch.isEmpty else { break collect }
                            consumeFrame()
                            busy = true
                            Authenticator.run(request, command, engine: server.engine, session: session, loop: loop) { [self] result, login in
                                if let login {
                                    if login.succeeded {
                                        // A watch was its previous user's: it ends with the login.
                                        if self.session.user != login.user { self.endWatch() }
                                        self.session.user = login.user
                                    } else {
                                        self.session.failures += 1
                                        var result = result
                                        if self.session.failures >= Session.maxFailures {
                                            result.close = true
                                            // Say so, instead of a silent close.
                                            result.replies = result.replies.map { reply in
                                                guard case .failure(let error) = reply, error.code == .AUTH else { return reply }
                                                return .failure(DomainError(.AUTH, error.message + "; closing after \(Session.maxFailures) failures"))
                                            }
                                        }
                                        return resume(result)
                                    }
                                }
                                resume(result)
                            }
                            return
                        }
                        if case .success(.server(.watch)) = request.parsed { sentWatch = true }
                        item = .request(request)
                    }
                }
                batch.append(item)
                consumeFrame()
            }
            if closeAfterFlush { break }
            guard !batch.isEmpty else { continue }
            // Synchronously: when the engine is idle Dispatch runs the batch right here on the
            // loop thread; a reply that needs no wait for the log is sent without any hand-off.
            let session = self.session
            let engine = server.engine
            let work = batch
            let result = engine.onQueue { engine.run(work, session: session) }
            // The engine stops a batch after a reply it defers: the rest go first in the next one.
            if result.consumed < work.count { carried = Array(work[result.consumed...]) }
            guard accept(result) else { return }
        }
        updateReading()
        if peerClosed, !busy, frames.isEmpty, carried.isEmpty { closeAfterFlush = true; flush() }
    }

    /// The next frame is begun: it no longer counts as queued input.
    private func consumeFrame() { frames.removeFirst() }

    /// Back on the loop after crypt, the log or a deferred reply: take the result and carry on.
    private func resume(_ result: Engine.BatchResult) {
        busy = false
        guard !closed else { return }
        if accept(result) { pump() }
    }

    /// Takes a batch's replies: at once if the log already holds everything they observed, else
    /// when the loop's durability fanout says it does. Returns whether this connection may go on
    /// with its next requests now.
    private func accept(_ result: Engine.BatchResult) -> Bool {
        guard server.gatesReplies, result.seq > 0 else { return take(result, durable: true) }
        let durability: DurabilityFanout = loop.durability
        if let settled = result.localOnly ? durability.settledLocal(result.seq) : durability.settled(result.seq) {
            return take(result, durable: settled)
        }
        busy = true
        if result.localOnly {  // --sync-standby: a login, INFO or refusals wait for this server's log alone
            durability.waitLocal(for: result.seq) { [self] (durable: Bool) in
                busy = false
                guard !closed else { return }
                if take(result, durable: durable) { pump() }
            }
            return false
        }
        durability.wait(for: result.seq) { [self] (durable: Bool) in
            busy = false
            guard !closed else { return }
            if take(result, durable: durable) { pump() }
        }
        return false
    }

    /// Encodes the replies into the output. False when a deferred reply is still to come.
    private func take(_ result: Engine.BatchResult, durable: Bool) -> Bool {
        guard durable else {
            // The log failed before these were stored: none of them may be acknowledged (a
            // REPLICATE's stream among them does not begin).
            if result.close { _ = server.engine.takeHandoff(session.id) }
            for _ in 0..<result.count {
                append(encoded: .failure(DomainError(.STORAGE, "the change may not have been stored; check before retrying")))
            }
            if result.close { closeAfterFlush = true }
            return true
        }
        let before = output.count
        for reply in result.replies { append(encoded: reply) }
        if !result.replies.isEmpty {
            budget.noteReplies(count: result.replies.count, bytes: output.count - before)
        }
        if result.close {
            // REPLICATE answered: the socket goes to a standby link instead of closing.
            if let start = server.engine.takeHandoff(session.id) {
                handOff(start)
                return false
            }
            closeAfterFlush = true
        }
        guard let deferred = result.deferred else { return true }
        busy = true
        let binary = framer.binary
        deferred.schedule { [self] in
            // Encoded here too: a 100,000-line LIST is megabytes of text, which must not hold up
            // the loop's other connections.
            var encoded: [UInt8] = []
            ReplyEncoder.encode(deferred.work(), into: &encoded, crlf: binary)
            let bytes = encoded
            loop.post { [self] in
                if output.isEmpty { output = bytes } else { output.append(contentsOf: bytes) }
                budget.allowance += bytes.count
                busy = false
                guard !closed else { return }
                pump()
            }
        }
        return false
    }
}

extension Connection {
    /// REPLICATE was answered: the socket leaves this loop for a standby link of its own, which
    /// first sends what the output still holds (that OK line), then the stream.
    func handOff(_ start: ReplicationStart) {
        let pending = Array(output[written...])
        output = []
        written = 0
        closed = true
        loop.remove(transport.fd)
        endWatch()
        server.unregister(session.id)
        StandbySender.start(transport: transport, pending: pending, start: start, engine: server.engine,
                            address: session.peer, user: session.user ?? "")
    }
}
