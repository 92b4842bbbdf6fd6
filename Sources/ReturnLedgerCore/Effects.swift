/// What a change moves, worked out in one place: `apply` carries these out, and FEED shows them
/// as `stock.moved` and `ledger.entry` lines, so a head office's copy of stock and
/// balances is made of the very movements the server made.
public struct Effects: Sendable, Equatable {
    /// A change of stock in one slot: units in each state (any may be negative).
    public struct Move: Sendable, Equatable {
        public var sku: String
        public var slot: StockSlot
        public var onHand: Int64 = 0
        public var quarantine: Int64 = 0
        /// Format 10 (protocol.md, Stock states).
        public var rtv: Int64 = 0
        public var refurbish: Int64 = 0
        public var transit: Int64 = 0
        /// Format 11 (protocol.md, Serial numbers): the moved units' serials. Into the state
        /// the move adds to (if any), else out of stock, as `Ledger.place` reads them.
        public var serials: [String] = []

        public init(sku: String, slot: StockSlot, onHand: Int64 = 0, quarantine: Int64 = 0, rtv: Int64 = 0,
                    refurbish: Int64 = 0, transit: Int64 = 0, serials: [String] = []) {
            self.sku = sku; self.slot = slot; self.onHand = onHand; self.quarantine = quarantine
            self.rtv = rtv; self.refurbish = refurbish; self.transit = transit; self.serials = serials
        }

        /// A change of every state of a slot, as a level holds them.
        public init(sku: String, slot: StockSlot, change: StockLevel, serials: [String] = []) {
            self.init(sku: sku, slot: slot, onHand: change.onHand, quarantine: change.quarantine, rtv: change.rtv,
                      refurbish: change.refurbish, transit: change.transit, serials: serials)
        }

        /// `units` into (or, negative, out of) one state of a slot.
        public init(sku: String, slot: StockSlot, _ state: StockState, _ units: Int64, serials: [String] = []) {
            var change = StockLevel()
            change[state] = units
            self.init(sku: sku, slot: slot, change: change, serials: serials)
        }

        /// The state the move puts units into, if any: where its serials go.
        public var target: StockState? {
            onHand > 0 ? .on_hand : quarantine > 0 ? .quarantine : rtv > 0 ? .rtv : refurbish > 0 ? .refurbish : transit > 0 ? .transit : nil
        }

        /// Moves beyond on hand and quarantine (written only then in a record, format 10).
        public var movesHeld: Bool { rtv != 0 || refurbish != 0 || transit != 0 }
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
            moves.append(Move(sku: line.sku, slot: StockSlot(location: order.location, batch: line.batch), onHand: sign * line.quantity,
                              serials: line.serials))
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
            e.moves.append(item.quarantined ? Move(sku: item.sku, slot: slot, quarantine: item.quantity, serials: item.serials)
                                            : customer ? Move(sku: item.sku, slot: slot, onHand: item.quantity, serials: item.serials)
                                                       : Move(sku: item.sku, slot: slot, request.source, -item.quantity, serials: item.serials))
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

    /// Decisions on held units (INSPECT from quarantine, DISPOSE from rtv or refurbish), one move
    /// per decision in one slot, two for a regrade (protocol.md, Disposition).
    static func disposals(_ decisions: [Disposal], at location: String, from source: StockState) -> Effects {
        var e = Effects()
        for d in decisions {
            var change = StockLevel()
            change[source] -= d.quantity
            if let target = d.disposition.target, d.disposition != .regrade { change[target] += d.quantity }
            e.moves.append(Move(sku: d.sku, slot: StockSlot(location: location, batch: d.batch), change: change, serials: d.serials))
            if d.disposition == .regrade {
                e.moves.append(Move(sku: d.toSku, slot: StockSlot(location: location, batch: ""), onHand: d.quantity, serials: d.serials))
            }
        }
        return e
    }

    /// A payment: money in lowers what the party owes, money out raises it.
    static func payment(party: String, amount: Money, direction: PaymentDirection, doc: String) -> Effects {
        Effects(postings: [Posting(party: party, kind: .payment, doc: doc, amount: direction == .in ? -amount : amount)])
    }
}
