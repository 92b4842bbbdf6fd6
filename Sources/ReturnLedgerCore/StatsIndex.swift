/// STATS without scanning every return: `apply` keeps one bucket per (filing business date, kind, return
/// location) with the
/// counters, amounts and groups a query sums over its window. Kept in the state since format 15
/// (`StatsCodec`): an archived return's figures stay here when the return leaves memory; older
/// states rebuild it from their returns and orders when loaded.
public struct StatsIndex: Sendable, Equatable {
    public struct Totals: Sendable, Equatable {
        public var count = 0
        public var qty: Int64 = 0
        public var amount: Int64 = 0

        public init(count: Int = 0, qty: Int64 = 0, amount: Int64 = 0) {
            self.count = count
            self.qty = qty
            self.amount = amount
        }

        mutating func add(count: Int, qty: Int64, amount: Int64) {
            self.count += count
            self.qty += qty
            self.amount += amount
        }
    }

    public struct Bucket: Sendable, Equatable {
        public var filed = 0, approved = 0, rejected = 0, cancelled = 0
        /// Voided returns: counted here and in `filed` only (protocol.md, VOID).
        public var voided = 0
        /// Approved (or inspecting, completed) returns only.
        public var amount: Int64 = 0
        public var returnedQty: Int64 = 0
        /// Units those returns took back, of either kind: with `approved` and `amount`, the one
        /// `by=location` and `by=day` group of this bucket (its key says which).
        public var approvedQty: Int64 = 0
        /// Restocking fees kept on those returns.
        public var fees: Int64 = 0
        /// The tax those returns gave back (Σ net_tax; protocol.md, Tax).
        public var tax: Int64 = 0
        /// Handed back by those returns, per tender kind (`TenderKind.index`).
        public var refunds: [Int64] = [0, 0, 0, 0]
        public var approvalSeconds: [Int64] = []
        public var groups = Groups()

        public init() {}

        /// Approval times as a multiset: live they are appended in approval order, a rebuild
        /// adds them in filing order.
        public static func == (a: Bucket, b: Bucket) -> Bool {
            a.filed == b.filed && a.approved == b.approved && a.rejected == b.rejected && a.cancelled == b.cancelled && a.voided == b.voided
                && a.amount == b.amount && a.returnedQty == b.returnedQty && a.approvedQty == b.approvedQty && a.fees == b.fees && a.tax == b.tax && a.refunds == b.refunds && a.groups == b.groups
                && a.approvalSeconds.sorted() == b.approvalSeconds.sorted()
        }
    }

    /// The groups a bucket keeps, one dictionary each (by location and by day need none: the
    /// bucket is one of each). Named fields, not a dictionary by grouping: a String-backed enum
    /// key hashes its raw text on every approval.
    public struct Groups: Sendable, Equatable {
        public var reason: [String: Totals] = [:]
        public var clerk: [String: Totals] = [:]
        public var party: [String: Totals] = [:]
        public var sku: [String: Totals] = [:]

        /// No group holds anything (every approval counted was taken back, or none was).
        public var isEmpty: Bool { reason.isEmpty && clerk.isEmpty && party.isEmpty && sku.isEmpty }

        public subscript(grouping: StatsGrouping) -> [String: Totals]? {
            switch grouping {
            case .reason: reason
            case .clerk: clerk
            case .party: party
            case .sku: sku
            case .location, .day, .disposition, .supplier: nil
            }
        }
    }

    public struct Key: Hashable, Sendable {
        public var day: Int64
        public var kind: OrderKind
        public var location: String

        public init(day: Int64, kind: OrderKind, location: String) {
            self.day = day
            self.kind = kind
            self.location = location
        }

        /// The kind as a flag: hashing the enum would hash its raw text.
        public func hash(into hasher: inout Hasher) {
            hasher.combine(day)
            hasher.combine(kind == .sale)
            hasher.combine(location)
        }
    }

    public struct SoldKey: Hashable, Sendable {
        public var day: Int64
        public var location: String

