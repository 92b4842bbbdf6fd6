/// PERIOD CLOSE, SHOW and Z (protocol.md, PERIOD), and the one check every dated change makes:
/// nothing is dated into a closed business date (`CLOSED`).
extension Ledger {
    /// The last business date closed (days since 1970); nil before any close.
    public var closedThrough: Int64? { closes.last?.through }

    /// `CLOSED` when `at` falls on a closed business date: `what` says which change was refused.
    /// Before any close nothing is worked out (it is on every change's path).
    func refuseClosed(at: Timestamp, _ what: String) throws(DomainError) {
        guard let through = closedThrough else { return }
        let day = policy.calendar.day(of: at)
        guard day <= through else { return }
        throw DomainError(.CLOSED, "\(CivilDate(daysSinceEpoch: day)) is closed (PERIOD closed through "
                          + "\(CivilDate(daysSinceEpoch: through))): \(what)")
    }

    /// The check of a change dated now: while today is closed it is refused.
    func refuseClosedToday(_ context: Context, _ what: String) throws(DomainError) {
        try refuseClosed(at: context.now, what)
    }

    /// Finance or admin with every location; a date not after today, not before the last close
    /// (the same date: its reply again), with no till session opened by then still open.
    func decidePeriodClose(_ date: CivilDate, note: String, _ context: Context) throws(DomainError) -> Decision {
        guard context.scope == .everywhere else {
            throw DomainError(.DENIED, "a period is closed by a user of every location (yours: \(context.scope.text))")
        }
        let day = date.daysSinceEpoch
        let today = policy.calendar.day(of: context.now)
        guard day <= today else { throw .invalid("\(date) is after today, \(CivilDate(daysSinceEpoch: today))") }
        if let last = closes.last {
            if day == last.through { return Decision(events: [], reply: closeReply(last).existed()) }
            guard day > last.through else {
                throw DomainError(.STATE, "periods are closed through \(last.date); \(date) is before it")
            }
        }
        if let open = tillSessions.first(where: { $0.isOpen && policy.calendar.day(of: $0.openedAt) <= day }) {
            throw DomainError(.STATE, "till \(open.till) (session \(open.id), opened \(open.openedAt)) is still open: close it first")
        }
        let close = PeriodClose(through: day, by: context.user, at: context.now, note: note,
                                days: zTotals(after: closedThrough, through: day))
        return Decision(events: [.periodClosed(close, writeOffs: creditWriteOffs(through: day))], reply: closeReply(close))
    }

    func closeReply(_ close: PeriodClose) -> Reply {
        Reply(status: [Field("closed_through", close.date.description), Field("closed_by", close.by),
                       Field("closed_at", close.at.description)])
    }

    /// Each date's totals per location, for the dates after `after` up to `through` (protocol.md,
    /// PERIOD Z): a movement counts on its business date, a till's figures on its session's.
    /// Walks the orders, returns, voids and sessions once: a close is once a day.
    func zTotals(after: Int64?, through: Int64) -> [ZDay] {
        // Checked: a sum past money's range stays at its edge rather than wrapping (a day would
        // need some 90,000 sales of the largest amount).
        func add(_ total: inout Money, _ amount: Money) {
            let (sum, overflow) = total.minor.addingReportingOverflow(amount.minor)
            total = Money(minor: overflow ? (amount.minor > 0 ? .max : .min) : sum)
        }
        let calendar = policy.calendar
        var rows: [Int64: [String: ZRow]] = [:]
        func covered(_ day: Int64) -> Bool { day <= through && (after.map { day > $0 } ?? true) }
        func update(_ day: Int64, _ location: String, _ change: (inout ZRow) -> Void) {
            change(&rows[day, default: [:]][location, default: ZRow(location: location)])
        }
        // An exchange's sale took only its due's tenders (the parts it absorbed appear nowhere).
        var dues: [String: [Tender]] = [:]
        // Returns that left memory (section 23) were approved and voided on dates closed before.
        for r in returns.held where !r.exchange.isEmpty && (r.state.isApproved || r.state == .voided) { dues[r.exchangeOrder] = r.dueTenders }
        for order in orders.values where order.kind == .sale {
            let day = calendar.day(of: order.at)
            guard covered(day) else { continue }
            update(day, order.location) { z in
                z.sales += 1
                add(&z.salesAmount, order.total)
                add(&z.salesTax, order.tax)
                add(&z.discounts, order.discount)
                if let due = dues[order.id] {
                    for t in due { add(&z.taken[t.kind.index], t.amount) }
                } else if !order.paid {
                    add(&z.taken[ZRow.account], order.total)
                } else {
                    for t in order.tenders { add(&z.taken[t.kind.index], t.amount) }
                }
            }
        }
        for r in returns.held where r.kind == .sale && (r.state.isApproved || r.state == .voided) {
            guard let at = r.approvedAt else { continue }
            let day = calendar.day(of: at)
            guard covered(day) else { continue }
            let onAccount = !r.noReceipt && orders[r.order]?.paid == false
            update(day, r.location) { z in
                z.returns += 1
                add(&z.refundsAmount, r.net)
                add(&z.refundsTax, r.netTax)
                add(&z.fees, r.fee)
                for p in r.refundParts { add(&z.refunded[p.kind.index], p.amount) }
                if onAccount { add(&z.refunded[ZRow.account], r.net) }
            }
        }
        for (number, record) in voids {
            let day = calendar.day(of: record.at)
            guard covered(day), returns.isHeld(number - 1) else { continue }
            let r = returns[number - 1]
            update(day, r.location) { z in
                z.voids += 1
                add(&z.voidsAmount, (r.kind == .sale ? r.net : r.expected))
            }
        }
        for session in tillSessions {
            let day = calendar.day(of: session.openedAt)
            guard covered(day) else { continue }
            update(day, session.location) { z in
                add(&z.paidIn, session.paidIn)
                add(&z.paidOut, session.paidOut)
                add(&z.variance, (session.closing?.variance ?? .zero))
            }
        }
        return rows.keys.sorted().map { day in ZDay(day: day, rows: rows[day]!.keys.sorted().map { rows[day]![$0]! }) }
    }

