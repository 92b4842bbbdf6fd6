/// STATS: returns counted by state, grouped, with approval times and the return rate, summed
/// from the per-day buckets of `StatsIndex` (so a year of returns costs a few hundred bucket
/// additions, not a scan).
///
/// Groups, `amount` and `return_rate` cover returns whose stock and money moved (approved,
/// inspecting, completed); the state counters cover every return filed in the window. The
/// window is the filing day, `from` and `to` inclusive. `location=` and a scoped user's locations
/// keep returns at those locations, and sales made there for the return rate.
extension Ledger {
    func stats(_ asked: StatsQuery, _ scope: Scope = .everywhere) throws(DomainError) -> Reply {
        var query = asked
        // STATS by=supplier counts supplier returns only, its OK line too (protocol.md, Supplier returns).
        if query.by == .supplier { query.kind = .purchase }
        if query.by == .disposition { query.kind = .sale }  // customer returns only, its OK line too
        func included(_ location: String) -> Bool {
            scope.contains(location) && (query.location == nil || query.location == location)
        }
        let fromDay = query.from?.daysSinceEpoch ?? .min, toDay = query.to?.daysSinceEpoch ?? .max
        var total = StatsIndex.Bucket()
        var groups: [String: StatsIndex.Totals] = [:]
        var approvals: [Int64] = []
        for (key, bucket) in stats.buckets where key.day >= fromDay && key.day <= toDay {
            if let kind = query.kind, key.kind != kind { continue }
            if !included(key.location) { continue }
            total.filed += bucket.filed
            total.approved += bucket.approved
            total.rejected += bucket.rejected
            total.cancelled += bucket.cancelled
            total.voided += bucket.voided
            total.amount += bucket.amount
            total.returnedQty += bucket.returnedQty
            total.fees += bucket.fees
            total.tax += bucket.tax
            for k in 0..<4 { total.refunds[k] += bucket.refunds[k] }
            approvals += bucket.approvalSeconds
            guard let by = query.by else { continue }
            let figures: [String: StatsIndex.Totals]
            switch by {
            case .location, .day:
                // The bucket is one location's and one day's: its own figures are the group's.
                guard bucket.approved != 0 || bucket.approvedQty != 0 || bucket.amount != 0 else { continue }
                let name = by == .location ? key.location : CivilDate(daysSinceEpoch: key.day).description
                figures = [name: StatsIndex.Totals(count: bucket.approved, qty: bucket.approvedQty, amount: bucket.amount)]
            default:
                guard let kept = bucket.groups[by] else { continue }
                figures = kept
            }
            for (value, f) in figures {
                groups[value, default: StatsIndex.Totals()].count += f.count
                groups[value]!.qty += f.qty
                groups[value]!.amount += f.amount
            }
        }
        var soldQty: Int64 = 0
        if query.kind != .purchase {
            for (key, qty) in stats.soldPerDay where key.day >= fromDay && key.day <= toDay && included(key.location) {
                soldQty += qty
            }
        }
        let ordered = groups.sorted { a, b in
            if query.by == .day { return a.key < b.key }
            return a.value.count != b.value.count ? a.value.count > b.value.count : a.key < b.key
        }
        var lines: [[Field]] = ordered.map { group in
            [Field(query.by!.rawValue, group.key), Field("count", String(group.value.count)),
             Field("qty", String(group.value.qty)), Field("amount", Money(minor: group.value.amount).description),
             Field("share", ratio(Int64(group.value.count), Int64(total.approved)))]
        }
        if query.by == .disposition || query.by == .supplier {
            lines = try heldGroups(query, included: included, approved: total.approved)
        }
        let pending = total.filed - total.approved - total.rejected - total.cancelled - total.voided
        return Reply(status: [
            Field("filed", String(total.filed)), Field("approved", String(total.approved)),
            Field("rejected", String(total.rejected)), Field("cancelled", String(total.cancelled)),
            Field("pending", String(pending)), Field("amount", Money(minor: total.amount).description),
            Field("return_rate", ratio(total.returnedQty, soldQty)),
            Field("approve_p50_s", percentile(&approvals, 50)), Field("approve_p90_s", percentile(&approvals, 90)),
            Field("fees", Money(minor: total.fees).description),
            Field("refund_cash", Money(minor: total.refunds[0]).description), Field("refund_card", Money(minor: total.refunds[1]).description),
            Field("refund_credit", Money(minor: total.refunds[2]).description), Field("refund_other", Money(minor: total.refunds[3]).description),
            Field("voided", String(total.voided)), Field("tax", Money(minor: total.tax).description),
        ], lines: lines)
    }
}

/// `part / whole` with 4 decimals, computed in integers (`0.3333`); `0.0000` when whole is 0.
func ratio(_ part: Int64, _ whole: Int64) -> String {
    guard whole > 0 else { return "0.0000" }
    let scaled = (part * 10_000 + whole / 2) / whole
    let fraction = String(scaled % 10_000)
    return String(scaled / 10_000) + "." + String(repeating: "0", count: 4 - fraction.count) + fraction
}

/// Nearest-rank percentile in whole seconds; `0` when there are none. Reorders `values`.
func percentile(_ values: inout [Int64], _ p: Int) -> String {
    guard !values.isEmpty else { return "0" }
    let rank = max(1, (p * values.count + 99) / 100)
    return String(select(&values, rank - 1))
}
