/// How a connection's bytes cross its socket: as they are, or through TLS (protocol.md, TLS).
/// The connection reads, writes and closes through this and never asks which it is; the few
/// things only TLS has (a handshake, bytes OpenSSL holds, a read that must write) answer as plain
/// text would for the plain case. An enum of two cases, not a protocol: a `switch` per read or
/// write, no existential call or allocation per request. Loop thread only.
///
/// ```
/// Connection ─▶ Transport.read / write ─┬─ .plain(fd) ──▶ Syscalls.read / write (the socket)
///                                       └─ .tls(session) ─▶ TLSSession (OpenSSL on the socket)
/// ```
enum Transport {
    case plain(Int32)
    case tls(TLSSession)

    /// The socket, for the event loop.
    var fd: Int32 {
        switch self {
        case .plain(let fd): fd
        case .tls(let session): session.fd
        }
    }

    var isTLS: Bool {
        if case .tls = self { return true }
        return false
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        switch self {
        case .plain(let fd): Syscalls.read(fd, into: buffer)
        case .tls(let session): session.read(into: buffer)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> IOResult {
        switch self {
        case .plain(let fd): Syscalls.write(fd, bytes)
        case .tls(let session): session.write(bytes)
        }
    }

    /// Bytes read from the socket and not yet handed over, which the socket will not signal
    /// again (TLS with read-ahead); never any for plain text.
    var hasPending: Bool {
        switch self {
        case .plain: false
        case .tls(let session): session.hasPending
        }
    }

    /// Application data can flow: always for plain text, after the handshake for TLS.
    var established: Bool {
        switch self {
        case .plain: true
        case .tls(let session): session.established
        }
    }

    /// A read needs the socket writable to go on (TLS only): the loop watches for EPOLLOUT.
    var readWantsWrite: Bool {
        switch self {
        case .plain: false
        case .tls(let session): session.readWantsWrite
        }
    }

    /// The monotonic millisecond by which a TLS handshake must be done; nil when
    /// there is none to wait for (plain text, or done).
    var handshakeDeadline: Int? {
        guard case .tls(let session) = self, !session.established else { return nil }
        return session.handshakeDeadline
    }

    /// Ends the session (a TLS close_notify if it got that far) and closes the socket.
    func close() {
        switch self {
        case .plain(let fd):
            Syscalls.close(fd)
        case .tls(let session):
            session.shutdown()
            Syscalls.close(session.fd)
        }
    }
}
