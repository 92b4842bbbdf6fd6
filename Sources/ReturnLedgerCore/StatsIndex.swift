/// STATS without scanning every return: `apply` keeps one bucket per (filing business date, kind, return
/// location) with the
/// counters, amounts and groups a query sums over its window. Derived state: rebuilt from the
/// returns and orders after a snapshot is loaded, never stored.
public struct StatsIndex: Sendable, Equatable {
    public struct Totals: Sendable, Equatable {
        public var count = 0
        public var qty: Int64 = 0
        public var amount: Int64 = 0

        mutating func add(count: Int, qty: Int64, amount: Int64) {
            self.count += count
            self.qty += qty
            self.amount += amount
        }
    }

    public struct Bucket: Sendable, Equatable {
        public var filed = 0, approved = 0, rejected = 0, cancelled = 0
        /// Approved (or inspecting, completed) returns only.
        public var amount: Int64 = 0
        public var returnedQty: Int64 = 0
        /// Restocking fees kept on those returns.
        public var fees: Int64 = 0
        /// The tax those returns gave back (Σ net_tax; protocol.md, Tax).
        public var tax: Int64 = 0
        /// Handed back by those returns, per tender kind (`TenderKind.index`).
        public var refunds: [Int64] = [0, 0, 0, 0]
        public var approvalSeconds: [Int64] = []
        public var groups: [StatsGrouping: [String: Totals]] = [:]

        /// Approval times as a multiset: live they are appended in approval order, a rebuild
        /// adds them in filing order.
        public static func == (a: Bucket, b: Bucket) -> Bool {
            a.filed == b.filed && a.approved == b.approved && a.rejected == b.rejected && a.cancelled == b.cancelled
                && a.amount == b.amount && a.returnedQty == b.returnedQty && a.fees == b.fees && a.tax == b.tax && a.refunds == b.refunds && a.groups == b.groups
                && a.approvalSeconds.sorted() == b.approvalSeconds.sorted()
        }
    }

    public struct Key: Hashable, Sendable {
        public var day: Int64
        public var kind: OrderKind
        public var location: String
    }

    public struct SoldKey: Hashable, Sendable {
        public var day: Int64
        public var location: String
    }

    public var buckets: [Key: Bucket] = [:]
    /// Units sold per business date and selling location, for the return rate.
    public var soldPerDay: [SoldKey: Int64] = [:]

    public init() {}

    // Buckets are business dates: each method takes the ledger's calendar (protocol.md, Business day).

    mutating func filed(_ r: ReturnRequest, _ calendar: BusinessCalendar) {
        buckets[Key(day: calendar.day(of: r.filedAt), kind: r.kind, location: r.location), default: Bucket()].filed += 1
    }

    mutating func closed(_ r: ReturnRequest, as state: ReturnState, _ calendar: BusinessCalendar) {
        let key = Key(day: calendar.day(of: r.filedAt), kind: r.kind, location: r.location)
        if state == .rejected { buckets[key, default: Bucket()].rejected += 1 }
        if state == .cancelled { buckets[key, default: Bucket()].cancelled += 1 }
    }

    mutating func approved(_ r: ReturnRequest, at: Timestamp, _ calendar: BusinessCalendar) {
        let day = calendar.day(of: r.filedAt)
        let key = Key(day: day, kind: r.kind, location: r.location)
        let qty = r.items.reduce(0) { $0 + $1.quantity }
        var bucket = buckets.removeValue(forKey: key) ?? Bucket()
        bucket.approved += 1
        bucket.amount += r.amount.minor
        bucket.fees += r.fee.minor
        bucket.tax += r.netTax.minor
        for part in r.refundParts { bucket.refunds[part.kind.index] += part.amount.minor }
        if r.kind == .sale { bucket.returnedQty += qty }
        // An auto-approval took no reviewer's time: left out of the percentiles.
        if r.approvedBy != Ledger.systemUser { bucket.approvalSeconds.append(at.seconds - r.filedAt.seconds) }
        let amount = r.amount.minor
        bucket.groups[.reason, default: [:]][r.reason, default: Totals()].add(count: 1, qty: qty, amount: amount)
        bucket.groups[.location, default: [:]][r.location, default: Totals()].add(count: 1, qty: qty, amount: amount)
        bucket.groups[.clerk, default: [:]][r.filedBy, default: Totals()].add(count: 1, qty: qty, amount: amount)
        bucket.groups[.party, default: [:]][r.party, default: Totals()].add(count: 1, qty: qty, amount: amount)
        bucket.groups[.day, default: [:]][CivilDate(daysSinceEpoch: day).description, default: Totals()].add(count: 1, qty: qty, amount: amount)
        for (index, item) in r.items.enumerated() {
            // A return counts once per SKU it holds, however many of its lines carry that SKU.
            let first = index == 0 || !r.items[..<index].contains { $0.sku == item.sku }
            bucket.groups[.sku, default: [:]][item.sku, default: Totals()]
                .add(count: first ? 1 : 0, qty: item.quantity, amount: item.amount.minor)
        }
        buckets[key] = bucket
    }

    mutating func sold(_ order: Order, _ calendar: BusinessCalendar) {
        guard order.kind == .sale else { return }
        soldPerDay[SoldKey(day: calendar.day(of: order.at), location: order.location), default: 0] += order.lines.reduce(0) { $0 + $1.quantity }
    }
}

extension Ledger {
    /// Builds the derived indexes from the records (after a snapshot is decoded).
    public mutating func rebuildIndexes() {
        var index = StatsIndex()
        lastDocumentDay = documentsPerDay.keys.max()
        for order in orders.values { index.sold(order, policy.calendar) }
        for r in returns {
            index.filed(r, policy.calendar)
            if r.state.isApproved, let at = r.approvedAt { index.approved(r, at: at, policy.calendar) }
            if r.state == .rejected || r.state == .cancelled { index.closed(r, as: r.state, policy.calendar) }
        }
        stats = index
        openReturns = Set(returns.lazy.filter { $0.state.isOpen }.map(\.number))
        returnsByParty = [:]
        for r in returns where !r.noReceipt { orders[r.order]?.returnNumbers = [] }
        for r in returns { indexReturn(r) }
        indexTills()
        countOpenCreditLots()
        findChainHead()
    }
}

/// The k-th smallest value (0-based), in place, average O(n): percentiles of a window without
/// sorting it.
func select(_ values: inout [Int64], _ k: Int) -> Int64 {
    var low = 0, high = values.count - 1
    while low < high {
        let pivot = values[(low + high) / 2]
        var i = low, j = high
        while i <= j {
            while values[i] < pivot { i += 1 }
            while values[j] > pivot { j -= 1 }
            if i <= j { values.swapAt(i, j); i += 1; j -= 1 }
        }
        if k <= j { high = j } else if k >= i { low = i } else { return values[k] }
    }
    return values[k]
}
