import Testing

/// Sets up a small shop through the admin's own commands.
func setUpShop(_ server: ServerProcess) throws {
    let admin = try server.login("admin")
    for line in [
        "USER ADD clerk1 role=clerk password=clerk1", "USER ADD clerk2 role=clerk password=clerk2",
        "USER ADD sup1 role=supervisor password=sup1", "USER ADD fin1 role=finance password=fin1",
        "USER ADD aud1 role=auditor password=aud1",
        #"LOCATION ADD STORE1 name="Main Street""#, #"LOCATION ADD STORE2 name="Harbour Mall""#,
        #"LOCATION ADD WH1 name="Central warehouse" kind=warehouse"#,
        #"SKU ADD A100 name="Kettle 1.7L" price=25.00 cost=14.00"#, #"SKU ADD A200 name=Toaster price=39.90 cost=22"#,
        #"SKU ADD B300 name=Headphones price=59 cost=31 inspect=yes"#, #"SKU ADD C400 name="Tea 茶叶" price=6.50 cost=3.10"#,
        #"PARTY ADD customer C1 name="Ana Lima""#, #"PARTY ADD customer C2 name="王芳""#,
        #"PARTY ADD supplier S1 name="Kitchenware Ltd""#, #"PARTY ADD supplier S2 name="Leaf & Co""#,
    ] {
        let reply = try admin.call(line)
        guard reply.ok else { throw Client.Failure(message: "\(line): \(reply.status)") }
    }
}

@Suite struct RetailFlowTests {
    @Test func saleReturnAtAnotherStoreApproveAndEverythingMoves() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let clerk = try server.login("clerk1")
        let sale = try clerk.call("SALE S-100 location=STORE1 customer=C1 A100:3 B300:1 C400:2@6.00")
        #expect(sale.status == "OK order=S-100 total=146.00 tax=0.00 discount=0.00")

        let filed = try clerk.call(#"RETURN S-100 A100:2 reason=DEFECTIVE location=STORE2 note="lid broken, 盖子坏了" key=till2-0001"#)
        #expect(filed.status == "OK id=R000001 state=pending kind=sale amount=50.00 doc=\"\"")
        let retry = try clerk.call(#"RETURN S-100 A100:2 reason=DEFECTIVE location=STORE2 note="lid broken, 盖子坏了" key=till2-0001"#)
        #expect(retry.status == "OK id=R000001 state=pending kind=sale amount=50.00 doc=\"\" existed=yes")
        #expect(try clerk.call("APPROVE R000001").code == "DENIED")

        let supervisor = try server.login("sup1")
        let queue = try supervisor.call("LIST state=pending")
        #expect(queue.data.count == 1)
        #expect(queue["count"] == "1")
        let approved = try supervisor.call(#"APPROVE R000001 note="checked""#)
        #expect(approved.ok)
        #expect(approved["state"] == "approved")
        let doc = try #require(approved["doc"])
        #expect(doc.hasPrefix("RT-") && doc.hasSuffix("-0001") && doc.count == 16)
        #expect(approved["amount"] == "50.00")

        let stock = try clerk.call("STOCK A100")
        #expect(stock.data == ["* sku=A100 location=STORE1 on_hand=-3 quarantine=0 rtv=0 refurbish=0 transit=0",
                               "* sku=A100 location=STORE2 on_hand=2 quarantine=0 rtv=0 refurbish=0 transit=0"])
        #expect(stock.status == "OK sku=A100 on_hand=-1 quarantine=0 rtv=0 refurbish=0 transit=0")

        let finance = try server.login("fin1")
        let balance = try finance.call("BALANCE C1")
        #expect(balance.status == "OK party=C1 kind=customer balance=0.00 credit=0.00")
        #expect(balance.data.map { Client.field("kind", in: $0) } == ["sale", "payment", "credit_note", "payment"])
        #expect(Client.field("doc", in: balance.data[2]) == doc)
        #expect(Client.field("amount", in: balance.data[2]) == "-50.00")

        let document = try clerk.call("DOC \(doc)")
        #expect(document.data == ["* item sku=A100 qty=2 batch=\"\" price=25.00 amount=50.00 name=\"Kettle 1.7L\" tax_rate=0.00 tax=0.00 serials=\"\""])
        #expect(document["return"] == "R000001")
        #expect(document["party"] == "C1")
        #expect(document["location"] == "STORE2")
        #expect(document["filed_by"] == "clerk1")
        #expect(document["approved_by"] == "sup1")

        let notices = try finance.call("NOTICES party=C1")
        #expect(notices.data.count == 1)
        #expect(Client.field("kind", in: notices.data[0]) == "refund")
        #expect(Client.field("doc", in: notices.data[0]) == doc)

        let show = try clerk.call("SHOW R000001")
        #expect(show.data.contains { $0.hasPrefix("* event ") && $0.contains("note=\"lid broken, 盖子坏了\"") })
        #expect(show["state"] == "approved")

        let stats = try finance.call("STATS by=reason")
        #expect(stats.data == ["* reason=DEFECTIVE count=1 qty=2 amount=50.00 share=1.0000"])
        #expect(stats["filed"] == "1")
        #expect(stats["approved"] == "1")
        #expect(stats["return_rate"] == "0.3333")
    }

