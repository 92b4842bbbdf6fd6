/// The shop's time zone (protocol.md, Business day): what turns an instant into a business date.
/// Either a fixed offset (`+08:00`, `UTC`) or an IANA zone read from the system's tzdata
/// (`Asia/Shanghai`), kept as its table of offset changes plus the rule for the years after the
/// table ends.
///
/// Only the name is stored in the log and snapshots; the rules are read again on replay. Document
/// numbers carry their own date, so a later tzdata that rewrites a zone's past can move an old
/// return between days in STATS, never renumber a document.
public struct BusinessZone: Sendable, Equatable, CustomStringConvertible {
    /// As the admin gave it (`Asia/Shanghai`, `+08:00`, `UTC`).
    public let name: String
    let rules: ZoneRules

    public static let utc = BusinessZone(name: "UTC", rules: ZoneRules(fixed: 0))
    /// False for a zone named in the log that this machine's tzdata lacks (it counts as UTC, and
    /// the server says so when it starts).
    public let resolved: Bool

    /// A zone by name for replay: the tzdata rules, or UTC rules under that name when the system
    /// has no such zone (a data directory moved to a machine without tzdata still starts).
    public static func replaying(_ name: String) -> BusinessZone {
        named(name) ?? BusinessZone(name: name, rules: ZoneRules(fixed: 0), resolved: false)
    }

    public static func == (a: BusinessZone, b: BusinessZone) -> Bool { a.name == b.name }
    public var description: String { name }

    init(name: String, rules: ZoneRules, resolved: Bool = true) { self.name = name; self.rules = rules; self.resolved = resolved }

    /// `UTC`, `+HH:MM` / `-HH:MM`, or a tzdata name; nil for anything else.
    public static func named(_ name: String) -> BusinessZone? {
        if name == "UTC" || name == "Z" { return .utc }
        if let offset = fixedOffset(name) { return BusinessZone(name: name, rules: ZoneRules(fixed: offset)) }
        guard let bytes = ZoneDatabase.read(name), let rules = ZoneRules(tzif: bytes) else { return nil }
        return BusinessZone(name: name, rules: rules)
    }

    /// Seconds east of UTC at `t`.
    public func offset(at t: Timestamp) -> Int64 { rules.offset(at: t.seconds) }

    /// The local calendar date of `t` in this zone.
    public func date(of t: Timestamp) -> CivilDate {
        CivilDate(daysSinceEpoch: floorDiv(t.seconds + offset(at: t), Timestamp.secondsPerDay))
    }

    /// `+08:00`, `-03:30`, `+14:00` at most.
    static func fixedOffset(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 6, b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-"), b[3] == UInt8(ascii: ":"),
              let h = digits(b[1..<3]), let m = digits(b[4..<6]), m < 60, h * 60 + m <= 14 * 60
        else { return nil }
        return (b[0] == UInt8(ascii: "-") ? -1 : 1) * (h * 3600 + m * 60)
    }
}

/// A zone's offsets: the transitions of a TZif file (RFC 8536) and its footer's POSIX rule for
/// the instants after the last one.
struct ZoneRules: Sendable {
    /// Ascending instants where the offset changes, and the offset from each on.
    var transitions: [Int64] = []
    var offsets: [Int64] = []
    /// Before the first transition (the file's first local time type).
    var initial: Int64
    var footer: PosixRule?

    init(fixed offset: Int64) { initial = offset }

