/// The one access decision: whether the session's user may run a request, and as whom. Every
/// command passes through here before its arguments are looked at (the contract's order: NOAUTH,
/// then DENIED, then SYNTAX), and what comes out is the `Context` that `decide` and `query` take,
/// so a later rule about the acting user (its stores) is added here and nowhere else.
public enum AccessRefusal: Error, Sendable, Equatable {
    /// Not logged in (and the command is not open).
    case notLoggedIn
    /// Logged in as a user that has since been disabled or removed.
    case disabled(user: String)
    /// The role may not use the command; the caller audits it.
    case denied(role: Role, command: String)

    public var error: DomainError {
        switch self {
        case .notLoggedIn: return DomainError(.NOAUTH, "log in first: AUTH user password")
        case .disabled(let user): return DomainError(.NOAUTH, "user \(user) is disabled; log in again")
        case .denied(let role, let command): return DomainError(.DENIED, "role \(role.rawValue) may not use \(command)")
        }
    }
}

extension Ledger {
    /// The context a request runs in, or why it may not run. `user` is the session's logged-in
    /// user (nil before AUTH). Open commands run without one (as a clerk, which may do nothing
    /// more). A refused request's context is still returned for its audit entry.
    public func authorize(_ word: CommandWord, sub: String?, name: @autoclosure () -> String, user: String?, peer: String,
                          now: Timestamp) -> (context: Context, refusal: AccessRefusal?) {
        var context = Context(user: user ?? "", role: .clerk, peer: peer, now: now)
        let known = user.flatMap { users[$0] }  // one lookup: this runs on every request
        if let known { context.role = known.role; context.scope = known.locations }
        if word.isOpen { return (context, nil) }
        guard let user else { return (context, .notLoggedIn) }
        guard let known, known.enabled else { return (context, .disabled(user: user)) }
        guard CommandTable.allows(known.role, word, sub: sub) else {
            return (context, .denied(role: known.role, command: name()))
        }
        return (context, nil)
    }
}
