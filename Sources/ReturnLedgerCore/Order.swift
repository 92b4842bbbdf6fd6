/// A sale or a purchase: the record a return is checked against.
public enum OrderKind: String, Sendable, Equatable, CaseIterable { case sale, purchase }

/// One item token as a client wrote it: `SKU:QTY[@PRICE][#BATCH][/SERIAL...]`.
public struct ItemSpec: Sendable, Equatable {
    public var sku: String
    public var quantity: Int64
    public var price: Money?
    public var batch: String
    /// The units' serial numbers (protocol.md, Serial numbers): QTY of them for a SKU with
    /// `serial=yes`, none otherwise (checked once the SKU is looked up).
    public var serials: [String]
    public init(sku: String, quantity: Int64, price: Money? = nil, batch: String = "", serials: [String] = []) {
        self.sku = sku; self.quantity = quantity; self.price = price; self.batch = batch; self.serials = serials
    }
}

public struct OrderLine: Sendable, Equatable {
    public var sku: String
    public var quantity: Int64
    public var price: Money
    public var batch: String
    /// Units already returned by approved returns.
    public var returned: Int64 = 0
    /// Units held by returns still pending review.
    public var pending: Int64 = 0
    /// Since format 9 (protocol.md, Tax and Discount): the SKU's tax rate when the line was
    /// recorded, the tax worked out on the line's value, the line's share of the order's
    /// discount, and whether the tax was added on top (`tax_included=no` then) rather than
    /// included in the price. Older lines: 0.00, 0.00, none, included.
    public var taxRate = Percent.zero
    public var tax = Money.zero
    public var discount = Money.zero
    public var taxExcluded = false
    /// Format 11 (protocol.md, Serial numbers): the serials of the units sold or bought, empty
    /// for a SKU without `serial=yes` (and for lines recorded before it was set).
    public var serials: [String] = []

    public init(sku: String, quantity: Int64, price: Money, batch: String) {
        self.sku = sku; self.quantity = quantity; self.price = price; self.batch = batch
    }

    /// sold − already returned − pending.
    public var returnable: Int64 { quantity - returned - pending }

    /// The lines' amounts (price × quantity − discount, plus tax when excluded) added up,
    /// checked; nil when it leaves money's range.
    public static func total(_ lines: [OrderLine]) -> Money? {
        var total = Money.zero
        for line in lines {
            guard let gross = line.price.times(line.quantity), let amount = gross.adding(-line.discount),
                  let taxed = amount.adding(line.taxExcluded ? line.tax : .zero), let sum = total.adding(taxed) else { return nil }
            total = sum
        }
        return total
    }
}

public struct Order: Sendable, Equatable {
    public var id: String
    public var kind: OrderKind
    public var location: String
    /// Customer or supplier id; empty for a walk-in cash sale.
    public var party: String
    public var paid: Bool
    public var at: Timestamp
    public var lines: [OrderLine]
    public var total: Money
    /// The returns filed against this order, oldest first: derived (not stored; `rebuildIndexes`),
    /// so `LIST order=` reads one order's returns instead of the whole history.
    public var returnNumbers = ReturnNumbers()
    /// Since format 8 (protocol.md, Tenders): how a sale was paid (a paid sale without
    /// `tender=`, and every older one, is `cash:TOTAL`; none for `paid=no`, a 0.00 sale and a
    /// purchase), what returns have charged to each of those tenders so far, the till session it
    /// went through (0: none; the session names the till) and the store-credit lots its `credit`
    /// tender drew.
    ///
    /// `givenTenders` holds only what `tender=` named beyond that default (empty: the default), so
    /// most sales keep no list at all (memory, log and snapshot bytes); `tenders` is what they were.
    public var givenTenders: [Tender] = []
    public var refunded: [Money] = []
    public var session = 0
    public var draws: [LotDraw] = []
    /// An exchange's sale reversed with its return by a VOID: nothing returnable (derived from
    /// the void; not stored).
    public var voided = false

    public init(id: String, kind: OrderKind, location: String, party: String, paid: Bool, at: Timestamp,
                lines: [OrderLine], total: Money) {
        self.id = id; self.kind = kind; self.location = location; self.party = party; self.paid = paid
        self.at = at; self.lines = lines; self.total = total
    }

    /// An approval's units move from pending to returned on their lines, and what its refund took
    /// from each tender is charged to it. Whether the order was paid.
    mutating func settle(_ items: [ReturnItem], charges: some RandomAccessCollection<Money>) -> Bool {
        if !charges.isEmpty {
            if refunded.count < charges.count { refunded += Array(repeating: .zero, count: charges.count - refunded.count) }
            for (i, charge) in charges.enumerated() { refunded[i] = Money(minor: refunded[i].minor + charge.minor) }
        }
        for item in items {
            lines[item.line].pending -= item.quantity
            lines[item.line].returned += item.quantity
        }
        return paid
    }

    /// How the order was paid (protocol.md, Tenders).
    public var tenders: [Tender] {
        get { givenTenders.isEmpty ? Order.defaultTenders(kind: kind, paid: paid, total: total) : givenTenders }
        set { givenTenders = newValue == Order.defaultTenders(kind: kind, paid: paid, total: total) ? [] : newValue }
    }

    /// What a `credit` tender paid (none by default).
    public var paidWithCredit: Money { Money(minor: Tender.sum(givenTenders, of: .credit)) }

    /// What is not yet refunded of each tender, in minor units.
    public var unrefunded: [Int64] { TenderSplit.unrefunded(tenders, refunded) }

    /// The tenders a sale without `tender=` was paid with: all cash, when anything was paid.
    public static func defaultTenders(kind: OrderKind, paid: Bool, total: Money) -> [Tender] {
        kind == .sale && paid && total > .zero ? [Tender(.cash, total)] : []
    }

    /// The discount given on the sale (`discount=`), shared over its lines.
    public var discount: Money { Money(minor: lines.reduce(Int64(0)) { $0 + $1.discount.minor }) }

    /// The tax of its lines.
    public var tax: Money { Money(minor: lines.reduce(Int64(0)) { $0 + $1.tax.minor }) }

    /// Units of the order that can still be returned, and whether any were (ORDER's `status=`).
    public var status: String {
        if voided { return "voided" }
        let returnable = lines.reduce(Int64(0)) { $0 + $1.returnable }
        let returned = lines.contains { $0.returned > 0 }
        return !returned ? "open" : returnable == 0 ? "returned" : "partially_returned"
    }

    /// Same order as a re-send would create, ignoring the time and return counters.
    func sameContent(as other: Order) -> Bool {
        guard kind == other.kind, location == other.location, party == other.party, paid == other.paid,
              tenders == other.tenders, discount == other.discount, lines.count == other.lines.count else { return false }
        return zip(lines, other.lines).allSatisfy {
            $0.sku == $1.sku && $0.quantity == $1.quantity && $0.price == $1.price && $0.batch == $1.batch && Ledger.sameSerials($0.serials, $1.serials)
        }
    }
}
