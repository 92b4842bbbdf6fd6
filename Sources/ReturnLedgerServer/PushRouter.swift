import ReturnLedgerCore
import ReturnLedgerWire

/// Routes the push stream to the watching sessions of one event loop (protocol.md: WATCH), on
/// the loop thread: which session hears of which change is decided here, not on the writer
/// queue, so 1,000 watchers cost the writer one append per change. Runs after every advance of
/// the durable sequence, after the replies that advance released: a push never comes before the
/// reply of the request that caused it, and never before its change is durable.
///
/// A change visits only the sessions it may concern: those whose locations hold the return's, and
/// those told about that return (for `! closed`). A chain's watchers at quiet stores cost a busy
/// store nothing per change.
final class PushRouter {
    private let stream: PushStream
    private unowned let server: Server
    private unowned let loop: EventLoop

    /// A watching session; a class, so its told-about set is changed in place, never copied.
    private final class Entry {
        let session: Int
        let user: String
        var role: Role
        var scope: Scope
        var told: [Int: (state: ReturnState, location: String)]
        let connection: Connection
        /// The change this entry was last visited for, so a change visits it once.
        var visited = 0
        init(_ session: Int, _ w: PushStream.Watcher, _ connection: Connection) {
            self.session = session; user = w.user; role = w.role; scope = w.scope; told = w.told
            self.connection = connection
        }
    }

    private var watchers: [Int: Entry] = [:]
    /// Sessions by what they may hear of: every location, one location, one return told about.
    private var everywhere: [Int: Entry] = [:]
    private var atLocation: [String: [Int: Entry]] = [:]
    private var toldAbout: [Int: [Int: Entry]] = [:]
    private var changes = 0
    /// The push lines of the change being routed, made for the first watcher that gets each.
    private var lines = ChangeLines()

    private struct ChangeLines {
        var closed: EncodedPush?
        var pending: EncodedPush?
        var secondReview: EncodedPush?
        var voided: EncodedPush?
    }

    init(stream: PushStream, server: Server, loop: EventLoop) {
        self.stream = stream
        self.server = server
        self.loop = loop
    }

    /// Loop thread: routes everything durable by `seq`.
    func route(upTo seq: UInt64) {
        for item in stream.take(upTo: seq) {
            switch item {
            case .watch(let session, let watcher):
                // Every loop hears of every WATCH; the session's own loop takes it.
                guard let connection = server.connection(session), connection.loop === loop else { continue }
                remove(session)
                let entry = Entry(session, watcher, connection)
                watchers[session] = entry
                index(entry)
                for number in entry.told.keys { toldAbout[number, default: [:]][session] = entry }
                connection.watching = true
            case .unwatch(let session):
                watchers[session]?.connection.watching = false
                remove(session)
            case .change(let change):
                changes += 1
                lines = ChangeLines()
                visit(everywhere, change)
                if let here = atLocation[change.location] { visit(here, change) }
                if let told = toldAbout[change.number] { visit(told, change) }
            case .user(let change):
                for entry in watchers.values where entry.user == change.name { update(entry, change) }
            }
        }
    }

    /// A connection closed, or stopped watching: forget it.
    func remove(_ session: Int) {
        guard let entry = watchers.removeValue(forKey: session) else { return }
        unindex(entry)
        for number in entry.told.keys { forget(number, entry) }
    }

    private func index(_ entry: Entry) {
        switch entry.scope {
        case .everywhere: everywhere[entry.session] = entry
        case .only(let codes): for code in codes { atLocation[code, default: [:]][entry.session] = entry }
        }
    }

    private func unindex(_ entry: Entry) {
        everywhere[entry.session] = nil
        for code in entry.scope.codes {
            atLocation[code]?[entry.session] = nil
            if atLocation[code]?.isEmpty == true { atLocation[code] = nil }
        }
    }

    private func forget(_ number: Int, _ entry: Entry) {
        toldAbout[number]?[entry.session] = nil
        if toldAbout[number]?.isEmpty == true { toldAbout[number] = nil }
    }

    private func visit(_ entries: [Int: Entry], _ change: PushStream.ReturnChange) {
        for entry in entries.values where entry.visited != changes {
            entry.visited = changes
            deliver(change, to: entry)
        }
    }

    private func deliver(_ c: PushStream.ReturnChange, to entry: Entry) {
        if let told = entry.told[c.number], told.state != c.state {
            entry.told[c.number] = nil
            forget(c.number, entry)
            entry.connection.push(line(\.closed) {
                EncodedPush("closed", [Field("id", ReturnRequest.id(c.number)), Field("state", c.state.rawValue), Field("by", c.by)])
            })
        }
        guard entry.told[c.number] == nil else { return }
        if c.state == .voided {
            // Every watcher whose locations hold it hears of a void (protocol.md, VOID).
            entry.connection.push(line(\.voided) {
                EncodedPush("voided", [Field("id", ReturnRequest.id(c.number)), Field("doc", c.voidDoc), Field("location", c.location),
                                       Field("by", c.by)])
            })
            return
        }
        switch Review.step(for: entry.user, role: entry.role, scope: entry.scope, state: c.state, location: c.location,
                           filedBy: c.filedBy, firstApprovedBy: c.firstApprovedBy, secondRole: c.secondRole) {
        case .pending?:
            tell(entry, c.number, .pending, c.location)
            entry.connection.push(line(\.pending) {
                EncodedPush("pending", [Field("id", ReturnRequest.id(c.number)), Field("location", c.location),
                                        Field("kind", c.kind.rawValue), Field("order", c.order),
                                        Field("amount", c.amount.description), Field("reason", c.reason),
                                        Field("filed_by", c.filedBy)])
            })
        case .second_review?:
            tell(entry, c.number, .second_review, c.location)
            entry.connection.push(line(\.secondReview) {
                EncodedPush("second_review", [Field("id", ReturnRequest.id(c.number)), Field("location", c.location),
                                              Field("amount", c.amount.description), Field("approved_by", c.firstApprovedBy)])
            })
        case nil, .approved?, .inspecting?, .completed?, .rejected?, .cancelled?, .voided?:
            break  // nothing this watcher could do about it now
        }
    }

    /// The change's line of one kind, made on first use.
    private func line(_ kind: WritableKeyPath<ChangeLines, EncodedPush?>, _ make: () -> EncodedPush) -> EncodedPush {
        if let made = lines[keyPath: kind] { return made }
        let made = make()
        lines[keyPath: kind] = made
        return made
    }

    private func tell(_ entry: Entry, _ number: Int, _ state: ReturnState, _ location: String) {
        entry.told[number] = (state, location)
        toldAbout[number, default: [:]][entry.session] = entry
    }

    /// The watcher's user changed: new role and locations from now on; what it was told about
    /// outside its new locations is closed. A disabled user, or one whose new role may not
    /// watch, stops watching.
    private func update(_ entry: Entry, _ change: PushStream.UserChange) {
        unindex(entry)
        entry.role = change.role
        entry.scope = change.scope
        index(entry)
        for (number, told) in entry.told.sorted(by: { $0.key < $1.key }) where !change.scope.contains(told.location) {
            entry.connection.push("closed", [Field("id", ReturnRequest.id(number)), Field("state", told.state.rawValue),
                                             Field("by", change.by)])
            entry.told[number] = nil
            forget(number, entry)
        }
        if !change.enabled || !Review.reviews(change.role) {
            entry.connection.watching = false
            remove(entry.session)
        }
    }
}
