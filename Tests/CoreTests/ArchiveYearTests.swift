@testable import ReturnLedgerCore
import Testing
import TestSupport

/// A year of a small chain, archived month by month (protocol.md, Years of history): two stores
/// and a warehouse, four customers and two suppliers, a seeded workload of sales (on account,
/// paid in cash, by card, with store credit, through a till), returns (refunded, kept as credit,
/// rejected, exchanged, inspected), supplier returns with their credit notes, payments, voids and
/// transfers. At each month's end finance closes the month and everything finished by its last
/// day is archived; every answer is then the same as before the archive, but for what the
/// contract changes (`archive=`, BALANCE's brought-forward line, CREDIT's archived lots).
@Suite struct ArchiveYearTests {
    @Test func aYearOfASmallChainArchivedMonthByMonth() {
        var year = ChainYear(seed: testSeed("ArchiveYearTests.aYearOfASmallChainArchivedMonthByMonth"))
        year.run()
    }
}

/// What the workload remembers of an order it made.
private struct Trade {
    var id: String
    var location: String
    var party: String?
    var onAccount: Bool
    var day: Int64
}

/// What the workload remembers of a return it filed.
private struct Filed {
    var number: Int
    var order: String
    var purchase: Bool
    var location: String
    var walkIn: Bool
    var onAccount: Bool
    var noReceipt: Bool
    var exchange: Bool
    var filer: String
    var amount: Int64
    var filedDay: Int64
    var state = "pending"
    var approvers: [String] = []
    var approvedDay: Int64?
    var vendorCredited = false
    var id: String { ReturnRequest.id(number) }
}

/// One answer, kept to compare: the reply or the refusal's code and message.
private enum Answer: Equatable {
    case ok(Reply)
    case refused(String)

    var reply: Reply? { if case .ok(let reply) = self { reply } else { nil } }
}

private extension Array where Element == Field {
    func field(_ key: String) -> String? { first { $0.key == key }?.value }
    var text: String { map { $0.key.isEmpty ? $0.value : "\($0.key)=\($0.value)" }.joined(separator: " ") }
}

private extension Reply {
    var text: String { (lines.map { "* " + $0.text } + ["OK " + status.text]).joined(separator: "\n") }
}

private func cents(_ text: String?) -> Int64 { text.flatMap { Money(parsing: $0) }?.minor ?? 0 }
private func money(_ cents: Int64) -> String { Money(minor: cents).description }

private struct ChainYear {
    var desk = Desk.shop()
    var random: SeededGenerator
    let seed: UInt64

    static let prices: [String: Int64] = ["A100": 2500, "A200": 3990, "B300": 5900, "C400": 650]
    static let skus = ["A100", "A200", "B300", "C400"]
    static let customers = ["C1", "C2", "C3", "C4"]
    static let suppliers = ["S1", "S2"]
    static let stores = ["STORE1", "STORE2"]
    static let reasons = ["DEFECTIVE", "CHANGED_MIND", "WRONG_ITEM", "DAMAGED", "NOT_AS_DESCRIBED"]
    static let first = CivilDate(year: 2027, month: 1, day: 1)
    static let last = CivilDate(year: 2027, month: 12, day: 31)

    var sales: [Trade] = []
    var purchases: [Trade] = []
    /// Every order id, exchange sales included.
    var orders: [String] = []
    var returns: [Filed] = []
    var transfers: [String] = []
    var inTransit: [(id: String, day: Int64, lines: [(sku: String, qty: Int)])] = []
    var counter = 0
    /// What the workload did, by kind (printed at the end, to see it did it).
    var tally: [String: Int] = [:]
    /// Returns an archive took that an earlier archive already held.
    var takenAgain = 0
    var tillsOpen = false
    var today: Int64 = 0

    // What the archives took, as the test saw each one go.
    var archives: [ArchiveEntry] = []
    var returnArchive: [Int: String] = [:]
    var orderArchive: [String: String] = [:]
    var entryPositions: [String: Set<Int>] = [:]
    var lots: [String: Set<String>] = [:]
    /// Per month, the returns its archive took that no earlier one had.
    var newlyArchived: [Int] = []

    init(seed: UInt64) {
        self.seed = seed
        random = SeededGenerator(seed: seed)
    }

