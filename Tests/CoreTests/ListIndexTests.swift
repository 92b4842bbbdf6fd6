import ReturnLedgerCore
import Testing
import TestSupport

/// LIST's rows (`ReturnListIndex`): kept by `apply` through every change of state, equal to the
/// rows rebuilt from the returns, and answering every filter and scope as a walk of the returns
/// themselves does (the model here: the returns filtered field by field, newest first).
@Suite struct ListIndexTests {
    /// A random history at two stores and a warehouse, over several days, reaching every state:
    /// pending, approved, inspecting, completed, rejected, cancelled, second review, voided.
    static func history(_ seed: UInt64) -> Desk {
        var random = SeededGenerator(seed: seed)
        var desk = Desk.shop()
        desk.ok(.userAdd(name: "lead2", role: .supervisor, passwordHash: "$y$x"))
        desk.ok(.userScope(name: "lead2", locations: Scope(["STORE2"])))
        desk.ok(RuleTests.rule("BIG", .second, min: "100.00"))
        desk.ok(Desk.purchase("P1", at: "WH1", item("A100", 50)))
        desk.ok(Desk.purchase("P2", at: "STORE2", item("B300", 50)))
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 300), item("B300", 100)))
        desk.ok(Desk.sale("S2", at: "STORE2", customer: "C2", item("B300", 40), item("C400", 60)))
        let filings: [Command] = [Desk.ret("S1", item("A100", 1)), Desk.ret("S1", item("B300", 1)),
                                  Desk.ret("S2", item("C400", 2), location: "STORE2"), Desk.ret("S2", item("B300", 2), location: "STORE2"),
                                  Desk.ret("P1", item("A100", 1)), Desk.ret("S1", item("A100", 5))]
        for _ in 0..<80 {
            if random.next() % 4 == 0 { desk.now.seconds += 86_400 }
            desk.now.seconds += 60
            let filed = desk.run(filings[Int(random.next() % UInt64(filings.count))], as: "clerk1")
            guard case .success(let reply) = filed, let id = reply["id"] else { continue }
            switch random.next() % 7 {
            case 0: break  // pending
            case 1: desk.run(.reject(id: id, note: "no"), as: "sup1")
            case 2: desk.run(.cancel(id: id), as: "clerk1")
            case 3, 4:
                // Approved (B300 to inspection; over 100.00 to second review, then its second approval).
                desk.run(.approve(id: id, refund: nil, note: ""), as: "sup1")
                if (try? desk.ledger.returnRequest(id))?.state == .second_review, random.next() % 2 == 0 {
                    desk.run(.approve(id: id, refund: nil, note: ""), as: "sup2")
                }
                if (try? desk.ledger.returnRequest(id))?.state == .inspecting, random.next() % 2 == 0 {
                    desk.run(.inspect(id: id, disposition: .restock, note: ""), as: "sup1")
                }
            default:
                desk.run(.approve(id: id, refund: nil, note: ""), as: "sup1")
                if (try? desk.ledger.returnRequest(id))?.state == .approved, random.next() % 2 == 0 {
                    desk.lineOK("VOID \(id) reason=DEFECTIVE note=wrong", as: "sup2")
                }
            }
        }
        // Then each state once for certain.
        desk.ok(Desk.sale("S9", customer: "C1", item("A100", 10), item("B300", 2)))
        func file(_ item: ItemSpec) -> String { desk.ok(Desk.ret("S9", item), as: "clerk1")["id"]! }
        _ = file(item("A100", 1))
        desk.ok(.reject(id: file(item("A100", 1)), note: "no"), as: "sup1")
        desk.ok(.cancel(id: file(item("A100", 1))), as: "clerk1")
        desk.ok(.approve(id: file(item("A100", 1)), refund: nil, note: ""), as: "sup1")
        let voided = file(item("A100", 1))
        desk.ok(.approve(id: voided, refund: nil, note: ""), as: "sup1")
        desk.lineOK("VOID \(voided) reason=DEFECTIVE note=wrong", as: "sup2")
        desk.ok(.approve(id: file(item("B300", 1)), refund: nil, note: ""), as: "sup1")
        let completed = file(item("B300", 1))
        desk.ok(.approve(id: completed, refund: nil, note: ""), as: "sup1")
        desk.ok(.inspect(id: completed, disposition: .restock, note: ""), as: "sup1")
        desk.ok(.approve(id: file(item("A100", 5)), refund: nil, note: ""), as: "sup1")
        return desk
    }

    @Test func rowsKeptByApplyEqualRowsRebuiltAndReplayed() {
        let desk = ListIndexTests.history(testSeed("rowsKeptByApplyEqualRowsRebuiltAndReplayed"))
        let states = Set(desk.ledger.returns.map(\.state))
        #expect(states == Set(ReturnState.allCases), "the history reaches every state: \(states)")
        var rebuilt = desk.ledger
        rebuilt.rebuildIndexes()
        #expect(rebuilt.listIndex == desk.ledger.listIndex)
        desk.expectReplays()
    }

    @Test func everyFilterAndScopeAnswersAsTheReturnsSay() {
        let seed = testSeed("everyFilterAndScopeAnswersAsTheReturnsSay")
        var desk = ListIndexTests.history(seed)
        var random = SeededGenerator(seed: seed &+ 1)
        let days = Set(desk.ledger.returns.map { desk.ledger.policy.calendar.day(of: $0.filedAt) }).sorted()
        func pick<T>(_ values: [T?]) -> T? { values[Int(random.next() % UInt64(values.count))] }
        for _ in 0..<300 {
            let from = pick([nil, days.first, days[days.count / 2]]).map { CivilDate(daysSinceEpoch: $0) }
            let to = pick([nil, days[days.count / 3], days.last]).map { CivilDate(daysSinceEpoch: $0) }
            let filter = ReturnFilter(state: pick([nil] + ReturnState.allCases), kind: pick([nil, .sale, .purchase]),
                                      location: pick([nil, "STORE1", "STORE2", "WH1", "NOWHERE"]), from: from, to: to,
                                      limit: pick([1, 5, 1000])!,
                                      before: pick([nil, "R000040", "R000001", ReturnRequest.id(desk.ledger.returns.count)]))
            let user = pick(["admin", "lead2"])!
            if user == "lead2", let location = filter.location, location != "STORE2" { continue }  // DENIED: not this test's
            let expected = desk.ledger.returns.filter { r in
                let day = desk.ledger.policy.calendar.day(of: r.filedAt)
                return (user == "admin" || r.location == "STORE2") && (filter.state ?? r.state) == r.state
                    && (filter.kind ?? r.kind) == r.kind && (filter.location ?? r.location) == r.location
                    && day >= (filter.from?.daysSinceEpoch ?? .min) && day <= (filter.to?.daysSinceEpoch ?? .max)
            }.map(\.number).reversed()
            let end = filter.before.flatMap(ReturnRequest.number) ?? Int.max
            let page = Array(expected.filter { $0 < end }.prefix(filter.limit + 1))
            let reply = desk.ok(.list(filter), as: user)
            let context = "seed \(seed) \(user) \(filter)"
            #expect(reply.lines.map { $0[0].value } == page.prefix(filter.limit).map(ReturnRequest.id), "\(context)")
            #expect(reply["total"] == String(expected.count), "\(context)")
            #expect(reply["next"] == (page.count > filter.limit ? ReturnRequest.id(page[filter.limit - 1]) : ""), "\(context)")
        }
    }
}
