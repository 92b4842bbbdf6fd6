import Foundation
import Testing

/// The business day through the real binary: the zone survives a restart, document numbers follow the
/// shop's date, and a data directory whose zone this machine lacks still starts, and says so.
@Suite struct BusinessDayEndToEndTests {
    /// Today's date at `offset` seconds east of UTC, as in document numbers.
    static func compactDate(offset: Int) -> String {
        var now = time(nil) + offset
        var parts = tm()
        gmtime_r(&now, &parts)
        return String(format: "%04d%02d%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday)
    }

    @Test func theZoneSetsDocumentDatesAndSurvivesRestarts() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let admin = try server.login("admin")
        #expect(try admin.call("POLICY SET timezone=+14:00").status.contains(" timezone=+14:00 "))
        // A change of zone takes effect from the next second (protocol.md): let the clock pass it.
        let setAt = time(nil), deadline = Date().addingTimeInterval(10)
        while time(nil) <= setAt, Date() < deadline { usleep(10_000) }
        #expect(try admin.call("POLICY SET timezone=Atlantis/Capital").code == "INVALID")
        let clerk = try server.login("clerk1"), supervisor = try server.login("sup1")
        _ = try clerk.call("SALE S-1 location=STORE1 customer=C1 A100:3")
        _ = try clerk.call("RETURN S-1 A100:1 reason=DEFECTIVE")
        let before = Self.compactDate(offset: 14 * 3600)
        let approved = try supervisor.call("APPROVE R000001")
        let after = Self.compactDate(offset: 14 * 3600)
        let doc = try #require(approved["doc"])
        // The date at +14:00 (ahead of every other zone), read around the reply.
        #expect(doc == "RT-\(before)-0001" || doc == "RT-\(after)-0001", "\(doc)")

        _ = try admin.call("POLICY SET timezone=Asia/Shanghai")
        let again = try server.restart()
        defer { again.stop() }
        #expect(try again.login("admin").call("POLICY SHOW").status.contains(" timezone=Asia/Shanghai "))
        // Moving west (Shanghai is behind +14:00) does not take the date back: numbering goes on.
        let clerk2 = try again.login("clerk1")
        _ = try clerk2.call("RETURN S-1 A100:1 reason=DEFECTIVE")
        let second = try #require(try again.login("sup1").call("APPROVE R000002")["doc"])
        let (firstDate, secondDate) = (doc.dropFirst(3).prefix(8), second.dropFirst(3).prefix(8))
        #expect(secondDate > firstDate || second == "RT-\(firstDate)-0002", "\(doc) then \(second)")

        // Without tzdata the directory still starts: the zone counts as UTC, and stderr says so.
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("rl-tz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let bare = try again.restart(environment: ["TZDIR": empty.path])
        defer { bare.stop() }
        #expect(try bare.login("admin").call("POLICY SHOW").status.contains(" timezone=Asia/Shanghai "))
        #expect(try bare.login("aud1").call("DOC \(doc)").status.contains(" doc=\(doc) "))
        bare.stop(keepData: true)
        #expect(bare.stderrText().contains("time zone Asia/Shanghai is not in this machine's tzdata"))
    }
}
