/// STATS `by=disposition` and `by=supplier` (protocol.md, Disposition and Supplier returns):
/// what became of approved customer returns' units, and what suppliers credited for supplier
/// returns. Worked out from the returns filed in the window (a walk over them, unlike the
/// per-day buckets of the other groupings: decisions and credit notes come long after filing).
extension Ledger {
    struct HeldTotals {
        var count = 0
        var qty: Int64 = 0
        var amount: Int64 = 0
        var value: Int64 = 0
        var expected: Int64 = 0
        var received: Int64 = 0
        var difference: Int64 = 0
        var open = 0
    }

    func heldGroups(_ query: StatsQuery, included: (String) -> Bool, approved: Int) throws(DomainError) -> [[Field]] {
        let fromDay = query.from?.daysSinceEpoch ?? .min, toDay = query.to?.daysSinceEpoch ?? .max
        var groups: [String: HeldTotals] = [:]
        // Returns that left memory (section 23) are picked by their LIST rows, then read back a
        // chunk at a time: only chunks holding an approved return in the window are read.
        var filed = FiledReturns()
        for number in 1..<(returns.count + 1) {
            let r: ReturnRequest
            if returns.isHeld(number - 1) {
                guard returns[number - 1].state.isApproved, included(returns[number - 1].location) else { continue }
                r = returns[number - 1]
            } else {
                let row = listIndex.rows[number - 1]
                guard ReturnListIndex.approvedCodes.contains(row.state), row.day >= fromDay, row.day <= toDay,
                      included(listIndex.location(ofReturn: number)) else { continue }
                r = try filed.at(number, of: self)
            }
            let day = policy.calendar.day(of: r.filedAt)
            guard day >= fromDay, day <= toDay else { continue }
            if query.by == .supplier {
                guard r.kind == .purchase else { continue }
                var g = groups[r.party, default: HeldTotals()]
                g.count += 1
                g.qty += r.items.reduce(0) { $0 + $1.quantity }
                g.amount += r.amount.minor
                g.expected += r.expected.minor
                if let credit = r.supplier?.credit {
                    g.received += credit.amount.minor
                    g.difference += credit.amount.minor - r.expected.minor
                } else {
                    g.open += 1
                }
                groups[r.party] = g
                continue
            }
            guard r.kind == .sale else { continue }
            // Each unit once: on hand at approval (`none`), still in quarantine, or as decided.
            var here: [String: HeldTotals] = [:]
            let left = r.itemsInQuarantine
            for (i, item) in r.items.enumerated() {
                let units = item.quarantined ? left[i] : item.quantity
                guard units > 0 else { continue }
                let name = item.quarantined ? "quarantine" : "none"
                here[name, default: HeldTotals()].qty += units
                here[name]!.amount += item.price.minor * units
            }
            for d in r.disposals {
                let price = r.items.first { $0.sku == d.sku && $0.batch == d.batch }?.price.minor ?? 0
                here[d.disposition.rawValue, default: HeldTotals()].qty += d.quantity
                here[d.disposition.rawValue]!.amount += price * d.quantity
                here[d.disposition.rawValue]!.value += d.value.minor
            }
            for (name, t) in here {
                var g = groups[name, default: HeldTotals()]
                g.count += 1
                g.qty += t.qty
                g.amount += t.amount
                g.value += t.value
                groups[name] = g
            }
        }
        let ordered = groups.sorted { a, b in a.value.count != b.value.count ? a.value.count > b.value.count : a.key < b.key }
        return ordered.map { key, g in
            var fields = [Field(query.by!.rawValue, key), Field("count", String(g.count)), Field("qty", String(g.qty)),
                          Field("amount", Money(minor: g.amount).description), Field("share", ratio(Int64(g.count), Int64(approved)))]
            if query.by == .disposition {
                fields.append(Field("value", Money(minor: g.value).description))
            } else {
                fields += [Field("expected", Money(minor: g.expected).description), Field("received", Money(minor: g.received).description),
                           Field("difference", Money(minor: g.difference).description), Field("open", String(g.open))]
            }
            return fields
        }
    }
}
