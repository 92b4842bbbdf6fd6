import Dispatch
import Synchronization

/// Wakes FEED's long polls when the durable sequence passes what they wait for:
/// each waiter parks on a semaphore, and the log's durability report releases those it covers.
/// No polling; a change is answered as soon as it is durable.
final class DurableSignal: Sendable {
    private struct Waiter { let after: UInt64; let semaphore: DispatchSemaphore }
    private let state: Mutex<(durable: UInt64, waiters: [Waiter])>
    /// Long polls parked at once; more are answered at once (what is there, maybe nothing), so
    /// waiting exporters never take every thread of the read pool.
    static let maxWaiting = 16

    init(durable: UInt64) { state = Mutex((durable, [])) }

    /// The log is durable up to `seq`.
    func advance(to seq: UInt64) {
        let released: [DispatchSemaphore] = state.withLock { s in
            s.durable = max(s.durable, seq)
            // Every fsync passes here; with no long poll parked (nearly always) nothing to filter.
            guard !s.waiters.isEmpty else { return [] }
            let ready = s.waiters.filter { $0.after < s.durable }
            s.waiters.removeAll { $0.after < s.durable }
            return ready.map(\.semaphore)
        }
        for semaphore in released { semaphore.signal() }
    }

    /// Blocks until something after `after` is durable or `seconds` pass.
    func wait(after: UInt64, seconds: Int) {
        let semaphore = DispatchSemaphore(value: 0)
        let parked: Bool = state.withLock { s in
            guard s.durable <= after, seconds > 0, s.waiters.count < DurableSignal.maxWaiting else { return false }
            s.waiters.append(Waiter(after: after, semaphore: semaphore))
            return true
        }
        if parked, semaphore.wait(timeout: .now() + .seconds(seconds)) == .timedOut {
            state.withLock { s in s.waiters.removeAll { $0.semaphore === semaphore } }
        }
    }

    var durable: UInt64 { state.withLock { $0.durable } }
}
