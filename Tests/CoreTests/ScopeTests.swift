import ReturnLedgerCore
import Testing

/// Store scope: users scoped to stores act and read only there; DENIED comes after NOT_FOUND and
/// before every other domain error.
@Suite struct ScopeTests {
    /// A shop where `clerk9` and `sup9` work at STORE1 only, with one return filed at each store.
    static func scoped() -> Desk {
        var desk = Desk.shop()
        desk.ok(.userAdd(name: "clerk9", role: .clerk, passwordHash: "$y$x", locations: .only(["STORE1"])))
        desk.ok(.userAdd(name: "sup9", role: .supervisor, passwordHash: "$y$x", locations: .only(["STORE1"])))
        desk.ok(Desk.purchase("P1", at: "STORE1", item("A100", 20), item("B300", 5)))
        desk.ok(Desk.purchase("P2", at: "STORE2", item("A100", 20)))
        desk.ok(Desk.sale("S1", at: "STORE1", customer: "C1", item("A100", 4)))
        desk.ok(Desk.sale("S2", at: "STORE2", customer: "C1", item("A100", 4)))
        desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")   // R000001 at STORE1
        desk.ok(Desk.ret("S2", item("A100", 1)), as: "clerk1")   // R000002 at STORE2
        return desk
    }

    /// command × in scope / out of scope, for a user scoped to STORE1.
    static let table: [(name: String, user: String, inScope: ParsedCommand, outOfScope: ParsedCommand)] = [
        ("SALE", "clerk9", .change(Desk.sale("S9", at: "STORE1", item("A100", 1))), .change(Desk.sale("S8", at: "STORE2", item("A100", 1)))),
        ("PURCHASE", "clerk9", .change(Desk.purchase("P9", at: "STORE1", item("A100", 1))), .change(Desk.purchase("P8", at: "STORE2", item("A100", 1)))),
        ("RETURN", "clerk9", .change(Desk.ret("S1", item("A100", 1))), .change(Desk.ret("S2", item("A100", 1)))),
        ("RETURN location=", "clerk9", .change(Desk.ret("S2", item("A100", 1), location: "STORE1")), .change(Desk.ret("S1", item("A100", 1), location: "STORE2"))),
        ("APPROVE", "sup9", .change(.approve(id: "R000001", refund: nil, note: "")), .change(.approve(id: "R000002", refund: nil, note: ""))),
        ("REJECT", "sup9", .change(.reject(id: "R000001", note: "x")), .change(.reject(id: "R000002", note: "x"))),
        ("CANCEL", "sup9", .change(.cancel(id: "R000001")), .change(.cancel(id: "R000002"))),
        ("SHOW", "clerk9", .query(.show(id: "R000001")), .query(.show(id: "R000002"))),
        ("LIST location=", "clerk9", .query(.list(ReturnFilter(location: "STORE1"))), .query(.list(ReturnFilter(location: "STORE2")))),
        ("STATS location=", "sup9", .query(.stats(StatsQuery(location: "STORE1"))), .query(.stats(StatsQuery(location: "STORE2")))),
    ]

    @Test(arguments: 0..<table.count)
    func inScopeWorksAndOutOfScopeIsDenied(_ row: Int) {
        let (name, user, inScope, outOfScope) = ScopeTests.table[row]
        var desk = ScopeTests.scoped()
        let denied = desk.fails(outOfScope, as: user)
        #expect(denied == .DENIED, "\(name) out of scope: \(String(describing: denied))")
        var other = ScopeTests.scoped()
        let allowed = other.run(inScope, as: user)
        if case .failure(let error) = allowed { Issue.record("\(name) in scope: \(error.code) \(error.message)") }
        // The unscoped clerk1/sup1 may do the out-of-scope one.
        var unscoped = ScopeTests.scoped()
        #expect(unscoped.fails(outOfScope, as: user.hasPrefix("sup") ? "sup1" : "admin") != .DENIED, "\(name)")
    }

