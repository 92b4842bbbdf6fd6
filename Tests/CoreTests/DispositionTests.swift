import ReturnLedgerCore
import TestSupport
import Testing

/// Protocol.md, Goods after the return: per-unit INSPECT, held stock, DISPOSE, supplier returns
/// with an RMA and the vendor's credit note.
@Suite struct DispositionTests {
    /// B300 (inspected, cost 31.00) sold 4 to C1 at STORE1 from a purchase of 10; a return of 4
    /// approved into quarantine. A200 (cost 22.00) is the SKU a regrade makes.
    static func inQuarantine() -> Desk {
        var desk = Desk.shop()
        desk.ok(Desk.purchase("PO-1", at: "STORE1", item("B300", 10)))
        desk.ok(Desk.sale("S1", customer: "C1", item("B300", 4)))
        desk.ok(Desk.ret("S1", item("B300", 4)), as: "clerk1")
        #expect(desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")["state"] == "inspecting")
        return desk
    }

    static func lists(_ lists: (Disposition, [UnitSpec])...) -> DispositionLists { DispositionLists(lists) }
    static func units(_ sku: String, _ qty: Int64, batch: String = "", to: String = "") -> UnitSpec {
        UnitSpec(sku: sku, quantity: qty, batch: batch, toSku: to)
    }

    func level(_ desk: Desk, _ sku: String, _ location: String = "STORE1", batch: String = "") -> StockLevel {
        desk.ledger.level(sku, StockSlot(location: location, batch: batch))
    }

    @Test func anInspectionSplitsUnitsAndLeavesTheRestInQuarantine() {
        var desk = Self.inQuarantine()
        let first = desk.ok(.inspect(id: "R000001", disposition: nil, note: "box torn",
                                     lists: Self.lists((.vendor, [Self.units("B300", 1)]), (.scrap, [Self.units("B300", 1)]))), as: "sup1")
        #expect(first["state"] == "inspecting")
        #expect(first["disposition"] == "scrap,vendor")
        #expect(first["left"] == "2")
        #expect(first["value"] == "-31.00")
        #expect(level(desk, "B300") == StockLevel(onHand: 6, quarantine: 2, rtv: 1))
        // The bare word takes every unit no list names: one regraded, the other restocked.
        let second = desk.ok(.inspect(id: "R000001", disposition: .restock, note: "",
                                      lists: Self.lists((.regrade, [Self.units("B300", 1, to: "A200")]))), as: "sup1")
        #expect(second["state"] == "completed")
        #expect(second["disposition"] == "restock,regrade")
        #expect(second["left"] == "0")
        #expect(second["value"] == "-9.00")  // 1 × (22.00 − 31.00)
        #expect(level(desk, "B300") == StockLevel(onHand: 7, quarantine: 0, rtv: 1))
        #expect(desk.onHand("A200", "STORE1") == 1)
        let show = desk.ok(.show(id: "R000001"))
        let disposed = show.lines.filter { $0.first?.value == "disposed" }
        #expect(disposed.count == 4)
        #expect(show.lines.first?.first { $0.key == "quarantine" }?.value == "0")
        #expect(show.lines.contains { $0.first?.value == "event" && $0.last?.value == "scrap,vendor: box torn" })
        #expect(desk.fails(.inspect(id: "R000001", disposition: .scrap, note: ""), as: "sup1") == .STATE)
        desk.expectReplays()
    }

    @Test func theItemsOfAnInspectionAreCheckedInTheContractsOrder() {
        var desk = Self.inQuarantine()
        func inspect(_ lists: DispositionLists, word: Disposition? = nil) -> DomainError.Code? {
            desk.fails(.inspect(id: "R000001", disposition: word, note: "", lists: lists), as: "sup1")
        }
        #expect(inspect(Self.lists((.restock, [Self.units("A100", 1)]))) == .NOT_FOUND)
        #expect(inspect(Self.lists((.restock, [Self.units("B300", 1, batch: "L9")]))) == .NOT_FOUND)
        #expect(inspect(Self.lists((.regrade, [Self.units("B300", 1, to: "NOPE")]))) == .NOT_FOUND)
        #expect(inspect(Self.lists((.regrade, [Self.units("B300", 1, to: "B300")]))) == .INVALID)
        #expect(inspect(Self.lists((.restock, [UnitSpec(sku: "B300", quantity: 1, serials: ["SN1"])]))) == .INVALID)
        #expect(inspect(Self.lists((.restock, [Self.units("B300", 3)]), (.scrap, [Self.units("B300", 2)]))) == .EXCEEDS)
        #expect(level(desk, "B300").quarantine == 4)  // nothing applied
    }

