/// Tax and order discount (contract section 20, Tax and Discount): pure arithmetic on minor
/// units, so each rule is tested on its own with the contract's worked examples. Nothing here is
/// floating point; products and quotients go through `Int128` and round half up.
///
/// A sale or purchase line records its SKU's rate then and its tax, on value = qty × price − the
/// line's share of the order's discount: tax included, tax = value × r / (100 + r) and amount =
/// value; excluded, tax = value × r / 100 and amount = value + tax. A return is valued from what
/// its line recorded: n of its Q units are worth round(amount × n / Q) with tax round(tax × n / Q),
/// and q units, when earlier returns not rejected, cancelled or voided hold u units worth G with tax H,
/// get worth(u + q) − G and tax(u + q) − H, so a line returned in full gives back exactly its
/// amount and tax.
public enum TaxRule {
    /// `numerator / denominator` rounded half up; both ≥ 0, denominator > 0.
    static func roundedHalfUp(_ numerator: Int128, _ denominator: Int128) -> Int128 {
        (2 * numerator + denominator) / (2 * denominator)
    }

    /// The tax in (`included`) or on (excluded) `value` minor units at `rate`, half up; nil when
    /// it leaves money's range.
    public static func tax(on value: Int64, rate: Percent, included: Bool) -> Int64? {
        guard rate.hundredths > 0, value > 0 else { return 0 }
        let r = Int128(rate.hundredths)
        let tax = roundedHalfUp(Int128(value) * r, included ? 100_00 + r : 100_00)
        return tax <= Int128(Money.limit) ? Int64(tax) : nil
    }

    /// `part` of `whole` units of something worth `amount`: round(amount × part / whole), half up.
    public static func share(_ amount: Int64, _ part: Int64, of whole: Int64) -> Int64 {
        guard whole > 0, part != whole else { return amount }
        return Int64(roundedHalfUp(Int128(amount) * Int128(part), Int128(whole)))
    }

    /// An order's `discount` shared over its lines by value (qty × price): the refund shares'
    /// rule, `TenderSplit.proportional` (floor, the cents left to the largest remainders, ties to
    /// the earlier line).
    public static func discountShares(_ discount: Int64, values: [Int64]) -> [Int64] {
        TenderSplit.proportional(discount, weights: values)
    }

    /// What q units of a line give back when returns still standing hold u units of it worth
    /// `held.amount` with tax `held.tax`: worth(u + q) − G and tax(u + q) − H, never below 0.
    public static func returned(_ q: Int64, of line: OrderLine, holding u: Int64,
                                worth held: (amount: Int64, tax: Int64)) -> (amount: Int64, tax: Int64) {
        let amount = line.amount.minor, tax = line.tax.minor
        let worth = share(amount, u + q, of: line.quantity) - held.amount
        let taxed = share(tax, u + q, of: line.quantity) - held.tax
        return (max(0, worth), max(0, taxed))
    }
}

extension OrderLine {
    /// The line's value before tax: qty × price − its discount share (checked at recording).
    public var value: Money { Money(minor: price.minor &* quantity &- discount.minor) }

    /// What the line adds to its order's total: its value, plus its tax when tax is excluded.
    public var amount: Money { Money(minor: value.minor &+ (taxExcluded ? tax.minor : 0)) }

    /// Whether the line carries no tax and no discount: its returns are worth qty × price, as
    /// before section 20, with no look at earlier returns.
    var plain: Bool { tax.minor == 0 && discount.minor == 0 }

    /// Sets the rate and works the tax out on the line's value (the discount already set); nil
    /// when the amount leaves money's range.
    mutating func taxed(at rate: Percent, included: Bool) -> Money? {
        guard let gross = price.times(quantity), gross.minor - discount.minor >= 0,
              let tax = TaxRule.tax(on: gross.minor - discount.minor, rate: rate, included: included) else { return nil }
        taxRate = rate
        self.tax = Money(minor: tax)
        taxExcluded = !included && rate.hundredths > 0
        return Money(minor: gross.minor - discount.minor).adding(taxExcluded ? self.tax : .zero)
    }
}

extension ReturnRequest {
    /// tax − feeTax: the tax the credit note gives back.
    public var netTax: Money { Money(minor: tax.minor - feeTax.minor) }

    /// The part of `tax` a fee at `rate` carries: round(tax × rate / 100), half up (one fee rate per
    /// return today; the sum over the items' distinct rates when rates come per product).
    public static func feeTax(_ tax: Money, rate: Percent) -> Money { rate.of(tax) }
}
