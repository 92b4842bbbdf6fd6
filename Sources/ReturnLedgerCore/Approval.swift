/// A return's approval as the log records it: who approved, the document issued, and what the
/// approval moved. `decide` works the outcome out once; `apply` only carries it out, so a later
/// change to a product, a rule or a fee can never rewrite what an old approval did.
public struct Approval: Sendable, Equatable {
    public var number: Int
    public var doc: String
    public var refund: RefundMode
    public var note: String
    public var by: String
    public var at: Timestamp
    /// What the approval moved. Nil only in records of log format 1, which did not store it;
    /// `Ledger.format1Outcome` derives it the way that version did.
    public var outcome: ApprovalOutcome?

    public init(number: Int, doc: String, refund: RefundMode, note: String, by: String, at: Timestamp,
                outcome: ApprovalOutcome?) {
        self.number = number; self.doc = doc; self.refund = refund; self.note = note; self.by = by; self.at = at
        self.outcome = outcome
    }
}

/// The stock and money an approval moves.
public struct ApprovalOutcome: Sendable, Equatable {
    /// Indices into the request's items whose units go into quarantine instead of on hand.
    public var quarantined: [Int]
    /// The amount of the credit note (customer) or debit note (supplier), and of the notice.
    public var credited: Money
    /// Cash paid back to the customer in the same step (zero for store credit and suppliers).
    public var refunded: Money

    /// Format 5 (protocol.md, Return types): the restocking fee's rate and amount (credited is
    /// amount − fee); the exchange sale recorded in the same step, at the return location, with
    /// no payment of its own; `due` = its total − credited; cash the customer paid in for a
    /// dearer exchange.
    public var feeRate = Percent.zero
    public var fee = Money.zero
    public var exchange: Order? = nil
    public var due = Money.zero
    public var paidIn = Money.zero

    public init(quarantined: [Int], credited: Money, refunded: Money, feeRate: Percent = .zero, fee: Money = .zero,
                exchange: Order? = nil, due: Money = .zero, paidIn: Money = .zero) {
        self.quarantined = quarantined; self.credited = credited; self.refunded = refunded
        self.feeRate = feeRate; self.fee = fee; self.exchange = exchange; self.due = due; self.paidIn = paidIn
    }

    /// The state the approval leaves the request in.
    public var state: ReturnState { quarantined.isEmpty ? .approved : .inspecting }
}

extension Ledger {
    /// The outcome of an approval recorded by log format 1, as that version's `apply` worked it
    /// out from the state at the time: a customer's units of an `inspect=yes` SKU into quarantine,
    /// the whole amount credited, and refunded in cash when the refund mode was cash. Frozen:
    /// it describes old records, not today's rules.
    public func format1Outcome(_ approval: Approval) -> ApprovalOutcome {
        Ledger.format1Outcome(approval, request: returns[approval.number - 1], products: products)
    }

    static func format1Outcome(_ approval: Approval, request: ReturnRequest, products: [String: Product]) -> ApprovalOutcome {
        let customer = request.kind == .sale
        let quarantined = customer ? request.items.indices.filter { products[request.items[$0].sku]?.inspect == true } : []
        let refunded = customer && approval.refund == .cash ? request.amount : .zero
        return ApprovalOutcome(quarantined: quarantined, credited: request.amount, refunded: refunded)
    }
}
