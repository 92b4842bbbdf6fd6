/// What an ARCHIVE through a date takes (protocol.md, Years of history: Finished by DATE):
/// every record whose business dates are all that date or earlier and that nothing can change
/// or draw on any more. Users, the catalogue, rules, policy, stock levels, period closes and the
/// counters are never taken.
public struct ArchiveSelection: Sendable, Equatable {
    /// Return numbers (the numbers are held as runs: a month is a few).
    public var returns = IDRuns()
    /// Order ids, sorted.
    public var orders: [String] = []
    /// Per party, the positions of its ledger entries taken.
    public var entries: [String: IDRuns] = [:]
    /// Per party, the ids of its credit lots taken (each with its return).
    public var lots: [String: [String]] = [:]
    /// Per party, the sum and newest time of the entries taken, worked out with them (off the
    /// writer) so that the commit only adds them up. Passed to `apply`, not kept: the state keeps
    /// each party's total (`Ledger.broughtForward`).
    public var forward: [String: BroughtForward] = [:]
    public var notices = IDRuns()
    /// Positions in the audit trail.
    public var audit = IDRuns()
    public var tillSessions = IDRuns()
    /// Transfer ids, sorted.
    public var transfers: [String] = []
    public var stockMoves = IDRuns()

    public init() {}

    /// Everything `selections` hold together (the ids of every archive so far).
    public static func union(_ selections: [ArchiveSelection]) -> ArchiveSelection {
        var all = ArchiveSelection()
        for s in selections {
            all.returns += s.returns; all.orders += s.orders; all.notices += s.notices; all.audit += s.audit
            all.tillSessions += s.tillSessions; all.transfers += s.transfers; all.stockMoves += s.stockMoves
            for (party, positions) in s.entries { all.entries[party, default: IDRuns()] += positions }
            for (party, ids) in s.lots { all.lots[party, default: []] += ids }
        }
        return all
    }

    /// Every list in ascending order (a party's lots by id), however it was gathered: ARCHIVE's
    /// walk and replay's reading of the file give equal values.
    public func normalized() -> ArchiveSelection {
        var s = self
        s.orders.sort(); s.transfers.sort()  // the numbers' runs are ascending as they are
        for party in s.lots.keys { s.lots[party]!.sort() }
        return s
    }

    /// The bytes its ids take (16 a run of numbers, a string's UTF-8 bytes): what memory holds for an
    /// archive while its records' ids are kept (INFO's `archive_held_bytes`).
    public var heldBytes: Int {
        let runs = returns.runs.count + notices.runs.count + audit.runs.count + tillSessions.runs.count + stockMoves.runs.count
            + entries.values.reduce(0) { $0 + $1.runs.count }
        let strings = orders.reduce(0) { $0 + $1.utf8.count } + transfers.reduce(0) { $0 + $1.utf8.count }
            + lots.reduce(0) { $0 + $1.key.utf8.count + $1.value.reduce(0) { $0 + $1.utf8.count } }
        return runs * 16 + strings
    }

    public var isEmpty: Bool {
        returns.isEmpty && orders.isEmpty && entries.isEmpty && lots.isEmpty && notices.isEmpty && audit.isEmpty
            && tillSessions.isEmpty && transfers.isEmpty && stockMoves.isEmpty
    }
}

extension Ledger {
    /// The records finished by `through` at `now` (section 23's T), `purchasesAll` for
    /// `purchases=all`. A walk of the whole state: ARCHIVE runs it off the writer, on a copy.
    public func archiveSelection(through: CivilDate, purchasesAll: Bool, at now: Timestamp) -> ArchiveSelection {
        let last = through.daysSinceEpoch
        func onOrBefore(_ t: Timestamp) -> Bool { policy.calendar.day(of: t) <= last }
        var selection = ArchiveSelection()
        // What earlier archives hold is in one archive already: never taken twice.
        let before = ArchiveSelection.union(archives.map(\.taken))
        let archivedReturns = before.returns, archivedOrders = Set(before.orders)
        // An order's returns count as taken when this archive or an earlier one holds them.
        var taken = archivedReturns
        for i in returns.indices where !archivedReturns.contains(i + 1)
            && returnFinished(returns[i], onOrBefore, purchasesAll: purchasesAll, at: now) {
            taken.append(i + 1)
            selection.returns.append(i + 1)
            let r = returns[i]
            for id in lotIDs(r) where creditLots[r.party]?.contains(where: { $0.id == id }) == true {
                selection.lots[r.party, default: []].append(id)
            }
        }
        for (id, order) in orders where !archivedOrders.contains(id)
            && orderFinished(order, taken: taken, onOrBefore, purchasesAll: purchasesAll, at: now) {
            selection.orders.append(id)
        }
        selection.orders.sort()
        for (party, list) in entries {
            let earlier = before.entries[party] ?? IDRuns()
            let positions = IDRuns(list.indices.filter { !earlier.contains($0) && onOrBefore(list[$0].at) })
            if !positions.isEmpty {
                selection.entries[party] = positions
                selection.forward[party] = BroughtForward(positions.lazy.map { list[$0] })
            }
        }
        let notices = before.notices, audited = before.audit, sessions = before.tillSessions
        let moved = before.stockMoves, sent = Set(before.transfers)
        // By place: those earlier archives took may have left memory (checked first).
        selection.notices = IDRuns(self.notices.indices.lazy.filter { !notices.contains($0 + 1) && onOrBefore(self.notices[$0].at) }.map { $0 + 1 })
        selection.audit = IDRuns(audit.indices.filter { !audited.contains($0) && onOrBefore(audit.at($0)) })
        selection.tillSessions = IDRuns(tillSessions.filter { session in
            guard let closing = session.closing, !sessions.contains(session.number) else { return false }
            return onOrBefore(session.openedAt) && onOrBefore(closing.at)
        }.map(\.number))
        selection.transfers = transfers.values.filter { t in
            guard !sent.contains(t.id) else { return false }
            switch t.state {
            case .received: return onOrBefore(t.sentAt) && t.receivedAt.map(onOrBefore) ?? true
            case .cancelled: return onOrBefore(t.sentAt) && t.cancelledAt.map(onOrBefore) ?? true
            default: return false
            }
        }.map(\.id).sorted()
        selection.stockMoves = IDRuns(stockMoves.filter { !moved.contains($0.number) && onOrBefore($0.at) }.map(\.number))
        return selection.normalized()
    }

