import ReturnLedgerCore
import ReturnLedgerWire

/// Routes the push stream to the watching sessions of one event loop (contract section 12), on
/// the loop thread: which session hears of which change is decided here, not on the writer
/// queue, so 1,000 watchers cost the writer one append per change. Runs after every advance of
/// the durable sequence, after the replies that advance released: a push never comes before the
/// reply of the request that caused it, and never before its change is durable.
final class PushRouter {
    private let stream: PushStream
    private unowned let server: Server
    /// A watching session; a class, so its told-about set is changed in place, never copied.
    private final class Entry {
        let user: String
        var role: Role
        var scope: Scope
        var told: [Int: (state: ReturnState, location: String)]
        let connection: Connection
        init(_ w: PushStream.Watcher, _ connection: Connection) {
            user = w.user; role = w.role; scope = w.scope; told = w.told; self.connection = connection
        }
    }

    private var watchers: [Int: Entry] = [:]

    init(stream: PushStream, server: Server) {
        self.stream = stream
        self.server = server
    }

    var count: Int { watchers.count }

    /// Loop thread: routes everything durable by `seq`.
    func route(upTo seq: UInt64) {
        for item in stream.take(upTo: seq) {
            switch item {
            case .watch(let session, let watcher):
                guard let connection = server.connection(session), connection.loop.durability != nil else { continue }
                watchers[session] = Entry(watcher, connection)
                connection.watching = true
            case .unwatch(let session):
                watchers[session]?.connection.watching = false
                watchers[session] = nil
            case .change(let change):
                for entry in watchers.values { deliver(change, to: entry) }
            case .user(let change):
                for (session, entry) in watchers where entry.user == change.name { update(session, entry, change) }
            }
        }
    }

    /// A connection closed: forget it.
    func remove(_ session: Int) { watchers[session] = nil }

    private func deliver(_ c: PushStream.ReturnChange, to entry: Entry) {
        let id = ReturnRequest.id(c.number)
        if let told = entry.told[c.number], told.state != c.state {
            entry.told[c.number] = nil
            entry.connection.push("closed", [Field("id", id), Field("state", c.state.rawValue), Field("by", c.by)])
        }
        let w = entry
        guard w.told[c.number] == nil, w.scope.contains(c.location), c.filedBy != w.user else { return }
        if c.state == .pending, w.role == .supervisor || w.role == .admin {
            entry.told[c.number] = (.pending, c.location)
            entry.connection.push("pending", [Field("id", id), Field("location", c.location), Field("kind", c.kind.rawValue),
                                              Field("order", c.order), Field("amount", c.amount.description),
                                              Field("reason", c.reason), Field("filed_by", c.filedBy)])
        } else if c.state == .second_review, c.firstApprovedBy != w.user,
                  w.role == .admin || w.role == (c.secondRole ?? .finance) {
            entry.told[c.number] = (.second_review, c.location)
            entry.connection.push("second_review", [Field("id", id), Field("location", c.location),
                                                    Field("amount", c.amount.description),
                                                    Field("approved_by", c.firstApprovedBy)])
        }
    }

    /// The watcher's user changed: new role and locations from now on; what it was told about
    /// outside its new locations is closed. A disabled user stops watching.
    private func update(_ session: Int, _ entry: Entry, _ change: PushStream.UserChange) {
        entry.role = change.role
        entry.scope = change.scope
        for (number, told) in entry.told.sorted(by: { $0.key < $1.key }) where !change.scope.contains(told.location) {
            entry.connection.push("closed", [Field("id", ReturnRequest.id(number)), Field("state", told.state.rawValue),
                                             Field("by", change.by)])
            entry.told[number] = nil
        }
        if !change.enabled || ![.supervisor, .finance, .admin].contains(change.role) {
            entry.connection.watching = false
            watchers[session] = nil
        }
    }
}