    func offset(at t: Int64) -> Int64 {
        guard let first = transitions.first, let last = transitions.last else { return footer?.offset(at: t) ?? initial }
        if t < first { return initial }
        if t >= last, let footer { return footer.offset(at: t) }
        // The last transition at or before t.
        var lo = 0, hi = transitions.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if transitions[mid] <= t { lo = mid } else { hi = mid - 1 }
        }
        return offsets[lo]
    }

    /// Reads a TZif file of version 2 or later (the 64-bit data and the footer); version 1 files
    /// (32-bit data only) are read too.
    init?(tzif bytes: [UInt8]) {
        func be(_ at: Int, _ width: Int) -> Int64? {
            guard at >= 0, at + width <= bytes.count else { return nil }
            var v: UInt64 = 0
            for i in 0..<width { v = v << 8 | UInt64(bytes[at + i]) }
            return width == 4 ? Int64(Int32(truncatingIfNeeded: v)) : Int64(bitPattern: v)
        }
        struct Header { var isut, isstd, leap, time, type, char: Int }
        func header(_ at: Int) -> Header? {
            guard at + 44 <= bytes.count, bytes[at] == 0x54, bytes[at + 1] == 0x5A, bytes[at + 2] == 0x69, bytes[at + 3] == 0x66
            else { return nil }
            var c: [Int] = []
            for i in 0..<6 {
                guard let v = be(at + 20 + 4 * i, 4), v >= 0, v < 1 << 20 else { return nil }
                c.append(Int(v))
            }
            return Header(isut: c[0], isstd: c[1], leap: c[2], time: c[3], type: c[4], char: c[5])
        }
        guard let h1 = header(0) else { return nil }
        let version = bytes[4]
        var h = h1, start = 44, width = 4
        if version >= UInt8(ascii: "2") {
            let v1Size = h1.time * 5 + h1.type * 6 + h1.char + h1.leap * 8 + h1.isstd + h1.isut
            guard let h2 = header(44 + v1Size) else { return nil }
            h = h2; start = 44 + v1Size + 44; width = 8
        }
        guard h.type > 0 else { return nil }
        let typesAt = start + h.time * width + h.time
        var typeOffsets: [Int64] = []
        for i in 0..<h.type {
            guard let off = be(typesAt + 6 * i, 4), abs(off) < 26 * 3600 else { return nil }
            typeOffsets.append(off)
        }
        initial = typeOffsets[0]
        for i in 0..<h.time {
            guard let t = be(start + i * width, width) else { return nil }
            let index = start + h.time * width + i
            guard index < bytes.count, Int(bytes[index]) < h.type else { return nil }
            if let previous = transitions.last, t <= previous { return nil }
            transitions.append(t)
            offsets.append(typeOffsets[Int(bytes[index])])
        }
        if width == 8 {
            let footerAt = typesAt + h.type * 6 + h.char + h.leap * 12 + h.isstd + h.isut
            if footerAt < bytes.count, bytes[footerAt] == 0x0A, let end = bytes[(footerAt + 1)...].firstIndex(of: 0x0A), end > footerAt + 1 {
                guard let rule = PosixRule(String(decoding: bytes[(footerAt + 1)..<end], as: UTF8.self)) else { return nil }
                footer = rule
            }
        }
    }
}

/// A POSIX TZ string such as `CET-1CEST,M3.5.0,M10.5.0/3` or `<+0545>-5:45`: a standard offset
/// and, optionally, a daylight-saving offset with the rules for when it starts and ends each year.
struct PosixRule: Sendable {
    var standard: Int64
    var daylight: (offset: Int64, start: DayRule, end: DayRule)?

    /// `Mm.w.d[/time]` (day d of week w of month m, 5 = last), `Jn` (1–365, no leap day) or `n`
    /// (0–365), at a local time in seconds.
    struct DayRule: Sendable {
        enum Day: Sendable { case monthWeekDay(Int64, Int64, Int64), julianNoLeap(Int64), zeroBased(Int64) }
        var day: Day
        var time: Int64 = 7200

        /// The local midnight of this rule's day in `year`, as days since the epoch.
        func days(in year: Int64) -> Int64 {
            let january1 = CivilDate(year: year, month: 1, day: 1).daysSinceEpoch
            switch day {
            case .zeroBased(let n): return january1 + n
            case .julianNoLeap(let n):
                let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
                return january1 + n - 1 + (leap && n >= 60 ? 1 : 0)
            case .monthWeekDay(let m, let w, let d):
                let first = CivilDate(year: year, month: m, day: 1).daysSinceEpoch
                let weekday = ((first + 4) % 7 + 7) % 7  // 1970-01-01 was a Thursday
                var day = first + (d - weekday + 7) % 7 + (w - 1) * 7
                let nextMonth = m == 12 ? CivilDate(year: year + 1, month: 1, day: 1) : CivilDate(year: year, month: m + 1, day: 1)
                while day >= nextMonth.daysSinceEpoch { day -= 7 }
                return day
            }
        }
    }

