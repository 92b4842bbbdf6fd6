import Dispatch
import Foundation
import Glibc
@testable import ReturnLedgerServer
import Testing

/// A standby's link to its primary: lines and bytes over plain TCP with deadlines, and TLS that
/// trusts only the given CA and checks the host name, refusing a certificate that does not match.
/// Every wait here has a deadline: readiness is polled, never slept for.
@Suite struct ClientLinkTests {
    @Test func plainLinkWritesReadsLinesTimesOutAndSeesTheClose() throws {
        let (listener, port) = try listen()
        defer { Glibc.close(listener) }
        let link = try ClientLink.connect(host: "127.0.0.1", port: port, caFile: nil, timeoutMillis: 2_000)
        defer { link.close() }
        let server = try acceptOne(listener)
        defer { Glibc.close(server) }

        try link.write(Array("HELLO standby\n".utf8), timeoutMillis: 2_000)
        #expect(try receive(server, count: 14) == Array("HELLO standby\n".utf8))

        send(server, "line one\r\nline two\npartial")
        #expect(try link.readLine(maxLine: 100, timeoutMillis: 2_000) == "line one")
        #expect(try link.readLine(maxLine: 100, timeoutMillis: 2_000) == "line two")
        #expect(link.hasBuffered)  // "partial" came with the lines
        #expect(try link.read(max: 100, timeoutMillis: 2_000) == Array("partial".utf8))
        #expect(!link.hasBuffered)

        // Nothing sent: the read waits out its deadline and returns nothing.
        let clock = ContinuousClock()
        let started = clock.now
        #expect(try link.read(max: 100, timeoutMillis: 200) == [])
        let elapsed = clock.now - started
        #expect(elapsed >= .milliseconds(195) && elapsed < .seconds(2), "waited \(elapsed)")

        // A line without its end does not come back; a too-long one is an error.
        send(server, "no end yet")
        #expect(failure { () throws(LinkError) in _ = try link.readLine(maxLine: 100, timeoutMillis: 100) } != nil)
        send(server, " and then some\n")
        #expect(try link.readLine(maxLine: 100, timeoutMillis: 2_000) == "no end yet and then some")
        send(server, String(repeating: "x", count: 50) + "\n")
        #expect(failure { () throws(LinkError) in _ = try link.readLine(maxLine: 10, timeoutMillis: 2_000) }?.refused == false)

        Glibc.close(server)
        let closed = failure { () throws(LinkError) in
            for _ in 0..<4 { _ = try link.read(max: 100, timeoutMillis: 2_000) }  // drains what is left, then the close
        }
        #expect(closed?.refused == false)
        link.close()
        link.close()  // idempotent
        #expect(link.fd == -1)
    }

    @Test func nobodyListeningIsAnErrorNotARefusal() throws {
        let port = try freePort()
        let error = failure { () throws(LinkError) in
            _ = try ClientLink.connect(host: "127.0.0.1", port: port, caFile: nil, timeoutMillis: 2_000)
        }
        #expect(error?.refused == false)
        #expect(error?.message.contains("cannot connect to 127.0.0.1:\(port)") == true)
    }

    @Test func tlsTrustsOnlyItsCAAndChecksTheHost() throws {
        _ = signal(SIGPIPE, SIG_IGN)  // as the server does at start-up (Runner.blockStopSignals)
        let directory = NSTemporaryDirectory() + "rl-link-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // make-cert.sh names localhost, 127.0.0.1 and NAME; "other" is a CA that signed nothing here.
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tools/make-cert.sh").path
        try run(["bash", script, "primary"], in: directory)
        try run(["bash", script, "other"], in: directory)
        let port = try freePort()
        let (server, exited) = try startTLSServer(certificate: directory + "/primary.crt", key: directory + "/primary.key", port: port)
        defer {
            // SIGKILL: the child inherits the test thread's signal mask, where SIGTERM may be blocked.
            kill(server.processIdentifier, SIGKILL)
            _ = exited.wait(timeout: .now() + 10)
        }

        for host in ["localhost", "127.0.0.1"] {
            let link = try ClientLink.connect(host: host, port: port, caFile: directory + "/primary.crt", timeoutMillis: 5_000)
            try link.write(Array("GET / HTTP/1.0\r\n\r\n".utf8), timeoutMillis: 2_000)
            let status = try link.readLine(maxLine: 1_000, timeoutMillis: 5_000)
            #expect(status.hasPrefix("HTTP/1.0 200"), "\(host): \(status)")
            // -www closes after its page: reading on ends in an error that is not a refusal.
            let end = failure { () throws(LinkError) in
                for _ in 0..<1_000 where try !link.read(max: 65_536, timeoutMillis: 5_000).isEmpty {}
            }
            #expect(end?.refused == false)
            link.close()
        }

        let untrusted = failure { () throws(LinkError) in
            _ = try ClientLink.connect(host: "localhost", port: port, caFile: directory + "/other.crt", timeoutMillis: 5_000)
        }
        #expect(untrusted?.refused == true)
        #expect(untrusted?.message.hasPrefix("certificate verify failed") == true, "\(untrusted?.message ?? "")")

        // 127.0.0.2 reaches the same server (it listens on every address), but the certificate does not name it.
        let wrongHost = failure { () throws(LinkError) in
            _ = try ClientLink.connect(host: "127.0.0.2", port: port, caFile: directory + "/primary.crt", timeoutMillis: 5_000)
        }
        #expect(wrongHost?.refused == true)
        #expect(wrongHost?.message.hasPrefix("certificate verify failed") == true, "\(wrongHost?.message ?? "")")

        let noCAFile = failure { () throws(LinkError) in
            _ = try ClientLink.connect(host: "localhost", port: port, caFile: directory + "/missing.crt", timeoutMillis: 5_000)
        }
        #expect(noCAFile?.refused == false)
    }
}

