import ReturnLedgerCore

/// Where a watching session's push lines go: its connection on the event loop, or a test's
/// recorder. Loop thread only.
protocol PushSink: AnyObject {
    /// Queues one line; returns the lines that went straight into the output (INFO's `pushed=`
    /// counts those now, the rest when they leave the push queue).
    func push(_ line: EncodedPush) -> Int
    /// Queues a round's lines of a cohort, as pushing them one by one would.
    func push(_ block: PushBlock) -> Int
}

/// Who hears of what (protocol.md: WATCH): the watching sessions of one event loop, which of
/// them a change may concern, and what each was told about; the lines themselves go to each
/// session's `PushSink`. Pure bookkeeping, no sockets, so tests drive it with recorders.
///
/// Sessions that hear exactly the same lines share a `PushCohort`: one decision per change, one
/// block of lines per round and member. A session set apart (it filed or first-approved a change,
/// its user changed, it watched told of something else) is routed on its own, as below.
/// 100 supervisors that each hear of every RETURN and APPROVE, callgrind, the server's
/// instructions per line and watcher: 2,480 with a map per session and one per return (both
/// ways), 780 with audiences, 280 with cohorts (mostly the round's write per watcher).
///
/// ```
/// change ─▶ cohorts of everywhere + cohortsAt[location] ─▶ Review.step once ─▶ the cohort's round
///        ─▶ audiences[number]: who on its own was told what ─▶ each: same state (keep) or `! closed`
///        ─▶ everywhere + atLocation[location]: the rest on their own ─▶ Review.step ─▶ `! pending` / `! second_review`
/// round end ─▶ each cohort's lines, encoded once, to each member (PushBlock)
/// ```
/// What such a session was told lives only in the return's audience (a list of sessions and
/// states), not also in a per-session map: a change looks one return up once, whatever the number
/// of watchers. The rare questions asked per session (its scope changed, it went away) walk the
/// audiences instead. A session that goes away is only marked; its items leave an audience the
/// next time that return changes, or in one sweep once they outnumber the live ones.
final class PushRouting<Sink: PushSink> {
    /// A watching session; a class, so the lists share it and a change marks it in place.
    final class Entry {
        let session: Int
        let user: String
        var role: Role
        var scope: Scope
        let sink: Sink
        /// The change this entry was last visited for, so a change visits it once.
        var visited = 0
        /// False once the session stopped watching: its items in audiences are left to lapse.
        var alive = true
        /// Items of this entry in audiences (returns it was told about).
        var told = 0
        /// The cohort it hears its lines with; nil when routed on its own.
        var cohort: PushCohort<Sink>?
        init(session: Int, user: String, role: Role, scope: Scope, sink: Sink) {
            self.session = session; self.user = user; self.role = role; self.scope = scope; self.sink = sink
        }
    }

    /// One session told about a return, and the state it was told of.
    struct Told {
        let entry: Entry
        var state: ReturnState
    }

    /// The sessions told about one return (its location, for a scope change).
    final class Audience {
        let location: String
        var told: [Told]
        init(location: String, told: [Told]) { self.location = location; self.told = told }
    }

    private var entries: [Int: Entry] = [:]
    /// Sessions by what they may hear of: every location, or one location.
    private var everywhere: [Entry] = []
    private var atLocation: [String: [Entry]] = [:]
    private var audiences: [Int: Audience] = [:]
    private var changes = 0
    /// Items of live sessions, and items of sessions gone that still sit in an audience.
    private(set) var liveItems = 0
    private(set) var deadItems = 0
    /// The next audience being built; its storage is reused from change to change.
    private var scratch: [Told] = []
    /// Cohorts by role and locations, by what they may hear of, and their members by user.
    private var cohorts: [PushCohort<Sink>.Key: PushCohort<Sink>] = [:]
    private var cohortsEverywhere: [PushCohort<Sink>] = []
    private var cohortsAt: [String: [PushCohort<Sink>]] = [:]
    private var inCohortByUser: [String: [Entry]] = [:]

    init() {}

    /// The sink of a watching session.
    func sink(_ session: Int) -> Sink? { entries[session]?.sink }

    var watching: Int { entries.count }