    /// Lots expiring in the closed dates: what is left of each, at most what the account then owes
    /// the customer, written off at its expiry (voided lots never).
    func creditWriteOffs(through: Int64) -> [CreditWriteOff] {
        var offs: [CreditWriteOff] = []
        for party in creditLots.keys.sorted() {
            var owed = max(0, -(balances[party] ?? .zero).minor)
            for lot in creditLots[party]! where !lot.voided && !lot.writtenOff && lot.remaining > .zero {
                guard let expires = lot.expires, policy.calendar.day(of: expires) <= through else { continue }
                let amount = min(lot.remaining.minor, owed)
                owed -= amount
                offs.append(CreditWriteOff(party: party, lot: lot.id, amount: Money(minor: amount), at: expires))
            }
        }
        return offs
    }

    mutating func applyPeriodClose(_ close: PeriodClose, writeOffs: [CreditWriteOff]) {
        closes.append(close)
        for off in writeOffs {
            guard let i = creditLots[off.party]?.firstIndex(where: { $0.id == off.lot }) else { continue }
            if creditLots[off.party]![i].remaining > .zero { openCreditLots -= 1 }
            creditLots[off.party]![i].remaining = .zero
            creditLots[off.party]![i].writtenOff = true
            if off.amount > .zero {
                carryOut(Effects(postings: [Effects.Posting(party: off.party, kind: .credit_expired, doc: off.lot, amount: off.amount)]),
                         at: off.at)
            }
        }
    }

    /// PERIOD SHOW: every close, oldest first.
    func periodShowReply() -> Reply {
        Reply(status: [Field("closed_through", closes.last?.date.description ?? "")],
              lines: closes.map { [Field("through", $0.date.description), Field("by", $0.by), Field("at", $0.at.description),
                                   Field("note", $0.note)] })
    }

    /// PERIOD Z: a closed date's totals as kept, the user's locations only (`location=` outside
    /// them: DENIED; a date not closed: STATE).
    func periodZReply(_ date: CivilDate, location: String?, _ context: Context) throws(DomainError) -> Reply {
        if let location {
            guard locations[location] != nil else { throw .notFound("location", location) }
            try checkScope(location, context, "PERIOD Z location=\(location)")
        }
        let day = date.daysSinceEpoch
        guard let close = closes.first(where: { $0.through >= day }) else {
            throw DomainError(.STATE, "\(date) is not closed (closed through \(closes.last?.date.description ?? "nothing yet"))")
        }
        let rows = (close.days.first { $0.day == day }?.rows ?? []).filter {
            (location == nil || $0.location == location) && context.scope.contains($0.location)
        }
        var lines: [[Field]] = []
        for row in rows {
            lines.append([Field.word("z")] + row.fields)
            for tender in row.tenderFields { lines.append([Field.word("tender")] + tender) }
        }
        return Reply(status: [Field("date", date.description), Field("closed_by", close.by), Field("closed_at", close.at.description),
                              Field("locations", String(rows.count))], lines: lines)
    }
}
