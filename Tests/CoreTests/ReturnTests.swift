import ReturnLedgerCore
import Testing

@Suite struct FilingTests {
    /// A shop with a paid sale to C1 of 3 kettles and 1 headphones at STORE1.
    static func sold() -> Desk {
        var desk = Desk.shop()
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 3), item("B300", 1)))
        return desk
    }

    @Test func filingTakesThePriceFromTheOrder() {
        var desk = Desk.shop()
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 3, price: "20.00")))
        let reply = desk.ok(Desk.ret("S1", item("A100", 2, price: "99.00")), as: "clerk1")
        #expect(reply["id"] == "R000001")
        #expect(reply["state"] == "pending")
        #expect(reply["kind"] == "sale")
        #expect(reply["amount"] == "40.00")
        #expect(desk.ledger.returns[0].location == "STORE1")
    }

    @Test func quantityIsCappedBySoldMinusReturnedMinusPending() {
        var desk = FilingTests.sold()
        desk.ok(Desk.ret("S1", item("A100", 2)), as: "clerk1")
        #expect(desk.fails(Desk.ret("S1", item("A100", 2)), as: "clerk1") == .EXCEEDS)
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")
        #expect(desk.fails(Desk.ret("S1", item("A100", 1)), as: "clerk1") == .EXCEEDS)
        // The message names what was asked, what is left, and why.
        if case .failure(let error) = desk.run(Desk.ret("S1", item("A100", 1)), as: "clerk1") {
            #expect(error.message.hasPrefix("A100: 1 asked, 0 of "))
            #expect(error.message.hasSuffix("(0 returned, 3 pending)"), "\(error.message)")
        }
        if case .failure(let error) = desk.run(Desk.ret("S1", item("A100", 1), reason: "BORED"), as: "clerk1") {
            #expect(error.message.hasPrefix("unknown reason BORED; known: CHANGED_MIND, CUSTOMER_REJECTED, DAMAGED"), "\(error.message)")
        }
        // Two tokens of one SKU in one request count together.
        var other = FilingTests.sold()
        #expect(other.fails(Desk.ret("S1", item("A100", 2), item("A100", 2)), as: "clerk1") == .EXCEEDS)
    }

    @Test func rejectedAndCancelledReturnsFreeTheirQuantity() {
        var desk = FilingTests.sold()
        desk.ok(Desk.ret("S1", item("A100", 3)), as: "clerk1")
        desk.ok(.reject(id: "R000001", note: "no receipt"), as: "sup1")
        desk.ok(Desk.ret("S1", item("A100", 3)), as: "clerk1")
        desk.ok(.cancel(id: "R000002"), as: "clerk1")
        desk.ok(Desk.ret("S1", item("A100", 3)), as: "clerk1")
        desk.ok(.approve(id: "R000003", refund: nil, note: ""), as: "sup1")
        #expect(desk.fails(Desk.ret("S1", item("A100", 1)), as: "clerk1") == .EXCEEDS)
    }

    @Test func unknownOrderSkuOrLocationIsNotFound() {
        var desk = FilingTests.sold()
        #expect(desk.fails(Desk.ret("NOPE", item("A100", 1)), as: "clerk1") == .NOT_FOUND)
        #expect(desk.fails(Desk.ret("S1", item("A200", 1)), as: "clerk1") == .NOT_FOUND)
        #expect(desk.fails(Desk.ret("S1", item("A100", 1), location: "MOON"), as: "clerk1") == .NOT_FOUND)
        #expect(desk.ledger.returns.isEmpty)
    }

    @Test func unknownReasonIsInvalid() {
        var desk = FilingTests.sold()
        #expect(desk.fails(Desk.ret("S1", item("A100", 1), reason: "BORED"), as: "clerk1") == .INVALID)
    }

    @Test func customerReturnsExpireAfterTheWindowFromTheSaleTime() {
        var desk = Desk.shop()
        let saleTime = Timestamp(seconds: desk.now.seconds - 31 * 86_400)
        desk.ok(Desk.sale("OLD", customer: "C1", when: saleTime, item("A100", 1)))
        desk.ok(Desk.sale("EDGE", customer: "C1", when: Timestamp(seconds: desk.now.seconds - 30 * 86_400), item("A100", 1)))
        #expect(desk.fails(Desk.ret("OLD", item("A100", 1)), as: "clerk1") == .EXPIRED)
        desk.ok(Desk.ret("EDGE", item("A100", 1)), as: "clerk1")
        desk.ok(.policySet(PolicyChange(windowDays: 60)))
        desk.ok(Desk.ret("OLD", item("A100", 1)), as: "clerk1")
    }

    @Test func supplierReturnsHaveNoWindow() {
        var desk = Desk.shop()
        desk.ok(Desk.purchase("P1", item("A100", 5)))
        desk.now.seconds += 400 * 86_400
        #expect(desk.ok(Desk.ret("P1", item("A100", 1)), as: "clerk1")["kind"] == "purchase")
    }

    @Test func batchesMustMatchTheOrderLine() {
        var desk = Desk.shop()
        desk.ok(Desk.purchase("P1", item("C400", 10, batch: "LOT7"), item("C400", 5, batch: "LOT8"), item("A100", 4, batch: "K1")))
        #expect(desk.fails(Desk.ret("P1", item("C400", 1, batch: "LOT9")), as: "clerk1") == .NOT_FOUND)
        #expect(desk.fails(Desk.ret("P1", item("C400", 1)), as: "clerk1") == .INVALID)
        desk.ok(Desk.ret("P1", item("C400", 6, batch: "LOT7")), as: "clerk1")
        #expect(desk.fails(Desk.ret("P1", item("C400", 6, batch: "LOT8")), as: "clerk1") == .EXCEEDS)
        // One batch on the order: the batch may be left out and is filled in.
        desk.ok(Desk.ret("P1", item("A100", 1)), as: "clerk1")
        #expect(desk.ledger.returns[1].items[0].batch == "K1")
    }

    @Test func aKeyMakesRetriesSafe() {
        var desk = FilingTests.sold()
        let first = desk.ok(Desk.ret("S1", item("A100", 2), note: "box", key: "till4-0001"), as: "clerk1")
        let again = desk.ok(Desk.ret("S1", item("A100", 2), note: "box", key: "till4-0001"), as: "clerk1")
        #expect(again["id"] == first["id"])
        #expect(again["existed"] == "yes")
        #expect(desk.ledger.returns.count == 1)
        #expect(desk.fails(Desk.ret("S1", item("A100", 1), note: "box", key: "till4-0001"), as: "clerk1") == .CONFLICT)
    }

    @Test func aReturnMayBeTakenAtAnotherStore() {
        var desk = FilingTests.sold()
        desk.ok(Desk.ret("S1", item("A100", 1), location: "STORE2"), as: "clerk1")
        desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")
        #expect(desk.onHand("A100", "STORE2") == 1)
        #expect(desk.onHand("A100", "STORE1") == -3)
    }
}

