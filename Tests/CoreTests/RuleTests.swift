import ReturnLedgerCore
import Testing

/// Approval rules (protocol.md: RULE): matched once at filing, second review with its four-eyes
/// check, finance's restricted APPROVE, auto-approval by `system`, inspection, and how rules
/// combine.
@Suite struct RuleTests {
    /// A shop with stock and two sales to return against: S1 (C1, paid, 4 × A100 + 2 × B300) and
    /// S2 (walk-in, 10 × C400), at STORE1; a purchase P1 at WH1.
    static func desk() -> Desk {
        var desk = Desk.shop()
        desk.ok(Desk.purchase("P1", at: "WH1", item("A100", 5)))
        desk.ok(Desk.purchase("P2", at: "STORE1", item("A100", 20), item("B300", 5), item("C400", 20)))
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 4), item("B300", 2)))
        desk.ok(Desk.sale("S2", item("C400", 10)))
        return desk
    }

    static func rule(_ code: String, _ then: Rule.Effect, kind: OrderKind? = nil, location: String? = nil,
                     reason: String? = nil, sku: String? = nil, min: String? = nil, max: String? = nil,
                     role: Role? = nil) -> Command {
        .ruleAdd(Rule(code: code, then: then, kind: kind, location: location, reason: reason, sku: sku,
                      minAmount: min.map(m), maxAmount: max.map(m), role: role))
    }

    static func approve(_ id: String, refund: RefundMode? = nil) -> Command { .approve(id: id, refund: refund, note: "") }

    func rules(of id: String, _ desk: inout Desk) -> String { desk.ok(.show(id: id))["rules"] ?? "?" }

    /// Each condition, alone: a return that meets it and one that does not.
    static let conditions: [(name: String, rule: Command, matching: Command, other: Command)] = [
        ("kind", rule("R", .second, kind: .purchase), Desk.ret("P1", item("A100", 1)), Desk.ret("S1", item("A100", 1))),
        ("location", rule("R", .second, location: "STORE2"), Desk.ret("S1", item("A100", 1), location: "STORE2"),
         Desk.ret("S1", item("A100", 1))),
        ("reason", rule("R", .second, reason: "DAMAGED"), Desk.ret("S1", item("A100", 1), reason: "DAMAGED"),
         Desk.ret("S1", item("A100", 1))),
        ("sku (any item)", rule("R", .second, sku: "B300"), Desk.ret("S1", item("A100", 1), item("B300", 1)),
         Desk.ret("S1", item("A100", 2))),
        ("min_amount (at least)", rule("R", .second, min: "50.00"), Desk.ret("S1", item("A100", 2)),
         Desk.ret("S1", item("A100", 1))),
        ("max_amount (at most)", rule("R", .second, max: "25.00"), Desk.ret("S1", item("A100", 1)),
         Desk.ret("S1", item("A100", 2))),
    ]

    @Test(arguments: 0..<conditions.count)
    func eachConditionMatchesOnlyWhenItHolds(_ row: Int) {
        let (name, rule, matching, other) = RuleTests.conditions[row]
        var desk = RuleTests.desk()
        desk.ok(rule)
        desk.ok(matching, as: "clerk1")
        desk.ok(other, as: "clerk1")
        #expect(rules(of: "R000001", &desk) == "R", "\(name)")
        #expect(rules(of: "R000002", &desk) == "", "\(name)")
    }

    @Test func aRuleWithSeveralConditionsNeedsThemAll() {
        var desk = RuleTests.desk()
        desk.ok(RuleTests.rule("BOTH", .second, reason: "DAMAGED", min: "50.00"))
        desk.ok(Desk.ret("S1", item("A100", 2), reason: "DAMAGED"), as: "clerk1")
        desk.ok(Desk.ret("S1", item("A100", 1), reason: "DAMAGED"), as: "clerk1")
        #expect(rules(of: "R000001", &desk) == "BOTH")
        #expect(rules(of: "R000002", &desk) == "")
    }

    @Test func secondReviewMovesNothingUntilTheSecondApproval() {
        var desk = RuleTests.desk()
        desk.ok(RuleTests.rule("BIG", .second, min: "50.00"))
        let filed = desk.ok(Desk.ret("S1", item("A100", 2), item("B300", 1)), as: "clerk1")   // 109.00
        #expect(filed["state"] == "pending" && filed["doc"] == "")
        let before = (desk.onHand("A100", "STORE1"), desk.balance("C1"), desk.ledger.notices.count)

        // Finance may not give the first approval; refund= waits for the second.
        #expect(desk.fails(RuleTests.approve("R000001"), as: "fin1") == .DENIED)
        #expect(desk.fails(RuleTests.approve("R000001", refund: .credit), as: "sup1") == .INVALID)
        let first = desk.ok(RuleTests.approve("R000001"), as: "sup1")
        #expect(first.status.map(\.key) == ["id", "state", "doc", "amount", "fee", "net", "exchange_order", "due", "refund", "tender",
                                           "tax", "net_tax"])
        #expect(first["state"] == "second_review" && first["doc"] == "" && first["fee"] == "" && first["due"] == "")
        #expect((desk.onHand("A100", "STORE1"), desk.balance("C1"), desk.ledger.notices.count) == before)
        #expect(desk.ledger.documents.isEmpty)

        // The first approver's re-send answers its own reply; its REJECT is SELF_APPROVAL.
        #expect(desk.ok(RuleTests.approve("R000001"), as: "sup1") == first.existed())
        #expect(desk.fails(.reject(id: "R000001", note: "x"), as: "sup1") == .SELF_APPROVAL)
        // Another supervisor lacks the rule's role (finance); CANCEL is for pending returns.
        #expect(desk.fails(RuleTests.approve("R000001"), as: "sup2") == .DENIED)
        #expect(desk.fails(.cancel(id: "R000001"), as: "clerk1") == .STATE)

        let second = desk.ok(RuleTests.approve("R000001", refund: .credit), as: "fin1")
        #expect(second["state"] == "inspecting")   // B300 has inspect=yes
        #expect(second["doc"] == "RT-20261129-0001" && second["fee"] == "0.00" && second["net"] == "109.00")
        #expect(desk.onHand("A100", "STORE1") == before.0 + 2)
        #expect(desk.balance("C1") == "-109.00")
        #expect(desk.ledger.notices.count == before.2 + 1)
        let doc = desk.ok(.doc(number: "RT-20261129-0001"))
        #expect(doc["approved_by"] == "fin1")
        let show = desk.ok(.show(id: "R000001"))
        #expect(show.lines.filter { $0.first?.value == "event" }.map { $0[3].value } == ["filed", "first_approval", "approved"])
        #expect(show["rules"] == "BIG")

        // Re-sends after: each approver gets its own reply; another refund= is CONFLICT.
        #expect(desk.ok(RuleTests.approve("R000001"), as: "sup1")["state"] == "second_review")
        #expect(desk.ok(RuleTests.approve("R000001"), as: "fin1")["existed"] == "yes")
        #expect(desk.fails(RuleTests.approve("R000001", refund: .cash), as: "fin1") == .CONFLICT)
        // Someone who gave no approval re-sending one for an approved return: the original reply
        // plus existed=yes (protocol.md: APPROVE).
        #expect(desk.fails(RuleTests.approve("R000001"), as: "admin") == nil)  // a supervisor's re-send
    }

    @Test func theFourEyesCheckCoversTheFilerAndTheFirstApprover() {
        var desk = RuleTests.desk()
        desk.ok(RuleTests.rule("BIG", .second, min: "50.00", role: .supervisor))
        desk.ok(Desk.ret("S1", item("A100", 2)), as: "sup2")   // filed by a supervisor
        #expect(desk.fails(RuleTests.approve("R000001"), as: "sup2") == .SELF_APPROVAL)
        desk.ok(RuleTests.approve("R000001"), as: "sup1")
        #expect(desk.fails(RuleTests.approve("R000001"), as: "sup2") == .SELF_APPROVAL)   // the filer
        #expect(desk.fails(.reject(id: "R000001", note: "no"), as: "sup2") == .SELF_APPROVAL)
        #expect(desk.fails(RuleTests.approve("R000001"), as: "fin1") == .DENIED)           // role=supervisor
        #expect(desk.ledger.returns[0].state == .second_review)
        #expect(desk.ok(RuleTests.approve("R000001"), as: "admin")["state"] == "approved")  // admin always qualifies
    }

    @Test func rejectInSecondReviewReleasesTheQuantity() {
        var desk = RuleTests.desk()
        desk.ok(RuleTests.rule("BIG", .second, min: "50.00"))
        desk.ok(Desk.ret("S1", item("A100", 4)), as: "clerk1")
        desk.ok(RuleTests.approve("R000001"), as: "sup1")
        #expect(desk.fails(.reject(id: "R000001", note: "no"), as: "sup2") == .DENIED)
        #expect(desk.ok(.reject(id: "R000001", note: "no receipt photo"), as: "fin1")["state"] == "rejected")
        #expect(desk.ledger.orders["S1"]!.lines[0].pending == 0)
        desk.ok(Desk.ret("S1", item("A100", 4)), as: "clerk1")   // all four returnable again
        // Finance's REJECT of a pending return is DENIED.
        #expect(desk.fails(.reject(id: "R000002", note: "x"), as: "fin1") == .DENIED)
    }

    @Test func autoApprovesSmallReturnsAsSystem() {
        var desk = RuleTests.desk()
        desk.ok(RuleTests.rule("SMALL", .auto, max: "10.00"))
        let reply = desk.ok(Desk.ret("S2", item("C400", 1)), as: "clerk1")   // 6.50, walk-in, paid
        #expect(reply.status.map(\.key) == ["id", "state", "kind", "amount", "doc", "fee", "net", "exchange_order", "due", "refund", "tender",
                                           "tax", "net_tax"])
        #expect(reply["state"] == "approved" && reply["doc"] == "RT-20261129-0001" && reply["net"] == "6.50")
        let r = desk.ledger.returns[0]
        #expect(r.approvedBy == "system" && r.state == .approved && r.refund == .cash)
        #expect(desk.onHand("C400", "STORE1") == 11)
        let audit = desk.ledger.audit.suffix(2).map { ($0.user, $0.command) }
        #expect(audit.map(\.0) == ["clerk1", "system"] && audit.map(\.1) == ["TEST", "APPROVE"])
        #expect(desk.ledger.audit.suffix(2).map(\.seq) == [desk.ledger.audit.count - 1, desk.ledger.audit.count])
        // A bigger one stays pending; STATS counts the auto one as approved, without an approval time.
        desk.ok(Desk.ret("S2", item("C400", 2)), as: "clerk1")
        let stats = desk.ok(.stats(StatsQuery()))
        #expect(stats["approved"] == "1" && stats["pending"] == "1" && stats["approve_p50_s"] == "0")
        // A re-sent RETURN with a key answers as the filing did.
        desk.ok(Desk.ret("S2", item("C400", 1), key: "k1"), as: "clerk1")
        let again = desk.ok(Desk.ret("S2", item("C400", 1), key: "k1"), as: "clerk1")
        #expect(again["state"] == "approved" && again["existed"] == "yes" && again["doc"] == "RT-20261129-0002")
    }

    @Test func secondOutranksAutoAndInspectAddsToEither() {
        var desk = RuleTests.desk()
        desk.ok(RuleTests.rule("ALL", .auto))
        desk.ok(RuleTests.rule("LOOK", .inspect, reason: "DAMAGED"))
        desk.ok(RuleTests.rule("BIG", .second, min: "50.00"))
        let big = desk.ok(Desk.ret("S1", item("A100", 2)), as: "clerk1")
        #expect(big["state"] == "pending" && rules(of: "R000001", &desk) == "ALL,BIG")
        let looked = desk.ok(Desk.ret("S1", item("A100", 1), reason: "DAMAGED"), as: "clerk1")
        #expect(looked["state"] == "inspecting")   // auto + inspect: approved into quarantine at filing
        #expect(desk.quarantine("A100", "STORE1") == 1)
        #expect(rules(of: "R000002", &desk) == "ALL,LOOK")
    }

    @Test func theFirstSecondRuleByCodeDecidesTheRole() {
        var desk = RuleTests.desk()
        desk.ok(RuleTests.rule("B_SUP", .second, role: .supervisor))
        desk.ok(RuleTests.rule("A_FIN", .second, min: "1.00"))
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")
        desk.ok(RuleTests.approve("R000001"), as: "sup1")
        #expect(desk.fails(RuleTests.approve("R000001"), as: "sup2") == .DENIED)
        #expect(desk.ok(RuleTests.approve("R000001"), as: "fin1")["state"] == "approved")
    }

    @Test func autoOnASupplierReturnWithoutStockFilesItPending() {
        var desk = RuleTests.desk()
        desk.ok(RuleTests.rule("ALL", .auto))
        desk.ok(Desk.sale("S3", at: "WH1", item("A100", 5)))   // WH1 now holds none
        #expect(desk.ok(Desk.ret("P1", item("A100", 1)), as: "clerk1")["state"] == "pending")
        // A supplier return's first approval checks stock as the final one does.
        desk.ok(RuleTests.rule("SUP", .second, kind: .purchase))
        desk.ok(Desk.ret("P1", item("A100", 1)), as: "clerk1")
        #expect(desk.fails(RuleTests.approve("R000002"), as: "sup1") == .STOCK)
    }

    @Test func laterRuleChangesDoNotTouchAFiledReturn() {
        var desk = RuleTests.desk()
        desk.ok(RuleTests.rule("BIG", .second, min: "50.00"))
        desk.ok(Desk.ret("S1", item("A100", 2)), as: "clerk1")
        desk.ok(.ruleDrop(code: "BIG"))
        #expect(desk.ok(RuleTests.approve("R000001"), as: "sup1")["state"] == "second_review")
        #expect(desk.ledger.rules.isEmpty)
    }

    @Test func ruleAddChecksItsValuesAndNames() {
        var desk = RuleTests.desk()
        #expect(desk.fails(RuleTests.rule("X", .second, location: "NOWHERE")) == .NOT_FOUND)
        #expect(desk.fails(RuleTests.rule("X", .second, reason: "LATE")) == .NOT_FOUND)
        #expect(desk.fails(RuleTests.rule("X", .second, sku: "Z9")) == .NOT_FOUND)
        desk.ok(RuleTests.rule("X", .auto))
        #expect(desk.fails(RuleTests.rule("X", .second)) == .EXISTS)
        #expect(desk.fails(.ruleDrop(code: "NOPE")) == .NOT_FOUND)
        // Combinations the contract calls INVALID, found before the state is looked at.
        #expect(Rule(code: "A", then: .auto, role: .finance).invalidity != nil)
        #expect(Rule(code: "A", then: .inspect, kind: .purchase).invalidity != nil)
        #expect(Rule(code: "A", then: .auto, kind: .purchase, noReceipt: true).invalidity != nil)
        #expect(Rule(code: "A", then: .second, minAmount: m("5.00"), maxAmount: m("4.99")).invalidity != nil)
        #expect(Rule(code: "A", then: .second, kind: .purchase, minAmount: m("5.00"), maxAmount: m("5.00"), role: .supervisor).invalidity == nil)
        let list = desk.ok(.ruleList)
        #expect(list.lines.map { $0.map(\.key) } == [["rule", "then", "kind", "location", "reason", "sku", "min_amount",
                                                      "noreceipt", "role", "note", "max_amount"]])
        desk.ok(RuleTests.rule("BIG", .second, min: "500.00"))
        #expect(desk.ok(.ruleList).lines.map { $0[8].value } == ["finance", ""])   // BIG, X: byte order
    }

    @Test func replayWithRulesReachesTheSameState() {
        var desk = RuleTests.desk()
        desk.ok(RuleTests.rule("SMALL", .auto, max: "10.00"))
        desk.ok(RuleTests.rule("BIG", .second, min: "50.00"))
        desk.ok(Desk.ret("S2", item("C400", 1)), as: "clerk1")
        desk.ok(Desk.ret("S1", item("A100", 3)), as: "clerk1")
        desk.ok(RuleTests.approve("R000002"), as: "sup1")
        desk.ok(RuleTests.approve("R000002"), as: "fin1")
        var replayed = Ledger()
        replayed.apply(desk.events)
        #expect(replayed == desk.ledger)
        var rebuilt = replayed
        rebuilt.rebuildIndexes()
        #expect(rebuilt == desk.ledger)
    }
}
