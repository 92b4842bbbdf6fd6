import ReturnLedgerWire
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
        noticeStorageFailure()
        if let until = ledger.lockedUntil[name], until > now() { return .locked }
        guard let user = ledger.users[name], user.enabled else { return .unknown }
        return .compare(hash: user.passwordHash)
    }

    /// Audits the attempt (and counts a failure toward the lockout) and returns the reply with
    /// the log sequence it must wait for. A login still works when storage has failed; it is
    /// then not audited.
    func recordLogin(_ name: String, check: LoginCheck, passwordMatched: Bool, session: Session) -> BatchResult {
        dispatchPrecondition(condition: .onQueue(queue))
        let role = ledger.users[name]?.role ?? .clerk
        let context = Context(user: name, role: role, peer: session.peer, now: now())
        let reply: Result<Reply, DomainError>
        if case .locked = check {
            try? commit([ledger.auditEvent("AUTH", target: name, outcome: DomainError.Code.LOCKED.rawValue, context)], context)
            reply = .failure(DomainError(.LOCKED, "user \(name) is locked after repeated failures; try again later"))
        } else if passwordMatched, case .compare = check {
            try? commit([ledger.auditEvent("AUTH", target: name, outcome: "ok", context)], context)
            reply = .success(Reply(status: [Field("user", name), Field("role", role.rawValue)]))
        } else {
            var events = [ledger.auditEvent("AUTH", target: name, outcome: DomainError.Code.AUTH.rawValue, context)]
            let wasLocked = ledger.lockedUntil[name]
            if ledger.users[name] != nil { events.append(.loginFailed(user: name, at: context.now)) }
            try? commit(events, context)
            if let until = ledger.lockedUntil[name], until != wasLocked {
                try? commit([ledger.auditEvent("LOCK", target: name, outcome: DomainError.Code.LOCKED.rawValue, context)], context)
            }
            reply = .failure(DomainError(.AUTH, "invalid credentials"))
        }
        var result = BatchResult(replies: 1, seq: observedSeq())
        ReplyEncoder.encode(reply, into: &result.output)
        return result
    }
}