@Suite struct ReviewTests {
    @Test func nobodyApprovesOrRejectsTheirOwnReturn() {
        var desk = FilingTests.sold()
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "sup1")
        #expect(desk.fails(.approve(id: "R000001", refund: nil, note: ""), as: "sup1") == .SELF_APPROVAL)
        #expect(desk.fails(.reject(id: "R000001", note: "x"), as: "sup1") == .SELF_APPROVAL)
        desk.ok(Desk.ret("S1", item("A100", 1)))
        #expect(desk.fails(.approve(id: "R000002", refund: nil, note: ""), as: "admin") == .SELF_APPROVAL)
        desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup2")
    }

    @Test func approvalMovesStockBalanceAndNoticeTogether() {
        var desk = FilingTests.sold()
        desk.ok(Desk.ret("S1", item("A100", 2)), as: "clerk1")
        let reply = desk.ok(.approve(id: "R000001", refund: nil, note: "ok"), as: "sup1")
        #expect(reply["state"] == "approved")
        #expect(reply["doc"] == "RT-20261129-0001")
        #expect(reply["amount"] == "50.00")
        #expect(desk.onHand("A100", "STORE1") == -1)
        // Paid sale: credit note and refund at once, so the balance is back to zero.
        #expect(desk.balance("C1") == "0.00")
        #expect(desk.ledger.entries["C1"]?.suffix(2).map(\.kind) == [.credit_note, .payment])
        #expect(desk.ledger.notices.map(\.kind) == [.refund])
        #expect(desk.ledger.notices[0].party == "C1")
        #expect(desk.ledger.orders["S1"]?.lines[0].returned == 2)
        #expect(desk.ledger.orders["S1"]?.lines[0].pending == 0)
    }

    @Test func storeCreditKeepsTheCreditNote() {
        var desk = FilingTests.sold()
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")
        desk.ok(.approve(id: "R000001", refund: .credit, note: ""), as: "sup1")
        #expect(desk.balance("C1") == "-25.00")
        #expect(desk.ledger.notices[0].kind == .credit_note)
    }

    @Test func unpaidSaleIsCreditedNotRefunded() {
        var desk = Desk.shop()
        desk.ok(Desk.sale("S1", customer: "C1", paid: false, item("A100", 2)))
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")
        desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")
        #expect(desk.balance("C1") == "25.00")
        #expect(desk.ledger.notices[0].kind == .credit_note)
    }

    @Test func walkInRefundIsCashAndCannotBeCredit() {
        var desk = Desk.shop()
        desk.ok(Desk.sale("W1", item("A100", 2)))
        desk.ok(Desk.ret("W1", item("A100", 1)), as: "clerk1")
        #expect(desk.fails(.approve(id: "R000001", refund: .credit, note: ""), as: "sup1") == .INVALID)
        desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")
        #expect(desk.ledger.notices[0].kind == .refund)
        #expect(desk.ledger.notices[0].party == "")
        #expect(desk.ledger.balances[""] == nil)
    }

    @Test func approvingTwiceGivesTheOriginalReply() {
        var desk = FilingTests.sold()
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")
        let first = desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")
        let again = desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup2")
        #expect(again.status.dropLast() == first.status[...])
        #expect(again["existed"] == "yes")
        #expect(desk.onHand("A100", "STORE1") == -2)
        #expect(desk.ledger.notices.count == 1)
    }

    @Test func wrongStateIsState() {
        var desk = FilingTests.sold()
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")
        desk.ok(.reject(id: "R000001", note: "worn"), as: "sup1")
        #expect(desk.fails(.approve(id: "R000001", refund: nil, note: ""), as: "sup1") == .STATE)
        #expect(desk.fails(.reject(id: "R000001", note: "again"), as: "sup1") == .STATE)
        #expect(desk.fails(.cancel(id: "R000001"), as: "clerk1") == .STATE)
        #expect(desk.fails(.inspect(id: "R000001", disposition: .restock, note: ""), as: "sup1") == .STATE)
        #expect(desk.fails(.approve(id: "R000099", refund: nil, note: ""), as: "sup1") == .NOT_FOUND)
    }

    @Test func cancelIsForTheFilerOrASupervisor() {
        var desk = FilingTests.sold()
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")
        #expect(desk.fails(.cancel(id: "R000001"), as: "clerk2") == .DENIED)
        #expect(desk.ok(.cancel(id: "R000001"), as: "clerk1")["state"] == "cancelled")
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")
        desk.ok(.cancel(id: "R000002"), as: "sup1")
    }

    @Test func documentNumbersAreGaplessPerDay() {
        var desk = Desk.shop()
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 9)))
        for _ in 0..<4 { desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1") }
        desk.ok(.reject(id: "R000002", note: "no"), as: "sup1")
        desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")
        desk.ok(.approve(id: "R000003", refund: nil, note: ""), as: "sup1")
        desk.now = Timestamp(parsing: "2026-11-30T00:00:01Z")!
        desk.ok(.approve(id: "R000004", refund: nil, note: ""), as: "sup1")
        #expect(desk.ledger.returns.map(\.doc) == ["RT-20261129-0001", "", "RT-20261129-0002", "RT-20261130-0001"])
        let doc = desk.ok(.doc(number: "RT-20261129-0002"))
        #expect(doc["return"] == "R000003")
        #expect(doc["approved_by"] == "sup1")
        #expect(doc["date"] == "2026-11-29")
        #expect(doc.lines.count == 1)
        #expect(desk.fails(.doc(number: "RT-20261129-0009")) == .NOT_FOUND)
    }

    @Test func inspectedSkusWaitInQuarantine() {
        var desk = FilingTests.sold()
        desk.ok(Desk.ret("S1", item("B300", 1), item("A100", 1)), as: "clerk1")
        #expect(desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")["state"] == "inspecting")
        #expect(desk.quarantine("B300", "STORE1") == 1)
        #expect(desk.onHand("B300", "STORE1") == -1)
        #expect(desk.onHand("A100", "STORE1") == -2)  // not inspected: straight back on hand
        #expect(desk.balance("C1") == "0.00")       // money moved at approval
        let done = desk.ok(.inspect(id: "R000001", disposition: .restock, note: "sealed"), as: "sup1")
        #expect(done["state"] == "completed")
        #expect(done["disposition"] == "restock")
        #expect(desk.quarantine("B300", "STORE1") == 0)
        #expect(desk.onHand("B300", "STORE1") == 0)
        #expect(desk.fails(.inspect(id: "R000001", disposition: .scrap, note: ""), as: "sup1") == .STATE)
    }

    @Test func scrappedUnitsAreWrittenOff() {
        var desk = FilingTests.sold()
        desk.ok(Desk.ret("S1", item("B300", 1)), as: "clerk1")
        desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")
        desk.ok(.inspect(id: "R000001", disposition: .scrap, note: "cracked"), as: "sup1")
        #expect(desk.quarantine("B300", "STORE1") == 0)
        #expect(desk.onHand("B300", "STORE1") == -1)
        let show = desk.ok(.show(id: "R000001"))
        #expect(show.lines.last { $0.first?.value == "event" }?.last?.value == "scrap: cracked")
        #expect(show.lines.last?.first(where: { $0.key == "value" })?.value == "-31.00")
    }
}

