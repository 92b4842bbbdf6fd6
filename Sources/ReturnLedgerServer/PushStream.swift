import Synchronization
import ReturnLedgerCore

/// What the writer tells the watching sessions (protocol.md: WATCH), in commit order: a session
/// starting or stopping to watch, a return that changed state, a user whose role or locations
/// changed. The engine appends on its queue, as it commits, so a WATCH and the changes after it
/// are in the order the log has them; each loop's `PushRouter` takes the items once the log is
/// durable up to their sequence. The engine builds items only while someone watches.
///
/// ```
/// engine: commit ─▶ PushStream.append(seq, item) ─┐
/// flusher: fsync ─▶ DurabilityFanout.advance ─────┴─▶ PushRouter.durable: a round now or soon ─▶ Connection.push
/// ```
final class PushStream: Sendable {
    enum Item: Sendable {
        case watch(session: Int, Watcher)
        case unwatch(session: Int)
        case change(ReturnChange)
        case user(UserChange)
    }

    /// What a watching session is: whom it watches as, and what it has been told about.
    struct Watcher: Sendable {
        var user: String
        var role: Role
        var scope: Scope
        /// Return number → the state it was told of, with the return's location (for a scope change).
        var told: [Int: (state: ReturnState, location: String)]
    }

    /// A return's state after one command, with what the push lines print.
    struct ReturnChange: Sendable {
        var number: Int
        var state: ReturnState
        var location: String
        var kind: OrderKind
        var order: String
        var amount: Money
        var reason: String
        var filedBy: String
        var firstApprovedBy: String
        var secondRole: Role?
        /// Who made the change.
        var by: String
        /// A voided return's void document (`! voided ... doc=`); "" otherwise.
        var voidDoc = ""
    }

    struct UserChange: Sendable {
        var name: String
        var role: Role
        var scope: Scope
        var enabled: Bool
        var by: String
    }

    private let pending = Mutex<[(seq: UInt64, item: Item)]>([])

    /// Writer queue.
    func append(_ seq: UInt64, _ items: [Item]) {
        guard !items.isEmpty else { return }
        pending.withLock { list in for item in items { list.append((seq, item)) } }
    }

    /// Loop thread: removes and returns the items durable by `seq`, oldest first.
    func take(upTo seq: UInt64) -> [Item] {
        pending.withLock { list in
            guard let first = list.first, first.seq <= seq else { return [] }
            let end = list.firstIndex { $0.seq > seq } ?? list.count
            let taken = list[..<end].map(\.item)
            list.removeFirst(end)
            return taken
        }
    }
}