    @Test func theBareWordAnswersAsBefore() {
        var desk = Self.inQuarantine()
        let reply = desk.ok(.inspect(id: "R000001", disposition: .scrap, note: "cracked"), as: "sup1")
        #expect(reply.status.map(\.key) == ["id", "state", "disposition", "left", "value"])
        #expect(reply["disposition"] == "scrap")
        #expect(reply["value"] == "-124.00")
    }

    @Test func disposeMovesHeldGoodsOnAndReSendsAnswerTheSame() {
        var desk = Self.inQuarantine()
        desk.ok(.inspect(id: "R000001", disposition: .vendor, note: ""), as: "sup1")
        #expect(level(desk, "B300").rtv == 4)
        let ask = DisposeRequest(location: "STORE1", from: .rtv, lists: Self.lists((.restock, [Self.units("B300", 1)]),
                                                                                   (.scrap, [Self.units("B300", 1)])),
                                 note: "vendor refused two", key: "d-1")
        let reply = desk.ok(.dispose(ask), as: "sup1")
        #expect(reply["move"] == "M000001")
        #expect(reply["disposition"] == "restock,scrap")
        #expect(reply["qty"] == "2")
        #expect(reply["value"] == "-31.00")
        #expect(level(desk, "B300") == StockLevel(onHand: 7, quarantine: 0, rtv: 2))
        let again = desk.ok(.dispose(ask), as: "sup1")
        #expect(again["existed"] == "yes")
        #expect(level(desk, "B300").rtv == 2)
        var other = ask
        other.note = "else"
        #expect(desk.fails(.dispose(other), as: "sup1") == .CONFLICT)
        // Too few held: STOCK; the list naming the state itself: INVALID at parse; unknown SKU: NOT_FOUND.
        #expect(desk.fails(.dispose(DisposeRequest(location: "STORE1", from: .rtv, lists: Self.lists((.scrap, [Self.units("B300", 3)])),
                                                   note: "", key: nil)), as: "sup1") == .STOCK)
        #expect(desk.fails(.dispose(DisposeRequest(location: "STORE1", from: .refurbish, lists: Self.lists((.scrap, [Self.units("B300", 1)])),
                                                   note: "", key: nil)), as: "sup1") == .STOCK)
        #expect(desk.fails(.dispose(DisposeRequest(location: "STORE1", from: .rtv, lists: Self.lists((.scrap, [Self.units("ZZ", 1)])),
                                                   note: "", key: nil)), as: "sup1") == .NOT_FOUND)
        #expect(desk.fails(.dispose(DisposeRequest(location: "NOPE", from: .rtv, lists: Self.lists((.scrap, [Self.units("B300", 1)])),
                                                   note: "", key: nil)), as: "sup1") == .NOT_FOUND)
        desk.expectReplays()
    }

    @Test func aVoidTakesBackWhatTheDecisionsLeft() {
        var desk = Self.inQuarantine()
        desk.ok(.inspect(id: "R000001", disposition: nil, note: "",
                         lists: Self.lists((.restock, [Self.units("B300", 1)]), (.vendor, [Self.units("B300", 2)]),
                                           (.regrade, [Self.units("B300", 1, to: "A200")]))), as: "sup1")
        // One of the vendor-held units moves on before the void: only the other comes back out of rtv.
        desk.ok(.dispose(DisposeRequest(location: "STORE1", from: .rtv, lists: Self.lists((.scrap, [Self.units("B300", 1)])),
                                        note: "", key: nil)), as: "sup1")
        desk.ok(.void(id: "R000001", reason: "DEFECTIVE", note: "wrong return"), as: "sup2")
        #expect(level(desk, "B300") == StockLevel(onHand: 6, quarantine: 0, rtv: 0))  // 7 − 1 restocked
        #expect(desk.onHand("A200", "STORE1") == 0)
        desk.expectReplays()
    }

    /// The contract's worked example: PO-1 buys 10 B300 at 31.00; returning 1 expecting 31.00
    /// posts a debit note +31.00 (−279.00); a credit note of 28.00 posts −3.00 (−282.00).
    @Test func aShortCreditNoteBooksTheDifference() {
        var desk = Desk.shop()
        desk.ok(Desk.purchase("PO-1", at: "WH1", supplier: "S2", item("B300", 10, price: "31.00")))
        #expect(desk.balance("S2") == "-310.00")
        var filing = ReturnFiling(order: "PO-1", items: [item("B300", 1)], reason: "DEFECTIVE", location: nil, note: "", key: nil)
        filing.rma = "RMA-77"
        filing.expected = m("31.00")
        #expect(desk.ok(.fileReturn(filing), as: "clerk1")["kind"] == "purchase")
        desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")
        #expect(desk.balance("S2") == "-279.00")
        let credit = desk.ok(.vendorCredit(id: "R000001", amount: m("28.00"), ref: "CN-5512", note: ""), as: "fin1")
        #expect(credit.status.map(\.value) == ["R000001", "31.00", "28.00", "-3.00", "CN-5512"])
        #expect(desk.balance("S2") == "-282.00")
        #expect(desk.ledger.entries["S2"]?.last?.kind == .credit_difference)
        #expect(desk.ok(.vendorCredit(id: "R000001", amount: m("28.00"), ref: "CN-5512", note: ""), as: "fin1")["existed"] == "yes")
        #expect(desk.fails(.vendorCredit(id: "R000001", amount: m("29.00"), ref: "CN-5512", note: ""), as: "fin1") == .CONFLICT)
        #expect(desk.fails(.void(id: "R000001", reason: "DEFECTIVE", note: "x"), as: "sup2") == .STATE)
        let show = desk.ok(.show(id: "R000001"))
        #expect(show["rma"] == "RMA-77")
        #expect(show["received"] == "28.00")
        #expect(show["credit_ref"] == "CN-5512")
        let stats = desk.ok(.stats(StatsQuery(by: .supplier)))
        #expect(stats.lines.first?.map(\.value) == ["S2", "1", "1", "31.00", "1.0000", "31.00", "28.00", "-3.00", "0"])
        // The contract's other promises on these returns: LIST rma=, DOC's RMA and expected credit,
        // and which returns each STATS grouping counts.
        #expect(desk.lineOK("LIST rma=RMA-77").lines.map { $0.first?.value } == ["R000001"])
        #expect(desk.lineOK("LIST rma=NONE")["count"] == "0")
        let doc = desk.ok(.doc(number: desk.ledger.returns[0].doc))
        #expect(doc["rma"] == "RMA-77" && doc["expected"] == "31.00")
        #expect(desk.lineFails("STATS by=disposition kind=purchase", as: "fin1") == .INVALID)
        #expect(desk.lineFails("STATS by=supplier kind=sale", as: "fin1") == .INVALID)
        desk.expectReplays()
    }

    @Test func rmaRequiredAndVendorHeldGoodsGoBackFromRtv() {
        var desk = Desk.shop()
        desk.ok(.partySet(id: "S1", name: nil, rmaRequired: true))
        desk.lineOK("SKU SET B300 supplier=S2")
        desk.ok(.skuSet(sku: "B300", name: nil, price: nil, cost: nil, inspect: nil, supplier: ""))
        #expect(desk.ledger.products["B300"]?.supplier == "")  // "" clears it
        desk.ok(.skuSet(sku: "B300", name: nil, price: nil, cost: nil, inspect: nil, supplier: "S1"))
        #expect(desk.fails(.skuSet(sku: "A100", name: nil, price: nil, cost: nil, inspect: nil, supplier: "C1")) == .NOT_FOUND)
        #expect(desk.fails(.partySet(id: "C1", name: nil, rmaRequired: true)) == .INVALID)
        var desk2 = desk
        // Goods held for the supplier at STORE1, returned without an order at cost.
        desk.ok(Desk.purchase("PO-1", at: "STORE1", item("B300", 5)))
        desk.ok(Desk.sale("S1", customer: "C1", item("B300", 2)))
        desk.ok(Desk.ret("S1", item("B300", 2)), as: "clerk1")
        desk.ok(.approve(id: "R000001", refund: nil, note: ""), as: "sup1")
        desk.ok(.inspect(id: "R000001", disposition: .vendor, note: ""), as: "sup1")
        let stock = desk.ok(.stockSupplier(party: "S1", location: nil))
        #expect(stock["rtv"] == "2")
        var filing = ReturnFiling(order: "-", items: [item("B300", 2)], reason: "DEFECTIVE", location: "STORE1", note: "", key: "v1")
        filing.supplier = "S1"
        filing.source = .rtv
        let filed = desk.ok(.fileReturn(filing), as: "clerk1")
        #expect(filed["amount"] == "62.00")
        #expect(desk.fails(.approve(id: "R000002", refund: nil, note: ""), as: "sup1") == .RMA_REQUIRED)
        desk.ok(.approve(ApprovalRequest(id: "R000002", rma: "RMA-1")), as: "sup1")
        #expect(desk.ok(.approve(ApprovalRequest(id: "R000002", rma: "RMA-1")), as: "sup2")["existed"] == "yes")
        #expect(desk.fails(.approve(ApprovalRequest(id: "R000002", rma: "RMA-2")), as: "sup2") == .CONFLICT)
        #expect(level(desk, "B300") == StockLevel(onHand: 3, quarantine: 0, rtv: 0))
        #expect(desk.balance("S1") == "-93.00")  // −155.00 + 62.00
        #expect(desk.ok(.show(id: "R000002"))["rma"] == "RMA-1")
        let notice = desk.ok(.notices(party: "S1", from: nil)).lines.last?.last?.value
        #expect(notice == "Debit note of 62.00 for goods returned with R000002 (RMA RMA-1)")
        // Supplier terms on a customer return, supplier= with an order: INVALID; a SKU of another supplier: INVALID.
        var bad = ReturnFiling(order: "S1", items: [item("B300", 1)], reason: "DEFECTIVE", location: nil, note: "", key: nil)
        bad.rma = "X"
        #expect(desk.fails(.fileReturn(bad), as: "clerk1") == .INVALID)
        desk2.ok(.skuSet(sku: "A100", name: nil, price: nil, cost: nil, inspect: nil, supplier: "S2"))
        var other = ReturnFiling(order: "-", items: [item("A100", 1)], reason: "DEFECTIVE", location: "STORE1", note: "", key: nil)
        other.supplier = "S1"
        #expect(desk2.fails(.fileReturn(other), as: "clerk1") == .INVALID)
        desk.expectReplays()
    }

    /// The review's findings, each a rule of the contract: a key re-sent after `APPROVE rma=`
    /// still matches what was filed; STOCK supplier= takes location=; a VOID reverses the expected
    /// credit on the notice too; an INSPECT sent twice decides once; STATS by=disposition counts
    /// customer returns only.
    @Test func reSendsAndTheSmallerRules() {
        var desk = Desk.shop()
        desk.ok(.partySet(id: "S1", name: nil, rmaRequired: true))
        desk.ok(.skuSet(sku: "B300", name: nil, price: nil, cost: nil, inspect: nil, supplier: "S1"))
        desk.ok(Desk.purchase("PO-1", at: "STORE1", item("B300", 10)))
        var filing = ReturnFiling(order: "PO-1", items: [item("B300", 1)], reason: "DEFECTIVE", location: nil, note: "", key: "k1")
        filing.expected = m("25.00")
        desk.ok(.fileReturn(filing), as: "clerk1")
        desk.ok(.approve(ApprovalRequest(id: "R000001", rma: "RMA-9")), as: "sup1")
        #expect(desk.ok(.fileReturn(filing), as: "clerk1")["existed"] == "yes")
        var withoutExpected = filing
        withoutExpected.expected = nil
        #expect(desk.fails(.fileReturn(withoutExpected), as: "clerk1") == .CONFLICT)  // the default (31.00) is other content
        #expect(desk.lineOK("STOCK supplier=S1 location=STORE1")["supplier"] == "S1")
        desk.ok(.void(id: "R000001", reason: "DEFECTIVE", note: "sent by mistake"), as: "sup2")
        #expect(desk.ledger.notices.last?.amount == m("25.00"))
        #expect(desk.balance("S1") == "-310.00")
        // An INSPECT sent twice (a till's retry) decides its units once.
        desk.ok(Desk.sale("S1", customer: "C1", item("B300", 3)))
        desk.ok(Desk.ret("S1", item("B300", 3)), as: "clerk1")
        desk.ok(.approve(id: "R000002", refund: nil, note: ""), as: "sup1")
        let ask = Command.inspect(id: "R000002", disposition: nil, note: "torn", lists: Self.lists((.vendor, [Self.units("B300", 1)])))
        #expect(desk.ok(ask, as: "sup1")["left"] == "2")
        let again = desk.ok(ask, as: "sup1")
        #expect(again["existed"] == "yes" && again["left"] == "2")
        #expect(level(desk, "B300").rtv == 1)
        #expect(desk.ok(.inspect(id: "R000002", disposition: nil, note: "torn too", lists: Self.lists((.vendor, [Self.units("B300", 1)]))),
                        as: "sup1")["left"] == "1")
        let stats = desk.ok(.stats(StatsQuery(by: .disposition)))
        #expect(stats["approved"] == "1" && stats.lines.allSatisfy { $0.first { $0.key == "share" }?.value == "1.0000" })
        desk.expectReplays()
    }

    /// A random walk of sales, purchases, returns, inspections with split decisions, DISPOSE and
    /// supplier returns from rtv: every slot's states add up to what the books say went in and
    /// out, no held state is ever negative, and every balance is the sum of its entries.
    @Test func theBooksHoldOverRandomWalks() {
        let seed = UInt64.random(in: 1...UInt64.max)
        print("DispositionTests.theBooksHoldOverRandomWalks seed \(seed)")
        var random = SeededGenerator(seed: seed)
        var desk = Desk.shop()
        desk.ok(Desk.purchase("P0", at: "STORE1", item("B300", 200)))
        var sales = 0, purchases = 0
        let words: [Disposition] = [.restock, .scrap, .vendor, .refurbish]
        for step in 0..<300 {
            desk.now.seconds += 60
            switch Int.random(in: 0..<7, using: &random) {
            case 0:
                sales += 1
                desk.run(Desk.sale("S\(sales)", customer: "C1", item("B300", Int64.random(in: 1...3, using: &random))))
            case 1:
                purchases += 1
                desk.run(Desk.purchase("P\(purchases)", at: "STORE1", item("B300", Int64.random(in: 1...5, using: &random))))
            case 2 where sales > 0:
                desk.run(Desk.ret("S\(Int.random(in: 1...sales, using: &random))", item("B300", 1)), as: "clerk1")
            case 3:
                if let open = desk.ledger.returns.last(where: { $0.state == .pending }) {
                    desk.run(.approve(id: open.id, refund: nil, note: ""), as: "sup1")
                }
            case 4:
                if let r = desk.ledger.returns.first(where: { $0.state == .inspecting }) {
                    let word = words.randomElement(using: &random)!
                    desk.run(.inspect(id: r.id, disposition: Bool.random(using: &random) ? word : nil, note: "",
                                      lists: Self.lists((words.randomElement(using: &random)!, [Self.units("B300", 1)]))), as: "sup1")
                }
            case 5:
                let from: StockState = Bool.random(using: &random) ? .rtv : .refurbish
                let to: Disposition = from == .rtv ? [.restock, .scrap, .refurbish].randomElement(using: &random)!
                                                   : [.restock, .scrap, .vendor].randomElement(using: &random)!
                desk.run(.dispose(DisposeRequest(location: "STORE1", from: from, lists: Self.lists((to, [Self.units("B300", 1)])),
                                                 note: "", key: nil)), as: "sup1")
            default:
                var filing = ReturnFiling(order: "-", items: [item("B300", 1)], reason: "DEFECTIVE", location: "STORE1",
                                          note: "", key: "s\(step)")
                filing.supplier = "S1"
                filing.source = .rtv
                desk.run(.fileReturn(filing), as: "clerk1")
            }
            let level = desk.ledger.level("B300", StockSlot(location: "STORE1", batch: ""))
            #expect(level.quarantine >= 0 && level.rtv >= 0 && level.refurbish >= 0, "seed \(seed) step \(step)")
        }
        // The books, per slot: in − out, every move through the effects it carried.
        var expected: Int64 = 0
        for o in desk.ledger.orders.values {
            for line in o.lines where line.sku == "B300" { expected += o.kind == .purchase ? line.quantity : -line.quantity }
        }
        for r in desk.ledger.returns where r.state.isApproved {
            let units = r.items.reduce(0) { $0 + $1.quantity }
            expected += r.kind == .sale ? units : -units
            expected -= r.disposals.filter { $0.disposition == .scrap }.reduce(0) { $0 + $1.quantity }
        }
        for move in desk.ledger.stockMoves {
            expected -= move.disposals.filter { $0.disposition == .scrap }.reduce(0) { $0 + $1.quantity }
        }
        #expect(desk.ledger.level("B300", StockSlot(location: "STORE1", batch: "")).total == expected, "seed \(seed)")
        for (party, entries) in desk.ledger.entries {
            #expect(entries.reduce(Int64(0)) { $0 + $1.amount.minor } == desk.ledger.balances[party]?.minor, "seed \(seed) \(party)")
        }
        desk.expectReplays()
    }
}
