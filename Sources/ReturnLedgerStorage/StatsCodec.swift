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
        let n = try r.count()
        buckets.reserveCapacity(n)
        for _ in 0..<n {
            let key = Key(day: try r.i64(), kind: try r.enumValue(), location: try r.string())
            var b = Bucket()
            b.filed = try Self.count(&r); b.approved = try Self.count(&r); b.rejected = try Self.count(&r)
            b.cancelled = try Self.count(&r); b.voided = try Self.count(&r)
            b.amount = try Self.sum(&r); b.returnedQty = try Self.sum(&r); b.approvedQty = try Self.sum(&r)
            b.fees = try Self.sum(&r); b.tax = try Self.sum(&r)
            for i in b.refunds.indices { b.refunds[i] = try Self.sum(&r) }
            let times = try r.count()
            b.approvalSeconds.reserveCapacity(times)
            for _ in 0..<times { b.approvalSeconds.append(try Self.sum(&r)) }
            b.groups.reason = try Self.group(&r)
            b.groups.clerk = try Self.group(&r)
            b.groups.party = try Self.group(&r)
            b.groups.sku = try Self.group(&r)
            guard buckets.updateValue(b, forKey: key) == nil else { throw CodecError("stats \(key.location) \(key.day) appears twice") }
        }
        for _ in 0..<(try r.count()) {
            let key = SoldKey(day: try r.i64(), location: try r.string())
            guard soldPerDay.updateValue(try Self.sum(&r), forKey: key) == nil else {
                throw CodecError("units sold \(key.location) \(key.day) appears twice")
            }
        }
    }

    private static func count(_ r: inout ByteReader) throws(CodecError) -> Int {
        let n = try r.i64()
        guard n >= 0, n < bound else { throw CodecError("stats count \(n) out of range") }
        return Int(n)
    }

    private static func sum(_ r: inout ByteReader) throws(CodecError) -> Int64 {
        let v = try r.i64()
        guard v > -bound, v < bound else { throw CodecError("stats sum \(v) out of range") }
        return v
    }

    private static func group(_ r: inout ByteReader) throws(CodecError) -> [String: Totals] {
        var group: [String: Totals] = [:]
        let n = try r.count()
        group.reserveCapacity(n)
        for _ in 0..<n {
            let name = try r.string()
            let totals = Totals(count: try count(&r), qty: try sum(&r), amount: try sum(&r))
            guard group.updateValue(totals, forKey: name) == nil else { throw CodecError("stats group \(name) appears twice") }
        }
        return group
    }
}
