import ReturnLedgerCore
import Testing

/// Paging: LIST pages with `before=` and `next=`, by party and by order; AUDIT pages with
/// `after=`. Each page is a cursor away from the next, and a walk visits every match once.
@Suite struct PagingTests {
    /// 60 returns: C1's on S1, C2's on S2, walk-ins on S3, in turn; every fifth rejected.
    static func history() -> Desk {
        var desk = Desk.shop()
        desk.ok(Desk.sale("S1", customer: "C1", item("C400", 100)))
        desk.ok(Desk.sale("S2", customer: "C2", item("C400", 100)))
        desk.ok(Desk.sale("S3", at: "STORE2", item("C400", 100)))
        for i in 0..<60 {
            desk.ok(Desk.ret(["S1", "S2", "S3"][i % 3], item("C400", 1)), as: "clerk1")
            if i % 5 == 4 { desk.ok(.reject(id: ReturnRequest.id(i + 1), note: "no"), as: "sup1") }
        }
        return desk
    }

    /// Follows `next=` from the first page to the end; the ids seen, in order.
    static func walk(_ desk: inout Desk, _ filter: ReturnFilter, as user: String = "admin") -> [String] {
        var seen: [String] = []
        var page = filter
        for _ in 0..<1000 {
            let reply = desk.ok(.list(page), as: user)
            seen += reply.lines.map { $0[0].value }
            #expect(Int(reply["count"]!) == reply.lines.count)
            guard let next = reply["next"], !next.isEmpty else { return seen }
            #expect(next == seen.last)
            page.before = next
        }
        Issue.record("no end")
        return seen
    }

    @Test(arguments: [ReturnFilter(limit: 7), ReturnFilter(limit: 7, party: "C1"), ReturnFilter(limit: 4, order: "S2"),
                      ReturnFilter(state: .pending, limit: 5), ReturnFilter(state: .rejected, limit: 3, party: "C2"),
                      ReturnFilter(location: "STORE2", limit: 60), ReturnFilter(limit: 1, party: "C1", order: "S2")])
    func walkingThePagesVisitsEachMatchOnce(_ filter: ReturnFilter) {
        var desk = PagingTests.history()
        let everything = desk.ok(.list(ReturnFilter(state: filter.state, location: filter.location, limit: 1000,
                                                    party: filter.party, order: filter.order)))
        let expected = everything.lines.map { $0[0].value }
        let seen = PagingTests.walk(&desk, filter)
        #expect(seen == expected)
        #expect(Set(seen).count == seen.count)
        #expect(everything["total"] == String(expected.count) && everything["next"] == "")
        #expect(desk.ok(.list(filter))["total"] == String(expected.count))
    }

    @Test func nextIsEmptyExactlyWhenNothingFollows() {
        var desk = PagingTests.history()
        // 20 returns of C1: a page of 20 is the last, a page of 19 is not.
        #expect(desk.ok(.list(ReturnFilter(limit: 20, party: "C1")))["next"] == "")
        #expect(desk.ok(.list(ReturnFilter(limit: 19, party: "C1")))["next"] == "R000004")
        #expect(desk.ok(.list(ReturnFilter(limit: 60)))["next"] == "")
        #expect(desk.ok(.list(ReturnFilter(limit: 59)))["next"] == "R000002")
        // Before the first return there is nothing; an unknown cursor is NOT_FOUND.
        let empty = desk.ok(.list(ReturnFilter(before: "R000001")))
        #expect(empty.lines.isEmpty && empty["next"] == "" && empty["count"] == "0")
        #expect(desk.fails(.list(ReturnFilter(before: "R000999"))) == .NOT_FOUND)
        #expect(desk.fails(.list(ReturnFilter(before: "X1"))) == .NOT_FOUND)
        // The status line's order: count, next, total.
        #expect(desk.ok(.list(ReturnFilter(limit: 2))).status.map(\.key) == ["count", "next", "total"])
    }

    @Test func aScopedUsersPagesHoldOnlyItsStores() {
        var desk = PagingTests.history()
        desk.ok(.userScope(name: "clerk2", locations: .only(["STORE2"])))
        let seen = PagingTests.walk(&desk, ReturnFilter(limit: 6), as: "clerk2")
        #expect(seen.count == 20 && seen.allSatisfy { (try? desk.ledger.returnRequest($0))?.location == "STORE2" })
        // The cursor is not checked against scope: a STORE1 return's id is a fine place to start.
        #expect(desk.ok(.list(ReturnFilter(limit: 100, before: "R000059")), as: "clerk2").lines.count == 19)
    }

    @Test func auditPagesFollowTheTrail() {
        var desk = PagingTests.history()
        let all = desk.ledger.audit.count
        var seen: [Int] = []
        var after = 0
        for _ in 0..<1000 {
            let reply = desk.ok(.audit(user: nil, from: nil, after: after, limit: 25))
            seen += reply.lines.map { Int($0[0].value)! }
            guard let next = reply["next"], !next.isEmpty else { break }
            after = Int(next)!
        }
        #expect(seen == Array(1...all))
        // With a user: that user's entries only, and next= empty once none follows.
        let sup = desk.ok(.audit(user: "sup1", from: nil, after: 0, limit: 100))
        #expect(sup.lines.count == 12 && sup["next"] == "")
        let first = desk.ok(.audit(user: "sup1", from: nil, after: 0, limit: 11))
        #expect(first["next"] == first.lines.last![0].value)
        // The newest page (no after=, no from=) has nothing after it.
        #expect(desk.ok(.audit(user: nil, from: nil, limit: 5))["next"] == "")
        #expect(desk.ok(.audit(user: nil, from: nil, after: all, limit: 5)).lines.isEmpty)
    }
}
