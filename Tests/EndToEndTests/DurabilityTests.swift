import Foundation
import Glibc
import Testing

@Suite struct DurabilityTests {
    /// Everything a client can see, to compare before and after a restart. (Not DIGEST: the
    /// login needed to ask is itself audited, so the state moves; `tools/wal verify` checks it.)
    func observe(_ server: ServerProcess) throws -> [String] {
        let auditor = try server.login("aud1")
        var seen: [String] = []
        for line in ["LIST limit=1000", "STOCK A100", "STOCK C400", "BALANCE", "BALANCE C1", "BALANCE S2", "NOTICES",
                     "STATS by=reason", "REASON LIST", "AUDIT user=sup1"] {
            seen.append(try auditor.call(line).description)
        }
        return seen
    }

    func trade(_ server: ServerProcess) throws {
        let clerk = try server.login("clerk1")
        let supervisor = try server.login("sup1")
        #expect(try clerk.call("SALE S1 location=STORE1 customer=C1 A100:4").ok)
        #expect(try clerk.call("PURCHASE P1 location=WH1 supplier=S2 C400:50#LOT7").ok)
        #expect(try clerk.call("RETURN S1 A100:1 reason=DEFECTIVE key=k1").ok)
        #expect(try clerk.call("RETURN P1 C400:5#LOT7 reason=EXPIRED").ok)
        #expect(try supervisor.call("APPROVE R000001").ok)
        #expect(try supervisor.call("APPROVE R000002").ok)
    }

    @Test func aCleanRestartKeepsEverything() throws {
        let first = try ServerProcess()
        defer { first.stop() }
        try setUpShop(first)
        try trade(first)
        let before = try observe(first)
        let second = try first.restart()
        defer { second.stop() }
        #expect(try observe(second) == before)
        // Users and passwords came back too; no second admin password was generated.
        #expect(try second.login("clerk1").call("WHOAMI")["user"] == "clerk1")
        let retry = try second.login("clerk1").call("RETURN S1 A100:1 reason=DEFECTIVE key=k1")
        #expect(retry["existed"] == "yes")
    }

    @Test func sigkillRightAfterAcknowledgedReturnsLosesNone() throws {
        let first = try ServerProcess()
        defer { first.stop() }
        try setUpShop(first)
        let clerk = try first.login("clerk1")
        #expect(try clerk.call("SALE BIG location=STORE1 customer=C1 paid=no A100:200").ok)
        var acknowledged: [String] = []
        try clerk.sendReturns(order: "BIG", count: 150, keyPrefix: "kill")
        for reply in try clerk.readReplies(150) {
            #expect(reply.ok)
            if let id = reply["id"] { acknowledged.append(id) }
        }
        first.crash()
        let second = try first.restart()
        defer { second.stop() }
        let list = try second.login("aud1").call("LIST state=pending limit=1000")
        let present = Set(list.data.compactMap { Client.field("id", in: $0) })
        #expect(acknowledged.count == 150)
        #expect(acknowledged.allSatisfy { present.contains($0) })
        #expect(present.count == 150)
        #expect(try second.login("clerk1").call("RETURN BIG A100:1 reason=DEFECTIVE key=kill-7")["existed"] == "yes")
    }

