import Foundation
import Testing

/// FEED through the real binary: the whole history after a snapshot, pages that never
/// split a sequence, long polls woken by the durable sequence, and a history trimmed by --log-keep.
@Suite struct FeedTests {
    static func seqs(_ reply: Client.Reply) -> [UInt64] { reply.data.compactMap { Client.field("seq", in: $0).flatMap { UInt64($0) } } }

    /// The process's threads in Linux's SCHED_IDLE class (policy 5, field 41 of each task's stat).
    static func idleThreads(_ pid: Int32) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.filter { tid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8),
                  let end = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: end)...].split(separator: " ")  // from field 3 on
            return fields.count > 38 && fields[38] == "5"
        }.count
    }

    @Test func theFeedReplaysTheHistoryAfterASnapshotInPages() throws {
        let server = try ServerProcess(["--backup-every", "0"])
        defer { server.stop() }
        try setUpShop(server)
        let clerk = try server.login("clerk1"), supervisor = try server.login("sup1")
        #expect(try clerk.call("SALE S-1 location=STORE1 customer=C1 A100:4 B300:1").ok)
        #expect(try clerk.call("RETURN S-1 A100:1 reason=DEFECTIVE note=\"壶盖坏了\"").ok)
        #expect(try supervisor.call("APPROVE R000001").ok)
        let admin = try server.login("admin")
        #expect(try admin.call("SNAPSHOT").ok)
        let auditor = try server.login("aud1")
        let all = try auditor.call("FEED from=0 limit=100000")
        #expect(all.ok, "\(all.status)")
        #expect(Self.seqs(all).first == 1)
        #expect(all.data.contains { $0.contains(" type=return.filed id=R000001 ") && $0.contains("note=壶盖坏了") })
        #expect(all.data.contains { $0.contains(" type=return.approved id=R000001 doc=RT-") })
        #expect(all.data.contains { $0.contains(" type=ledger.entry party=C1 kind=credit_note ") && $0.contains(" amount=-25.00") })
        #expect(!all.data.contains { $0.contains("$y$") })
        let epoch = try #require(all["epoch"])
        #expect(epoch.count == 16)
        // protocol.md: pages are made on two threads of the lowest priority (SCHED_IDLE).
        let deadline = Date().addingTimeInterval(10)
        while Self.idleThreads(server.process.processIdentifier) < 2, Date() < deadline {}
        #expect(Self.idleThreads(server.process.processIdentifier) == 2)
        // Paged three lines at a time: the same lines, no sequence split across two pages.
        var paged: [String] = [], from: UInt64 = 0, pages = 0
        while pages < 1000 {
            let page = try auditor.call("FEED from=\(from) limit=3")
            let next = try #require(page["next"].flatMap { UInt64($0) })
            if page.data.isEmpty { break }
            #expect(Self.seqs(page).first! > from && Self.seqs(page).last == next)
            paged += page.data
            from = next
            pages += 1
        }
        #expect(paged == all.data)
        #expect(Set(Self.seqs(all)).count < all.data.count)  // some sequences carry several lines
        // Refusals.
        #expect(try auditor.call("FEED from=999999").code == "INVALID")
        #expect(try auditor.call("FEED from=0 limit=100001").code == "INVALID")
        #expect(try auditor.call("FEED").code == "SYNTAX")
        #expect(try clerk.call("FEED from=0").code == "DENIED")
    }

    @Test func aLongPollIsAnsweredWhenAChangeIsDurable() throws {
        let server = try ServerProcess(["--backup-every", "0"])
        defer { server.stop() }
        try setUpShop(server)
        let auditor = try server.login("aud1"), clerk = try server.login("clerk1")
        let newest = try #require(try auditor.call("FEED from=0 limit=100000")["next"].flatMap { UInt64($0) })
        // Nothing newer to show (a login's audit entry at most): the wait runs out with an empty page.
        let started = Date()
        let empty = try auditor.call("FEED from=\(newest) wait=1")
        #expect(empty.data.isEmpty && UInt64(empty["next"] ?? "")! >= newest)
        #expect(Date().timeIntervalSince(started) >= 0.9)
        // A change arrives while it waits: answered at once (goal 50 ms; allowed 10 times that).
        // The poll is taken before the change is filed: INFO counts a FEED once the engine has
        // handed it to the read pool, where it parks (not a wait for a result: it only makes the
        // case real), so another session waits for that count, with a deadline.
        let watcher = try server.login("aud1")
        func feeds() throws -> Int {
            let line = try watcher.call("INFO").data.first { $0.hasPrefix("* section=command name=FEED ") } ?? ""
            return Int(Client.field("calls", in: line) ?? "") ?? 0
        }
        let feedsBefore = try feeds()
        try auditor.send("FEED from=\(newest) wait=30\n")
        let parkBy = Date().addingTimeInterval(10)
        while try feeds() == feedsBefore, Date() < parkBy { usleep(2000) }
        #expect(try feeds() == feedsBefore + 1, "the long poll did not reach the engine within 10 s")
        let sale = try clerk.call("SALE S-9 location=STORE1 A100:1")
        let filedAt = Date()
        let woken = try auditor.readReply()
        let delay = Date().timeIntervalSince(filedAt)
        #expect(sale.ok && woken.data.contains { $0.contains("type=sale.recorded order=S-9") })
        #expect(delay < 0.5, "long poll answered \(delay) s after the change")
        print("long poll answered \(Int(delay * 1000)) ms after the change was acknowledged")
    }

    @Test func historyDroppedByLogKeepIsAState() throws {
        let server = try ServerProcess(["--backup-every", "0", "--log-keep", "0"])
        defer { server.stop() }
        try setUpShop(server)
        let admin = try server.login("admin")
        let snapshot = try admin.call("SNAPSHOT")
        let seq = try #require(snapshot["seq"].flatMap { UInt64($0) })
        #expect(try server.login("clerk1").call("SALE S-1 location=STORE1 A100:1").ok)
        // The covered segment goes on the log's own queue: wait for it, with a deadline.
        var refused = try admin.call("FEED from=0")
        let deadline = Date().addingTimeInterval(20)
        while refused.code != "STATE", Date() < deadline {
            usleep(5000)
            refused = try admin.call("FEED from=0")
        }
        #expect(refused.code == "STATE" && refused.status.contains("up to \(seq) "), "\(refused.status)")
        let rest = try admin.call("FEED from=\(seq)")
        let first = try #require(Self.seqs(rest).first, "\(rest.status)")
        #expect(rest.ok && first > seq && rest.data.contains { $0.contains("type=sale.recorded order=S-1") })
    }
}
