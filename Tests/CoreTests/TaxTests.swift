@testable import ReturnLedgerCore
import Testing
import TestSupport

/// The rounding rules of tax and discount on their own (protocol.md, Tax and Discount).
@Suite struct TaxRuleTests {
    @Test func taxIncludedAndExcludedRoundHalfUp() {
        let rate = Percent(parsing: "13")!
        #expect(TaxRule.tax(on: 7500, rate: rate, included: true) == 863)   // 8.628
        #expect(TaxRule.tax(on: 1950, rate: rate, included: false) == 254)  // 2.535
        #expect(TaxRule.tax(on: 1950, rate: .zero, included: false) == 0)
        #expect(TaxRule.tax(on: 0, rate: rate, included: true) == 0)
        #expect(TaxRule.tax(on: Money.limit, rate: .whole, included: false) == Money.limit)
    }

    @Test func theDiscountIsSharedAsRefundsAre() {
        // 10.00 over 50.00, 19.50, 18.00: 571.43, 222.86, 205.71 → a cent each to C400 and E600.
        #expect(TaxRule.discountShares(1000, values: [5000, 1950, 1800]) == [571, 223, 206])
        #expect(TaxRule.discountShares(1, values: [100, 100]) == [1, 0])
    }

    @Test func sharesOfALineRoundHalfUp() {
        #expect(TaxRule.share(863, 1, of: 3) == 288)
        #expect(TaxRule.share(863, 2, of: 3) == 575)
        #expect(TaxRule.share(863, 3, of: 3) == 863)
        #expect(TaxRule.share(1727, 2, of: 3) == 1151)
    }
}

/// Tax and discount through the ledger: what sales record, what returns give back.
@Suite struct TaxTests {
    static func shop(included: Bool = true) -> Desk {
        var desk = Desk.shop()
        desk.lineOK("SKU SET A100 tax=13")
        desk.lineOK("SKU SET C400 tax=13")
        desk.lineOK("SKU ADD E600 name=Mug price=12.00 tax=13")
        if !included { desk.lineOK("POLICY SET tax_included=no") }
        return desk
    }

    @Test func skuAndPolicyShowTheirTaxSettings() {
        var desk = TaxTests.shop()
        let list = desk.ok(.skuList)
        #expect(list.lines.first { $0.first?.value == "A100" }?.first { $0.key == "tax" }?.value == "13.00")
        #expect(desk.ok(.policyShow)["tax_included"] == "yes")
        #expect(desk.lineFails("SKU SET A100 tax=100.01") != nil)
        desk.lineOK("POLICY SET tax_included=no")
        #expect(desk.ok(.policyShow)["tax_included"] == "no")
    }

    /// A100 25.00 at 13% included, `A100:3`: tax 8.63; returned one at a time 2.88, 2.87, 2.88;
    /// at a 10% fee: fee 2.50, fee_tax 0.29, net 22.50, net_tax 2.59.
    @Test func theContractsIncludedExample() {
        var desk = TaxTests.shop()
        let sale = desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:3", as: "clerk1")
        #expect(sale.status.map(\.key) == ["order", "total", "tax", "discount"])
        #expect(sale["total"] == "75.00" && sale["tax"] == "8.63" && sale["discount"] == "0.00")
        #expect(desk.ledger.orders["S1"]!.lines[0].tax == m("8.63"))
        #expect(desk.ledger.orders["S1"]!.lines[0].taxRate == Percent(parsing: "13"))
        var taxes: [String] = []
        for n in 1...3 {
            let filed = desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
            #expect(filed["amount"] == "25.00")
            let approved = desk.lineOK("APPROVE R00000\(n) fee=10", as: "sup1")
            #expect(approved.status.suffix(4).map(\.key) == ["refund", "tender", "tax", "net_tax"])
            #expect(approved["fee"] == "2.50" && approved["net"] == "22.50")
            taxes.append(approved["tax"] ?? "")
            if n == 1 {
                #expect(approved["net_tax"] == "2.59")
                #expect(desk.ledger.returns[0].feeTax == m("0.29"))
                #expect(desk.ledger.returns[0].netTax == m("2.59"))
                let show = desk.ok(.show(id: "R000001"))
                #expect(show["tax"] == "2.88")
                #expect(show.lines[0].filter { $0.key.hasPrefix("tax") }.map(\.value) == ["13.00", "2.88"])
            }
        }
        #expect(taxes == ["2.88", "2.87", "2.88"])
        // STATS' tax= is the net_tax of approved returns: 2.59 + (2.87 − 0.29) + 2.59.
        let stats = desk.ok(.stats(StatsQuery()))
        #expect(stats.status.suffix(2).map(\.key) == ["voided", "tax"])
        #expect(stats["voided"] == "0" && stats["tax"] == "7.76")
    }

