/// What closes a connection for how long it waits or how much it holds (a stalled TLS handshake,
/// `--idle-timeout`, `--max-client-buffer`), and the figures INFO's memory section sums. The idle
/// sweeper posts these every second; they run on the connection's loop thread.
extension Connection {
    /// A TLS handshake not finished within 10 seconds is closed, whatever
    /// `--idle-timeout` says.
    func closeIfHandshakeStalled(now: Int) {
        guard let deadline = transport.handshakeDeadline, !closed, now > deadline else { return }
        server.counters.tlsFailed()
        close()
    }

    /// A connection whose replies wait unread and made no progress for the timeout is closed
    /// too, watching or not (protocol.md, Resource budgets).
    func closeIfIdle(since limit: Int64) {
        if writeArmed, unsent > 0, lastProgress < limit {
            closeForBuffers("its \(unsent) bytes of replies made no progress for --idle-timeout")
        } else if !busy, !watching, queuedInput == 0, unsent == 0, lastActive < limit {
            // Idle is a client that sent nothing and has nothing coming: requests read and not yet
            // run (a budget's worth on a loaded machine can take over a second) are not idleness.
            close()
        }
    }

    /// Closes a connection for what it holds, with a line in the log and a count in INFO.
    func closeForBuffers(_ why: String) {
        Runner.log("closing connection \(session.id) from \(session.peer): \(why)")
        server.counters.closedForBuffers()
        close()
    }

    /// What this connection holds, for INFO's memory section: bytes queued, and bytes held with
    /// the capacity its buffers keep.
    var queueFigures: (input: Int, output: Int, pushes: Int, held: Int) {
        let held = frames.heldBytes + output.capacity
            + pushes.bytes.capacity + (batch.capacity + carried.capacity) * MemoryLayout<Incoming>.stride
        return (queuedInput, unsent, pushes.bytes.count, held)
    }
}