    @Test func deniedComesAfterNotFoundAndBeforeOtherErrors() {
        var desk = ScopeTests.scoped()
        #expect(desk.fails(.approve(id: "R000099", refund: nil, note: ""), as: "sup9") == .NOT_FOUND)
        #expect(desk.fails(Desk.sale("S7", at: "NOWHERE", item("A100", 1)), as: "clerk9") == .NOT_FOUND)
        // Out of scope and too many units: DENIED, not EXCEEDS.
        #expect(desk.fails(Desk.ret("S2", item("A100", 99)), as: "clerk9") == .DENIED)
        // Out of scope and a SKU (or batch) not on the order: NOT_FOUND, as an unscoped clerk is told.
        #expect(desk.fails(Desk.ret("S2", item("B300", 1)), as: "clerk9") == .NOT_FOUND)
        #expect(desk.fails(Desk.ret("S2", item("B300", 1)), as: "clerk1") == .NOT_FOUND)
        #expect(desk.fails(Desk.ret("S2", ItemSpec(sku: "A100", quantity: 1, batch: "L9")), as: "clerk9") == .NOT_FOUND)
        // Without a receipt, an unknown SKU is NOT_FOUND before the scope too.
        let unknown = ReturnFiling(order: "-", items: [item("Z999", 1)], reason: "DEFECTIVE", location: "STORE2", note: "",
                                   key: nil, customer: "C1")
        #expect(desk.fails(.fileReturn(unknown), as: "clerk9") == .NOT_FOUND)
        // Out of scope and filed by the same user would be SELF_APPROVAL: DENIED first.
        desk.ok(.userScope(name: "clerk1", locations: .only(["STORE2"])))
        #expect(desk.fails(.approve(id: "R000001", refund: nil, note: ""), as: "clerk1") == .DENIED)
    }

    @Test func listAndStatsOfAScopedUserCoverOnlyItsLocations() throws {
        var desk = ScopeTests.scoped()
        let mine = desk.ok(.list(ReturnFilter()), as: "clerk9")
        #expect(mine["count"] == "1")
        let all = desk.ok(.list(ReturnFilter()), as: "clerk1")
        #expect(all["count"] == "2" && all["total"] == "2")
        let page = desk.ok(.list(ReturnFilter(limit: 1)), as: "clerk1")
        #expect(page["count"] == "1" && page["total"] == "2")  // count: lines shown; total: all that match
        let pending = desk.ok(.list(ReturnFilter(state: .pending, limit: 1)), as: "clerk1")
        #expect(pending["count"] == "1" && pending["total"] == "2")  // a filter walks them all to count
        #expect(desk.ok(.list(ReturnFilter(limit: 1)), as: "clerk9")["total"] == "1")  // so does a scope
        #expect(desk.ok(.stats(StatsQuery()), as: "sup9")["filed"] == "1")
        #expect(desk.ok(.stats(StatsQuery()), as: "admin")["filed"] == "2")
        #expect(desk.ok(.stats(StatsQuery(location: "STORE2")), as: "admin")["filed"] == "1")
        #expect(desk.ok(.stats(StatsQuery(location: "WH1")), as: "admin")["filed"] == "0")
    }

    @Test func scopesNameKnownLocationsAndChangeAtOnce() {
        var desk = ScopeTests.scoped()
        #expect(desk.fails(.userAdd(name: "x", role: .clerk, passwordHash: "h", locations: .only(["MOON"]))) == .NOT_FOUND)
        #expect(desk.fails(.userScope(name: "nobody", locations: .everywhere)) == .NOT_FOUND)
        #expect(desk.fails(.userScope(name: "clerk9", locations: .only(["STORE1", "MOON"]))) == .NOT_FOUND)
        let reply = desk.ok(.userScope(name: "clerk9", locations: .only(["STORE2", "STORE1"])))
        #expect(reply["locations"] == "STORE1,STORE2")
        #expect(desk.run(.show(id: "R000002"), as: "clerk9").isSuccess)
        desk.ok(.userScope(name: "clerk9", locations: .everywhere))
        #expect(desk.ledger.users["clerk9"]?.locations == .everywhere)
        var replayed = Ledger()
        replayed.apply(desk.events)
        #expect(replayed == desk.ledger)
    }
}

extension Result {
    var isSuccess: Bool { if case .success = self { return true } else { return false } }
}
