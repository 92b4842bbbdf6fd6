import ReturnLedgerCore
import TestSupport
import Testing

/// Protocol.md, Transfers: sites, TRANSFER SEND / RECEIVE / CANCEL / SHOW.
@Suite struct TransferTests {
    /// The shop with 10 A100 (cost 14.00) and 6 C400 (no cost: its price 6.50) on hand at STORE1,
    /// and a back room in STORE1's building.
    static func stocked() -> Desk {
        var desk = Desk.shop()
        desk.ok(Desk.purchase("PO-1", at: "STORE1", item("A100", 10), item("C400", 6)))
        desk.lineOK("LOCATION ADD BACK1 name=Back site=STORE1")
        return desk
    }

    func level(_ desk: Desk, _ sku: String, _ location: String, batch: String = "") -> StockLevel {
        desk.ledger.level(sku, StockSlot(location: location, batch: batch))
    }

    /// protocol.md, LOCATION: changing one location's site moves only that location (its back
    /// room stays in the old site), and a transfer already in transit arrives as it was sent.
    @Test func changingASiteMovesOnlyThatLocation() {
        var desk = Self.stocked()
        #expect(desk.lineOK("TRANSFER SEND T-20 from=STORE1 to=BACK1 A100:1")["state"] == "received")
        desk.lineOK("TRANSFER SEND T-21 from=STORE1 to=STORE2 A100:1")
        desk.lineOK("LOCATION SET STORE1 site=MAIN")
        #expect(desk.lineOK("TRANSFER SEND T-22 from=STORE1 to=BACK1 A100:1")["state"] == "in_transit")
        desk.lineOK("LOCATION SET STORE2 site=MAIN")
        #expect(desk.lineOK("TRANSFER RECEIVE T-21")["received"] == "1")  // sent between sites: received as such
        #expect(level(desk, "A100", "STORE2") == StockLevel(onHand: 1))
        desk.lineOK("LOCATION SET BACK1 site=MAIN")
        #expect(desk.lineOK("TRANSFER SEND T-23 from=STORE1 to=BACK1 A100:1")["state"] == "received")
        desk.lineOK("TRANSFER RECEIVE T-22")
        #expect(level(desk, "A100", "BACK1") == StockLevel(onHand: 3))
        desk.expectReplays()
    }

