import Synchronization

/// STATS `by=disposition|supplier`'s share of each archive, kept for the server's life: an
/// archived return never changes (section 23), so neither does what an archive's returns add to
/// those groupings. Worked out on the first STATS that needs it (reading the archive's returns
/// back once: seconds for a million) and then summed by filing day and location in
/// microseconds. Shared by every copy of the state (it travels in `ArchiveReach`); keyed by the
/// archive's name, with the business calendar its days were counted in (a new zone counts
/// them again).
public final class ArchivedHeldTotals: Sendable {
    public struct Place: Hashable, Sendable {
        var day: Int64
        var location: String
    }

    private struct Kept {
        var calendar: BusinessCalendar
        var places: [Place: Ledger.HeldGroups]
    }

    private let kept = Mutex<[String: Kept]>([:])

    public init() {}

    /// Archive `archive`'s groups by place: kept ones, or `work` out now (outside the lock: two
    /// reads at once may both work it out, the same either way).
    func places(of archive: ArchiveEntry, calendar: BusinessCalendar,
                work: () throws(DomainError) -> [Place: Ledger.HeldGroups]) throws(DomainError) -> [Place: Ledger.HeldGroups] {
        if let found = kept.withLock({ $0[archive.name] }), found.calendar == calendar { return found.places }
        let places = try work()
        kept.withLock { $0[archive.name] = Kept(calendar: calendar, places: places) }
        return places
    }

    /// How many archives' shares are kept (tests).
    public var count: Int { kept.withLock { $0.count } }
}