    /// A session starts to watch, told about `told` (return number → state and location): in
    /// the cohort of its role and locations when it was told what that cohort was told. Returns
    /// the lines that went straight into outputs (a cohort's round so far, first).
    @discardableResult
    func watch(session: Int, _ w: PushStream.Watcher, sink: Sink) -> Int {
        var pushed = remove(session)
        let entry = Entry(session: session, user: w.user, role: w.role, scope: w.scope, sink: sink)
        entries[session] = entry
        let key = PushCohort<Sink>.Key(role: w.role, scope: w.scope)
        let told = w.told.mapValues { PushCohort<Sink>.Told(state: $0.state, location: $0.location) }
        if let cohort = cohorts[key] {
            if cohort.told == told {
                pushed += cohort.deliver()  // what the members heard before this WATCH is not its
                join(entry, cohort)
                return pushed
            }
        } else {
            let cohort = PushCohort<Sink>(key: key, told: told)
            cohorts[key] = cohort
            switch key.scope {
            case .everywhere: cohortsEverywhere.append(cohort)
            case .only(let codes): for code in codes { cohortsAt[code, default: []].append(cohort) }
            }
            join(entry, cohort)
            return pushed
        }
        index(entry)
        tell(entry, w.told.map { ($0.key, $0.value.location, $0.value.state) })
        return pushed
    }

    private func join(_ entry: Entry, _ cohort: PushCohort<Sink>) {
        cohort.add(entry)
        entry.cohort = cohort
        inCohortByUser[entry.user, default: []].append(entry)
    }

    /// Takes `entry` out of its cohort, to be routed on its own from now on, told of what the
    /// cohort was told. The members hear the round so far first (this one included), so every
    /// line keeps its place. Returns the lines that went straight into outputs.
    private func leaveCohort(_ entry: Entry) -> Int {
        guard let cohort = entry.cohort else { return 0 }
        let pushed = cohort.deliver()
        cohort.remove(entry)
        entry.cohort = nil
        inCohortByUser[entry.user]?.removeAll { $0 === entry }
        if inCohortByUser[entry.user]?.isEmpty == true { inCohortByUser[entry.user] = nil }
        if cohort.isEmpty { drop(cohort) }
        return pushed
    }

    private func drop(_ cohort: PushCohort<Sink>) {
        cohorts[cohort.key] = nil
        switch cohort.key.scope {
        case .everywhere:
            cohortsEverywhere.removeAll { $0 === cohort }
        case .only(let codes):
            for code in codes {
                cohortsAt[code]?.removeAll { $0 === cohort }
                if cohortsAt[code]?.isEmpty == true { cohortsAt[code] = nil }
            }
        }
    }

    /// `entry` leaves its cohort and is routed on its own, told of what the cohort was told.
    private func detach(_ entry: Entry) -> Int {
        guard let cohort = entry.cohort else { return 0 }
        let pushed = leaveCohort(entry)
        index(entry)
        tell(entry, cohort.told.map { ($0.key, $0.value.location, $0.value.state) })
        return pushed
    }

    /// Records that `entry`, routed on its own, was told of these returns (number, location, state).
    private func tell(_ entry: Entry, _ told: [(number: Int, location: String, state: ReturnState)]) {
        for t in told {
            if let audience = audiences[t.number] {
                audience.told.append(Told(entry: entry, state: t.state))
            } else {
                audiences[t.number] = Audience(location: t.location, told: [Told(entry: entry, state: t.state)])
            }
        }
        entry.told = told.count
        liveItems += told.count
    }

    /// Hands every cohort's round to its members: once a round, after its last change.
    func endRound() -> Int {
        var pushed = 0
        for cohort in cohorts.values { pushed += cohort.deliver() }
        return pushed
    }

    /// A session stops watching (UNWATCH, closed, logged in as another user): what its cohort
    /// heard so far this round still reaches it. Returns the lines that went straight out.
    @discardableResult
    func remove(_ session: Int) -> Int {
        guard let entry = entries.removeValue(forKey: session) else { return 0 }
        entry.alive = false
        if entry.cohort != nil { return leaveCohort(entry) }
        unindex(entry)
        liveItems -= entry.told
        deadItems += entry.told
        entry.told = 0
        if deadItems > 1024, deadItems > liveItems { sweep() }
        return 0
    }

