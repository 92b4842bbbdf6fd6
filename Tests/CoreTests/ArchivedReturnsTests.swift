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
        desk.ledger.archiveReach = ArchiveReach(desk.archived)
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
    }
}
