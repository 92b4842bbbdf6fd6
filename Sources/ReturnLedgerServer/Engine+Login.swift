import Dispatch
import ReturnLedgerCore

/// AUTH in two steps around the slow hash check, which runs on the connection's queue:
/// `loginCheck` reads what to compare against, `recordLogin` writes the outcome.
extension Engine {
    enum LoginCheck: Sendable {
        case locked
        case compare(hash: String)
        /// No such user or disabled: compared against a decoy, answered like a wrong password.
        case unknown
    }

    func loginCheck(_ name: String) -> LoginCheck {
        dispatchPrecondition(condition: .onQueue(queue))
        if let until = ledger.lockedUntil[name], until > now() { return .locked }
        guard let user = ledger.users[name], user.enabled else { return .unknown }
        return .compare(hash: user.passwordHash)
    }

    func recordLogin(_ name: String, check: LoginCheck, passwordMatched: Bool, session: Session) -> Result<Reply, DomainError> {
        dispatchPrecondition(condition: .onQueue(queue))
        let role = ledger.users[name]?.role ?? .clerk
        let context = Context(user: name, role: role, peer: session.peer, now: now())
        if case .locked = check {
            commit([ledger.auditEvent("AUTH", target: name, outcome: DomainError.Code.LOCKED.rawValue, context)])
            return .failure(DomainError(.LOCKED, "user \(name) is locked after repeated failures; try again later"))
        }
        if passwordMatched, case .compare = check {
            commit([ledger.auditEvent("AUTH", target: name, outcome: "ok", context)])
            return .success(Reply(status: [Field("user", name), Field("role", role.rawValue)]))
        }
        commit([ledger.auditEvent("AUTH", target: name, outcome: DomainError.Code.AUTH.rawValue, context)])
        if ledger.users[name] != nil {
            commit([.loginFailed(user: name, at: context.now)])
            if let until = ledger.lockedUntil[name], until > context.now, ledger.loginFailures[name]?.isEmpty ?? true {
                commit([ledger.auditEvent("LOCK", target: name, outcome: DomainError.Code.LOCKED.rawValue, context)])
            }
        }
        return .failure(DomainError(.AUTH, "invalid credentials"))
    }
}