    /// Routes one change; returns the lines that went straight into outputs (a cohort's lines
    /// wait for `endRound`).
    func route(_ c: PushStream.ReturnChange) -> Int {
        changes += 1
        var lines = ChangeLines(c)
        var pushed = 0
        // Members the change names as filer or first approver may hear otherwise than their cohort.
        // (No array of the two names and no look-ups when no cohort exists: this runs per change.)
        if !inCohortByUser.isEmpty {
            for entry in inCohortByUser[c.filedBy] ?? [] { pushed += detach(entry) }
            if !c.firstApprovedBy.isEmpty, c.firstApprovedBy != c.filedBy {
                for entry in inCohortByUser[c.firstApprovedBy] ?? [] { pushed += detach(entry) }
            }
        }
        var next = scratch
        scratch = []
        let audience = audiences[c.number]
        if let audience {
            for item in audience.told {
                let entry = item.entry
                guard entry.alive else { deadItems -= 1; continue }
                entry.visited = changes
                if item.state == c.state {
                    next.append(item)
                    continue
                }
                entry.told -= 1
                liveItems -= 1
                pushed += entry.sink.push(lines.closed)
                pushed += offer(c, to: entry, &lines, &next)
            }
        }
        for entry in everywhere where entry.visited != changes {
            entry.visited = changes
            pushed += offer(c, to: entry, &lines, &next)
        }
        if let here = atLocation[c.location] {
            for entry in here where entry.visited != changes {
                entry.visited = changes
                pushed += offer(c, to: entry, &lines, &next)
            }
        }
        if let audience {
            if next.isEmpty {
                audiences[c.number] = nil
            } else {
                swap(&audience.told, &next)
            }
            next.removeAll(keepingCapacity: true)
            scratch = next
        } else if !next.isEmpty {
            audiences[c.number] = Audience(location: c.location, told: next)
        } else {
            scratch = next
        }
        for cohort in cohortsEverywhere { cohort.route(c, &lines) }
        for cohort in cohortsAt[c.location] ?? [] { cohort.route(c, &lines) }
        return pushed
    }

    /// The line this session may act on now, if any; it is then told of the return.
    private func offer(_ c: PushStream.ReturnChange, to entry: Entry, _ lines: inout ChangeLines, _ next: inout [Told]) -> Int {
        if c.state == .voided {
            // Every watcher whose locations hold it hears of a void (protocol.md, VOID).
            return entry.sink.push(lines.voided)
        }
        switch Review.step(for: entry.user, role: entry.role, scope: entry.scope, state: c.state, location: c.location,
                           filedBy: c.filedBy, firstApprovedBy: c.firstApprovedBy, secondRole: c.secondRole) {
        case .pending?:
            tell(entry, .pending, &next)
            return entry.sink.push(lines.pending)
        case .second_review?:
            tell(entry, .second_review, &next)
            return entry.sink.push(lines.secondReview)
        case nil, .approved?, .inspecting?, .completed?, .rejected?, .cancelled?, .voided?:
            return 0  // nothing this watcher could do about it now
        }
    }

    private func tell(_ entry: Entry, _ state: ReturnState, _ next: inout [Told]) {
        next.append(Told(entry: entry, state: state))
        entry.told += 1
        liveItems += 1
    }

    /// A user changed: each of its watching sessions takes the new role and locations from now
    /// on; what it was told about outside its new locations is closed (in return order). A
    /// disabled user, or one whose new role may not watch, stops watching. Returns the lines
    /// that went straight out, and the sinks of the sessions that stopped.
    func user(_ change: PushStream.UserChange) -> (pushed: Int, stopped: [Sink]) {
        var pushed = 0
        var stopped: [Sink] = []
        for entry in entries.values where entry.user == change.name {
            pushed += detach(entry)
            unindex(entry)
            entry.role = change.role
            entry.scope = change.scope
            index(entry)
            for (number, state) in untell(entry, outside: change.scope) {
                pushed += entry.sink.push(EncodedPush("closed", [Field("id", ReturnRequest.id(number)), Field("state", state.rawValue),
                                                                 Field("by", change.by)]))
            }
            if !change.enabled || !Review.reviews(change.role) {
                stopped.append(entry.sink)
                remove(entry.session)
            }
        }
        return (pushed, stopped)
    }