@Suite struct SupplierReturnTests {
    /// Two purchases from two suppliers into WH1.
    static func stocked() -> Desk {
        var desk = Desk.shop()
        desk.ok(Desk.purchase("P1", supplier: "S1", item("A100", 10), item("A200", 5)))
        desk.ok(Desk.purchase("P2", supplier: "S2", item("C400", 20, price: "3.10", batch: "LOT7")))
        return desk
    }

    @Test func approvalTakesStockOutAndIssuesADebitNote() {
        var desk = SupplierReturnTests.stocked()
        desk.ok(Desk.ret("P1", item("A100", 4), item("A200", 2), reason: "DAMAGED"), as: "clerk1")
        let reply = desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")
        #expect(reply["state"] == "approved")
        #expect(reply["amount"] == "100.00")
        #expect(desk.onHand("A100", "WH1") == 6)
        #expect(desk.onHand("A200", "WH1") == 3)
        #expect(desk.balance("S1") == "-150.00")  // owed 250.00, debit note 100.00
        #expect(desk.ledger.notices.map(\.kind) == [.debit_note])
        #expect(desk.ledger.notices[0].party == "S1")
    }

    @Test func notEnoughStockChangesNothing() {
        var desk = SupplierReturnTests.stocked()
        desk.ok(Desk.sale("S9", at: "WH1", item("A100", 8)))
        desk.ok(Desk.ret("P1", item("A100", 4)), as: "clerk1")
        let before = desk.ledger
        #expect(desk.fails(.approve(id: "R000001", refund: nil, note: ""), as: "sup1") == .STOCK)
        var after = desk.ledger
        after.audit = before.audit
        #expect(after == before)
        #expect(desk.ledger.audit.last?.outcome == "STOCK")
    }

    @Test func refundDoesNotApplyToSuppliers() {
        var desk = SupplierReturnTests.stocked()
        desk.ok(Desk.ret("P2", item("C400", 2, batch: "LOT7")), as: "clerk1")
        #expect(desk.fails(.approve(id: "R000001", refund: .cash, note: ""), as: "sup1") == .INVALID)
        desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")
        #expect(desk.onHand("C400", "WH1", batch: "LOT7") == 18)
        #expect(desk.balance("S2") == "-55.80")
    }
}
