import Foundation
import Testing

/// Tills, tenders and store credit through a real socket: a store's day with two tills, checked
/// against figures worked out by hand (protocol.md, Tills, tenders and store credit).
@Suite struct TillDayTests {
    @Test func aStoresDayWithTwoTillsAddsUp() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        func ok(_ client: Client, _ line: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Client.Reply {
            try ClothingShopTests.expectOK(client, line, sourceLocation: sourceLocation)
        }
        let clerk1 = try server.login("clerk1"), clerk2 = try server.login("clerk2")
        let sup = try server.login("sup1"), finance = try server.login("fin1")

        #expect(try clerk1.call("TILL OPEN POS1 location=STORE1 float=200.00").status
                == "OK till=POS1 session=T000001 location=STORE1 float=200.00")
        _ = try ok(clerk2, "TILL OPEN POS2 location=STORE1 float=100.00")
        #expect(try clerk1.call("TILL SHOW POS1").code == "DENIED")  // clerks count blind

        // Sales: card and cash, a walk-in in cash, a card.
        _ = try ok(clerk1, "SALE S-1 location=STORE1 customer=C1 A100:4 tender=card:60.00#4242,cash:40.00 till=POS1")
        _ = try ok(clerk2, "SALE S-2 location=STORE1 C400:4 till=POS2")                                  // 26.00 cash
        _ = try ok(clerk1, "SALE S-3 location=STORE1 customer=C2 A200:2 tender=card:79.80#1111 till=POS1")
        #expect(try clerk1.call("SALE S-9 location=STORE1 A100:1 tender=cash:20.00").code == "TENDER")

        // A split-tender return: half of S-1 back the way it was paid.
        _ = try ok(clerk1, "RETURN S-1 A100:2 reason=DEFECTIVE key=d-1 till=POS1")
        #expect(try sup.call("APPROVE R000001")["refund"] == "card:30.00#4242,cash:20.00")
        // An exchange for dearer headphones: the due of 19.10 on the same card, at the other till.
        // The headphones come off the shelf, so the store buys one in first (section 22.3).
        _ = try ok(clerk1, "PURCHASE P-1 location=STORE1 supplier=S1 B300:1")
        _ = try ok(clerk1, "RETURN S-3 A200:1 reason=DEFECTIVE exchange=B300:1 key=d-2")
        let exchange = try sup.call("APPROVE R000002 tender=card:19.10#1111 till=POS2")
        #expect(exchange["due"] == "19.10" && exchange["tender"] == "card:19.10#1111" && exchange["refund"] == "")
        // No receipt: store credit, spent on a later sale.
        _ = try ok(clerk2, "RETURN - C400:2 location=STORE1 customer=C2 reason=DEFECTIVE key=d-3")
        #expect(try sup.call("APPROVE R000003")["refund"] == "credit:13.00")
        #expect(try clerk2.call("CREDIT C2").status == "OK party=C2 available=13.00 expired=0.00 balance=-13.00")
        #expect(try clerk2.call("SALE S-4 location=STORE1 customer=C2 C400:3 tender=credit:14.00,cash:5.50 till=POS2").code == "CREDIT")
        _ = try ok(clerk2, "SALE S-4 location=STORE1 customer=C2 C400:3 tender=credit:13.00,cash:6.50 till=POS2")
        // A pay-out from the first drawer.
        #expect(try clerk1.call("TILL PAYOUT POS1 amount=15.00 note=cleaner").code == "DENIED")
        _ = try ok(sup, "TILL PAYOUT POS1 amount=15.00 note=cleaner")

        // By hand: POS1 200 + 40 − 20 − 15 = 205.00; POS2 100 + 26 + 6.50 = 132.50.
        let pos1 = try sup.call("TILL SHOW POS1")
        #expect(pos1["expected"] == "205.00" && pos1["paid_out"] == "15.00" && pos1["state"] == "open")
        #expect(pos1.data == ["* tender kind=cash taken=40.00 refunded=20.00", "* tender kind=card taken=139.80 refunded=30.00",
                              "* tender kind=credit taken=0.00 refunded=0.00", "* tender kind=other taken=0.00 refunded=0.00"])
        let pos2 = try finance.call("TILL SHOW POS2")
        #expect(pos2["expected"] == "132.50")
        #expect(pos2.data == ["* tender kind=cash taken=32.50 refunded=0.00", "* tender kind=card taken=19.10 refunded=0.00",
                              "* tender kind=credit taken=13.00 refunded=0.00", "* tender kind=other taken=0.00 refunded=0.00"])
        #expect(try clerk1.call("TILL CLOSE POS1 counted=204.00").status
                == "OK till=POS1 session=T000001 expected=205.00 counted=204.00 variance=-1.00")
        #expect(try clerk2.call("TILL CLOSE POS2 counted=132.50")["variance"] == "0.00")
        #expect(try finance.call("TILL LIST state=closed")["count"] == "2")

        // Accounts: C1 100 − 100 − 50 + 50; C2 79.80 − 79.80 − 39.90 + 59.00 − 19.10 − 13.00 + 19.50 − 6.50.
        #expect(try finance.call("BALANCE C1").status == "OK party=C1 kind=customer balance=0.00 credit=0.00")
        #expect(try finance.call("BALANCE C2").status == "OK party=C2 kind=customer balance=0.00 credit=0.00")
        let credit = try clerk1.call("CREDIT C2")
        #expect(credit.data.count == 1 && credit.data[0].hasSuffix("amount=13.00 remaining=0.00 expires=\"\" state=spent"))
        let stats = try finance.call("STATS")
        #expect(stats["approved"] == "3" && stats["refund_cash"] == "20.00" && stats["refund_card"] == "30.00"
                && stats["refund_credit"] == "13.00" && stats["refund_other"] == "0.00")

        // All of it survives a restart: tills, lots and the tenders left to refund.
        let restarted = try server.restart()
        let again = try restarted.login("sup1")
        #expect(try again.call("TILL SHOW POS1")["variance"] == "-1.00")
        #expect(try again.call("ORDER S-1")["tender"] == "card:60.00#4242,cash:40.00")
        _ = try ok(try restarted.login("clerk1"), "RETURN S-1 A100:2 reason=DEFECTIVE key=d-4")
        #expect(try again.call("APPROVE R000004")["refund"] == "card:30.00#4242,cash:20.00")
    }
}
