import Dispatch
package import ReturnLedgerCore
package import ReturnLedgerWire

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
        var result = BatchResult(replies: [reply], seq: observedSeq())
        result.localOnly = syncing  // a login waits for this server's log alone
        return result
    }

    /// A password is hashed (USER ADD, USER PASSWORD) only for a request that would go ahead: the
    /// role check, then the domain's own checks with a hash that matches no password. One that
    /// would not is answered now, refusal and audit entry as after hashing, and nil means "hash it".
    /// Both steps run in one turn of the writer, so the state cannot change between them.
    package func answerWithoutHashing(_ request: Request, _ command: (String) -> Command, session: Session) -> BatchResult? {
        dispatchPrecondition(condition: .onQueue(queue))
        let unhashed = command(PasswordHasher.matchesNothing)
        let (context, refusal) = ledger.authorizeInPlace(request.word, sub: request.sub, name: request.name, user: session.user,
                                                         peer: session.peer, now: now())
        if refusal == nil, storageRefusal() == nil, readOnlyRefusal(request) == nil, (try? ledger.decide(unhashed, context)) != nil {
            return nil
        }
        var answered = request
        answered.parsed = .success(.change(unhashed))
        return run([.request(answered)], session: session)
    }
}
