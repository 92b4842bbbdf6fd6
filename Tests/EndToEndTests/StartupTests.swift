import Foundation
import Glibc
import Testing

/// Runs the binary to completion and returns its status and stderr.
func runToExit(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stderr: String) {
    let process = Process()
    process.executableURL = ServerProcess.binary
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RETURNLEDGER_") }
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = Pipe()
    try process.run()
    // A server that should exit but does not is killed after a minute (the test then fails on
    // its status) instead of hanging the suite.
    let text = withWatchdog(process.processIdentifier, seconds: 60) {
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }
    return (process.terminationStatus, text)
}

@Suite struct StartupTests {
    @Test(arguments: [["--bogus"], ["--port", "http"], ["--fsync", "sometimes"], ["--max-line"], ["--port", "70000"],
                      ["--max-client-buffer", "10"], ["--max-client-buffer", "1T"], ["--max-memory", "lots"],
                      ["--backup-every", "soon"], ["--backup-every", "400d"], ["--backup-keep", "0"], ["--log-keep", "-1"],
                      ["--restore"], ["--backup-dir", ""], ["--snapshot-growth", "-5"], ["--snapshot-growth", "half"]])
    func badFlagsExitTwoWithOneLine(arguments: [String]) throws {
        let (status, stderr) = try runToExit(arguments + ["--data", FileManager.default.temporaryDirectory.path])
        #expect(status == 2)
        #expect(stderr.split(separator: "\n").count == 1)
        #expect(stderr.hasPrefix("returnledger: "))
    }

    @Test func portInUseExitsTwo() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let (status, stderr) = try runToExit(["--port", String(server.port), "--data", server.directory.path + "-2"])
        try? FileManager.default.removeItem(atPath: server.directory.path + "-2")
        #expect(status == 2)
        #expect(stderr.contains("cannot listen"))
        #expect(!stderr.contains("Fatal error"))
        // It listens before creating the admin: no password is shown for a start that failed.
        #expect(!stderr.contains("password"), "\(stderr)")
    }

    @Test func versionAndHelpExitZero() throws {
        let (status, _) = try runToExit(["--version"])
        #expect(status == 0)
        let (helpStatus, _) = try runToExit(["--help"])
        #expect(helpStatus == 0)
    }

    @Test func demoOnAShopThatExistsSaysItIsIgnored() throws {
        let first = try ServerProcess(demo: true)
        let second = try first.restart(["--demo"])
        defer { second.stop() }
        #expect(second.stop(keepData: true) == 0)
        #expect(second.stderrText().contains("--demo ignored"))
        try? FileManager.default.removeItem(at: second.directory)
    }

    @Test func dataPathThatIsAFileExitsTwo() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rl-file-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, stderr) = try runToExit(["--port", "0", "--data", file.path])
        #expect(status == 2)
        #expect(stderr.contains("not a directory"))
    }

    @Test func sigtermStopsCleanlyWithStatusZero() throws {
        let server = try ServerProcess()
        let client = try server.connect()
        #expect(try client.call("PING").ok)
        #expect(server.stop() == 0)
        #expect(try client.isClosedByServer())
    }

    @Test func readyLineNamesHostPortAndData() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        #expect(server.port > 0)
        #expect(server.readyLine == "ready host=127.0.0.1 port=\(server.port) data=\(server.directory.path)")
        #expect(try server.connect().call("PING").status == "OK pong")
    }

    @Test func withoutAPasswordTheAdminGetsARandomOnePrintedOnce() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rl-rand-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(atPath: directory.path + "-backups")
        }
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = ["--port", "0", "--data", directory.path]
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RETURNLEDGER_") }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        defer { kill(process.processIdentifier, SIGTERM); process.waitUntilExit() }
        // A deadline, and no spinning if the server exits before `ready`.
        let text = try readUntil(out.fileHandleForReading, contains: "ready ", seconds: 60)
        let port = try #require(text.split(separator: " ").first { $0.hasPrefix("port=") }.flatMap { Int($0.dropFirst(5)) })
        let notice = String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
        let password = try #require(notice.split(separator: " ").drop { $0 != "password" }.dropFirst().first)
        let client = try Client(port: port)
        #expect(try client.call("AUTH admin \(password)").status == "OK user=admin role=admin")
    }

    @Test func environmentSetsFlagsAndFlagsWin() throws {
        let server = try ServerProcess(["--max-line", "128"], environment: ["RETURNLEDGER_MAX_LINE": "100000"])
        defer { server.stop() }
        let client = try server.connect()
        #expect(try client.call("PING " + String(repeating: "y", count: 200)).code == "TOO_LONG")
        // One-shot flags never come from the environment: no demo shop from RETURNLEDGER_DEMO, and
        // no restore from RETURNLEDGER_RESTORE (a folder that is not there would exit 2).
        let plain = try ServerProcess(environment: ["RETURNLEDGER_DEMO": "yes", "RETURNLEDGER_RESTORE": "/nonexistent-backup"])
        defer { plain.stop() }
        #expect(try plain.connect().call("AUTH clerk1 clerk1").code == "AUTH")
    }
}

/// The data directory's LOCK (one server per directory), and `--reset-admin` (issue 14).
@Suite struct DirectoryLockTests {
    @Test func oneProcessPerDataDirectoryAndTheAdminPasswordCanBeReset() throws {
        var server = try ServerProcess(demo: true)
        defer { server.stop() }
        let pid = String(server.process.processIdentifier)
        // A second server, or a reset, while it runs: exit 2 naming the holder.
        let second = try runToExit(["--port", "0", "--data", server.directory.path])
        #expect(second.status == 2 && second.stderr.contains("in use by another returnledger (pid \(pid))"), "\(second.stderr)")
        let early = try runToExit(["--data", server.directory.path, "--reset-admin"])
        #expect(early.status == 2 && early.stderr.contains("pid \(pid)"), "\(early.stderr)")
        // Lock the admin out, stop the server, reset.
        let locker = try server.connect()
        for _ in 0..<10 { _ = try? Client(port: server.port).call("AUTH admin wrong") }
        #expect(try locker.call("AUTH admin \(ServerProcess.adminPassword)").code == "LOCKED")
        #expect(server.stop(keepData: true) == 0)
        let reset = try runToExit(["--data", server.directory.path, "--reset-admin"],
                                  environment: ["RETURNLEDGER_ADMIN_PASSWORD": "brand-new-pw"])
        #expect(reset.status == 0 && reset.stderr.contains("admin password reset"), "\(reset.stderr)")
        #expect(!reset.stderr.contains("brand-new-pw"))  // never printed when chosen
        // The flag is one-shot: never read from the environment.
        let fromEnv = try runToExit(["--data", server.directory.path, "--port", "0", "--host", "256.0.0.1"],
                                    environment: ["RETURNLEDGER_RESET_ADMIN": "yes"])
        #expect(fromEnv.status == 2 && !fromEnv.stderr.contains("admin password reset"), "\(fromEnv.stderr)")
        server = try server.restart()
        let admin = try server.login("admin", password: "brand-new-pw")
        #expect(try admin.call("WHOAMI").ok)
        #expect(try server.connect().call("AUTH admin \(ServerProcess.adminPassword)").code == "AUTH")
        let trail = try admin.call("AUDIT user=system limit=5").data
        #expect(trail.contains { $0.contains("command=RESET-ADMIN target=admin outcome=ok") }, "\(trail)")
    }
}
