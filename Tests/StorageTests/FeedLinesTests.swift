import ReturnLedgerCore
import ReturnLedgerStorage
import Testing
import TestSupport

/// FEED's lines carry what each change moved: summed over a whole history, the
/// `ledger.entry` lines give every balance and the `stock.moved` lines every stock level, exactly
/// as the ledger holds them. That is what lets an exporter's database agree with BALANCE and STOCK.
@Suite struct FeedLinesTests {
    static func field(_ line: [Field], _ key: String) -> String { line.first { $0.key == key }?.value ?? "" }

    @Test func theMovementsInTheFeedAddUpToTheLedger() {
        let seed = testSeed("theMovementsInTheFeedAddUpToTheLedger")
        for history in [everyKindEntries(), randomHistory(seed: seed, count: 1500)] {
            var ledger = Ledger()
            for entry in history { ledger.apply(entry.events) }
            var balances: [String: Int64] = [:]
            var stock: [String: (Int64, Int64)] = [:]
            var types: Set<String> = []
            for (index, entry) in history.enumerated() {
                for line in ledger.feedLines(seq: UInt64(index + 1), at: entry.at, actor: entry.actor, events: entry.events) {
                    #expect(line[0] == Field("seq", String(index + 1)) && line[3].key == "type")
                    let type = line[3].value
                    // `hash=` is a document's place in the chain, on its approval and document lines only.
                    let documentLine = type == "return.approved" || type == "doc.issued" || type == "return.voided"
                    #expect(!line.contains { ($0.key.contains("hash") && !(documentLine && $0.key == "hash")) || $0.value.hasPrefix("$y$")
                                             || $0.value.hasPrefix("$6$") }, "no password hash in \(line)")
                    types.insert(type)
                    if type == "ledger.entry" {
                        balances[Self.field(line, "party"), default: 0] += Money(parsing: Self.field(line, "amount"))!.minor
                    } else if type == "stock.moved" {
                        let key = Self.field(line, "sku") + "|" + Self.field(line, "location") + "|" + Self.field(line, "batch")
                        let (h, q) = stock[key] ?? (0, 0)
                        stock[key] = (h + Int64(Self.field(line, "on_hand"))!, q + Int64(Self.field(line, "quarantine"))!)
                    }
                }
            }
            for (party, balance) in ledger.balances.map({ ($0.key, $0.value) }) {
                #expect((balances[party] ?? 0) == balance.minor, "\(party)")
            }
            for (sku, slots) in ledger.stock.map({ ($0.key, $0.value) }) {
                for (slot, level) in slots {
                    let (h, q) = stock[sku + "|" + slot.location + "|" + slot.batch] ?? (0, 0)
                    #expect(h == level.onHand && q == level.quarantine, "\(sku) \(slot)")
                }
            }
            #expect(types.isSuperset(of: ["sale.recorded", "order.line", "return.filed", "return.item", "return.approved",
                                           "stock.moved", "ledger.entry"]))
        }
    }

    @Test func everyKindOfChangeHasItsType() {
        let history = everyKindEntries()
        var ledger = Ledger()
        for entry in history { ledger.apply(entry.events) }
        let types = Set(history.enumerated().flatMap { index, entry in
            ledger.feedLines(seq: UInt64(index + 1), at: entry.at, actor: entry.actor, events: entry.events).map { $0[3].value }
        })
        let expected: Set<String> = ["user.added", "user.role_changed", "user.enabled_changed", "user.password_changed", "user.scoped",
                          "location.added", "sku.added", "category.added", "party.added", "reason.added", "policy.changed", "policy.limits_changed",
                          "policy.timezone_changed", "sale.recorded", "purchase.recorded", "order.line", "payment.recorded",
                          "return.filed", "return.item", "return.approved", "return.rejected", "return.cancelled",
                          "return.inspected", "return.first_approved", "rule.added", "rule.dropped", "stock.moved", "ledger.entry",
                          "doc.issued", "doc.item", "return.voided", "credit.voided", "period.closed", "period.z", "period.tender",
                          "credit.expired", "disposition.line", "stock.disposed", "return.vendor_credited",
                          "policy.set", "till.opened", "till.moved", "till.closed", "credit.issued", "credit.used",
                          "transfer.sent", "transfer.line", "transfer.received", "transfer.receipt", "transfer.cancelled",
                          "stock.adjusted", "stock.counted", "count.line", "epoch.started"]
        #expect(types.subtracting(expected).isEmpty, "types nobody expects: \(types.subtracting(expected).sorted())")
        #expect(expected.subtracting(types).isEmpty, "types missing: \(expected.subtracting(types).sorted())")
    }

    /// Found at stop 19 and fixed with format 7: FEED found a payment's number on the account by
    /// time and amount, so two equal payments of one party in one second both printed the first's
    /// number (an exporter keyed by it kept one row). The record now carries its number.
    @Test func twoEqualPaymentsInOneSecondHaveTheirOwnNumbers() {
        var ledger = Ledger()
        let context = Context(user: "fin", role: .admin, peer: "test", now: Timestamp(parsing: "2026-12-01T09:00:00Z")!)
        let payment = Command.payment(party: "C1", amount: Money(minor: 500), direction: .in, note: "")
        var records: [[Event]] = []
        for command in [Command.partyAdd(Party(id: "C1", kind: .customer, name: "Ana")), payment, payment] {
            let (events, result) = ledger.record(command, name: "TEST", context)
            #expect((try? result.get()) != nil)
            ledger.apply(events)
            records.append(events)
        }
        func numbers(_ records: [[Event]]) -> [String] {
            records.enumerated().flatMap { index, events in
                ledger.feedLines(seq: UInt64(index + 1), at: context.now, actor: "fin", events: events)
                    .filter { $0[3].value == "payment.recorded" }.map { Self.field($0, "payment") }
            }
        }
        #expect(numbers(records) == ["P000001", "P000002"])
        #expect(ledger.entries["C1"]?.map(\.doc) == ["P000001", "P000002"])
        // A record written before format 7 carries no number: it is found on the account.
        let old = Event.paymentRecorded(party: "C1", amount: Money(minor: 500), direction: .in, note: "", at: context.now, number: 0)
        #expect(numbers([[old]]) == ["P000001"])
    }
}