        public init(day: Int64, location: String) {
            self.day = day
            self.location = location
        }
    }

    public var buckets: [Key: Bucket] = [:]
    /// Units sold per business date and selling location, for the return rate.
    public var soldPerDay: [SoldKey: Int64] = [:]

    public init() {}

    // Buckets are business dates: each method takes the ledger's calendar (protocol.md, Business day).

    /// `day`: the business date it was filed on (its caller has it for LIST's row too).
    mutating func filed(_ r: ReturnRequest, day: Int64) {
        buckets[Key(day: day, kind: r.kind, location: r.location), default: Bucket()].filed += 1
    }

    mutating func closed(_ r: ReturnRequest, as state: ReturnState, _ calendar: BusinessCalendar) {
        let key = Key(day: calendar.day(of: r.filedAt), kind: r.kind, location: r.location)
        if state == .rejected { buckets[key, default: Bucket()].rejected += 1 }
        if state == .cancelled { buckets[key, default: Bucket()].cancelled += 1 }
    }

    mutating func approved(_ r: ReturnRequest, at: Timestamp, _ calendar: BusinessCalendar) {
        count(r, at: at, calendar, sign: 1)
    }

    /// A VOID takes back all the approval counted; the return stays filed, and counts as voided.
    mutating func voided(_ r: ReturnRequest, _ calendar: BusinessCalendar) {
        count(r, at: r.approvedAt ?? r.filedAt, calendar, sign: -1)
        buckets[Key(day: calendar.day(of: r.filedAt), kind: r.kind, location: r.location), default: Bucket()].voided += 1
    }

    /// An approval's figures added (`sign` 1) or taken back (−1, leaving no group at zero behind,
    /// so the buckets are what a rebuild without the return makes).
    private mutating func count(_ r: ReturnRequest, at: Timestamp, _ calendar: BusinessCalendar, sign: Int) {
        let day = calendar.day(of: r.filedAt)
        let key = Key(day: day, kind: r.kind, location: r.location)
        // Changed where it is kept: one lookup of the key, no copy of the bucket.
        Self.count(r, at: at, sign: sign, into: &buckets[key, default: Bucket()])
    }

    private static func count(_ r: ReturnRequest, at: Timestamp, sign: Int, into bucket: inout Bucket) {
        let s = Int64(sign)
        let qty = s * r.items.reduce(0) { $0 + $1.quantity }
        bucket.approved += sign
        bucket.approvedQty += qty
        bucket.amount += s * r.amount.minor
        bucket.fees += s * r.fee.minor
        bucket.tax += s * r.netTax.minor
        for part in r.refundParts { bucket.refunds[part.kind.index] += s * part.amount.minor }
        if r.kind == .sale { bucket.returnedQty += qty }
        // An auto-approval took no reviewer's time: left out of the percentiles.
        if r.approvedBy != Ledger.systemUser {
            let seconds = at.seconds - r.filedAt.seconds
            if sign > 0 {
                bucket.approvalSeconds.append(seconds)
            } else if let i = bucket.approvalSeconds.lastIndex(of: seconds) {
                bucket.approvalSeconds.remove(at: i)
            }
        }
        let amount = s * r.amount.minor
        // By location and by day: the bucket's own figures (its key is one of each).
        StatsIndex.add(&bucket.groups.reason, r.reason, count: sign, qty: qty, amount: amount)
        StatsIndex.add(&bucket.groups.clerk, r.filedBy, count: sign, qty: qty, amount: amount)
        StatsIndex.add(&bucket.groups.party, r.party, count: sign, qty: qty, amount: amount)
        for (index, item) in r.items.enumerated() {
            // A return counts once per SKU it holds, however many of its lines carry that SKU.
            let first = index == 0 || !r.items[..<index].contains { $0.sku == item.sku }
            StatsIndex.add(&bucket.groups.sku, item.sku, count: first ? sign : 0, qty: s * item.quantity, amount: s * item.amount.minor)
        }
    }

