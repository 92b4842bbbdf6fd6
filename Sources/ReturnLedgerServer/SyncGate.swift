import Dispatch
import ReturnLedgerStorage
import Synchronization

/// `--sync-standby N` (protocol.md, A warm standby, Synchronous): the durable sequence replies,
/// pushes and FEED wait for becomes "durable here and on N standbys". The log's reports and the
/// standbys' acknowledgements come in here; what comes out is one "durable up to" report, as the
/// log alone gives without standbys.
///
/// ```
/// log: fsync ─▶ local(seq) ─┐
/// standby k: ack(k, seq) ───┼─▶ gate = min(local, N-th highest ack) ─▶ report(gate)
/// timer: a change waited --sync-timeout ─▶ degraded: gate = local, until N standbys hold local
/// ```
/// A change that has waited `--sync-timeout` degrades the primary to asynchronous: the gate
/// follows the log alone (stderr says so, INFO `sync=degraded`) until N standbys hold its durable
/// sequence again.
final class SyncGate: @unchecked Sendable {
    let required: Int
    private let timeoutMillis: Int
    private let report: @Sendable (UInt64, Bool) -> Void
    private let log: @Sendable (String) -> Void

    private struct State {
        var local: UInt64
        var failed = false
        var acks: [Int: UInt64] = [:]
        var gate: UInt64
        var degraded = false
        /// Local advances not yet through the gate: (seq, when it became durable here).
        var waiting: [(seq: UInt64, at: Int)] = []
    }

    private let state: Mutex<State>
    private var timer: (any DispatchSourceTimer)?

    init(required: Int, timeoutSeconds: Int, durable: UInt64, log: @escaping @Sendable (String) -> Void,
         report: @escaping @Sendable (UInt64, Bool) -> Void) {
        self.required = required
        self.timeoutMillis = timeoutSeconds * 1000
        self.report = report
        self.log = log
        // After a restart what the log holds may not be on any standby (the primary crashed before
        // they had it): nothing counts as through the gate until they say so, or the timeout runs.
        var initial = State(local: durable, gate: 0)
        if durable > 0 { initial.waiting = [(durable, monotonicMillis())] }
        state = Mutex(initial)
        if timeoutSeconds > 0 {
            let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "returnledger.syncgate"))
            timer.schedule(deadline: .now() + 0.1, repeating: 0.1)
            timer.setEventHandler { [weak self] in self?.tick() }
            timer.resume()
            self.timer = timer
        }
    }

    deinit { timer?.cancel() }

    /// INFO's `sync=`: on, or degraded.
    var mode: String { state.withLock { $0.degraded ? "degraded" : "on" } }
    /// INFO's replication `durable_seq=`: what replies count on.
    var gate: UInt64 { state.withLock { $0.gate } }

    /// The log is durable up to `seq` here (or failed).
    func local(_ seq: UInt64, failed: Bool) {
        update { s in
            if seq > s.local {
                s.local = seq
                s.waiting.append((seq, monotonicMillis()))
            }
            s.failed = s.failed || failed
        }
    }

    /// Standby `link` has everything up to `seq` durable.
    func ack(_ link: Int, _ seq: UInt64) { update { s in s.acks[link] = max(s.acks[link] ?? 0, seq) } }

    /// Standby `link` is gone: it no longer counts.
    func gone(_ link: Int) { update { s in s.acks[link] = nil } }

    private func tick() {
        update { s in
            guard !s.degraded, let first = s.waiting.first, monotonicMillis() - first.at >= timeoutMillis else { return }
            s.degraded = true
            log("sync standby: a change waited \(timeoutMillis / 1000) s for \(required) standby(s); going on asynchronously until they catch up (sync=degraded)")
        }
    }

    /// Applies `change`, recomputes the gate and reports it if it moved.
    private func update(_ change: (inout State) -> Void) {
        var moved: (UInt64, Bool)?
        var restored = false
        state.withLock { s in
            change(&s)
            let held = s.acks.values.sorted(by: >)
            let nth = held.count >= required ? held[required - 1] : 0
            if s.degraded, nth >= s.local {
                s.degraded = false
                restored = true
            }
            let gate = s.degraded ? s.local : min(s.local, nth)
            if gate > s.gate || (s.failed && gate == s.gate) {
                s.gate = max(s.gate, gate)
                moved = (s.gate, s.failed)
            }
            while let first = s.waiting.first, first.seq <= s.gate { s.waiting.removeFirst() }
        }
        if restored { log("sync standby: \(required) standby(s) hold everything durable again (sync=on)") }
        if let (seq, failed) = moved { report(seq, failed) }
    }
}
