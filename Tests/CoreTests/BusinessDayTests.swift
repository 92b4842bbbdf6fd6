import ReturnLedgerCore
import Testing

/// The business day: document dates, date filters and STATS by=day in the shop's zone.
@Suite struct BusinessDayTests {
    static func at(_ text: String) -> Timestamp { Timestamp(parsing: text)! }
    static func date(_ text: String) -> CivilDate { CivilDate(parsing: text)! }
    static let shanghai = BusinessZone.named("Asia/Shanghai")!

    /// A shop whose sale was yesterday, so returns are inside the window.
    static func shop(zone: BusinessZone?) -> Desk {
        var desk = Desk.shop()
        desk.now = at("2026-02-28T12:00:00Z")
        desk.ok(Desk.sale("S1", customer: "C1", item("A100", 9)))
        if let zone { desk.ok(.policySet(PolicyChange(timezone: zone))) }
        return desk
    }

    mutating func fileAndApprove(_ desk: inout Desk, at time: String) -> String {
        desk.now = Self.at(time)
        let id = desk.ok(Desk.ret("S1", item("A100", 1)), as: "clerk1")["id"]!
        return desk.ok(.approve(id: id, refund: nil, note: ""), as: "sup1")["doc"]!
    }

    @Test mutating func aReturnApprovedAfterShanghaiMidnightTakesTheNextDate() {
        var desk = Self.shop(zone: Self.shanghai)
        #expect(desk.ok(.policyShow)["timezone"] == "Asia/Shanghai")
        let doc = fileAndApprove(&desk, at: "2026-03-01T17:30:00Z")
        #expect(doc == "RT-20260302-0001")
        #expect(desk.ok(.doc(number: doc))["date"] == "2026-03-02")
        // The same instant in UTC is still 1 March.
        var utc = Self.shop(zone: nil)
        #expect(fileAndApprove(&utc, at: "2026-03-01T17:30:00Z") == "RT-20260301-0001")
        #expect(utc.ok(.policyShow)["timezone"] == "UTC")
    }

    @Test mutating func statsAndFiltersGroupByTheLocalDate() {
        var desk = Self.shop(zone: Self.shanghai)
        _ = fileAndApprove(&desk, at: "2026-03-01T15:59:59Z")  // 23:59:59 on 1 March in Shanghai
        _ = fileAndApprove(&desk, at: "2026-03-01T16:00:00Z")  // midnight: 2 March
        _ = fileAndApprove(&desk, at: "2026-03-02T03:00:00Z")  // 2 March
        let byDay = desk.ok(.stats(StatsQuery(by: .day)))
        #expect(byDay.lines.map { [$0[0].value, $0[1].value] } == [["2026-03-01", "1"], ["2026-03-02", "2"]])
        #expect(desk.ok(.stats(StatsQuery(from: Self.date("2026-03-02"), to: Self.date("2026-03-02"))))["filed"] == "2")
        #expect(desk.ok(.list(ReturnFilter(from: Self.date("2026-03-02"))))["count"] == "2")
        #expect(desk.ok(.list(ReturnFilter(to: Self.date("2026-03-01"))))["count"] == "1")
        #expect(desk.ok(.notices(party: nil, from: Self.date("2026-03-02"))).lines.count == 2)
        // AUDIT from= a date is the business date's start; a time stays exact.
        let audited = desk.ok(.audit(user: "sup1", from: .date(Self.date("2026-03-02")), limit: 100)).lines.count
        #expect(audited == 2)
        #expect(desk.ok(.audit(user: "sup1", from: .time(Self.at("2026-03-02T00:00:00Z")), limit: 100)).lines.count == 1)
        // And a sale in the evening counts for the local date in the return rate.
        desk.now = Self.at("2026-03-02T17:00:00Z")  // 01:00 on 3 March
        desk.ok(Desk.sale("S9", item("A100", 4)))
        desk.now = Self.at("2026-03-02T17:10:00Z")
        let id = desk.ok(Desk.ret("S9", item("A100", 1)), as: "clerk1")["id"]!
        desk.ok(.approve(id: id, refund: nil, note: ""), as: "sup1")
        #expect(desk.ok(.stats(StatsQuery(from: Self.date("2026-03-03"), to: Self.date("2026-03-03"))))["return_rate"] == "0.2500")
        Self.replays(desk)
    }

    /// East then west: the numbering stays gapless on each date, and dates never go back.
    @Test mutating func aZoneChangeMidDayKeepsNumberingGaplessAndDatesForward() {
        var desk = Self.shop(zone: nil)
        #expect(fileAndApprove(&desk, at: "2026-03-01T10:00:00Z") == "RT-20260301-0001")
        #expect(fileAndApprove(&desk, at: "2026-03-01T15:00:00Z") == "RT-20260301-0002")
        desk.now = Self.at("2026-03-01T17:00:00Z")
        desk.ok(.policySet(PolicyChange(timezone: Self.shanghai)))  // 01:00 on 2 March there
        #expect(fileAndApprove(&desk, at: "2026-03-01T17:05:00Z") == "RT-20260302-0001")
        // Back to UTC: 1 March again by the clock, but the last document is dated 2 March.
        desk.now = Self.at("2026-03-01T18:00:00Z")
        desk.ok(.policySet(PolicyChange(timezone: .utc)))
        #expect(fileAndApprove(&desk, at: "2026-03-01T18:10:00Z") == "RT-20260302-0002")
        #expect(fileAndApprove(&desk, at: "2026-03-02T09:00:00Z") == "RT-20260302-0003")
        #expect(fileAndApprove(&desk, at: "2026-03-03T00:00:00Z") == "RT-20260303-0001")
        // What happened before a change keeps the date it had: the first two stay on 1 March.
        #expect(desk.ok(.list(ReturnFilter(to: Self.date("2026-03-01"))))["count"] == "3")  // 10:00, 15:00, 18:10 UTC
        Self.replays(desk)
    }

    /// Times are whole seconds: what is filed in the second of a change keeps the old zone, live
    /// and when the indexes are rebuilt from a snapshot alike (which sees times, not order).
    @Test mutating func changesInOneSecondGiveTheSameDatesLiveAndRebuilt() {
        var desk = Self.shop(zone: nil)
        let second = "2026-03-01T17:30:00Z"
        let before = fileAndApprove(&desk, at: second)
        desk.ok(.policySet(PolicyChange(timezone: Self.shanghai)))
        let during = fileAndApprove(&desk, at: second)
        desk.ok(.policySet(PolicyChange(timezone: BusinessZone.named("+05:30")!)))
        #expect([before, during] == ["RT-20260301-0001", "RT-20260301-0002"])
        #expect(fileAndApprove(&desk, at: "2026-03-01T18:31:00Z") == "RT-20260302-0001")  // 00:01 at +05:30
        var rebuilt = desk.ledger
        rebuilt.rebuildIndexes()
        #expect(rebuilt.stats == desk.ledger.stats)
        #expect(desk.ledger.policy.calendar.periods.count == 1)
        Self.replays(desk)
    }

    @Test func unknownZonesAreRefusedByTheParserNotTheLedger() {
        #expect(BusinessZone.named("Asia/Atlantis") == nil)
        #expect(BusinessZone.named("+05:45")?.name == "+05:45")
    }

    static func replays(_ desk: Desk, sourceLocation: SourceLocation = #_sourceLocation) {
        desk.expectReplays(sourceLocation: sourceLocation)
    }
}
