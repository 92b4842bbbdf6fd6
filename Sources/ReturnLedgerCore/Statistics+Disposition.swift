/// STATS `by=disposition` and `by=supplier` (protocol.md, Disposition and Supplier returns):
/// what became of approved customer returns' units, and what suppliers credited for supplier
/// returns. Worked out from the returns filed in the window (a walk over them, unlike the
/// per-day buckets of the other groupings: decisions and credit notes come long after filing),
/// except archived ones: an archived return never changes, so what it adds never does, and each
/// archive's share is worked out once, by filing day and location (`ArchivedHeldTotals`).
extension Ledger {
    struct HeldTotals: Sendable {
        var count = 0
        var qty: Int64 = 0
        var amount: Int64 = 0
        var value: Int64 = 0
        var expected: Int64 = 0
        var received: Int64 = 0
        var difference: Int64 = 0
        var open = 0

        mutating func add(_ other: HeldTotals) {
            count += other.count
            qty += other.qty
            amount += other.amount
            value += other.value
            expected += other.expected
            received += other.received
            difference += other.difference
            open += other.open
        }
    }

    /// What one approved return adds: to its supplier's group (a supplier return), or to each
    /// disposition its units have (a customer return).
    struct HeldGroups: Sendable {
        var dispositions: [String: HeldTotals] = [:]
        var suppliers: [String: HeldTotals] = [:]

        mutating func add(_ r: ReturnRequest) {
            if r.kind == .purchase {
                var g = suppliers[r.party, default: HeldTotals()]
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
                suppliers[r.party] = g
                return
            }
            guard r.kind == .sale else { return }
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
                var g = dispositions[name, default: HeldTotals()]
                g.count += 1
                g.qty += t.qty
                g.amount += t.amount
                g.value += t.value
                dispositions[name] = g
            }
        }

        mutating func add(_ other: HeldGroups, by: StatsGrouping) {
            for (name, t) in by == .supplier ? other.suppliers : other.dispositions {
                if by == .supplier { suppliers[name, default: HeldTotals()].add(t) } else { dispositions[name, default: HeldTotals()].add(t) }
            }
        }
    }

    func heldGroups(_ query: StatsQuery, included: (String) -> Bool, approved: Int) throws(DomainError) -> [[Field]] {
        let fromDay = query.from?.daysSinceEpoch ?? .min, toDay = query.to?.daysSinceEpoch ?? .max
        guard fromDay <= toDay else { return [] }  // `from=` after `to=`: an empty window
        let by = query.by!
        var groups = HeldGroups()
        // Archived returns: each archive's share by filing day and location, worked out once. An
        // archive's returns were filed on or before its `through`: one wholly before the window
        // is passed without a look. If a share cannot be worked out (a damaged archive), that
        // archive's returns are read as before: only the blocks holding one in the window.
        var archived: [ClosedRange<Int>] = []
        for archive in archives where !archive.taken.returns.isEmpty {
            archived += archive.taken.returns.runs
            guard archive.through.daysSinceEpoch >= fromDay else { continue }
            let places: [ArchivedHeldTotals.Place: HeldGroups]
            do {
                places = try archiveReach.heldTotals.places(of: archive, calendar: policy.calendar) { () throws(DomainError) in
                    try archivedHeldPlaces(archive)
                }
            } catch {
                try addReadBack(archive, into: &groups, days: fromDay...toDay, included: included)
                continue
            }
            for (place, share) in places where place.day >= fromDay && place.day <= toDay && included(place.location) {
                groups.add(share, by: by)
            }
        }
        // The rest are in memory (only archived returns leave it). Archives take disjoint runs.
        archived.sort { $0.lowerBound < $1.lowerBound }
        var next = 1
        for run in archived + [(returns.count + 1)...(returns.count + 1)] {
            for number in next..<max(next, run.lowerBound) {
                let r = returns[number - 1]
                guard r.state.isApproved, included(r.location) else { continue }
                let day = policy.calendar.day(of: r.filedAt)
                guard day >= fromDay, day <= toDay else { continue }
                groups.add(r)
            }
            next = max(next, run.upperBound + 1)
        }
        let kept = by == .supplier ? groups.suppliers : groups.dispositions
        let ordered = kept.sorted { a, b in a.value.count != b.value.count ? a.value.count > b.value.count : a.key < b.key }
        return ordered.map { key, g in
            var fields = [Field(by.rawValue, key), Field("count", String(g.count)), Field("qty", String(g.qty)),
                          Field("amount", Money(minor: g.amount).description), Field("share", ratio(Int64(g.count), Int64(approved)))]
            if by == .disposition {
                fields.append(Field("value", Money(minor: g.value).description))
            } else {
                fields += [Field("expected", Money(minor: g.expected).description), Field("received", Money(minor: g.received).description),
                           Field("difference", Money(minor: g.difference).description), Field("open", String(g.open))]
            }
            return fields
        }
    }

    /// `archive`'s approved returns in the window and scope, read back as STATS did before shares
    /// were kept (a damaged archive's returns outside the window are never read).
    private func addReadBack(_ archive: ArchiveEntry, into groups: inout HeldGroups, days: ClosedRange<Int64>,
                             included: (String) -> Bool) throws(DomainError) {
        try forEachApproved(in: archive, where: { day, location in days.contains(day) && included(location) }) { r, _ in groups.add(r) }
    }

    /// Works out and keeps `archive`'s share (ARCHIVE, from the state it was written from).
    public func keepHeldTotals(of archive: ArchiveEntry) {
        _ = try? archiveReach.heldTotals.places(of: archive, calendar: policy.calendar) { () throws(DomainError) in
            try archivedHeldPlaces(archive)
        }
    }

    /// An archive's approved returns' groups by filing day and location: its returns read once
    /// (from memory, or a chunk at a time from the archive).
    func archivedHeldPlaces(_ archive: ArchiveEntry) throws(DomainError) -> [ArchivedHeldTotals.Place: HeldGroups] {
        var places: [ArchivedHeldTotals.Place: HeldGroups] = [:]
        try forEachApproved(in: archive, where: { _, _ in true }) { r, day in
            places[ArchivedHeldTotals.Place(day: day, location: r.location), default: HeldGroups()].add(r)
        }
        return places
    }

    /// `archive`'s approved returns that `wanted` admits by filing day and location, with their
    /// day: one that left memory is judged on its LIST row first (one that fails is never read
    /// back), then read a block at a time.
    private func forEachApproved(in archive: ArchiveEntry, where wanted: (Int64, String) -> Bool,
                                 _ body: (ReturnRequest, Int64) -> Void) throws(DomainError) {
        var filed = FiledReturns()
        for run in archive.taken.returns.runs {
            for number in run where number >= 1 && number <= returns.count {
                let position = number - 1
                if !returns.isHeld(position) {
                    let row = listIndex.rows[position]
                    guard ReturnListIndex.approvedCodes.contains(row.state),
                          wanted(Int64(row.day), listIndex.location(ofReturn: number)) else { continue }
                }
                let r = try filed.at(number, of: self)
                let day = policy.calendar.day(of: r.filedAt)
                guard r.state.isApproved, wanted(day, r.location) else { continue }
                body(r, day)
            }
        }
    }
}
