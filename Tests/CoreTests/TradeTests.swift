import ReturnLedgerCore
import Testing

@Suite struct SetupTests {
    @Test func addingTwiceIsExists() {
        var desk = Desk.shop()
        #expect(desk.fails(.locationAdd(Location(code: "STORE1", name: "Again", kind: .store))) == .EXISTS)
        #expect(desk.fails(.skuAdd(Product(sku: "A100", name: "x", price: .zero, cost: .zero, inspect: false))) == .EXISTS)
        #expect(desk.fails(.partyAdd(Party(id: "C1", kind: .supplier, name: "x"))) == .EXISTS)
        #expect(desk.fails(.userAdd(name: "clerk1", role: .clerk, passwordHash: "h")) == .EXISTS)
        #expect(desk.fails(.reasonAdd(Reason(code: "DEFECTIVE", label: "x"))) == .EXISTS)
    }

    @Test func reasonsIncludeTheBuiltInSet() {
        var desk = Desk()
        let codes = desk.ok(.reasonList).lines.map { $0[0].value }
        #expect(codes.sorted() == Reason.builtIn.map(\.code).sorted())
        desk.ok(.reasonAdd(Reason(code: "LATE", label: "Arrived late")))
        #expect(desk.ok(.reasonList).lines.count == Reason.builtIn.count + 1)
    }

    @Test func userChangesNeedAnExistingUser() {
        var desk = Desk.shop()
        #expect(desk.fails(.userRole(name: "ghost", role: .clerk)) == .NOT_FOUND)
        #expect(desk.fails(.userEnable(name: "ghost", enabled: false)) == .NOT_FOUND)
        desk.ok(.userRole(name: "clerk1", role: .supervisor))
        #expect(desk.ledger.users["clerk1"]?.role == .supervisor)
        desk.ok(.userEnable(name: "clerk2", enabled: false))
        #expect(desk.ledger.users["clerk2"]?.enabled == false)
        #expect(desk.fails(.userEnable(name: "admin", enabled: false)) == .INVALID)
    }

    @Test func ownPasswordOnlyUnlessAdmin() {
        var desk = Desk.shop()
        desk.ok(.userPassword(name: "clerk1", passwordHash: "new"), as: "clerk1")
        #expect(desk.ledger.users["clerk1"]?.passwordHash == "new")
        #expect(desk.fails(.userPassword(name: "clerk2", passwordHash: "x"), as: "clerk1") == .DENIED)
        desk.ok(.userPassword(name: "clerk2", passwordHash: "reset"))
        #expect(desk.ledger.users["clerk2"]?.passwordHash == "reset")
    }

    @Test func policyWindowIsSetAndShown() {
        var desk = Desk()
        #expect(desk.ok(.policyShow)["window_days"] == "30")
        desk.ok(.policySet(PolicyChange(windowDays: 14)))
        #expect(desk.ok(.policyShow)["window_days"] == "14")
    }
}

@Suite struct TradeTests {
    @Test func saleMovesStockAndRecordsPaymentAtOnce() {
        var desk = Desk.shop()
        let reply = desk.ok(Desk.sale("S1", customer: "C1", item("A100", 2), item("A200", 1, price: "30.00")))
        #expect(reply["order"] == "S1")
        #expect(reply["total"] == "80.00")
        #expect(desk.onHand("A100", "STORE1") == -2)  // stock may go negative on a sale
        #expect(desk.balance("C1") == "0.00")
        #expect(desk.ledger.entries["C1"]?.map(\.kind) == [.sale, .payment])
    }

    @Test func unpaidSaleLeavesTheCustomerOwing() {
        var desk = Desk.shop()
        desk.ok(Desk.sale("S1", customer: "C1", paid: false, item("A100", 2)))
        #expect(desk.balance("C1") == "50.00")
    }

    @Test func walkInSaleMustBePaid() {
        var desk = Desk.shop()
        #expect(desk.fails(Desk.sale("S1", paid: false, item("A100", 1))) == .INVALID)
        desk.ok(Desk.sale("S2", item("A100", 1)))
        #expect(desk.ledger.orders["S2"]?.paid == true)
    }

