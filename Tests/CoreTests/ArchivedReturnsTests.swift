@testable import ReturnLedgerCore
import Testing

/// Section 23's memory model for returns: a chunk (1,024) of returns that archives took leaves
/// memory; every read answers as before (SHOW, DOC, ORDER, LIST with each filter, STATS, VERIFY)
/// by reading them back, a change naming one answers or refuses as before, and without a way
/// to the archives a read that needs one is `ERR ARCHIVE`, never a trap.
@Suite struct ArchivedReturnsTests {
    /// 1,100 returns of one unit on one customer's sale, filed on 2026-11-29 (every seventh
    /// rejected, the rest approved), then the day closed two days later.
    static func busyDay() -> Desk {
        var desk = Desk.shop()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:1100", as: "clerk1")
        for i in 1...1_100 {
            let id = desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE key=k\(i)", as: "clerk1").status[0].value
            desk.lineOK(i % 7 == 0 ? "REJECT \(id) note=no" : "APPROVE \(id)", as: "sup1")
        }
        desk.now.seconds += 2 * 86_400
        desk.lineOK("PERIOD CLOSE 2026-11-29", as: "fin1")
        return desk
    }

    static let reads: [Query] = [
        .show(id: "R000001"), .show(id: "R000007"), .show(id: "R000500"), .show(id: "R001100"), .order(id: "S1"),
        .list(ReturnFilter(limit: 5)), .list(ReturnFilter(limit: 5, before: "R000900")),
        .list(ReturnFilter(state: .rejected, limit: 4)), .list(ReturnFilter(location: "STORE1", limit: 3, before: "R001030")),
        .list(ReturnFilter(limit: 3, party: "C1", order: "S1", before: "R000700")), .list(ReturnFilter(limit: 2, party: "C1")),
        .stats(StatsQuery()), .stats(StatsQuery(by: .disposition)), .stats(StatsQuery(by: .reason)), .verify(from: nil),
    ]

    /// A reply without its `archive=` fields (what ARCHIVE adds to a line).
    static func unarchived(_ reply: Reply) -> Reply {
        Reply(status: reply.status.filter { $0.key != "archive" }, lines: reply.lines.map { $0.filter { $0.key != "archive" } })
    }