    // MARK: randomness

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }
    mutating func next(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    // MARK: requests

    /// A request that may be refused with one of `codes` (nil then); any other refusal is an issue.
    @discardableResult
    mutating func attempt(_ line: String, as user: String, allowing codes: [DomainError.Code] = [],
                          sourceLocation: SourceLocation = #_sourceLocation) -> Reply? {
        switch desk.line(line, as: user) {
        case .success(let reply): return reply
        case .failure(let error):
            tally["refused \(line.split(separator: " ")[0]) \(error.code)", default: 0] += 1
            if !codes.contains(error.code) {
                Issue.record("seed \(seed), \(desk.now): \(line) as \(user): ERR \(error.code) \(error.message)", sourceLocation: sourceLocation)
            }
            return nil
        }
    }

    mutating func read(_ line: String) -> Answer {
        switch desk.line(line, as: "admin") {
        case .success(let reply): return .ok(reply)
        case .failure(let error): return .refused("ERR \(error.code) \(error.message)")
        }
    }

    mutating func advance(minutes: Int) { desk.now.seconds += Int64(minutes) * 60 }

    func at(_ day: Int64, hour: Int64) -> Timestamp { Timestamp(seconds: day * Timestamp.secondsPerDay + hour * 3600) }

    // MARK: the year

    mutating func run() {
        setUp()
        for day in Self.first.daysSinceEpoch...Self.last.daysSinceEpoch {
            let date = CivilDate(daysSinceEpoch: day)
            if date.day == 1, day != Self.first.daysSinceEpoch { monthEnd(CivilDate(daysSinceEpoch: day - 1)) }
            if (day + 4) % 7 == 0 { continue }  // Sunday: closed (1970-01-01 was a Thursday)
            businessDay(day)
        }
        monthEnd(Self.last)
        summarize()
    }

    mutating func setUp() {
        desk.now = at(Self.first.daysSinceEpoch - 1, hour: 12)
        desk.ok(.partyAdd(Party(id: "C3", kind: .customer, name: "Bo")))
        desk.ok(.partyAdd(Party(id: "C4", kind: .customer, name: "Dee")))
        desk.lineOK("RULE ADD SMALL then=auto kind=sale max_amount=7.00")
        desk.lineOK("RULE ADD BIG then=second min_amount=150.00")
        // Lots expire (and are written off at a close), and a customer limit is set (far above
        // what anyone files) so recent returns stay live while they still count toward it.
        desk.lineOK("POLICY SET credit_days=30 customer_returns=1000 customer_days=20")
        restock(Self.first.daysSinceEpoch - 1)
    }

    mutating func restock(_ day: Int64) {
        for (location, supplier, scale) in [("WH1", "S1", 4), ("STORE1", "S2", 3), ("STORE2", "S2", 2), ("STORE2", "S1", 1)] {
            let id = next("P")
            let items = "A100:\(8 * scale) A200:\(4 * scale) B300:\(3 * scale) C400:\(12 * scale)"
            if attempt("PURCHASE \(id) location=\(location) supplier=\(supplier) \(items)", as: "clerk1") != nil {
                purchases.append(Trade(id: id, location: location, party: supplier, onAccount: true, day: day))
                orders.append(id)
            }
        }
    }

    mutating func businessDay(_ day: Int64) {
        today = day
        desk.now = at(day, hour: 7)
        if (day + 4) % 7 == 1 { restock(day) }  // Mondays
        receiveTransfers()
        vendorCredits()
        inspections()
        desk.now = at(day, hour: 8)
        attempt("TILL OPEN POS1 location=STORE1 float=200.00", as: "clerk1")
        attempt("TILL OPEN POS2 location=STORE2 float=200.00", as: "clerk2")
        tillsOpen = true
        desk.now = at(day, hour: 9)
        for _ in 0..<int(8...12) {
            advance(minutes: int(15...50))
            switch int(0...99) {
            case 0..<36: sale()
            case 36..<56: customerReturn()
            case 56..<68: review(filedBefore: day + 1)
            case 68..<72: supplierReturn()
            case 72..<79: payment()
            case 79..<80: void()
            case 80..<85: transfer()
            case 85..<88: noReceiptReturn()
            case 88..<90: attempt("ADJUST out location=\(pick(Self.stores)) reason=damage C400:1 key=\(next("adj-"))", as: "sup1",
                                  allowing: [.STOCK])
            default: sale()
            }
        }
        if day == Self.recallDay.daysSinceEpoch { recall() }
        // Evening: what was filed before today is decided; the drawers are counted and closed.
        desk.now = at(day, hour: 18)
        while let index = returns.firstIndex(where: { ($0.state == "pending" || $0.state == "second_review") && $0.filedDay < day }),
              review(index) {}
        closeTills()
    }

    mutating func closeTills() {
        desk.now = at(today, hour: 19)
        for (till, user) in [("POS1", "sup1"), ("POS2", "sup2")] {
            guard let show = attempt("TILL SHOW \(till)", as: user), show["state"] == "open" else { continue }
            var counted = cents(show["expected"])
            if counted >= 50, chance(0.1) { counted -= 50 }
            attempt("TILL CLOSE \(till) counted=\(money(counted))", as: user)
        }
        tillsOpen = false
    }

    // MARK: sales

    mutating func sale() {
        let location = pick(Self.stores)
        let customer: String? = chance(0.7) ? pick(Self.customers) : nil
        let onAccount = customer != nil && chance(0.12)
        var skus = Self.skus
        var items: [String] = []
        var total: Int64 = 0
        for _ in 0..<int(1...3) {
            let sku = skus.remove(at: int(0...(skus.count - 1)))
            let qty = int(1...3)
            items.append("\(sku):\(qty)")
            total += Self.prices[sku]! * Int64(qty)
        }
        var line = "SALE \(next("S")) location=\(location)"
        let id = String(line.split(separator: " ")[1])
        if let customer { line += " customer=\(customer)" }
        if onAccount { line += " paid=no" }
        line += " " + items.joined(separator: " ")
        if !onAccount {
            var credit: Int64 = 0
            if let customer, chance(0.6), let lots = attempt("CREDIT \(customer)", as: "clerk1") {
                credit = min(cents(lots["available"]), total)
            }
            if credit > 0 {
                line += credit == total ? " tender=credit:\(money(credit))" : " tender=credit:\(money(credit)),cash:\(money(total - credit))"
            } else if chance(0.25) {
                line += " tender=card:\(money(total))#4242"
            } else if chance(0.15) {
                line += " tender=card:\(money(total / 2))#1111,cash:\(money(total - total / 2))"
            }
            if tillsOpen, chance(0.45) { line += " till=\(location == "STORE1" ? "POS1" : "POS2")" }
        }
        if attempt(line, as: pick(["clerk1", "clerk2"])) != nil {
            for kind in ["till=", "credit:", "card:", "paid=no", "customer="] where line.contains(kind) { tally["sale \(kind)", default: 0] += 1 }
            sales.append(Trade(id: id, location: location, party: customer, onAccount: onAccount, day: today))
            orders.append(id)
        }
    }

    // MARK: returns

    /// The lines of a live order with something left to return.
    mutating func returnable(_ order: String) -> [(sku: String, left: Int)] {
        guard orderArchive[order] == nil, let reply = read("ORDER \(order)").reply, reply["archive"] == "" else { return [] }
        return reply.lines.compactMap { line in
            guard let sku = line.field("sku"), let left = line.field("returnable").flatMap({ Int($0) }), left > 0 else { return nil }
            return (sku, left)
        }
    }

    mutating func file(_ line: String, as filer: String, _ template: Filed) {
        guard let reply = attempt(line, as: filer), let id = reply["id"], let number = ReturnRequest.number(id) else { return }
        #expect(number == returns.count + 1, "seed \(seed): \(line) filed \(id)")
        var filed = template
        filed.number = number
        filed.amount = cents(reply["amount"])
        filed.state = reply["state"] ?? "pending"
        if filed.state != "pending" {
            filed.approvers = ["system"]
            filed.approvedDay = today
        }
        returns.append(filed)
    }

    /// A recall: a walk-in's 1,100 kettles come back one at a time on one day, so a whole block
    /// of 1,024 returns fills, is decided and leaves memory when archived (section 23's memory
    /// model); every read compared around the later archives then reads them back.
    static let recallDay = CivilDate(year: first.year, month: 2, day: 3)
    static let recalled = 1_100

    mutating func recall() {
        let id = next("S")
        guard attempt("SALE \(id) location=STORE1 A100:\(Self.recalled)", as: "clerk1") != nil else { return }
        sales.append(Trade(id: id, location: "STORE1", party: nil, onAccount: false, day: today))
        orders.append(id)
        for _ in 0..<Self.recalled {
            file("RETURN \(id) A100:1 reason=DEFECTIVE key=\(next("recall-"))", as: "clerk2",
                 Filed(number: 0, order: id, purchase: false, location: "STORE1", walkIn: true, onAccount: false, noReceipt: false,
                       exchange: false, filer: "clerk2", amount: 0, filedDay: today))
        }
    }

    mutating func customerReturn() {
        let recent = sales.filter { $0.day >= today - 25 }
        guard !recent.isEmpty else { return }
        // Mostly the last days' sales.
        let sale = recent[max(0, recent.count - 1 - int(0...min(recent.count - 1, 40)))]
        let open = returnable(sale.id)
        guard !open.isEmpty else { return }
        let (sku, left) = pick(open)
        var line = "RETURN \(sale.id) \(sku):\(int(1...min(left, 2))) reason=\(pick(Self.reasons))"
        let location = chance(0.15) ? (sale.location == "STORE1" ? "STORE2" : "STORE1") : sale.location
        if location != sale.location { line += " location=\(location)" }
        let exchange = sale.party != nil && chance(0.15)
        if exchange { line += " exchange=\(pick(["A100", "A200", "C400"])):1" }
        line += " key=\(next("ret-"))"
        let filer = pick(["clerk1", "clerk1", "clerk2", "sup2"])
        file(line, as: filer, Filed(number: 0, order: sale.id, purchase: false, location: location, walkIn: sale.party == nil,
                                    onAccount: sale.onAccount, noReceipt: false, exchange: exchange, filer: filer, amount: 0,
                                    filedDay: today))
    }

    mutating func noReceiptReturn() {
        let location = pick(Self.stores), customer = pick(Self.customers)
        let line = "RETURN - \(pick(["A100", "C400"])):1 location=\(location) customer=\(customer) reason=CHANGED_MIND key=\(next("nr-"))"
        file(line, as: "clerk2", Filed(number: 0, order: "", purchase: false, location: location, walkIn: false, onAccount: false,
                                       noReceipt: true, exchange: false, filer: "clerk2", amount: 0, filedDay: today))
    }

    mutating func supplierReturn() {
        let recent = purchases.filter { $0.day >= today - 20 }
        guard !recent.isEmpty else { return }
        let warehouse = recent.filter { $0.location == "WH1" }
        let purchase = pick(warehouse.isEmpty || chance(0.25) ? recent : warehouse)
        let open = returnable(purchase.id)
        guard !open.isEmpty else { return }
        let (sku, left) = pick(open)
        let line = "RETURN \(purchase.id) \(sku):\(int(1...min(left, 3))) reason=DEFECTIVE key=\(next("rtv-"))"
        file(line, as: "clerk1", Filed(number: 0, order: purchase.id, purchase: true, location: purchase.location, walkIn: false,
                                       onAccount: false, noReceipt: false, exchange: false, filer: "clerk1", amount: 0, filedDay: today))
    }

    /// Decides the oldest return waiting for a decision filed before `filedBefore`, if any.
    mutating func review(filedBefore: Int64) {
        if let index = returns.firstIndex(where: { ($0.state == "pending" || $0.state == "second_review") && $0.filedDay < filedBefore }) {
            _ = review(index)
        }
    }

    /// One step of a return waiting for a decision; false when it is still waiting (a shortage).
    mutating func review(_ index: Int) -> Bool {
        let r = returns[index]
        if r.state == "second_review" {
            // BIG: finance gives the second approval.
            guard let reply = attempt("APPROVE \(r.id)", as: "fin1", allowing: [.STOCK, .TENDER]) else {
                attempt("REJECT \(r.id) note=no_stock", as: "fin1")
                returns[index].state = "rejected"
                return true
            }
            approved(index, reply, by: "fin1")
            return true
        }
        let approver = r.filer == "sup1" ? "sup2" : (r.filer == "sup2" ? "sup1" : pick(["sup1", "sup2"]))
        let roll = int(0...99)
        if roll < 12 {
            attempt("REJECT \(r.id) note=declined", as: approver)
            returns[index].state = "rejected"
            return true
        }
        if roll < 16 {
            attempt("CANCEL \(r.id)", as: approver)
            returns[index].state = "cancelled"
            return true
        }
        let first = r.amount >= 15_000  // BIG: this approval is the first of two
        var arguments: [String] = []
        if !r.purchase, !first {
            if r.noReceipt || r.exchange {
                // store credit, or the exchange's difference: the defaults
            } else if r.onAccount {
                if chance(0.5) { arguments.append("refund=credit") }
            } else if r.walkIn {
                if chance(0.3) { arguments.append("refund=cash") }
            } else {
                let refund = pick(["", "", "refund=cash", "refund=credit"])
                if !refund.isEmpty { arguments.append(refund) }
            }
            if chance(0.2) { arguments.append("fee=10") }
            if tillsOpen, chance(0.4) { arguments.append("till=\(r.location == "STORE1" ? "POS1" : "POS2")") }
        }
        let line = (["APPROVE \(r.id)"] + arguments).joined(separator: " ")
        var reply = attempt(line, as: approver, allowing: [.TENDER, .STOCK])
        if reply == nil, !arguments.isEmpty {
            // The tender policy or the till's cash: as the sale was paid, then overridden.
            reply = attempt("APPROVE \(r.id)", as: approver, allowing: [.TENDER, .STOCK])
                ?? attempt("APPROVE \(r.id) override=yes", as: approver, allowing: [.TENDER, .STOCK])
        }
        guard let reply else {
            // Stock short for an exchange or a supplier return: wait a day, then turn it down.
            if r.filedDay < today - 1 || desk.now >= at(today, hour: 18) {
                attempt("REJECT \(r.id) note=no_stock", as: approver)
                returns[index].state = "rejected"
                return true
            }
            return false
        }
        approved(index, reply, by: approver)
        return true
    }

    mutating func approved(_ index: Int, _ reply: Reply, by approver: String) {
        returns[index].state = reply["state"] ?? "?"
        returns[index].approvers.append(approver)
        returns[index].approvedDay = today
        if let exchange = reply["exchange_order"], !exchange.isEmpty { orders.append(exchange) }
    }

    /// Inspected goods approved before today are decided: all at once, or one unit first.
    mutating func inspections() {
        for index in returns.indices where returns[index].state == "inspecting" && (returns[index].approvedDay ?? today) < today
            && returnArchive[returns[index].number] == nil {
            let r = returns[index]
            let line = chance(0.2) ? "INSPECT \(r.id) scrap=B300:1" : "INSPECT \(r.id) \(pick(["restock", "restock", "scrap", "vendor"]))"
            if let reply = attempt(line, as: pick(["sup1", "sup2"])) { returns[index].state = reply["state"] ?? "?" }
        }
    }

    /// The supplier's credit note for returns approved two days ago or more.
    mutating func vendorCredits() {
        for index in returns.indices where returns[index].purchase && returns[index].state == "approved" && !returns[index].vendorCredited
            && (returns[index].approvedDay ?? today) <= today - 2 && returnArchive[returns[index].number] == nil {
            let r = returns[index]
            let amount = r.amount > 100 && chance(0.3) ? r.amount - 100 : r.amount
            if attempt("VENDOR CREDIT \(r.id) amount=\(money(amount)) ref=CN-\(r.number)", as: "fin1") != nil {
                returns[index].vendorCredited = true
            }
        }
    }

    mutating func void() {
        let candidates = returns.indices.filter {
            let r = returns[$0]
            return ["approved", "inspecting", "completed"].contains(r.state) && r.filedDay >= today - 20
                && !r.vendorCredited && returnArchive[r.number] == nil && !r.approvers.contains("admin")
        }
        guard !candidates.isEmpty else { return }
        let index = pick(candidates)
        if attempt("VOID \(returns[index].id) reason=DEFECTIVE note=mistake", as: "admin") != nil { returns[index].state = "voided" }
    }

    // MARK: money and stock

    mutating func payment() {
        if chance(0.6) {
            let customer = pick(Self.customers)
            guard let balance = attempt("BALANCE \(customer)", as: "fin1") else { return }
            let owed = cents(balance["balance"])
            if owed > 0 {
                attempt("PAYMENT \(customer) amount=\(money(chance(0.5) ? owed : max(1, owed / 2))) direction=in", as: "fin1")
            } else if cents(balance["credit"]) > 0, chance(0.5) {
                attempt("PAYMENT \(customer) amount=\(money(min(cents(balance["credit"]), 2000))) direction=out note=cash_out", as: "fin1")
            }
        } else {
            let supplier = pick(Self.suppliers)
            guard let balance = attempt("BALANCE \(supplier)", as: "fin1") else { return }
            let owing = -cents(balance["balance"])
            if owing > 0 { attempt("PAYMENT \(supplier) amount=\(money(min(owing, 40_000))) direction=out note=bank", as: "fin1") }
        }
    }

    mutating func transfer() {
        let id = next("T")
        let lines = [(sku: "A100", qty: int(2...5)), (sku: "C400", qty: int(3...8))]
        let items = lines.map { "\($0.sku):\($0.qty)" }.joined(separator: " ")
        if attempt("TRANSFER SEND \(id) from=WH1 to=\(pick(Self.stores)) \(items)", as: "clerk1", allowing: [.STOCK]) != nil {
            transfers.append(id)
            inTransit.append((id, today, lines))
        }
    }

    mutating func receiveTransfers() {
        let due = inTransit.filter { $0.day < today }
        inTransit.removeAll { $0.day < today }
        for t in due {
            let roll = int(0...9)
            if roll == 0 {
                attempt("TRANSFER CANCEL \(t.id)", as: "clerk1")
            } else if roll == 1 {
                attempt("TRANSFER RECEIVE \(t.id) \(t.lines[0].sku):\(t.lines[0].qty - 1)", as: "clerk2")
            } else {
                attempt("TRANSFER RECEIVE \(t.id)", as: "clerk2")
            }
        }
    }

    // MARK: the month's end

    mutating func monthEnd(_ through: CivilDate) {
        today = through.daysSinceEpoch + 1
        desk.now = at(today, hour: 6)
        desk.lineOK("PERIOD CLOSE \(through)", as: "fin1")
        let all = through.month % 4 == 3  // March, July, November: purchases=all
        let keys = questions(through)
        let before = keys.map { read($0) }
        let earlier = Set(returnArchive.keys)
        let held = ArchiveSelection.union(desk.ledger.archives.map(\.taken))
        let entry = desk.archive(through: through, all: all)
        // Every kind, not only returns: nothing an earlier archive holds is taken again.
        let again = Set(entry.taken.orders).intersection(held.orders).count + Set(entry.taken.audit).intersection(held.audit).count
            + Set(entry.taken.notices).intersection(held.notices).count + Set(entry.taken.stockMoves).intersection(held.stockMoves).count
            + Set(entry.taken.tillSessions).intersection(held.tillSessions).count + Set(entry.taken.transfers).intersection(held.transfers).count
            + entry.taken.entries.reduce(0) { $0 + Set($1.value).intersection(held.entries[$1.key] ?? []).count }
            + entry.taken.lots.reduce(0) { $0 + Set($1.value).intersection(held.lots[$1.key] ?? []).count }
        takenAgain += again
        let fresh = Set(entry.taken.returns).subtracting(earlier)
        // A record lives in one archive: an earlier archive's records are not taken again.
        takenAgain += Set(entry.taken.returns).intersection(earlier).count
        let previous = (returns: returnArchive, orders: orderArchive, entries: entryPositions, lots: lots)
        note(entry)
        let after = keys.map { read($0) }
        for i in keys.indices {
            compare(keys[i], before[i], after[i], entry, previous: previous)
        }
        tally["answers compared", default: 0] += keys.count
        newlyArchived.append(fresh.count)
        desk.expectReplays()
        archivedNeverChange(fresh, all: all)
    }

    /// Records which archive took what (the first that took it: the one its reads name).
    mutating func note(_ entry: ArchiveEntry) {
        archives.append(entry)
        for n in entry.taken.returns where returnArchive[n] == nil { returnArchive[n] = entry.name }
        for id in entry.taken.orders where orderArchive[id] == nil { orderArchive[id] = entry.name }
        for (party, positions) in entry.taken.entries { entryPositions[party, default: []].formUnion(positions) }
        for (party, ids) in entry.taken.lots {
            tally["credit lots archived", default: 0] += Set(ids).subtracting(lots[party] ?? []).count
            lots[party, default: []].formUnion(ids)
        }
    }

    /// Every question asked around an archive.
    mutating func questions(_ through: CivilDate) -> [String] {
        var keys: [String] = []
        var docs: [String] = []
        for r in returns {
            keys.append("SHOW \(r.id)")
            if let show = read("SHOW \(r.id)").reply {
                for key in ["doc", "void"] { if let doc = show[key], !doc.isEmpty { docs.append(doc) } }
            }
        }
        keys += docs.map { "DOC \($0)" }
        keys += orders.map { "ORDER \($0)" }
        let month = CivilDate(year: through.year, month: through.month, day: 1)
        keys += ["LIST limit=100000", "LIST state=approved limit=100000", "LIST state=completed limit=100000",
                 "LIST state=voided", "LIST state=rejected limit=100000", "LIST location=STORE2 limit=100000",
                 "LIST kind=purchase limit=100000", "LIST limit=25", "LIST from=\(month) to=\(through) limit=100000"]
        keys += (Self.customers + Self.suppliers).map { "LIST party=\($0) limit=100000" }
        keys += ["STATS", "STATS kind=sale", "STATS kind=purchase", "STATS location=STORE2", "STATS from=\(month) to=\(through)",
                 "STATS from=\(month) to=\(through) by=reason", "STATS kind=sale by=sku location=STORE1"]
        keys += StatsGrouping.allCases.map { "STATS by=\($0.rawValue)" }
        keys += (Self.customers + Self.suppliers).map { "BALANCE \($0)" } + ["BALANCE"]
        keys += Self.customers.map { "CREDIT \($0)" }
        keys += ["NOTICES", "NOTICES party=C2", "NOTICES party=S1", "NOTICES from=\(month)",
                 "AUDIT limit=60", "AUDIT after=0 limit=300", "AUDIT user=sup1 limit=500", "AUDIT from=\(month) limit=200",
                 "TILL LIST limit=100000", "TILL LIST location=STORE2 state=closed limit=40", "TILL SHOW POS1", "TILL SHOW POS2",
                 "TILL SHOW session=T000001", "STOCK A100", "STOCK B300", "STOCK", "PERIOD SHOW", "PERIOD Z \(through)",
                 "VERIFY", "PARTY LIST"]
        keys += transfers.map { "TRANSFER SHOW \($0)" }
        return keys
    }

    // MARK: comparing

    /// The `archive=` a record's reads must name, and the answer without it.
    func archiveField(_ status: [Field], key: String, expected: String, sourceLocation: SourceLocation = #_sourceLocation) -> [Field] {
        guard let last = status.last, last.key == "archive" else {
            Issue.record("seed \(seed): \(key): the status line does not end with archive=: \(status.text)", sourceLocation: sourceLocation)
            return status
        }
        #expect(last.value == expected, "seed \(seed): \(key) names archive=\(last.value), \(expected.isEmpty ? "live" : "taken by \(expected)")",
                sourceLocation: sourceLocation)
        return Array(status.dropLast())
    }

    func expectedArchive(_ key: String, _ status: [Field], _ map: (returns: [Int: String], orders: [String: String])) -> String {
        if key.hasPrefix("ORDER ") { return map.orders[String(key.dropFirst(6))] ?? "" }
        let id = key.hasPrefix("SHOW ") ? String(key.dropFirst(5)) : status.field("return") ?? ""
        return ReturnRequest.number(id).flatMap { map.returns[$0] } ?? ""
    }

    typealias Taken = (returns: [Int: String], orders: [String: String], entries: [String: Set<Int>], lots: [String: Set<String>])

    func compare(_ key: String, _ before: Answer, _ after: Answer, _ entry: ArchiveEntry, previous: Taken) {
        let what = "seed \(seed), \(entry.name): \(key)"
        guard let b = before.reply, let a = after.reply else {
            #expect(before == after, "\(what) answered \(before) before, \(after) after")
            return
        }
        let word = key.split(separator: " ").first.map(String.init) ?? ""
        switch word {
        case "SHOW", "DOC", "ORDER":
            let statusBefore = archiveField(b.status, key: key, expected: expectedArchive(key, b.status, (previous.returns, previous.orders)))
            let statusAfter = archiveField(a.status, key: key, expected: expectedArchive(key, a.status, (returnArchive, orderArchive)))
            #expect(statusBefore == statusAfter && a.lines == b.lines, "\(what) changed:\n\(b.text)\n---\n\(a.text)")
        case "LIST":
            #expect(a.status == b.status, "\(what): \(b.status.text) became \(a.status.text)")
            #expect(a.lines.count == b.lines.count, "\(what): \(b.lines.count) lines became \(a.lines.count)")
            for (lb, la) in zip(b.lines, a.lines) {
                let id = lb.field("id") ?? "", number = ReturnRequest.number(id) ?? 0
                let fb = archiveField(lb, key: "\(key) \(id)", expected: previous.returns[number] ?? "")
                let fa = archiveField(la, key: "\(key) \(id)", expected: returnArchive[number] ?? "")
                #expect(fa == fb, "\(what): \(lb.text) became \(la.text)")
            }
        case "BALANCE" where key != "BALANCE":
            compareBalance(what, b, a, party: String(key.dropFirst(8)), previous: previous.entries)
        case "CREDIT":
            let party = String(key.dropFirst(7))
            #expect(a.status == b.status, "\(what): \(b.status.text) became \(a.status.text)")
            let gone = (lots[party] ?? []).subtracting(previous.lots[party] ?? [])
            let kept = b.lines.filter { !gone.contains($0.field("lot") ?? "") }
            #expect(a.lines == kept, "\(what): the lines after are not those before less the archived lots \(gone.sorted()):\n\(b.text)\n---\n\(a.text)")
            for line in b.lines where gone.contains(line.field("lot") ?? "") {
                #expect(line.field("state") != "active", "\(what): archived lot still active: \(line.text)")
            }
        default:
            #expect(a == b, "\(what) changed:\n\(b.text)\n---\n\(a.text)")
        }
    }

    /// The entries archived now become part of the one brought-forward line, the rest unchanged.
    func compareBalance(_ what: String, _ b: Reply, _ a: Reply, party: String, previous: [String: Set<Int>]) {
        #expect(a.status == b.status, "\(what): \(b.status.text) became \(a.status.text)")
        #expect(a.lines.last?.field("balance") == b.lines.last?.field("balance"), "\(what): the final running balance changed")
        let hadForward = b.lines.first?.field("kind") == "brought_forward"
        let archivedBefore = previous[party]?.count ?? 0, archivedNow = entryPositions[party]?.count ?? 0
        if archivedNow == 0 {
            #expect(a.lines == b.lines, "\(what) changed with nothing of it archived")
            return
        }
        #expect(hadForward == (archivedBefore > 0), "\(what): brought_forward before the archive: \(hadForward), archived \(archivedBefore)")
        let skip = hadForward ? 1 : 0, newly = archivedNow - archivedBefore
        guard b.lines.count >= skip + newly, let forward = a.lines.first else {
            Issue.record("\(what): \(newly) entries archived, \(b.lines.count) lines before, \(a.lines.count) after")
            return
        }
        let taken = b.lines[skip..<(skip + newly)]
        var sum = hadForward ? cents(b.lines[0].field("amount")) : 0
        var newest = hadForward ? b.lines[0].field("at") ?? "" : ""
        for line in taken {
            sum += cents(line.field("amount"))
            newest = max(newest, line.field("at") ?? "")
        }
        let expected = [Field("at", newest), Field("kind", "brought_forward"), Field("doc", ""), Field("amount", money(sum)),
                        Field("balance", money(sum))]
        #expect(forward == expected, "\(what): brought forward \(forward.text), expected \(expected.text)")
        if let lastTaken = taken.last {
            #expect(lastTaken.field("balance") == money(sum), "\(what): the archived entries are not the first in time: \(lastTaken.text), sum \(money(sum))")
        }
        #expect(Array(a.lines.dropFirst()) == Array(b.lines.dropFirst(skip + newly)),
                "\(what): the live lines changed:\n\(b.text)\n---\n\(a.text)")
    }

    /// After its archive a record never changes: VOID and VENDOR CREDIT are STATE, a re-sent
    /// APPROVE answers as before, a return against an archived order is EXPIRED.
    mutating func archivedNeverChange(_ fresh: Set<Int>, all: Bool) {
        var voided = 0, resent = 0
        for number in fresh.sorted() {
            let r = returns[number - 1]
            if voided < 3, ["approved", "completed"].contains(r.state), !r.purchase {
                voided += 1
                tally["archived: VOID refused", default: 0] += 1
                #expect(desk.line("VOID \(r.id) reason=DEFECTIVE note=late", as: "admin").errorCode == .STATE,
                        "seed \(seed): VOID of archived \(r.id)")
            }
            if resent < 2, r.state == "approved", r.approvers.count == 1, let approver = r.approvers.first, approver.hasPrefix("sup") {
                resent += 1
                tally["archived: APPROVE re-sent", default: 0] += 1
                let reply = desk.line("APPROVE \(r.id)", as: approver)
                #expect((try? reply.get())?.status.last == Field("existed", "yes"), "seed \(seed): APPROVE \(r.id) re-sent: \(reply)")
            }
            if r.purchase, r.state == "approved", !r.vendorCredited {
                tally["archived: VENDOR CREDIT refused", default: 0] += 1
                #expect(desk.line("VENDOR CREDIT \(r.id) amount=1.00 ref=late", as: "fin1").errorCode == .STATE,
                        "seed \(seed): VENDOR CREDIT of archived \(r.id)")
            }
        }
        if all, let purchase = purchases.last(where: { orderArchive[$0.id] != nil }),
           let order = read("ORDER \(purchase.id)").reply,
           let line = order.lines.first(where: { Int($0.field("returnable") ?? "") ?? 0 > 0 }), let sku = line.field("sku") {
            tally["archived: RETURN against a purchase refused", default: 0] += 1
            let refused = desk.line("RETURN \(purchase.id) \(sku):1 reason=DEFECTIVE override=yes", as: "sup1")
            #expect(refused.errorCode == .EXPIRED, "seed \(seed): a return against archived \(purchase.id): \(refused)")
        }
    }

    mutating func summarize() {
        let december = CivilDate(year: 2027, month: 12, day: 1).daysSinceEpoch
        let early = returns.filter { $0.filedDay < december }
        let archivedEarly = early.filter { returnArchive[$0.number] != nil }.count
        let earlySales = sales.filter { $0.day < december - 31 }
        let archivedSales = earlySales.filter { orderArchive[$0.id] != nil }.count
        print("ArchiveYearTests seed \(seed): \(returns.count) returns, \(sales.count) sales, \(purchases.count) purchases; "
              + "returns archived per month \(newlyArchived); of the first 11 months \(archivedEarly)/\(early.count) returns, "
              + "of the first 10 \(archivedSales)/\(earlySales.count) sales archived")
        var states: [String: Int] = [:]
        for r in returns {
            states[r.state, default: 0] += 1
            for (flag, name) in [(r.purchase, "supplier"), (r.exchange, "exchange"), (r.noReceipt, "no receipt"), (r.walkIn, "walk-in"),
                                 (r.onAccount, "on account"), (r.vendorCredited, "vendor credited"),
                                 (r.approvers.contains("system"), "auto-approved"), (r.approvers.contains("fin1"), "second approval")] where flag {
                tally["return \(name)", default: 0] += 1
            }
        }
        print("ArchiveYearTests seed \(seed): returns by state \(states.sorted { $0.key < $1.key }), \(transfers.count) transfers; "
              + tally.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
        #expect(newlyArchived.count == 12)
        // Section 23's memory model: the archived audit trail left memory (the AUDIT answers compared
        // above read it back from the archives), all but the chunk still filling and the live months.
        let audit = desk.ledger.audit, archivedAudit = ArchiveSelection.union(desk.ledger.archives.map(\.taken)).audit.count
        print("ArchiveYearTests seed \(seed): audit trail \(audit.count) entries, \(archivedAudit) archived, \(audit.heldCount) held")
        #expect(audit.heldCount < audit.count - archivedAudit + 2 * AuditLog.entriesPerChunk,
                "seed \(seed): \(audit.heldCount) of \(audit.count) audit entries held, \(archivedAudit) archived")
        #expect(audit.count - audit.heldCount >= 4 * AuditLog.entriesPerChunk, "seed \(seed): \(audit.count - audit.heldCount) released")
        #expect(newlyArchived.filter { $0 > 0 }.count >= 10, "seed \(seed): months archiving returns: \(newlyArchived)")
        #expect(archivedEarly * 10 >= early.count * 8, "seed \(seed): \(archivedEarly) of \(early.count) returns of the first 11 months archived")
        #expect(archivedSales * 10 >= earlySales.count * 8, "seed \(seed): \(archivedSales) of \(earlySales.count) sales archived")
        // The recall's block of returns left memory too (the SHOW, DOC, ORDER, LIST and STATS
        // answers compared above read it back).
        let filedReturns = desk.ledger.returns
        print("ArchiveYearTests seed \(seed): returns \(filedReturns.count), \(returnArchive.count) archived, \(filedReturns.heldCount) held")
        #expect(filedReturns.count - filedReturns.heldCount >= ChunkedArray<ReturnRequest>.elementsPerChunk,
                "seed \(seed): \(filedReturns.count - filedReturns.heldCount) returns released")
        #expect(filedReturns.heldCount < filedReturns.count - returnArchive.count + 2 * ChunkedArray<ReturnRequest>.elementsPerChunk,
                "seed \(seed): \(filedReturns.heldCount) of \(filedReturns.count) returns held, \(returnArchive.count) archived")
        // Each record goes into one archive: the next archive takes none of them again.
        #expect(takenAgain == 0, "seed \(seed): \(takenAgain) returns were taken by a later archive again")
    }
}
