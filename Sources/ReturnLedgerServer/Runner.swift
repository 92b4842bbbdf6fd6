import Dispatch
import Glibc

/// Announces readiness and waits for SIGTERM or SIGINT; then shuts down cleanly with status 0.
/// Lives in a type so its Dispatch handlers are not main-actor closures.
public enum Runner {
    public static func serveUntilSignalled(_ server: Server) -> Never {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let signals = DispatchQueue(label: "returnledger.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: number, queue: signals)
            source.setEventHandler {
                server.shutdown()
                Runner.log("stopped on signal \(number)")
                exit(0)
            }
            source.resume()
            sources.append(source)
        }
        print("ready host=\(server.config.host) port=\(server.port) data=\(server.config.dataDirectory)")
        fflush(nil)
        withExtendedLifetime(sources) { dispatchMain() }
    }

    /// One line to stderr, written whole with write(2).
    public static func log(_ message: String) {
        let line = Array("returnledger: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
