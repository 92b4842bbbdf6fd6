/// A UTC instant in whole seconds since 1970. The core never reads a clock: every time comes in
/// with the command, so replaying the same events gives the same state.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }
    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.seconds < b.seconds }

    public static let secondsPerDay: Int64 = 86_400

    /// The UTC calendar day this instant falls on.
    public var day: CivilDate { CivilDate(daysSinceEpoch: floorDiv(seconds, Timestamp.secondsPerDay)) }

    /// `2026-11-29T02:18:39Z`
    public var description: String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Timestamp.textBound) { buffer in
            String(decoding: UnsafeBufferPointer(start: buffer.baseAddress!, count: write(to: buffer.baseAddress!)), as: UTF8.self)
        }
    }

    /// At most this many bytes of text (a year past 9999 takes more digits).
    public static let textBound = CivilDate.textBound + 10

    /// Writes `description`'s text at `base`, digit by digit (no string per part); its length.
    public func write(to base: UnsafeMutablePointer<UInt8>) -> Int {
        let secondOfDay = seconds - floorDiv(seconds, Timestamp.secondsPerDay) * Timestamp.secondsPerDay
        var n = day.write(to: base)
        base[n] = UInt8(ascii: "T")
        writeTwoDigits(secondOfDay / 3600, to: base + n + 1)
        base[n + 3] = UInt8(ascii: ":")
        writeTwoDigits(secondOfDay / 60 % 60, to: base + n + 4)
        base[n + 6] = UInt8(ascii: ":")
        writeTwoDigits(secondOfDay % 60, to: base + n + 7)
        base[n + 9] = UInt8(ascii: "Z")
        n += 10
        return n
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (a date alone means its midnight).
    public init?(parsing text: some StringProtocol) {
        let bytes = Array(text.utf8)
        if bytes.count == 10, let date = CivilDate(parsing: text) {
            self.seconds = date.daysSinceEpoch * Timestamp.secondsPerDay
            return
        }
        guard bytes.count == 20, bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
              bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z"),
              let date = CivilDate(parsing: String(decoding: bytes[0..<10], as: UTF8.self)),
              let h = digits(bytes[11..<13]), let m = digits(bytes[14..<16]), let s = digits(bytes[17..<19]),
              h < 24, m < 60, s < 60
        else { return nil }
        self.seconds = date.daysSinceEpoch * Timestamp.secondsPerDay + h * 3600 + m * 60 + s
    }
}

/// A calendar day (proleptic Gregorian, UTC), as used for document numbers and date filters.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int64, month: Int64, day: Int64

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    /// Howard Hinnant's days-from-civil, so no calendar library is needed.
    public var daysSinceEpoch: Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(year: Int64, month: Int64, day: Int64) {
        self.year = year; self.month = month; self.day = day
    }

    public init(daysSinceEpoch days: Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Parses `YYYY-MM-DD`; nil for impossible days such as `2026-02-30`.
    public init?(parsing text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let y = digits(bytes[0..<4]), let m = digits(bytes[5..<7]), let d = digits(bytes[8..<10]),
              (1...12).contains(m), d >= 1
        else { return nil }
        self.init(year: y, month: m, day: d)
        guard CivilDate(daysSinceEpoch: daysSinceEpoch) == self else { return nil }
    }

    /// `2026-11-29`
    public var description: String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: CivilDate.textBound) { buffer in
            String(decoding: UnsafeBufferPointer(start: buffer.baseAddress!, count: write(to: buffer.baseAddress!)), as: UTF8.self)
        }
    }

    /// At most this many bytes of text: a sign and 19 digits of year, `-MM-DD`.
    public static let textBound = 26

    /// Writes `description`'s text at `base` (the year in at least four digits, month and day in
    /// two); its length.
    public func write(to base: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        if (0...9999).contains(year) {
            writeTwoDigits(year / 100, to: base)
            writeTwoDigits(year % 100, to: base + 2)
            n = 4
        } else {
            var y = String(year)
            while y.count < 4 { y = "0" + y }
            for byte in y.utf8 { base[n] = byte; n += 1 }
        }
        base[n] = UInt8(ascii: "-")
        writeTwoDigits(month, to: base + n + 1)
        base[n + 3] = UInt8(ascii: "-")
        writeTwoDigits(day, to: base + n + 4)
        return n + 6
    }

    /// `20261129`, as in document numbers.
    public var compact: String {
        (0...9999).contains(year) ? zeroPadded(year * 10_000 + month * 100 + day, width: 8) : description.replacingDashes()
    }

    public var startOfDay: Timestamp { Timestamp(seconds: daysSinceEpoch * Timestamp.secondsPerDay) }
}

extension String {
    fileprivate func replacingDashes() -> String { String(self.filter { $0 != "-" }) }
}

@inline(__always) func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// 0–99 as two digits.
@inline(__always) func writeTwoDigits(_ v: Int64, to base: UnsafeMutablePointer<UInt8>) {
    base[0] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v / 10)
    base[1] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10)
}

func digits(_ bytes: ArraySlice<UInt8>) -> Int64? {
    var value: Int64 = 0
    for b in bytes {
        guard b >= 48, b <= 57 else { return nil }
        value = value * 10 + Int64(b - 48)
    }
    return value
}
