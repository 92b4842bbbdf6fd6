@testable import ReturnLedgerCore
import Testing
import TestSupport

extension Desk {
    /// A request line as a till types it (no quoted values), parsed by the command table.
    @discardableResult
    mutating func line(_ text: String, as user: String = "admin") -> Result<Reply, DomainError> {
        var words = text.split(separator: " ").map(String.init)
        let word = CommandWord.named(words.removeFirst())!
        var sub: String? = nil
        if word.spec.hasSubcommands { sub = words.removeFirst().uppercased() }
        var positional: [String] = [], named: [(key: String, value: String)] = []
        for w in words {
            if let eq = w.firstIndex(of: "=") { named.append((String(w[..<eq]), String(w[w.index(after: eq)...]))) } else { positional.append(w) }
        }
        do throws(DomainError) {
            return run(try word.spec.parse(sub: sub, positional: positional, named: named), as: user)
        } catch {
            return .failure(error)
        }
    }

    @discardableResult
    mutating func lineOK(_ text: String, as user: String = "admin", sourceLocation: SourceLocation = #_sourceLocation) -> Reply {
        switch line(text, as: user) {
        case .success(let reply): return reply
        case .failure(let error):
            Issue.record("\(text): expected OK, got \(error.code) \(error.message)", sourceLocation: sourceLocation)
            return Reply()
        }
    }

    /// The FEED lines (without seq, at and user) of the change a request line makes.
    mutating func feedOf(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        let before = events.count
        lineOK(text, sourceLocation: sourceLocation)
        let made = events[before...].filter { if case .audited = $0 { false } else { true } }
        return ledger.feedLines(seq: 1, at: now, actor: "admin", events: Array(made)).map { line in
            line.dropFirst(3).map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
    }

    mutating func lineFails(_ text: String, as user: String = "admin") -> DomainError.Code? {
        if case .failure(let error) = line(text, as: user) { return error.code }
        return nil
    }
}

/// The rounding and cap rules of refunds over a sale's tenders (protocol.md, Refund tender).
@Suite struct TenderSplitTests {
    @Test func theContractsWorkedExample() {
        // net 21.87 over card 60.00 and cash 40.00: 1312.2 and 874.8, the cent to cash.
        #expect(TenderSplit.proportional(2187, weights: [6000, 4000]) == [1312, 875])
        #expect(TenderSplit.mirror(2187, paid: [6000, 4000], unrefunded: [6000, 4000]) == [1312, 875])
    }

    @Test func tiesGoToTheEarlierTender() {
        #expect(TenderSplit.proportional(1, weights: [50, 50]) == [1, 0])
        #expect(TenderSplit.proportional(2, weights: [1, 1, 1]) == [1, 1, 0])
    }

    @Test func aShareAboveWhatIsLeftGoesToTheOthersInSaleOrder() {
        // The card was refunded in full before: its share moves to cash.
        #expect(TenderSplit.mirror(1000, paid: [6000, 4000], unrefunded: [0, 4000]) == [0, 1000])
        #expect(TenderSplit.mirror(5000, paid: [6000, 4000], unrefunded: [100, 4000]) == nil)
    }

    @Test func thePolicyKeepsACardToItsOwnCard() {
        let tenders = [Tender(.card, m("60.00"), ref: "4242"), Tender(.cash, m("40.00"))]
        let room: [Int64] = [6000, 4000]
        if case .failure(let misfit) = TenderSplit.charge([Tender(.card, m("10.00"), ref: "9999")], to: tenders, unrefunded: room,
                                                          override: false) {
            #expect(misfit.short == 1000)
        } else {
            Issue.record("another card took the refund")
        }
        guard case .success(let over) = TenderSplit.charge([Tender(.card, m("10.00"), ref: "9999")], to: tenders, unrefunded: room,
                                                           override: true) else { Issue.record("override refused"); return }
        #expect(over.charges == [1000, 0] && over.overridden)
        // Credit comes from credit, then cash, then other, then cards.
        guard case .success(let credit) = TenderSplit.charge([Tender(.credit, m("50.00"))], to: tenders, unrefunded: room,
                                                             override: false) else { Issue.record("credit refused"); return }
        #expect(credit.charges == [1000, 4000] && !credit.overridden)
    }

