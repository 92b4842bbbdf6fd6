import COpenSSL
import Glibc

/// Why a link failed, for the operator and INFO (`error=`): one line of text.
struct LinkError: Error, Sendable {
    let message: String
    /// The TLS certificate or host check failed: the caller shows `state=refused`, since retrying
    /// cannot help until someone fixes a certificate or the CA file.
    let refused: Bool

    init(message: String, refused: Bool = false) {
        self.message = message
        self.refused = refused
    }
}

/// A blocking client connection from this server to another ReturnLedger server (a warm
/// standby's link to its primary), plain TCP or TLS. It lives on a dedicated background thread,
/// not on an event loop, so it may block, but never without a deadline: the socket is
/// non-blocking and every wait is a poll(2) bounded by the caller's timeout, so a primary that
/// vanishes without a FIN cannot hang the standby. One thread at a time uses a link (hence
/// `@unchecked Sendable`: it is handed to its thread, not shared).
///
/// SIGPIPE: plain writes use `send(MSG_NOSIGNAL)`, but OpenSSL writes the socket with write(2);
/// the server ignores SIGPIPE at start-up (`Runner.blockStopSignals`), so a primary that went away
/// is an error here, not the end of the process.
final class ClientLink: @unchecked Sendable {
    /// The socket, e.g. for poll by the caller; -1 once closed.
    private(set) var fd: Int32
    /// `SSL *` with TLS, nil for plain TCP.
    private var ssl: OpaquePointer?
    /// OpenSSL reported a fatal error: no close_notify then (OpenSSL asks not to shut down after one).
    private var tlsFailed = false
    /// "host:port", for error messages.
    private let peer: String
    /// Bytes read past the last line `readLine` returned, from `start` on.
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where each read from the socket lands (256 KiB, allocated once per link).
    private var scratch = [UInt8](repeating: 0, count: 256 << 10)

    private init(fd: Int32, ssl: OpaquePointer?, peer: String) {
        self.fd = fd
        self.ssl = ssl
        self.peer = peer
    }

    deinit { close() }

