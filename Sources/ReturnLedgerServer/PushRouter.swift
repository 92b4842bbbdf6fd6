import ReturnLedgerCore
import ReturnLedgerWire

/// Routes the push stream to the watching sessions of one event loop (protocol.md: WATCH), on
/// the loop thread: which session hears of which change is decided here (`PushRouting`), not on
/// the writer queue, so 1,000 watchers cost the writer one append per change. Runs after every
/// advance of the durable sequence, after the replies that advance released: a push never comes
/// before the reply of the request that caused it, and never before its change is durable.
///
/// A change visits only the sessions it may concern: those whose locations hold the return's, and
/// those told about that return (for `! closed`). A chain's watchers at quiet stores cost a busy
/// store nothing per change.
final class PushRouter {
    private let stream: PushStream
    private unowned let server: Server
    private unowned let loop: EventLoop
    private let routing = PushRouting<Connection>()

    init(stream: PushStream, server: Server, loop: EventLoop) {
        self.stream = stream
        self.server = server
        self.loop = loop
    }

    /// Loop thread: routes everything durable by `seq`.
    func route(upTo seq: UInt64) {
        var pushed = 0
        for item in stream.take(upTo: seq) {
            switch item {
            case .watch(let session, let watcher):
                // Every loop hears of every WATCH; the session's own loop takes it.
                guard let connection = server.connection(session), connection.loop === loop else { continue }
                routing.watch(session: session, watcher, sink: connection)
                connection.watching = true
            case .unwatch(let session):
                routing.sink(session)?.watching = false
                routing.remove(session)
            case .change(let change):
                pushed += routing.route(change)
            case .user(let change):
                let (lines, stopped) = routing.user(change)
                pushed += lines
                for connection in stopped { connection.watching = false }
            }
        }
        // Once per advance, not once per line and watcher: the counters are behind a lock.
        if pushed > 0 { server.counters.pushed(pushed) }
    }

    /// A connection closed, or stopped watching: forget it.
    func remove(_ session: Int) { routing.remove(session) }
}
