import Synchronization

/// Start-up and shutdown around the server: signals, the `ready` line, the operator's log.
///
/// SIGTERM and SIGINT are blocked in every thread (`blockStopSignals`, called before any
/// thread exists) and taken with `sigwait` on the main thread. Dispatch signal sources are not
/// used: `dispatchMain()` parks the main thread in `sigsuspend` with nothing blocked, so a
/// process-directed signal could land there and be dropped while the source never fires.
public enum Runner {

    /// Buffers of a megabyte and more get mappings of their own, handed back to the kernel when
    /// freed: a stalled client's output (about --max-client-buffer), a large LIST or FEED page.
    /// glibc's default raises that threshold to the size of every large block freed, after which
    /// such buffers come from the shared heap and their pages stay resident, reused by nobody:
    /// 50 stalled clients cost 1.5–2.1 MiB each that way, 1.3–1.6 MiB with this (issue 15).
    /// Replies smaller than that (nearly all) are untouched. Call before any thread starts.
    public static func tuneAllocator() {
        Syscalls.setMallocThresholds(mmap: 1 << 20, trim: 2 << 20)  // trim at twice it, as glibc's own tuning pairs them
    }

    /// Call first thing in `main`, before anything starts a thread.
    public static func blockStopSignals() {
        Syscalls.blockSignals(Syscalls.stopSignals)
        Syscalls.ignoreBrokenPipe()
    }

    /// Raises the open-file limit toward what `--max-connections` needs (as Redis does); returns a
    /// warning for the operator when the hard limit is too low.
    public static func raiseFileLimit(for connections: Int) -> String? {
        guard var limit = Syscalls.fileLimit() else { return nil }
        let wanted = UInt64(connections + 64)  // listener, log, snapshots, stdio
        if limit.current < wanted {
            limit.current = min(wanted, limit.maximum)
            Syscalls.setFileLimit(limit.current, maximum: limit.maximum)
        }
        guard limit.current < wanted else { return nil }
        return "open-file limit is \(limit.current): fewer than --max-connections \(connections) can be served (raise ulimit -n)"
    }

    /// Prints `ready ...`, waits for SIGTERM or SIGINT, shuts down cleanly and exits 0.
    public static func serveUntilSignalled(_ server: Server) -> Never {
        // The ready line (protocol.md, TLS): `tls_port=` at the end when TLS is on; `port=""`
        // with `--plain no`.
        let port = server.port.map(String.init) ?? "\"\""
        let tls = server.tlsPort.map { " tls_port=\($0)" } ?? ""
        print("ready host=\(server.config.host) port=\(port) data=\(server.config.dataDirectory)\(tls)")
        Syscalls.flushStandardOutput()
        let received = Syscalls.waitForSignal(Syscalls.stopSignals)
        server.shutdown()
        log("stopped on signal \(received)")
        Syscalls.exit(0)
    }

    /// One line to stderr, written whole with write(2).
    public static func log(_ message: String) {
        if let sink = sink.withLock({ $0 }) { return sink(message) }
        Syscalls.writeToStandardError(Array("returnledger: \(message)\n".utf8))
    }

    /// A test that runs a server in its own process takes the operator's log lines (and can
    /// check them) instead of having them printed among the test results as if they were real.
    public static func captureLog(_ capture: (@Sendable (String) -> Void)?) { sink.withLock { $0 = capture } }
    private static let sink = Mutex<(@Sendable (String) -> Void)?>(nil)
}

extension Runner {
    /// Starts this program again in this process, with the same arguments (a standby that has
    /// just been seeded loads its new snapshot this way, and one whose disk failed starts again
    /// from what the disk holds): every descriptor is closed on exec, the directory's lock too,
    /// which the new image takes again.
    public static func restartInPlace(_ note: String) -> Never {
        log(note)
        Syscalls.closeAllOnExec()
        Syscalls.execSelf(CommandLine.arguments)
        log("cannot restart (\(Syscalls.lastErrorText())); exiting")
        Syscalls.exit(3)
    }
}
