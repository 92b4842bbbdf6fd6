/// A period close (protocol.md, PERIOD): every business date up to `through` closed, with each
/// date's Z totals as they stood at the close (kept, never recomputed) and the store credit that
/// expired in those dates written off.
public struct PeriodClose: Sendable, Equatable {
    /// The last business date closed, as days since 1970.
    public var through: Int64
    public var by: String
    public var at: Timestamp
    public var note: String
    /// The Z totals of each date this close covered that had activity, oldest first.
    public var days: [ZDay]

    public init(through: Int64, by: String, at: Timestamp, note: String, days: [ZDay]) {
        self.through = through; self.by = by; self.at = at; self.note = note; self.days = days
    }

    public var date: CivilDate { CivilDate(daysSinceEpoch: through) }
}

/// One business date's Z totals, one row per location with activity, by location code.
public struct ZDay: Sendable, Equatable {
    public var day: Int64
    public var rows: [ZRow]
    public init(day: Int64, rows: [ZRow]) { self.day = day; self.rows = rows }
}

/// A location's day (protocol.md, PERIOD Z): sales, customer returns by their completing
/// approval's date, voids by theirs, till pay-ins, pay-outs and variances, and what each tender
/// took and handed back.
public struct ZRow: Sendable, Equatable {
    /// PERIOD Z's tender rows, in this order: the four tender kinds, then sales on account.
    public static let tenderKinds = ["cash", "card", "credit", "other", "account"]
    public static let account = 4

    public var location: String
    public var sales: Int64 = 0
    public var salesAmount = Money.zero
    public var salesTax = Money.zero
    public var discounts = Money.zero
    public var returns: Int64 = 0
    public var refundsAmount = Money.zero
    public var refundsTax = Money.zero
    public var fees = Money.zero
    public var voids: Int64 = 0
    public var voidsAmount = Money.zero
    public var paidIn = Money.zero
    public var paidOut = Money.zero
    public var variance = Money.zero
    /// Per `tenderKinds`: what the day's sales took, what its refunds handed back.
    public var taken: [Money] = Array(repeating: .zero, count: 5)
    public var refunded: [Money] = Array(repeating: .zero, count: 5)

    public init(location: String) { self.location = location }

    /// `* z` line's fields after `location=`.
    public var fields: [Field] {
        [Field("location", location), Field("sales", String(sales)), Field("sales_amount", salesAmount.description),
         Field("sales_tax", salesTax.description), Field("discounts", discounts.description), Field("returns", String(returns)),
         Field("refunds_amount", refundsAmount.description), Field("refunds_tax", refundsTax.description),
         Field("fees", fees.description), Field("voids", String(voids)), Field("voids_amount", voidsAmount.description),
         Field("paid_in", paidIn.description), Field("paid_out", paidOut.description), Field("variance", variance.description)]
    }

    /// The five `* tender` lines' fields.
    public var tenderFields: [[Field]] {
        ZRow.tenderKinds.indices.map { i in
            [Field("location", location), Field("kind", ZRow.tenderKinds[i]), Field("taken", taken[i].description),
             Field("refunded", refunded[i].description)]
        }
    }
}

/// A store-credit lot written off by a close: what was left of it, at most what the account then
/// owed the customer, entered at the lot's expiry.
public struct CreditWriteOff: Sendable, Equatable {
    public var party: String
    public var lot: String
    public var amount: Money
    public var at: Timestamp
    public init(party: String, lot: String, amount: Money, at: Timestamp) {
        self.party = party; self.lot = lot; self.amount = amount; self.at = at
    }
}
