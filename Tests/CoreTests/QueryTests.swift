@testable import ReturnLedgerCore
import TestSupport
import Testing

@Suite struct QueryTests {
    @Test func stockListsEachLocationAndBatchWithTotals() {
        var desk = Desk.shop()
        desk.ok(Desk.purchase("P1", at: "WH1", item("C400", 10, batch: "LOT7"), item("C400", 4, batch: "LOT8")))
        desk.ok(Desk.purchase("P2", at: "STORE1", item("C400", 3, batch: "LOT7"), item("A100", 2)))
        let bySku = desk.ok(.stock(sku: "C400", location: nil))
        #expect(bySku.lines.map { $0.map(\.value) } == [
            ["C400", "STORE1", "3", "0", "LOT7", "0", "0", "0"], ["C400", "WH1", "10", "0", "LOT7", "0", "0", "0"],
            ["C400", "WH1", "4", "0", "LOT8", "0", "0", "0"],
        ])
        #expect(bySku["on_hand"] == "17")
        #expect(desk.ok(.stock(sku: "C400", location: "WH1"))["on_hand"] == "14")
        let byLocation = desk.ok(.stock(sku: nil, location: "STORE1"))
        #expect(byLocation.lines.map { $0[0].value } == ["A100", "C400"])
        #expect(byLocation.lines[0].count == 7)  // no batch field where there is none
        #expect(desk.fails(.stock(sku: "NOPE", location: nil)) == .NOT_FOUND)
        #expect(desk.fails(.stock(sku: nil, location: "NOPE")) == .NOT_FOUND)
    }

    @Test func listIsNewestFirstAndFiltered() {
        var desk = FilingTests.sold()
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")
        desk.ok(Desk.ret("S1", item("A100", 1), location: "STORE2"), as: "clerk2")
        desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")
        let all = desk.ok(.list(ReturnFilter()))
        #expect(all.lines.map { $0[0].value } == ["R000002", "R000001"])
        #expect(all["count"] == "2")
        #expect(desk.ok(.list(ReturnFilter(state: .pending))).lines.map { $0[0].value } == ["R000002"])
        #expect(desk.ok(.list(ReturnFilter(location: "STORE2")))["count"] == "1")
        #expect(desk.ok(.list(ReturnFilter(kind: .purchase)))["count"] == "0")
        #expect(desk.ok(.list(ReturnFilter(limit: 1)))["count"] == "1")
        var many = Desk.shop()
        many.ok(Desk.sale("S1", item("A100", 200)))
        for _ in 0..<150 { many.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1") }
        let page = many.ok(.list(ReturnFilter()))  // protocol.md: limit defaults to 100, newest first
        #expect(page["count"] == "100")
        #expect(page.lines.first?.first?.value == "R000150")
        #expect(desk.ok(.list(ReturnFilter(from: CivilDate(parsing: "2026-11-30"))))["count"] == "0")
        #expect(desk.ok(.list(ReturnFilter(to: CivilDate(parsing: "2026-11-29"))))["count"] == "2")
    }

    @Test func showTellsTheWholeStory() {
        var desk = FilingTests.sold()
        desk.ok(Desk.ret("S1", item("A100", 2), note: "包装破损"), as: "clerk1")
        desk.now.seconds += 90
        desk.ok(.approve(id: "R000001", refund: nil, note: "fine"), as: "sup1")
        let show = desk.ok(.show(id: "R000001"))
        #expect(show.status.map(\.key) == ["id", "state", "kind", "order", "party", "location", "amount", "reason",
                                          "filed_by", "filed_at", "doc", "rules", "exchange", "override", "late", "taken_at",
                                          "till", "tax", "void", "tender_override", "rma", "source", "expected", "received",
                                          "credit_ref", "overridden", "archive"])
        #expect(show.lines.count == 3)
        #expect(show.lines[0].map(\.key) == ["", "sku", "qty", "batch", "price", "amount", "tax_rate", "tax", "serials", "quarantine"])
        #expect(show.lines[1].map(\.value) == ["event", "2026-11-29T10:00:00Z", "clerk1", "filed", "包装破损"])
        #expect(show.lines[2].map(\.value) == ["event", "2026-11-29T10:01:30Z", "sup1", "approved", "fine"])
        #expect(desk.fails(.show(id: "R000002")) == .NOT_FOUND)
        #expect(desk.fails(.show(id: "X")) == .NOT_FOUND)
    }

    @Test func noticesFilterByPartyAndDate() {
        var desk = FilingTests.sold()
        desk.ok(Desk.sale("S2", customer: "C2", item("A100", 1)))
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")
        desk.ok(Desk.ret("S2", item("A100", 1)), as: "clerk1")
        desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")
        desk.ok(.approve(id: "R000002", refund: .credit, note: ""), as: "sup1")
        #expect(desk.ok(.notices(party: nil, from: nil)).lines.count == 2)
        let c2 = desk.ok(.notices(party: "C2", from: nil))
        #expect(c2.lines.count == 1)
        #expect(c2.lines[0].map(\.key) == ["id", "at", "party", "kind", "doc", "amount", "text"])
        #expect(c2.lines[0][3].value == "credit_note")
        #expect(desk.ok(.notices(party: nil, from: CivilDate(parsing: "2026-11-30"))).lines.isEmpty)
        #expect(desk.fails(.notices(party: "ZZ", from: nil)) == .NOT_FOUND)
    }

    @Test func statsGroupCountAndTime() {
        var desk = Desk.shop()
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 10), item("A200", 10)))
        desk.ok(Desk.ret("S1", item("A100", 2), reason: "DEFECTIVE"), as: "clerk1")
        desk.ok(Desk.ret("S1", item("A100", 1), reason: "DEFECTIVE"), as: "clerk2")
        desk.ok(Desk.ret("S1", item("A200", 1), reason: "CHANGED_MIND"), as: "clerk1")
        desk.ok(Desk.ret("S1", item("A200", 1), reason: "DAMAGED"), as: "clerk1")
        desk.now.seconds += 60
        desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")
        desk.now.seconds += 60
        desk.ok(.approve(id: "R000002", refund: nil, note: ""), as: "sup1")
        desk.now.seconds += 180
        desk.ok(.approve(id: "R000003", refund: nil, note: ""), as: "sup1")
        desk.ok(.reject(id: "R000004", note: "used"), as: "sup1")

        let byReason = desk.ok(.stats(StatsQuery(by: .reason)))
        #expect(byReason.lines.map { $0.map(\.value) } == [
            ["DEFECTIVE", "2", "3", "75.00", "0.6667"], ["CHANGED_MIND", "1", "1", "39.90", "0.3333"],
        ])
        #expect(byReason["filed"] == "4")
        #expect(byReason["approved"] == "3")
        #expect(byReason["rejected"] == "1")
        #expect(byReason["pending"] == "0")
        #expect(byReason["amount"] == "114.90")
        #expect(byReason["return_rate"] == "0.2000")  // 4 of 20 sold
        #expect(byReason["approve_p50_s"] == "120")   // 60, 120, 300
        #expect(byReason["approve_p90_s"] == "300")
        #expect(desk.ok(.stats(StatsQuery(by: .clerk))).lines.map { $0[0].value } == ["clerk1", "clerk2"])
        #expect(desk.ok(.stats(StatsQuery(by: .sku))).lines.map { $0.prefix(3).map(\.value) } == [["A100", "2", "3"], ["A200", "1", "1"]])
        #expect(desk.ok(.stats(StatsQuery(by: .day))).lines.map { $0[0].value } == ["2026-11-29"])
        #expect(desk.ok(.stats(StatsQuery(from: CivilDate(parsing: "2026-11-30"))))["filed"] == "0")
        #expect(desk.ok(.stats(StatsQuery(kind: .purchase)))["filed"] == "0")
    }

    @Test func theStatsIndexEqualsOneRebuiltFromTheRecords() throws {
        var desk = SupplierReturnTests.stocked()
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 9), item("B300", 3)))
        for (i, reason) in ["DEFECTIVE", "DAMAGED", "DEFECTIVE", "WRONG_ITEM", "OTHER"].enumerated() {
            desk.now.seconds += 3600 * 7
            desk.ok(Desk.ret("S1", item(i % 2 == 0 ? "A100" : "B300", 1), reason: reason), as: i % 2 == 0 ? "clerk1" : "clerk2")
        }
        desk.ok(Desk.ret("P1", item("A100", 2)), as: "clerk1")
        desk.now.seconds += 50
        desk.ok(.approve(id: "R000005", refund: nil, note: ""), as: "sup1")   // approved out of filing order
        desk.ok(.approve(id: "R000001", refund: .credit, note: ""), as: "sup1")
        desk.ok(.approve(id: "R000002", refund: nil, note: ""), as: "sup2")
        desk.ok(.inspect(id: "R000002", disposition: .scrap, note: ""), as: "sup2")
        desk.ok(.reject(id: "R000003", note: "worn"), as: "sup1")
        desk.ok(.cancel(id: "R000004"), as: "clerk2")
        desk.ok(.approve(id: "R000006", refund: nil, note: ""), as: "sup2")
        var rebuilt = desk.ledger
        rebuilt.rebuildIndexes()
        #expect(rebuilt.stats == desk.ledger.stats)
        #expect(rebuilt.stats.buckets.count >= 3)  // several filing days and both kinds
        for by in StatsGrouping.allCases {
            let context = Context(user: "fin1", role: .finance, peer: "test", now: desk.now)
            #expect(try rebuilt.query(.stats(StatsQuery(by: by)), context) == desk.ledger.query(.stats(StatsQuery(by: by)), context))
        }
        let purchases = desk.ok(.stats(StatsQuery(kind: .purchase)))
        #expect(purchases["filed"] == "1" && purchases["approved"] == "1" && purchases["return_rate"] == "0.0000")
    }

    @Test func percentilesBySelectionEqualSorting() {
        let seed = testSeed("percentilesBySelectionEqualSorting")
        var generator = SeededGenerator(seed: seed)
        for size in [1, 2, 3, 10, 101, 1000] {
            let values = (0..<size).map { _ in Int64.random(in: 0...500, using: &generator) }
            let sorted = values.sorted()
            for p in [50, 90] {
                var scratch = values
                let rank = max(1, (p * size + 99) / 100)
                #expect(percentile(&scratch, p) == String(sorted[rank - 1]), "size \(size) p\(p) seed \(seed)")
            }
        }
    }

    @Test func auditRecordsEveryMutationAttempt() {
        var desk = FilingTests.sold()
        let before = desk.ledger.audit.count
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")
        _ = desk.fails(Desk.ret("S1", item("A100", 9)), as: "clerk1")
        #expect(desk.ledger.audit.count == before + 2)
        #expect(desk.ledger.audit.suffix(2).map(\.outcome) == ["ok", "EXCEEDS"])
        #expect(desk.ledger.audit.last?.user == "clerk1")
        #expect(desk.ledger.audit.last?.target == "S1")
        let page = desk.ok(.audit(user: "clerk1", from: nil, limit: 1))
        #expect(page.lines.count == 1)
        #expect(page.lines[0][6].value == "EXCEEDS")
        let fromStart = desk.ok(.audit(user: nil, from: .time(Timestamp(seconds: 0)), limit: 2))
        #expect(fromStart.lines.map { $0[0].value } == ["1", "2"])
    }
}

