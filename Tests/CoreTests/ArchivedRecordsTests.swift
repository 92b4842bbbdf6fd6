@testable import ReturnLedgerCore
import Testing

/// What an archived record answers and refuses (protocol.md, Years of history): the same replies
/// with `archive=` at the end, a brought-forward line on BALANCE, no change to it ever again.
@Suite struct ArchivedRecordsTests {
    static let nov29 = ArchiveSelectionTests.nov29

    /// Day 1: a customer's sale returned in full and refunded in cash (finished: the order has
    /// nothing left to return); a supplier's purchase. Then two days later, the day closed.
    static func closedDay() -> Desk {
        var desk = ArchiveSelectionTests.day1()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2", as: "clerk1")
        desk.lineOK("RETURN S1 A100:2 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000001", as: "sup1")
        desk.now.seconds += 2 * 86_400
        desk.lineOK("PERIOD CLOSE 2026-11-29", as: "fin1")
        return desk
    }

    @Test func archivedRecordsAnswerAsBeforeNamingTheirArchive() throws {
        var desk = Self.closedDay()
        let show = desk.ok(.show(id: "R000001")), order = desk.ok(.order(id: "S1"))
        let doc = desk.ok(.doc(number: desk.ledger.returns[0].doc))
        #expect(show.status.last == Field("archive", "") && order.status.last == Field("archive", ""))
        let entry = desk.archive(through: Self.nov29)
        #expect(entry.taken.returns == [1] && entry.taken.orders.contains("S1"), "\(entry.taken)")
        let archived = Field("archive", entry.name)
        for (before, after) in [(show, desk.ok(.show(id: "R000001"))), (order, desk.ok(.order(id: "S1"))),
                                (doc, desk.ok(.doc(number: desk.ledger.returns[0].doc)))] {
            #expect(after.status == before.status.dropLast() + [archived])
            #expect(after.lines == before.lines)
        }
        let list = desk.ok(.list(ReturnFilter()))
        #expect(list.lines.first?.last == archived)
        desk.expectReplays()
    }

    @Test func balanceBringsArchivedEntriesForwardAsOneLine() throws {
        var desk = Self.closedDay()
        desk.lineOK("PAYMENT C1 amount=10.00 direction=in", as: "fin1")  // live: after the close
        let before = desk.ok(.balance(party: "C1"))
        _ = desk.archive(through: Self.nov29)
        let after = desk.ok(.balance(party: "C1"))
        #expect(after.status == before.status, "the balance and credit are unchanged")
        let forward = try #require(after.lines.first)
        #expect(forward[1] == Field("kind", "brought_forward") && forward[2] == Field("doc", ""))
        // The archived entries were the sale and its credit note: 50.00 - 50.00.
        #expect(forward[3] == Field("amount", "0.00") && forward[4] == Field("balance", "0.00"))
        #expect(after.lines.count == 2 && after.lines[1][1] == Field("kind", "payment"))
        #expect(after.lines.last?.last == before.lines.last?.last, "the same final running balance")
    }

    @Test func anArchivedReturnNeverChanges() {
        var desk = Self.closedDay()
        _ = desk.archive(through: Self.nov29)
        guard case .failure(let error) = desk.line("VOID R000001 reason=DEFECTIVE note=late", as: "sup2") else {
            Issue.record("VOID of an archived return went through"); return
        }
        #expect(error.code == .STATE && error.message.contains("archived"), "\(error.message)")
        // A re-sent APPROVE still answers as before.
        #expect(desk.line("APPROVE R000001", as: "sup1").map { $0.status.last } == .success(Field("existed", "yes")))
    }

    /// `purchases=all` takes a purchase with goods still returnable: a supplier return against it
    /// is EXPIRED, even with an override (it would go through if the purchase were live).
    @Test func aReturnAgainstAnArchivedOrderIsExpired() {
        var desk = Self.closedDay()
        _ = desk.archive(through: Self.nov29, all: true)
        #expect(desk.ledger.archive(ofOrder: "P1") != nil)
        guard case .failure(let error) = desk.line("RETURN P1 C400:1 reason=DEFECTIVE override=yes", as: "sup1") else {
            Issue.record("a return against an archived purchase went through"); return
        }
        #expect(error.code == .EXPIRED && error.message.contains("archived"), "\(error.message)")
        // Checks before EXPIRED answer as before.
        #expect(desk.line("RETURN P1 C400:99 reason=DEFECTIVE", as: "sup1").errorCode == .EXCEEDS)
    }