    /// Over any sequence of partial returns of a random sale: the parts add up to the net, no
    /// tender ever gets back more than it paid.
    @Test func partsAddUpAndNoTenderGetsBackMoreThanItPaid() {
        let seed = UInt64.random(in: 1...UInt64.max)
        print("TenderSplitTests seed \(seed)")
        var random = SeededGenerator(seed: seed)
        for _ in 0..<2000 {
            let paid = (0..<Int.random(in: 1...4, using: &random)).map { _ in Int64.random(in: 1...50_000, using: &random) }
            var left = paid
            var total = paid.reduce(0, +)
            while total > 0 {
                let net = Int64.random(in: 1...total, using: &random)
                guard let shares = TenderSplit.mirror(net, paid: paid, unrefunded: left) else {
                    Issue.record("seed \(seed): \(net) did not fit \(left)"); return
                }
                #expect(shares.reduce(0, +) == net, "seed \(seed)")
                for i in shares.indices {
                    #expect(shares[i] >= 0 && shares[i] <= left[i], "seed \(seed)")
                    left[i] -= shares[i]
                }
                total -= net
            }
            #expect(left.allSatisfy { $0 == 0 }, "seed \(seed)")
        }
    }

    @Test func tenderListsAreChecked() throws {
        #expect(try Tender.list(parsing: "card:60.00#4242,cash:40.00") == [Tender(.card, m("60.00"), ref: "4242"), Tender(.cash, m("40.00"))])
        for bad in ["cash:0.00", "cash:1,cash:2", "card:1#4242,card:2#4242", "cash:1#X", "coins:1", "card:1.001", "credit:5#A"] {
            #expect(throws: DomainError.self, "\(bad)") { try Tender.list(parsing: bad) }
        }
        #expect(try Tender.list(parsing: "card:1#4242,card:2#1111").count == 2)
    }

    /// The parser reads bytes (not Characters): what it accepts and refuses, and its messages.
    @Test func tenderTokensAreReadOnTheirBytes() throws {
        #expect(try Tender.list(parsing: "CASH:4.00,Card:6#A-1.x") == [Tender(.cash, m("4.00")), Tender(.card, m("6.00"), ref: "A-1.x")])
        #expect(try Tender(parsing: "other:0.5#R") == Tender(.other, m("0.50"), ref: "R"))
        let cases: [(String, String)] = [
            ("", " must be KIND:AMOUNT[#REF]"), ("cash:1,", " must be KIND:AMOUNT[#REF]"), (",cash:1", " must be KIND:AMOUNT[#REF]"),
            ("cash", " must be KIND:AMOUNT[#REF]"), ("cashe:1", " must be KIND:AMOUNT[#REF]"), ("cas:1", " must be KIND:AMOUNT[#REF]"),
            ("c@sh:1", " must be KIND:AMOUNT[#REF]"), ("çash:1", " must be KIND:AMOUNT[#REF]"), ("ｃash:1", " must be KIND:AMOUNT[#REF]"),
            ("card:1#", "the reference after #"), ("card:1#a b", "the reference after #"), ("card:1#é", "the reference after #"),
            ("card:-1", "the amount must be money above 0.00"), ("card:", "the amount must be money above 0.00"),
            ("card:1:2", "the amount must be money above 0.00"), ("cash:5#A", "only card and other take a #REF"),
            ("cash:1,CASH:2", "tender cash is named twice"), ("card:1#X,card:2#X", "tender card#X is named twice"),
            ("çsh:1", "tender çsh:1 must be KIND:AMOUNT[#REF]"), ("cash:1,cass:2", "tender cass:2 must be KIND:AMOUNT[#REF]"),
            ("card:1#1,card:x", "tender card:x: the amount must be money above 0.00"),
            // Bytes, not Characters: a separator followed by a combining mark still separates (the
            // part after it is then no tender); only the message can differ from a Character split.
            ("cash:1,\u{301}card:2", "tender \u{301}card:2 must be KIND:AMOUNT[#REF]"),
            ("cash:\u{301}1", "tender cash:\u{301}1: the amount must be money above 0.00"),
        ]
        for (bad, why) in cases {
            do {
                _ = try Tender.list(parsing: bad)
                Issue.record("\(bad) was taken")
            } catch {
                #expect(error.code == .INVALID && error.message.contains(why), "\(bad): \(error.message)")
            }
        }
    }
}

/// Tenders, till sessions and store credit in the ledger (protocol.md, Tills, tenders and store credit).
@Suite struct TillTests {
    static func desk() -> Desk {
        var desk = Desk.shop()
        desk.lineOK("TILL OPEN POS1 location=STORE1 float=100.00", as: "clerk1")
        return desk
    }

