import Foundation
import Testing
import TestClient

/// A standby receives its primary's archives (protocol.md, A warm standby; Years of history):
/// before an `archive.written` record comes its archive, stored as the primary stores it; a seed
/// brings the archives its snapshot names; an archive damaged on the primary stops the stream
/// before its record, and it goes on once a good copy is back. The real binaries, over TCP.
@Suite(.serialized) struct StandbyArchiveEndToEndTests {
    static let replicaUser = "rep1"
    static let replicaPassword = "reppw1-archive"

    /// ArchiveEndToEndTests' closed shop (a return approved, today closed), with a replica user.
    static func primary() throws -> ServerProcess {
        let server = try ArchiveEndToEndTests.closedShop()
        let added = try server.login("admin").call("USER ADD \(replicaUser) role=replica password=\(replicaPassword)")
        #expect(added.ok, "\(added.status)")
        return server
    }

    /// A standby of `primary` on a new directory (seeded before it is ready), or on `directory`.
    static func standby(of primary: ServerProcess, directory: URL? = nil) throws -> ServerProcess {
        try ServerProcess(["--standby-of", "127.0.0.1:\(primary.port)", "--standby-user", replicaUser, "--backup-every", "0"],
                          environment: ["RETURNLEDGER_STANDBY_PASSWORD": replicaPassword], directory: directory)
    }

    /// Polls `probe` until it gives a value; fails the test naming `what` after `seconds`.
    static func waitFor<T>(_ what: String, seconds: Double = 60, _ probe: () throws -> T?) throws -> T {
        let deadline = Date().addingTimeInterval(seconds)
        var last: (any Error)?
        while Date() < deadline {
            do {
                if let value = try probe() { return value }
            } catch {
                last = error
            }
            usleep(20_000)
        }
        throw ServerProcess.StartError(message: "timed out after \(seconds) s waiting for \(what) (last error: \(String(describing: last)))")
    }

    /// Both DIGESTs once they are at the same seq: (seq, primary's digest, standby's digest).
    static func sameSeqDigests(_ primary: Client, _ standby: Client) throws -> (String, String, String) {
        try waitFor("the standby's DIGEST at the primary's seq") {
            let p = try primary.call("DIGEST"), s = try standby.call("DIGEST")
            guard let seq = p["seq"], seq == s["seq"] else { return nil }
            return (seq, p["digest"] ?? "?", s["digest"] ?? "")
        }
    }

    /// The standby's ARCHIVE LIST line for `name`, once it shows it.
    static func listed(_ name: String, on client: Client) throws -> String {
        try waitFor("\(name) in the standby's ARCHIVE LIST") {
            try client.call("ARCHIVE LIST").data.first { $0.contains("archive=\(name) ") }
        }
    }

