import ReturnLedgerCore
import Testing

/// What ARCHIVE through a date takes (protocol.md, Years of history: Finished by DATE), rule by
/// rule: each case a record that is taken and one that is not, and why.
@Suite struct ArchiveSelectionTests {
    /// Day 1 (2026-11-29): a shop's history; the desk's clock then moves on.
    static func day1() -> Desk {
        var desk = Desk.shop()
        desk.lineOK("RULE ADD NONE then=auto max_amount=0.00")  // every return reviewed
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S1 A100:20 B300:5 C400:10", as: "clerk1")
        return desk
    }

    static let nov29 = CivilDate(daysSinceEpoch: Timestamp(parsing: "2026-11-29T10:00:00Z")!.seconds / 86_400)

    func select(_ desk: Desk, through: CivilDate = ArchiveSelectionTests.nov29, all: Bool = false) -> ArchiveSelection {
        desk.ledger.archiveSelection(through: through, purchasesAll: all, at: desk.now)
    }

    @Test func returnsAreTakenOnceNothingCanChangeThem() {
        var desk = Self.day1()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:5", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")            // R1: stays pending
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")            // R2: approved today
        desk.lineOK("APPROVE R000002", as: "sup1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")            // R3: rejected
        desk.lineOK("REJECT R000003 note=no", as: "sup1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")            // R4: approved tomorrow
        desk.now.seconds += 86_400
        desk.lineOK("APPROVE R000004", as: "sup1")
        let selection = select(desk)
        #expect(selection.returns == [2, 3], "pending and approved after the date stay: \(selection.returns)")
        // Through the next day R4 goes too; R1 never while pending.
        #expect(select(desk, through: CivilDate(daysSinceEpoch: Self.nov29.daysSinceEpoch + 1)).returns == [2, 3, 4])
    }

    @Test func aReturnWithCreditLeftOrAwaitingItsVendorCreditStays() {
        var desk = Self.day1()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000001 refund=credit", as: "sup1")                   // a lot of 25.00
        desk.lineOK("RETURN P1 C400:1 reason=DEFECTIVE", as: "clerk1")            // a supplier return
        desk.lineOK("APPROVE R000002", as: "sup1")
        desk.now.seconds += 3600
        #expect(select(desk).returns.isEmpty)
        #expect(select(desk, all: true).returns == [2])                          // purchases=all: without the credit
        desk.lineOK("VENDOR CREDIT R000002 amount=6.50 ref=CN-1", as: "fin1")
        #expect(select(desk).returns == [2])
        // The lot spent: the return goes, and its lot with it.
        desk.lineOK("SALE S2 location=STORE1 customer=C1 A100:1 tender=credit:25.00", as: "clerk1")
        let selection = select(desk)
        #expect(selection.returns == [1, 2])
        #expect(selection.lots == ["C1": [desk.ledger.returns[0].doc]])
    }

    /// A VOID that left us owing the customer issues a lot under the void's document: the voided
    /// return stays until that lot is spent, and goes with it.
    @Test func aVoidsOwnLotKeepsItsReturnUntilSpent() {
        var desk = Self.day1()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 C400:2", as: "clerk1")
        desk.lineOK("RETURN S1 C400:2 reason=CHANGED_MIND exchange=A100:1", as: "clerk1")
        desk.lineOK("APPROVE R000001 tender=cash:12.00", as: "sup1")
        desk.lineOK("VOID R000001 reason=CHANGED_MIND note=undo", as: "sup2")
        let lot = desk.ledger.creditLots["C1"]!.last!
        #expect(lot.id == desk.ledger.voids[1]!.doc && lot.remaining == m("12.00"))
        desk.now.seconds += 3600
        #expect(!select(desk).returns.contains(1))
        desk.lineOK("SALE S2 location=STORE1 customer=C1 A100:1 tender=credit:12.00,cash:13.00", as: "clerk1")
        let selection = select(desk)
        #expect(selection.returns.contains(1) && selection.lots["C1"]?.contains(lot.id) == true)
        // The exchange's sale goes with its return.
        #expect(selection.orders.contains("X-R000001"))
    }

    /// A client's own order id that merely starts with X- is an ordinary sale.
    @Test func aClientsXOrderIsAnOrdinarySale() {
        var desk = Self.day1()
        desk.lineOK("SALE X-MAS1 location=STORE1 customer=C1 A100:1", as: "clerk1")
        desk.now.seconds += 31 * 86_400
        #expect(select(desk).orders.contains("X-MAS1"))
    }

    @Test func whileACustomerLimitIsSetRecentReturnsStay() {
        var desk = Self.day1()
        desk.lineOK("POLICY SET customer_returns=3 customer_days=2")
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("REJECT R000001 note=no", as: "sup1")
        desk.now.seconds += 86_400
        #expect(select(desk).returns.isEmpty)                                    // filed a day ago: it still counts
        desk.now.seconds += 86_400 + 1
        #expect(select(desk).returns == [1])                                     // over 2 × 24 h
    }

    @Test func ordersGoWhenTheirReturnsHaveAndNothingIsLeftToReturn() {
        var desk = Self.day1()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:1", as: "clerk1")   // all returned, then taken
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000001", as: "sup1")
        desk.lineOK("SALE S2 location=STORE1 customer=C1 A100:2", as: "clerk1")   // one left, window open
        desk.lineOK("SALE S3 location=STORE1 customer=C1 A100:2", as: "clerk1")   // a return pending
        desk.lineOK("RETURN S3 A100:1 reason=DEFECTIVE", as: "clerk1")
        desk.now.seconds += 3600
        var selection = select(desk)
        #expect(selection.orders == ["S1"], "\(selection.orders)")              // P1 has B300 and C400 returnable
        #expect(select(desk, all: true).orders == ["P1", "S1"])                  // purchases=all
        // 30 days on, S2's window is over; S3 still has its pending return.
        desk.now.seconds += 31 * 86_400
        selection = select(desk)
        #expect(selection.orders == ["S1", "S2"], "\(selection.orders)")
    }

    @Test func entriesNoticesAuditMovesTillsAndTransfersByTheirDates() {
        var desk = Self.day1()
        desk.lineOK("TILL OPEN POS1 location=STORE1 float=100.00", as: "clerk1")
        desk.lineOK("TILL OPEN POS2 location=STORE1 float=50.00", as: "clerk1")
        desk.lineOK("TILL CLOSE POS1 counted=100.00", as: "clerk1")
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000001", as: "sup1")
        desk.lineOK("ADJUST out location=STORE1 reason=damage C400:1 key=adj-1", as: "sup1")
        desk.lineOK("TRANSFER SEND T-1 from=STORE1 to=STORE2 A100:2", as: "clerk1")
        desk.lineOK("TRANSFER SEND T-2 from=STORE1 to=STORE2 A100:1", as: "clerk1")
        desk.lineOK("TRANSFER RECEIVE T-1", as: "clerk1")
        let today = (entries: desk.ledger.entries["C1"]?.count ?? 0, notices: desk.ledger.notices.count, audit: desk.ledger.audit.count)
        desk.now.seconds += 86_400
        desk.lineOK("ADJUST out location=STORE1 reason=damage C400:1 key=adj-2", as: "sup1")
        desk.lineOK("SALE S2 location=STORE1 customer=C1 A100:1", as: "clerk1")
        desk.lineOK("TRANSFER RECEIVE T-2", as: "clerk1")                     // received the next day: stays
        let selection = select(desk)
        #expect(selection.entries["C1"].map(Array.init) == Array(0..<today.entries) && today.entries > 0)
        #expect(today.notices > 0 && Array(selection.notices) == Array(1...max(1, today.notices)))
        #expect(Array(selection.audit) == Array(0..<today.audit) && desk.ledger.audit.count > today.audit)
        // Each a single run: what memory keeps of a day's audit trail is one pair of numbers.
        #expect(selection.audit.runs.count == 1 && selection.entries["C1"]?.runs.count == 1)
        #expect(selection.stockMoves == [1])
        #expect(selection.tillSessions == [1])                                   // POS2 still open
        #expect(selection.transfers == ["T-1"])
        #expect(!selection.isEmpty && select(desk, through: CivilDate(daysSinceEpoch: Self.nov29.daysSinceEpoch - 1)).isEmpty)
    }
}