    @Test func aSalesTendersAddUpAndLandInItsTill() {
        var desk = TillTests.desk()
        #expect(desk.lineFails("SALE S1 location=STORE1 customer=C1 A100:4 tender=card:60.00#4242,cash:30.00", as: "clerk1") == .TENDER)
        #expect(desk.lineFails("SALE S1 location=STORE1 A100:4 tender=credit:100.00", as: "clerk1") == .INVALID)  // walk-in
        #expect(desk.lineFails("SALE S1 location=STORE1 customer=C1 paid=no A100:4 tender=cash:100.00", as: "clerk1") == .INVALID)
        #expect(desk.lineFails("SALE S1 location=STORE1 customer=C1 A100:4 tender=credit:100.00", as: "clerk1") == .CREDIT)
        #expect(desk.lineFails("SALE S1 location=STORE2 customer=C1 A100:4 till=POS1", as: "clerk1") == .STATE)
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:4 tender=card:60.00#4242,cash:40.00 till=POS1", as: "clerk1")
        // A re-send is compared on its tenders, not on its till.
        #expect(desk.line("SALE S1 location=STORE1 customer=C1 A100:4 tender=card:60.00#4242,cash:40.00", as: "clerk1")
            .map { $0["existed"] } == .success("yes"))
        #expect(desk.lineFails("SALE S1 location=STORE1 customer=C1 A100:4 tender=cash:100.00", as: "clerk1") == .CONFLICT)
        let show = desk.lineOK("TILL SHOW POS1", as: "sup1")
        #expect(show["expected"] == "140.00" && show["state"] == "open" && show["counted"] == "")
        #expect(show.lines.map { $0.map(\.value).joined(separator: " ") } == [
            "tender cash 40.00 0.00", "tender card 60.00 0.00", "tender credit 0.00 0.00", "tender other 0.00 0.00"])
        #expect(desk.ok(.order(id: "S1"))["tender"] == "card:60.00#4242,cash:40.00")
        // Without tender= a paid sale is all cash; on account, none.
        desk.lineOK("SALE S2 location=STORE1 A100:1", as: "clerk1")
        #expect(desk.ok(.order(id: "S2"))["tender"] == "cash:25.00")
        desk.lineOK("SALE S3 location=STORE1 customer=C1 paid=no A100:1", as: "clerk1")
        #expect(desk.ok(.order(id: "S3"))["tender"] == "")
    }

    /// The contract's worked example, through the till: card:13.12#4242,cash:8.75.
    @Test func aRefundMirrorsTheSale() {
        var desk = TillTests.desk()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:4 tender=card:60.00#4242,cash:40.00 till=POS1", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE till=POS1", as: "clerk1")
        let approved = desk.lineOK("APPROVE R000001 fee=12.5", as: "sup1")
        #expect(approved["fee"] == "3.13" && approved["net"] == "21.87")
        #expect(approved["refund"] == "card:13.12#4242,cash:8.75" && approved["tender"] == "")
        let show = desk.lineOK("TILL SHOW POS1", as: "sup1")
        #expect(show["expected"] == "131.25")  // 100 + 40 − 8.75
        #expect(show.lines[1].map(\.value) == ["tender", "card", "60.00", "13.12"])
        #expect(desk.ledger.orders["S1"]!.refunded == [m("13.12"), m("8.75")])
        #expect(desk.ledger.notices.last!.kind == .refund)
        // A re-send names what it was given or the parts it made; anything else conflicts.
        #expect(desk.line("APPROVE R000001 refund=card:13.12#4242,cash:8.75", as: "sup1").map { $0["existed"] } == .success("yes"))
        #expect(desk.lineFails("APPROVE R000001 refund=cash", as: "sup1") == .CONFLICT)
        // The rest of the sale goes back; the card never gets more than it paid.
        desk.lineOK("RETURN S1 A100:3 reason=DEFECTIVE", as: "clerk1")
        let rest = desk.lineOK("APPROVE R000002 till=POS1", as: "sup1")
        #expect(rest["refund"] == "card:45.00#4242,cash:30.00")
        #expect(desk.ledger.orders["S1"]!.unrefunded == [188, 125])
        let stats = desk.ok(.stats(StatsQuery()), as: "fin1")
        #expect(stats["refund_card"] == "58.12" && stats["refund_cash"] == "38.75" && stats["refund_credit"] == "0.00")
    }

    @Test func theTenderPolicyAndItsOverride() {
        var desk = TillTests.desk()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:4 tender=card:60.00#4242,cash:40.00 till=POS1", as: "clerk1")
        desk.lineOK("RETURN S1 A100:4 reason=DEFECTIVE", as: "clerk1")
        #expect(desk.lineFails("APPROVE R000001 refund=cash", as: "sup1") == .TENDER)         // cash only took 40.00
        #expect(desk.lineFails("APPROVE R000001 refund=cash:50.00,card:40.00#4242", as: "sup1") == .TENDER)
        #expect(desk.lineFails("APPROVE R000001 refund=cash:10.00", as: "sup1") == .TENDER)   // not the net
        #expect(desk.lineFails("APPROVE R000001 refund=card:100.00#1111 override=yes", as: "fin1") == .DENIED)
        // The drawer holds 140.00: 100.00 in cash fits; a till with less would refuse.
        let over = desk.lineOK("APPROVE R000001 refund=cash override=yes till=POS1", as: "sup1")
        #expect(over["refund"] == "cash:100.00")
        #expect(desk.ledger.returns[0].tenderOverride)
        #expect(desk.ok(.show(id: "R000001"))["tender_override"] == "yes")
        #expect(desk.ledger.audit.suffix(2).map(\.command) == ["TEST", "OVERRIDE"])
        #expect(desk.lineOK("TILL SHOW POS1", as: "sup1")["expected"] == "40.00")
    }

    @Test func aDrawerNeverGoesBelowZeroAndClosesWithAVariance() {
        var desk = TillTests.desk()
        #expect(desk.lineFails("TILL OPEN POS1 location=STORE1 float=1.00", as: "clerk2") == .STATE)
        #expect(desk.lineFails("TILL PAYOUT POS1 amount=100.01 note=x", as: "sup1") == .TENDER)
        #expect(desk.lineFails("TILL PAYIN POS1 amount=1 note=x", as: "clerk2") == .DENIED)     // not theirs
        #expect(desk.lineFails("TILL PAYIN POS9 amount=1 note=x", as: "clerk1") == .STATE)      // never opened
        desk.lineOK("TILL PAYIN POS1 amount=20.00 note=change", as: "clerk1")
        desk.lineOK("TILL PAYOUT POS1 amount=5.50 note=milk", as: "sup1")
        desk.lineOK("SALE S1 location=STORE1 A100:2 till=POS1", as: "clerk1")
        let closed = desk.lineOK("TILL CLOSE POS1 counted=163.00", as: "clerk1")
        #expect(closed["expected"] == "164.50" && closed["variance"] == "-1.50" && closed["session"] == "T000001")
        #expect(desk.lineFails("TILL CLOSE POS1 counted=1", as: "clerk1") == .STATE)
        #expect(desk.lineFails("SALE S2 location=STORE1 A100:1 till=POS1", as: "clerk1") == .STATE)
        // A refund at a till closed since: STATE, until an open one is named.
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        #expect(desk.lineFails("APPROVE R000001 till=POS1", as: "sup1") == .STATE)
        desk.lineOK("TILL OPEN POS2 location=STORE1 float=50.00", as: "clerk1")
        #expect(desk.lineOK("APPROVE R000001 till=POS2", as: "sup1")["refund"] == "cash:25.00")
        let list = desk.lineOK("TILL LIST location=STORE1", as: "fin1")
        #expect(list["count"] == "2" && list.lines.map { $0[0].value } == ["T000002", "T000001"])
        #expect(desk.lineOK("TILL SHOW session=T000002", as: "aud1")["expected"] == "25.00")
        // Each session's cash is the sum of the sales and refunds that name it, not a running tally alone.
        for s in desk.ledger.tillSessions {
            let taken = desk.ledger.orders.values.filter { $0.session == s.number }.reduce(Int64(0)) { $0 + Tender.sum($1.tenders, of: .cash) }
            let handedBack = desk.ledger.returns.filter { $0.session == s.number }.reduce(Int64(0)) { $0 + Tender.sum($1.refundParts, of: .cash) }
            #expect(s.taken[0] == taken && s.refunded[0] == handedBack, "\(s.id)")
        }
        desk.expectReplays()
    }

    @Test func storeCreditIsLotsSpentSoonestExpiringFirst() {
        var desk = TillTests.desk()
        desk.lineOK("POLICY SET credit_days=30")
        desk.lineOK("RETURN - A100:2 location=STORE1 customer=C1 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000001", as: "sup1")                                      // lot of 50.00, 30 days
        desk.lineOK("POLICY SET credit_days=0")
        desk.lineOK("RETURN - A100:1 location=STORE1 customer=C1 reason=DEFECTIVE", as: "clerk1")
        let approved = desk.lineOK("APPROVE R000002", as: "sup1")                       // 25.00, never expires
        #expect(approved["refund"] == "credit:25.00")
        var credit = desk.ok(.credit(party: "C1"))
        #expect(credit["available"] == "75.00" && credit["balance"] == "-75.00" && credit.lines.count == 2)
        #expect(desk.ok(.balance(party: "C1"), as: "fin1")["credit"] == "75.00")
        #expect(desk.lineFails("SALE S1 location=STORE1 customer=C1 A100:4 tender=credit:100.00", as: "clerk1") == .CREDIT)
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:3 tender=credit:60.00,cash:15.00 till=POS1", as: "clerk1")
        credit = desk.ok(.credit(party: "C1"))
        // The 30-day lot first (50.00), then 10.00 of the never-expiring one.
        #expect(credit.lines.map { $0[3].value } == ["0.00", "15.00"] && credit["available"] == "15.00")
        #expect(credit.lines.map { $0[5].value } == ["spent", "active"])
        #expect(desk.ledger.openCreditLots == 1)  // INFO's credit_lots=
        // 31 days on, nothing has expired that is left (the first lot was spent).
        desk.now.seconds += 31 * 86_400
        #expect(desk.ok(.credit(party: "C1"))["expired"] == "0.00")
        // Available never above what the account owes: money paid out draws the lots.
        desk.ok(.payment(party: "C1", amount: m("10.00"), direction: .out, note: ""), as: "fin1")
        credit = desk.ok(.credit(party: "C1"))
        #expect(credit["available"] == "5.00" && credit["balance"] == "-5.00")
        desk.expectReplays()
    }

    @Test func creditLotsExpireLazily() {
        var desk = TillTests.desk()
        desk.lineOK("POLICY SET credit_days=1")
        desk.lineOK("RETURN - A100:1 location=STORE1 customer=C2 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000001", as: "sup1")
        desk.now.seconds += 86_400
        let credit = desk.ok(.credit(party: "C2"))
        #expect(credit["available"] == "0.00" && credit["expired"] == "25.00" && credit.lines[0][5].value == "expired")
        #expect(desk.lineFails("SALE S1 location=STORE1 customer=C2 A100:1 tender=credit:1.00,cash:24.00", as: "clerk1") == .CREDIT)
        #expect(desk.fails(.credit(party: "S1")) == .NOT_FOUND)
    }

    @Test func anExchangesDueIsPaidByItsTenders() {
        var desk = TillTests.desk()
        // The headphones and the tea handed over are on hand at the store (section 22.3).
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S1 B300:1 C400:1", as: "clerk1")
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2 tender=card:50.00#4242 till=POS1", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE exchange=B300:1", as: "clerk1")          // due 59 − 25 = 34
        #expect(desk.lineFails("APPROVE R000001 tender=card:30.00#4242", as: "sup1") == .TENDER)
        let approved = desk.lineOK("APPROVE R000001 tender=card:34.00#4242 till=POS1", as: "sup1")
        #expect(approved["due"] == "34.00" && approved["refund"] == "" && approved["tender"] == "card:34.00#4242")
        #expect(desk.ledger.orders["X-R000001"]!.tenders == [Tender(.card, m("59.00"), ref: "4242")])
        #expect(desk.balance("C1") == "0.00")
        // A cheaper exchange hands the change back from the parts.
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE exchange=C400:1", as: "clerk1")           // due 6.50 − 25 = −18.50
        #expect(desk.lineFails("APPROVE R000002 tender=cash:1.00", as: "sup1") == .INVALID)
        #expect(desk.lineOK("APPROVE R000002 till=POS1", as: "sup1")["refund"] == "card:18.50#4242")
        #expect(desk.balance("C1") == "0.00")
    }

    @Test func offlineAndCrossStoreReturns() {
        var desk = TillTests.desk()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:4", as: "clerk1")
        desk.now.seconds += 3600
        #expect(desk.lineFails("RETURN S1 A100:1 reason=DEFECTIVE at=2026-11-29T10:30:00Z", as: "clerk1") == .SYNTAX)
        #expect(desk.lineFails("RETURN S1 A100:1 reason=DEFECTIVE at=2026-11-29T12:00:00Z key=o1", as: "clerk1") == .INVALID)
        #expect(desk.lineFails("RETURN S1 A100:1 reason=DEFECTIVE at=2026-11-29T09:00:00Z key=o1", as: "clerk1") == .INVALID)
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE at=2026-11-29T10:30:00Z key=o1", as: "clerk1")
        let show = desk.ok(.show(id: "R000001"))
        #expect(show["late"] == "yes" && show["taken_at"] == "2026-11-29T10:30:00Z" && show["filed_at"] == "2026-11-29T11:00:00Z")
        desk.lineOK("POLICY SET offline_hours=1")
        desk.now.seconds += 7200
        #expect(desk.lineFails("RETURN S1 A100:1 reason=DEFECTIVE at=2026-11-29T10:30:00Z key=o2", as: "clerk1") == .INVALID)
        // Another store takes the goods back, unless the shop says no.
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE location=STORE2", as: "clerk1")
        desk.lineOK("POLICY SET cross_store=no")
        #expect(desk.lineFails("RETURN S1 A100:1 reason=DEFECTIVE location=STORE2", as: "clerk1") == .INVALID)
        #expect(desk.ok(.policyShow)["cross_store"] == "no")
    }
}

