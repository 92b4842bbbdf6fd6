import COpenSSL
import Glibc

/// A blocking TCP connection with a read buffer: enough for a closed-loop load generator.
/// With `tls` it speaks TLS (the certificate is not checked: this measures speed, not trust).
final class Connection {
    let fd: Int32
    private var ssl: OpaquePointer?
    /// One client context for every connection (`SSL_CTX` is shared safely once set up).
    nonisolated(unsafe) static let tlsContext: OpaquePointer? = {
        let context = SSL_CTX_new(TLS_client_method())
        if let context { SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil) }
        return context
    }()
    private var buffer: [UInt8] = []
    private var start = 0
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(host: String, port: Int, tls: Bool = false) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            throw Failure(description: "cannot connect to \(host):\(port) (errno \(errno))")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        buffer.reserveCapacity(1 << 16)
        if tls {
            guard let context = Connection.tlsContext, let ssl = SSL_new(context) else {
                close(fd)
                throw Failure(description: "cannot set up TLS")
            }
            self.ssl = ssl
            SSL_set_fd(ssl, fd)
            guard SSL_connect(ssl) == 1 else {
                throw Failure(description: "TLS handshake with \(host):\(port) failed")
            }
        }
    }

    deinit {
        if let ssl {
            SSL_shutdown(ssl)
            SSL_free(ssl)
        }
        close(fd)
        scratch.deallocate()
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { raw -> Int in
                if let ssl { return Int(SSL_write(ssl, raw.baseAddress! + sent, Int32(bytes.count - sent))) }
                return Glibc.send(fd, raw.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "send failed (errno \(errno))") }
            sent += n
        }
    }

    /// One line without its CRLF/LF.
    func readLine() throws -> ArraySlice<UInt8> {
        while true {
            if let lf = buffer[start...].firstIndex(of: 0x0A) {
                var end = lf
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let line = buffer[start..<end]
                start = lf + 1
                return line
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            try fill()
        }
    }

    /// One recv into the connection's scratch, appended to the buffer. The scratch is allocated
    /// once and never zeroed: a load generator that memsets 64 KiB per reply takes CPU from the
    /// server it measures on a two-core machine.
    private func fill() throws {
        while true {
            let n = ssl.map { Int(SSL_read($0, scratch.baseAddress, Int32(scratch.count))) }
                ?? recv(fd, scratch.baseAddress, scratch.count, 0)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "connection closed") }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
            return
        }
    }

    /// Exactly `count` bytes (RESP bulk strings), then the CRLF after them.
    func readBytes(_ count: Int) throws -> ArraySlice<UInt8> {
        while buffer.count - start < count + 2 {
            try fill()
        }
        let bytes = buffer[start..<(start + count)]
        start += count + 2
        return bytes
    }
}

/// ReturnLedger's protocol: a reply is `* ` lines, then the line starting with OK or ERR.
struct LineReply {
    var status: String
    var ok: Bool { status.hasPrefix("OK") }
    func field(_ key: String) -> String? {
        guard let range = status.range(of: " " + key + "=") else { return nil }
        return String(status[range.upperBound...].prefix { $0 != " " })
    }
}

extension Connection {
    func readLineReply() throws -> LineReply {
        while true {
            let line = try readLine()
            if line.first == UInt8(ascii: "O") || line.first == UInt8(ascii: "E") {
                return LineReply(status: String(decoding: line, as: UTF8.self))
            }
        }
    }

    func call(_ line: String) throws -> LineReply {
        try send(Array((line + "\n").utf8))
        return try readLineReply()
    }
}

/// RESP (Redis): encode a command, read one reply of any type.
enum RESP {
    static func command(_ args: [String]) -> [UInt8] {
        var out = Array("*\(args.count)\r\n".utf8)
        for arg in args {
            out += Array("$\(arg.utf8.count)\r\n".utf8)
            out += Array(arg.utf8)
            out += [0x0D, 0x0A]
        }
        return out
    }

    indirect enum Value {
        case simple(String), error(String), integer(Int), bulk(String?), array([Value])
        var isError: Bool { if case .error = self { return true } else { return false } }
        var text: String? {
            switch self {
            case .simple(let s): return s
            case .bulk(let s): return s
            case .integer(let i): return String(i)
            default: return nil
            }
        }
    }

    static func read(_ c: Connection) throws -> Value {
        let line = try c.readLine()
        guard let kind = line.first else { throw Connection.Failure(description: "empty RESP line") }
        let rest = String(decoding: line.dropFirst(), as: UTF8.self)
        switch kind {
        case UInt8(ascii: "+"): return .simple(rest)
        case UInt8(ascii: "-"): return .error(rest)
        case UInt8(ascii: ":"): return .integer(Int(rest) ?? 0)
        case UInt8(ascii: "$"):
            let n = Int(rest) ?? -1
            if n < 0 { return .bulk(nil) }
            return .bulk(String(decoding: try c.readBytes(n), as: UTF8.self))
        case UInt8(ascii: "*"):
            let n = Int(rest) ?? -1
            if n < 0 { return .array([]) }
            var items: [Value] = []
            for _ in 0..<n { items.append(try read(c)) }
            return .array(items)
        default:
            throw Connection.Failure(description: "bad RESP reply \(rest)")
        }
    }

    static func call(_ c: Connection, _ args: [String]) throws -> Value {
        try c.send(command(args))
        return try read(c)
    }
}
