/// What `decide` concluded: the events to log and apply, and the reply to send once they are
/// durable.
public struct Decision: Sendable, Equatable {
    public var events: [Event]
    public var reply: Reply
    /// What the audit entry names when it is not the command's target (DISPOSE: its new move).
    public var target: String? = nil
    public init(events: [Event], reply: Reply) { self.events = events; self.reply = reply }
}

extension Ledger {
    /// Checks a change against the state and returns its events, or the first error
    /// the contract's order of checks finds. Pure: the state is not touched.
    public func decide(_ command: Command, _ context: Context) throws(DomainError) -> Decision {
        switch command {
        case .userAdd, .userScope, .userRole, .userEnable, .userPassword, .locationAdd, .skuAdd, .partyAdd, .reasonAdd, .reasonSet,
             .policySet, .skuSet, .partySet, .locationSet, .categoryAdd, .categorySet:
            return try decideSetup(command, context)
        case .sale(let request): return try decideTrade(request, kind: .sale, context)
        case .purchase(let request): return try decideTrade(request, kind: .purchase, context)
        case .payment(let party, let amount, let direction, let note):
            return try decidePayment(party: party, amount: amount, direction: direction, note: note, context)
        case .fileReturn(let filing): return try decideFiling(filing, context)
        case .approve(let request): return try decideApproval(request, context)
        case .tillOpen, .tillMove, .tillClose: return try decideTill(command, context)
        case .reject(let id, let note): return try decideRejection(id, note: note, context)
        case .cancel(let id): return try decideCancel(id, context)
        case .inspect(let id, let disposition, let note, let lists):
            return try decideInspection(id, disposition: disposition, lists: lists, note: note, context)
        case .dispose(let request): return try decideDispose(request, context)
        case .transferSend(let request): return try decideTransferSend(request, context)
        case .transferReceive(let id, let items, let note): return try decideTransferReceive(id, items: items, note: note, context)
        case .transferCancel(let id): return try decideTransferCancel(id, context)
        case .adjust(let request): return try decideStockMove(request, kind: .adjust, context)
        case .count(let request): return try decideStockMove(request, kind: .count, context)
        case .vendorCredit(let id, let amount, let ref, let note):
            return try decideVendorCredit(id, amount: amount, ref: ref, note: note, context)
        case .void(let id, let reason, let note): return try decideVoid(id, reason: reason, note: note, context)
        case .periodClose(let date, let note): return try decidePeriodClose(date, note: note, context)
        case .ruleAdd(let rule): return try decideRuleAdd(rule)
        case .ruleDrop(let code): return try decideRuleDrop(code)
        }
    }

    /// `decide` plus the audit entry every mutation attempt leaves, ok or not. The events
    /// returned are exactly what must be logged and applied.
    public func record(_ command: Command, name: String, _ context: Context) -> (events: [Event], result: Result<Reply, DomainError>) {
        do {
            var decision = try decide(command, context)
            // The command's own entry comes before any the decision adds (an auto-approval's).
            // Inserted in the decision's own array: a copy of it first cost a copy of every event.
            let at = decision.events.firstIndex { if case .audited = $0 { return true } else { return false } } ?? decision.events.count
            decision.events.insert(auditEvent(name, target: decision.target ?? command.target, outcome: "ok", context), at: at)
            return (decision.events, .success(decision.reply))
        } catch {
            return ([auditEvent(name, target: command.target, outcome: error.code.rawValue, context)], .failure(error))
        }
    }

    /// An audit entry with the next sequence number (`after` more entries in the same record go first).
    public func auditEvent(_ command: String, target: String, outcome: String, _ context: Context, after: Int = 0) -> Event {
        .audited(AuditEntry(seq: audit.count + 1 + after, at: context.now, user: context.user, peer: context.peer,
                            command: command, target: target, outcome: outcome))
    }
}