/// An approval's tenders keep the charges apart only when they differ from the parts' amounts.
@Suite struct TenderMovesTests {
    @Test func chargesReadBackWhetherKeptOrDerived() {
        let cash = Tender(.cash, m("5.00")), card = Tender(.card, m("3.00"), ref: "1234")
        let cases: [([Tender], [Money])] = [
            ([cash], [m("5.00")]),                      // one tender refunded as paid: derived
            ([cash, card], [m("5.00"), m("3.00")]),     // split the same way: derived
            ([cash], [m("3.00"), m("2.00")]),           // two sale tenders, one part: kept
            ([cash, card], [m("3.00"), m("5.00")]),     // other order: kept
            ([cash], []),                               // none charged: kept (empty)
            ([], [m("1.00")]),
            ([], []),
        ]
        for (parts, charges) in cases {
            let moves = TenderMoves(parts: parts, charges: charges, session: 3)
            #expect(moves.parts == parts && moves.charges == charges && moves.session == 3, "\(parts) \(charges)")
            #expect(moves == TenderMoves(parts: parts, charges: charges, session: 3))
            #expect(moves != TenderMoves(parts: parts, charges: charges + [m("0.01")], session: 3))
        }
    }
}

/// A tender list's text, written into one buffer, is byte for byte what the parts' descriptions
/// joined by commas were, for any kinds, amounts (Int64's extremes too) and references.
@Suite struct TenderTextTests {
    static func joined(_ tenders: [Tender]) -> String {
        tenders.map { "\($0.kind.rawValue):\($0.amount)" + ($0.ref.isEmpty ? "" : "#" + $0.ref) }.joined(separator: ",")
    }