    /// Archived returns count toward no customer limit, even after the limit's window grows to
    /// cover them again.
    @Test func archivedReturnsCountTowardNoLimit() {
        var desk = ArchiveSelectionTests.day1()
        desk.lineOK("POLICY SET customer_returns=1 customer_days=30")
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000001", as: "sup1")
        desk.now.seconds += 31 * 86_400
        desk.lineOK("PERIOD CLOSE 2026-11-29", as: "fin1")
        let entry = desk.archive(through: Self.nov29)
        #expect(entry.taken.returns == [1])
        desk.lineOK("POLICY SET customer_returns=1 customer_days=60")
        desk.lineOK("SALE S2 location=STORE1 customer=C1 A100:1", as: "clerk1")
        desk.lineOK("RETURN S2 A100:1 reason=DEFECTIVE", as: "clerk1")
    }

    @Test func creditLeavesArchivedLotsOut() throws {
        var desk = ArchiveSelectionTests.day1()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2", as: "clerk1")
        desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE", as: "clerk1")
        desk.lineOK("APPROVE R000001 refund=credit", as: "sup1")
        desk.lineOK("SALE S2 location=STORE1 customer=C1 A100:1 tender=credit:25.00", as: "clerk1")
        desk.now.seconds += 2 * 86_400
        desk.lineOK("PERIOD CLOSE 2026-11-29", as: "fin1")
        let before = desk.ok(.credit(party: "C1"))
        #expect(before.lines.count == 1)
        let entry = desk.archive(through: Self.nov29)
        #expect(entry.taken.lots["C1"]?.count == 1)
        let after = desk.ok(.credit(party: "C1"))
        #expect(after.lines.isEmpty && after.status == before.status)
    }

    /// The commit's check: a change after the state copy to a record the archive took fails it.
    @Test func touchesFindARecordThatChangedAfterTheCopy() {
        var desk = Self.closedDay()
        let selection = desk.ledger.archiveSelection(through: Self.nov29, purchasesAll: true, at: desk.now)
        var touches = ArchiveTouches()
        #expect(touches.conflict(with: selection, in: desk.ledger) == nil)
        // A new return against a purchase it took (P1: purchases=all).
        desk.now.seconds += 60
        let mark = desk.events.count
        desk.lineOK("RETURN P1 C400:1 reason=DEFECTIVE", as: "sup1")
        for event in desk.events[mark...] { touches.note(event) }
        #expect(touches.conflict(with: selection, in: desk.ledger) == "order P1")
        // Its own return changed.
        var voided = ArchiveTouches()
        voided.returns.insert(1)
        #expect(voided.conflict(with: selection, in: desk.ledger) == "R000001")
        // A return of P1 itself (R000002, filed above) touches P1.
        var ofP1 = ArchiveTouches()
        ofP1.returns.insert(2)
        #expect(ofP1.conflict(with: selection, in: desk.ledger) == "order P1", "R000002 is P1's")
        // An order and a lot it did not take: no conflict.
        var unrelated = ArchiveTouches()
        unrelated.orders.insert("S9")
        unrelated.lots.insert("RT-00000000-0009")
        #expect(unrelated.conflict(with: selection, in: desk.ledger) == nil)
    }
}

