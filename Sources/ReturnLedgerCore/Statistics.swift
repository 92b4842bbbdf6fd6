/// STATS: returns counted by state, grouped, with approval times and the return rate.
///
/// Groups, `amount` and `return_rate` cover returns whose stock and money moved (approved,
/// inspecting, completed); the state counters cover every return filed in the window. The
/// window is the filing day, `from` and `to` inclusive.
extension Ledger {
    func stats(_ query: StatsQuery) -> Reply {
        var filed = 0, approved = 0, rejected = 0, cancelled = 0, pending = 0
        var amount: Int64 = 0, returnedQty: Int64 = 0
        var approvalSeconds: [Int64] = []
        var groups: [String: (count: Int, qty: Int64, amount: Int64)] = [:]
        let fromDay = query.from?.daysSinceEpoch ?? .min, toDay = query.to?.daysSinceEpoch ?? .max

        func inWindow(_ t: Timestamp) -> Bool {
            let day = floorDiv(t.seconds, Timestamp.secondsPerDay)
            return day >= fromDay && day <= toDay
        }

        for request in returns {
            if let kind = query.kind, request.kind != kind { continue }
            guard inWindow(request.filedAt) else { continue }
            filed += 1
            switch request.state {
            case .pending: pending += 1
            case .rejected: rejected += 1
            case .cancelled: cancelled += 1
            case .approved, .inspecting, .completed: approved += 1
            }
            guard request.state.isApproved else { continue }
            amount += request.amount.minor
            if let at = request.approvedAt { approvalSeconds.append(at.seconds - request.filedAt.seconds) }
            if request.kind == .sale { returnedQty += request.items.reduce(0) { $0 + $1.quantity } }
            guard let by = query.by else { continue }
            if by == .sku {
                var seen = Set<String>()
                for item in request.items {
                    let isNew = seen.insert(item.sku).inserted
                    groups[item.sku, default: (0, 0, 0)].count += isNew ? 1 : 0
                    groups[item.sku]!.qty += item.quantity
                    groups[item.sku]!.amount += item.amount.minor
                }
                continue
            }
            let key: String
            switch by {
            case .reason: key = request.reason
            case .location: key = request.location
            case .clerk: key = request.filedBy
            case .party: key = request.party
            case .day: key = request.filedAt.day.description
            case .sku: key = ""
            }
            let qty = request.items.reduce(0) { $0 + $1.quantity }
            groups[key, default: (0, 0, 0)].count += 1
            groups[key]!.qty += qty
            groups[key]!.amount += request.amount.minor
        }

        var soldQty: Int64 = 0
        if query.kind != .purchase {
            for order in orders.values where order.kind == .sale && inWindow(order.at) {
                for line in order.lines { soldQty += line.quantity }
            }
        }

        let ordered = groups.sorted { a, b in
            if query.by == .day { return a.key < b.key }
            return a.value.count != b.value.count ? a.value.count > b.value.count : a.key < b.key
        }
        let lines: [[Field]] = ordered.map { group in
            [Field(query.by!.rawValue, group.key), Field("count", String(group.value.count)),
             Field("qty", String(group.value.qty)), Field("amount", Money(minor: group.value.amount).description),
             Field("share", ratio(Int64(group.value.count), Int64(approved)))]
        }
        approvalSeconds.sort()
        return Reply(status: [
            Field("filed", String(filed)), Field("approved", String(approved)), Field("rejected", String(rejected)),
            Field("cancelled", String(cancelled)), Field("pending", String(pending)),
            Field("amount", Money(minor: amount).description), Field("return_rate", ratio(returnedQty, soldQty)),
            Field("approve_p50_s", percentile(approvalSeconds, 50)), Field("approve_p90_s", percentile(approvalSeconds, 90)),
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

/// Nearest-rank percentile of sorted values, in whole seconds; `0` when there are none.
func percentile(_ sorted: [Int64], _ p: Int) -> String {
    guard !sorted.isEmpty else { return "0" }
    let rank = max(1, (p * sorted.count + 99) / 100)
    return String(sorted[rank - 1])
}