    /// A return approved, completed, rejected, cancelled or voided, every date in it on or
    /// before the archive's; its credit lot spent, voided or written off; a supplier return's
    /// vendor credit in (or `purchases=all`); while a customer limit is set, filed over
    /// `customer_days` × 24 h before `now` (it no longer counts toward any limit).
    func returnFinished(_ r: ReturnRequest, _ onOrBefore: (Timestamp) -> Bool, purchasesAll: Bool, at now: Timestamp) -> Bool {
        switch r.state {
        case .pending, .second_review, .inspecting: return false
        case .approved, .completed, .rejected, .cancelled, .voided: break
        }
        guard onOrBefore(r.filedAt), r.approvedAt.map(onOrBefore) ?? true, r.firstApprovedAt.map(onOrBefore) ?? true,
              r.history.allSatisfy({ onOrBefore($0.at) }), voids[r.number].map({ onOrBefore($0.at) }) ?? true,
              r.supplier?.credit.map({ onOrBefore($0.at) }) ?? true else { return false }
        for id in lotIDs(r) {
            if let lot = creditLots[r.party]?.first(where: { $0.id == id }), !(lot.remaining == .zero || lot.voided || lot.writtenOff) {
                return false
            }
        }
        if r.kind == .purchase, r.state.isApproved, !purchasesAll, r.supplier?.credit == nil { return false }
        if policy.limitsCustomers, r.kind == .sale, r.filedAt.seconds > now.seconds - policy.customerDays * Timestamp.secondsPerDay {
            return false
        }
        return true
    }

    /// The store-credit lots a return issued: its approval's (named by its document) and its
    /// VOID's (a void that left the customer owed credit issues one under the void's document).
    func lotIDs(_ r: ReturnRequest) -> [String] {
        var ids: [String] = r.doc.isEmpty ? [] : [r.doc]
        if let lot = voids[r.number]?.lot { ids.append(lot.id) }
        return ids
    }

    /// An order dated on or before the archive's date whose returns are all taken (`taken`: this
    /// time; the removal that comes with ARCHIVE must also prune archived numbers from
    /// `returnNumbers`, or count them as taken); a sale with nothing returnable or every line's window over (section 22's,
    /// without an override: a final-sale line has none), an exchange's sale only with its return;
    /// a purchase with nothing returnable, or any with `purchases=all`.
    func orderFinished(_ order: Order, taken: IDRuns, _ onOrBefore: (Timestamp) -> Bool, purchasesAll: Bool,
                       at now: Timestamp) -> Bool {
        guard onOrBefore(order.at), order.returnNumbers.allSatisfy(taken.contains) else { return false }
        // An exchange's sale (a client's own `X-MAS1` is an ordinary sale).
        if order.id.hasPrefix("X-"), let number = ReturnRequest.number(String(order.id.dropFirst(2))), number <= returns.count,
           returns.isHeld(number - 1), returns[number - 1].exchangeOrder == order.id, !taken.contains(number) {
            return false
        }
        // A voided exchange sale (its return voided) takes nothing back either.
        let nothingReturnable = order.voided || order.lines.allSatisfy { $0.returnable <= 0 }
        switch order.kind {
        case .purchase:
            return purchasesAll || nothingReturnable
        case .sale:
            return nothingReturnable || order.lines.allSatisfy { line in
                let rule = itemRule(line.sku)
                return rule.finalSale || order.at.seconds + rule.returnDays * Timestamp.secondsPerDay < now.seconds
            }
        }
    }
}