    @Test func isThePartsJoined() {
        var random = SeededGenerator(seed: testSeed("TenderTextTests.isThePartsJoined"))
        let refLetters = Array("abcXYZ0189._-")
        for round in 0..<2_000 {
            let tenders = (0..<Int.random(in: 0...4, using: &random)).map { _ -> Tender in
                let kind = TenderKind.allCases[Int.random(in: 0..<4, using: &random)]
                let minor: Int64 = switch Int.random(in: 0..<4, using: &random) {
                case 0: .max
                case 1: .min + 1
                case 2: Int64.random(in: -1_000...1_000, using: &random)
                default: Int64.random(in: .min / 2 ... .max / 2, using: &random)
                }
                let ref = String((0..<(Int.random(in: 0...2, using: &random) == 0 ? 64 : Int.random(in: 0...6, using: &random)))
                    .map { _ in refLetters[Int.random(in: 0..<refLetters.count, using: &random)] })
                return Tender(kind, Money(minor: minor), ref: ref)
            }
            let text = Tender.text(tenders)
            #expect(text == Self.joined(tenders), "round \(round)")
            if text != Self.joined(tenders) { return }
            if let first = tenders.first { #expect(first.description == Self.joined([first])) }
        }
        #expect(Tender.text([]) == "")
        #expect(Tender(.card, Money(minor: 600), ref: "4242").description == "card:6.00#4242")
    }
}