    /// Excluded, C400 6.50 at 13%: `C400:3` → tax 2.54, amount 22.04.
    @Test func theContractsExcludedExample() {
        var desk = TaxTests.shop(included: false)
        let sale = desk.lineOK("SALE S1 location=STORE1 C400:3", as: "clerk1")
        #expect(sale["total"] == "22.04" && sale["tax"] == "2.54")
        let order = desk.ok(.order(id: "S1"))
        #expect(order.lines[0].dropLast(4).suffix(4).map(\.value) == ["22.04", "0.00", "13.00", "2.54"])
        #expect(order["tax"] == "2.54" && order["tender"] == "cash:22.04")
        // Returned in full, one at a time: exactly the amount and the tax.
        var amount: Int64 = 0, tax: Int64 = 0
        for n in 1...3 {
            desk.lineOK("RETURN S1 C400:1 reason=DEFECTIVE", as: "clerk1")
            desk.lineOK("APPROVE R00000\(n)", as: "sup1")
            amount += desk.ledger.returns[n - 1].amount.minor
            tax += desk.ledger.returns[n - 1].tax.minor
        }
        #expect((amount, tax) == (2204, 254))
        #expect(desk.ok(.order(id: "S1"))["returned_amount"] == "22.04")
    }

    /// A100:2 (50.00), C400:3 (19.50), E600:1@18.00, discount 10.00: 5.71, 2.23, 2.06; amounts
    /// 44.29, 17.27, 15.94 (77.50). C400:1 returned: 5.76, the next 5.75, the last 5.76.
    @Test func theContractsDiscountExample() {
        var desk = TaxTests.shop()
        let sale = desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2 C400:3 E600:1@18.00 discount=10.00", as: "clerk1")
        #expect(sale["total"] == "77.50" && sale["discount"] == "10.00")
        let lines = desk.ledger.orders["S1"]!.lines
        #expect(lines.map(\.discount.description) == ["5.71", "2.23", "2.06"])
        #expect(lines.map(\.amount.description) == ["44.29", "17.27", "15.94"])
        // Tax on what is left: 44.29 × 13/113 = 5.095, 17.27 → 1.987, 15.94 → 1.834.
        #expect(lines.map(\.tax.description) == ["5.10", "1.99", "1.83"])
        #expect(sale["tax"] == "8.92")
        var worth: [String] = []
        for n in 1...3 {
            worth.append(desk.lineOK("RETURN S1 C400:1 reason=DEFECTIVE", as: "clerk1")["amount"] ?? "")
            desk.lineOK("APPROVE R00000\(n)", as: "sup1")
        }
        #expect(worth == ["5.76", "5.75", "5.76"])
        #expect(desk.ledger.returns.map(\.tax.description) == ["0.66", "0.67", "0.66"])
        #expect(desk.ok(.order(id: "S1")).status.first { $0.key == "discount" }?.value == "10.00")
    }

