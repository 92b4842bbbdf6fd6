import Synchronization

/// STATS `by=disposition|supplier`'s share of each archive, kept for the server's life: an
/// archived return never changes (section 23), so neither does what an archive's returns add to
/// those groupings. Worked out on the first STATS that needs it (reading the archive's returns
/// back once: seconds for a million) and then summed by filing day and location in
/// microseconds. Shared by every copy of the state (it travels in `ArchiveReach`); keyed by the
/// archive's name, with the zones its days were counted in: a zone change takes effect after it
/// is made and so never moves an archived return's day, unless a clock set back made it start
/// before the archive was taken (then they are counted again).
public final class ArchivedHeldTotals: Sendable {
    public struct Place: Hashable, Sendable {
        var day: Int64
        var location: String
    }

    private struct Kept {
        /// The calendar's periods that began by the archive's time T.
        var zones: [BusinessCalendar.Period]
        var places: [Place: Ledger.HeldGroups]
    }

    private let kept = Mutex<[String: Kept]>([:])

    public init() {}

    /// Archive `archive`'s groups by place: kept ones, or `work` out now (outside the lock: two
    /// reads at once may both work it out, the same either way).
    func places(of archive: ArchiveEntry, calendar: BusinessCalendar,
                work: () throws(DomainError) -> [Place: Ledger.HeldGroups]) throws(DomainError) -> [Place: Ledger.HeldGroups] {
        let zones = calendar.periods.filter { $0.since <= archive.takenAt }
        if let found = kept.withLock({ $0[archive.name] }), found.zones == zones { return found.places }
        let places = try work()
        kept.withLock { $0[archive.name] = Kept(zones: zones, places: places) }
        return places
    }

    /// How many archives' shares are kept (tests).
    public var count: Int { kept.withLock { $0.count } }
}