/// Section 23's memory model for notices: those an archive took leave memory a chunk (1,024) at a
/// time, and NOTICES reads them back (everyone's a chunk at a time, a party's through its
/// archives' party index): the same answers; without a way to the archives, `ERR ARCHIVE`.
@Suite struct ArchivedNoticesTests {
    @Test func archivedNoticesLeaveMemoryAndNoticesReadsThemBack() throws {
        var desk = Desk.shop()
        let day = Timestamp(parsing: "2026-11-02T10:00:00Z")!
        for n in 1...2_600 {
            let at = Timestamp(seconds: day.seconds + Int64(n / 1_000) * Timestamp.secondsPerDay)
            desk.ledger.notices.append(Notice(number: n, at: at, party: n % 3 == 0 ? "C2" : "C1", kind: n % 5 == 0 ? .credit_note : .refund,
                                              doc: "RT-20261102-\(n)", amount: Money(minor: Int64(n)), returnNumber: n, order: "S\(n)"))
        }
        let queries: [Query] = [.notices(party: nil, from: nil), .notices(party: "C2", from: nil), .notices(party: "C1", from: CivilDate(year: 2026, month: 11, day: 3)),
                                .notices(party: nil, from: CivilDate(year: 2026, month: 11, day: 4)), .notices(party: "S1", from: nil)]
        let before = queries.map { desk.ok($0) }
        #expect(before[0].lines.count == 2_600 && before[1].lines.count == 866)
        var taken = ArchiveSelection()
        taken.notices = IDRuns(runs: [1...2_100])  // dated up to 11-04 (a thousand a day)
        let entry = ArchiveEntry(name: "archive-20261104-0001", through: CivilDate(year: 2026, month: 11, day: 4), number: 1, takenAt: desk.now,
                                 purchasesAll: false, counts: ArchiveCounts(), bytes: 1, checksum: 1, seq: 1, taken: taken)
        desk.archived.keep(entry, from: desk.ledger)
        desk.ledger.apply(.archiveWritten(entry))
        // Notices 1...2,048 (chunks 0 and 1) left memory; 2,049...2,100 are archived but share a live chunk.
        #expect(desk.ledger.notices.heldCount == 2_600 - 2_048 && !desk.ledger.notices.isHeld(2_047) && desk.ledger.notices.isHeld(2_048))
        #expect(queries.map { desk.ok($0) } == before)
        // A read that cannot reach archives refuses rather than answer short.
        var blind = desk.ledger
        blind.archiveReach = ArchiveReach()
        #expect(throws: DomainError.self) { try blind.query(.notices(party: "C2", from: nil), Context(user: "admin", role: .admin, peer: "t", now: desk.now)) }
    }
}

/// Reads bounded by a date after an archive's `through` skip the chunks it released without
/// reading them back (a damaged old archive does not fail them); those reaching back read them.
@Suite struct ArchivedChunkSkipTests {
    @Test func aReadFromALaterDateNeedsNoArchive() throws {
        var desk = Desk.shop()
        let day1 = Timestamp(parsing: "2026-11-02T10:00:00Z")!, day2 = Timestamp(parsing: "2026-11-03T10:00:00Z")!
        for i in 0..<2_200 {
            desk.ledger.apply(.audited(AuditEntry(seq: desk.ledger.audit.count + 1, at: i < 2_100 ? day1 : day2, user: "u", peer: "p",
                                                  command: "STOCK", target: "", outcome: "ok")))
            desk.ledger.notices.append(Notice(number: i + 1, at: i < 2_100 ? day1 : day2, party: "C1", kind: .refund, doc: "",
                                              amount: Money(minor: 1), returnNumber: 1, order: "S1"))
        }
        var taken = ArchiveSelection()
        taken.audit = IDRuns(runs: [0...desk.ledger.audit.count - 101])  // all of day 1
        taken.notices = IDRuns(runs: [1...2_100])
        let entry = ArchiveEntry(name: "archive-20261102-0001", through: CivilDate(year: 2026, month: 11, day: 2), number: 1, takenAt: day2,
                                 purchasesAll: false, counts: ArchiveCounts(), bytes: 1, checksum: 1, seq: 1, taken: taken)
        desk.ledger.apply(.archiveWritten(entry))
        desk.ledger.archiveReach = ArchiveReach()
        #expect(!desk.ledger.audit.isHeld(0) && !desk.ledger.notices.isHeld(0))
        let context = Context(user: "admin", role: .admin, peer: "t", now: day2)
        // No way to the archive (as if it were damaged): reads from day 2 answer; reads reaching day 1 refuse.
        let from = CivilDate(year: 2026, month: 11, day: 3)
        let audit = try desk.ledger.query(.audit(user: nil, from: .date(from), after: nil, limit: 1_000), context)
        #expect(audit.lines.count == 100)
        #expect(try desk.ledger.query(.audit(user: nil, from: .time(day2), after: nil, limit: 1_000), context).lines.count == 100)
        #expect(try desk.ledger.query(.notices(party: nil, from: from), context).lines.count == 100)
        #expect(try desk.ledger.query(.notices(party: "C1", from: from), context).lines.count == 100)
        #expect(throws: DomainError.self) { try desk.ledger.query(.audit(user: nil, from: nil, after: 0, limit: 10), context) }
        #expect(throws: DomainError.self) { try desk.ledger.query(.notices(party: nil, from: nil), context) }
    }
}

