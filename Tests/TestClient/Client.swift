import Foundation
import Glibc
import Testing

/// A blocking line client over a real TCP socket, as a register would be.
public final class Client: @unchecked Sendable {
    public let fd: Int32
    private var buffer: [UInt8] = []
    /// Push lines (`! ...`, after WATCH) met while reading replies, oldest first.
    public var pushes: [String] = []

    public struct Reply: CustomStringConvertible {
        public var data: [String]
        public var status: String
        public var ok: Bool { status.hasPrefix("OK") }
        /// The error code of an `ERR CODE ...` line.
        public var code: String? {
            guard status.hasPrefix("ERR ") else { return nil }
            return String(status.dropFirst(4).prefix { $0 != " " })
        }
        /// A status field's value (bare values only).
        public subscript(key: String) -> String? { Client.field(key, in: status) }
        public var description: String { (data + [status]).joined(separator: "\n") }
    }

    public struct Failure: Error {
        public var message: String
        public init(message: String) { self.message = message }
    }

    public init(port: Int, timeoutSeconds: Int = 20, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw Failure(message: "connect failed: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    public func send(_ text: String) throws { try sendBytes(Array(text.utf8)) }

    public func sendBytes(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(message: "send failed: errno \(errno)") }
            sent += n
        }
    }

    /// One line without its LF, or nil when the server closed the connection.
    public func readLine() throws -> String? {
        while true {
            if let lf = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<lf], as: UTF8.self)
                buffer.removeSubrange(...lf)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return nil }
            guard n > 0 else { throw Failure(message: "recv failed or timed out: errno \(errno)") }
            buffer += chunk[0..<n]
        }
    }

    /// The next push line, or nil when none arrives within `seconds` (a reply line is a failure).
    public func nextPush(within seconds: Double) throws -> String? {
        if !pushes.isEmpty { return pushes.removeFirst() }
        if !buffer.contains(0x0A) {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(seconds * 1000)) == 1 else { return nil }
        }
        guard let line = try readLine() else { throw Failure(message: "closed while waiting for a push") }
        guard line.hasPrefix("! ") else { throw Failure(message: "expected a push line, got \(line)") }
        return line
    }

    /// Exactly `count` raw bytes (telnet answers are not lines).
    public func readBytes(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure(message: "closed or timed out waiting for \(count) bytes: errno \(errno)") }
            buffer += chunk[0..<n]
        }
        let bytes = Array(buffer[..<count])
        buffer.removeFirst(count)
        return bytes
    }

    /// Reads `* ` lines until the `OK`/`ERR` line.
    public func readReply() throws -> Reply {
        var data: [String] = []
        while let line = try readLine() {
            if line.hasPrefix("OK") || line.hasPrefix("ERR") { return Reply(data: data, status: line) }
            if line.hasPrefix("! ") {
                #expect(data.isEmpty, "a push inside a reply: \(line)")
                pushes.append(line)
                continue
            }
            data.append(line)
        }
        throw Failure(message: "connection closed mid-reply")
    }

    public func call(_ line: String) throws -> Reply {
        try send(line + "\n")
        return try readReply()
    }

    /// Files `count` one-unit returns of A100 against `order` in a single write (pipelined),
    /// with keys `<keyPrefix>-0`, `-1`, ...; read the replies with `readReplies`.
    public func sendReturns(order: String, count: Int, keyPrefix: String, note: String = "") throws {
        let noteField = note.isEmpty ? "" : " note=\"\(note)\""
        try send((0..<count).map { "RETURN \(order) A100:1 reason=DEFECTIVE\(noteField) key=\(keyPrefix)-\($0)\n" }.joined())
    }

    public func readReplies(_ count: Int) throws -> [Reply] { try (0..<count).map { _ in try readReply() } }

    /// True when the server has closed the connection (reads EOF).
    public func isClosedByServer() throws -> Bool { try readLine() == nil }

    /// A field's value on a reply line, with quoted values unescaped.
    public static func field(_ key: String, in line: String) -> String? {
        guard let range = line.range(of: " " + key + "=") else { return nil }
        let rest = line[range.upperBound...]
        if rest.first == "\"" {
            var bytes: [UInt8] = []
            var utf8 = Array(rest.utf8).dropFirst()[...]
            while let byte = utf8.popFirst() {
                if byte == UInt8(ascii: "\"") { break }
                guard byte == UInt8(ascii: "\\"), let escaped = utf8.popFirst() else { bytes.append(byte); continue }
                switch escaped {
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "x"):
                    let hex = String(decoding: utf8.prefix(2), as: UTF8.self)
                    utf8 = utf8.dropFirst(2)
                    bytes.append(UInt8(hex, radix: 16) ?? 0)
                default: bytes.append(escaped)
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(rest.prefix { $0 != " " })
    }
}
