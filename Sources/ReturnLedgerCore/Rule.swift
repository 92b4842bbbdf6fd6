/// An approval rule (protocol.md: RULE): which returns need a second approver, which go through
/// inspection, which small ones need nobody. Matched once, when a return is filed; what matched
/// is kept on the return (`ReturnFlow`), so a later change to the rules never touches it.
public struct Rule: Sendable, Equatable {
    public enum Effect: String, Sendable, Equatable, CaseIterable {
        /// Approved at filing by user `system`.
        case auto
        /// A second approval by a user holding `role` completes the return.
        case second
        /// Approved goods of a customer return go into quarantine.
        case inspect
    }

    public var code: String
    public var then: Effect
    // Conditions; nil (or false) is "not given" and always holds.
    public var kind: OrderKind?
    public var location: String?
    public var reason: String?
    public var sku: String?
    public var minAmount: Money?
    public var maxAmount: Money?
    public var noReceipt: Bool
    /// The second approver's role (`then=second` only; nil means finance).
    public var role: Role?
    public var note: String

    public init(code: String, then: Effect, kind: OrderKind? = nil, location: String? = nil, reason: String? = nil,
                sku: String? = nil, minAmount: Money? = nil, maxAmount: Money? = nil, noReceipt: Bool = false,
                role: Role? = nil, note: String = "") {
        self.code = code; self.then = then; self.kind = kind; self.location = location; self.reason = reason
        self.sku = sku; self.minAmount = minAmount; self.maxAmount = maxAmount; self.noReceipt = noReceipt
        self.role = role; self.note = note
    }

    /// The role a second approval needs under this rule.
    public var secondRole: Role { role ?? Review.defaultSecondRole }

    /// The combinations the contract refuses as `INVALID`, whatever the state holds.
    public var invalidity: String? {
        if role != nil, then != .second { return "role= applies to then=second rules only" }
        if role != nil, role != .supervisor, role != .finance { return "role= takes supervisor or finance" }
        if kind == .purchase, then == .inspect { return "then=inspect applies to customer returns; not with kind=purchase" }
        if kind == .purchase, noReceipt { return "noreceipt=yes applies to customer returns; not with kind=purchase" }
        if let minAmount, let maxAmount, minAmount > maxAmount {
            return "min_amount \(minAmount) is above max_amount \(maxAmount)"
        }
        return nil
    }

    /// Whether every condition the rule names holds for a return being filed.
    public func matches(_ r: ReturnRequest, noReceipt filedWithout: Bool = false) -> Bool {
        if let kind, r.kind != kind { return false }
        if let location, r.location != location { return false }
        if let reason, r.reason != reason { return false }
        if let sku, !r.items.contains(where: { $0.sku == sku }) { return false }
        if let minAmount, r.amount < minAmount { return false }
        if let maxAmount, r.amount > maxAmount { return false }
        if noReceipt, !filedWithout { return false }
        return true
    }
}

/// What the rules decided for one return when it was filed, recorded on it.
public struct ReturnFlow: Sendable, Equatable {
    /// The codes of the rules that matched, in byte order.
    public var rules: [String] = []
    /// Set when a `then=second` rule matched: the role of the second approver (the first such
    /// rule by code decides).
    public var secondRole: Role? = nil
    /// A `then=inspect` rule matched: approved goods go into quarantine.
    public var inspect = false
    /// An `auto` rule matched and nothing stopped it.
    public var auto = false

    public init(rules: [String] = [], secondRole: Role? = nil, inspect: Bool = false, auto: Bool = false) {
        self.rules = rules; self.secondRole = secondRole; self.inspect = inspect; self.auto = auto
    }

    /// The rules' combined word: `second` outranks `auto`, `inspect` adds to either.
    public init(matching rules: some Sequence<Rule>) {
        let matched = rules.sorted { $0.code.utf8.lexicographicallyPrecedes($1.code.utf8) }
        self.rules = matched.map(\.code)
        secondRole = matched.first { $0.then == .second }?.secondRole
        inspect = matched.contains { $0.then == .inspect }
        auto = secondRole == nil && matched.contains { $0.then == .auto }
    }
}

extension Ledger {
    /// The rules a return being filed matches.
    func flow(for request: ReturnRequest) -> ReturnFlow {
        guard !rules.isEmpty else { return ReturnFlow() }
        return ReturnFlow(matching: rules.values.filter { $0.matches(request, noReceipt: request.noReceipt && request.kind == .sale) })
    }

    func decideRuleAdd(_ rule: Rule) throws(DomainError) -> Decision {
        guard rules[rule.code] == nil else { throw .exists("rule", rule.code) }
        if let location = rule.location, locations[location] == nil { throw .notFound("location", location) }
        if let reason = rule.reason, reasons[reason] == nil { throw .notFound("reason", reason) }
        if let sku = rule.sku, products[sku] == nil { throw .notFound("sku", sku) }
        return Decision(events: [.ruleAdded(rule)], reply: Reply(status: [Field("rule", rule.code)]))
    }

    func decideRuleDrop(_ code: String) throws(DomainError) -> Decision {
        guard rules[code] != nil else { throw .notFound("rule", code) }
        return Decision(events: [.ruleDropped(code: code)], reply: Reply(status: [Field("rule", code)]))
    }

    func ruleList() -> Reply {
        Reply(lines: rules.values.sorted { $0.code.utf8.lexicographicallyPrecedes($1.code.utf8) }.map(\.fields))
    }
}

extension Rule {
    /// RULE LIST's line, and FEED's `rule.added`.
    public var fields: [Field] {
        [Field("rule", code), Field("then", then.rawValue), Field("kind", kind?.rawValue ?? ""),
         Field("location", location ?? ""), Field("reason", reason ?? ""), Field("sku", sku ?? ""),
         Field("min_amount", minAmount?.description ?? ""), Field("noreceipt", noReceipt ? "yes" : ""),
         Field("role", then == .second ? secondRole.rawValue : ""), Field("note", note),
         Field("max_amount", maxAmount?.description ?? "")]
    }
}
