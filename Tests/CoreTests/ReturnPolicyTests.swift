import ReturnLedgerCore
import Testing

/// Protocol.md, Return policy per product: categories, each item's window, final sale, one
/// audited override, and restocking fees per rate.
@Suite struct ReturnPolicyTests {
    /// KITCHEN: 14 days, a 10% fee; A100 in it. C400 follows the shop (30 days, the reason's fee).
    static func kitchen() -> Desk {
        var desk = Desk.shop()
        desk.lineOK("CATEGORY ADD KITCHEN name=Kitchen return_days=14 fee=10")
        desk.lineOK("SKU SET A100 category=KITCHEN")
        return desk
    }

    static func override(_ order: String, _ items: ItemSpec..., reason: String = "DEFECTIVE") -> Command {
        .fileReturn(ReturnFiling(order: order, items: items, reason: reason, location: nil, note: "", key: nil, override: true))
    }

    @Test func categoriesAreAddedSetAndListed() {
        var desk = Self.kitchen()
        #expect(desk.lineOK("CATEGORY ADD UNDIES name=Underwear final_sale=yes")["category"] == "UNDIES")
        #expect(desk.lineFails("CATEGORY ADD UNDIES name=Again") == .EXISTS)
        #expect(desk.lineFails("CATEGORY SET NOPE name=x") == .NOT_FOUND)
        #expect(desk.lineFails("CATEGORY ADD X name=x return_days=3651") == .INVALID)
        #expect(desk.lineFails("CATEGORY ADD X name=x fee=101") == .INVALID)
        #expect(desk.lineFails("CATEGORY ADD X name=x final_sale=maybe") == .INVALID)
        #expect(desk.lineFails("CATEGORY SET UNDIES") == .SYNTAX)
        let list = desk.lineOK("CATEGORY LIST").lines.map { $0.map(\.pair).joined(separator: " ") }
        #expect(list == ["category=KITCHEN name=Kitchen return_days=14 final_sale= fee=10.00",
                         "category=UNDIES name=Underwear return_days= final_sale=yes fee="])
        // "" clears a setting; what is not named stays.
        desk.lineOK("CATEGORY SET KITCHEN fee= name=Cookware")
        #expect(desk.ledger.categories["KITCHEN"] == Category(code: "KITCHEN", name: "Cookware", terms: ReturnTerms(returnDays: 14)))
        // SKUs: an unknown category is NOT_FOUND; SKU LIST shows the SKU's own settings.
        #expect(desk.lineFails("SKU SET C400 category=NOPE") == .NOT_FOUND)
        #expect(desk.lineFails("SKU ADD Z1 name=z price=1 category=NOPE") == .NOT_FOUND)
        desk.lineOK("SKU ADD Z1 name=z price=1 category=UNDIES final_sale=no return_days=7")
        let z1 = desk.lineOK("SKU LIST").lines.first { $0.first?.value == "Z1" }!
        #expect(z1.suffix(6).map(\.pair) == ["supplier=", "serial=no", "category=UNDIES", "return_days=7",
                                                     "final_sale=no", "fee="])
        desk.lineOK("SKU SET Z1 category= return_days=")
        #expect(desk.ledger.products["Z1"]!.category == "" && desk.ledger.products["Z1"]!.terms == ReturnTerms(finalSale: false))
        // Serial tracking switches while the SKU holds no stock (protocol.md, Serial numbers).
        desk.lineOK("SKU SET Z1 serial=yes")
        #expect(desk.ledger.products["Z1"]!.serial)
        desk.lineOK("SKU SET Z1 serial=no")
        desk.expectReplays()
    }

    @Test func eachItemHasItsOwnWindowAndTheMessageNamesTheRule() {
        var desk = Self.kitchen()
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 1), item("C400", 2)))
        desk.now.seconds += 20 * 86_400
        guard case .failure(let error) = desk.run(Desk.ret("S1", item("C400", 1), item("A100", 1)), as: "clerk1") else {
            Issue.record("expected EXPIRED"); return
        }
        #expect(error.code == .EXPIRED)
        #expect(error.message == "A100: outside its 14-day return window (category KITCHEN)")
        desk.ok(Desk.ret("S1", item("C400", 1)), as: "clerk1")  // the shop's 30 days
        // A SKU's own setting beats its category's.
        desk.lineOK("SKU SET A100 return_days=21")
        #expect(desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")["state"] == "pending")
        desk.lineOK("SKU SET A100 return_days=0")
        guard case .failure(let sku) = desk.run(Desk.ret("S1", item("A100", 1)), as: "clerk1") else { Issue.record("expected a refusal"); return }
        #expect(sku.code == .EXCEEDS)  // the one unit is pending: EXCEEDS comes first
        desk.ok(.cancel(id: "R000002"), as: "clerk1")
        guard case .failure(let own) = desk.run(Desk.ret("S1", item("A100", 1)), as: "clerk1") else { Issue.record("expected a refusal"); return }
        #expect(own.message == "A100: outside its 0-day return window (SKU A100)")
        // The shop's window still refuses as before, item by item.
        desk.now.seconds += 11 * 86_400
        guard case .failure(let shop) = desk.run(Desk.ret("S1", item("C400", 1)), as: "clerk1") else { Issue.record("expected a refusal"); return }
        #expect(shop.code == .EXPIRED && shop.message.hasPrefix("sold 2026-11-29, outside the 30-day return window"))
        desk.expectReplays()
    }

    @Test func finalSaleIsRefusedWithOrWithoutAReceiptAfterExceeds() {
        var desk = Self.kitchen()
        desk.lineOK("CATEGORY ADD UNDIES name=Underwear final_sale=yes")
        desk.lineOK("SKU SET C400 category=UNDIES")
        desk.ok(Desk.sale("S1", customer: "C1", item("C400", 2)))
        #expect(desk.fails(Desk.ret("S1", item("C400", 3)), as: "clerk1") == .EXCEEDS)
        guard case .failure(let error) = desk.run(Desk.ret("S1", item("C400", 1)), as: "clerk1") else { Issue.record("expected a refusal"); return }
        #expect(error.code == .FINAL_SALE && error.message.hasPrefix("C400 is final sale (category UNDIES)"))
        let noReceipt = Command.fileReturn(ReturnFiling(order: "-", items: [item("C400", 1)], reason: "DEFECTIVE",
                                                        location: "STORE1", note: "", key: nil, customer: "C1"))
        #expect(desk.fails(noReceipt, as: "clerk1") == .FINAL_SALE)
        // FINAL_SALE before EXPIRED; the SKU may say it is not final sale after all.
        desk.now.seconds += 40 * 86_400
        #expect(desk.fails(Desk.ret("S1", item("C400", 1)), as: "clerk1") == .FINAL_SALE)
        desk.lineOK("SKU SET C400 final_sale=no")
        #expect(desk.fails(Desk.ret("S1", item("C400", 1)), as: "clerk1") == .EXPIRED)
    }

    @Test func oneOverrideWaivesTheLimitFinalSaleAndOwnWindowsButNotTheShops() {
        var desk = Self.kitchen()
        desk.lineOK("CATEGORY ADD UNDIES name=Underwear final_sale=yes")
        desk.lineOK("SKU SET C400 category=UNDIES")
        desk.ok(.ruleAdd(Rule(code: "SMALL", then: .auto, maxAmount: m("100.00"))))
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 2), item("C400", 2), item("A200", 1)))
        desk.ok(Desk.ret("S1", item("A200", 1)), as: "clerk1")  // auto-approved, and counted
        desk.ok(.policySet(PolicyChange(customerReturns: 1, customerDays: 30)))
        desk.now.seconds += 20 * 86_400
        #expect(desk.fails(Self.override("S1", item("A100", 1), item("C400", 1)), as: "clerk1") == .DENIED)
        let filed = desk.ok(Self.override("S1", item("A100", 1), item("C400", 1)), as: "sup1")
        #expect(filed["state"] == "pending")  // never auto-approved
        let show = desk.ok(.show(id: filed["id"]!))
        #expect(show["override"] == "yes" && show["overridden"] == "limit,final_sale,return_days")
        #expect(show.status.suffix(2).map(\.key) == ["overridden", "archive"])  // section 22's, then 23's
        #expect(desk.ledger.audit.suffix(2).map(\.command) == ["TEST", "OVERRIDE"])
        // The waived item has no window at all; the shop's own window stays.
        desk.ok(.policySet(PolicyChange(customerReturns: 0)))
        desk.now.seconds += 20 * 86_400  // 40 days after the sale
        #expect(desk.ok(Self.override("S1", item("A100", 1)), as: "sup1")["state"] == "pending")
        #expect(desk.fails(Self.override("S1", item("A200", 1)), as: "sup1") == .EXCEEDS)
        desk.lineOK("SKU SET C400 category=")
        #expect(desk.fails(Self.override("S1", item("C400", 1)), as: "sup1") == .EXPIRED)
        // With nothing to waive, override=yes changes nothing.
        desk.now.seconds -= 40 * 86_400
        let plain = desk.ok(Self.override("S1", item("C400", 1)), as: "sup1")
        #expect(desk.ok(.show(id: plain["id"]!))["override"] == "no" && desk.ok(.show(id: plain["id"]!))["overridden"] == "")
        desk.expectReplays()
    }

    /// The contract's worked example: A100 25.00 (KITCHEN fee 10) and C400 2 × 6.50, reason
    /// CHANGED_MIND at 12.5: 2.50 + 1.63 (1.625) = 4.13, net 33.87; `APPROVE fee=5`: 1.90.
    @Test func feesAreRoundedPerRate() {
        var desk = Self.kitchen()
        desk.ok(.reasonSet(code: "CHANGED_MIND", label: nil, fee: Percent(parsing: "12.5")!))
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 2), item("C400", 4)))
        desk.ok(Desk.ret("S1", item("A100", 1), item("C400", 2), reason: "CHANGED_MIND"), as: "clerk1")
        let approved = desk.ok(ReturnTypesTests.approve("R000001"), as: "sup1")
        #expect(approved["fee"] == "4.13" && approved["net"] == "33.87")
        desk.ok(Desk.ret("S1", item("A100", 1), item("C400", 2), reason: "CHANGED_MIND"), as: "clerk1")
        let flat = desk.ok(ReturnTypesTests.approve("R000002", fee: "5"), as: "sup1")
        #expect(flat["fee"] == "1.90" && flat["net"] == "36.10")
        // A SKU's own fee beats its category's; a supplier return's fee stays 0.00.
        desk.lineOK("SKU SET A100 fee=0")
        desk.ok(Desk.purchase("PO-1", item("A100", 3)))
        desk.ok(Desk.ret("PO-1", item("A100", 1), reason: "CHANGED_MIND"), as: "clerk1")
        #expect(desk.ok(ReturnTypesTests.approve("R000003"), as: "sup1")["fee"] == "0.00")
        desk.expectReplays()
    }

    /// The fee's tax is rounded per rate too: each rate's share of the items' tax, half up.
    @Test func theFeesTaxIsRoundedPerRate() {
        var desk = TaxTests.shop()
        desk.lineOK("CATEGORY ADD KITCHEN name=Kitchen fee=10")
        desk.lineOK("SKU SET A100 category=KITCHEN")
        desk.ok(.reasonSet(code: "CHANGED_MIND", label: nil, fee: Percent(parsing: "12.5")!))
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 3), item("C400", 5)))
        desk.ok(Desk.ret("S1", item("A100", 3), item("C400", 5), reason: "CHANGED_MIND"), as: "clerk1")
        let taxes = desk.ok(.show(id: "R000001")).lines.prefix(2).map { line in m(line.first { $0.key == "tax" }!.value) }
        let amounts = desk.ok(.show(id: "R000001")).lines.prefix(2).map { line in m(line.first { $0.key == "amount" }!.value) }
        #expect(taxes.allSatisfy { $0 > .zero })
        let approved = desk.ok(ReturnTypesTests.approve("R000001"), as: "sup1")
        let fee = Percent(parsing: "10")!.of(amounts[0]).minor + Percent(parsing: "12.5")!.of(amounts[1]).minor
        let feeTax = Percent(parsing: "10")!.of(taxes[0]).minor + Percent(parsing: "12.5")!.of(taxes[1]).minor
        #expect(approved["fee"] == Money(minor: fee).description)
        #expect(desk.ok(.show(id: "R000001")).status.first { $0.key == "tax" }?.value == Money(minor: taxes[0].minor + taxes[1].minor).description)
        let doc = desk.ok(.doc(number: approved["doc"]!))
        #expect(doc["fee_tax"] == Money(minor: feeTax).description)
        #expect(doc["net_tax"] == Money(minor: taxes[0].minor + taxes[1].minor - feeTax).description)
        desk.expectReplays()
    }

    @Test func anOrderShowsEachSaleLinesRuleUnderTodaysSettings() {
        var desk = Self.kitchen()
        desk.lineOK("CATEGORY ADD UNDIES name=Underwear final_sale=yes")
        desk.lineOK("SKU SET C400 category=UNDIES")
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 1), item("C400", 1), item("A200", 1)))
        desk.ok(Desk.purchase("PO-1", item("A100", 1)))
        func tail(_ order: String, _ line: Int) -> [String] {
            desk.ok(.order(id: order)).lines[line].suffix(4).map(\.pair)
        }
        #expect(tail("S1", 0) == ["serials=", "returned_serials=", "return_until=2026-12-13T10:00:00Z", "final_sale=no"])
        #expect(tail("S1", 1) == ["serials=", "returned_serials=", "return_until=2026-12-29T10:00:00Z", "final_sale=yes"])
        #expect(tail("S1", 2).suffix(2) == ["return_until=2026-12-29T10:00:00Z", "final_sale=no"])
        #expect(tail("PO-1", 0).suffix(2) == ["return_until=", "final_sale="])
        desk.lineOK("CATEGORY SET KITCHEN return_days=")
        #expect(tail("S1", 0)[2] == "return_until=2026-12-29T10:00:00Z")
    }
}

extension Field {
    /// `key=value` as written on the wire, without quoting.
    var pair: String { "\(key)=\(value)" }
}
