/// The shop's time zones over time (protocol.md, Business day): which business date an instant belongs to.
/// A moment's business date is its local date in the zone in effect at that moment, so a change
/// of zone never moves what happened before it to another day, and LIST, STATS, NOTICES and
/// AUDIT agree on every date however often the zone changed.
public struct BusinessCalendar: Sendable, Equatable {
    public struct Period: Sendable, Equatable {
        public var since: Timestamp
        public var zone: BusinessZone
        public init(since: Timestamp, zone: BusinessZone) { self.since = since; self.zone = zone }
    }

    /// Ascending by `since`; before the first (and with none), UTC.
    public private(set) var periods: [Period] = []

    public init(periods: [Period] = []) { self.periods = periods }

    /// The zone in effect now (POLICY SHOW's `timezone=`).
    public var zone: BusinessZone { periods.last?.zone ?? .utc }

    public func zone(at t: Timestamp) -> BusinessZone { period(at: t).map { periods[$0].zone } ?? .utc }

    /// The business date of `t`, as days since 1970-01-01. On every filing and approval (STATS'
    /// buckets): the offset is read in place, no zone copied; no periods is plain UTC.
    public func day(of t: Timestamp) -> Int64 {
        let offset = period(at: t).map { periods[$0].zone.offset(at: t) } ?? 0
        return floorDiv(t.seconds + offset, Timestamp.secondsPerDay)
    }

    /// The index of the period `t` falls in; nil before the first (UTC).
    private func period(at t: Timestamp) -> Int? {
        guard let last = periods.last else { return nil }
        if t >= last.since { return periods.count - 1 }  // nearly always: now is in the last period
        var lo = 0, hi = periods.count - 1, found: Int?
        while lo <= hi {
            let mid = (lo + hi) / 2
            if periods[mid].since <= t { found = mid; lo = mid + 1 } else { hi = mid - 1 }
        }
        return found
    }

    public func date(of t: Timestamp) -> CivilDate { CivilDate(daysSinceEpoch: day(of: t)) }

    /// From the second after `t` on, `zone`. Times are whole seconds, and changes filed in the
    /// same second as the change must keep the date they got when they were applied, also when
    /// the indexes are rebuilt from a snapshot (which sees times, not order): so everything
    /// stamped `t` stays in the old zone, and two changes in one second leave the last. A change
    /// stamped before the last one (a clock set back) takes effect with it, so periods stay in order.
    public mutating func change(to zone: BusinessZone, at t: Timestamp) {
        let next = Timestamp(seconds: t.seconds + 1)
        let since = max(next, periods.last?.since ?? next)
        if periods.last?.since == since { periods.removeLast() }
        periods.append(Period(since: since, zone: zone))
    }
}

/// A date or an instant for `from=`: a date alone is a business date, a time is exact.
public enum TimeBound: Sendable, Equatable {
    case date(CivilDate)
    case time(Timestamp)

    /// Whether `t` is at or after this bound.
    public func admits(_ t: Timestamp, _ calendar: BusinessCalendar) -> Bool {
        switch self {
        case .date(let d): return calendar.day(of: t) >= d.daysSinceEpoch
        case .time(let s): return t >= s
        }
    }

    /// The first business date it admits any of (a read skips what is dated before it).
    public func firstDay(_ calendar: BusinessCalendar) -> Int64 {
        switch self {
        case .date(let d): return d.daysSinceEpoch
        case .time(let t): return calendar.day(of: t)
        }
    }
}