    /// FEED's lines end with the contract's section-20 fields, in its order.
    @Test func feedLinesEndWithTheTaxFields() {
        var desk = TaxTests.shop()
        desk.events = []
        desk.lineOK("POLICY SET tax_included=no")
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2 C400:3 discount=10.00", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000001 fee=10", as: "sup1")
        let lines = desk.ledger.feedLines(seq: 1, at: desk.now, actor: "x", events: desk.events)
        func tail(_ type: String, _ n: Int) -> [String] {
            lines.first { $0.contains(Field("type", type)) }.map { $0.suffix(n).map { "\($0.key)=\($0.value)" } } ?? []
        }
        #expect(tail("policy.set", 2) == ["name=tax_included", "value=no"])
        #expect(tail("sale.recorded", 2) == ["discount=10.00", "tax=7.74"])
        // 50.00 − 7.19 = 42.81 at 13% on top: 5.57 (5.565); 19.50 − 2.81 = 16.69: 2.17 (2.1697).
        #expect(tail("order.line", 5) == ["amount=48.38", "discount=7.19", "tax_rate=13.00", "tax=5.57", "serials="])
        // One kettle of two: 48.38 / 2 = 24.19 with tax 2.785 → 2.79; fee 2.42, fee_tax 0.28.
        #expect(tail("return.approved", 5).prefix(3) == ["tax=2.79", "fee_tax=0.28", "net_tax=2.51"])
        #expect(desk.ledger.returns[0].amount == m("24.19") && desk.ledger.returns[0].fee == m("2.42"))
    }

    /// Documents of taxed returns (a fee, tax on top, an exchange) chain and verify: the hash
    /// decided at approval covers the tax and fee tax the approval records.
    @Test func taxedDocumentsVerify() {
        var desk = TaxTests.shop(included: false)
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:3 C400:2 discount=5.00", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000001 fee=10", as: "sup1")
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S1 E600:1", as: "clerk1")  // the mug handed over (section 22.3)
        desk.lineOK("RETURN S1 C400:1 reason=DEFECTIVE exchange=E600:1", as: "clerk1")
        desk.lineOK("APPROVE R000002", as: "sup1")
        let doc = desk.ok(.doc(number: desk.ledger.returns[0].doc))
        let r = desk.ledger.returns[0]
        #expect(doc["tax"] == r.tax.description && doc["fee_tax"] == r.feeTax.description && doc["net_tax"] == r.netTax.description)
        #expect(r.tax > .zero && r.feeTax > .zero)
        let exchange = desk.ok(.doc(number: desk.ledger.returns[1].doc)).lines.last!
        #expect(exchange.first { $0.key == "amount" }?.value == "13.56")   // 12.00 + 1.56 on top
        let verified = desk.ok(.verify(from: nil), as: "aud1")
        #expect(verified["count"] == "2" && verified["last"] == desk.ledger.returns[1].doc)
        desk.expectReplays()
    }

    @Test func aDiscountAboveTheLinesValueIsInvalid() {
        var desk = TaxTests.shop()
        #expect(desk.lineFails("SALE S1 location=STORE1 A100:1 discount=25.01", as: "clerk1") == .INVALID)
        #expect(desk.lineFails("SALE S1 location=STORE1 A100:1 discount=-1.00", as: "clerk1") == .INVALID)
        #expect(desk.lineOK("SALE S1 location=STORE1 A100:1 discount=25.00", as: "clerk1")["total"] == "0.00")
    }

    @Test func theDiscountJoinsAResendsContent() {
        var desk = TaxTests.shop()
        desk.lineOK("SALE S1 location=STORE1 A100:2 discount=5.00", as: "clerk1")
        let again = desk.lineOK("SALE S1 location=STORE1 A100:2 discount=5.00", as: "clerk1")
        #expect(again["existed"] == "yes" && again["discount"] == "5.00" && again["total"] == "45.00")
        #expect(desk.lineFails("SALE S1 location=STORE1 A100:2 discount=4.00", as: "clerk1") == .CONFLICT)
        #expect(desk.lineFails("SALE S1 location=STORE1 A100:2", as: "clerk1") == .CONFLICT)
    }

    /// A rejected return's units count again at their worth when returned later; what a line
    /// gives back never depends on today's price or rate.
    @Test func returnsAreValuedFromTheLineNeverToday() {
        var desk = TaxTests.shop()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:3", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")   // 2.88
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")   // 2.87
        desk.lineOK("REJECT R000001 note=no", as: "sup1")
        desk.lineOK("SKU SET A100 price=99.00 tax=20")
        desk.lineOK("RETURN S1 A100:2 reason=DEFECTIVE", as: "clerk1")   // 8.63 − 2.87
        #expect(desk.ledger.returns.map(\.tax.description) == ["2.88", "2.87", "5.76"])
        #expect(desk.ledger.returns[2].amount == m("50.00"))
        #expect(desk.ledger.returns[2].items[0].taxRate == Percent(parsing: "13"))
        // Without a receipt: today's price and rate.
        let noReceipt = desk.lineOK("RETURN - A100:1 customer=C1 location=STORE1 reason=DEFECTIVE", as: "clerk1")
        #expect(noReceipt["amount"] == "99.00")
        #expect(desk.ledger.returns[3].tax == m("16.50"))
    }

    @Test func anExchangesGoodsAreTaxedAsFiled() {
        var desk = TaxTests.shop(included: false)
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S1 C400:2", as: "clerk1")  // the tea handed over (section 22.3)
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:1", as: "clerk1")   // 25.00 + 3.25
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE exchange=C400:2", as: "clerk1")
        #expect(desk.ledger.returns[0].exchange[0].tax == m("1.69"))   // 13.00 × 13% = 1.69
        desk.lineOK("POLICY SET tax_included=yes")
        desk.lineOK("SKU SET C400 tax=0")
        let approved = desk.lineOK("APPROVE R000001", as: "sup1")
        #expect(approved["amount"] == "28.25" && approved["due"] == "-13.56")   // 14.69 − 28.25
        #expect(desk.ledger.orders["X-R000001"]!.total == m("14.69"))
    }

    /// Random sequences of partial returns (some rejected or cancelled): per line, what returns
    /// still standing give back never exceeds the line's amount and tax, and equals them exactly
    /// once the line is fully returned.
    @Test func partialReturnsNeverGiveBackMoreThanWasSold() {
        let seed = testSeed("partialReturnsNeverGiveBackMoreThanWasSold")
        var random = SeededGenerator(seed: seed)
        for round in 0..<40 {
            var desk = TaxTests.shop(included: Bool.random(using: &random))
            let rates = ["0", "5", "13", "19.6", "21", "7.25"]
            for sku in ["A100", "C400", "E600"] {
                desk.lineOK("SKU SET \(sku) tax=\(rates.randomElement(using: &random)!)")
            }
            let qty = (1...3).map { _ in Int64.random(in: 1...9, using: &random) }
            let value = 2500 * qty[0] + 650 * qty[1] + 1200 * qty[2]
            let discount = Int64.random(in: 0...value / 3, using: &random)
            desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:\(qty[0]) C400:\(qty[1]) E600:\(qty[2])"
                        + " discount=\(Money(minor: discount))", as: "clerk1")
            let order = desk.ledger.orders["S1"]!
            #expect(order.discount.minor == discount, "seed \(seed) round \(round)")
            for _ in 0..<30 {
                let index = Int.random(in: 0..<3, using: &random)
                let line = desk.ledger.orders["S1"]!.lines[index]
                guard line.returnable > 0 else { continue }
                let q = Int64.random(in: 1...line.returnable, using: &random)
                guard case .success(let filed) = desk.line("RETURN S1 \(line.sku):\(q) reason=DEFECTIVE", as: "clerk1") else { continue }
                switch Int.random(in: 0..<5, using: &random) {
                case 0: desk.lineOK("REJECT \(filed["id"]!) note=no", as: "sup1")
                case 1: desk.lineOK("CANCEL \(filed["id"]!)", as: "sup1")
                case 2: break  // left pending: it holds its units
                default: desk.lineOK("APPROVE \(filed["id"]!)", as: "sup1")
                }
            }
            for (index, line) in desk.ledger.orders["S1"]!.lines.enumerated() {
                var amount: Int64 = 0, tax: Int64 = 0, units: Int64 = 0
                for r in desk.ledger.returns where r.state != .rejected && r.state != .cancelled {
                    for item in r.items where item.line == index {
                        amount += item.amount.minor; tax += item.tax.minor; units += item.quantity
                        #expect(item.amount.minor >= 0 && item.tax.minor >= 0, "seed \(seed) round \(round)")
                    }
                }
                #expect(amount <= line.amount.minor && tax <= line.tax.minor, "seed \(seed) round \(round) line \(index)")
                if units == line.quantity {
                    #expect(amount == line.amount.minor && tax == line.tax.minor, "seed \(seed) round \(round) line \(index)")
                }
            }
        }
    }
}
