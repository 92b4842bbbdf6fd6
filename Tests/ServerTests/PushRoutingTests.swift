import ReturnLedgerCore
@testable import ReturnLedgerServer
import Testing

/// Who hears of what, without sockets: `PushRouting` against a plain model of WATCH's rules (the
/// router as it was before it kept what a session was told in the returns' audiences: a map per
/// session and one per return), over seeded random watches, changes, user changes and unwatches.
/// Every session must get exactly the same lines, in the same order, and be told of the same
/// returns.
@Suite struct PushRoutingTests {
    final class Recorder: PushSink {
        var lines: [String] = []
        func push(_ line: EncodedPush) -> Int {
            lines.append(String(decoding: line.bytes(crlf: false), as: UTF8.self))
            return 1
        }
        func push(_ block: PushBlock) -> Int {
            for line in block.each { _ = push(line) }
            return block.count
        }
    }

    /// WATCH's rules written plainly, one session at a time.
    final class Model {
        struct Watcher {
            let user: String
            var role: Role
            var scope: Scope
            var told: [Int: (state: ReturnState, location: String)]
            let sink: Recorder
        }
        var watchers: [Int: Watcher] = [:]

        func route(_ c: PushStream.ReturnChange) {
            for session in watchers.keys.sorted() {
                guard var w = watchers[session] else { continue }
                let told = w.told[c.number]
                guard told != nil || w.scope.contains(c.location) else { continue }
                if let told, told.state != c.state {
                    w.told[c.number] = nil
                    w.sink.lines.append(line("closed", [("id", ReturnRequest.id(c.number)), ("state", c.state.rawValue), ("by", c.by)]))
                }
                if w.told[c.number] == nil {
                    if c.state == .voided {
                        w.sink.lines.append(line("voided", [("id", ReturnRequest.id(c.number)), ("doc", c.voidDoc), ("location", c.location),
                                                            ("by", c.by)]))
                    } else {
                        switch Review.step(for: w.user, role: w.role, scope: w.scope, state: c.state, location: c.location,
                                           filedBy: c.filedBy, firstApprovedBy: c.firstApprovedBy, secondRole: c.secondRole) {
                        case .pending?:
                            w.told[c.number] = (.pending, c.location)
                            w.sink.lines.append(line("pending", [("id", ReturnRequest.id(c.number)), ("location", c.location),
                                                                 ("kind", c.kind.rawValue), ("order", c.order),
                                                                 ("amount", c.amount.description), ("reason", c.reason),
                                                                 ("filed_by", c.filedBy)]))
                        case .second_review?:
                            w.told[c.number] = (.second_review, c.location)
                            w.sink.lines.append(line("second_review", [("id", ReturnRequest.id(c.number)), ("location", c.location),
                                                                       ("amount", c.amount.description),
                                                                       ("approved_by", c.firstApprovedBy)]))
                        default:
                            break
                        }
                    }
                }
                watchers[session] = w
            }
        }

        /// Returns the sessions that stopped watching.
        func user(_ change: PushStream.UserChange) -> [Int] {
            var stopped: [Int] = []
            for session in watchers.keys.sorted() {
                guard var w = watchers[session], w.user == change.name else { continue }
                w.role = change.role
                w.scope = change.scope
                for (number, told) in w.told.sorted(by: { $0.key < $1.key }) where !change.scope.contains(told.location) {
                    w.sink.lines.append(line("closed", [("id", ReturnRequest.id(number)), ("state", told.state.rawValue), ("by", change.by)]))
                    w.told[number] = nil
                }
                watchers[session] = w
                if !change.enabled || !Review.reviews(change.role) {
                    watchers[session] = nil
                    stopped.append(session)
                }
            }
            return stopped
        }

        func line(_ kind: String, _ fields: [(String, String)]) -> String {
            String(decoding: EncodedPush(kind, fields.map { Field($0.0, $0.1) }).bytes(crlf: false), as: UTF8.self)
        }

        var told: [Int: [Int: ReturnState]] {
            var all: [Int: [Int: ReturnState]] = [:]
            for (session, w) in watchers { for (number, t) in w.told { all[number, default: [:]][session] = t.state } }
            return all
        }
    }

    /// SplitMix64: the same sequence for a seed on every run.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let users = ["sup1", "sup2", "sup3", "fin1", "adm1", "clerk1"]
    static let locations = ["S1", "S2", "S3"]

    static func scope(_ g: inout Seeded) -> Scope {
        if Int.random(in: 0..<3, using: &g) == 0 { return .everywhere }
        let codes = locations.filter { _ in Bool.random(using: &g) }
        return Scope(codes.isEmpty ? [locations.randomElement(using: &g)!] : codes)
    }