    /// everysec and no promise that a crash of the server process alone loses nothing: the reply
    /// follows the record's write to the OS, only the fsync is deferred.
    @Test(arguments: ["everysec", "no"])
    func relaxedPoliciesSurviveAProcessCrash(policy: String) throws {
        let first = try ServerProcess(["--fsync", policy])
        defer { first.stop() }
        try setUpShop(first)
        let clerk = try first.login("clerk1")
        #expect(try clerk.call("SALE BIG location=STORE1 A100:500").ok)
        try clerk.sendReturns(order: "BIG", count: 300, keyPrefix: policy)
        for reply in try clerk.readReplies(300) { #expect(reply.ok) }
        first.crash()
        let second = try ServerProcess(["--fsync", policy], directory: first.directory)
        defer { second.stop() }
        #expect(try second.login("aud1").call("LIST limit=1000")["count"] == "300")
        let info = try second.login("admin").call("INFO")
        #expect(info.data.contains { $0.hasPrefix("* section=wal") && $0.contains("fsync=\(policy)") })
    }

    @Test func snapshotUnderLoadThenRestart() throws {
        let first = try ServerProcess(["--snapshot-every", "400", "--log-keep", "0"])
        defer { first.stop() }
        try setUpShop(first)
        let clerk = try first.login("clerk1")
        let admin = try first.login("admin")
        #expect(try clerk.call("SALE BIG location=STORE1 A100:1000").ok)
        try clerk.sendReturns(order: "BIG", count: 600, keyPrefix: "s")
        let snapshot = try admin.call("SNAPSHOT")  // while the pipeline is being served
        #expect(snapshot.ok, "\(snapshot.status)")
        #expect(Int(snapshot["bytes"] ?? "0")! > 1000)
        for reply in try clerk.readReplies(600) { #expect(reply.ok) }
        let info = try admin.call("INFO")
        #expect(info.data.contains { $0.hasPrefix("* section=snapshot") && !$0.contains(" seq=0 ") })
        let before = try observe(first)
        #expect(first.stop(keepData: true) == 0)  // a clean stop waits for a snapshot in progress
        let files = try FileManager.default.contentsOfDirectory(atPath: first.directory.path)
        #expect(files.contains { $0.hasPrefix("snapshot-") && $0.hasSuffix(".snap") })
        #expect(!files.contains { $0.hasSuffix(".tmp") })
        #expect(files.filter { $0.hasPrefix("wal-") }.count <= 2)  // covered segments were dropped
        let second = try ServerProcess(directory: first.directory)
        defer { second.stop() }
        #expect(try observe(second) == before)
        #expect(try second.login("aud1").call("LIST limit=1000")["count"] == "600")
    }

    /// INFO's snapshot line.
    struct SnapshotSeen { var seq: Int; var bytes: Int; var inProgress: Bool }
    struct MissingLine: Error { var info: [String] }
    func seen(_ admin: Client) throws -> SnapshotSeen {
        let info = try admin.call("INFO").data
        guard let snapshot = info.first(where: { $0.hasPrefix("* section=snapshot ") }) else { throw MissingLine(info: info) }
        func number(_ key: String) -> Int { Int(Client.field(key, in: snapshot) ?? "") ?? -1 }
        return SnapshotSeen(seq: number("seq"), bytes: number("bytes"), inProgress: Client.field("in_progress", in: snapshot) == "yes")
    }

    /// A small state (under 64 MiB) is snapshotted every `--snapshot-every` events as the flag
    /// says, whatever `--snapshot-growth`; a restart's INFO names the snapshot it loaded.
    @Test func automaticSnapshotsOfASmallStateComeEveryNEventsAndARestartNamesTheOneLoaded() throws {
        let server = try ServerProcess(["--snapshot-every", "4"])
        defer { server.stop() }
        try setUpShop(server)
        let clerk = try server.login("clerk1")
        let admin = try server.login("admin")
        #expect(try clerk.call("SALE BIG location=STORE1 A100:5000").ok)
        let first = try #require(Int(try admin.call("SNAPSHOT")["seq"] ?? ""))
        var now = try seen(admin)
        var batch = 0
        while now.seq == first || now.inProgress {
            batch += 1
            guard batch <= 50 else { Issue.record("no automatic snapshot after \(batch) batches"); return }
            try clerk.sendReturns(order: "BIG", count: 4, keyPrefix: "g\(batch)")
            for reply in try clerk.readReplies(4) { #expect(reply.ok) }
            now = try seen(admin)
        }
        #expect(now.seq > first && now.bytes > 0)
        _ = try admin.call("SNAPSHOT")
        let written = try seen(admin)
        #expect(server.stop(keepData: true) == 0)
        let second = try ServerProcess(directory: server.directory)
        defer { second.stop() }
        let loaded = try seen(try second.login("admin"))
        #expect(loaded.seq == written.seq && loaded.bytes == written.bytes && loaded.bytes > 0)
    }

    @Test func damageBeforeTheEndRefusesToStartAndNamesTheFile() throws {
        let first = try ServerProcess()
        defer { first.stop() }
        try setUpShop(first)
        try trade(first)
        first.crash()
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: first.directory.path)
            .first { $0.hasPrefix("wal-") })
        let path = first.directory.appendingPathComponent(segment).path
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[100] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        let (status, stderr) = try runToExit(["--port", "0", "--data", first.directory.path])
        #expect(status == 2)
        #expect(stderr.contains(segment))
        #expect(stderr.contains("offset"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)  // nothing overwritten
    }

    @Test func aTornTailIsCutWithALogLine() throws {
        let first = try ServerProcess()
        defer { first.stop() }
        try setUpShop(first)
        try trade(first)
        let before = try observe(first)
        first.crash()
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: first.directory.path)
            .first { $0.hasPrefix("wal-") })
        let handle = try FileHandle(forWritingTo: first.directory.appendingPathComponent(segment))
        handle.seekToEndOfFile()
        handle.write(Data([0x40, 0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]))  // half a record
        handle.closeFile()
        let second = try ServerProcess(directory: first.directory)
        defer { second.stop() }
        #expect(try observe(second) == before)
        #expect(second.stop() == 0)
        #expect(second.stderrText().contains("cut a torn record"))
    }
}
