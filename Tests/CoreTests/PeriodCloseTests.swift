@testable import ReturnLedgerCore
import Testing

/// PERIOD CLOSE, SHOW and Z (protocol.md, PERIOD): a day of sales, returns, an exchange, a void
/// and a till, closed the next day, with its Z totals worked out by hand; nothing dated into a
/// closed date; store credit written off as its dates close.
@Suite struct PeriodCloseTests {
    static let day1 = "2026-11-29"

    /// One store's day (2026-11-29): a card-and-cash sale through POS1, a sale on account, a
    /// walk-in's cash sale; the first returned at a 12.5% fee through the till (then voided), the
    /// second returned on account, the third exchanged with a due of 18.50 paid in cash.
    static func aDay() -> Desk {
        var desk = Desk.shop()
        // The store's shelf: the kettle R000003 hands over must be on hand (section 22.3).
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S1 A100:10", as: "clerk1")
        desk.lineOK("TILL OPEN POS1 location=STORE1 float=100", as: "clerk1")
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:4 tender=card:60.00#4242,cash:40.00 till=POS1", as: "clerk1")
        desk.lineOK("SALE S2 location=STORE1 customer=C2 paid=no A200:1", as: "clerk1")
        desk.lineOK("SALE S3 location=STORE1 C400:2", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE till=POS1", as: "clerk1")
        #expect(desk.lineOK("APPROVE R000001 fee=12.5 till=POS1", as: "sup1")["refund"] == "card:13.12#4242,cash:8.75")
        desk.lineOK("RETURN S2 A200:1 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000002", as: "sup1")
        desk.lineOK("RETURN S3 C400:1 reason=DEFECTIVE exchange=A100:1", as: "clerk1")
        desk.lineOK("APPROVE R000003 tender=cash:18.50", as: "sup1")
        desk.lineOK("VOID R000001 reason=DEFECTIVE note=wrong", as: "sup2")
        desk.lineOK("TILL PAYIN POS1 amount=5 note=change", as: "clerk1")
        desk.lineOK("TILL PAYOUT POS1 amount=2 note=window", as: "sup1")
        // Expected cash: 100 float + 40 taken + 5 in − 8.75 handed back − 2 out = 134.25.
        desk.lineOK("TILL CLOSE POS1 counted=134.00", as: "clerk1")
        desk.now.seconds += 86_400
        return desk
    }

    @Test func theDaysZTotalsAreKeptAsTheyStood() {
        var desk = Self.aDay()
        let closed = desk.lineOK("PERIOD CLOSE \(Self.day1) note=end-of-day", as: "fin1")
        #expect(closed.status == [Field("closed_through", Self.day1), Field("closed_by", "fin1"), Field("closed_at", desk.now.description)])
        let z = desk.ok(.periodZ(date: CivilDate(parsing: Self.day1)!, location: nil), as: "aud1")
        #expect(z["locations"] == "1" && z["closed_by"] == "fin1")
        #expect(z.lines.count == 6)
        let row = Dictionary(uniqueKeysWithValues: z.lines[0].dropFirst().map { ($0.key, $0.value) })
        #expect(row == ["location": "STORE1", "sales": "4", "sales_amount": "177.90", "sales_tax": "0.00", "discounts": "0.00",
                        "returns": "3", "refunds_amount": "68.27", "refunds_tax": "0.00", "fees": "3.13", "voids": "1",
                        "voids_amount": "21.87", "paid_in": "5.00", "paid_out": "2.00", "variance": "-0.25"])
        let tenders = z.lines[1...].map { line in line.filter { ["kind", "taken", "refunded"].contains($0.key) }.map(\.value) }
        #expect(tenders == [["cash", "71.50", "8.75"], ["card", "60.00", "13.12"], ["credit", "0.00", "0.00"],
                            ["other", "0.00", "0.00"], ["account", "39.90", "39.90"]])
        // Kept, not recomputed: a late sale dated that day is refused, and the totals stand.
        #expect(desk.lineFails("SALE S9 location=STORE1 A100:1 at=2026-11-29T12:00:00Z", as: "clerk1") == .CLOSED)
        desk.lineOK("SALE S10 location=STORE1 A100:1", as: "clerk1")
        #expect(desk.ok(.periodZ(date: CivilDate(parsing: Self.day1)!, location: nil), as: "aud1") == z)
        let show = desk.ok(.periodShow)
        #expect(show["closed_through"] == Self.day1 && show.lines.count == 1 && show.lines[0].contains(Field("note", "end-of-day")))
        desk.expectReplays()
    }

    @Test func aCloseIsCheckedBeforeItIsTaken() {
        var desk = Self.aDay()
        #expect(desk.lineFails("PERIOD CLOSE 2026-12-01", as: "fin1") == .INVALID)  // after today (2026-11-30)
        #expect(desk.fails(.periodZ(date: CivilDate(parsing: Self.day1)!, location: nil)) == .STATE)
        desk.ok(.userScope(name: "fin1", locations: Scope(["STORE1"])))
        #expect(desk.lineFails("PERIOD CLOSE \(Self.day1)", as: "fin1") == .DENIED)
        desk.ok(.userScope(name: "fin1", locations: .everywhere))
        desk.lineOK("TILL OPEN POS2 location=STORE2 float=50", as: "clerk1")
        #expect(desk.lineFails("PERIOD CLOSE 2026-11-30", as: "fin1") == .STATE)  // POS2 opened today, still open
        desk.lineOK("PERIOD CLOSE \(Self.day1)", as: "fin1")  // POS2 opened after it: no matter
        let again = desk.lineOK("PERIOD CLOSE \(Self.day1) note=twice", as: "admin")
        #expect(again.status.last == Field("existed", "yes") && again["closed_by"] == "fin1")
        #expect(desk.lineFails("PERIOD CLOSE 2026-11-28", as: "fin1") == .STATE)
        // A scoped supervisor sees its own locations' rows; another location is DENIED.
        desk.ok(.userScope(name: "sup2", locations: Scope(["STORE2"])))
        #expect(desk.ok(.periodZ(date: CivilDate(parsing: Self.day1)!, location: nil), as: "sup2")["locations"] == "0")
        #expect(desk.fails(.periodZ(date: CivilDate(parsing: Self.day1)!, location: "STORE1"), as: "sup2") == .DENIED)
        #expect(desk.fails(.periodZ(date: CivilDate(parsing: Self.day1)!, location: "NOPE"), as: "aud1") == .NOT_FOUND)
    }

    /// Today closed: what moves stock, money or tills is CLOSED; REJECT, CANCEL and first
    /// approvals go on.
    @Test func whileTodayIsClosedOnlyReviewsGoOn() {
        var desk = Desk.shop()
        desk.lineOK("RULE ADD BIG then=second min_amount=60 role=supervisor", as: "admin")
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:4 B300:2", as: "clerk1")
        for line in ["RETURN S1 A100:1 reason=DEFECTIVE", "RETURN S1 A100:1 reason=DEFECTIVE", "RETURN S1 A100:1 reason=DEFECTIVE",
                     "RETURN S1 B300:1 A100:1 reason=DEFECTIVE", "RETURN S1 B300:1 reason=DEFECTIVE"] { desk.lineOK(line, as: "clerk1") }
        desk.lineOK("APPROVE R000002", as: "sup1")
        desk.lineOK("APPROVE R000004", as: "sup1")  // 84.00: a first approval
        desk.lineOK("APPROVE R000005", as: "sup1")  // B300 into quarantine: inspecting
        desk.lineOK("PERIOD CLOSE 2026-11-29", as: "fin1")
        for (line, user) in [("SALE S2 location=STORE1 A100:1", "clerk1"), ("RETURN S1 A100:1 reason=DEFECTIVE", "clerk1"),
                             ("PAYMENT C1 amount=1 direction=in", "fin1"), ("APPROVE R000001", "sup2"),
                             ("VOID R000002 reason=DEFECTIVE note=x", "sup2"), ("TILL OPEN POS1 location=STORE1 float=1", "clerk1"),
                             ("APPROVE R000004", "sup2"), ("INSPECT R000005 restock", "sup1"),
                             ("PURCHASE P1 location=WH1 supplier=S1 A100:1", "clerk1")] {
            #expect(desk.lineFails(line, as: user) == .CLOSED, "\(line)")
        }
        desk.lineOK("REJECT R000001 note=no", as: "sup1")
        desk.lineOK("CANCEL R000003", as: "clerk1")
        desk.expectReplays()
    }

    /// Store credit past its expiry is written off by the close that covers its expiry, at most
    /// what the account owes the customer; a voided lot never.
    @Test func expiredCreditIsWrittenOffByTheClose() {
        var desk = Desk.shop()
        desk.lineOK("POLICY SET credit_days=1", as: "admin")
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000001 refund=credit", as: "sup1")
        desk.lineOK("SALE S2 location=STORE1 customer=C1 C400:1 tender=credit:6.50", as: "clerk1")
        #expect(desk.balance("C1") == "-18.50")
        desk.now.seconds += 2 * 86_400  // 2026-12-01: the lot expired on 2026-11-30 at 10:00
        desk.lineOK("PERIOD CLOSE 2026-11-29", as: "fin1")
        #expect(desk.ledger.creditLots["C1"]![0].remaining == m("18.50"))  // expires in a date still open
        desk.lineOK("PERIOD CLOSE 2026-11-30", as: "fin1")
        let lot = desk.ledger.creditLots["C1"]![0]
        #expect(lot.remaining == .zero && lot.writtenOff && lot.state(at: desk.now) == "expired")
        #expect(desk.balance("C1") == "0.00")
        let entry = desk.ledger.entries["C1"]!.last!
        #expect(entry.kind == .credit_expired && entry.amount == m("18.50") && entry.at == lot.expires!)
        #expect(desk.ledger.openCreditLots == 0)
        desk.expectReplays()
    }
}