    @Test func theContractsWorkedExample() {
        var desk = Self.stocked()
        let sent = desk.lineOK("TRANSFER SEND T-1 from=STORE1 to=STORE2 A100:5", as: "clerk1")
        #expect(sent.status.map(\.key) == ["transfer", "state", "from", "to", "qty"])
        #expect(sent["state"] == "in_transit" && sent["qty"] == "5")
        #expect(level(desk, "A100", "STORE1").onHand == 5)
        #expect(level(desk, "A100", "STORE2") == StockLevel(transit: 5))
        let received = desk.lineOK("TRANSFER RECEIVE T-1 A100:4", as: "clerk2")
        #expect(received.status.map { "\($0.key)=\($0.value)" }
                == ["transfer=T-1", "state=received", "sent=5", "received=4", "lost=1", "found=0", "value=-14.00"])
        #expect(level(desk, "A100", "STORE2") == StockLevel(onHand: 4))
        #expect(level(desk, "A100", "STORE1").onHand == 5)
        desk.expectReplays()
    }

    @Test func locationsShareASiteWhenToldSo() {
        var desk = Self.stocked()
        #expect(desk.ledger.locations["STORE1"]?.site == "STORE1")
        #expect(desk.ledger.locations["BACK1"]?.site == "STORE1")
        let list = desk.lineOK("LOCATION LIST")
        #expect(list.lines.first { $0.first?.value == "BACK1" }?.last == Field("site", "STORE1"))
        desk.lineOK("LOCATION SET WH1 site=STORE2")
        #expect(desk.ledger.locations["WH1"]?.site == "STORE2" && desk.ledger.locations["WH1"]?.name == "Warehouse")
        #expect(desk.lineFails("LOCATION SET WH1") == .SYNTAX)
        #expect(desk.lineFails("LOCATION SET WH1 site=a/b") == .INVALID)
        #expect(desk.lineFails("LOCATION SET NOPE site=X") == .NOT_FOUND)
    }

    @Test func withinOneSiteGoodsArriveAtOnce() {
        var desk = Self.stocked()
        let sent = desk.lineOK("TRANSFER SEND T-2 from=STORE1 to=BACK1 A100:3 note=shelf", as: "clerk1")
        #expect(sent["state"] == "received")
        #expect(level(desk, "A100", "STORE1").onHand == 7)
        #expect(level(desk, "A100", "BACK1") == StockLevel(onHand: 3))
        let show = desk.lineOK("TRANSFER SHOW T-2", as: "aud1")
        #expect(show["state"] == "received" && show["received"] == "3" && show["lost"] == "0" && show["value"] == "0.00")
        #expect(show["received_by"] == "clerk1" && show["note"] == "shelf")
        // Nothing to receive or cancel.
        #expect(desk.lineFails("TRANSFER RECEIVE T-2") == .STATE)
        #expect(desk.lineFails("TRANSFER CANCEL T-2") == .STATE)
        desk.expectReplays()
    }

    @Test func aShortOrOverReceiptIsLostOrFoundAtUnitCost() {
        var desk = Self.stocked()
        desk.lineOK("TRANSFER SEND T-3 from=STORE1 to=STORE2 A100:2 C400:3")
        // C400 not named: arrived as sent; A100 over by one.
        let over = desk.lineOK("TRANSFER RECEIVE T-3 A100:3 note=extra")
        #expect(over["sent"] == "5" && over["received"] == "6" && over["lost"] == "0" && over["found"] == "1" && over["value"] == "14.00")
        #expect(level(desk, "A100", "STORE2") == StockLevel(onHand: 3) && level(desk, "C400", "STORE2") == StockLevel(onHand: 3))
        desk.lineOK("TRANSFER SEND T-4 from=STORE1 to=STORE2 C400:2")
        let none = desk.lineOK("TRANSFER RECEIVE T-4 C400:0")
        #expect(none["lost"] == "2" && none["value"] == "-13.00")  // C400 has no cost: its price
        #expect(level(desk, "C400", "STORE2") == StockLevel(onHand: 3))
        let show = desk.lineOK("TRANSFER SHOW T-3")
        #expect(show.status.map(\.key) == ["transfer", "state", "from", "to", "sent", "received", "lost", "found", "value", "note",
                                           "sent_by", "sent_at", "received_by", "received_at", "received_note", "cancelled_by",
                                           "cancelled_at"])
        #expect(show["received_note"] == "extra" && show["received_by"] == "admin")
        #expect(show.lines.map { $0.map { "\($0.key)=\($0.value)" } }
                == [["=line", "sku=A100", "batch=", "sent=2", "received=3", "serials="],
                    ["=line", "sku=C400", "batch=", "sent=3", "received=3", "serials="]])
        desk.expectReplays()
    }

    @Test func aCancelledTransferPutsTheGoodsBackAtFrom() {
        var desk = Self.stocked()
        desk.lineOK("TRANSFER SEND T-5 from=STORE1 to=STORE2 A100:4")
        let show = desk.lineOK("TRANSFER SHOW T-5")
        #expect(show["state"] == "in_transit" && show["received"] == "" && show["value"] == "" && show["received_at"] == "")
        #expect(desk.lineOK("TRANSFER CANCEL T-5", as: "sup1").status == [Field("transfer", "T-5"), Field("state", "cancelled")])
        #expect(level(desk, "A100", "STORE1").onHand == 10 && level(desk, "A100", "STORE2") == StockLevel())
        // A till's retry of the cancel answers as the first did; who called it back shows.
        #expect(desk.lineOK("TRANSFER CANCEL T-5", as: "clerk1")["existed"] == "yes")
        #expect(level(desk, "A100", "STORE1").onHand == 10)
        let cancelled = desk.lineOK("TRANSFER SHOW T-5")
        #expect(cancelled["cancelled_by"] == "sup1" && cancelled["cancelled_at"] == desk.now.description)
        #expect(desk.lineFails("TRANSFER RECEIVE T-5") == .STATE)
        // The receipt's items are looked at last: a cancelled transfer is STATE whatever they name.
        #expect(desk.lineFails("TRANSFER RECEIVE T-5 B300:1") == .STATE)
        desk.expectReplays()
    }

    @Test func reSendsAnswerTheOriginalReplyAndOtherContentConflicts() {
        var desk = Self.stocked()
        let first = desk.lineOK("TRANSFER SEND T-6 from=STORE1 to=STORE2 A100:2 C400:1 note=a")
        // Another note is the same transfer; the reply is the one sent, after the receipt too.
        desk.lineOK("TRANSFER RECEIVE T-6 A100:1")
        let again = desk.lineOK("TRANSFER SEND T-6 from=STORE1 to=STORE2 A100:2 C400:1 note=b")
        #expect(again.status == first.existed().status)
        #expect(desk.lineFails("TRANSFER SEND T-6 from=STORE1 to=STORE2 A100:3 C400:1") == .CONFLICT)
        #expect(desk.lineFails("TRANSFER SEND T-6 from=STORE1 to=WH1 A100:2 C400:1") == .CONFLICT)
        // The same lines in another order are the same transfer (a till may rebuild them from a map).
        #expect(desk.lineOK("TRANSFER SEND T-6 from=STORE1 to=STORE2 C400:1 A100:2")["existed"] == "yes")
        #expect(desk.lineFails("TRANSFER SEND T-6 from=STORE1 to=STORE2 C400:1 A100:1") == .CONFLICT)
        let received = desk.lineOK("TRANSFER RECEIVE T-6 A100:1 C400:1")
        #expect(received["existed"] == "yes" && received["lost"] == "1")
        #expect(desk.lineFails("TRANSFER RECEIVE T-6") == .CONFLICT)
        #expect(desk.lineFails("TRANSFER RECEIVE T-6 B300:1") == .CONFLICT)  // a line it never had
        #expect(level(desk, "A100", "STORE2").onHand == 1)
        desk.expectReplays()
    }

    @Test func sendChecksInTheContractsOrder() {
        var desk = Self.stocked()
        desk.lineOK("USER SCOPE clerk2 locations=STORE2")
        #expect(desk.lineFails("TRANSFER SEND T-7 from=STORE1 to=STORE2") == .SYNTAX)
        #expect(desk.lineFails("TRANSFER SEND T-7 from=STORE1 to=STORE2 A100:1@2.00") == .INVALID)
        #expect(desk.lineFails("TRANSFER SEND T-7 from=STORE1 to=STORE1 A100:1") == .INVALID)
        #expect(desk.lineFails("TRANSFER SEND T-7 from=STORE1 to=STORE2 A100:1 A100:2") == .INVALID)
        #expect(desk.lineFails("TRANSFER SEND T-7 from=STORE1 to=STORE2 A100:1/SN1") == .INVALID)
        #expect(desk.lineFails("TRANSFER SEND T-7 from=STORE1 to=STORE2 A100:0") == .INVALID)
        #expect(desk.lineFails("TRANSFER SEND T-7 from=NOPE to=STORE2 A100:1") == .NOT_FOUND)
        #expect(desk.lineFails("TRANSFER SEND T-7 from=STORE1 to=NOPE A100:1") == .NOT_FOUND)
        #expect(desk.lineFails("TRANSFER SEND T-7 from=STORE1 to=STORE2 Z999:1", as: "clerk2") == .NOT_FOUND)
        #expect(desk.lineFails("TRANSFER SEND T-7 from=STORE1 to=STORE2 A100:99", as: "clerk2") == .DENIED)
        #expect(desk.lineFails("TRANSFER SEND T-7 from=STORE1 to=STORE2 A100:11") == .STOCK)
        #expect(desk.lineFails("TRANSFER SEND T-7 from=STORE1 to=STORE2 A100:1#B1") == .STOCK)  // the batch-less slot holds them
        #expect(desk.lineFails("TRANSFER SEND T-7 from=STORE2 to=STORE1 A100:1") == .STOCK)
        #expect(desk.ledger.transfers["T-7"] == nil)
        #expect(desk.lineOK("TRANSFER SEND T-7 from=STORE1 to=STORE2 A100:10")["qty"] == "10")
        // Stock sold below zero is not on hand.
        desk.run(Desk.sale("S1", at: "STORE1", item("C400", 8)))
        #expect(desk.lineFails("TRANSFER SEND T-8 from=STORE1 to=STORE2 C400:1") == .STOCK)
    }

    @Test func receiveAndCancelCheckInTheContractsOrder() {
        var desk = Self.stocked()
        desk.lineOK("USER SCOPE clerk2 locations=STORE2")
        desk.lineOK("TRANSFER SEND T-9 from=STORE1 to=STORE2 A100:2")
        #expect(desk.lineFails("TRANSFER RECEIVE T-9 A100:1@1.00") == .INVALID)
        #expect(desk.lineFails("TRANSFER RECEIVE T-9 A100:1 A100:1") == .INVALID)
        #expect(desk.lineFails("TRANSFER RECEIVE NOPE") == .NOT_FOUND)
        #expect(desk.lineFails("TRANSFER RECEIVE T-9 C400:1") == .NOT_FOUND)
        #expect(desk.lineFails("TRANSFER RECEIVE T-9 A100:1#B1") == .NOT_FOUND)
        #expect(desk.lineFails("TRANSFER CANCEL T-9", as: "clerk2") == .DENIED)  // scope over from
        #expect(desk.lineFails("TRANSFER CANCEL NOPE") == .NOT_FOUND)
        desk.lineOK("USER SCOPE clerk1 locations=STORE1")
        #expect(desk.lineFails("TRANSFER RECEIVE T-9", as: "clerk1") == .DENIED)  // scope over to
        #expect(desk.lineOK("TRANSFER RECEIVE T-9", as: "clerk2")["lost"] == "0")
        #expect(desk.lineFails("TRANSFER SHOW NOPE") == .NOT_FOUND)
        #expect(desk.lineOK("TRANSFER SHOW T-9", as: "clerk1")["state"] == "received")  // SHOW is unscoped
    }

    @Test func aClosedTodayRefusesEveryStep() {
        var desk = Self.stocked()
        desk.lineOK("TRANSFER SEND T-10 from=STORE1 to=STORE2 A100:2")
        desk.lineOK("TRANSFER SEND T-11 from=STORE1 to=STORE2 A100:2")
        desk.lineOK("PERIOD CLOSE 2026-11-29")
        #expect(desk.lineFails("TRANSFER SEND T-12 from=STORE1 to=STORE2 A100:1") == .CLOSED)
        #expect(desk.lineFails("TRANSFER RECEIVE T-10") == .CLOSED)
        #expect(desk.lineFails("TRANSFER CANCEL T-11") == .CLOSED)
    }

    @Test func feedLinesCarryTheRepliesFieldsThenTheLinesThenTheMoves() {
        var desk = Self.stocked()
        var feed: [String] = []
        func record(_ text: String) { feed += desk.feedOf(text) }
        record("TRANSFER SEND T-1 from=STORE1 to=STORE2 A100:5 note=van")
        record("TRANSFER RECEIVE T-1 A100:4 note=dented")
        record("TRANSFER SEND T-2 from=STORE1 to=STORE2 A100:1")
        record("TRANSFER CANCEL T-2")
        #expect(feed == [
            "type=transfer.sent transfer=T-1 state=in_transit from=STORE1 to=STORE2 qty=5 note=van",
            "type=transfer.line transfer=T-1 line=1 sku=A100 batch= qty=5 serials=",
            "type=stock.moved sku=A100 location=STORE1 batch= on_hand=-5 quarantine=0 doc=T-1 rtv=0 refurbish=0 transit=0 serials=",
            "type=stock.moved sku=A100 location=STORE2 batch= on_hand=0 quarantine=0 doc=T-1 rtv=0 refurbish=0 transit=5 serials=",
            "type=transfer.received transfer=T-1 state=received sent=5 received=4 lost=1 found=0 value=-14.00 note=dented",
            "type=transfer.receipt transfer=T-1 line=1 received=4 serials=",
            "type=stock.moved sku=A100 location=STORE2 batch= on_hand=4 quarantine=0 doc=T-1 rtv=0 refurbish=0 transit=-5 serials=",
            "type=transfer.sent transfer=T-2 state=in_transit from=STORE1 to=STORE2 qty=1 note=",
            "type=transfer.line transfer=T-2 line=1 sku=A100 batch= qty=1 serials=",
            "type=stock.moved sku=A100 location=STORE1 batch= on_hand=-1 quarantine=0 doc=T-2 rtv=0 refurbish=0 transit=0 serials=",
            "type=stock.moved sku=A100 location=STORE2 batch= on_hand=0 quarantine=0 doc=T-2 rtv=0 refurbish=0 transit=1 serials=",
            "type=transfer.cancelled transfer=T-2 state=cancelled",
            "type=stock.moved sku=A100 location=STORE2 batch= on_hand=0 quarantine=0 doc=T-2 rtv=0 refurbish=0 transit=-1 serials=",
            "type=stock.moved sku=A100 location=STORE1 batch= on_hand=1 quarantine=0 doc=T-2 rtv=0 refurbish=0 transit=0 serials=",
        ])
    }

    /// Random transfers (sent, received short or over, cancelled, within a site), adjustments and
    /// counts: no held state goes negative, each slot's states add up to its books, and across
    /// slots transfers conserve units but for what was lost and found.
    @Test func theBooksHoldOverRandomTransfers() {
        let seed = testSeed("TransferTests.theBooksHoldOverRandomTransfers")
        var random = SeededGenerator(seed: seed)
        var desk = Self.stocked()
        desk.ok(Desk.purchase("PO-2", at: "STORE2", item("A100", 20)))
        desk.ok(Desk.purchase("PO-3", at: "WH1", item("A100", 20, batch: "B1")))
        let places = ["STORE1", "STORE2", "WH1", "BACK1"]
        var sent = 0
        for step in 0..<400 {
            desk.now.seconds += 30
            let batch = Bool.random(using: &random) ? "" : "#B1"
            let qty = Int64.random(in: 0...6, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0, 1:
                sent += 1
                let from = places.randomElement(using: &random)!, to = places.randomElement(using: &random)!
                desk.line("TRANSFER SEND T\(sent) from=\(from) to=\(to) A100:\(max(qty, 1))\(batch)", as: "clerk1")
            case 2:
                if let t = desk.ledger.transfers.values.filter({ $0.state == .in_transit }).randomElement(using: &random) {
                    let arrived = max(0, t.lines[0].sent + Int64.random(in: -2...2, using: &random))
                    desk.line("TRANSFER RECEIVE \(t.id) A100:\(arrived)\(t.lines[0].batch.isEmpty ? "" : "#" + t.lines[0].batch)")
                }
            case 3:
                if let t = desk.ledger.transfers.values.filter({ $0.state == .in_transit }).randomElement(using: &random) {
                    desk.line("TRANSFER CANCEL \(t.id)")
                }
            case 4:
                let direction = Bool.random(using: &random) ? "in" : "out"
                desk.line("ADJUST \(direction) location=\(places.randomElement(using: &random)!) reason=correction A100:\(max(qty, 1))\(batch)",
                          as: "sup1")
            default:
                desk.line("COUNT location=\(places.randomElement(using: &random)!) A100:\(qty)\(batch)", as: "sup1")
            }
            for (slot, level) in desk.ledger.stock["A100"] ?? [:] {
                #expect(level.transit >= 0 && level.quarantine >= 0 && level.rtv >= 0 && level.refurbish >= 0,
                        "seed \(seed) step \(step) \(slot)")
            }
        }
        // Per slot: purchases + transfers in − out − losses + finds ± adjustments and counts.
        var books: [StockSlot: Int64] = [:]
        for o in desk.ledger.orders.values {
            for line in o.lines where line.sku == "A100" {
                books[StockSlot(location: o.location, batch: line.batch), default: 0] += o.kind == .purchase ? line.quantity : -line.quantity
            }
        }
        var lostMinusFound: Int64 = 0
        for t in desk.ledger.transfers.values where t.state != .cancelled {
            for line in t.lines {
                books[StockSlot(location: t.from, batch: line.batch), default: 0] -= line.sent
                books[StockSlot(location: t.to, batch: line.batch), default: 0] += t.state == .received ? line.received : line.sent
                if t.state == .received { lostMinusFound += line.sent - line.received }
            }
        }
        var adjusted: Int64 = 0
        for move in desk.ledger.stockMoves {
            for line in move.lines {
                books[StockSlot(location: move.location, batch: line.batch), default: 0] += line.change
                adjusted += line.change
            }
        }
        let stock = desk.ledger.stock["A100"] ?? [:]
        for slot in Set(books.keys).union(stock.keys) {
            #expect((stock[slot]?.total ?? 0) == (books[slot] ?? 0), "seed \(seed) \(slot)")
        }
        // Across slots: what was bought, less what transfers lost (plus found), plus adjustments.
        let total = stock.values.reduce(0) { $0 + $1.total }
        #expect(total == 10 + 20 + 20 - lostMinusFound + adjusted, "seed \(seed)")
        // Transit holds exactly what is on the way.
        let onTheWay = desk.ledger.transfers.values.filter { $0.state == .in_transit }.reduce(0) { $0 + $1.sent }
        #expect(stock.values.reduce(0) { $0 + $1.transit } == onTheWay, "seed \(seed)")
        // The walk did each kind of step, refused or not: a walk of refusals would prove nothing.
        let states = desk.ledger.transfers.values.map(\.state)
        #expect(states.contains(.received) && states.contains(.cancelled), "seed \(seed)")
        #expect(desk.ledger.transfers.values.contains { $0.viaTransit && $0.lost > 0 }, "seed \(seed)")
        #expect(desk.ledger.transfers.values.contains { $0.viaTransit && $0.found > 0 }, "seed \(seed)")
        #expect(desk.ledger.transfers.values.contains { !$0.viaTransit }, "seed \(seed)")
        let kinds = desk.ledger.stockMoves.map(\.kind)
        #expect(kinds.contains(.adjust) && kinds.contains(.count), "seed \(seed)")
        desk.expectReplays()
    }
}