    @Test func archivedReturnsLeaveMemoryAndEveryReadAnswersAsBefore() throws {
        var desk = Self.busyDay()
        let doc = desk.ledger.returns[1].doc
        let before = (Self.reads + [.doc(number: doc)]).map { Self.unarchived(desk.ok($0)) }
        let entry = desk.archive(through: ArchivedRecordsTests.nov29)
        #expect(entry.taken.returns == IDRuns(runs: [1...1_100]))
        // The first chunk left memory; the last (returns 1,025 to 1,100) is still filling.
        #expect(desk.ledger.returns.releasedChunks == IDRuns(runs: [0...0]) && desk.ledger.returns.heldCount == 76)
        let after = (Self.reads + [.doc(number: doc)]).map { Self.unarchived(desk.ok($0)) }
        for (query, (a, b)) in zip(Self.reads + [.doc(number: doc)], zip(before, after)) { #expect(a == b, "\(query)") }
        #expect(desk.ok(.show(id: "R000500")).status.last == Field("archive", entry.name))

        // Changes: a re-sent APPROVE and RETURN key= answer as before; others refuse.
        #expect(desk.line("APPROVE R000002", as: "sup1").map { $0.status.last } == .success(Field("existed", "yes")))
        let again = desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE key=k2", as: "clerk1")
        #expect(again.status.first == Field("id", "R000002") && again.status.last == Field("existed", "yes"))
        #expect(desk.line("RETURN S1 A100:2 reason=DEFECTIVE key=k2", as: "clerk1").errorCode == .CONFLICT)
        #expect(desk.line("VOID R000002 reason=DEFECTIVE note=late", as: "sup2").errorCode == .STATE)
        #expect(desk.line("REJECT R000003 note=late", as: "sup2").errorCode == .STATE)
        #expect(desk.line("APPROVE R009999", as: "sup1").errorCode == .NOT_FOUND)
        // Scope is checked on the row, before any read back.
        desk.ok(.userScope(name: "clerk2", locations: .only(["STORE2"])))
        #expect(desk.run(.show(id: "R000002"), as: "clerk2").errorCode == .DENIED)
        desk.expectReplays()

        // No way to the archive: reads of archived returns refuse; those of held ones answer.
        desk.ledger.archiveReach = ArchiveReach()
        for query: Query in [.show(id: "R000002"), .doc(number: doc), .verify(from: nil), .stats(StatsQuery(by: .disposition))] {
            #expect(desk.run(query).errorCode == .ARCHIVE, "\(query)")
        }
        // ORDER of plain lines needs no return (what was returned is on its lines).
        #expect(Self.unarchived(desk.ok(.order(id: "S1"))) == before[4])
        #expect(desk.line("APPROVE R000002", as: "sup1").errorCode == .ARCHIVE)
        #expect(Self.unarchived(desk.ok(.show(id: "R001100"))) == before[3])
        #expect(desk.ok(.list(ReturnFilter(limit: 5))).lines.count == 5)
        #expect(desk.run(.list(ReturnFilter(limit: 5, before: "R000500"))).errorCode == .ARCHIVE, "a page of archived returns")
        // Scope is checked on the row before anything is read back: out of scope is DENIED, not ARCHIVE.
        desk.ok(.userScope(name: "sup2", locations: .only(["STORE2"])))
        #expect(desk.run(.inspect(id: "R000002", disposition: .restock, note: ""), as: "sup2").errorCode == .DENIED)
        #expect(desk.line("APPROVE R000002", as: "sup2").errorCode == .DENIED)
    }

    /// STATS `by=disposition|supplier` works an archive's share out once, by filing day and
    /// location, and keeps it (an archived return never changes): later ones, filtered or not,
    /// answer as before without reading anything back, also after a change of business zone.
    /// A LIST that costs its page runs on the writer only when its page holds no return that
    /// left memory (reading one back is file I/O, off the writer).
    @Test func aListReachingAnArchivedReturnGoesOffTheWriter() throws {
        var desk = Self.busyDay()
        _ = desk.archive(through: ArchivedRecordsTests.nov29)
        desk.lineOK("SALE S2 location=STORE1 customer=C2 A100:3", as: "clerk1")
        _ = desk.lineOK("RETURN S2 A100:1 reason=DEFECTIVE key=s2-1", as: "clerk1")
        // Returns 1 to 1,024 left memory; 1,025 to 1,101 are held.
        #expect(!desk.ledger.readsArchivedReturns(.list(ReturnFilter(limit: 20))), "the newest are held")
        #expect(!desk.ledger.readsArchivedReturns(.list(ReturnFilter(limit: 75))))
        #expect(desk.ledger.readsArchivedReturns(.list(ReturnFilter(limit: 100))), "the page reaches return 1,001")
        #expect(!desk.ledger.readsArchivedReturns(.list(ReturnFilter(state: .pending))), "open returns are never archived")
        #expect(!desk.ledger.readsArchivedReturns(.list(ReturnFilter(order: "S2"))))
        #expect(desk.ledger.readsArchivedReturns(.list(ReturnFilter(order: "S1"))))
        #expect(desk.ledger.readsArchivedReturns(.list(ReturnFilter(limit: 5, before: "R001100"))), "an older page")
        #expect(desk.ledger.readsArchivedReturns(.list(ReturnFilter(party: "C2"))), "a party's returns lie anywhere")
        #expect(desk.ledger.readsArchivedReturns(.list(ReturnFilter(state: .approved, limit: 5))), "a filtered walk")
        // Without the archives' source, what the writer would answer is answered from memory.
        desk.ledger.archiveReach = ArchiveReach()
        #expect(desk.ok(.list(ReturnFilter(limit: 20))).lines.count == 20)
        #expect(desk.ok(.list(ReturnFilter(state: .pending))).lines.count == 1)
    }

    @Test func anArchivesShareOfHeldStatsIsWorkedOutOnceAndKept() throws {
        var desk = Self.busyDay()
        let nov30 = CivilDate(daysSinceEpoch: ArchivedRecordsTests.nov29.daysSinceEpoch + 1)
        let queries: [StatsQuery] = [StatsQuery(by: .disposition), StatsQuery(by: .supplier),
                                     StatsQuery(from: nov30, by: .disposition), StatsQuery(to: ArchivedRecordsTests.nov29, by: .disposition),
                                     StatsQuery(by: .disposition, location: "STORE1"), StatsQuery(by: .disposition, location: "STORE2")]
        let before = queries.map { desk.ok(.stats($0)) }
        #expect(before[0].lines.first?.first == Field("disposition", "none") && before[2].lines.isEmpty && before[5].lines.isEmpty)
        _ = desk.archive(through: ArchivedRecordsTests.nov29)
        #expect(desk.ledger.returns.releasedChunks == IDRuns(runs: [0...0]))
        #expect(desk.ledger.archiveReach.heldTotals.count == 0)
        for (query, expected) in zip(queries, before) { #expect(desk.ok(.stats(query)) == expected, "\(query)") }
        #expect(desk.ledger.archiveReach.heldTotals.count == 1)
        // Nothing can be read back now: the kept share answers.
        desk.ledger.archiveReach.source = nil
        for (query, expected) in zip(queries, before) { #expect(desk.ok(.stats(query)) == expected, "\(query)") }
        // Another zone from now on moves no archived return's day: the kept share still answers.
        desk.ok(.policySet(PolicyChange(timezone: BusinessZone.named("Asia/Shanghai")!)))
        for (query, expected) in zip(queries, before) { #expect(desk.ok(.stats(query)) == expected, "\(query)") }
        // Nothing kept and nothing to read: an archive wholly before the window is passed; one in
        // it is read back as before (only the blocks holding an approved return in scope), so
        // STORE2's STATS answers and the whole history's is ERR ARCHIVE.
        desk.ledger.archiveReach = ArchiveReach()
        #expect(desk.ok(.stats(queries[2])) == before[2])
        // A window that ends before it starts holds nothing (and reads nothing back).
        let dayBefore = CivilDate(daysSinceEpoch: ArchivedRecordsTests.nov29.daysSinceEpoch - 1)
        #expect(desk.ok(.stats(StatsQuery(from: ArchivedRecordsTests.nov29, to: dayBefore, by: .disposition))).lines.isEmpty)
        #expect(desk.ok(.stats(queries[5])) == before[5])
        #expect(desk.run(.stats(queries[0])).errorCode == .ARCHIVE)
    }

    /// A customer limit set after an ARCHIVE that took recent returns (none was set then): the
    /// walk passes archived returns (those that left memory on their rows) and still counts the
    /// held ones behind them: R000001, pending, in a block that stays (it is open).
    @Test func aLimitCountsHeldReturnsBehindReleasedOnes() {
        var desk = Desk.shop()
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:2100", as: "clerk1")
        desk.lineOK("SALE S2 location=STORE1 customer=C1 A100:5", as: "clerk1")
        desk.lineOK("RETURN S2 A100:1 reason=DEFECTIVE", as: "clerk1")  // R000001: stays pending
        for i in 2...2_060 {
            let id = desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE key=k\(i)", as: "clerk1").status[0].value
            desk.lineOK("APPROVE \(id)", as: "sup1")
        }
        desk.now.seconds += 86_400
        desk.lineOK("PERIOD CLOSE 2026-11-29", as: "fin1")
        _ = desk.archive(through: ArchivedRecordsTests.nov29)
        #expect(desk.ledger.returns.releasedChunks == IDRuns(runs: [1...1]), "returns 1,025 to 2,048 left memory")
        desk.lineOK("POLICY SET customer_returns=1 customer_days=30", as: "admin")
        #expect(desk.line("RETURN S2 A100:1 reason=DEFECTIVE", as: "clerk1").errorCode == .OVER_LIMIT)
    }

    /// A voided exchange whose return left memory: its sale is still marked voided when a
    /// state is loaded (the sale is found by its name, `X-` and the return's id).
    @Test func aVoidedExchangesSaleStaysVoidedWhenItsReturnLeftMemory() throws {
        var desk = Desk.shop()
        desk.lineOK("PURCHASE P1 location=STORE1 supplier=S1 A200:1", as: "clerk1")  // the toaster handed over
        desk.lineOK("SALE S1 location=STORE1 customer=C1 A100:1100", as: "clerk1")
        let id = desk.lineOK("RETURN S1 A100:1 reason=CHANGED_MIND exchange=A200:1", as: "clerk1").status[0].value
        desk.lineOK("APPROVE \(id) tender=cash:14.90", as: "sup1")
        desk.lineOK("VOID \(id) reason=DEFECTIVE note=wrong", as: "sup2")
        let sale = "X-" + id
        #expect(desk.ledger.orders[sale]?.voided == true)
        for i in 2...1_030 {
            let next = desk.lineOK("RETURN S1 A100:1 reason=DEFECTIVE key=k\(i)", as: "clerk1").status[0].value
            desk.lineOK("APPROVE \(next)", as: "sup1")
        }
        desk.now.seconds += 2 * 86_400
        desk.lineOK("PERIOD CLOSE 2026-11-29", as: "fin1")
        // The void left C1 a credit lot, so ARCHIVE leaves the voided return out until it is spent:
        // taken here as an archive would take it then.
        var taken = desk.ledger.archiveSelection(through: ArchivedRecordsTests.nov29, purchasesAll: false, at: desk.now)
        #expect(taken.returns == IDRuns(runs: [2...1_030]))
        taken.returns = IDRuns(runs: [1...1_030])
        let entry = ArchiveEntry(name: "archive-20261129-0001", through: ArchivedRecordsTests.nov29, number: 1, takenAt: desk.now,
                                 purchasesAll: false, counts: ArchiveCounts(), bytes: 1, checksum: 1, seq: 1, taken: taken)
        desk.archived.keep(entry, from: desk.ledger)
        desk.ledger.apply(.archiveWritten(entry))
        let released = desk.ledger.returns.releasedChunks
        try #require(released == IDRuns(runs: [0...0]), "the voided return left memory")
        var loaded = desk.ledger
        loaded.orders[sale]?.voided = false  // not stored: a load derives it
        loaded.rebuildIndexes(kept: true, chainKept: true)
        #expect(loaded.orders[sale]?.voided == true && loaded == desk.ledger)
    }
}
