import Dispatch
import Foundation
import Glibc
import Testing

/// The real `returnledger` binary, started on `--port 0` in a temporary data directory; stopped
/// with SIGTERM and its directory removed when the test is done with it.
final class ServerProcess: @unchecked Sendable {
    static let adminPassword = "admin-pw-1"
    let process = Process()
    let directory: URL
    private(set) var port = 0
    /// The `ready host= port= data=` line the server printed.
    private(set) var readyLine = ""
    private let stdout = Pipe()
    private let stderr = Pipe()

    /// The binary sits next to the test bundle in the build products directory.
    static var binary: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("returnledger")
    }

    /// Whether `stop` removes the data directory (not when a test restarts on it).
    private let ownsDirectory: Bool

    init(_ arguments: [String] = [], demo: Bool = false, environment: [String: String] = [:],
         directory existing: URL? = nil) throws {
        directory = existing ?? FileManager.default.temporaryDirectory.appendingPathComponent("rl-test-\(UUID().uuidString)")
        ownsDirectory = existing == nil
        process.executableURL = ServerProcess.binary
        process.arguments = ["--port", "0", "--data", directory.path] + (demo ? ["--demo"] : []) + arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RETURNLEDGER_") }
        env["RETURNLEDGER_ADMIN_PASSWORD"] = ServerProcess.adminPassword
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        port = try waitForReady()
    }

    /// Reads stdout until the `ready ... port=P` line; no fixed sleeps, and a deadline.
    private func waitForReady() throws -> Int {
        let text = try readUntil(stdout.fileHandleForReading, contains: "ready ", seconds: 60)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ready ") }),
              let portField = line.split(separator: " ").first(where: { $0.hasPrefix("port=") }),
              let port = Int(portField.dropFirst(5)) else {
            throw StartError(message: "server exited before ready: \(errorText())")
        }
        readyLine = String(line)
        return port
    }

    struct StartError: Error { var message: String }

    func errorText() -> String {
        String(decoding: stderr.fileHandleForReading.availableData, as: UTF8.self)
    }

    func connect() throws -> Client { try Client(port: port) }

    /// A client logged in as `user` (password = user name for demo users).
    func login(_ user: String, password: String? = nil) throws -> Client {
        let client = try connect()
        let reply = try client.call("AUTH \(user) \(password ?? (user == "admin" ? ServerProcess.adminPassword : user))")
        guard reply.ok else { throw StartError(message: "login \(user) failed: \(reply.status)") }
        return client
    }

    /// SIGTERM, wait, and return the exit status. (The directory is removed only if this
    /// process created it; `stop` again is harmless.)
    @discardableResult
    func stop(keepData: Bool = false) -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            // A server that does not stop within a minute is killed, and its status says so.
            withWatchdog(process.processIdentifier, seconds: 60) { process.waitUntilExit() }
        }
        if !keepData {
            if ownsDirectory { try? FileManager.default.removeItem(at: directory) }
            try? FileManager.default.removeItem(atPath: directory.path + "-backups")  // the default --backup-dir
        }
        return process.terminationStatus
    }

    /// SIGKILL: no shutdown, no flush; the data directory stays for a restart.
    func crash() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A new server on the same data directory (which the caller then owns).
    func restart(_ arguments: [String] = [], environment: [String: String] = [:]) throws -> ServerProcess {
        stop(keepData: true)
        return try ServerProcess(arguments, environment: environment, directory: directory)
    }

    /// Everything the server wrote to stderr so far (once it has exited).
    func stderrText() -> String { String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if ownsDirectory { try? FileManager.default.removeItem(at: directory) }
    }
}

/// Reads from `handle` until the text holds `marker`, the writer closes, or `seconds` pass
/// (then throws): `poll(2)` with the time left, so a server that hangs fails the test instead
/// of hanging it.
func readUntil(_ handle: FileHandle, contains marker: String, seconds: Int) throws -> String {
    let deadline = DispatchTime.now() + .seconds(seconds)
    var buffer: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while !String(decoding: buffer, as: UTF8.self).contains(marker) {
        let left = Int(deadline.uptimeNanoseconds) - Int(DispatchTime.now().uptimeNanoseconds)
        guard left > 0 else { throw ServerProcess.StartError(message: "no \(marker) within \(seconds) s") }
        var pfd = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, Int32(min(left / 1_000_000, 1000)))
        if ready < 0, errno == EINTR { continue }
        guard ready > 0 else { continue }
        let n = read(handle.fileDescriptor, &chunk, chunk.count)
        if n <= 0 { break }  // closed: the caller sees what there was
        buffer.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: buffer, as: UTF8.self)
}

/// Runs `body` (which waits for process `pid`); SIGKILLs the process if it is still running
/// after `seconds`, so a hung child fails its test instead of hanging the suite.
func withWatchdog<T>(_ pid: Int32, seconds: Int, _ body: () throws -> T) rethrows -> T {
    let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
    DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(seconds), execute: watchdog)
    defer { watchdog.cancel() }
    return try body()
}
