import Foundation
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
