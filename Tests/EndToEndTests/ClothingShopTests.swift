import Foundation
import Testing

/// Return types and paging through a real socket: a clothing shop's day (two exchanges, a return
/// without a receipt, a restocking fee, a customer at the limit), checked against figures worked
/// out by hand; and LIST paged with `before=` over 2,500 returns.
@Suite struct ClothingShopTests {
    static func expectOK(_ client: Client, _ line: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Client.Reply {
        let reply = try client.call(line)
        #expect(reply.ok, "\(line) → \(reply.status)", sourceLocation: sourceLocation)
        return reply
    }

    @Test func aClothingShopsDayAddsUp() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let admin = try server.login("admin")
        for line in [#"SKU ADD T1 name="T-shirt M" price=20.00"#, #"SKU ADD T2 name="T-shirt L" price=20.00"#,
                     "SKU ADD J1 name=Jeans price=50.00", "REASON SET CHANGED_MIND fee=10",
                     "POLICY SET customer_returns=3 customer_days=30"] {
            _ = try ClothingShopTests.expectOK(admin, line)
        }
        let clerk = try server.login("clerk1")
        let supervisor = try server.login("sup1")
        #expect(try clerk.call("SALE S-1 location=STORE1 customer=C1 T1:2 J1:1").status == "OK order=S-1 total=90.00 tax=0.00 discount=0.00")
        #expect(try clerk.call("SALE S-2 location=STORE1 T1:1").status == "OK order=S-2 total=20.00 tax=0.00 discount=0.00")
        // What the exchanges hand over is on the shelf (section 22.3): one T-shirt L, and jeans
        // enough for the walk-in's after S-1 took a pair (2 − 1 = 1).
        _ = try ClothingShopTests.expectOK(clerk, "PURCHASE P-1 location=STORE1 supplier=S1 T2:1 J1:2")

        // The wrong size for the right one: an even exchange.
        #expect(try clerk.call("RETURN S-1 T1:1 reason=WRONG_ITEM exchange=T2:1 key=t-1").status
                == #"OK id=R000001 state=pending kind=sale amount=20.00 doc="""#)
        #expect(try supervisor.call("APPROVE R000001").status
                == "OK id=R000001 state=approved doc=\(try docNumber(1)) amount=20.00 fee=0.00 net=20.00 exchange_order=X-R000001 due=0.00 refund=\"\" tender=\"\" tax=0.00 net_tax=0.00")
        // A walk-in changes their mind and takes the jeans: 10% fee, 32.00 paid in.
        _ = try ClothingShopTests.expectOK(clerk, "RETURN S-2 T1:1 reason=CHANGED_MIND exchange=J1:1 key=t-2")
        #expect(try supervisor.call("APPROVE R000002").status
                == "OK id=R000002 state=approved doc=\(try docNumber(2)) amount=20.00 fee=2.00 net=18.00 exchange_order=X-R000002 due=32.00 refund=\"\" tender=cash:32.00 tax=0.00 net_tax=0.00")
        // No receipt: C2 brings a T-shirt back; catalogue price, store credit.
        _ = try ClothingShopTests.expectOK(clerk, "RETURN - T2:1 location=STORE1 customer=C2 reason=DEFECTIVE key=t-3")
        #expect(try supervisor.call("APPROVE R000003 refund=cash").code == "INVALID")
        #expect(try supervisor.call("APPROVE R000003")["net"] == "20.00")
        // The fee on CHANGED_MIND: the jeans back for 45.00 in cash.
        _ = try ClothingShopTests.expectOK(clerk, "RETURN S-1 J1:1 reason=CHANGED_MIND key=t-4")
        #expect(try supervisor.call("APPROVE R000004")["fee"] == "5.00")
        // C1's third return is allowed; the fourth is over the limit unless a supervisor says so.
        _ = try ClothingShopTests.expectOK(clerk, "RETURN S-1 T1:1 reason=DEFECTIVE key=t-5")
        #expect(try clerk.call("RETURN - C400:1 location=STORE1 customer=C1 reason=DEFECTIVE").code == "OVER_LIMIT")
        #expect(try clerk.call("RETURN - C400:1 location=STORE1 customer=C1 reason=DEFECTIVE override=yes").code == "DENIED")
        let overridden = try ClothingShopTests.expectOK(
            supervisor, "RETURN - C400:1 location=STORE1 customer=C1 reason=DEFECTIVE override=yes key=t-6")
        #expect(overridden["id"] == "R000006" && overridden["state"] == "pending")

        // Stock at STORE1: T1 −2 −1 +1 +1 = −1; T2 +1 (bought) −1 (exchange) +1 (no receipt) = 1;
        // J1 +2 (bought) −1 −1 (exchange) +1 = 1.
        #expect(try clerk.call("STOCK T1 location=STORE1").status == "OK sku=T1 on_hand=-1 quarantine=0 rtv=0 refurbish=0 transit=0")
        #expect(try clerk.call("STOCK T2 location=STORE1").status == "OK sku=T2 on_hand=1 quarantine=0 rtv=0 refurbish=0 transit=0")
        #expect(try clerk.call("STOCK J1 location=STORE1").status == "OK sku=J1 on_hand=1 quarantine=0 rtv=0 refurbish=0 transit=0")
        // Money: C1 paid 90.00; the even exchange and the cash refund of 45.00 leave nothing owed.
        let finance = try server.login("fin1")
        let c1 = try finance.call("BALANCE C1")
        #expect(c1.status == "OK party=C1 kind=customer balance=0.00 credit=0.00")
        #expect(c1.data.map { Client.field("kind", in: $0)! + " " + Client.field("amount", in: $0)! }
                == ["sale 90.00", "payment -90.00", "credit_note -20.00", "sale 20.00", "credit_note -45.00", "payment 45.00"])
        #expect(try finance.call("BALANCE C2").status == "OK party=C2 kind=customer balance=-20.00 credit=20.00")
        // Orders: S-1 has nothing left to return (one T-shirt pending), S-2 is returned.
        let s1 = try clerk.call("ORDER S-1")
        // Section 22's fields (serials, each line's window under today's settings) end the lines.
        #expect(s1.data.allSatisfy { $0.hasSuffix(" final_sale=no") && $0.contains(" return_until=20") })
        #expect(s1.data.map { $0.components(separatedBy: " serials=")[0] } == [#"* line sku=T1 qty=2 batch="" price=20.00 returned=1 pending=1 returnable=0 amount=40.00 discount=0.00 tax_rate=0.00 tax=0.00"#,
                            #"* line sku=J1 qty=1 batch="" price=50.00 returned=1 pending=0 returnable=0 amount=50.00 discount=0.00 tax_rate=0.00 tax=0.00"#])
        #expect(s1["status"] == "returned" && s1["returned_amount"] == "70.00" && s1["total"] == "90.00")
        #expect(try clerk.call("ORDER S-2")["status"] == "returned")
        let x2 = try clerk.call("ORDER X-R000002")
        #expect(x2["total"] == "50.00" && x2["party"] == "" && x2["status"] == "open")
        // The slip of the walk-in's exchange.
        let slip = try clerk.call("DOC \(try docNumber(2))")
        #expect(slip.data == [#"* item sku=T1 qty=1 batch="" price=20.00 amount=20.00 name="T-shirt M" tax_rate=0.00 tax=0.00 serials="""#,
                              #"* exchange sku=J1 qty=1 batch="" price=50.00 amount=50.00 name=Jeans tax_rate=0.00 tax=0.00 serials="""#])
        #expect(slip.status.contains(#"fee=2.00 net=18.00 party_name="" location_name="Main Street" exchange_order=X-R000002 due=32.00"#
                                     + #" tax=0.00 fee_tax=0.00 net_tax=0.00 refund="" tender=cash:32.00 doc_type=return voids="" voided="" hash="#))
        // STATS: six filed, four approved (110.00 gross), two pending, 7.00 in fees.
        let stats = try finance.call("STATS")
        #expect(stats["filed"] == "6" && stats["approved"] == "4" && stats["pending"] == "2")
        #expect(stats["amount"] == "110.00" && stats["fees"] == "7.00")
        // The override is in SHOW and in the trail.
        #expect(try clerk.call("SHOW R000006")["override"] == "yes")
        let auditor = try server.login("aud1")
        #expect(try auditor.call("AUDIT user=sup1").data.contains { $0.contains("command=OVERRIDE target=R000006 outcome=ok") })
        // Everything survives a restart: the log replays exchanges, fees and overrides alike.
        let queries = ["BALANCE C1", "BALANCE C2", "ORDER S-1", "ORDER X-R000002", "STATS", "SHOW R000006",
                       "DOC \(try docNumber(2))", "STOCK J1"]
        let before = try queries.map { try auditor.call($0).description }
        let again = try server.restart()
        defer { again.stop() }
        let reader = try again.login("aud1")
        #expect(try queries.map { try reader.call($0).description } == before)
    }

    /// `RT-<today>-000N`.
    func docNumber(_ n: Int) throws -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        return "RT-" + String(format: "%04d%02d%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday) + "-" + String(format: "%04d", n)
    }

    @Test func pagingThroughTwoThousandFiveHundredReturnsVisitsEachOnce() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let clerk = try server.login("clerk1")
        _ = try ClothingShopTests.expectOK(clerk, "SALE S-BULK location=STORE1 customer=C1 A100:3000")
        try clerk.sendReturns(order: "S-BULK", count: 2_500, keyPrefix: "bulk")
        #expect(try clerk.readReplies(2_500).allSatisfy(\.ok))
        let auditor = try server.login("aud1")
        for filter in ["", " party=C1", " order=S-BULK"] {
            var seen: [String] = []
            var before = ""
            var pages = 0
            while pages < 100 {
                let page = try auditor.call("LIST limit=100" + filter + before)
                #expect(page.ok && page["total"] == "2500", "\(page.status)")
                seen += page.data.compactMap { Client.field("id", in: $0) }
                pages += 1
                guard let next = page["next"], !next.isEmpty else { break }
                before = " before=" + next
            }
            #expect(pages == 25, "\(filter)")
            #expect(seen.count == 2_500 && Set(seen).count == 2_500, "\(filter)")
            #expect(seen.first == "R002500" && seen.last == "R000001", "\(filter)")
        }
    }
}
