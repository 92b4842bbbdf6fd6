import Foundation
import ReturnLedgerStorage
import Testing

/// The tools in `tools/`, run as a person would run them, against the real server's files.
/// (The random kill -9 crash test, `tools/crashtest.py`, is not run here: it is random by nature
/// and takes minutes; `.ci/run` runs 50 cycles of it with a printed seed.)
@Suite struct ToolTests {
    static var walBinary: URL { ServerProcess.binary.deletingLastPathComponent().appendingPathComponent("wal") }

    static func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, out: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = withWatchdog(process.processIdentifier, seconds: 120) {
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return text
        }
        return (process.terminationStatus, text)
    }

    @Test func walHelpAndADumpPastTheEndSayWhat() throws {
        let help = try ToolTests.run(ToolTests.walBinary, ["--help"])
        #expect(help.status == 0 && help.out.hasPrefix("usage: wal list DIR"))
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/golden-v1/snapshot").path
        let past = try ToolTests.run(ToolTests.walBinary, ["dump", golden, "--from", "1000"])
        #expect(past.status == 0)
        #expect(past.out.contains("no records from seq 1000 on (the last is 94)"), "\(past.out)")
    }

    @Test func walVerifyReplaysToTheLiveDigest() throws {
        let server = try ServerProcess(demo: true)
        defer { server.stop() }
        let clerk = try server.login("clerk1")
        #expect(try clerk.call("RETURN S-1002 A100:1 reason=DEFECTIVE note=\"盒子\"").ok)
        let auditor = try server.login("auditor1")
        let live = try auditor.call("DIGEST")
        let (status, out) = try ToolTests.run(ToolTests.walBinary, ["verify", server.directory.path])
        #expect(status == 0)
        #expect(out.contains("digest \(live["digest"] ?? "?")"))
        #expect(out.contains("state at seq \(live["seq"] ?? "?")"))

        let listing = try ToolTests.run(ToolTests.walBinary, ["list", server.directory.path])
        #expect(listing.out.contains("wal-00000000000000000001.log"))
        let dump = try ToolTests.run(ToolTests.walBinary, ["dump", server.directory.path])
        #expect(dump.out.contains("return filed R000001 sale order=S-1002 A100:1 amount=25.00 reason=DEFECTIVE by clerk1"))
        #expect(dump.out.contains("audit #"))
    }

    /// A document altered on disk, its record's checksum fixed so that start-up takes it: the
    /// running server's VERIFY names it (`ERR CHAIN`), and `wal verify` fails on it.
    @Test func aDocumentAlteredOnDiskIsFoundByVerifyAndWalVerify() throws {
        let server = try ServerProcess(demo: true)  // owns the directory until the test ends
        defer { server.stop() }
        let clerk = try server.login("clerk1"), supervisor = try server.login("supervisor1")
        #expect(try clerk.call("SALE S-CHAIN location=STORE1 A100:3").ok)
        for key in ["chain-1", "chain-2", "chain-3"] {
            let filed = try clerk.call("RETURN S-CHAIN A100:1 reason=DEFECTIVE key=\(key)")
            let approved = try supervisor.call("APPROVE \(filed["id"] ?? "?")")
            #expect(filed.ok && approved.ok, "\(filed) \(approved)")
        }
        let auditor = try server.login("auditor1")
        let documents = try auditor.call("VERIFY")
        #expect(documents.ok)
        let second = try supervisor.call("SHOW R000002")["doc"] ?? "?"
        #expect(try ToolTests.run(ToolTests.walBinary, ["verify", server.directory.path]).status == 0)

        // The second return's reason (chain-2's record) becomes another of the same length.
        server.stop(keepData: true)
        let path = server.directory.appendingPathComponent("wal-00000000000000000001.log")
        var bytes = [UInt8](try Data(contentsOf: path))
        let key = Array("chain-2".utf8), reason = Array("DEFECTIVE".utf8)
        guard let keyAt = (0...(bytes.count - key.count)).first(where: { Array(bytes[$0..<($0 + key.count)]) == key }),
              let reasonAt = (0..<keyAt).last(where: { Array(bytes[$0..<($0 + reason.count)]) == reason }) else {
            Issue.record("no filing of chain-2 in the log")
            return
        }
        bytes.replaceSubrange(reasonAt..<(reasonAt + reason.count), with: Array("WRONGSIZE".utf8))
        #expect(LogRecord.reseal(recordHolding: reasonAt, in: &bytes))
        try Data(bytes).write(to: path)

        let restarted = try ServerProcess(directory: server.directory)
        defer { restarted.stop() }
        let again = try restarted.login("auditor1")
        let verified = try again.call("VERIFY")
        #expect(verified.code == "CHAIN" && verified.status.hasPrefix("ERR CHAIN \(second) "), "\(verified)")
        #expect(try again.call("SHOW R000002")["reason"] == "WRONGSIZE")
        let (status, out) = try ToolTests.run(ToolTests.walBinary, ["verify", server.directory.path])
        #expect(status == 1 && out.contains("document chain broken: CHAIN \(second) "), "\(status) \(out)")
    }

    @Test func walVerifyReportsDamage() throws {
        let server = try ServerProcess(demo: true)
        defer { server.stop() }
        server.crash()
        let path = server.directory.appendingPathComponent("wal-00000000000000000001.log")
        var bytes = try Data(contentsOf: path)
        bytes[64] ^= 0xFF
        try bytes.write(to: path)
        let (status, out) = try ToolTests.run(ToolTests.walBinary, ["verify", server.directory.path])
        #expect(status == 1)
        #expect(out.contains("wal-00000000000000000001.log at offset 8"))
    }
}