// MARK: - Helpers

private struct TestFailure: Error, CustomStringConvertible {
    var description: String
}

private func failure(_ body: () throws(LinkError) -> Void) -> LinkError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// A listening TCP socket on 127.0.0.1 and the port the kernel picked.
private func listen() throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw TestFailure(description: "socket: errno \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound, Glibc.listen(fd, 8) == 0 else {
        Glibc.close(fd)
        throw TestFailure(description: "bind/listen: errno \(errno)")
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// A port nothing listens on (for the moment): bound, looked at, closed.
private func freePort() throws -> Int {
    let (fd, port) = try listen()
    Glibc.close(fd)
    return port
}

/// Waits (at most 5 s) until `fd` is readable.
private func waitReadable(_ fd: Int32, milliseconds: Int32 = 5_000) throws {
    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&p, 1, milliseconds) == 1 else { throw TestFailure(description: "nothing to read within \(milliseconds) ms") }
}

private func acceptOne(_ listener: Int32) throws -> Int32 {
    try waitReadable(listener)
    let fd = accept(listener, nil, nil)
    guard fd >= 0 else { throw TestFailure(description: "accept: errno \(errno)") }
    return fd
}

/// Exactly `count` bytes from `fd`, each read waited for at most 5 s.
private func receive(_ fd: Int32, count: Int) throws -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: count)
    while bytes.count < count {
        try waitReadable(fd)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, count - bytes.count, 0) }
        guard n > 0 else { throw TestFailure(description: "peer closed after \(bytes.count) bytes") }
        bytes += chunk[0..<n]
    }
    return bytes
}

private func send(_ fd: Int32, _ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
}

/// Runs a command to its end, at most 30 seconds; throws unless it exits 0.
private func run(_ arguments: [String], in directory: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.standardOutput = FileHandle.nullDevice
    let done = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in done.signal() }
    try process.run()
    guard done.wait(timeout: .now() + 30) == .success else {
        kill(process.processIdentifier, SIGKILL)
        throw TestFailure(description: "\(arguments) did not finish within 30 s")
    }
    guard process.terminationStatus == 0 else { throw TestFailure(description: "\(arguments) exited \(process.terminationStatus)") }
}

/// `openssl s_server -www` on `port` (every address), returned once it says ACCEPT (at most 10 s),
/// with a semaphore signalled when it exits.
private func startTLSServer(certificate: String, key: String, port: Int) throws -> (Process, DispatchSemaphore) {
    let process = Process()
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl", "s_server", "-cert", certificate, "-key", key, "-accept", String(port), "-www"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let fd = output.fileHandleForReading.fileDescriptor
    var seen: [UInt8] = []
    let deadline = ContinuousClock.now + .seconds(10)
    while !String(decoding: seen, as: UTF8.self).contains("ACCEPT") {
        let left = deadline - ContinuousClock.now
        guard left > .zero else {
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure(description: "openssl s_server did not start within 10 s: \(String(decoding: seen, as: UTF8.self))")
        }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(left.components.seconds * 1_000 + 1)) > 0 else { continue }
        var chunk = [UInt8](repeating: 0, count: 256)
        let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n > 0 { seen += chunk[0..<n] } else if n == 0 {
            throw TestFailure(description: "openssl s_server exited: \(String(decoding: seen, as: UTF8.self))")
        }
    }
    return (process, exited)
}