/// Which LIST the server answers on the writer (its cost is about its page whatever the
/// history) rather than from a copy of the state.
@Suite struct ListCostTests {
    @Test func theNewestAnOrdersOrTheReviewQueueCostThePage() {
        let store = Scope.only(["STORE1"])
        for filter in [ReturnFilter(), ReturnFilter(limit: 100), ReturnFilter(order: "S-1"), ReturnFilter(before: "R-9")] {
            #expect(filter.costsThePage(in: .everywhere, openReturns: 0), "\(filter)")
            #expect(!filter.costsThePage(in: store, openReturns: 0), "a store's returns may be few among the history: \(filter)")
        }
        #expect(ReturnFilter(state: .pending, location: "STORE1").costsThePage(in: store, openReturns: 10_000))
        #expect(!ReturnFilter(state: .pending).costsThePage(in: store, openReturns: 10_001), "a backlog is sorted to be walked")
        #expect(ReturnFilter(state: .second_review, kind: .sale).costsThePage(in: .everywhere, openReturns: 3))
        for filter in [ReturnFilter(state: .approved), ReturnFilter(kind: .purchase), ReturnFilter(location: "STORE1"),
                       ReturnFilter(from: CivilDate(year: 2026, month: 1, day: 1)), ReturnFilter(limit: 101),
                       ReturnFilter(party: "C1"), ReturnFilter(party: "C1", order: "S-1"), ReturnFilter(rma: "RMA-1"),
                       ReturnFilter(serial: "SN1"), ReturnFilter(state: .pending, party: "C1")] {
            #expect(!filter.costsThePage(in: .everywhere, openReturns: 0), "\(filter)")
        }
        #expect(Query.list(ReturnFilter()).costsThePage(in: .everywhere, openReturns: 0))
        #expect(!Query.audit(user: nil, from: nil, limit: 20).costsThePage(in: .everywhere, openReturns: 0))
    }
}

