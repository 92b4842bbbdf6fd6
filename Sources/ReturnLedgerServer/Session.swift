import ReturnLedgerCore
import ReturnLedgerWire

/// Who is on one connection. Lives on the connection's event loop; the engine receives a copy
/// with each batch, so its role is always looked up fresh from the state.
struct Session: Sendable {
    let id: Int
    let peer: String
    var user: String?
    /// Failed AUTH attempts on this connection; at 5 the connection is closed.
    var failures = 0

    static let maxFailures = 5
}

/// A unit of work for the engine, in request order.
enum Incoming: Sendable {
    /// A framing or parse error that needs no state (TOO_LONG, ENCODING, UNKNOWN_COMMAND...).
    case failed(DomainError)
    case request(Request)
}