    func offset(at t: Int64) -> Int64 {
        guard let daylight else { return standard }
        let year = CivilDate(daysSinceEpoch: floorDiv(t + standard, Timestamp.secondsPerDay)).year
        let start = daylight.start.days(in: year) * Timestamp.secondsPerDay + daylight.start.time - standard
        let end = daylight.end.days(in: year) * Timestamp.secondsPerDay + daylight.end.time - daylight.offset
        let inDaylight = start < end ? (t >= start && t < end) : !(t >= end && t < start)
        return inDaylight ? daylight.offset : standard
    }

    init?(_ text: String) {
        var s = Substring(text)
        func name() -> Bool {
            if s.first == "<" {
                guard let close = s.firstIndex(of: ">") else { return false }
                s = s[s.index(after: close)...]
                return true
            }
            let letters = s.prefix { $0.isLetter }
            guard letters.count >= 3 else { return false }
            s = s.dropFirst(letters.count)
            return true
        }
        /// `[+-]h[h][:mm[:ss]]` in seconds.
        func time() -> Int64? {
            var sign: Int64 = 1
            if s.first == "+" || s.first == "-" { sign = s.first == "-" ? -1 : 1; s = s.dropFirst() }
            var parts: [Int64] = []
            while true {
                let d = s.prefix { $0.isASCII && $0.isNumber }
                guard !d.isEmpty, d.count <= 3, let v = Int64(d) else { return nil }
                parts.append(v); s = s.dropFirst(d.count)
                guard parts.count < 3, s.first == ":" else { break }
                s = s.dropFirst()
            }
            let seconds = parts[0] * 3600 + (parts.count > 1 ? parts[1] * 60 : 0) + (parts.count > 2 ? parts[2] : 0)
            return sign * seconds
        }
        func rule() -> DayRule? {
            var day: DayRule.Day
            if s.first == "M" {
                s = s.dropFirst()
                let fields = s.prefix { $0 != "/" && $0 != "," }.split(separator: ".").map { Int64($0) }
                guard fields.count == 3, let m = fields[0], let w = fields[1], let d = fields[2],
                      (1...12).contains(m), (1...5).contains(w), (0...6).contains(d) else { return nil }
                s = s.dropFirst(s.prefix { $0 != "/" && $0 != "," }.count)
                day = .monthWeekDay(m, w, d)
            } else {
                let julian = s.first == "J"
                if julian { s = s.dropFirst() }
                let d = s.prefix { $0.isASCII && $0.isNumber }
                guard let n = Int64(d), julian ? (1...365).contains(n) : (0...365).contains(n) else { return nil }
                s = s.dropFirst(d.count)
                day = julian ? .julianNoLeap(n) : .zeroBased(n)
            }
            var result = DayRule(day: day)
            if s.first == "/" {
                s = s.dropFirst()
                guard let t = time() else { return nil }
                result.time = t
            }
            return result
        }
        guard name(), let std = time() else { return nil }
        standard = -std  // POSIX counts hours west of Greenwich
        if s.isEmpty { return }
        guard name() else { return nil }
        var dst = standard + 3600
        if s.first != ",", !s.isEmpty {
            guard let t = time() else { return nil }
            dst = -t
        }
        guard s.first == "," else { return nil }  // no rules: the POSIX default is not used by tzdata
        s = s.dropFirst()
        guard let start = rule(), s.first == "," else { return nil }
        s = s.dropFirst()
        guard let end = rule(), s.isEmpty else { return nil }
        daylight = (dst, start, end)
    }
}