    /// One group's totals moved; taken back to nothing, the entry goes (as a rebuild would leave it).
    @inline(__always)
    private static func add(_ group: inout [String: Totals], _ name: String, count: Int, qty: Int64, amount: Int64) {
        group[name, default: Totals()].add(count: count, qty: qty, amount: amount)
        guard count < 0 || qty < 0 || amount < 0, group[name] == Totals() else { return }
        group[name] = nil
    }

    mutating func sold(_ order: Order, _ calendar: BusinessCalendar) {
        guard order.kind == .sale else { return }
        soldPerDay[SoldKey(day: calendar.day(of: order.at), location: order.location), default: 0] += order.lines.reduce(0) { $0 + $1.quantity }
    }
}

extension Ledger {
    /// Builds the derived indexes from the records (after a snapshot is decoded). `kept`: the
    /// state held STATS' buckets, the returns filed per order and per party and LIST's rows
    /// (format 15), which are then left as they are: only the open returns are read (a return's
    /// figures, numbers and row stay when the return itself leaves memory).
    /// `chainKept`: the chain's head was restored (format 16; its last document's return may
    /// have left memory).
    public mutating func rebuildIndexes(kept: Bool = false, chainKept: Bool = false) {
        lastDocumentDay = documentsPerDay.keys.max()
        serialSkus = Set(products.values.lazy.filter(\.serial).map(\.sku))
        openReturns = []
        openReturnSerials = [:]
        if kept {
            // The list rows say which returns are open: only those are read.
            for (i, row) in listIndex.rows.enumerated() where row.isOpen {
                openReturns.insert(i + 1)
                noteOpenSerials(returns[i], open: true)
            }
        } else {
            rebuildReturnIndexes()
        }
        indexTills()
        countOpenCreditLots()
        if !chainKept { findChainHead() }
        moveKeys = [:]
        for move in stockMoves where !move.key.isEmpty { moveKeys[move.key] = move.number }
        skusWithRules = Set(products.values.lazy.filter(\.hasOwnRules).map(\.sku))
        // An exchange's sale voided with its return (not stored: the void says so).
        // A return that left memory is not read: its exchange's sale, if any, has its one name.
        for number in voids.keys {
            if returns.isHeld(number - 1) {
                if !returns[number - 1].exchange.isEmpty { orders[returns[number - 1].exchangeOrder]?.voided = true }
            } else {
                orders[ReturnRequest.exchangeOrder(number)]?.voided = true
            }
        }
    }

    /// LIST's rows as a format 15 state held them (set only by its decoder, before `rebuildIndexes`).
    public mutating func restore(listIndex: ReturnListIndex) {
        self.listIndex = listIndex
    }

    /// What a state before format 15 did not hold, from its returns and orders: STATS' buckets,
    /// the returns per order and per party, LIST's rows, the open returns.
    private mutating func rebuildReturnIndexes() {
        var index = StatsIndex()
        for order in orders.values { index.sold(order, policy.calendar) }
        returnsByParty = [:]
        for i in returns.indices where !returns[i].noReceipt { orders[returns[i].order]?.returnNumbers = [] }
        listIndex = ReturnListIndex()
        // One pass, each return borrowed where it is kept (`for r in returns` copied every one,
        // retaining each of its strings and arrays: a fifth of a snapshot's load).
        for i in returns.indices {
            let state = returns[i].state, day = policy.calendar.day(of: returns[i].filedAt)
            index.filed(returns[i], day: day)
            if state.isApproved, let at = returns[i].approvedAt { index.approved(returns[i], at: at, policy.calendar) }
            if state == .rejected || state == .cancelled { index.closed(returns[i], as: state, policy.calendar) }
            if state == .voided { index.buckets[StatsIndex.Key(day: day, kind: returns[i].kind, location: returns[i].location),
                                                default: StatsIndex.Bucket()].voided += 1 }
            if state.isOpen {
                openReturns.insert(i + 1)
                noteOpenSerials(returns[i], open: true)
            }
            indexReturn(returns[i])
            listIndex.filed(returns[i], day: day)
        }
        stats = index
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