@Suite struct LockoutTests {
    @Test func tenFailuresInFifteenMinutesLockTheUser() {
        var ledger = Ledger()
        ledger.apply(.userAdded(User(name: "u", role: .clerk, passwordHash: "h")))
        let start: Int64 = 1_000_000
        for i in 0..<9 { ledger.apply(.loginFailed(user: "u", at: Timestamp(seconds: start + Int64(i) * 60))) }
        #expect(ledger.lockedUntil["u"] == nil)
        ledger.apply(.loginFailed(user: "u", at: Timestamp(seconds: start + 600)))
        #expect(ledger.lockedUntil["u"] == Timestamp(seconds: start + 600 + 900))
    }

    @Test func oldFailuresDoNotCount() {
        var ledger = Ledger()
        for i in 0..<9 { ledger.apply(.loginFailed(user: "u", at: Timestamp(seconds: Int64(i)))) }
        ledger.apply(.loginFailed(user: "u", at: Timestamp(seconds: 2000)))
        #expect(ledger.lockedUntil["u"] == nil)
        #expect(ledger.loginFailures["u"]?.count == 1)
    }
}

@Suite struct PermissionTests {
    /// The contract's table, written out independently of `CommandTable`.
    static let table: [Role: Set<String>] = [
        .clerk: ["SALE", "PURCHASE", "RETURN", "CANCEL", "SHOW", "ORDER", "LIST", "STOCK", "DOC", "TRANSFER"],
        .supervisor: ["SALE", "PURCHASE", "RETURN", "CANCEL", "SHOW", "ORDER", "LIST", "STOCK", "DOC", "APPROVE", "REJECT",
                      "INSPECT", "VOID", "WATCH", "UNWATCH", "DISPOSE", "TRANSFER", "ADJUST", "COUNT"],
        .finance: ["APPROVE", "REJECT", "WATCH", "UNWATCH", "PAYMENT", "BALANCE", "SHOW", "ORDER", "LIST", "STOCK", "DOC",
                   "NOTICES", "STATS", "VENDOR"],
        // ARCHIVE: the auditor's word for ARCHIVE LIST; ARCHIVE itself is the admin's (checked below).
        .auditor: ["SHOW", "ORDER", "LIST", "STOCK", "BALANCE", "DOC", "NOTICES", "STATS", "AUDIT", "INFO", "DIGEST", "FEED", "VERIFY",
                   "ARCHIVE"],
        .admin: Set(CommandWord.allCases.map(\.name)),
        // A standby's login: REPLICATE and the session's own commands, no look-up.
        .replica: ["REPLICATE"],
    ]