    @Test func quarantinedReturnWaitsForInspection() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let clerk = try server.login("clerk1")
        _ = try clerk.call("SALE S-1 location=STORE1 A100:1 B300:2")
        #expect(try clerk.call("RETURN S-1 B300:1 reason=NOT_AS_DESCRIBED").ok)
        let supervisor = try server.login("sup1")
        #expect(try supervisor.call("APPROVE R000001")["state"] == "inspecting")
        #expect(try clerk.call("STOCK B300 location=STORE1").status == "OK sku=B300 on_hand=-2 quarantine=1 rtv=0 refurbish=0 transit=0")
        let inspected = try supervisor.call("INSPECT R000001 restock note=sealed")
        #expect(inspected.status == "OK id=R000001 state=completed disposition=restock left=0 value=0.00")
        #expect(try clerk.call("STOCK B300 location=STORE1").status == "OK sku=B300 on_hand=-1 quarantine=0 rtv=0 refurbish=0 transit=0")
    }

    @Test func demoShopIsReadyToTry() throws {
        let server = try ServerProcess(demo: true)
        defer { server.stop() }
        let clerk = try server.login("clerk1")
        #expect(try clerk.call("RETURN S-1002 A100:1 reason=CHANGED_MIND").ok)
        #expect(try clerk.call("RETURN S-0900 A200:1 reason=CHANGED_MIND").code == "EXPIRED")
        let supervisor = try server.login("supervisor1")
        #expect(try supervisor.call("APPROVE R000001").ok)
        let admin = try server.login("admin")
        #expect(try admin.call("SKU LIST").data.count >= 4)
    }
}

@Suite struct WholesaleFlowTests {
    @Test func multiItemReturnToOneSupplier() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let buyer = try server.login("clerk2")
        #expect(try buyer.call("PURCHASE PO-1 location=WH1 supplier=S1 A100:50 A200:30@21.50").status == "OK order=PO-1 total=1345.00")
        #expect(try buyer.call("PURCHASE PO-2 location=WH1 supplier=S2 C400:200@3.10#LOT7 C400:100@3.00#LOT8").status ==
            "OK order=PO-2 total=920.00")
        let filed = try buyer.call(#"RETURN PO-2 C400:40#LOT7 C400:10#LOT8 reason=EXPIRED note="best-before passed""#)
        #expect(filed.status == "OK id=R000001 state=pending kind=purchase amount=154.00 doc=\"\"")

        let supervisor = try server.login("sup1")
        let approved = try supervisor.call("APPROVE R000001")
        #expect(approved["state"] == "approved")
        let stock = try buyer.call("STOCK C400 location=WH1")
        #expect(stock.data == ["* sku=C400 location=WH1 on_hand=160 quarantine=0 batch=LOT7 rtv=0 refurbish=0 transit=0",
                               "* sku=C400 location=WH1 on_hand=90 quarantine=0 batch=LOT8 rtv=0 refurbish=0 transit=0"])
        let finance = try server.login("fin1")
        #expect(try finance.call("BALANCE S2").status == "OK party=S2 kind=supplier balance=-766.00 credit=\"\"")
        #expect(try finance.call("BALANCE S1").status == "OK party=S1 kind=supplier balance=-1345.00 credit=\"\"")
        #expect(try finance.call("BALANCE").status == "OK receivable=0.00 payable=2111.00")
        let notices = try finance.call("NOTICES party=S2")
        #expect(notices.data.count == 1)
        #expect(Client.field("kind", in: notices.data[0]) == "debit_note")
    }

    @Test func overStockReturnIsRefusedWithNothingChanged() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let clerk = try server.login("clerk1")
        _ = try clerk.call("PURCHASE PO-1 location=WH1 supplier=S1 A100:10")
        _ = try clerk.call("SALE S-1 location=WH1 A100:8")
        #expect(try clerk.call("RETURN PO-1 A100:5 reason=DAMAGED").ok)
        let supervisor = try server.login("sup1")
        let finance = try server.login("fin1")
        let stockBefore = try clerk.call("STOCK A100")
        let balanceBefore = try finance.call("BALANCE S1")
        let refused = try supervisor.call("APPROVE R000001")
        #expect(refused.code == "STOCK")
        #expect(try clerk.call("STOCK A100").description == stockBefore.description)
        #expect(try finance.call("BALANCE S1").description == balanceBefore.description)
        #expect(try clerk.call("SHOW R000001")["state"] == "pending")
        #expect(try finance.call("NOTICES").data.isEmpty)
        // Stock arrives; the same request now goes through.
        _ = try clerk.call("PURCHASE PO-2 location=WH1 supplier=S1 A100:5")
        #expect(try supervisor.call("APPROVE R000001")["state"] == "approved")
        #expect(try clerk.call("STOCK A100").status == "OK sku=A100 on_hand=2 quarantine=0 rtv=0 refurbish=0 transit=0")
    }
}

