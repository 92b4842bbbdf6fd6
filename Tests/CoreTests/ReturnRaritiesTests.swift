@testable import ReturnLedgerCore
import Testing

/// A return's rarely used fields live in one shared box (issue 30, a compact state): a return that
/// uses none of them holds the shared empty box; writing one copies the box first unless it is the
/// return's alone, so copies of a return (a snapshot's, a reply's) never see each other's changes.
@Suite struct ReturnRaritiesTests {
    static func plain() -> ReturnRequest {
        ReturnRequest(number: 1, kind: .sale, order: "S1", party: "C1", location: "STORE1",
                      items: [ReturnItem(sku: "SKU1", quantity: 1, batch: "", price: Money(minor: 500), line: 0, amount: Money(minor: 500))],
                      amount: Money(minor: 500), reason: "DEFECTIVE", note: "", key: "", filedBy: "clerk1", filedAt: Timestamp(seconds: 1))
    }

    @Test func aReturnStaysSmall() {
        // 456 bytes before the rare fields moved out and the one-byte fields were put together; a
        // field added to the return or its item shows here.
        #expect(MemoryLayout<ReturnRequest>.stride <= 280)
        #expect(MemoryLayout<ReturnItem>.stride <= 88)
        #expect(MemoryLayout<Notice>.stride <= 80)
    }

    @Test func defaultsKeepTheSharedEmptyBox() {
        var r = Self.plain()
        #expect(r.rarities === RarityBox.empty)
        // What a decoded or approved return sets to its default: no box of its own.
        r.fee = .zero; r.feeRate = .zero; r.due = .zero; r.history = []; r.flow = ReturnFlow(); r.takenAt = nil
        r.override = false; r.waivers = []; r.supplier = nil; r.exchangeText = ""
        #expect(r.rarities === RarityBox.empty)
        #expect(RarityBox.empty.fields == ReturnRarities())
    }

    @Test func writesCopyTheBoxWhenShared() {
        var a = Self.plain()
        a.fee = Money(minor: 50)
        #expect(a.rarities !== RarityBox.empty)
        #expect(RarityBox.empty.fields == ReturnRarities(), "the shared empty box is never written")
        let box = ObjectIdentifier(a.rarities)  // not a reference: holding one would make the box shared
        a.due = Money(minor: 7)
        #expect(ObjectIdentifier(a.rarities) == box, "a box of the return's own is written in place")

        var b = a  // a copy shares the box until one of them writes
        #expect(b.rarities === a.rarities)
        b.fee = Money(minor: 99)
        b.history.append(ReturnEvent(at: Timestamp(seconds: 2), user: "sup1", action: "inspected", note: ""))
        #expect(a.fee == Money(minor: 50) && a.history.isEmpty && a.due == Money(minor: 7))
        #expect(b.fee == Money(minor: 99) && b.history.count == 1 && b.due == Money(minor: 7))
        #expect(a != b)
        b.fee = Money(minor: 50)
        b.history = []
        #expect(a == b, "equal fields in different boxes are equal returns")
    }

    /// A value equal to the one held but spelled with other bytes is written: what is encoded is
    /// what was set last.
    @Test func anEqualStringWithOtherBytesIsWritten() {
        var r = Self.plain()
        r.firstApprovalNote = "caf\u{E9}"
        r.firstApprovalNote = "cafe\u{301}"
        #expect(Array(r.firstApprovalNote.utf8) == Array("cafe\u{301}".utf8))
    }

    @Test func everyRareFieldReadsBackWhatWasWritten() {
        var r = Self.plain()
        let at = Timestamp(seconds: 42)
        r.flow = ReturnFlow(rules: ["BIG"], secondRole: .finance, inspect: true, auto: false)
        r.firstApprovedBy = "sup1"; r.firstApprovedAt = at; r.firstApprovalNote = "ok"
        r.exchange = [OrderLine(sku: "SKU2", quantity: 1, price: Money(minor: 700), batch: "")]; r.exchangeText = "SKU2:1"
        r.override = true; r.waivers = [.limit, .returnDays]
        r.feeRate = Percent(parsing: "10")!; r.fee = Money(minor: 50); r.due = Money(minor: 250)
        r.takenAt = at; r.feeTax = Money(minor: 3)
        r.supplier = SupplierTerms(filedRma: "RMA1", source: .rtv, expected: Money(minor: 400))
        #expect(r.flow.rules == ["BIG"] && r.flow.secondRole == .finance && r.flow.inspect)
        #expect(r.firstApprovedBy == "sup1" && r.firstApprovedAt == at && r.firstApprovalNote == "ok")
        #expect(r.exchange.count == 1 && r.exchangeText == "SKU2:1" && r.exchangeOrder == "X-R000001")
        #expect(r.override && r.overriddenText == "limit,return_days")
        #expect(r.feeRate == Percent(parsing: "10")! && r.fee == Money(minor: 50) && r.due == Money(minor: 250))
        #expect(r.late && r.feeTax == Money(minor: 3) && r.rma == "RMA1" && r.source == .rtv && r.expected == Money(minor: 400))
        #expect(r.net == Money(minor: 450))
    }
}
