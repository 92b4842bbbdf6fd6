import Synchronization

/// Server-wide counters shared by the listener, connections and the engine (for INFO).
package final class ServerCounters: Sendable {
    static let version = "0.1.0"

    struct Values: Sendable {
        var startedAt: Int64 = 0
        var pid: Int32 = 0
        var fsyncPolicy = "always"
        var connectionsNow = 0
        var connectionsTotal = 0
        var connectionsRejected = 0
        /// Accepts that failed for want of file descriptors (EMFILE, ENFILE).
        var outOfDescriptors = 0
        var unparsed = 0
        /// Push lines sent to watchers, and overflows (a watcher's queue dropped).
        var pushed = 0
        var pushOverflows = 0
        /// Connections closed for their buffers (unsent output past the hard limit, or
        /// no progress for `--idle-timeout`); what the connections hold, sampled every second;
        /// resident memory above `--max-memory`.
        var closedForBuffers = 0
        /// TLS handshakes finished, and failed or stalled past 10 s.
        var tlsHandshakes = 0
        var tlsFailures = 0
        var queues = QueueFigures()
        var memoryHigh = false
    }

    /// Bytes queued in connections, summed over one sample of all of them.
    struct QueueFigures: Sendable {
        var input = 0, output = 0, pushes = 0
        /// The largest one connection had queued, and the largest it held (capacity kept included).
        var largestQueue = 0, largestHeld = 0
    }

    private let state: Mutex<Values>

    package init(startedAt: Int64, pid: Int32, fsyncPolicy: String) {
        state = Mutex(Values(startedAt: startedAt, pid: pid, fsyncPolicy: fsyncPolicy))
    }

    func read() -> Values { state.withLock { $0 } }
    func opened() { state.withLock { $0.connectionsNow += 1; $0.connectionsTotal += 1 } }
    func closed() { state.withLock { $0.connectionsNow -= 1 } }
    func rejected() { state.withLock { $0.connectionsRejected += 1 } }
    func outOfDescriptors() { state.withLock { $0.outOfDescriptors += 1 } }
    func failedUnparsed() { state.withLock { $0.unparsed += 1 } }
    func pushed(_ lines: Int) { state.withLock { $0.pushed += lines } }
    func pushesDropped() { state.withLock { $0.pushOverflows += 1 } }
    func tlsHandshake() { state.withLock { $0.tlsHandshakes += 1 } }
    func tlsFailed() { state.withLock { $0.tlsFailures += 1 } }
    func closedForBuffers() { state.withLock { $0.closedForBuffers += 1 } }
    func sampled(_ queues: QueueFigures) { state.withLock { $0.queues = queues } }
    func memory(high: Bool) { state.withLock { $0.memoryHigh = high } }
    var memoryHigh: Bool { state.withLock { $0.memoryHigh } }
    var connectionsNow: Int { state.withLock { $0.connectionsNow } }
}
