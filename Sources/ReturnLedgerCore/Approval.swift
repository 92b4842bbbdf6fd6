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
    /// Format 9 (protocol.md, Document chain): the document's hash, computed once as it was
    /// issued. Nil in older records: `apply` chains such a document when it is first loaded.
    public var hash: DocHash?
    /// Format 10 (protocol.md, Supplier returns): the RMA `APPROVE rma=` set on the approval that
    /// completes a supplier return; nil when none was given.
    public var rma: String? = nil

    public init(number: Int, doc: String, refund: RefundMode, note: String, by: String, at: Timestamp,
                outcome: ApprovalOutcome?, hash: DocHash? = nil) {
        self.number = number; self.doc = doc; self.refund = refund; self.note = note; self.by = by; self.at = at
        self.outcome = outcome; self.hash = hash
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

    /// Format 8 (protocol.md, Refund tender): how the money went through the tenders; nil in
    /// older records (`Ledger.upgraded` derives it).
    public var tenders: TenderMoves? = nil

    /// Format 9 (protocol.md, Tax): the part of the return's tax the fee carries (older: 0.00).
    public var feeTax = Money.zero

    public var parts: [Tender]? { tenders?.parts }
    public var dueTenders: [Tender] { tenders?.dueTenders ?? [] }
    public var charges: [Money] { tenders?.charges ?? [] }
    public var session: Int { tenders?.session ?? 0 }
    public var tenderOverride: Bool { tenders?.tenderOverride ?? false }
    public var lot: CreditLot? { tenders?.lot }

    public init(quarantined: [Int], credited: Money, refunded: Money, feeRate: Percent = .zero, fee: Money = .zero,
                exchange: Order? = nil, due: Money = .zero, paidIn: Money = .zero) {
        self.quarantined = quarantined; self.credited = credited; self.refunded = refunded
        self.feeRate = feeRate; self.fee = fee; self.exchange = exchange; self.due = due; self.paidIn = paidIn
    }

    /// The state the approval leaves the request in.
    public var state: ReturnState { quarantined.isEmpty ? .approved : .inspecting }
}

/// An approval's tenders, in one shared box: an outcome is copied from decide to the log record
/// and to apply, and each array in it would be one more retain per copy (callgrind: ~1k
/// instructions a RETURN+APPROVE pair when they were fields).
public final class TenderMoves: Sendable, Equatable {
    /// The parts handed back (0.00 ones left out), in sale order or as given.
    public let parts: [Tender]
    /// The tenders that paid an exchange's positive due.
    public let dueTenders: [Tender]
    /// What the refund charged to each of the sale's tenders (the parts an exchange absorbed
    /// included), by the sale's tender order.
    public var charges: [Money] { chargesAreParts ? parts.map(\.amount) : ownCharges }
    /// The same, read in place (an approval's apply reads them without making an array).
    public var chargeAmounts: Charges { Charges(moves: self) }
    /// Most refunds charge each sale tender what its part hands back (one tender, refunded as it
    /// was paid): then the charges are not kept twice (an array of their own was 48 bytes a return).
    private let chargesAreParts: Bool
    private let ownCharges: [Money]
    /// The till session the money went through; 0: none.
    public let session: Int
    /// A supervisor's `override=yes` placed some of it against the tender policy.
    public let tenderOverride: Bool
    /// The store-credit lot the credit parts made: kept in an array (empty for most returns),
    /// so the box stays small.
    private let issued: [CreditLot]
    public var lot: CreditLot? { issued.first }

    public init(parts: [Tender] = [], dueTenders: [Tender] = [], charges: [Money] = [], session: Int = 0,
                tenderOverride: Bool = false, lot: CreditLot? = nil) {
        self.parts = parts; self.dueTenders = dueTenders; self.session = session
        chargesAreParts = !charges.isEmpty && charges.count == parts.count && zip(charges, parts).allSatisfy { $0 == $1.amount }
        ownCharges = chargesAreParts ? [] : charges
        self.tenderOverride = tenderOverride; self.issued = lot.map { [$0] } ?? []
    }