    static func archiveFile(_ server: ServerProcess, _ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: server.directory.path + "/\(name).rla"))
    }

    /// Under `--sync-standby 1` ARCHIVE's reply waits until its record is durable at the standby
    /// too (the record is written after the reply's batch, off the writer): once OK comes back,
    /// the standby lists the archive at once, without polling, and sync stays on. (On loopback
    /// the standby is quick enough that the listing would mostly be there without the wait too:
    /// this shows the whole path works under sync, not the wait alone.)
    @Test func underSyncStandbyTheReplyWaitsForTheStandby() throws {
        // A short timeout: the replica user is added before any standby is there to wait for.
        let primary = try ServerProcess(["--backup-every", "0", "--sync-standby", "1", "--sync-timeout", "2"], demo: true)
        defer { primary.stop() }
        let admin = try primary.login("admin")
        #expect(try admin.call("USER ADD \(Self.replicaUser) role=replica password=\(Self.replicaPassword)").ok)
        let standby = try Self.standby(of: primary)
        defer { standby.stop() }
        _ = try Self.waitFor("sync=on") {
            try admin.call("INFO").data.first { $0.hasPrefix("* section=replication") && $0.contains(" sync=on ") }
        }
        let clerk = try primary.login("clerk1")
        #expect(try clerk.call("SALE S-SY1 location=STORE1 customer=C001 A100:1").ok)
        let id = try #require(try clerk.call("RETURN S-SY1 A100:1 reason=DEFECTIVE")["id"])
        #expect(try primary.login("supervisor1").call("APPROVE \(id)").ok)
        #expect(try primary.login("finance1").call("PERIOD CLOSE \(ArchiveEndToEndTests.today)").ok)
        let reply = try admin.call("ARCHIVE through=\(ArchiveEndToEndTests.today)")
        #expect(reply.ok, "\(reply.status)")
        let name = try #require(reply["archive"])
        let listed = try standby.login("admin").call("ARCHIVE LIST").data
        #expect(listed.contains { $0.contains("archive=\(name) ") && $0.hasSuffix(" status=ok") }, "\(listed)")
        #expect(try admin.call("INFO").data.contains { $0.hasPrefix("* section=replication") && $0.contains(" sync=on ") })
    }

    @Test func anArchiveMadeWhileStreamingReachesTheStandbyFirst() throws {
        let primary = try Self.primary()
        defer { primary.stop() }
        let first = try Self.standby(of: primary)
        defer { first.stop() }
        let admin = try primary.login("admin")
        let reply = try admin.call("ARCHIVE through=\(ArchiveEndToEndTests.today)")
        #expect(reply.ok, "\(reply.status)")
        let name = try #require(reply["archive"])
        let line = try Self.listed(name, on: try first.login("admin"))
        #expect(line.hasSuffix(" status=ok"), "\(line)")
        #expect(line == (try admin.call("ARCHIVE LIST").data.first ?? ""))  // name, counts, bytes, seq, checksum
        // Stored as the primary stores it: the same bytes, no temporary file left.
        #expect(try Self.archiveFile(first, name) == Self.archiveFile(primary, name))
        #expect(!FileManager.default.fileExists(atPath: first.directory.path + "/\(name).tmp"))
        let standbyAdmin = try first.login("admin")
        let (seq, digest, standbyDigest) = try Self.sameSeqDigests(admin, standbyAdmin)
        #expect(digest == standbyDigest, "seq \(seq)")
        #expect(try standbyAdmin.call("SHOW R000001").status.hasSuffix(" archive=\(name)"))
        let memory = try standbyAdmin.call("INFO").data.first { $0.hasPrefix("* section=memory") } ?? ""
        #expect(memory.contains(" archives=1 archived_returns=1 ") && memory.hasSuffix(" archives_damaged=0"), "\(memory)")
        // Restarted, the standby replays or loads the commit with its archive in place.
        let again = try first.restart(["--standby-of", "127.0.0.1:\(primary.port)", "--standby-user", Self.replicaUser, "--backup-every", "0"],
                                      environment: ["RETURNLEDGER_STANDBY_PASSWORD": Self.replicaPassword])
        defer { again.stop() }
        let restarted = try again.login("admin")
        #expect(try Self.listed(name, on: restarted).hasSuffix(" status=ok"))
        let (_, digestAfter, standbyAfter) = try Self.sameSeqDigests(admin, restarted)
        #expect(digestAfter == standbyAfter)
    }

    @Test func aSeedBringsTheArchivesItsSnapshotNames() throws {
        let primary = try Self.primary()
        defer { primary.stop() }
        let admin = try primary.login("admin")
        let name = try #require(try admin.call("ARCHIVE through=\(ArchiveEndToEndTests.today)")["archive"])
        #expect(try admin.call("SNAPSHOT").ok)
        let standby = try Self.standby(of: primary)
        defer { standby.stop() }
        let standbyAdmin = try standby.login("admin")
        let line = try Self.listed(name, on: standbyAdmin)
        #expect(line.hasSuffix(" status=ok"), "\(line)")
        #expect(try Self.archiveFile(standby, name) == Self.archiveFile(primary, name))
        let (seq, digest, standbyDigest) = try Self.sameSeqDigests(admin, standbyAdmin)
        #expect(digest == standbyDigest, "seq \(seq)")
        #expect(try standbyAdmin.call("VERIFY").ok)
    }

    /// An archive damaged on the primary when it must go: the link ends before its record (the
    /// standby keeps what it had and retries); once a good copy is back, it goes on.
    @Test func aDamagedArchiveStopsTheStreamBeforeItsRecord() throws {
        let primary = try Self.primary()
        defer { primary.stop() }
        let first = try Self.standby(of: primary)
        defer { first.stop() }
        let admin = try primary.login("admin")
        _ = try Self.sameSeqDigests(admin, try first.login("admin"))  // streaming
        first.stop(keepData: true)
        let reply = try admin.call("ARCHIVE through=\(ArchiveEndToEndTests.today)")
        let name = try #require(reply["archive"])
        let archiveSeq = try #require(reply["seq"].flatMap { UInt64($0) })
        let path = primary.directory.path + "/\(name).rla"
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        var flipped = good
        flipped[flipped.count / 3] ^= 0x40  // inside a record block: only reading it all finds it
        try flipped.write(to: URL(fileURLWithPath: path))
        let standby = try Self.standby(of: primary, directory: first.directory)
        defer { standby.stop() }
        let standbyAdmin = try standby.login("admin")
        // It connected and lost the link (the primary ended it at the archive): nothing of it here.
        let lostLine = try Self.waitFor("the standby losing the link at the archive") {
            try standbyAdmin.call("INFO").data.first { $0.hasPrefix("* section=replication") && !$0.contains(" error=\"\"") && !$0.hasSuffix(" error=") }
        }
        #expect(try standbyAdmin.call("ARCHIVE LIST").status == "OK count=0", "\(lostLine)")
        #expect(try #require(UInt64(try standbyAdmin.call("DIGEST")["seq"] ?? "")) < archiveSeq)
        #expect(!FileManager.default.fileExists(atPath: standby.directory.path + "/\(name).rla"))
        // A good copy back: the standby's next try takes the archive, then its record.
        try good.write(to: URL(fileURLWithPath: path))
        let line = try Self.listed(name, on: standbyAdmin)
        #expect(line.hasSuffix(" status=ok"), "\(line)")
        let (_, digest, standbyDigest) = try Self.sameSeqDigests(admin, standbyAdmin)
        #expect(digest == standbyDigest)
        primary.stop(keepData: true)
        let log = primary.stderrText()
        #expect(log.contains("archive \(name) is damaged"), "\(log)")
    }
}
