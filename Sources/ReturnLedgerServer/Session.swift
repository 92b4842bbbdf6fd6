package import ReturnLedgerCore
package import ReturnLedgerWire

/// Who is on one connection. Lives on the connection's event loop; the engine receives a copy
/// with each batch, so its role is always looked up fresh from the state.
package struct Session: Sendable {
    package let id: Int
    package let peer: String
    package var user: String?
    /// Failed AUTH attempts on this connection; at 5 the connection is closed.
    var failures = 0

    static let maxFailures = 5

    package init(id: Int, peer: String, user: String? = nil) {
        self.id = id
        self.peer = peer
        self.user = user
    }
}

/// A unit of work for the engine, in request order.
package enum Incoming: Sendable {
    /// A framing or parse error that needs no state (TOO_LONG, ENCODING, UNKNOWN_COMMAND...).
    case failed(DomainError)
    case request(Request)
}
