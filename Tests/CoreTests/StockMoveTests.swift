import ReturnLedgerCore
import TestSupport
import Testing

/// Protocol.md, Adjustments and counts: ADJUST in|out and COUNT, numbered with DISPOSE.
@Suite struct StockMoveTests {
    func onHand(_ desk: Desk, _ sku: String, _ location: String = "STORE1", batch: String = "") -> Int64 {
        desk.onHand(sku, location, batch: batch)
    }

    @Test func anAdjustmentMovesOnHandAtUnitCost() {
        var desk = TransferTests.stocked()
        let out = desk.lineOK("ADJUST out location=STORE1 reason=damage A100:2 C400:1 note=dropped key=k1", as: "sup1")
        #expect(out.status.map { "\($0.key)=\($0.value)" }
                == ["move=M000001", "location=STORE1", "direction=out", "reason=damage", "qty=3", "value=-34.50"])
        #expect(onHand(desk, "A100") == 8 && onHand(desk, "C400") == 5)
        let found = desk.lineOK("ADJUST in location=STORE2 reason=found A100:1#B7", as: "sup1")
        #expect(found["move"] == "M000002" && found["value"] == "14.00" && found["qty"] == "1")
        #expect(onHand(desk, "A100", "STORE2", batch: "B7") == 1)
        // correction and other go either way.
        desk.lineOK("ADJUST in location=STORE1 reason=correction A100:1")
        desk.lineOK("ADJUST out location=STORE1 reason=other A100:1")
        // A slot named twice: the second line starts where the first left it.
        desk.lineOK("ADJUST out location=STORE1 reason=theft A100:5 A100:3")
        #expect(onHand(desk, "A100") == 0)
        #expect(desk.ledger.stockMoves.map(\.id) == ["M000001", "M000002", "M000003", "M000004", "M000005"])
        desk.expectReplays()
    }

    @Test func adjustNeverGoesBelowZeroAndChecksInTheContractsOrder() {
        var desk = TransferTests.stocked()
        desk.lineOK("USER SCOPE sup2 locations=STORE2")
        #expect(desk.lineFails("ADJUST out location=STORE1 reason=damage") == .SYNTAX)
        #expect(desk.lineFails("ADJUST sideways location=STORE1 reason=damage A100:1") == .INVALID)
        #expect(desk.lineFails("ADJUST out location=STORE1 reason=lost A100:1") == .INVALID)
        #expect(desk.lineFails("ADJUST in location=STORE1 reason=damage A100:1") == .INVALID)
        #expect(desk.lineFails("ADJUST in location=STORE1 reason=theft A100:1") == .INVALID)
        #expect(desk.lineFails("ADJUST out location=STORE1 reason=found A100:1") == .INVALID)
        #expect(desk.lineFails("ADJUST out location=STORE1 reason=damage A100:1@1.00") == .INVALID)
        #expect(desk.lineFails("ADJUST out location=STORE1 reason=damage A100:0") == .INVALID)
        #expect(desk.lineFails("ADJUST out location=NOPE reason=damage A100:1") == .NOT_FOUND)
        #expect(desk.lineFails("ADJUST out location=STORE1 reason=damage Z999:1", as: "sup2") == .NOT_FOUND)
        #expect(desk.lineFails("ADJUST out location=STORE1 reason=damage A100:1", as: "sup2") == .DENIED)
        #expect(desk.lineFails("ADJUST out location=STORE1 reason=damage A100:11") == .STOCK)
        #expect(desk.lineFails("ADJUST out location=STORE1 reason=damage A100:6 A100:5") == .STOCK)
        #expect(desk.lineFails("ADJUST out location=STORE1 reason=damage A100:1#B1") == .STOCK)
        desk.run(Desk.sale("S1", at: "STORE2", item("A100", 2)))  // STORE2 at −2
        #expect(desk.lineFails("ADJUST out location=STORE2 reason=damage A100:1") == .STOCK)
        #expect(desk.ledger.stockMoves.isEmpty)
        #expect(desk.lineOK("ADJUST out location=STORE1 reason=damage A100:10")["value"] == "-140.00")
        desk.lineOK("PERIOD CLOSE 2026-11-29")
        #expect(desk.lineFails("ADJUST in location=STORE1 reason=found A100:1") == .CLOSED)
        #expect(desk.lineFails("COUNT location=STORE1 A100:1") == .CLOSED)
    }

    @Test func aCountSetsOnHandAndValuesTheVariance() {
        var desk = TransferTests.stocked()
        desk.run(Desk.sale("S1", at: "STORE2", item("A100", 2)))  // STORE2 at −2: a count fixes it
        let count = desk.lineOK("COUNT location=STORE1 A100:8 C400:6 A100:1#B2 note=yearly", as: "sup1")
        #expect(count.lines.map { $0.map { "\($0.key)=\($0.value)" } } == [
            ["=line", "sku=A100", "batch=", "before=10", "counted=8", "variance=-2", "value=-28.00"],
            ["=line", "sku=C400", "batch=", "before=6", "counted=6", "variance=0", "value=0.00"],
            ["=line", "sku=A100", "batch=B2", "before=0", "counted=1", "variance=1", "value=14.00"],
        ])
        #expect(count.status.map { "\($0.key)=\($0.value)" } == ["move=M000001", "location=STORE1", "variance=-1", "value=-14.00"])
        #expect(onHand(desk, "A100") == 8 && onHand(desk, "A100", batch: "B2") == 1)
        let negative = desk.lineOK("COUNT location=STORE2 A100:0")
        #expect(negative.lines.first?.contains(Field("before", "-2")) == true && negative["variance"] == "2" && negative["value"] == "28.00")
        #expect(onHand(desk, "A100", "STORE2") == 0)
        // Counted as the books said: a line, no move; an empty slot never stocked is not made.
        let same = desk.lineOK("COUNT location=STORE1 A100:8 A100:0#NEVER")
        #expect(same["variance"] == "0" && same.lines.count == 2)
        #expect(desk.ledger.stock["A100"]?[StockSlot(location: "STORE1", batch: "NEVER")] == nil)
        #expect(desk.lineFails("COUNT location=STORE1 A100:1 A100:2") == .INVALID)
        #expect(desk.lineFails("COUNT location=STORE1 A100:1@2.00") == .INVALID)
        #expect(desk.lineFails("COUNT location=STORE1") == .SYNTAX)
        #expect(desk.lineFails("COUNT location=NOPE A100:1") == .NOT_FOUND)
        #expect(desk.lineFails("COUNT location=STORE1 Z999:1") == .NOT_FOUND)
        desk.lineOK("USER SCOPE sup2 locations=STORE2")
        #expect(desk.lineFails("COUNT location=STORE1 A100:1", as: "sup2") == .DENIED)
        // Only on hand is counted: transit stays.
        desk.lineOK("TRANSFER SEND T-1 from=STORE1 to=STORE2 A100:3")
        desk.lineOK("COUNT location=STORE2 A100:5")
        #expect(desk.ledger.level("A100", StockSlot(location: "STORE2", batch: "")) == StockLevel(onHand: 5, transit: 3))
        desk.expectReplays()
    }

    @Test func keyedReSendsShareDisposesSequenceAndKeySpace() {
        var desk = DispositionTests.inQuarantine()
        desk.ok(.inspect(id: "R000001", disposition: .vendor, note: ""), as: "sup1")
        desk.lineOK("DISPOSE location=STORE1 from=rtv restock=B300:1 key=d1", as: "sup1")
        let adjust = desk.lineOK("ADJUST out location=STORE1 reason=damage B300:1 key=a1", as: "sup1")
        #expect(adjust["move"] == "M000002")
        let count = desk.lineOK("COUNT location=STORE1 B300:3 key=c1", as: "sup1")
        #expect(count["move"] == "M000003")
        let again = desk.lineOK("ADJUST out location=STORE1 reason=damage B300:1 key=a1", as: "sup1")
        #expect(again.status == adjust.existed().status)
        #expect(desk.lineOK("COUNT location=STORE1 B300:3 key=c1")["existed"] == "yes")
        #expect(desk.lineFails("ADJUST out location=STORE1 reason=damage B300:2 key=a1") == .CONFLICT)
        #expect(desk.lineFails("ADJUST out location=STORE1 reason=other B300:1 key=a1") == .CONFLICT)
        #expect(desk.lineFails("COUNT location=STORE1 B300:3 key=a1") == .CONFLICT)
        #expect(desk.lineFails("COUNT location=STORE1 B300:3 key=d1") == .CONFLICT)
        #expect(desk.lineFails("ADJUST in location=STORE1 reason=found B300:1 key=c1") == .CONFLICT)
        #expect(desk.lineFails("COUNT location=STORE1 B300:4 key=c1") == .CONFLICT)
        #expect(desk.ledger.stockMoves.count == 3)
        desk.expectReplays()
    }

    @Test func feedLinesOfAdjustmentsAndCounts() {
        var desk = TransferTests.stocked()
        var feed: [String] = []
        func record(_ text: String) { feed += desk.feedOf(text) }
        record("ADJUST out location=STORE1 reason=damage A100:2 note=dropped key=k1")
        record("COUNT location=STORE1 A100:9 note=shelf")
        record("LOCATION ADD BACK2 name=Back2 site=STORE2")
        #expect(feed == [
            "type=stock.adjusted move=M000001 location=STORE1 direction=out reason=damage qty=2 value=-28.00 note=dropped key=k1",
            "type=stock.moved sku=A100 location=STORE1 batch= on_hand=-2 quarantine=0 doc=M000001 rtv=0 refurbish=0 transit=0 serials=",
            "type=stock.counted move=M000002 location=STORE1 variance=1 value=14.00 note=shelf key=",
            "type=count.line move=M000002 sku=A100 batch= before=8 counted=9 variance=1 value=14.00",
            "type=stock.moved sku=A100 location=STORE1 batch= on_hand=1 quarantine=0 doc=M000002 rtv=0 refurbish=0 transit=0 serials=",
            "type=location.added code=BACK2 name=Back2 kind=store site=STORE2",
        ])
    }

    @Test func everyMoveIsAudited() {
        var desk = TransferTests.stocked()
        desk.lineOK("ADJUST in location=STORE1 reason=found A100:1")
        _ = desk.lineFails("ADJUST out location=STORE1 reason=damage A100:99")
        desk.lineOK("TRANSFER SEND T-1 from=STORE1 to=STORE2 A100:1")
        let targets = desk.ledger.audit.suffix(3).map { "\($0.target) \($0.outcome)" }
        #expect(targets == ["M000001 ok", "STORE1 STOCK", "T-1 ok"])
    }
}
