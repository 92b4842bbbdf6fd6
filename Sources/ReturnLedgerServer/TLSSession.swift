import COpenSSL

/// TLS on one non-blocking socket, driven by the connection's event loop: OpenSSL reads and
/// writes the fd itself, and "would block" comes back as `SSL_ERROR_WANT_READ/WRITE`, which the
/// loop turns into epoll interest, so a handshake never blocks the loop. The handshake happens
/// inside the first reads (accept state); a client that stalls in it is closed by the sweeper
/// after 10 seconds (protocol.md, TLS). Loop thread only.
final class TLSSession {
    private let ssl: OpaquePointer
    /// The socket OpenSSL reads and writes.
    let fd: Int32
    /// The handshake is done: application data flows.
    private(set) var established = false
    /// A read needs the socket writable to go on (a handshake message or a session ticket did not
    /// fit in the socket buffer): the loop watches for EPOLLOUT and reads again.
    private(set) var readWantsWrite = false
    /// The first byte was looked at: a TLS client starts with a handshake record (0x16).
    private var checkedFirstByte = false
    /// What a plain-text client on this port is told before it is closed.
    private let plainTextHint: String
    /// The monotonic millisecond by which the handshake must be done.
    let handshakeDeadline: Int
    private let onEstablished: () -> Void

    init?(context: TLSContext, fd: Int32, plainTextHint: String, onEstablished: @escaping () -> Void) {
        guard let ssl = SSL_new(context.context) else { return nil }
        guard SSL_set_fd(ssl, fd) == 1 else { SSL_free(ssl); return nil }
        SSL_set_accept_state(ssl)
        self.ssl = ssl
        self.fd = fd
        self.plainTextHint = plainTextHint
        self.onEstablished = onEstablished
        handshakeDeadline = monotonicMillis() + 10_000
    }

    deinit { SSL_free(ssl) }

    /// Bytes OpenSSL has read from the socket and not yet handed over (decrypted or not, with
    /// read-ahead on): the socket will not signal them again.
    var hasPending: Bool { SSL_has_pending(ssl) == 1 }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        if !checkedFirstByte {
            // A TLS client starts with a handshake record (0x16).
            switch Syscalls.peekIs(fd, 0x16) {
            case .some(true): checkedFirstByte = true
            case .some(false):
                // Someone typed at the TLS port (telnet, nc): say where plain text goes, in plain text.
                let line = Array("ERR INVALID this port speaks TLS; \(plainTextHint)\n".utf8)
                _ = line.withUnsafeBytes { Syscalls.write(fd, $0) }
                return .closed
            case .none: return .wouldBlock
            }
        }
        ERR_clear_error()
        let n = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        noteHandshake()
        if n > 0 {
            readWantsWrite = false
            return .bytes(Int(n))
        }
        switch SSL_get_error(ssl, n) {
        case SSL_ERROR_WANT_READ:
            readWantsWrite = false
            return .wouldBlock
        case SSL_ERROR_WANT_WRITE:
            readWantsWrite = true
            return .wouldBlock
        default:
            return .closed  // the peer closed, or a failed handshake or record: nothing to save
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> IOResult {
        guard established else { return .wouldBlock }  // replies wait for the handshake
        ERR_clear_error()
        let n = SSL_write(ssl, bytes.baseAddress, Int32(min(bytes.count, 1 << 30)))
        if n > 0 { return .bytes(Int(n)) }
        switch SSL_get_error(ssl, n) {
        case SSL_ERROR_WANT_WRITE, SSL_ERROR_WANT_READ: return .wouldBlock
        default: return .closed
        }
    }

    /// A close_notify if the session got that far; never waits for the peer's.
    func shutdown() {
        if established {
            ERR_clear_error()
            _ = SSL_shutdown(ssl)
        }
        ERR_clear_error()
    }

    private func noteHandshake() {
        guard !established, SSL_is_init_finished(ssl) == 1 else { return }
        established = true
        onEstablished()
    }
}
