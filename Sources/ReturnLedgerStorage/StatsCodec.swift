public import ReturnLedgerCore

/// STATS' buckets as bytes (format 15, at the end of the state): kept, not rebuilt from the
/// returns at every load (a quarter of a snapshot's load at 1M returns), and what stays of an
/// archived return's figures once the return itself leaves memory (section 23, "Kept in memory
/// (and snapshots)").
///
/// Canonical, so the state digest stays meaningful: buckets in (date, kind, location) order, each
/// group in name order, the approval times sorted (live they are in approval order, a rebuild has
/// them in filing order: the same multiset, see `StatsIndex.Bucket.==`).
extension StatsIndex: BinaryCodable {
    /// A counter or sum past this is damage, not a shop's figure: decoded values stay far enough
    /// from Int64's ends that `apply`'s unchecked `+=` cannot trap on them.
    static let bound: Int64 = 1 << 60
    /// All the counts and sums together (their magnitudes) stay under this: STATS adds any
    /// window's buckets and groups and scales a part by 10,000 for a rate, unchecked (5.6e14:
    /// centuries of a large chain's figures).
    static let totalBound: Int64 = 1 << 49
    /// Business dates within years 1 to 9999 (days since 1970): STATS prints a bucket's date.
    static let days: ClosedRange<Int64> = -719_162...2_932_896

    public func write(to w: inout ByteWriter) {
        let keys = buckets.keys.sorted { ($0.day, $0.kind.rawValue, $0.location) < ($1.day, $1.kind.rawValue, $1.location) }
        w.u32(UInt32(keys.count))
        for key in keys {
            let b = buckets[key]!
            w.i64(key.day); w.enumValue(key.kind); w.string(key.location)
            for count in [b.filed, b.approved, b.rejected, b.cancelled, b.voided] { w.int(count) }
            for sum in [b.amount, b.returnedQty, b.approvedQty, b.fees, b.tax] { w.i64(sum) }
            for refund in b.refunds { w.i64(refund) }
            w.u32(UInt32(b.approvalSeconds.count))
            for seconds in b.approvalSeconds.sorted() { w.i64(seconds) }
            for group in [b.groups.reason, b.groups.clerk, b.groups.party, b.groups.sku] {
                w.u32(UInt32(group.count))
                for name in group.keys.sorted() {
                    let totals = group[name]!
                    w.string(name); w.int(totals.count); w.i64(totals.qty); w.i64(totals.amount)
                }
            }
            w.spillIfNeeded()
        }
        let sold = soldPerDay.keys.sorted { ($0.day, $0.location) < ($1.day, $1.location) }
        w.u32(UInt32(sold.count))
        for key in sold { w.i64(key.day); w.string(key.location); w.i64(soldPerDay[key]!) }
    }

    public init(from r: inout ByteReader) throws(CodecError) {
        self.init()
        var total: Int64 = 0  // every count and sum's magnitude, added (`totalBound`)
        let n = try r.count()
        buckets.reserveCapacity(n)
        for _ in 0..<n {
            let key = Key(day: try Self.day(&r), kind: try r.enumValue(), location: try r.string())
            var b = Bucket()
            b.filed = try Self.count(&r, &total); b.approved = try Self.count(&r, &total); b.rejected = try Self.count(&r, &total)
            b.cancelled = try Self.count(&r, &total); b.voided = try Self.count(&r, &total)
            guard b.approved + b.rejected + b.cancelled + b.voided <= b.filed else {
                throw CodecError("stats \(key.location) \(key.day): more closed than filed")
            }
            b.amount = try Self.sum(&r, &total); b.returnedQty = try Self.sum(&r, &total); b.approvedQty = try Self.sum(&r, &total)
            b.fees = try Self.sum(&r, &total); b.tax = try Self.sum(&r, &total)
            for i in b.refunds.indices { b.refunds[i] = try Self.sum(&r, &total) }
            let times = try r.count()
            b.approvalSeconds.reserveCapacity(times)
            for _ in 0..<times { b.approvalSeconds.append(try Self.value(&r)) }  // only ranked, never added
            b.groups.reason = try Self.group(&r, &total)
            b.groups.clerk = try Self.group(&r, &total)
            b.groups.party = try Self.group(&r, &total)
            b.groups.sku = try Self.group(&r, &total)
            guard buckets.updateValue(b, forKey: key) == nil else { throw CodecError("stats \(key.location) \(key.day) appears twice") }
        }
        for _ in 0..<(try r.count()) {
            let key = SoldKey(day: try Self.day(&r), location: try r.string())
            guard soldPerDay.updateValue(try Self.sum(&r, &total), forKey: key) == nil else {
                throw CodecError("units sold \(key.location) \(key.day) appears twice")
            }
        }
    }

    private static func day(_ r: inout ByteReader) throws(CodecError) -> Int64 {
        let day = try r.i64()
        guard days.contains(day) else { throw CodecError("stats date \(day) out of range") }
        return day
    }

    private static func count(_ r: inout ByteReader, _ total: inout Int64) throws(CodecError) -> Int {
        let n = try r.i64()
        guard n >= 0, n < bound else { throw CodecError("stats count \(n) out of range") }
        try add(n, to: &total)
        return Int(n)
    }

    private static func sum(_ r: inout ByteReader, _ total: inout Int64) throws(CodecError) -> Int64 {
        let v = try value(&r)
        try add(v, to: &total)
        return v
    }

    private static func value(_ r: inout ByteReader) throws(CodecError) -> Int64 {
        let v = try r.i64()
        guard v > -bound, v < bound else { throw CodecError("stats sum \(v) out of range") }
        return v
    }

    private static func add(_ v: Int64, to total: inout Int64) throws(CodecError) {
        total += abs(v)  // both under 2^60: no overflow
        guard total < totalBound else { throw CodecError("stats figures add up past \(totalBound)") }
    }

    private static func group(_ r: inout ByteReader, _ total: inout Int64) throws(CodecError) -> [String: Totals] {
        var group: [String: Totals] = [:]
        let n = try r.count()
        group.reserveCapacity(n)
        for _ in 0..<n {
            let name = try r.string()
            let totals = Totals(count: try count(&r, &total), qty: try sum(&r, &total), amount: try sum(&r, &total))
            guard group.updateValue(totals, forKey: name) == nil else { throw CodecError("stats group \(name) appears twice") }
        }
        return group
    }
}