    @Test func saleChecksLocationCustomerSkuAndTime() {
        var desk = Desk.shop()
        #expect(desk.fails(Desk.sale("S1", at: "NOWHERE", item("A100", 1))) == .NOT_FOUND)
        #expect(desk.fails(Desk.sale("S1", customer: "S1", item("A100", 1))) == .NOT_FOUND)
        #expect(desk.fails(Desk.sale("S1", item("ZZZ", 1))) == .NOT_FOUND)
        let future = Timestamp(seconds: desk.now.seconds + 60)
        #expect(desk.fails(Desk.sale("S1", when: future, item("A100", 1))) == .INVALID)
        #expect(desk.ledger.orders.isEmpty)
    }

    @Test func resendingAnOrderIsIdempotent() {
        var desk = Desk.shop()
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 2)))
        desk.now.seconds += 5
        let again = desk.ok(Desk.sale("S1", customer: "C1", item("A100", 2)))
        #expect(again["existed"] == "yes")
        #expect(again["total"] == "50.00")
        #expect(desk.onHand("A100", "STORE1") == -2)
        #expect(desk.fails(Desk.sale("S1", customer: "C1", item("A100", 3))) == .CONFLICT)
        #expect(desk.fails(Desk.purchase("S1", item("A100", 2))) == .CONFLICT)
    }

    @Test func totalsThatOverflowAreInvalid() {
        var desk = Desk.shop()
        let huge = item("A100", 1_000_000, price: "999999999.99")
        #expect(desk.fails(Desk.sale("S1", huge)) == .INVALID)
    }

    @Test func purchaseAddsStockAndOwesTheSupplier() {
        var desk = Desk.shop()
        let reply = desk.ok(Desk.purchase("P1", item("A100", 10), item("C400", 5, batch: "LOT7")))
        #expect(reply["total"] == "172.50")  // cost 14.00 x10; C400 has no cost, so its price 6.50 x5
        #expect(desk.onHand("A100", "WH1") == 10)
        #expect(desk.onHand("C400", "WH1", batch: "LOT7") == 5)
        #expect(desk.balance("S1") == "-172.50")
        #expect(desk.fails(Desk.purchase("P2", supplier: "C1", item("A100", 1))) == .NOT_FOUND)
    }

    @Test func paymentsMoveTheBalanceBothWays() {
        var desk = Desk.shop()
        desk.ok(Desk.purchase("P1", item("A100", 10)))
        let paid = desk.ok(.payment(party: "S1", amount: m("100.00"), direction: .out, note: "bank"), as: "fin1")
        #expect(paid["balance"] == "-40.00")
        desk.ok(Desk.sale("S1", customer: "C1", paid: false, item("A100", 2)))
        #expect(desk.ok(.payment(party: "C1", amount: m("50"), direction: .in, note: ""), as: "fin1")["balance"] == "0.00")
        #expect(desk.fails(.payment(party: "C1", amount: .zero, direction: .in, note: "")) == .INVALID)
        #expect(desk.fails(.payment(party: "ghost", amount: m("1"), direction: .in, note: "")) == .NOT_FOUND)
        #expect(desk.ledger.entries["S1"]?.last?.doc == "P000001")
    }

    @Test func balanceTotalsSplitReceivableAndPayable() {
        var desk = Desk.shop()
        desk.ok(Desk.purchase("P1", item("A100", 10)))
        desk.ok(Desk.sale("S1", customer: "C1", paid: false, item("A100", 2)))
        let totals = desk.ok(.balance(party: nil))
        #expect(totals["receivable"] == "50.00")
        #expect(totals["payable"] == "140.00")
        let c1 = desk.ok(.balance(party: "C1"))
        #expect(c1["kind"] == "customer")
        #expect(c1.lines.count == 1)
        #expect(desk.fails(.balance(party: "nobody")) == .NOT_FOUND)
    }
}
