import Dispatch
import ReturnLedgerCore

/// AUTH around the slow hash check, which runs off the writer (see `Authenticator`): the rules,
/// lockout included, are the core's (`Ledger+Login.swift`); this logs what they decide.
extension Engine {
    func loginCheck(_ name: String) -> LoginCheck {
        dispatchPrecondition(condition: .onQueue(queue))
        noticeStorageFailure()
        return ledger.loginCheck(name, now: now())
    }

    /// Audits the attempt (and counts a failure toward the lockout) and returns the reply with
    /// the log sequence it must wait for. A login still works when storage has failed; it is
    /// then not audited.
    func recordLogin(_ name: String, check: LoginCheck, passwordMatched: Bool, session: Session) -> BatchResult {
        dispatchPrecondition(condition: .onQueue(queue))
        let context = Context(user: name, role: ledger.users[name]?.role ?? .clerk, peer: session.peer, now: now())
        let (events, reply) = ledger.decideLogin(name, check: check, passwordMatched: passwordMatched, context)
        try? commit(events, context)
        return BatchResult(replies: [reply], seq: observedSeq())
    }
}
