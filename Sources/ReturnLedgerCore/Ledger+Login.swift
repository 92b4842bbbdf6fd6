/// Lockout rule: 10 failures for one user within 15 minutes lock it for 15 minutes.
public enum Lockout {
    public static let failures = 10
    public static let window: Int64 = 15 * 60
    public static let duration: Int64 = 15 * 60
}

/// What AUTH compares the password against, read before the slow hash check runs elsewhere.
public enum LoginCheck: Sendable, Equatable {
    case locked
    case compare(hash: String)
    /// No such user or disabled: compared against a decoy, answered like a wrong password.
    case unknown
}

/// AUTH in two steps around the slow hash check (which runs off the writer): `loginCheck`
/// reads what to compare against, `decideLogin` turns the outcome into events and a reply.
/// The whole lockout rule lives in this file (and `apply` of `loginFailed` folds it in).
extension Ledger {
    public func loginCheck(_ name: String, now: Timestamp) -> LoginCheck {
        if let until = lockedUntil[name], until > now { return .locked }
        guard let user = users[name], user.enabled else { return .unknown }
        return .compare(hash: user.passwordHash)
    }

    /// The events of a login attempt (its audit entry; a failure toward the lockout, and the
    /// lock itself when this failure completes it) and its reply.
    public func decideLogin(_ name: String, check: LoginCheck, passwordMatched: Bool,
                            _ context: Context) -> (events: [Event], reply: Result<Reply, DomainError>) {
        if case .locked = check {
            return ([auditEvent("AUTH", target: name, outcome: DomainError.Code.LOCKED.rawValue, context)],
                    .failure(DomainError(.LOCKED, "user \(name) is locked after repeated failures until "
                                         + (lockedUntil[name].map { $0.description } ?? "later"))))
        }
        if passwordMatched, case .compare = check {
            let role = users[name]?.role ?? .clerk
            // A standby's login is audited only through its REPLICATE (protocol.md, A warm
            // standby): a primary that a promotion supersedes must hold nothing after the fork
            // for its old standby, or itself, to follow the new primary.
            let events = role == .replica ? [] : [auditEvent("AUTH", target: name, outcome: "ok", context)]
            return (events, .success(Reply(status: [Field("user", name), Field("role", role.rawValue)])))
        }
        var events = [auditEvent("AUTH", target: name, outcome: DomainError.Code.AUTH.rawValue, context)]
        if users[name] != nil {
            events.append(.loginFailed(user: name, at: context.now))
            if recentFailures(name, at: context.now).count + 1 >= Lockout.failures {
                events.append(auditEvent("LOCK", target: name, outcome: DomainError.Code.LOCKED.rawValue, context, after: 1))
            }
        }
        return (events, .failure(DomainError(.AUTH, "invalid credentials")))
    }

    /// A user's failures still inside the lockout window at `at`.
    func recentFailures(_ user: String, at: Timestamp) -> [Timestamp] {
        (loginFailures[user] ?? []).filter { at.seconds - $0.seconds < Lockout.window }
    }
}
