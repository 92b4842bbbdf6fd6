/// An amount of money in minor units (cents). Never floating point: parsing, printing and
/// arithmetic are exact, and arithmetic is checked against the protocol's bound.
public struct Money: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var minor: Int64

    /// ±999,999,999,999.99, the largest value the protocol accepts for any amount or balance.
    public static let limit: Int64 = 99_999_999_999_999
    public static let zero = Money(minor: 0)

    public init(minor: Int64) { self.minor = minor }

    public static func < (a: Money, b: Money) -> Bool { a.minor < b.minor }
    public static prefix func - (a: Money) -> Money { Money(minor: -a.minor) }

    /// Parses `12`, `12.5`, `12.50`, `-3.00`. Nil for anything else, a third decimal, or a value
    /// beyond the limit.
    public init?(parsing text: some StringProtocol) { self.init(utf8: text.utf8) }

    /// The same on UTF-8 bytes, in one pass and without a copy of them (an array a parse was an
    /// allocation per amount).
    public init?<Bytes: Sequence<UInt8>>(utf8: Bytes) {
        var negative = false
        var started = false  // the first byte after an optional sign was a digit
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        for byte in utf8 {
            if !started {
                if byte == UInt8(ascii: "-"), !negative { negative = true; continue }
                guard byte >= 48, byte <= 57 else { return nil }
                started = true
            }
            if byte == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            guard byte >= 48, byte <= 57 else { return nil }
            let digit = Int64(byte - 48)
            if seenPoint {
                fractionDigits += 1
                if fractionDigits > 2 { return nil }
                fraction = fraction * 10 + digit
            } else {
                whole = whole * 10 + digit
                if whole > Money.limit / 100 { return nil }
            }
        }
        guard started, !(seenPoint && fractionDigits == 0) else { return nil }
        if fractionDigits == 1 { fraction *= 10 }
        let value = whole * 100 + fraction
        guard value <= Money.limit else { return nil }
        self.minor = negative ? -value : value
    }

    /// Always two fraction digits: `12.50`, `-3.00`, `0.00`.
    /// Written into one buffer from the right: APPROVE's reply prints four amounts, and joining
    /// strings cost about 950 instructions an amount.
    public var description: String { Money.withText(minor) { String(decoding: $0, as: UTF8.self) } }

    /// At most this many bytes of text.
    public static let textBound = 24

    /// Writes the amount as `description` prints it at `base`, without making a string; its length.
    public func write(to base: UnsafeMutablePointer<UInt8>) -> Int {
        Money.withText(minor) { text in
            base.update(from: text.baseAddress!, count: text.count)
            return text.count
        }
    }

    /// `minor` hundredths with two fraction digits (`-3.00`), in scratch memory for `body`:
    /// money's and rates' one formatter.
    static func withText<R>(_ minor: Int64, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var rest = minor.magnitude
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            var start = buffer.count
            func put(_ byte: UInt8) { start -= 1; buffer[start] = byte }
            let cents = rest % 100
            rest /= 100
            put(UInt8(ascii: "0") + UInt8(cents % 10))
            put(UInt8(ascii: "0") + UInt8(cents / 10))
            put(UInt8(ascii: "."))
            repeat { put(UInt8(ascii: "0") + UInt8(rest % 10)); rest /= 10 } while rest > 0
            if minor < 0 { put(UInt8(ascii: "-")) }
            return body(UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Checked sum: nil when the result leaves the protocol's range.
    public func adding(_ other: Money) -> Money? {
        let (sum, overflow) = minor.addingReportingOverflow(other.minor)
        guard !overflow, sum.magnitude <= Money.limit else { return nil }
        return Money(minor: sum)
    }

    /// Checked product with a quantity: nil when the result leaves the protocol's range.
    public func times(_ quantity: Int64) -> Money? {
        let (product, overflow) = minor.multipliedReportingOverflow(by: quantity)
        guard !overflow, product.magnitude <= Money.limit else { return nil }
        return Money(minor: product)
    }
}