    /// Connects to host:port within timeoutMillis. With caFile: TLS 1.2+, trusting only the
    /// certificates in caFile (PEM) and checking that the server's certificate names `host` (a DNS
    /// name, or an IP address when `host` is one). A failed check throws `refused`. Without
    /// caFile: plain TCP. The name lookup itself (getaddrinfo) has no deadline: give an address or
    /// a name /etc/hosts knows when that matters.
    static func connect(host: String, port: Int, caFile: String?, timeoutMillis: Int) throws(LinkError) -> ClientLink {
        let deadline = monotonicMillis() + timeoutMillis
        let peer = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let fd = try LinkSyscalls.connect(host: host, port: port, peer: peer, deadline: deadline)
        guard let caFile else { return ClientLink(fd: fd, ssl: nil, peer: peer) }
        let ssl: OpaquePointer
        do {
            ssl = try makeSession(fd: fd, host: host, caFile: caFile)
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
        let link = ClientLink(fd: fd, ssl: ssl, peer: peer)  // from here, close() frees both
        try link.handshake(deadline: deadline)
        return link
    }

    /// Writes all of `bytes`, or throws (closed, error, or the deadline passed).
    func write(_ bytes: [UInt8], timeoutMillis: Int) throws(LinkError) {
        let deadline = monotonicMillis() + timeoutMillis
        var sent = 0
        while sent < bytes.count {
            guard fd >= 0 else { throw LinkError(message: "link to \(peer) is closed") }
            let wait: Int16
            if let ssl {
                ERR_clear_error()
                let n = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress! + sent, Int32(min(bytes.count - sent, 1 << 30))) }
                if n > 0 { sent += Int(n); continue }
                wait = try waitFor(SSL_get_error(ssl, n), doing: "write to")
            } else {
                switch bytes.withUnsafeBytes({ Syscalls.write(fd, UnsafeRawBufferPointer(rebasing: $0[sent...])) }) {
                case .bytes(let n): sent += n; continue
                case .wouldBlock: wait = Int16(POLLOUT)
                case .closed: throw LinkError(message: "write to \(peer) failed: the connection is closed")
                }
            }
            guard try LinkSyscalls.wait(fd, for: wait, until: deadline) else {
                throw LinkError(message: "write to \(peer) timed out after \(timeoutMillis) ms (\(sent) of \(bytes.count) bytes sent)")
            }
        }
    }

    /// Reads what is available (at most `max` bytes), waiting up to timeoutMillis for something;
    /// returns [] when the wait ran out with nothing; throws when the peer closed or on error.
    /// Bytes already held (after a line, or decrypted by OpenSSL) come back without waiting.
    func read(max: Int, timeoutMillis: Int) throws(LinkError) -> [UInt8] {
        if start < buffer.count {
            let end = min(buffer.count, start + max)
            let bytes = Array(buffer[start..<end])
            start = end
            if start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
            return bytes
        }
        return try receive(max: max, deadline: monotonicMillis() + timeoutMillis)
    }

    /// Reads one line ending in "\n" (without it; a trailing "\r" removed), up to maxLine bytes,
    /// within timeoutMillis; bytes read past the line are kept for the next read/readLine. Throws
    /// when no whole line came in time (the bytes so far stay buffered) or the line is too long.
    func readLine(maxLine: Int, timeoutMillis: Int) throws(LinkError) -> String {
        let deadline = monotonicMillis() + timeoutMillis
        var searched = start
        while true {
            if let newline = buffer[searched...].firstIndex(of: 0x0A) {
                guard newline - start <= maxLine + 1 else { throw tooLong(maxLine) }  // + 1: a "\r" before the "\n"
                var end = newline
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                guard end - start <= maxLine else { throw tooLong(maxLine) }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                if start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
                return line
            }
            guard buffer.count - start <= maxLine + 1 else { throw tooLong(maxLine) }
            if start > 0 {  // keep only the partial line: the buffer never grows past one line and a read
                buffer.removeSubrange(0..<start)
                start = 0
            }
            searched = buffer.count
            let more = try receive(max: 16_384, deadline: deadline)
            if more.isEmpty {
                throw LinkError(message: "no whole line from \(peer) within \(timeoutMillis) ms")
            }
            buffer.append(contentsOf: more)
        }
    }

    /// Closes (TLS close_notify best effort: one non-blocking try, no wait for the reply). Idempotent.
    func close() {
        if let ssl {
            ERR_clear_error()
            if fd >= 0, !tlsFailed, SSL_is_init_finished(ssl) == 1 { _ = SSL_shutdown(ssl) }
            SSL_free(ssl)
            self.ssl = nil
        }
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
        buffer = []
        start = 0
    }

    /// True when read() would return bytes without touching the socket (buffered line bytes, or
    /// data OpenSSL already decrypted): the caller must not poll the socket for those.
    var hasBuffered: Bool {
        if start < buffer.count { return true }
        if let ssl { return SSL_pending(ssl) > 0 }
        return false
    }

    // MARK: - Inside

    private func tooLong(_ maxLine: Int) -> LinkError {
        LinkError(message: "a line from \(peer) is longer than \(maxLine) bytes")
    }

    /// One read from the socket (or OpenSSL), waiting until `deadline` for it: [] when the wait ran out.
    private func receive(max: Int, deadline: Int) throws(LinkError) -> [UInt8] {
        // Into the link's one scratch buffer: a standby reads after every fsync of its primary,
        // and a fresh zeroed megabyte per read was most of its CPU.
        let limit = Swift.max(1, Swift.min(max, scratch.count))
        while true {
            guard fd >= 0 else { throw LinkError(message: "link to \(peer) is closed") }
            let wait: Int16
            if let ssl {
                ERR_clear_error()
                let n = scratch.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32(limit)) }
                if n > 0 { return Array(scratch[0..<Int(n)]) }
                wait = try waitFor(SSL_get_error(ssl, n), doing: "read from")
            } else {
                switch scratch.withUnsafeMutableBytes({ Syscalls.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<limit])) }) {
                case .bytes(let n): return Array(scratch[0..<n])
                case .wouldBlock: wait = Int16(POLLIN)
                case .closed: throw LinkError(message: "\(peer) closed the connection")
                }
            }
            guard try LinkSyscalls.wait(fd, for: wait, until: deadline) else { return [] }
        }
    }

    /// What an unfinished SSL_read/SSL_write waits for (POLLIN or POLLOUT), or the error it ended in.
    private func waitFor(_ code: Int32, doing what: String) throws(LinkError) -> Int16 {
        switch code {
        case SSL_ERROR_WANT_READ: return Int16(POLLIN)
        case SSL_ERROR_WANT_WRITE: return Int16(POLLOUT)
        case SSL_ERROR_ZERO_RETURN: throw LinkError(message: "\(peer) closed the connection")  // close_notify: a clean end
        default:
            tlsFailed = true
            let reason = TLSContext.lastError()
            if code == SSL_ERROR_SYSCALL, reason == "unknown error" {  // an EOF without close_notify
                throw LinkError(message: "\(peer) closed the connection")
            }
            throw LinkError(message: "\(what) \(peer) failed: \(reason)")
        }
    }

    /// A client `SSL *` on `fd` that checks the certificate against caFile and `host`. The context
    /// is this link's own (a standby has one link; the CA file may change between reconnects): the
    /// session holds a reference, so the context is released here.
    private static func makeSession(fd: Int32, host: String, caFile: String) throws(LinkError) -> OpaquePointer {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw LinkError(message: "cannot set up TLS: \(TLSContext.lastError())")
        }
        defer { SSL_CTX_free(context) }
        _ = rl_ssl_ctx_set_min_tls12(context)
        _ = rl_ssl_ctx_set_partial_writes(context)  // a retried SSL_write may come with a moved array
        guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
            throw LinkError(message: "cannot read CA file \(caFile): \(TLSContext.lastError())")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        guard let ssl = SSL_new(context) else { throw LinkError(message: "cannot set up TLS: \(TLSContext.lastError())") }
        let named: Bool
        if LinkSyscalls.isAddress(host) {
            // An address is matched against the certificate's IP entries; SNI carries names only.
            named = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1
        } else {
            named = SSL_set1_host(ssl, host) == 1 && rl_ssl_set_tlsext_host_name(ssl, host) == 1
        }
        guard named, SSL_set_fd(ssl, fd) == 1 else {
            SSL_free(ssl)
            throw LinkError(message: "cannot set up TLS for \(host): \(TLSContext.lastError())")
        }
        SSL_set_connect_state(ssl)
        return ssl
    }

    /// The TLS handshake, by `deadline`; a certificate that does not check out is `refused`.
    private func handshake(deadline: Int) throws(LinkError) {
        guard let ssl else { return }
        do throws(LinkError) {
            while true {
                ERR_clear_error()
                let rc = SSL_do_handshake(ssl)
                if rc == 1 { return }
                let code = SSL_get_error(ssl, rc)
                tlsFailed = code != SSL_ERROR_WANT_READ && code != SSL_ERROR_WANT_WRITE
                let verify = SSL_get_verify_result(ssl)
                if verify != Int(X509_V_OK) {
                    throw LinkError(message: "certificate verify failed: \(String(cString: X509_verify_cert_error_string(verify)))",
                                    refused: true)
                }
                guard code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE else {
                    let reason = TLSContext.lastError()
                    throw LinkError(message: "TLS handshake with \(peer) failed: "
                                    + (reason == "unknown error" ? "the connection closed" : reason))
                }
                guard try LinkSyscalls.wait(fd, for: Int16(code == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), until: deadline) else {
                    throw LinkError(message: "TLS handshake with \(peer) timed out")
                }
            }
        } catch {
            close()
            throw error
        }
    }
}

