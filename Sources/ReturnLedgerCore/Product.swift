/// What is sold: a SKU with its price, cost and whether returns of it are inspected.
public struct Product: Sendable, Equatable {
    public var sku: String
    public var name: String
    public var price: Money
    public var cost: Money
    /// Approved customer returns of this SKU wait in quarantine for INSPECT.
    public var inspect: Bool
    /// Since format 9 (protocol.md, Tax): the tax rate a sale or purchase line records.
    public var tax: Percent
    /// Since format 10 (protocol.md, Supplier returns): the supplier its vendor-held goods go back
    /// to; "" none.
    public var supplier = ""
    /// Since format 11 (protocol.md, Return policy per product): its category ("" none), its own
    /// return rule (what it does not set comes from the category), and whether its units carry
    /// serial numbers.
    public var category = ""
    public var terms = ReturnTerms()
    public var serial = false
    public init(sku: String, name: String, price: Money, cost: Money, inspect: Bool, tax: Percent = .zero) {
        self.sku = sku; self.name = name; self.price = price; self.cost = cost; self.inspect = inspect; self.tax = tax
    }
}

/// The list line (SKU LIST) and FEED's line for the same record.
extension Product {
    public var fields: [Field] {
        [Field("sku", sku), Field("name", name), Field("price", price.description), Field("cost", cost.description),
         Field("inspect", inspect ? "yes" : "no"), Field("tax", tax.description), Field("supplier", supplier),
         Field("serial", serial ? "yes" : "no"), Field("category", category)] + terms.fields
    }
}
