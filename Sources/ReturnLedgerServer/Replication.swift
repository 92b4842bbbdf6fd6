import ReturnLedgerCore
import ReturnLedgerStorage
import Synchronization

/// Where this server stands among its peers (protocol.md, A warm standby): a primary (serving, or
/// fenced by a promotion), or a standby following one; its epoch history; and what INFO reports
/// of the links: the standby's one link to its primary, a primary's links to its standbys.
/// Read by INFO, FEED and the links' threads, written by them and by the writer queue: one lock,
/// held for a few field copies, never on the hot path (the writer keeps its own `readOnly`).
final class Replication: @unchecked Sendable {
    enum Role: String, Sendable { case primary, standby }

    /// A standby's view of its link.
    struct Follower: Sendable {
        var state = "connecting"
        var primarySeq: UInt64 = 0
        var caughtUpAtMillis = monotonicMillis()
        var error = ""
    }

    /// A primary's view of one standby.
    struct Link: Sendable {
        var address: String
        var user: String
        var state = "seeding"
        var sentSeq: UInt64 = 0
        var durableSeq: UInt64 = 0
        var caughtUpAtMillis = monotonicMillis()
        /// Where its stream began: what it holds before its first acknowledgement.
        var sentFrom: UInt64 = 0
    }

    struct State: Sendable {
        var role: Role
        var history: EpochHistory
        var follower = Follower()
        var links: [Int: Link] = [:]
        var nextLink = 0
        /// Standbys that went away lately, by user: what each held and when it left. A standby
        /// restarting (to load a seed, after a crash) finds its records still kept for a minute.
        var departed: [String: (holds: UInt64, at: Int)] = [:]
    }

    /// How long the log keeps what a departed standby needs.
    static let departedMillis = 60_000

    let state: Mutex<State>
    /// `--standby-of`'s address, "" on a primary.
    let primaryAddress: String
    /// `--sync-standby` and the gate it puts between the log and the replies (nil when 0).
    let syncGate: SyncGate?

    init(role: Role, history: EpochHistory, primaryAddress: String, syncGate: SyncGate?) {
        state = Mutex(State(role: role, history: history))
        self.primaryAddress = primaryAddress
        self.syncGate = syncGate
    }

    var history: EpochHistory { state.withLock { $0.history } }
    var epoch: String { state.withLock { $0.history.current } }
    var role: Role { state.withLock { $0.role } }

    func follower(_ change: (inout Follower) -> Void) { state.withLock { change(&$0.follower) } }

    /// A standby's link begins (REPLICATE answered); its id for the reports that follow.
    func linkOpened(address: String, user: String, seeding: Bool, from: UInt64) -> Int {
        state.withLock { s in
            s.nextLink += 1
            s.links[s.nextLink] = Link(address: address, user: user, state: seeding ? "seeding" : "streaming", sentSeq: from, sentFrom: from)
            return s.nextLink
        }
    }

    /// Standby links at once, at most (each holds a thread and a socket outside `--max-connections`).
    static let maxLinks = 16
    var linkCount: Int { state.withLock { $0.links.count } }

    func link(_ id: Int, _ change: (inout Link) -> Void) { state.withLock { s in if s.links[id] != nil { change(&s.links[id]!) } } }

    func linkClosed(_ id: Int) {
        state.withLock { s in
            if let link = s.links.removeValue(forKey: id) {
                s.departed[link.user] = (max(link.sentFrom, link.durableSeq), monotonicMillis())
            }
        }
        syncGate?.gone(id)
    }

    /// The last record every standby (connected, or gone within a minute) holds; nil for none.
    func retainAfter() -> UInt64? {
        let now = monotonicMillis()
        return state.withLock { s in
            s.departed = s.departed.filter { now - $0.value.at < Replication.departedMillis }
            let held = s.links.values.map { max($0.sentFrom, $0.durableSeq) } + s.departed.values.map(\.holds)
            return held.min()
        }
    }

    /// INFO's `section=replication` and, on a primary, a `section=standby` line per standby.
    /// `applied`: the last record in the state; `localDurable`: the log's durable seq.
    func infoLines(applied: UInt64, localDurable: UInt64, fenced: EpochHistory.Fence?) -> [[Field]] {
        let s = state.withLock { $0 }
        let now = monotonicMillis()
        var lines: [[Field]] = []
        switch s.role {
        case .standby:
            let f = s.follower
            let lag = f.primarySeq > applied ? f.primarySeq - applied : 0
            lines.append([Field("section", "replication"), Field("role", "standby"), Field("state", f.state),
                          Field("primary", primaryAddress), Field("applied_seq", String(applied)),
                          Field("durable_seq", String(localDurable)), Field("primary_seq", String(f.primarySeq)),
                          Field("lag_records", String(lag)), Field("lag_s", String(lag == 0 ? 0 : (now - f.caughtUpAtMillis) / 1000)),
                          Field("sync_standby", "0"), Field("sync", "off"), Field("standbys", "0"), Field("error", f.error)])
        case .primary:
            let gated = syncGate?.gate ?? localDurable
            lines.append([Field("section", "replication"), Field("role", "primary"), Field("state", fenced == nil ? "serving" : "fenced"),
                          Field("primary", ""), Field("applied_seq", String(applied)), Field("durable_seq", String(gated)),
                          Field("primary_seq", String(localDurable)), Field("lag_records", "0"), Field("lag_s", "0"),
                          Field("sync_standby", String(syncGate?.required ?? 0)), Field("sync", syncGate?.mode ?? "off"),
                          Field("standbys", String(s.links.count)),
                          Field("error", fenced.map { "superseded by epoch \($0.epoch) at seq \($0.seq)" } ?? "")])
            for (_, link) in s.links.sorted(by: { $0.key < $1.key }) {
                let lag = localDurable > link.durableSeq ? localDurable - link.durableSeq : 0
                lines.append([Field("section", "standby"), Field("addr", link.address), Field("user", link.user),
                              Field("state", link.state), Field("sent_seq", String(link.sentSeq)),
                              Field("durable_seq", String(link.durableSeq)), Field("lag_records", String(lag)),
                              Field("lag_s", String(lag == 0 ? 0 : (now - link.caughtUpAtMillis) / 1000))])
            }
        }
        return lines
    }
}