/// Scans and DIGEST are answered off the writer queue, from a copy of the state: in a pipeline
/// their replies still come in request order and show every change made before them.
@Suite struct OffQueueReadTests {
    @Test func scansInAPipelineKeepTheirPlaceAndSeeEarlierChanges() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let admin = try server.login("admin")
        var lines: [String] = []
        for i in 1...40 {
            lines.append("SALE P-\(i) location=STORE1 customer=C1 paid=no A100:1")
            lines.append("AUDIT limit=100000")
            lines.append("BALANCE")
            lines.append("STOCK A100")
            if i % 10 == 0 { lines.append("DIGEST") }
            if i == 20 { lines.append("SNAPSHOT") }  // written off the writer too; the requests after it wait their turn
        }
        try admin.send(lines.joined(separator: "\n") + "\n")
        let replies = try admin.readReplies(lines.count)
        var sales = 0
        for (line, reply) in zip(lines, replies) {
            #expect(reply.ok, "\(line) → \(reply.status)")
            if line.hasPrefix("SALE") {
                sales += 1
                #expect(reply.status.hasPrefix("OK order=P-\(sales) "), "\(reply.status)")
            } else if line.hasPrefix("AUDIT") {
                // Every sale before this AUDIT in the pipeline is in it.
                #expect(reply.data.filter { $0.contains("command=SALE") }.count == sales, "\(reply.status)")
            } else if line == "BALANCE" {
                #expect(reply.status.hasPrefix("OK receivable=\(sales * 25).00 "), "\(reply.status)")
            } else if line == "DIGEST" {
                #expect(reply.status.hasPrefix("OK seq="), "\(reply.status)")
            }
        }
        #expect(sales == 40)
    }
}

/// Store scope against the real binary: a supervisor scoped to one store.
@Suite struct ScopeEndToEndTests {
    @Test func aScopedSupervisorIsRefusedAnotherStoresReturnAndSeesOnlyItsOwn() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let admin = try server.login("admin")
        #expect(try admin.call("USER ADD sup2 role=supervisor password=sup2 locations=STORE2").status
                == "OK user=sup2 role=supervisor locations=STORE2")
        let clerk = try server.login("clerk1")
        #expect(try clerk.call("PURCHASE P-1 location=STORE1 supplier=S1 A100:10").ok)
        #expect(try clerk.call("PURCHASE P-2 location=STORE2 supplier=S1 A100:10").ok)
        #expect(try clerk.call("SALE S-1 location=STORE1 customer=C1 A100:2").ok)
        #expect(try clerk.call("SALE S-2 location=STORE2 customer=C1 A100:2").ok)
        let here = try clerk.call("RETURN S-2 A100:1 reason=DEFECTIVE")["id"] ?? "?"
        let there = try clerk.call("RETURN S-1 A100:1 reason=DEFECTIVE")["id"] ?? "?"
        let sup = try server.login("sup2")
        #expect(try sup.call("WHOAMI").status.hasSuffix(" locations=STORE2"))
        #expect(try sup.call("APPROVE \(there)").code == "DENIED")
        #expect(try sup.call("SHOW \(there)").code == "DENIED")
        #expect(try sup.call("LIST location=STORE1").code == "DENIED")
        #expect(try sup.call("APPROVE \(here)").status.hasPrefix("OK id=\(here) state=approved"))
        let listed = try sup.call("LIST")
        #expect(listed["count"] == "1" && listed.data.allSatisfy { $0.contains("location=STORE2") })
        // A scope change reaches the open session at once.
        #expect(try admin.call("USER SCOPE sup2 locations=*").ok)
        #expect(try sup.call("APPROVE \(there)").ok)
        #expect(try sup.call("LIST")["count"] == "2")
    }
}