    static func role(_ g: inout Seeded) -> Role { [Role.supervisor, .supervisor, .finance, .admin, .clerk].randomElement(using: &g)! }

    @Test(arguments: 0..<200)
    func routesExactlyAsThePlainRules(seed: UInt64) {
        var g = Seeded(state: seed)
        let routing = PushRouting<Recorder>()
        let model = Model()
        var sinks: [Int: (new: Recorder, old: Recorder)] = [:]
        /// What each return is now, so the WATCH of a new session is told of the right ones.
        var returns: [Int: PushStream.ReturnChange] = [:]
        var nextSession = 1
        for _ in 0..<400 {
            switch Int.random(in: 0..<20, using: &g) {
            case 0..<3:
                // A session starts watching (or watches again): told of what it could act on now.
                let session = sinks.isEmpty || Bool.random(using: &g) ? nextSession : sinks.keys.sorted().randomElement(using: &g)!
                if session == nextSession { nextSession += 1 }
                let user = Self.users.randomElement(using: &g)!, role = Self.role(&g), scope = Self.scope(&g)
                var told: [Int: (state: ReturnState, location: String)] = [:]
                for (number, r) in returns {
                    if let step = Review.step(for: user, role: role, scope: scope, state: r.state, location: r.location,
                                              filedBy: r.filedBy, firstApprovedBy: r.firstApprovedBy, secondRole: r.secondRole) {
                        told[number] = (step, r.location)
                    }
                }
                let pair = sinks[session] ?? (Recorder(), Recorder())
                sinks[session] = pair
                let watcher = PushStream.Watcher(user: user, role: role, scope: scope, told: told)
                routing.watch(session: session, watcher, sink: pair.0)
                model.watchers[session] = Model.Watcher(user: user, role: role, scope: scope, told: told, sink: pair.1)
            case 3:
                guard let session = sinks.keys.sorted().randomElement(using: &g) else { continue }
                routing.remove(session)
                model.watchers[session] = nil
            case 4:
                let change = PushStream.UserChange(name: Self.users.randomElement(using: &g)!, role: Self.role(&g), scope: Self.scope(&g),
                                                   enabled: Int.random(in: 0..<4, using: &g) > 0, by: "admin")
                let stopped = routing.user(change).stopped
                let modelStopped = model.user(change)
                #expect(stopped.count == modelStopped.count)
            default:
                let number = Int.random(in: 1...12, using: &g)
                let location = returns[number]?.location ?? Self.locations.randomElement(using: &g)!
                let c = PushStream.ReturnChange(
                    number: number, state: ReturnState.allCases.randomElement(using: &g)!, location: location, kind: .sale,
                    order: "S-\(number)", amount: Money(minor: Int64(number) * 250), reason: "DEFECTIVE",
                    filedBy: Self.users.randomElement(using: &g)!, firstApprovedBy: Bool.random(using: &g) ? "" : Self.users.randomElement(using: &g)!,
                    secondRole: Bool.random(using: &g) ? nil : .finance, by: Self.users.randomElement(using: &g)!,
                    voidDoc: "RT-20261206-\(number)")
                returns[number] = c
                _ = routing.route(c)
                model.route(c)
            }
            // A round ends after some changes, not each: cohorts hand their lines over then.
            guard Int.random(in: 0..<3, using: &g) == 0 else { continue }
            _ = routing.endRound()
            for (session, pair) in sinks where pair.new.lines != pair.old.lines {
                Issue.record("seed \(seed), session \(session): \(pair.new.lines.suffix(3)) against \(pair.old.lines.suffix(3))")
                return
            }
            #expect(routing.audienceMap == model.told, "seed \(seed)")
        }
        _ = routing.endRound()
        for (session, pair) in sinks where pair.new.lines != pair.old.lines {
            Issue.record("seed \(seed), session \(session): \(pair.new.lines.suffix(3)) against \(pair.old.lines.suffix(3))")
        }
        #expect(routing.watching == model.watchers.count)
    }

    /// Sessions that went away leave the audiences, at the latest in one sweep once their items
    /// outnumber the live ones: a watcher reconnecting all day holds no memory for it.
    @Test func itemsOfSessionsGoneAreSwept() {
        let routing = PushRouting<Recorder>()
        let sink = Recorder()
        var told: [Int: (state: ReturnState, location: String)] = [:]
        for number in 1...600 { told[number] = (.pending, "S1") }
        for session in 1...10 {
            routing.watch(session: session, PushStream.Watcher(user: "sup1", role: .supervisor, scope: .everywhere, told: told), sink: sink)
            routing.remove(session)
        }
        #expect(routing.liveItems == 0)
        #expect(routing.deadItems < 2 * 600)
        #expect(routing.audienceMap.isEmpty)
    }
}
