@testable import ReturnLedgerCore
import Testing

/// Contract section 22.3 (protocol.md, Return types: Exchange): an exchange hands over goods from
/// stock on hand. At the approval that completes it, each replacement SKU must be on hand at the
/// return location in its slot (the line's batch, else the batch-less slot), counted before the
/// approval's own moves; else ERR STOCK, the last APPROVE check, and nothing is applied.
@Suite struct ExchangeStockTests {
    /// The message of a refused request line, or nil when it did not fail.
    static func refusal(_ desk: inout Desk, _ line: String, as user: String) -> String? {
        if case .failure(let error) = desk.line(line, as: user) { return "\(error.code.rawValue) \(error.message)" }
        return nil
    }

    /// What a refused APPROVE leaves: the state it found, plus the refusal's own audit entry
    /// (every refused change is audited, protocol.md AUDIT); no document, notice, move or entry.
    static func expectNothingApplied(_ desk: Desk, since before: Ledger, events seen: Int,
                                     sourceLocation: SourceLocation = #_sourceLocation) {
        let produced = Array(desk.events[seen...])
        #expect(produced.count == 1, sourceLocation: sourceLocation)
        guard case .audited(let entry)? = produced.first else {
            Issue.record("expected only the refusal's audit entry, got \(produced)", sourceLocation: sourceLocation)
            return
        }
        #expect(entry.outcome == "STOCK" && entry.command == "TEST", sourceLocation: sourceLocation)
        var expected = before
        expected.apply(produced)
        #expect(expected == desk.ledger, sourceLocation: sourceLocation)
        #expect(desk.ledger.documents.count == before.documents.count && desk.ledger.notices.count == before.notices.count,
                sourceLocation: sourceLocation)
    }

    @Test func aShortExchangeIsRefusedWithNothingAppliedThenApprovedOnceTheGoodsArrive() {
        var desk = Desk.shop()
        desk.lineOK("PURCHASE P1 location=WH1 supplier=S1 A200:10", as: "clerk1")  // in the warehouse: not at the store
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=WRONG_ITEM exchange=A200:1", as: "clerk1")
        let before = desk.ledger, seen = desk.events.count
        #expect(Self.refusal(&desk, "APPROVE R000001", as: "sup1") == "STOCK A200 at STORE1: 0 on hand, 1 needed for the exchange")
        Self.expectNothingApplied(desk, since: before, events: seen)
        let show = desk.ok(.show(id: "R000001"))
        #expect(show["state"] == "pending" && show["doc"] == "")
        #expect(desk.ledger.orders["X-R000001"] == nil && desk.onHand("A100", "STORE1") == -2 && desk.onHand("A200", "STORE1") == 0)
        #expect(desk.balance("C1") == "0.00")
        // A SALE keeps section 6's rule: it may take the store below zero.
        desk.lineOK("SALE S2 location=STORE1 A200:1", as: "clerk1")
        #expect(desk.onHand("A200", "STORE1") == -1)
        #expect(Self.refusal(&desk, "APPROVE R000001", as: "sup1") == "STOCK A200 at STORE1: -1 on hand, 1 needed for the exchange")
        // Two arrive (−1 + 2 = 1): the same approval goes through, with the first document number of the day.
        desk.lineOK("PURCHASE P2 location=STORE1 supplier=S1 A200:2", as: "clerk1")
        let approved = desk.lineOK("APPROVE R000001", as: "sup1")
        #expect(approved["doc"] == "RT-20261129-0001" && approved["exchange_order"] == "X-R000001" && approved["due"] == "14.90")
        #expect(desk.onHand("A200", "STORE1") == 0 && desk.onHand("A100", "STORE1") == -1)
        #expect(desk.ledger.notices.count == 1)
        desk.expectReplays()
    }

    /// The check is at the return's location: stock at another store does not count.
    @Test func theReturnLocationsShelfIsTheOneCounted() {
        var desk = Desk.shop()
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S1 A200:5", as: "clerk1")
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:1", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=WRONG_ITEM location=STORE2 exchange=A200:1", as: "clerk1")
        #expect(Self.refusal(&desk, "APPROVE R000001", as: "sup1") == "STOCK A200 at STORE2: 0 on hand, 1 needed for the exchange")
    }

    /// The units coming back are counted after the check: a kettle for a kettle needs one on the
    /// shelf already.
    @Test func theReturnedUnitsDoNotCount() {
        var desk = Desk.shop()
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S1 A100:1", as: "clerk1")
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:1", as: "clerk1")  // on hand 0
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE exchange=A100:1", as: "clerk1")
        let before = desk.ledger, seen = desk.events.count
        #expect(Self.refusal(&desk, "APPROVE R000001", as: "sup1") == "STOCK A100 at STORE1: 0 on hand, 1 needed for the exchange")
        Self.expectNothingApplied(desk, since: before, events: seen)
        desk.lineOK("PURCHASE P2 location=STORE1 supplier=S1 A100:1", as: "clerk1")
        #expect(desk.lineOK("APPROVE R000001", as: "sup1")["due"] == "0.00")
        #expect(desk.onHand("A100", "STORE1") == 1)  // 1 + 1 back − 1 handed over
        // An inspected SKU's units go into quarantine, which never counts as on hand either.
        desk.lineOK("PURCHASE P3 location=STORE1 supplier=S1 B300:1", as: "clerk1")
        desk.lineOK("SALE S2 location=STORE1 customer=C1 B300:1", as: "clerk1")
        desk.lineOK("RETURN S2 B300:1 reason=DEFECTIVE exchange=B300:1", as: "clerk1")
        #expect(Self.refusal(&desk, "APPROVE R000002", as: "sup1") == "STOCK B300 at STORE1: 0 on hand, 1 needed for the exchange")
        desk.expectReplays()
    }

    /// A line with a batch is checked in that batch's slot, a line without one in the batch-less
    /// slot; neither draws on the other.
    @Test func aBatchLineUsesItsBatchAndABareLineTheBatchLessSlot() {
        var desk = Desk.shop()
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S2 C400:5#LOT7", as: "clerk1")
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:3", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=WRONG_ITEM exchange=C400:1", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=WRONG_ITEM exchange=C400:1#LOT7", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=WRONG_ITEM exchange=C400:1#LOT9", as: "clerk1")
        #expect(Self.refusal(&desk, "APPROVE R000001", as: "sup1") == "STOCK C400 at STORE1: 0 on hand, 1 needed for the exchange")
        #expect(desk.lineOK("APPROVE R000002", as: "sup1")["exchange_order"] == "X-R000002")
        #expect(desk.onHand("C400", "STORE1", batch: "LOT7") == 4)
        // Batch-less tea on the shelf serves the bare line, not another batch.
        desk.lineOK("PURCHASE P2 location=STORE1 supplier=S2 C400:2", as: "clerk1")
        #expect(Self.refusal(&desk, "APPROVE R000003", as: "sup1")
                == "STOCK C400#LOT9 at STORE1: 0 on hand, 1 needed for the exchange")
        #expect(desk.lineOK("APPROVE R000001", as: "sup1")["exchange_order"] == "X-R000001")
        #expect(desk.onHand("C400", "STORE1") == 1 && desk.onHand("C400", "STORE1", batch: "LOT7") == 4)
        desk.expectReplays()
    }

    /// Several lines of one slot add up; the first short slot in the order the lines were given
    /// is named.
    @Test func linesOfOneSlotAddUp() {
        var desk = Desk.shop()
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S1 A200:1 C400:2", as: "clerk1")
        desk.lineOK("SALE S1 location=STORE1 customer=C1 B300:2", as: "clerk1")
        desk.lineOK("RETURN S1 B300:1 reason=WRONG_ITEM exchange=A200:1,C400:1,A200:1", as: "clerk1")
        #expect(Self.refusal(&desk, "APPROVE R000001", as: "sup1") == "STOCK A200 at STORE1: 1 on hand, 2 needed for the exchange")
        desk.lineOK("RETURN S1 B300:1 reason=WRONG_ITEM exchange=C400:2,A200:2,C400:1", as: "clerk1")
        #expect(Self.refusal(&desk, "APPROVE R000002", as: "sup1") == "STOCK C400 at STORE1: 2 on hand, 3 needed for the exchange")
        desk.lineOK("PURCHASE P2 location=STORE1 supplier=S1 A200:1", as: "clerk1")
        #expect(desk.lineOK("APPROVE R000001", as: "sup1")["state"] == "inspecting")  // B300 is inspected
        #expect(desk.onHand("A200", "STORE1") == 0 && desk.onHand("C400", "STORE1") == 1)
        desk.expectReplays()
    }

    /// A first approval of a two-approver rule moves nothing and is not checked; the second,
    /// which completes the exchange, is.
    @Test func onlyTheApprovalThatCompletesTheExchangeChecks() {
        var desk = Desk.shop()
        desk.ok(.ruleAdd(Rule(code: "BIG", then: .second, minAmount: m("50.00"))))
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:4", as: "clerk1")
        desk.lineOK("RETURN S1 A100:2 reason=WRONG_ITEM exchange=A200:1", as: "clerk1")
        #expect(desk.lineOK("APPROVE R000001", as: "sup1")["state"] == "second_review")
        let before = desk.ledger, seen = desk.events.count
        #expect(Self.refusal(&desk, "APPROVE R000001", as: "fin1") == "STOCK A200 at STORE1: 0 on hand, 1 needed for the exchange")
        Self.expectNothingApplied(desk, since: before, events: seen)
        #expect(desk.ok(.show(id: "R000001"))["state"] == "second_review")
        // The first approval stands: its re-send still answers it.
        #expect(desk.lineOK("APPROVE R000001", as: "sup1")["existed"] == "yes")
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S1 A200:1", as: "clerk1")
        let approved = desk.lineOK("APPROVE R000001", as: "fin1")
        #expect(approved["state"] == "approved" && approved["doc"] == "RT-20261129-0001" && approved["due"] == "-10.10")
        #expect(desk.onHand("A200", "STORE1") == 0 && desk.onHand("A100", "STORE1") == -2)
        desk.expectReplays()
    }

    /// STOCK is the last check: a tender that does not add up, or a till that is not open, is
    /// answered first.
    @Test func stockIsCheckedAfterEveryOtherApproveCheck() {
        var desk = TillTests.desk()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:1 till=POS1", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=WRONG_ITEM exchange=A200:1", as: "clerk1")  // due 14.90
        #expect(desk.lineFails("APPROVE R000001 tender=cash:1.00", as: "sup1") == .TENDER)
        #expect(desk.lineFails("APPROVE R000001 till=POS9", as: "sup1") == .STATE)  // not open
        #expect(desk.lineFails("APPROVE R000001 fee=10 override=yes", as: "fin1") == .DENIED)
        #expect(desk.lineFails("APPROVE R000001 tender=credit:14.90", as: "sup1") == .CREDIT)
        #expect(desk.lineFails("APPROVE R000001 tender=cash:14.90", as: "sup1") == .STOCK)
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S1 A200:1", as: "clerk1")
        #expect(desk.lineOK("APPROVE R000001 tender=cash:14.90 till=POS1", as: "sup1")["tender"] == "cash:14.90")
    }

    /// An `auto` rule's approval at RETURN is refused like any other: the exchange is filed and
    /// stays pending for a supervisor (as a supplier return short of stock does).
    @Test func anAutoRuleLeavesAShortExchangePending() {
        var desk = Desk.shop()
        desk.ok(.ruleAdd(Rule(code: "SMALL", then: .auto, maxAmount: m("10.00"))))
        desk.lineOK("SALE S1 location=STORE1 customer=C1 C400:2", as: "clerk1")
        #expect(desk.lineOK("RETURN S1 C400:1 reason=WRONG_ITEM exchange=A100:1", as: "clerk1")["state"] == "pending")
        #expect(desk.ledger.documents.isEmpty && desk.ledger.orders["X-R000001"] == nil)
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S1 A100:1", as: "clerk1")
        let auto = desk.lineOK("RETURN S1 C400:1 reason=WRONG_ITEM exchange=A100:1", as: "clerk1")
        #expect(auto["state"] == "approved" && auto["doc"] == "RT-20261129-0001")
        #expect(desk.onHand("A100", "STORE1") == 0)
        #expect(desk.lineFails("APPROVE R000001", as: "sup1") == .STOCK)
        desk.expectReplays()
    }
}
