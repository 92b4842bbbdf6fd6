import ReturnLedgerCore
import ReturnLedgerStorage
import TestSupport
import Testing

/// Records commands the way the engine does (decide, log, apply) and keeps the log entries.
struct HistoryRecorder {
    var ledger = Ledger()
    var entries: [LogEntry] = []
    var now = Timestamp(parsing: "2026-11-29T08:00:00Z")!

    mutating func run(_ command: Command, _ user: String, _ role: Role) {
        let context = Context(user: user, role: role, peer: "127.0.0.1:5000", now: now)
        let (events, _) = ledger.record(command, name: "X", context)
        append(events, actor: user)
    }

    mutating func append(_ events: [Event], actor: String) {
        ledger.apply(events)
        entries.append(LogEntry(at: now, actor: actor, events: events))
        now.seconds += 7
    }
}

/// A history with every event kind in it, each at least once.
func everyKindEntries() -> [LogEntry] {
    var h = HistoryRecorder()
    h.run(.userAdd(name: "clerk1", role: .clerk, passwordHash: "$y$j9T$abc"), "admin", .admin)
    h.run(.userAdd(name: "sup1", role: .supervisor, passwordHash: "$y$j9T$def"), "admin", .admin)
    h.run(.userRole(name: "sup1", role: .admin), "admin", .admin)
    h.run(.userEnable(name: "sup1", enabled: false), "admin", .admin)
    h.run(.userEnable(name: "sup1", enabled: true), "admin", .admin)
    h.run(.userPassword(name: "sup1", passwordHash: "$y$j9T$xyz"), "admin", .admin)
    h.run(.locationAdd(Location(code: "STORE1", name: "Main 主店", kind: .store)), "admin", .admin)
    h.run(.userAdd(name: "clerk2", role: .clerk, passwordHash: "$y$j9T$ghi", locations: .only(["STORE1"])), "admin", .admin)
    h.run(.userScope(name: "sup1", locations: .only(["STORE1"])), "admin", .admin)
    h.run(.skuAdd(Product(sku: "A100", name: "Kettle", price: Money(minor: 2500), cost: Money(minor: 1400), inspect: false)),
          "admin", .admin)
    h.run(.skuAdd(Product(sku: "B300", name: "Phones", price: Money(minor: 5900), cost: Money(minor: 3100), inspect: true)),
          "admin", .admin)
    h.run(.partyAdd(Party(id: "C1", kind: .customer, name: "Ana")), "admin", .admin)
    h.run(.partyAdd(Party(id: "S1", kind: .supplier, name: "Supplier")), "admin", .admin)
    h.run(.reasonAdd(Reason(code: "SIZE", label: "Wrong size 尺码")), "admin", .admin)
    h.run(.policySet(PolicyChange(windowDays: 45)), "admin", .admin)
    h.run(.purchase(TradeRequest(order: "P1", location: "STORE1", party: "S1", paid: nil, at: nil,
                                 items: [ItemSpec(sku: "A100", quantity: 50), ItemSpec(sku: "B300", quantity: 9, batch: "L1")])),
          "clerk1", .clerk)
    h.run(.sale(TradeRequest(order: "S1", location: "STORE1", party: "C1", paid: true, at: nil,
                             items: [ItemSpec(sku: "A100", quantity: 3), ItemSpec(sku: "B300", quantity: 2, batch: "L1")])),
          "clerk1", .clerk)
    h.run(.payment(party: "C1", amount: Money(minor: 750), direction: .in, note: "till 说明"), "admin", .admin)
    h.run(.payment(party: "S1", amount: Money(minor: 225), direction: .out, note: ""), "admin", .admin)
    func file(_ spec: ItemSpec, _ key: String) -> Command {
        .fileReturn(ReturnFiling(order: "S1", items: [spec], reason: "SIZE", location: nil, note: "n " + key, key: key))
    }
    h.run(file(ItemSpec(sku: "B300", quantity: 1), "k1"), "clerk1", .clerk)                  // R000001
    h.run(.approve(id: "R000001", refund: nil, note: "ok"), "sup1", .admin)                  // into quarantine
    h.run(.inspect(id: "R000001", disposition: .restock, note: "fine"), "sup1", .admin)
    h.run(file(ItemSpec(sku: "A100", quantity: 1), "k2"), "clerk1", .clerk)                  // R000002
    h.run(.approve(id: "R000002", refund: .credit, note: ""), "sup1", .admin)
    h.run(file(ItemSpec(sku: "A100", quantity: 1), "k3"), "clerk1", .clerk)                  // R000003
    h.run(.reject(id: "R000003", note: "no proof"), "sup1", .admin)
    h.run(file(ItemSpec(sku: "A100", quantity: 1), "k4"), "clerk1", .clerk)                  // R000004
    h.run(.cancel(id: "R000004"), "clerk1", .clerk)
    h.run(.fileReturn(ReturnFiling(order: "P1", items: [ItemSpec(sku: "A100", quantity: 2)], reason: "DEFECTIVE",
                                   location: nil, note: "", key: nil)), "clerk1", .clerk)     // R000005, supplier
    h.run(.approve(id: "R000005", refund: nil, note: ""), "sup1", .admin)
    // Format 4: rules, a return that needs two approvals, an auto-approval, a dropped rule.
    h.run(.userAdd(name: "fin1", role: .finance, passwordHash: "$y$j9T$fin"), "admin", .admin)
    h.run(.ruleAdd(Rule(code: "BIG", then: .second, kind: .sale, minAmount: Money(minor: 5000), note: "over 50")), "admin", .admin)
    h.run(.ruleAdd(Rule(code: "SMALL", then: .auto, maxAmount: Money(minor: 2500))), "admin", .admin)
    h.run(.ruleAdd(Rule(code: "LOOK", then: .inspect, location: "STORE1", reason: "SIZE", sku: "B300")), "admin", .admin)
    h.run(file(ItemSpec(sku: "B300", quantity: 1), "k5"), "clerk1", .clerk)                  // R000006: BIG, LOOK
    h.run(.approve(id: "R000006", refund: nil, note: "first"), "sup1", .admin)
    h.run(.approve(id: "R000006", refund: .credit, note: "second"), "fin1", .finance)
    // An INSPECT as logged before format 10 (one disposition for every unit).
    h.append([.returnInspected(number: 6, disposition: .scrap, note: "old form", by: "sup1", at: h.now)], actor: "sup1")
    h.run(file(ItemSpec(sku: "A100", quantity: 1), "k6"), "clerk1", .clerk)                  // R000007: auto
    h.run(.ruleDrop(code: "SMALL"), "admin", .admin)
    // Format 5: a reason with a fee, customer limits, an exchange, a return without a receipt
    // with a fee given at approval, and one filed over the limit with an override.
    h.run(.reasonAdd(Reason(code: "MIND", label: "Changed mind", fee: Percent(hundredths: 1250))), "admin", .admin)
    h.run(.policySet(PolicyChange(customerReturns: 8, customerDays: 30)), "admin", .admin)
    h.run(.fileReturn(ReturnFiling(order: "S1", items: [ItemSpec(sku: "A100", quantity: 1)], reason: "MIND", location: nil,
                                   note: "", key: "k7", exchange: [ItemSpec(sku: "B300", quantity: 1, batch: "L1")],
                                   exchangeText: "B300:1#L1")), "clerk1", .clerk)                // R000008
    h.run(.approve(id: "R000008", refund: nil, note: ""), "sup1", .admin)                      // fee 3.13, due 37.13
    h.run(.fileReturn(ReturnFiling(order: "-", items: [ItemSpec(sku: "A100", quantity: 1)], reason: "MIND",
                                   location: "STORE1", note: "", key: nil, customer: "C1")), "clerk1", .clerk)  // R000009
    h.run(.approve(id: "R000009", refund: nil, fee: Percent(hundredths: 5000), note: ""), "sup1", .admin)
    h.run(.policySet(PolicyChange(customerReturns: 2)), "admin", .admin)
    h.run(.fileReturn(ReturnFiling(order: "-", items: [ItemSpec(sku: "B300", quantity: 1)], reason: "DEFECTIVE",
                                   location: "STORE1", note: "", key: nil, customer: "C1", override: true)), "sup1", .admin)
    // Format 6: the business day moves to Shanghai, and a return approved after it.
    h.run(.policySet(PolicyChange(timezone: BusinessZone.named("Asia/Shanghai")!)), "admin", .admin)
    h.run(.approve(id: "R000010", refund: nil, note: ""), "admin", .admin)  // sup1 filed it; 59.00: a first approval
    h.run(.approve(id: "R000010", refund: nil, note: ""), "fin1", .finance)
    h.append([.loginFailed(user: "clerk1", at: h.now)], actor: "")
    h.run(.approve(id: "R999999", refund: nil, note: ""), "sup1", .admin)                    // refused: audited only
    // Format 8: a till's day, a card-and-cash sale, store credit spent and paid out, a split refund
    // (the customer limit off again, or C1's returns from here on would all be OVER_LIMIT).
    h.run(.policySet(PolicyChange(customerReturns: 0)), "admin", .admin)
    h.run(.policySet(PolicyChange(creditDays: 90, offlineHours: 24, crossStore: true)), "admin", .admin)
    h.run(.tillOpen(till: "POS1", location: "STORE1", float: Money(minor: 10000), note: "morning"), "clerk1", .clerk)
    h.run(.tillMove(till: "POS1", kind: .payin, amount: Money(minor: 500), note: "change"), "clerk1", .clerk)
    h.run(.sale(TradeRequest(order: "S2", location: "STORE1", party: "C1", paid: true, at: nil,
                             items: [ItemSpec(sku: "A100", quantity: 4)],
                             tenders: [Tender(.card, Money(minor: 6000), ref: "4242"), Tender(.cash, Money(minor: 3000)),
                                       Tender(.credit, Money(minor: 1000))], till: "POS1")), "clerk1", .clerk)
    h.run(.fileReturn(ReturnFiling(order: "S2", items: [ItemSpec(sku: "A100", quantity: 2)], reason: "SIZE", location: nil,
                                   note: "", key: "k8", till: "POS1")), "clerk1", .clerk)      // R000011
    h.run(.approve(ApprovalRequest(id: "R000011", note: "split")), "sup1", .admin)
    h.run(.approve(ApprovalRequest(id: "R000011", note: "split")), "fin1", .finance)  // 50.00: BIG's second approval
    h.run(.payment(party: "C1", amount: Money(minor: 100), direction: .out, note: "credit paid out"), "admin", .admin)
    h.run(.tillMove(till: "POS1", kind: .payout, amount: Money(minor: 200), note: "window cleaner"), "sup1", .admin)
    h.run(.tillClose(till: "POS1", counted: Money(minor: 12000), note: "short"), "clerk1", .clerk)
    // Format 9: a taxed SKU, tax added on top, a discounted sale, a partial return with a fee.
    h.run(.skuSet(sku: "A100", name: nil, price: nil, cost: nil, inspect: nil, tax: Percent(hundredths: 1300)), "admin", .admin)
    h.run(.policySet(PolicyChange(taxIncluded: false)), "admin", .admin)
    h.run(.sale(TradeRequest(order: "S3", location: "STORE1", party: "C1", paid: true, at: nil,
                             items: [ItemSpec(sku: "A100", quantity: 3), ItemSpec(sku: "B300", quantity: 1, batch: "L1")],
                             discount: Money(minor: 1000))), "clerk1", .clerk)
    h.run(.fileReturn(ReturnFiling(order: "S3", items: [ItemSpec(sku: "A100", quantity: 1)], reason: "MIND", location: nil,
                                   note: "", key: "k9")), "clerk1", .clerk)                     // R000012
    h.run(.approve(ApprovalRequest(id: "R000012", note: "taxed")), "sup1", .admin)
    // Format 9: a split refund voided, and a store-credit refund (its lot given back).
    h.run(.void(id: "R000011", reason: "SIZE", note: "wrong return"), "admin", .admin)
    h.run(.void(id: "R000002", reason: "SIZE", note: "sent twice"), "admin", .admin)
    h.run(.fileReturn(ReturnFiling(order: "S3", items: [ItemSpec(sku: "A100", quantity: 1)], reason: "MIND",
                                   location: nil, note: "", key: "k10")), "clerk1", .clerk)         // R000013
    h.run(.approve(id: "R000013", refund: .credit, note: "credit for 90 days"), "sup1", .admin)
    // A period close 100 days on: Z totals, and that store credit, expired, written off.
    h.now.seconds += 86_400 * 100
    h.run(.periodClose(date: CivilDate(daysSinceEpoch: BusinessCalendar().day(of: h.now) - 1), note: "month end"), "admin", .admin)
    // Format 10: a return's units inspected in part to the vendor, then the rest restocked; held
    // goods disposed of; a supplier's short credit note.
    h.run(.purchase(TradeRequest(order: "P2", location: "STORE1", party: "S1", paid: nil, at: nil,
                                 items: [ItemSpec(sku: "B300", quantity: 4, batch: "L2")])), "clerk1", .clerk)
    h.run(.sale(TradeRequest(order: "S4", location: "STORE1", party: "C1", paid: true, at: nil,
                             items: [ItemSpec(sku: "B300", quantity: 3, batch: "L2")])), "clerk1", .clerk)
    h.run(.fileReturn(ReturnFiling(order: "S4", items: [ItemSpec(sku: "B300", quantity: 3)], reason: "SIZE", location: nil,
                                   note: "", key: "k11")), "clerk1", .clerk)                    // R000014
    h.run(.approve(ApprovalRequest(id: "R000014", note: "")), "sup1", .admin)
    h.run(.approve(ApprovalRequest(id: "R000014", note: "")), "fin1", .finance)             // BIG's second approval
    h.run(.inspect(id: "R000014", disposition: nil, note: "box torn",
                   lists: DispositionLists([(.vendor, [UnitSpec(sku: "B300", quantity: 2)])])), "sup1", .admin)
    h.run(.inspect(id: "R000014", disposition: .restock, note: ""), "sup1", .admin)
    h.run(.dispose(DisposeRequest(location: "STORE1", from: .rtv,
                                  lists: DispositionLists([(.scrap, [UnitSpec(sku: "B300", quantity: 1, batch: "L2")])]),
                                  note: "crushed", key: "d1")), "sup1", .admin)
    h.run(.vendorCredit(id: "R000005", amount: Money(minor: 2000), ref: "CN-1", note: "short"), "admin", .admin)
    // Format 11: another site, goods sent there and received short, a transfer called back, one
    // within STORE1's site (received at once), an adjustment and a count.
    h.run(.locationAdd(Location(code: "STORE2", name: "Mall", kind: .store)), "admin", .admin)
    h.run(.locationAdd(Location(code: "BACK1", name: "Back room", kind: .warehouse, site: "STORE1")), "admin", .admin)
    h.run(.purchase(TradeRequest(order: "P3", location: "STORE1", party: "S1", paid: nil, at: nil,
                                 items: [ItemSpec(sku: "A100", quantity: 9)])), "clerk1", .clerk)
    let a100 = { (qty: Int64) in [ItemSpec(sku: "A100", quantity: qty)] }
    h.run(.transferSend(TransferRequest(id: "T-1", from: "STORE1", to: "STORE2", items: a100(3), note: "van")), "clerk1", .clerk)
    h.run(.transferReceive(id: "T-1", items: a100(2), note: "one missing"), "admin", .admin)
    h.run(.transferSend(TransferRequest(id: "T-2", from: "STORE1", to: "STORE2", items: a100(1))), "clerk1", .clerk)
    h.run(.transferCancel(id: "T-2"), "clerk1", .clerk)
    h.run(.transferSend(TransferRequest(id: "T-3", from: "STORE1", to: "BACK1", items: a100(2))), "clerk1", .clerk)
    h.run(.adjust(StockMoveRequest(location: "STORE1", adjustment: Adjustment(direction: .out, reason: .damage), items: a100(1),
                                   note: "dropped", key: "a1")), "sup1", .admin)
    h.run(.count(StockMoveRequest(location: "BACK1", items: [ItemSpec(sku: "A100", quantity: 1), ItemSpec(sku: "B300", quantity: 0)],
                                  note: "", key: "c1")), "sup1", .admin)
    // Format 11: a final-sale category with a fee, a SKU in it with its own window, and an
    // override that waives final sale.
    h.run(.categoryAdd(Category(code: "FINAL", name: "Final sale", terms: ReturnTerms(finalSale: true, fee: Percent(hundredths: 500)))),
          "admin", .admin)
    var terms = ReturnTermsChange()
    terms.named = [.returnDays]
    terms.values.returnDays = 7
    h.run(.skuSet(sku: "A100", name: nil, price: nil, cost: nil, inspect: nil, policy: ProductPolicyChange(category: "FINAL", terms: terms)),
          "admin", .admin)
    h.run(.sale(TradeRequest(order: "S5", location: "STORE1", party: "C1", paid: true, at: nil,
                             items: [ItemSpec(sku: "A100", quantity: 2)])), "clerk1", .clerk)
    h.run(.fileReturn(ReturnFiling(order: "S5", items: [ItemSpec(sku: "A100", quantity: 1)], reason: "SIZE", location: nil,
                                   note: "", key: "k12", override: true)), "sup1", .supervisor)  // R000015
    // Format 11: serial numbers on every record that carries them: a purchase and a sale's lines,
    // a return's items into quarantine, INSPECT's and DISPOSE's decisions, a transfer sent and
    // received with a loss and a find, an ADJUST and a COUNT, an exchange, a VOID, a supplier return.
    var phone = Product(sku: "P900", name: "Phone", price: Money(minor: 50000), cost: Money(minor: 30000), inspect: true)
    phone.serial = true
    h.run(.skuAdd(phone), "admin", .admin)
    let phones = { (serials: [String]) in [ItemSpec(sku: "P900", quantity: Int64(serials.count), serials: serials)] }
    h.run(.purchase(TradeRequest(order: "P5", location: "STORE1", party: "S1", paid: nil, at: nil,
                                 items: phones(["N1", "N2", "N3", "N4", "N5", "N6"]))), "clerk1", .clerk)
    h.run(.sale(TradeRequest(order: "S6", location: "STORE1", party: "C1", paid: true, at: nil, items: phones(["N1", "N2", "N3"]))),
          "clerk1", .clerk)
    h.run(.fileReturn(ReturnFiling(order: "S6", items: phones(["N1", "N2"]), reason: "SIZE", location: nil, note: "", key: "k13")),
          "clerk1", .clerk)                                                                      // R000016
    h.run(.approve(ApprovalRequest(id: "R000016", note: "")), "sup1", .admin)
    h.run(.approve(ApprovalRequest(id: "R000016", note: "")), "fin1", .finance)             // BIG's second approval
    h.run(.inspect(id: "R000016", disposition: .restock, note: "",
                   lists: DispositionLists([(.vendor, [UnitSpec(sku: "P900", quantity: 1, serials: ["N2"])])])), "sup1", .admin)
    h.run(.dispose(DisposeRequest(location: "STORE1", from: .rtv,
                                  lists: DispositionLists([(.scrap, [UnitSpec(sku: "P900", quantity: 1, serials: ["N2"])])]),
                                  note: "", key: "d2")), "sup1", .admin)
    h.run(.transferSend(TransferRequest(id: "T-4", from: "STORE1", to: "STORE2", items: phones(["N4", "N5"]))), "clerk1", .clerk)
    h.run(.transferReceive(id: "T-4", items: phones(["N4", "N9"]), note: "N5 missing, N9 in the box"), "admin", .admin)
    h.run(.adjust(StockMoveRequest(location: "STORE1", adjustment: Adjustment(direction: .in, reason: .found), items: phones(["N7"]),
                                   note: "", key: "a2")), "sup1", .admin)
    h.run(.count(StockMoveRequest(location: "STORE2", items: phones(["N4", "N8"]), note: "", key: "c2")), "sup1", .admin)
    h.run(.fileReturn(ReturnFiling(order: "S6", items: phones(["N3"]), reason: "SIZE", location: nil, note: "", key: "k14",
                                   exchange: phones(["N6"]), exchangeText: "P900:1/N6")), "clerk1", .clerk)  // R000017
    h.run(.approve(ApprovalRequest(id: "R000017", note: "")), "sup1", .admin)
    h.run(.approve(ApprovalRequest(id: "R000017", note: "")), "fin1", .finance)
    h.run(.void(id: "R000017", reason: "SIZE", note: "wrong phone"), "admin", .admin)
    h.run(.fileReturn(ReturnFiling(order: "P5", items: phones(["N1"]), reason: "DEFECTIVE", location: nil, note: "", key: nil)),
          "clerk1", .clerk)                                                                      // R000018
    h.run(.approve(ApprovalRequest(id: "R000018", note: "")), "sup1", .admin)
    #expect(h.ledger.returns.count == 18 && h.ledger.returns[17].state == .approved)
    #expect(h.ledger.serialPlace("P900", "N1") == nil && h.ledger.serialPlace("P900", "N7")?.state == .on_hand)
    #expect(h.ledger.serialPlace("P900", "N9") == nil && h.ledger.returns[15].state == .completed)  // not counted: dropped
    #expect(h.ledger.serialPlace("P900", "N2") == nil && h.ledger.serialPlace("P900", "N5") == nil)
    #expect(h.ledger.returns[16].state == .voided && h.ledger.serialPlace("P900", "N6")?.state == .on_hand)
    #expect(h.ledger.serialPlace("P900", "N8")?.slot.location == "STORE2")
    // Format 12: a promotion's record, where a standby took over (it changes no state).
    h.append([.epochStarted(EpochStart(epoch: "7c1994e0bec62aad", parent: "2075f90d5958a127", since: UInt64(h.entries.count + 1),
                                       by: "promote"))], actor: "admin")
    return h.entries
}

