/// TILL OPEN, PAYIN, PAYOUT and CLOSE, and the till a sale's or refund's money goes through
/// (protocol.md, Till sessions).
extension Ledger {
    /// The open session of `till` at `location`, for money that goes through it: STATE when it is
    /// not open there.
    func openSession(_ till: String, at location: String) throws(DomainError) -> TillSession {
        guard let number = openTills[till] else { throw DomainError(.STATE, "till \(till) is not open") }
        let session = tillSessions[number - 1]
        guard session.location == location else {
            throw DomainError(.STATE, "till \(till) is open at \(session.location), not \(location)")
        }
        return session
    }

    func decideTill(_ command: Command, _ context: Context) throws(DomainError) -> Decision {
        switch command {
        case .tillOpen(let till, let location, let float, let note):
            guard locations[location] != nil else { throw .notFound("location", location) }
            try checkScope(location, context, "till \(till)")
            if let open = openTills[till] {
                throw DomainError(.STATE, "till \(till) is open (session \(TillSession.id(open)) at \(tillSessions[open - 1].location))")
            }
            try refuseClosedToday(context, "TILL OPEN")
            let session = TillSession(number: tillSessions.count + 1, till: till, location: location, float: float, note: note,
                                      openedBy: context.user, openedAt: context.now)
            return Decision(events: [.tillOpened(session)],
                            reply: Reply(status: [Field("till", till), Field("session", session.id), Field("location", location),
                                                  Field("float", float.description)]))
        case .tillMove(let till, let kind, let amount, let note):
            let session = try sessionToChange(till, context)
            guard amount > .zero else { throw .invalid("amount must be above 0.00") }
            try refuseClosedToday(context, "TILL \(kind == .payin ? "PAYIN" : "PAYOUT")")
            guard let after = session.expected(after: kind == .payin ? amount.minor : -amount.minor) else { throw .overflow }
            if after < .zero {
                throw DomainError(.TENDER, "till \(till) expects \(session.expected) in cash; a pay-out of \(amount) would empty it past zero")
            }
            return Decision(events: [.tillMoved(session: session.number, kind: kind, amount: amount, note: note, by: context.user,
                                                at: context.now)],
                            reply: Reply(status: [Field("till", till), Field("session", session.id), Field("amount", amount.description)]))
        case .tillClose(let till, let counted, let note):
            let session = try sessionToChange(till, context)
            let expected = session.expected
            guard counted.adding(-expected) != nil else { throw .overflow }
            let variance = Money(minor: counted.minor - expected.minor)
            return Decision(events: [.tillClosed(session: session.number, counted: counted, note: note, by: context.user, at: context.now)],
                            reply: Reply(status: [Field("till", till), Field("session", session.id),
                                                  Field("expected", expected.description), Field("counted", counted.description),
                                                  Field("variance", variance.description)]))
        default:
            throw DomainError(.INTERNAL, "not a till command")
        }
    }

    /// The open session PAYIN, PAYOUT or CLOSE acts on: STATE for a till never opened or closed,
    /// DENIED outside the user's locations or for a clerk's on a session another opened.
    private func sessionToChange(_ till: String, _ context: Context) throws(DomainError) -> TillSession {
        guard let latest = latestSessions[till] else { throw DomainError(.STATE, "till \(till) was never opened") }
        let session = tillSessions[latest - 1]
        try checkScope(session.location, context, "till \(till)")
        if context.role == .clerk, session.openedBy != context.user {
            throw DomainError(.DENIED, "till \(till) was opened by \(session.openedBy); a supervisor may act on it")
        }
        guard session.isOpen else { throw DomainError(.STATE, "till \(till) is closed (session \(session.id))") }
        return session
    }

    /// Folds a till event into its session.
    mutating func applyTill(_ event: Event) {
        switch event {
        case .tillOpened(let session):
            tillSessions.append(session)
            openTills[session.till] = session.number
            latestSessions[session.till] = session.number
        case .tillMoved(let number, let kind, let amount, _, _, _):
            if kind == .payin {
                tillSessions[number - 1].paidIn = Money(minor: tillSessions[number - 1].paidIn.minor + amount.minor)
            } else {
                tillSessions[number - 1].paidOut = Money(minor: tillSessions[number - 1].paidOut.minor + amount.minor)
            }
        case .tillClosed(let number, let counted, let note, let by, let at):
            let expected = tillSessions[number - 1].expected
            tillSessions[number - 1].closing = TillSession.Closing(counted: counted, expected: expected, note: note, by: by, at: at)
            openTills[tillSessions[number - 1].till] = nil
        default:
            break
        }
    }

    /// Tenders taken (a sale, an exchange's due) and handed back (a refund's non-credit parts)
    /// through a session.
    mutating func passThroughTill(_ number: Int, taken: [Tender], handedBack: [Tender]) {
        guard number >= 1, number <= tillSessions.count else { return }
        for t in taken { tillSessions[number - 1].taken[t.kind.index] += t.amount.minor }
        for t in handedBack where t.kind != .credit { tillSessions[number - 1].refunded[t.kind.index] += t.amount.minor }
    }

    /// Derived after a snapshot is loaded: each till's open and latest session.
    mutating func indexTills() {
        openTills = [:]
        latestSessions = [:]
        for session in tillSessions {
            latestSessions[session.till] = session.number
            if session.isOpen { openTills[session.till] = session.number }
        }
    }

    /// TILL SHOW's and TILL LIST's fields of a session.
    func tillFields(_ s: TillSession) -> [Field] {
        let date = policy.calendar.date(of: s.openedAt).description
        return [Field("session", s.id), Field("till", s.till), Field("location", s.location),
                Field("state", s.isOpen ? "open" : "closed"), Field("date", date), Field("opened_by", s.openedBy),
                Field("opened_at", s.openedAt.description), Field("float", s.float.description),
                Field("paid_in", s.paidIn.description), Field("paid_out", s.paidOut.description),
                Field("expected", s.expected.description), Field("counted", s.closing?.counted.description ?? ""),
                Field("variance", s.closing?.variance.description ?? ""), Field("closed_by", s.closing?.by ?? ""),
                Field("closed_at", s.closing?.at.description ?? "")]
    }

    func tillShow(till: String?, session id: String?, _ context: Context) throws(DomainError) -> Reply {
        let number: Int?
        if let id { number = TillSession.number(id).flatMap { $0 <= tillSessions.count ? $0 : nil } } else { number = latestSessions[till ?? ""] }
        guard let number else { throw .notFound(id == nil ? "till" : "session", id ?? till ?? "") }
        let s = tillSessions[number - 1]
        try checkScope(s.location, context, "till \(s.till)")
        let lines = TenderKind.allCases.map { kind in
            [Field.word("tender"), Field("kind", kind.rawValue), Field("taken", Money(minor: s.taken[kind.index]).description),
             Field("refunded", Money(minor: s.refunded[kind.index]).description)]
        }
        return Reply(status: tillFields(s), lines: lines)
    }

    func tillList(location: String?, date: CivilDate?, state: String?, limit: Int, _ context: Context) throws(DomainError) -> Reply {
        try checkScopeFilter(location, context)
        var lines: [[Field]] = []
        for s in tillSessions.reversed() where lines.count < limit {
            guard context.scope.contains(s.location), location == nil || s.location == location else { continue }
            if let date, policy.calendar.date(of: s.openedAt) != date { continue }
            if let state, (state == "open") != s.isOpen { continue }
            lines.append(tillFields(s))
        }
        return Reply(status: [Field("count", String(lines.count))], lines: lines)
    }
}