// MARK: - System calls

/// The link's own system calls. By the codebase's rule `errno` is read only in Syscalls.swift,
/// but that file belongs to the event loop's side and is edited by others: these few calls
/// (non-blocking connect with a deadline, send, recv, poll) stay here, private, and read `errno`
/// right after the call that set it. EINTR is retried, EAGAIN is a value.
private enum LinkSyscalls {
    /// A connected non-blocking, close-on-exec TCP socket with TCP_NODELAY (a standby's
    /// acknowledgements are small and should not wait for Nagle), trying each address `host`
    /// resolves to in turn until `deadline`.
    static func connect(host: String, port: Int, peer: String, deadline: Int) throws(LinkError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0 else {
            throw LinkError(message: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var failure = "no address"
        var next = list
        while let info = next {
            next = info.pointee.ai_next
            let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
            let fd = socket(info.pointee.ai_family, type, 0)
            guard fd >= 0 else { failure = "socket: \(String(cString: strerror(errno)))"; continue }
            switch attempt(fd, info.pointee.ai_addr, info.pointee.ai_addrlen, deadline: deadline) {
            case nil:
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return fd
            case let reason?:
                _ = Glibc.close(fd)
                failure = reason
            }
            if monotonicMillis() >= deadline { break }
        }
        throw LinkError(message: "cannot connect to \(peer): \(failure)")
    }

    /// One non-blocking connect, polled until `deadline`: nil when connected, else why not.
    private static func attempt(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t,
                                deadline: Int) -> String? {
        if Glibc.connect(fd, address, length) == 0 { return nil }
        guard errno == EINPROGRESS || errno == EINTR else { return String(cString: strerror(errno)) }
        do {
            guard try wait(fd, for: Int16(POLLOUT), until: deadline) else { return "timed out" }
        } catch {
            return error.message
        }
        var code: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &size) == 0 else { return String(cString: strerror(errno)) }
        return code == 0 ? nil : String(cString: strerror(code))
    }

    /// Waits until `fd` is ready for `events` (or failed: the next call reports it) or `deadline`
    /// (monotonic milliseconds) passes: false when it passed.
    static func wait(_ fd: Int32, for events: Int16, until deadline: Int) throws(LinkError) -> Bool {
        while true {
            let left = deadline - monotonicMillis()
            guard left > 0 else { return false }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let n = poll(&p, 1, Int32(min(left, Int(Int32.max))))
            if n > 0 { return true }
            if n == 0 { continue }  // the loop's clock check decides: poll may wake a millisecond early
            if errno != EINTR { throw LinkError(message: "poll: \(String(cString: strerror(errno)))") }
        }
    }

    /// Whether `host` is an IPv4 or IPv6 address rather than a name.
    static func isAddress(_ host: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
    }
}
