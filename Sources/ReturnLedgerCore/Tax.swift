/// Tax on lines and returns (contract section 20, Tax). Placeholders until tax is recorded:
/// every rate and amount is 0.00, which is also what documents of data directories written
/// before tax existed carry. The document chain's canonical text reads these.
extension OrderLine {
    public var taxRate: Percent { .zero }
    public var tax: Money { .zero }
}

extension ReturnItem {
    public var taxRate: Percent { .zero }
    public var tax: Money { .zero }
}

extension ReturnRequest {
    /// Tax in the returned items' amount (`amount=` is gross).
    public var tax: Money { .zero }
    /// The part of `tax` the fee carries.
    public var feeTax: Money { .zero }
    /// tax − feeTax: the tax the credit note gives back.
    public var netTax: Money { .zero }
}
