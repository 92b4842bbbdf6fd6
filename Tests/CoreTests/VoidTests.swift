@testable import ReturnLedgerCore
import Testing

/// VOID (protocol.md, VOID): an approval reversed by an adjusting document, each case checked
/// against stock and balances worked out by hand, the order returnable again, the chain intact
/// and replay reaching the same state.
@Suite struct VoidTests {
    static func shop() -> Desk {
        var desk = Desk.shop()
        desk.lineOK("RULE ADD NONE then=auto max_amount=0.00", as: "admin")  // no return qualifies: every one is reviewed
        return desk
    }

    static func field(_ reply: Reply, _ key: String) -> String? { reply.status.first { $0.key == key }?.value }

    @Test func aCashRefundVoidedLeavesTheCustomerOwingIt() {
        var desk = Self.shop()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        let approved = desk.lineOK("APPROVE R000001", as: "sup1")
        #expect(desk.onHand("A100", "STORE1") == -1 && desk.balance("C1") == "0.00")
        // One of its approvers may not void it; a return not approved cannot be.
        #expect(desk.lineFails("VOID R000001 reason=DEFECTIVE note=wrong", as: "sup1") == .SELF_APPROVAL)
        #expect(desk.lineFails("VOID R000001 reason=NOPE note=wrong", as: "sup2") == .INVALID)
        #expect(desk.lineFails("VOID R000009 reason=DEFECTIVE note=wrong", as: "sup2") == .NOT_FOUND)

        let voided = desk.lineOK("VOID R000001 reason=DEFECTIVE note=wrong-item", as: "sup2")
        #expect(voided.status == [Field("id", "R000001"), Field("state", "voided"), Field("doc", "RT-20261129-0002"),
                                  Field("voids", approved["doc"]!), Field("amount", "25.00"), Field("owed", "25.00")])
        // The unit leaves on hand again, the credit note is reversed: the customer owes the cash.
        #expect(desk.onHand("A100", "STORE1") == -2 && desk.balance("C1") == "25.00")
        #expect(desk.ledger.entries["C1"]!.last!.kind == .void && desk.ledger.entries["C1"]!.last!.amount == m("25.00"))
        #expect(desk.ledger.orders["S1"]!.lines[0].returnable == 2 && desk.ledger.orders["S1"]!.refunded == [.zero])
        // A re-send answers the same, whoever sends it; nothing moves again.
        let again = desk.lineOK("VOID R000001 reason=OTHER note=again", as: "sup1")
        #expect(again.status == voided.status + [Field("existed", "yes")])
        #expect(desk.balance("C1") == "25.00")

        let show = desk.ok(.show(id: "R000001"))
        #expect(show["state"] == "voided" && show["void"] == "RT-20261129-0002")
        #expect(show.lines.last.map { $0.contains(Field("action", "voided")) && $0.contains(Field("note", "DEFECTIVE: wrong-item")) } == true)
        let doc = desk.ok(.doc(number: "RT-20261129-0002"))
        #expect(doc["doc_type"] == "void" && doc["voids"] == "RT-20261129-0001" && doc["approved_by"] == "sup2"
                && doc["refund"] == "" && doc["reason"] == "DEFECTIVE")
        #expect(desk.ok(.doc(number: "RT-20261129-0001"))["voided"] == "RT-20261129-0002")
        #expect(desk.ledger.notices.last!.kind == .void && desk.ledger.notices.last!.amount == m("25.00"))
        #expect(desk.ok(.verify(from: nil), as: "aud1")["count"] == "2")
        // STATS: filed and voided, nothing approved.
        let bucket = desk.ledger.stats.buckets.values.first { $0.filed == 1 }!
        #expect(bucket.voided == 1 && bucket.approved == 0 && bucket.amount == 0 && bucket.groups.isEmpty && bucket.refunds == [0, 0, 0, 0])
        let stats = desk.ok(.stats(StatsQuery()), as: "fin1")
        #expect(stats["filed"] == "1" && stats["voided"] == "1" && stats["approved"] == "0" && stats["pending"] == "0"
                && stats["amount"] == "0.00" && stats["refund_cash"] == "0.00")
        // The units are returnable again.
        desk.lineOK("RETURN S1 A100:2 reason=DEFECTIVE", as: "clerk1")
        desk.expectReplays()
    }

    @Test func aFeeIsReversedWithTheNote() {
        var desk = Self.shop()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:1", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000001 fee=10", as: "sup1")
        #expect(desk.balance("C1") == "0.00")
        let voided = desk.lineOK("VOID R000001 reason=DEFECTIVE note=x", as: "sup2")
        #expect(Self.field(voided, "owed") == "22.50" && desk.balance("C1") == "22.50")
        #expect(desk.ledger.orders["S1"]!.lines[0].returnable == 1)
        #expect(desk.ledger.notices.last!.amount == m("22.50"))
        desk.expectReplays()
    }

    /// An exchange paying a due of 12.00: the goods go back both ways, the exchange sale is
    /// voided, and what the customer paid in comes back as store credit.
    @Test func anExchangeWithADueBecomesStoreCredit() {
        var desk = Self.shop()
        // The kettle handed over is on hand (section 22.3): A100 at STORE1 is 1 → 0 → 1 (voided).
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S1 A100:1", as: "clerk1")
        desk.lineOK("SALE S1 location=STORE1 customer=C1 C400:2", as: "clerk1")
        desk.lineOK("RETURN S1 C400:2 reason=CHANGED_MIND exchange=A100:1", as: "clerk1")
        desk.lineOK("APPROVE R000001 tender=cash:12.00", as: "sup1")
        #expect(desk.onHand("C400", "STORE1") == 0 && desk.onHand("A100", "STORE1") == 0 && desk.balance("C1") == "0.00")
        let voided = desk.lineOK("VOID R000001 reason=CHANGED_MIND note=undo", as: "sup2")
        #expect(Self.field(voided, "owed") == "-12.00")
        #expect(desk.onHand("C400", "STORE1") == -2 && desk.onHand("A100", "STORE1") == 1)
        // +13.00 for the credit note, −25.00 for the exchange sale: we owe 12.00, held as a lot.
        #expect(desk.balance("C1") == "-12.00")
        let lot = desk.ledger.creditLots["C1"]!.last!
        #expect(lot.id == "RT-20261129-0002" && lot.amount == m("12.00") && lot.remaining == m("12.00"))
        #expect(desk.ledger.orders["X-R000001"]!.status == "voided" && desk.ledger.orders["S1"]!.lines[0].returnable == 2)
        #expect(desk.lineFails("RETURN X-R000001 A100:1 reason=DEFECTIVE", as: "clerk1") == .EXCEEDS)
        desk.expectReplays()
    }

    /// An exchange's sale with a return of its own against it cannot be voided under it.
    @Test func anExchangeWhoseSaleWasReturnedStays() {
        var desk = Self.shop()
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S1 A200:1", as: "clerk1")  // the toaster handed over (section 22.3)
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:1", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=CHANGED_MIND exchange=A200:1", as: "clerk1")
        desk.lineOK("APPROVE R000001 tender=cash:14.90", as: "sup1")
        desk.lineOK("RETURN X-R000001 A200:1 reason=DEFECTIVE", as: "clerk1")
        #expect(desk.lineFails("VOID R000001 reason=OTHER note=x", as: "sup2") == .STATE)
        desk.lineOK("CANCEL R000002", as: "clerk1")
        desk.lineOK("VOID R000001 reason=OTHER note=x", as: "sup2")
        desk.expectReplays()
    }

    /// Store credit partly spent: the lot gives back what is left (18.50); the customer owes the
    /// 6.50 it spent.
    @Test func storeCreditPartlySpentIsOwed() {
        var desk = Self.shop()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000001 refund=credit", as: "sup1")
        desk.lineOK("SALE S2 location=STORE1 customer=C1 C400:1 tender=credit:6.50", as: "clerk1")
        #expect(desk.balance("C1") == "-18.50")
        let voided = desk.lineOK("VOID R000001 reason=DEFECTIVE note=x", as: "sup2")
        #expect(Self.field(voided, "owed") == "6.50" && desk.balance("C1") == "6.50")
        #expect(desk.ledger.orders["S1"]!.lines[0].returnable == 2)
        let lot = desk.ledger.creditLots["C1"]!.first!
        #expect(lot.voided && lot.state(at: desk.now) == "voided")
        #expect(desk.ledger.availableCredit("C1", at: desk.now) == .zero && desk.ledger.openCreditLots == 0)
        desk.expectReplays()
    }

    /// Units inspected and restocked, then sold again: they leave on hand, below zero; units still
    /// in quarantine leave it; scrapped units are gone already.
    @Test func stockComesBackFromWhereTheUnitsAreNow() {
        var desk = Self.shop()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 B300:3", as: "clerk1")
        for n in 1...3 {
            desk.lineOK("RETURN S1 B300:1 reason=DEFECTIVE", as: "clerk1")
            desk.lineOK("APPROVE R00000\(n)", as: "sup1")
        }
        #expect(desk.quarantine("B300", "STORE1") == 3 && desk.onHand("B300", "STORE1") == -3)
        desk.lineOK("INSPECT R000001 restock", as: "sup1")
        desk.lineOK("INSPECT R000002 scrap", as: "sup1")
        desk.lineOK("SALE S2 location=STORE1 B300:1", as: "clerk1")
        #expect(desk.onHand("B300", "STORE1") == -3 && desk.quarantine("B300", "STORE1") == 1)
        desk.lineOK("VOID R000001 reason=DEFECTIVE note=restocked", as: "sup2")
        #expect(desk.onHand("B300", "STORE1") == -4)
        desk.lineOK("VOID R000002 reason=DEFECTIVE note=scrapped", as: "sup2")
        #expect(desk.onHand("B300", "STORE1") == -4 && desk.quarantine("B300", "STORE1") == 1)
        desk.lineOK("VOID R000003 reason=DEFECTIVE note=inspecting", as: "sup2")
        #expect(desk.onHand("B300", "STORE1") == -4 && desk.quarantine("B300", "STORE1") == 0)
        #expect(desk.balance("C1") == "177.00" && desk.ledger.orders["S1"]!.lines[0].returnable == 3)
        #expect(desk.ok(.verify(from: nil), as: "aud1")["count"] == "6")
        desk.expectReplays()
    }

    @Test func aSupplierReturnsGoodsComeBack() {
        var desk = Self.shop()
        desk.lineOK("PURCHASE P1 location=WH1 supplier=S1 A100:10", as: "clerk1")
        let owed = desk.balance("S1")
        desk.lineOK("RETURN P1 A100:2 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000001", as: "sup1")
        #expect(desk.onHand("A100", "WH1") == 8)
        let voided = desk.lineOK("VOID R000001 reason=DEFECTIVE note=x", as: "sup2")
        #expect(Self.field(voided, "owed") == "")
        #expect(desk.onHand("A100", "WH1") == 10 && desk.balance("S1") == owed && desk.ledger.orders["P1"]!.lines[0].returnable == 10)
        #expect(desk.ledger.notices.last!.kind == .void)
        desk.expectReplays()
    }

    @Test func onlyApprovedReturnsAreVoided() {
        var desk = Self.shop()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        #expect(desk.lineFails("VOID R000001 reason=DEFECTIVE note=x", as: "sup2") == .STATE)
        desk.lineOK("REJECT R000001 note=no", as: "sup1")
        #expect(desk.lineFails("VOID R000001 reason=DEFECTIVE note=x", as: "sup2") == .STATE)
    }
}

/// A voided return holds nothing of its line any more: the next return of the same units is
/// worth what the voided one was (protocol.md, Tax: "returns not rejected, cancelled or voided").
@Suite struct VoidedTaxTests {
    @Test func aVoidedReturnLeavesTheLinesWorthToTheNext() {
        var desk = TaxTests.shop()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:3", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        #expect(desk.lineOK("APPROVE R000001", as: "sup1")["tax"] == "2.88")
        desk.lineOK("VOID R000001 reason=DEFECTIVE note=wrong", as: "sup2")
        for (n, tax) in [(2, "2.88"), (3, "2.87"), (4, "2.88")] {
            desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
            let approved = desk.lineOK("APPROVE R00000\(n)", as: "sup1")
            #expect(approved["amount"] == "25.00" && approved["tax"] == tax, "R00000\(n): \(approved)")
        }
        desk.expectReplays()
    }
}
