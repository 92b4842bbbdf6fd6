import ReturnLedgerCore
import Testing

/// Catalogue changes (protocol.md, Catalogue and users): SKU SET, PARTY SET, LOCATION SET.
@Suite struct CatalogueChangeTests {
    @Test func aPriceChangeNeverTouchesRecordedOrdersOrReturns() {
        var desk = Desk.shop()
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 2)))
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")
        #expect(desk.ok(.skuSet(sku: "A100", name: "Kettle 2L", price: m("29.00"), cost: nil, inspect: true))["sku"] == "A100")
        let product = desk.ledger.products["A100"]!
        #expect(product.name == "Kettle 2L" && product.price == m("29.00") && product.cost == m("14.00") && product.inspect)
        #expect(desk.ledger.orders["S1"]!.lines[0].price == m("25.00"))
        #expect(desk.ledger.returns[0].amount == m("25.00"))
        // A new sale and a return without a receipt take the new price.
        #expect(desk.ok(Desk.sale("S2", item("A100", 1)))["total"] == "29.00")
        #expect(desk.ok(.fileReturn(ReturnFiling(order: "-", items: [item("A100", 1)], reason: "DEFECTIVE", location: "STORE1",
                                                 note: "", key: nil, customer: "C1")), as: "clerk1")["amount"] == "29.00")
        #expect(desk.fails(.skuSet(sku: "Z9", name: nil, price: m("1"), cost: nil, inspect: nil)) == .NOT_FOUND)
    }

    @Test func aRenamedPartyKeepsItsBalanceAndARenamedLocationItsStock() {
        var desk = Desk.shop()
        desk.ok(Desk.sale("S1", customer: "C1", paid: false, item("A100", 2)))
        #expect(desk.ok(.partySet(id: "C1", name: "Ana Lima-Souza")).status.map(\.value) == ["C1", "customer"])
        #expect(desk.ledger.parties["C1"]!.name == "Ana Lima-Souza" && desk.balance("C1") == "50.00")
        #expect(desk.ledger.entries["C1"]!.count == 1)
        #expect(desk.ok(.locationSet(code: "STORE1", name: "Main Street")).status.map(\.value) == ["STORE1", "store"])
        #expect(desk.ledger.locations["STORE1"]!.name == "Main Street" && desk.onHand("A100", "STORE1") == -2)
        #expect(desk.fails(.partySet(id: "C9", name: "x")) == .NOT_FOUND)
        #expect(desk.fails(.locationSet(code: "NOWHERE", name: "x")) == .NOT_FOUND)
        var replayed = Ledger()
        replayed.apply(desk.events)
        #expect(replayed == desk.ledger)
    }
}
