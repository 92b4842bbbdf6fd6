import Foundation
import Testing
import TestClient

/// ARCHIVE against the real binary (protocol.md, Years of history): the command's checks, the
/// file and its commit, replay from the log and from a snapshot to the same state, damage named
/// without stopping the server, what a crash leaves removed at start-up.
@Suite(.serialized) struct ArchiveEndToEndTests {
    /// Today (UTC, the server's business date with no zone set), as the server prints dates.
    static var today: String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date())
    }

    /// A demo shop whose day has a return approved (cash back, nothing left to return on its
    /// order) and is then closed: ready to archive today.
    /// `audited`: that many changes first (PARTY ADDs, pipelined), each an audit entry.
    static func closedShop(audited: Int = 0) throws -> ServerProcess {
        let server = try ServerProcess(["--backup-every", "0"], demo: true)
        if audited > 0 {
            let admin = try server.login("admin")
            try admin.send((0..<audited).map { "PARTY ADD customer AUD\($0) name=N\($0)\r\n" }.joined())
            let replies = try admin.readReplies(audited)
            let refused = replies.first { !$0.ok }
            #expect(refused == nil, "\(refused?.status ?? "")")
        }
        let clerk = try server.login("clerk1")
        #expect(try clerk.call("SALE S-AR1 location=STORE1 customer=C001 A100:1").ok)
        let filed = try clerk.call("RETURN S-AR1 A100:1 reason=DEFECTIVE")
        #expect(filed.ok, "\(filed.status)")
        let id = Client.field("id", in: filed.status) ?? ""
        let approved = try server.login("supervisor1").call("APPROVE \(id)")
        #expect(approved.ok, "\(approved.status)")
        let closed = try server.login("finance1").call("PERIOD CLOSE \(today)")
        #expect(closed.ok, "\(closed.status)")
        return server
    }

    /// The answers that must not change across ARCHIVE and restarts (archive= aside; BALANCE's
    /// lines change by design, its balance does not).
    static func answers(_ client: Client, _ id: String) throws -> [String] {
        var lines: [String] = []
        for query in ["SHOW \(id)", "ORDER S-AR1", "STATS by=reason", "LIST limit=5", "CREDIT C001", "DOC RT-\(today.filter { $0 != "-" })-0001"] {
            let reply = try client.call(query)
            lines += [query] + reply.data + [reply.status]
        }
        return lines.map { $0.replacingOccurrences(of: #" archive=(archive-\d{8}-\d{4}|"")"#, with: "", options: .regularExpression) }
    }

    @Test func archiveCommitsSurvivesRestartsAndReadsAnswerAsBefore() throws {
        let server = try Self.closedShop()
        defer { server.stop() }
        let admin = try server.login("admin")
        let id = "R000001"
        let before = try Self.answers(admin, id)
        let reply = try admin.call("ARCHIVE through=\(Self.today)")
        #expect(reply.ok, "\(reply.status)")
        let name = try #require(Client.field("archive", in: reply.status))
        #expect(name.hasPrefix("archive-") && name.hasSuffix("-0001"))
        #expect(Client.field("returns", in: reply.status) == "1" && Client.field("documents", in: reply.status) == "1")
        let seq = try #require(Client.field("seq", in: reply.status))
        #expect(FileManager.default.fileExists(atPath: server.directory.path + "/\(name).rla"))
        #expect(try Self.answers(admin, id) == before)
        #expect(try admin.call("SHOW \(id)").status.hasSuffix(" archive=\(name)"))
        // BALANCE: the archived entries as one line, the same balance.
        let balance = try admin.call("BALANCE C001")
        #expect(balance.data.first?.contains("kind=brought_forward doc=\"\"") == true, "\(balance.data)")
        // An archived record never changes.
        #expect(try admin.call("VOID \(id) reason=DEFECTIVE note=x").code == "STATE")
        // The list, INFO, FEED and AUDIT.
        let list = try admin.call("ARCHIVE LIST")
        #expect(list.status == "OK count=1" && list.data.first?.hasSuffix("status=ok") == true, "\(list.data)")
        let info = try admin.call("INFO").data.first { $0.hasPrefix("* section=memory") } ?? ""
        #expect(info.contains(" archives=1 archived_returns=1 ") && info.contains(" archives_damaged=0"), "\(info)")
        let state = try admin.call("INFO").data.first { $0.hasPrefix("* section=state") } ?? ""
        #expect(state.hasPrefix("* section=state returns=0 "), "live records only: \(state)")
        let feed = try admin.call("FEED from=\(UInt64(seq)! - 1) limit=1")
        #expect(feed.data.first?.contains("type=archive.written archive=\(name) ") == true, "\(feed.data)")
        let audit = try admin.call("AUDIT user=admin limit=50")
        #expect(audit.data.contains { $0.contains("command=ARCHIVE target=\(Self.today) outcome=ok") })
        // Replayed from the log (the archive.written record reads what it took from the file),
        // then from a snapshot: the live state's digest each time.
        let live = try admin.call("DIGEST")
        let replayed = try ToolTests.run(ToolTests.walBinary, ["verify", server.directory.path])
        #expect(replayed.status == 0 && replayed.out.contains("digest \(live["digest"] ?? "?")"), "\(replayed.out)")
        #expect(try admin.call("SNAPSHOT").ok)
        let snapshotted = try admin.call("DIGEST")
        let loaded = try ToolTests.run(ToolTests.walBinary, ["verify", server.directory.path])
        #expect(loaded.status == 0 && loaded.out.contains("digest \(snapshotted["digest"] ?? "?")"), "\(loaded.out)")
        let restarted = try server.restart(["--backup-every", "0"])  // `server` keeps the directory
        defer { restarted.stop() }
        let again = try restarted.login("admin")
        #expect(try Self.answers(again, id) == before)
        #expect(try again.call("SHOW \(id)").status.hasSuffix(" archive=\(name)"))
        // VERIFY reads the archive whole.
        #expect(try again.call("VERIFY").ok)
    }

    @Test func theChecksComeInTheContractsOrder() throws {
        let server = try Self.closedShop()
        defer { server.stop() }
        let admin = try server.login("admin")
        #expect(try admin.call("ARCHIVE").code == "SYNTAX")
        #expect(try admin.call("ARCHIVE through=yesterday").code == "INVALID")
        #expect(try admin.call("ARCHIVE through=\(Self.today) purchases=some").code == "INVALID")
        #expect(try admin.call("ARCHIVE through=2999-01-01").code == "STATE")  // after closed_through
        #expect(try server.login("auditor1").call("ARCHIVE through=\(Self.today)").code == "DENIED")
        #expect(try server.login("auditor1").call("ARCHIVE LIST").status == "OK count=0")
        // A scoped admin: DENIED.
        #expect(try admin.call("USER ADD boss2 role=admin password=boss2-password locations=STORE1").ok)
        #expect(try server.login("boss2", password: "boss2-password").call("ARCHIVE through=\(Self.today)").code == "DENIED")
        #expect(try admin.call("ARCHIVE through=\(Self.today)").ok)
        // Nothing finished any more but today's new audit entries; before the newest: STATE.
        #expect(try admin.call("ARCHIVE through=2000-01-01").code == "STATE")
        let second = try admin.call("ARCHIVE through=\(Self.today)")
        #expect(second.ok && Client.field("archive", in: second.status)?.hasSuffix("-0002") == true, "\(second.status)")
        // A record is in one archive: the second takes none of the first's again, only the audit
        // entries written since (and the first's own outcome), and INFO counts each once.
        for field in ["returns", "documents", "orders", "entries", "notices", "other"] {
            #expect(second[field] == "0", "\(field): \(second.status)")
        }
        let info = try admin.call("INFO").data
        let state = info.first { $0.hasPrefix("* section=state") } ?? ""
        let memory = info.first { $0.hasPrefix("* section=memory") } ?? ""
        #expect(state.hasPrefix("* section=state returns=0 ") && !state.contains("=-"), "\(state)")
        #expect(memory.contains(" archives=2 archived_returns=1 "), "\(memory)")
    }

    /// An `--archive-dir` shared with (or left by) another data directory: its archives are not
    /// this directory's to delete or write over.
    @Test func anotherDirectorysArchivesAreLeftAlone() throws {
        let shared = FileManager.default.temporaryDirectory.appendingPathComponent("rl-archives-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: shared) }
        let first = try ServerProcess(["--backup-every", "0", "--archive-dir", shared.path], demo: true)
        defer { first.stop() }
        #expect(try first.login("finance1").call("PERIOD CLOSE \(Self.today)").ok)
        let name = try #require(Client.field("archive", in: try first.login("admin").call("ARCHIVE through=\(Self.today)").status))
        first.stop(keepData: true)
        // A second shop on the same archive folder starts, leaves the first's archive, and will
        // not write over it.
        let second = try ServerProcess(["--backup-every", "0", "--archive-dir", shared.path], demo: true)
        defer { second.stop() }
        #expect(FileManager.default.fileExists(atPath: shared.path + "/\(name).rla"))
        #expect(try second.login("finance1").call("PERIOD CLOSE \(Self.today)").ok)
        let refused = try second.login("admin").call("ARCHIVE through=\(Self.today)")
        #expect(refused.code == "ARCHIVE" && refused.status.contains(name), "\(refused.status)")
        second.stop()
        // The first shop still starts with its archive whole.
        let again = try ServerProcess(["--backup-every", "0", "--archive-dir", shared.path], directory: first.directory)
        defer { again.stop(keepData: true) }
        #expect(try again.login("admin").call("ARCHIVE LIST").data.first?.hasSuffix("status=ok") == true)
    }

    @Test func damageIsNamedAndTheServerStartsAnyway() throws {
        let first = try Self.closedShop()  // owns the directory until the test ends
        defer { first.stop() }
        var server = first
        let admin = try server.login("admin")
        let name = try #require(Client.field("archive", in: try admin.call("ARCHIVE through=\(Self.today)").status))
        #expect(try admin.call("SNAPSHOT").ok)  // the archive is named by the snapshot: not replayed
        let path = server.directory.path + "/\(name).rla"
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        // What a crash leaves: an unfinished file (removed); and a file no record names that is
        // not after this directory's newest archive (a copy, another directory's): left alone.
        try Data("x".utf8).write(to: URL(fileURLWithPath: server.directory.path + "/archive-20000101-0009.tmp"))
        try good.write(to: URL(fileURLWithPath: server.directory.path + "/archive-20000101-0009.rla"))
        // Cut short (its footer gone): damaged at start-up.
        server.stop(keepData: true)
        try good.prefix(good.count - 10).write(to: URL(fileURLWithPath: path))
        server = try ServerProcess(["--backup-every", "0"], directory: server.directory)
        var again = try server.login("admin")
        #expect(!FileManager.default.fileExists(atPath: server.directory.path + "/archive-20000101-0009.tmp"))
        #expect(FileManager.default.fileExists(atPath: server.directory.path + "/archive-20000101-0009.rla"))
        #expect(try again.call("ARCHIVE LIST").data.first?.hasSuffix("status=damaged") == true)
        var info = try again.call("INFO").data.first { $0.hasPrefix("* section=memory") } ?? ""
        #expect(info.hasSuffix(" archives_damaged=1"), "\(info)")
        // Reads of what memory holds go on; a good copy put back is whole after VERIFY.
        #expect(try again.call("SHOW R000001").ok)
        #expect(try again.call("VERIFY").code == "ARCHIVE")
        try good.write(to: URL(fileURLWithPath: path))
        #expect(try again.call("VERIFY").ok)
        #expect(try again.call("ARCHIVE LIST").data.first?.hasSuffix("status=ok") == true)
        // A byte flipped inside: the start-up check (header, footer, index summary) passes it,
        // VERIFY reads every block and names the file.
        var flipped = good
        flipped[flipped.count / 3] ^= 0x40
        try flipped.write(to: URL(fileURLWithPath: path))
        server.stop(keepData: true)
        server = try ServerProcess(["--backup-every", "0"], directory: server.directory)
        again = try server.login("admin")
        let verify = try again.call("VERIFY")
        #expect(verify.code == "ARCHIVE" && verify.status.contains(name) && verify.status.contains("offset"), "\(verify.status)")
        #expect(try again.call("ARCHIVE LIST").data.first?.hasSuffix("status=damaged") == true)
        info = try again.call("INFO").data.first { $0.hasPrefix("* section=memory") } ?? ""
        #expect(info.hasSuffix(" archives_damaged=1"), "\(info)")
        server.stop(keepData: true)
    }

    /// Section 23's memory model: the audit entries an archive took leave memory a chunk (1,024
    /// entries) at a time, and AUDIT pages reaching them read them back from the archive: the same
    /// answers before and after ARCHIVE and across a restart from a snapshot that no longer holds
    /// them. With the archive damaged such a page is `ERR ARCHIVE` naming it; the newest entries,
    /// in memory, still answer.
    @Test func archivedAuditEntriesLeaveMemoryAndAreReadBack() throws {
        let first = try Self.closedShop(audited: 2_100)
        defer { first.stop() }
        var server = first
        var admin = try server.login("admin")
        let pages = ["AUDIT after=0 limit=1000", "AUDIT after=1000 limit=1000", "AUDIT after=2000 limit=50",
                     "AUDIT user=admin after=0 limit=2000", "AUDIT from=\(Self.today) limit=30", "AUDIT after=1020 limit=10"]
        func answers(_ client: Client) throws -> [String] {
            try pages.flatMap { query in let reply = try client.call(query); return [query] + reply.data + [reply.status] }
        }
        let before = try answers(admin)
        #expect(before.count > 2_100)
        // INFO's state_bytes counts the audit entries held (50 B each).
        let stateBytes = { (client: Client) throws -> Int in
            Int(Client.field("state_bytes", in: try client.call("INFO").data.first { $0.hasPrefix("* section=memory") } ?? "") ?? "") ?? -1
        }
        let heldBefore = try stateBytes(admin)
        #expect(try admin.call("ARCHIVE through=\(Self.today)").ok)
        let name = try #require(Client.field("archive", in: try admin.call("ARCHIVE LIST").data.first ?? ""))
        let after = try answers(admin)
        // The pages' own AUDIT entries and the ARCHIVE's are newer than those paged: equal answers.
        #expect(after == before)
        #expect(try admin.call("SNAPSHOT").ok)
        server.stop(keepData: true)
        server = try ServerProcess(["--backup-every", "0"], directory: first.directory)
        admin = try server.login("admin")
        #expect(try answers(admin) == before)
        let held = try stateBytes(admin)
        #expect(held >= 0 && held < heldBefore - 2 * 1_024 * 40, "state_bytes \(heldBefore) -> \(held)")
        // Damaged: pages reaching archived entries refuse, naming the archive; the newest answer.
        let path = server.directory.path + "/\(name).rla"
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        try good.prefix(good.count - 10).write(to: URL(fileURLWithPath: path))
        server.stop(keepData: true)
        server = try ServerProcess(["--backup-every", "0"], directory: first.directory)
        admin = try server.login("admin")
        let refused = try admin.call("AUDIT after=0 limit=10")
        #expect(refused.code == "ARCHIVE" && refused.status.contains(name), "\(refused.status)")
        #expect(try admin.call("AUDIT limit=10").ok)
        try good.write(to: URL(fileURLWithPath: path))
        #expect(try admin.call("AUDIT after=0 limit=1000").data == Array(before[1...1000]))
        server.stop(keepData: true)
    }

    /// A replayed archive.written whose archive is gone stops start-up, naming it (as damage in
    /// the log does): the records it took would otherwise be neither live nor archived.
    @Test func replayingACommitWhoseArchiveIsMissingStopsStartUp() throws {
        let server = try Self.closedShop()
        defer { server.stop() }
        let admin = try server.login("admin")
        let name = try #require(Client.field("archive", in: try admin.call("ARCHIVE through=\(Self.today)").status))
        server.stop(keepData: true)
        try FileManager.default.removeItem(atPath: server.directory.path + "/\(name).rla")
        // The snapshot ARCHIVE asks for names it too: without it, the log's record is replayed.
        for file in try FileManager.default.contentsOfDirectory(atPath: server.directory.path) where file.hasSuffix(".snap") {
            try FileManager.default.removeItem(atPath: server.directory.path + "/" + file)
        }
        #expect(throws: ServerProcess.StartError.self) { try ServerProcess(["--backup-every", "0"], directory: server.directory) }
    }
}
