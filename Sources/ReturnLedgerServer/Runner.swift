import Dispatch
import Glibc
import CEpoll
import Synchronization

/// Start-up and shutdown around the server: signals, the `ready` line, the operator's log.
///
/// SIGTERM and SIGINT are blocked in every thread (`blockStopSignals`, called before any
/// thread exists) and taken with `sigwait` on the main thread. Dispatch signal sources are not
/// used: `dispatchMain()` parks the main thread in `sigsuspend` with nothing blocked, so a
/// process-directed signal could land there and be dropped while the source never fires.
public enum Runner {
    private static func stopSignals() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        return set
    }

    /// Buffers of a megabyte and more get mappings of their own, handed back to the kernel when
    /// freed: a stalled client's output (about --max-client-buffer), a large LIST or FEED page.
    /// glibc's default raises that threshold to the size of every large block freed, after which
    /// such buffers come from the shared heap and their pages stay resident, reused by nobody:
    /// 50 stalled clients cost 1.5–2.1 MiB each that way, 1.3–1.6 MiB with this (issue 15).
    /// Replies smaller than that (nearly all) are untouched. Call before any thread starts.
    public static func tuneAllocator() {
        _ = rl_set_malloc_thresholds(1 << 20, 2 << 20)  // trim at twice it, as glibc's own tuning pairs them
    }

    /// Call first thing in `main`, before anything starts a thread.
    public static func blockStopSignals() {
        var set = stopSignals()
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Raises the open-file limit toward what `--max-connections` needs (as Redis does); returns a
    /// warning for the operator when the hard limit is too low.
    public static func raiseFileLimit(for connections: Int) -> String? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        let wanted = rlim_t(connections + 64)  // listener, log, snapshots, stdio
        if limit.rlim_cur < wanted {
            limit.rlim_cur = min(wanted, limit.rlim_max)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        guard limit.rlim_cur < wanted else { return nil }
        return "open-file limit is \(limit.rlim_cur): fewer than --max-connections \(connections) can be served (raise ulimit -n)"
    }

    /// Prints `ready ...`, waits for SIGTERM or SIGINT, shuts down cleanly and exits 0.
    public static func serveUntilSignalled(_ server: Server) -> Never {
        // Section 16: `tls_port=` at the end when TLS is on; `port=""` with `--plain no`.
        let port = server.port.map(String.init) ?? "\"\""
        let tls = server.tlsPort.map { " tls_port=\($0)" } ?? ""
        print("ready host=\(server.config.host) port=\(port) data=\(server.config.dataDirectory)\(tls)")
        fflush(nil)
        var set = stopSignals()
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        server.shutdown()
        log("stopped on signal \(received)")
        exit(0)
    }

    /// One line to stderr, written whole with write(2).
    public static func log(_ message: String) {
        if let sink = sink.withLock({ $0 }) { return sink(message) }
        let line = Array("returnledger: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// A test that runs a server in its own process takes the operator's log lines (and can
    /// check them) instead of having them printed among the test results as if they were real.
    public static func captureLog(_ capture: (@Sendable (String) -> Void)?) { sink.withLock { $0 = capture } }
    private static let sink = Mutex<(@Sendable (String) -> Void)?>(nil)
}