/// A seeded random history: setup, then sales, purchases, payments, returns and reviews drawn at
/// random, many of them refused (refusals are audited, as on a live server).
func randomHistory(seed: UInt64, count: Int) -> [LogEntry] {
    var random = SeededGenerator(seed: seed)
    var h = HistoryRecorder()
    h.run(.userAdd(name: "clerk1", role: .clerk, passwordHash: "$y$j9T$abc"), "admin", .admin)
    for store in ["STORE1", "STORE2"] { h.run(.locationAdd(Location(code: store, name: store + " 店", kind: .store)), "admin", .admin) }
    let skus = ["A100", "B300", "C400"]
    for (i, sku) in skus.enumerated() {
        h.run(.skuAdd(Product(sku: sku, name: sku, price: Money(minor: Int64(500 * (i + 1))), cost: Money(minor: 100),
                              inspect: i == 1)), "admin", .admin)
    }
    for party in ["C1", "C2"] { h.run(.partyAdd(Party(id: party, kind: .customer, name: party)), "admin", .admin) }
    h.run(.partyAdd(Party(id: "S1", kind: .supplier, name: "S1")), "admin", .admin)
    h.run(.userAdd(name: "boss", role: .admin, passwordHash: "$y$j9T$boss"), "admin", .admin)
    h.run(.reasonAdd(Reason(code: "MIND", label: "Changed mind", fee: Percent(hundredths: 1000))), "admin", .admin)
    h.run(.ruleAdd(Rule(code: "BIG", then: .second, minAmount: Money(minor: 2000), role: .supervisor)), "admin", .admin)
    h.run(.ruleAdd(Rule(code: "SMALL", then: .auto, maxAmount: Money(minor: 500))), "admin", .admin)
    h.run(.ruleAdd(Rule(code: "LOOK", then: .inspect, kind: .sale, location: "STORE2")), "admin", .admin)
    var orders: [String] = []
    while h.entries.count < count {
        h.now.seconds += Int64.random(in: 0...4000, using: &random)
        let sku = skus.randomElement(using: &random)!
        let store = Bool.random(using: &random) ? "STORE1" : "STORE2"
        let returns = h.ledger.returns.count
        let someReturn = ReturnRequest.id(returns == 0 ? 1 : Int.random(in: 1...returns + 1, using: &random))
        switch Int.random(in: 0..<12, using: &random) {
        case 0:
            let id = "P\(orders.count)"
            orders.append(id)
            h.run(.purchase(TradeRequest(order: id, location: store, party: "S1", paid: nil, at: nil,
                                         items: [ItemSpec(sku: sku, quantity: Int64.random(in: 1...40, using: &random))])),
                  "clerk1", .clerk)
        case 1, 2:
            let id = "S\(orders.count)"
            orders.append(id)
            let party: String? = [nil, "C1", "C2"].randomElement(using: &random)!
            h.run(.sale(TradeRequest(order: id, location: store, party: party, paid: party == nil ? nil : Bool.random(using: &random),
                                     at: nil, items: [ItemSpec(sku: sku, quantity: Int64.random(in: 1...5, using: &random))])),
                  "clerk1", .clerk)
        case 3, 4:
            guard let order = orders.randomElement(using: &random) else { continue }
            // Some exchanges (format 5), some without a receipt, with a fee on MIND.
            let noReceipt = Int.random(in: 0..<6, using: &random) == 0
            let swap = sku == "A100" ? "C400" : "A100"
            let exchange = !noReceipt && Bool.random(using: &random)
                ? [ItemSpec(sku: swap, quantity: Int64.random(in: 1...2, using: &random))] : []
            h.run(.fileReturn(ReturnFiling(order: noReceipt ? "-" : order,
                                           items: [ItemSpec(sku: sku, quantity: Int64.random(in: 1...3, using: &random))],
                                           reason: Bool.random(using: &random) ? "DEFECTIVE" : "MIND",
                                           location: noReceipt || Bool.random(using: &random) ? store : nil, note: "",
                                           key: Bool.random(using: &random) ? "k\(h.entries.count % 50)" : nil,
                                           exchange: exchange, exchangeText: exchange.map { "\($0.sku):\($0.quantity)" }.joined(),
                                           customer: noReceipt ? "C2" : nil)),
                  "clerk1", .clerk)
        case 5, 6:
            let fee = Bool.random(using: &random) ? nil : Percent(hundredths: Int64.random(in: 0...10_000, using: &random))
            h.run(.approve(id: someReturn, refund: [nil, .cash, .credit].randomElement(using: &random)!, fee: fee, note: "a"),
                  Bool.random(using: &random) ? "admin" : "boss", .admin)
        case 7:
            h.run(.reject(id: someReturn, note: "r"), "admin", .admin)
        case 8:
            h.run(Bool.random(using: &random) ? .cancel(id: someReturn)
                                              : .inspect(id: someReturn, disposition: Bool.random(using: &random) ? .restock : .scrap, note: ""),
                  "admin", .admin)
        case 9:
            // Format 11: transfers between the two stores, sent, received short or over, cancelled.
            let id = "T\(Int.random(in: 0..<40, using: &random))"
            let qty = Int64.random(in: 0...4, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0:
                h.run(.transferSend(TransferRequest(id: id, from: store, to: store == "STORE1" ? "STORE2" : "STORE1",
                                                    items: [ItemSpec(sku: sku, quantity: max(qty, 1))])), "clerk1", .clerk)
            case 1:
                h.run(.transferReceive(id: id, items: h.ledger.transfers[id].map { [ItemSpec(sku: $0.lines[0].sku, quantity: qty)] } ?? [],
                                       note: ""), "clerk1", .clerk)
            default:
                h.run(.transferCancel(id: id), "clerk1", .clerk)
            }
        case 10:
            let items = [ItemSpec(sku: sku, quantity: Int64.random(in: 1...3, using: &random))]
            if Bool.random(using: &random) {
                h.run(.count(StockMoveRequest(location: store, items: items, key: Bool.random(using: &random) ? "m\(h.entries.count % 30)" : nil)),
                      "admin", .admin)
            } else {
                h.run(.adjust(StockMoveRequest(location: store, adjustment: Adjustment(direction: Bool.random(using: &random) ? .in : .out,
                                                                                       reason: .correction), items: items)), "admin", .admin)
            }
        default:
            if Bool.random(using: &random) {
                h.run(.payment(party: Bool.random(using: &random) ? "C1" : "S1", amount: Money(minor: Int64.random(in: 1...9000, using: &random)),
                               direction: Bool.random(using: &random) ? .in : .out, note: ""), "admin", .admin)
            } else {
                h.append([.loginFailed(user: "clerk1", at: h.now)], actor: "")
            }
        }
    }
    return h.entries
}