    /// Takes `entry` out of the audiences of returns outside `scope`; returns what it was told
    /// of them, by return number.
    private func untell(_ entry: Entry, outside scope: Scope) -> [(Int, ReturnState)] {
        guard entry.told > 0 else { return [] }
        var closed: [(Int, ReturnState)] = []
        var emptied: [Int] = []
        for (number, audience) in audiences where !scope.contains(audience.location) {
            guard let i = audience.told.firstIndex(where: { $0.entry === entry }) else { continue }
            closed.append((number, audience.told[i].state))
            audience.told.remove(at: i)
            if audience.told.isEmpty { emptied.append(number) }
        }
        for number in emptied { audiences[number] = nil }
        entry.told -= closed.count
        liveItems -= closed.count
        return closed.sorted { $0.0 < $1.0 }
    }

    /// Drops the items of sessions gone from every audience.
    private func sweep() {
        var emptied: [Int] = []
        for (number, audience) in audiences {
            audience.told.removeAll { !$0.entry.alive }
            if audience.told.isEmpty { emptied.append(number) }
        }
        for number in emptied { audiences[number] = nil }
        deadItems = 0
    }

    private func index(_ entry: Entry) {
        switch entry.scope {
        case .everywhere: everywhere.append(entry)
        case .only(let codes): for code in codes { atLocation[code, default: []].append(entry) }
        }
    }

    private func unindex(_ entry: Entry) {
        switch entry.scope {
        case .everywhere:
            everywhere.removeAll { $0 === entry }
        case .only(let codes):
            for code in codes {
                atLocation[code]?.removeAll { $0 === entry }
                if atLocation[code]?.isEmpty == true { atLocation[code] = nil }
            }
        }
    }

    /// What the audiences hold, for tests: return number → session → state told.
    var audienceMap: [Int: [Int: ReturnState]] {
        var all: [Int: [Int: ReturnState]] = [:]
        for (number, audience) in audiences {
            for item in audience.told where item.entry.alive { all[number, default: [:]][item.entry.session] = item.state }
        }
        for cohort in cohorts.values {
            for member in cohort.members {
                for (number, told) in cohort.told { all[number, default: [:]][member.session] = told.state }
            }
        }
        return all.filter { !$0.value.isEmpty }
    }
}

/// The push lines of one change, each made the first time a watcher gets it and shared by the
/// rest.
struct ChangeLines {
    private let c: PushStream.ReturnChange
    private var made: (closed: EncodedPush?, pending: EncodedPush?, secondReview: EncodedPush?, voided: EncodedPush?)

    init(_ c: PushStream.ReturnChange) {
        self.c = c
        made = (nil, nil, nil, nil)
    }

    var closed: EncodedPush {
        mutating get {
            if let line = made.closed { return line }
            let line = EncodedPush("closed", [Field("id", ReturnRequest.id(c.number)), Field("state", c.state.rawValue), Field("by", c.by)])
            made.closed = line
            return line
        }
    }

    var pending: EncodedPush {
        mutating get {
            if let line = made.pending { return line }
            let line = EncodedPush("pending", [Field("id", ReturnRequest.id(c.number)), Field("location", c.location),
                                               Field("kind", c.kind.rawValue), Field("order", c.order),
                                               Field("amount", c.amount.description), Field("reason", c.reason),
                                               Field("filed_by", c.filedBy)])
            made.pending = line
            return line
        }
    }

    var secondReview: EncodedPush {
        mutating get {
            if let line = made.secondReview { return line }
            let line = EncodedPush("second_review", [Field("id", ReturnRequest.id(c.number)), Field("location", c.location),
                                                     Field("amount", c.amount.description), Field("approved_by", c.firstApprovedBy)])
            made.secondReview = line
            return line
        }
    }

    var voided: EncodedPush {
        mutating get {
            if let line = made.voided { return line }
            let line = EncodedPush("voided", [Field("id", ReturnRequest.id(c.number)), Field("doc", c.voidDoc), Field("location", c.location),
                                              Field("by", c.by)])
            made.voided = line
            return line
        }
    }
}
