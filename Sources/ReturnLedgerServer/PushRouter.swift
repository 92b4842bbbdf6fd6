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
    private var watchers: [Int: (watcher: PushStream.Watcher, connection: Connection)] = [:]

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
                watchers[session] = (watcher, connection)
                connection.watching = true
            case .unwatch(let session):
                watchers[session]?.connection.watching = false
                watchers[session] = nil
            case .change(let change):
                guard !watchers.isEmpty else { continue }
                for session in watchers.keys { deliver(change, to: session) }
            case .user(let change):
                for (session, entry) in watchers where entry.watcher.user == change.name { update(session, change) }
            }
        }
    }

    /// A connection closed: forget it.
    func remove(_ session: Int) { watchers[session] = nil }

    private func deliver(_ c: PushStream.ReturnChange, to session: Int) {
        guard var entry = watchers[session] else { return }
        var w = entry.watcher
        let id = ReturnRequest.id(c.number)
        var lines: [(String, [Field])] = []
        if let told = w.told[c.number], told.state != c.state {
            lines.append(("closed", [Field("id", id), Field("state", c.state.rawValue), Field("by", c.by)]))
            w.told[c.number] = nil
        }
        if w.told[c.number] == nil, w.scope.contains(c.location), c.filedBy != w.user {
            if c.state == .pending, w.role == .supervisor || w.role == .admin {
                lines.append(("pending", [Field("id", id), Field("location", c.location), Field("kind", c.kind.rawValue),
                                          Field("order", c.order), Field("amount", c.amount.description),
                                          Field("reason", c.reason), Field("filed_by", c.filedBy)]))
                w.told[c.number] = (.pending, c.location)
            } else if c.state == .second_review, c.firstApprovedBy != w.user,
                      w.role == .admin || w.role == (c.secondRole ?? .finance) {
                lines.append(("second_review", [Field("id", id), Field("location", c.location),
                                                Field("amount", c.amount.description),
                                                Field("approved_by", c.firstApprovedBy)]))
                w.told[c.number] = (.second_review, c.location)
            }
        }
        guard !lines.isEmpty else { return }
        entry.watcher = w
        watchers[session] = entry
        for (kind, fields) in lines { entry.connection.push(kind, fields) }
    }

    /// The watcher's user changed: new role and locations from now on; what it was told about
    /// outside its new locations is closed. A disabled user stops watching.
    private func update(_ session: Int, _ change: PushStream.UserChange) {
        guard var entry = watchers[session] else { return }
        entry.watcher.role = change.role
        entry.watcher.scope = change.scope
        for (number, told) in entry.watcher.told.sorted(by: { $0.key < $1.key }) where !change.scope.contains(told.location) {
            entry.connection.push("closed", [Field("id", ReturnRequest.id(number)), Field("state", told.state.rawValue),
                                             Field("by", change.by)])
            entry.watcher.told[number] = nil
        }
        watchers[session] = entry
        if !change.enabled || ![.supervisor, .finance, .admin].contains(change.role) {
            entry.connection.watching = false
            watchers[session] = nil
        }
    }
}