    /// A supplier return's: none.
    public static let none = TenderMoves()

    public struct Charges: RandomAccessCollection {
        let moves: TenderMoves
        public var startIndex: Int { 0 }
        public var endIndex: Int { moves.chargesAreParts ? moves.parts.count : moves.ownCharges.count }
        public subscript(i: Int) -> Money { moves.chargesAreParts ? moves.parts[i].amount : moves.ownCharges[i] }
    }

    public static func == (a: TenderMoves, b: TenderMoves) -> Bool {
        a === b || (a.parts == b.parts && a.dueTenders == b.dueTenders && (a.chargesAreParts && b.chargesAreParts || a.charges == b.charges) && a.session == b.session
                    && a.tenderOverride == b.tenderOverride && a.lot == b.lot)
    }
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

extension Ledger {
    /// The tender fields of an approval recorded before format 8, as that version moved the money:
    /// what was refunded went back in cash, store credit of a paid sale (or a return without a
    /// receipt) became a lot that never expires, and the sale's only tender, cash, was charged
    /// with the net. Frozen, like `format1Outcome`.
    func upgraded(_ recorded: ApprovalOutcome, of approval: Approval) -> ApprovalOutcome {
        var outcome = recorded
        let request = returns[approval.number - 1]
        let legacy = legacyTenders(request, mode: approval.refund, net: outcome.credited, refunded: outcome.refunded,
                                   exchanged: outcome.exchange != nil, due: outcome.due, doc: approval.doc, at: approval.at)
        outcome.tenders = TenderMoves(parts: legacy.parts, charges: legacy.charges, lot: legacy.lot)
        return outcome
    }

    private func legacyTenders(_ request: ReturnRequest, mode: RefundMode?, net: Money, refunded: Money, exchanged: Bool, due: Money,
                               doc: String, at: Timestamp) -> (parts: [Tender], lot: CreditLot?, charges: [Money]) {
        guard request.kind == .sale else { return ([], nil, []) }
        var parts: [Tender] = []
        var lot: CreditLot? = nil
        if refunded > .zero { parts.append(Tender(.cash, refunded)) }
        let order = orders[request.order]
        if !request.party.isEmpty, mode == .credit, request.noReceipt || order?.paid == true {
            let credit = exchanged ? max(.zero, -due) : net
            if credit > .zero {
                parts.append(Tender(.credit, credit))
                lot = CreditLot(id: doc, at: at, amount: credit, expires: nil)
            }
        }
        var charges: [Money] = []
        if let order, order.tenders.count == 1 { charges = [min(net, Money(minor: order.unrefunded[0]))] }
        return (parts, lot, charges)
    }

    /// A state written before format 8 (a snapshot) brought to what replaying its records gives:
    /// each approved customer return's tenders, the lots its store credit made, what it charged
    /// to its sale's cash.
    public mutating func upgradeTenders() {
        for index in 0..<returns.count {
            let r = returns[index]
            guard r.state.isApproved, let at = r.approvedAt else { continue }  // a supplier return: no tenders, as replay gives
            let paid = orders[r.order]?.paid ?? false
            let exchanged = !r.exchange.isEmpty
            let back = exchanged ? max(.zero, -r.due) : r.net
            let refunded = r.refund == .cash && paid ? back : .zero
            let legacy = legacyTenders(r, mode: r.refund, net: r.net, refunded: refunded, exchanged: exchanged, due: r.due,
                                       doc: r.doc, at: at)
            returns[index].tenders = TenderMoves(parts: legacy.parts, charges: legacy.charges, lot: legacy.lot)
            if let lot = legacy.lot { issue(lot, to: r.party) }
            if !legacy.charges.isEmpty, orders[r.order] != nil {
                orders[r.order]!.refunded = [Money(minor: (orders[r.order]!.refunded.first ?? .zero).minor + legacy.charges[0].minor)]
            }
        }
    }
}
