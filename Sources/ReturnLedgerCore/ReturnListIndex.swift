/// What LIST filters on, one 12-byte row per return (kept by `apply` at O(1) per change; in the
/// state since format 15, rebuilt by `rebuildIndexes` from older ones).
///
/// A filtered or store-scoped LIST counts every match for its `total=`. Walking the returns
/// themselves reads a few hundred scattered bytes per request (35 ms on a million); these rows
/// are contiguous, so the same count reads 12 MB in order (issue 30: under 10 ms). Chunked like
/// the returns, so a state change after a snapshot's copy copies one chunk, not the column.
public struct ReturnListIndex: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        /// The filing date, days since 1970 in the business calendar (as `STATS` counts it).
        public var day: Int32
        /// The location's number in `locationNumbers`.
        public var location: UInt32
        /// `ReturnListIndex.code` of its state.
        public var state: UInt8
        /// 0 a sale's return, 1 a purchase's.
        public var kind: UInt8

        public init(day: Int32, location: UInt32, state: UInt8, kind: UInt8) {
            self.day = day
            self.location = location
            self.state = state
            self.kind = kind
        }

        /// Pending or in second review (`ReturnState.isOpen`).
        public var isOpen: Bool { state == ReturnListIndex.code(.pending) || state == ReturnListIndex.code(.second_review) }
    }

    /// The codes of the states that count as approved (`ReturnState.isApproved`).
    static let approvedCodes = Set(ReturnState.allCases.filter(\.isApproved).map(code))

    /// The highest state code (`code`): a row's state is at most this.
    public static let lastStateCode = code(.voided)

    public private(set) var rows = ChunkedArray<Row>()
    /// Location code → its number in the rows, in order of first use (the same live and rebuilt).
    private(set) var locationNumbers: [String: UInt32] = [:]
    /// The location codes by number (`locationNumbers` turned round).
    private var locationNames: [String] = []

    public init() {}

    /// Kept in a format 15 state (`StateCodec`): the rows as they are, and the location codes by
    /// number. The decoder has checked every row against them.
    public init(locations: [String], rows: ChunkedArray<Row>) {
        for (number, code) in locations.enumerated() { locationNumbers[code] = UInt32(number) }
        locationNames = locations
        self.rows = rows
    }

    /// The location codes, by their number in the rows.
    public var locationCodes: [String] { locationNames }

    /// Return `number`'s location and state, from its row (a return that left memory keeps it).
    func location(ofReturn number: Int) -> String { locationNames[Int(rows[number - 1].location)] }
    func state(ofReturn number: Int) -> ReturnState { Self.states[Int(rows[number - 1].state)] }

    /// The states by their code.
    private static let states: [ReturnState] = {
        var states = [ReturnState](repeating: .pending, count: Int(lastStateCode) + 1)
        for state in ReturnState.allCases { states[Int(code(state))] = state }
        return states
    }()

    /// A return filed: its row, numbered as the returns are.
    mutating func filed(_ request: ReturnRequest, day: Int64) {
        let location: UInt32
        if let known = locationNumbers[request.location] {
            location = known
        } else {
            location = UInt32(locationNumbers.count)
            locationNumbers[request.location] = location
            locationNames.append(request.location)
        }
        rows.append(Row(day: Int32(clamping: day), location: location, state: Self.code(request.state),
                        kind: request.kind == .sale ? 0 : 1))
    }

    /// A return's state changed (every place `apply` sets one calls this).
    mutating func stateChanged(_ number: Int, to state: ReturnState) {
        rows[number - 1].state = Self.code(state)
    }

    static func code(_ state: ReturnState) -> UInt8 {
        switch state {
        case .pending: 0
        case .approved: 1
        case .inspecting: 2
        case .completed: 3
        case .rejected: 4
        case .cancelled: 5
        case .second_review: 6
        case .voided: 7
        }
    }

    /// The test of a filter's state, kind, location and dates and of a scope, on rows; nil when
    /// the filter names what rows do not hold (party, order, RMA, serial).
    func matcher(_ filter: ReturnFilter, _ scope: Scope) -> Matcher? {
        guard filter.party == nil, filter.order == nil, filter.rma == nil, filter.serial == nil else { return nil }
        var locations: [Bool]?
        if filter.location != nil || scope != .everywhere {
            var allowed = [Bool](repeating: false, count: locationNumbers.count)
            for (code, number) in locationNumbers where scope.contains(code) && (filter.location ?? code) == code {
                allowed[Int(number)] = true
            }
            locations = allowed
        }
        return Matcher(states: filter.state.map { 1 << Self.code($0) } ?? 0xFF,
                       kinds: filter.kind.map { $0 == .sale ? 1 : 2 } ?? 3,
                       from: filter.from.map { Int32(clamping: $0.daysSinceEpoch) } ?? .min,
                       to: filter.to.map { Int32(clamping: $0.daysSinceEpoch) } ?? .max,
                       locations: locations)
    }

    struct Matcher {
        /// Bit `code` set for each state that matches; bit 0 sale, bit 1 purchase.
        let states: UInt8
        let kinds: UInt8
        let from: Int32
        let to: Int32
        /// By location number; nil: every location.
        let locations: [Bool]?

        @inline(__always)
        func matches(_ row: Row) -> Bool {
            states & (1 << row.state) != 0 && kinds & (1 << row.kind) != 0 && row.day >= from && row.day <= to
                && (locations?[Int(row.location)] ?? true)
        }
    }

    /// Return numbers from `end - 1` down to 1 that match, visited newest first until `visit`
    /// says stop.
    func walk(_ matcher: Matcher, below end: Int, _ visit: (Int) -> Bool) {
        var n = end - 1
        while n >= 1 {
            if matcher.matches(rows[n - 1]), !visit(n) { return }
            n -= 1
        }
    }

    /// How many returns match.
    func count(_ matcher: Matcher) -> Int {
        var total = 0
        for row in rows where matcher.matches(row) { total += 1 }
        return total
    }
}