    @Test func commandOrdinalsAreTheirPositions() {
        // Looked up by name, in any case, each word is its row's place in the table.
        for (index, spec) in CommandTable.all.enumerated() {
            #expect(CommandWord.named(spec.name)?.ordinal == index, "\(spec.name)")
            #expect(CommandWord.named(spec.name.lowercased())?.ordinal == index, "\(spec.name)")
        }
        #expect(CommandWord.named("NOPE") == nil)
    }

    @Test(arguments: Role.allCases)
    func roleTableMatchesTheContract(role: Role) {
        for word in CommandWord.allCases {
            // PERIOD SHOW, like the other look-ups, is every role's; so is CREDIT; TILL's forms differ (below).
            let everyRole = role == .replica ? ["PING", "HELP", "AUTH", "WHOAMI", "QUIT"]
                : ["PING", "HELP", "AUTH", "WHOAMI", "QUIT", "PERIOD", "CREDIT", "TILL"]
            let expected = PermissionTests.table[role]!.contains(word.name) || everyRole.contains(word.name)
            #expect(CommandTable.allows(role, word, sub: "ADD") == expected, "\(role) \(word)")
        }
        let word = { (name: String) in CommandWord.named(name)! }
        #expect(CommandTable.allows(role, word("USER"), sub: "PASSWORD"))
        // Section 23: ARCHIVE through= is the admin's, ARCHIVE LIST the auditor's and the admin's.
        #expect(CommandTable.allows(role, word("ARCHIVE"), sub: nil) == (role == .admin), "\(role) ARCHIVE")
        #expect(CommandTable.allows(role, word("ARCHIVE"), sub: "LIST") == (role == .admin || role == .auditor), "\(role) ARCHIVE LIST")
        // Look-ups every role may use (TRANSFER SHOW: every role with STOCK, which is every role).
        for (name, sub) in [("TRANSFER", "SHOW"), ("SKU", "LIST"), ("LOCATION", "LIST"), ("REASON", "LIST"), ("POLICY", "SHOW"),
                            ("RULE", "LIST"), ("PERIOD", "SHOW")] {
            #expect(CommandTable.allows(role, word(name), sub: sub) == (role != .replica), "\(role) \(name) \(sub)")
        }
        #expect(CommandTable.allows(role, word("POLICY"), sub: "SET") == (role == .admin))
        // Tills: clerks open, pay in and close (their own, checked in the domain) and count blind.
        let tills: Set<Role> = [.clerk, .supervisor, .admin], readers: Set<Role> = [.supervisor, .finance, .auditor, .admin]
        for (sub, roles) in [("OPEN", tills), ("PAYIN", tills), ("CLOSE", tills), ("PAYOUT", [.supervisor, .admin]),
                             ("SHOW", readers), ("LIST", readers)] {
            #expect(CommandTable.allows(role, word("TILL"), sub: sub) == roles.contains(role), "\(role) TILL \(sub)")
        }
    }
}

