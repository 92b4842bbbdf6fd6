/// What a change moves, worked out in one place: `apply` carries these out, and FEED shows them
/// as `stock.moved` and `ledger.entry` lines, so a head office's copy of stock and
/// balances is made of the very movements the server made.
public struct Effects: Sendable, Equatable {
    /// A change of stock in one slot: units on hand and in quarantine (either may be negative).
    public struct Move: Sendable, Equatable {
        public var sku: String
        public var slot: StockSlot
        public var onHand: Int64 = 0
        public var quarantine: Int64 = 0

        public init(sku: String, slot: StockSlot, onHand: Int64 = 0, quarantine: Int64 = 0) {
            self.sku = sku; self.slot = slot; self.onHand = onHand; self.quarantine = quarantine
        }
    }

    /// An entry on a party's account (positive: the party owes more).
    public struct Posting: Sendable, Equatable {
        public var party: String
        public var kind: EntryKind
        public var doc: String
        public var amount: Money

        public init(party: String, kind: EntryKind, doc: String, amount: Money) {
            self.party = party; self.kind = kind; self.doc = doc; self.amount = amount
        }
    }

    public var moves: [Move] = []
    public var postings: [Posting] = []

    public init(moves: [Move] = [], postings: [Posting] = []) { self.moves = moves; self.postings = postings }

    /// A sale takes stock out, a purchase puts it in; a sale to a customer goes on their account
    /// (and off again when paid at once), a purchase on the supplier's. An exchange sale
    /// (`payment: false`) records no payment of its own: the approval's `due` settles it.
    mutating func add(_ order: Order, payment: Bool = true) {
        let sign: Int64 = order.kind == .sale ? -1 : 1
        for line in order.lines {
            moves.append(Move(sku: line.sku, slot: StockSlot(location: order.location, batch: line.batch), onHand: sign * line.quantity))
        }
        guard !order.party.isEmpty else { return }
        if order.kind == .sale {
            postings.append(Posting(party: order.party, kind: .sale, doc: order.id, amount: order.total))
            // Paid at once, but for what store credit paid: that stays on the balance (protocol.md, Tenders).
            let credit = order.paidWithCredit.minor
            if order.paid, payment, order.total.minor - credit > 0 {
                postings.append(Posting(party: order.party, kind: .payment, doc: order.id, amount: Money(minor: credit - order.total.minor)))
            }
        } else {
            postings.append(Posting(party: order.party, kind: .purchase, doc: order.id, amount: -order.total))
        }
    }

    /// A completing approval: units back on hand (customer returns), into quarantine (the
    /// outcome's), or out (supplier returns); the credit or debit note, the exchange sale, the
    /// refund and the exchange's difference paid in. `request` has its quarantined units marked.
    static func approval(_ request: ReturnRequest, doc: String, _ outcome: ApprovalOutcome) -> Effects {
        var e = Effects()
        let customer = request.kind == .sale
        for item in request.items {
            let slot = StockSlot(location: request.location, batch: item.batch)
            e.moves.append(item.quarantined ? Move(sku: item.sku, slot: slot, quarantine: item.quantity)
                                            : Move(sku: item.sku, slot: slot, onHand: customer ? item.quantity : -item.quantity))
        }
        if customer {
            if !request.party.isEmpty {
                e.postings.append(Posting(party: request.party, kind: .credit_note, doc: doc, amount: -outcome.credited))
            }
            if let exchange = outcome.exchange { e.add(exchange, payment: false) }
            if !request.party.isEmpty {
                if outcome.refunded != .zero { e.postings.append(Posting(party: request.party, kind: .payment, doc: doc, amount: outcome.refunded)) }
                if outcome.paidIn != .zero {
                    e.postings.append(Posting(party: request.party, kind: .payment, doc: request.exchangeOrder, amount: -outcome.paidIn))
                }
            }
        } else {
            e.postings.append(Posting(party: request.party, kind: .debit_note, doc: doc, amount: outcome.credited))
        }
        return e
    }

    /// An inspection: the quarantined units leave quarantine, back on hand when restocked.
    static func inspection(_ request: ReturnRequest, _ disposition: Disposition) -> Effects {
        var e = Effects()
        for item in request.items where item.quarantined {
            e.moves.append(Move(sku: item.sku, slot: StockSlot(location: request.location, batch: item.batch),
                                onHand: disposition == .restock ? item.quantity : 0, quarantine: -item.quantity))
        }
        return e
    }

    /// A payment: money in lowers what the party owes, money out raises it.
    static func payment(party: String, amount: Money, direction: PaymentDirection, doc: String) -> Effects {
        Effects(postings: [Posting(party: party, kind: .payment, doc: doc, amount: direction == .in ? -amount : amount)])
    }
}
