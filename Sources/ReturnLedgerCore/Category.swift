/// A group of SKUs sharing a return rule (protocol.md, Return policy per product): kitchenware
/// with a 14-day window, underwear final sale, electronics at a restocking fee.
public struct Category: Sendable, Equatable {
    public var code: String
    public var name: String
    public var terms: ReturnTerms
    public init(code: String, name: String, terms: ReturnTerms = ReturnTerms()) {
        self.code = code; self.name = name; self.terms = terms
    }

    /// CATEGORY LIST's line and FEED's `category.added`.
    public var fields: [Field] { [Field("category", code), Field("name", name)] + terms.fields }
}

/// The return rule a SKU or a category may set. nil is "not set": a SKU then follows its
/// category, a category the shop (POLICY `window_days`, not final sale, the reason's fee).
public struct ReturnTerms: Sendable, Equatable {
    public var returnDays: Int64?
    public var finalSale: Bool?
    public var fee: Percent?
    public init(returnDays: Int64? = nil, finalSale: Bool? = nil, fee: Percent? = nil) {
        self.returnDays = returnDays; self.finalSale = finalSale; self.fee = fee
    }

    /// `return_days= final_sale= fee=`, `""` for what is not set.
    public var fields: [Field] {
        [Field("return_days", returnDays.map(String.init) ?? ""), Field("final_sale", finalSale.map { $0 ? "yes" : "no" } ?? ""),
         Field("fee", fee?.description ?? "")]
    }
}

/// A SET's change to `ReturnTerms`: the settings named, each to a value or cleared with `""`.
public struct ReturnTermsChange: Sendable, Equatable {
    public enum Setting: Sendable, Hashable { case returnDays, finalSale, fee }
    public var named: Set<Setting> = []
    /// The values named; nil for a setting named as `""` (cleared).
    public var values = ReturnTerms()
    public init() {}

    public var isEmpty: Bool { named.isEmpty }

    public func applied(to terms: ReturnTerms) -> ReturnTerms {
        var result = terms
        if named.contains(.returnDays) { result.returnDays = values.returnDays }
        if named.contains(.finalSale) { result.finalSale = values.finalSale }
        if named.contains(.fee) { result.fee = values.fee }
        return result
    }
}

extension Product {
    /// In a category or with a return setting of its own.
    var hasOwnRules: Bool { !category.isEmpty || terms != ReturnTerms() }
}

/// SKU SET's return-policy part (protocol.md, Return policy per product): the category (`""` takes it out of one), its own return rule,
/// serial tracking; nil or empty is "left as it is".
public struct ProductPolicyChange: Sendable, Equatable {
    public var category: String?
    public var terms = ReturnTermsChange()
    public var serial: Bool?
    public init(category: String? = nil, terms: ReturnTermsChange = ReturnTermsChange(), serial: Bool? = nil) {
        self.category = category; self.terms = terms; self.serial = serial
    }
}

/// One returned item's rule, as the SKU, its category and the shop set it, with where each part
/// came from (the EXPIRED message names it).
public struct ItemRule: Sendable, Equatable {
    /// Where a part of the rule came from; the shop's own is nil.
    public enum Source: Sendable, Equatable {
        case sku(String), category(String)
        /// As messages name it: `SKU A100`, `category KITCHEN`.
        public var text: String {
            switch self {
            case .sku(let code): "SKU \(code)"
            case .category(let code): "category \(code)"
            }
        }
    }
    /// The window in days, and who set it: nil is the shop's `window_days`.
    public var returnDays: Int64
    public var daysSetBy: Source?
    public var finalSale: Bool
    public var finalSaleSetBy: Source?
    /// The SKU's or category's fee; nil: the reason's (or APPROVE's `fee=`).
    public var fee: Percent?
}

extension Ledger {
    /// An item's rule: the SKU's setting, else its category's, else the shop's. A SKU with no
    /// category and no setting of its own (most) costs a set lookup, nothing when no SKU has one.
    public func itemRule(_ sku: String) -> ItemRule {
        var rule = ItemRule(returnDays: policy.windowDays, daysSetBy: nil, finalSale: false, finalSaleSetBy: nil, fee: nil)
        guard !skusWithRules.isEmpty, skusWithRules.contains(sku), let product = products[sku] else { return rule }
        let own = product.terms
        let group = product.category.isEmpty ? ReturnTerms() : categories[product.category]?.terms ?? ReturnTerms()
        rule.fee = own.fee ?? group.fee
        if let days = own.returnDays {
            rule.returnDays = days; rule.daysSetBy = .sku(sku)
        } else if let days = group.returnDays {
            rule.returnDays = days; rule.daysSetBy = .category(product.category)
        }
        if let final = own.finalSale {
            rule.finalSale = final; rule.finalSaleSetBy = .sku(sku)
        } else if let final = group.finalSale {
            rule.finalSale = final; rule.finalSaleSetBy = .category(product.category)
        }
        return rule
    }
}
