/// A connection's part in shutting down (protocol.md, Running the server): it takes no new
/// request, then sends what it owes and closes. Loop thread.
extension Connection {
    /// First step: take no new requests (what was read and not begun is neither done nor
    /// answered, so a register may safely send it again).
    func stopTakingRequests() {
        stopping = true
        updateReading()
    }

    /// Last step: send what is queued, waiting for a slow reader until `deadline` (monotonic
    /// milliseconds), then close.
    func drainAndClose(until deadline: Int) {
        flush()
        while !closed, unsent > 0, monotonicMillis() < deadline {
            Syscalls.waitWritable(transport.fd, milliseconds: 50)
            flush()
        }
        close()
    }
}