@Suite struct ReplayTests {
    @Test func replayingTheEventsGivesTheSameState() {
        var desk = SupplierReturnTests.stocked()
        desk.ok(Desk.sale("S1", customer: "C1", paid: false, item("A100", 3), item("B300", 2)))
        desk.ok(Desk.ret("S1", item("B300", 1), item("A100", 1), key: "k"), as: "clerk1")
        desk.ok(.approve(id: "R000001", refund: .credit, note: ""), as: "sup1")
        desk.ok(.inspect(id: "R000001", disposition: .restock, note: ""), as: "sup1")
        desk.ok(Desk.ret("P1", item("A100", 2)), as: "clerk2")
        desk.ok(.approve(id: "R000002", refund: nil, note: ""), as: "sup2")
        desk.ok(.payment(party: "S1", amount: m("10"), direction: .out, note: "x"), as: "fin1")
        _ = desk.fails(Desk.ret("S1", item("A100", 99)), as: "clerk1")
        var replayed = Ledger()
        replayed.apply(desk.events)
        #expect(replayed == desk.ledger)
    }

    @Test func decideNeverChangesTheState() throws {
        let desk = FilingTests.sold()
        let context = Context(user: "clerk1", role: .clerk, peer: "t", now: desk.now)
        let decision = try desk.ledger.decide(Desk.ret("S1", item("A100", 1)), context)
        #expect(decision.events.count == 1)
        #expect(desk.ledger.returns.isEmpty)
    }
}
