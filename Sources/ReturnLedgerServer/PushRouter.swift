import ReturnLedgerCore
import ReturnLedgerStorage
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
///
/// Rounds are paced by how many watch: each round costs every watcher with something to hear one
/// write (a system call that runs the receiver's TCP stack on loopback, about 5 µs) and one
/// wake-up at its end, whatever the lines. So a round starts at once when the last one was at
/// least `microsPerWatcher` × watchers ago (5 ms at most), else at that time, carrying every
/// change that became durable meanwhile: 100 watchers get a write per 5 ms instead of one per
/// fsync (about 2 ms here), a quiet server or a few watchers see no delay at all.
final class PushRouter {
    private let stream: PushStream
    private unowned let server: Server
    private unowned let loop: EventLoop
    private let routing = PushRouting<Connection>()
    /// When the last round ran (monotonic µs), and whether the next is already set for later.
    private var lastRound = Int.min / 2
    private var roundSet = false
    static let microsPerWatcher = 50
    static let maxPause = 5_000

    init(stream: PushStream, server: Server, loop: EventLoop) {
        self.stream = stream
        self.server = server
        self.loop = loop
    }

    /// Loop thread: the log is durable up to `seq`: a round now, or once the pause is over.
    func durable(_ seq: UInt64) {
        guard !roundSet else { return }
        let pause = min(PushRouter.maxPause, routing.watching * PushRouter.microsPerWatcher)
        let wait = lastRound + pause - monotonicMicros()
        if wait <= 0 { return route(upTo: seq) }
        roundSet = true
        loop.after(micros: wait) { [self] in
            roundSet = false
            route(upTo: loop.durability.durableSeq)
        }
    }

    /// Loop thread: routes everything durable by `seq` now.
    func route(upTo seq: UInt64) {
        lastRound = monotonicMicros()
        var pushed = 0
        for item in stream.take(upTo: seq) {
            switch item {
            case .watch(let session, let watcher):
                // Every loop hears of every WATCH; the session's own loop takes it.
                guard let connection = server.connection(session), connection.loop === loop else { continue }
                pushed += routing.watch(session: session, watcher, sink: connection)
                connection.watching = true
            case .unwatch(let session):
                routing.sink(session)?.watching = false
                pushed += routing.remove(session)
            case .change(let change):
                pushed += routing.route(change)
            case .user(let change):
                let (lines, stopped) = routing.user(change)
                pushed += lines
                for connection in stopped { connection.watching = false }
            }
        }
        pushed += routing.endRound()
        // Once per round, not once per line and watcher: the counters are behind a lock.
        if pushed > 0 { server.counters.pushed(pushed) }
    }

    /// A connection closed, or stopped watching: forget it.
    func remove(_ session: Int) {
        let pushed = routing.remove(session)
        if pushed > 0 { server.counters.pushed(pushed) }
    }
}