/// Section 23's memory model for ledger entries: an account's archived entries leave memory a
/// chunk (1,024) at a time; BALANCE answers from the party's brought-forward sum kept in memory.
@Suite struct ArchivedEntriesTests {
    @Test func archivedEntriesLeaveMemoryAndBalanceBringsTheirSumForward() throws {
        var desk = Desk.shop()
        let day = Timestamp(parsing: "2026-11-02T10:00:00Z")!
        var running: Int64 = 0
        for n in 1...2_500 {
            running += Int64(n)
            desk.ledger.entries["C1", default: []].append(LedgerEntry(at: Timestamp(seconds: day.seconds + Int64(n)), kind: .sale, doc: "S\(n)",
                                                                      amount: Money(minor: Int64(n)), balance: Money(minor: running)))
        }
        desk.ledger.balances["C1"] = Money(minor: running)
        let before = desk.ok(.balance(party: "C1"))
        #expect(before.lines.count == 2_500)
        var taken = ArchiveSelection()
        taken.entries["C1"] = IDRuns(runs: [0...2_099])
        let entry = ArchiveEntry(name: "archive-20261103-0001", through: CivilDate(year: 2026, month: 11, day: 3), number: 1, takenAt: desk.now,
                                 purchasesAll: false, counts: ArchiveCounts(), bytes: 1, checksum: 1, seq: 1, taken: taken)
        let estimated = desk.ledger.estimatedBytes
        desk.ledger.apply(.archiveWritten(entry))
        // INFO's state_bytes no longer counts the entries that left memory (48 B each).
        #expect(desk.ledger.estimatedBytes == estimated - 2_048 * 48)
        let list = try #require(desk.ledger.entries["C1"])
        #expect(list.heldCount == 2_500 - 2_048 && !list.isHeld(2_047) && list.isHeld(2_048))
        // Entries 1...2,100 summed at the newest of them (2,100 * 2,101 / 2 minor units), then the live ones.
        #expect(desk.ledger.broughtForward["C1"] == BroughtForward(at: Timestamp(seconds: day.seconds + 2_100), amount: 2_206_050))
        let after = desk.ok(.balance(party: "C1"))
        let forward: [Field] = [Field("at", Timestamp(seconds: day.seconds + 2_100).description), Field("kind", "brought_forward"),
                                Field("doc", ""), Field("amount", "22060.50"), Field("balance", "22060.50")]
        #expect(after.status == before.status)
        #expect(after.lines == [forward] + before.lines[2_100...])
    }
}

extension Desk {
    /// What a committed ARCHIVE applies: its entry with the selection at `now`.
    @discardableResult
    mutating func archive(through: CivilDate, all: Bool = false) -> ArchiveEntry {
        let taken = ledger.archiveSelection(through: through, purchasesAll: all, at: now)
        let number = ledger.archives.count + 1
        let entry = ArchiveEntry(name: ArchiveEntry.name(through: through, number: number), through: through, number: number,
                                 takenAt: now, purchasesAll: all, counts: ArchiveCounts(), bytes: 1, checksum: 1, seq: 1, taken: taken)
        archived.keep(entry, from: ledger)
        ledger.apply(.archiveWritten(entry))
        events.append(.archiveWritten(entry))
        return entry
    }
}

extension Result where Failure == DomainError {
    var errorCode: DomainError.Code? { if case .failure(let e) = self { e.code } else { nil } }
}
