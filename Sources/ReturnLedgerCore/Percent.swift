/// A restocking fee rate: 0–100 percent with up to 2 decimals, held exactly as
/// hundredths of a percent (`12.5` is 1250). Never floating point, like `Money`.
public struct Percent: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var hundredths: Int64

    public static let zero = Percent(hundredths: 0)
    public static let whole = Percent(hundredths: 100_00)

    public init(hundredths: Int64) { self.hundredths = hundredths }

    /// `0` to `100`, up to 2 decimals (`12.5`, `12.50`); nil for anything else.
    public init?(parsing text: some StringProtocol) {
        guard let value = Money(parsing: text), value.minor >= 0, value.minor <= Percent.whole.hundredths else { return nil }
        hundredths = value.minor
    }

    public static func < (a: Percent, b: Percent) -> Bool { a.hundredths < b.hundredths }

    /// Two fraction digits, as money prints: `12.50`.
    public var description: String { Money(minor: hundredths).description }

    /// This rate of `amount`, rounded half up to the cent: 12.5% of 0.05 is 0.01, of 999.99 is
    /// 125.00. `amount` is never negative here (prices are not); the product of the largest
    /// amount and 100% fits an Int64 with room to spare, checked all the same.
    public func of(_ amount: Money) -> Money {
        let (product, overflow) = amount.minor.multipliedReportingOverflow(by: hundredths)
        precondition(!overflow && amount.minor >= 0, "fee of \(amount)")
        return Money(minor: (product + 5_000) / 10_000)
    }
}
