/// The records that setup commands create: who works here, where stock lives, what is sold,
/// who we trade with and why goods come back.
public struct User: Sendable, Equatable {
    public var name: String
    public var role: Role
    /// crypt(3) output (`$y$...`); only ever compared, never shown or logged.
    public var passwordHash: String
    public var enabled: Bool
    /// Where the user may act and which returns it sees (section 10).
    public var locations: Scope

    public init(name: String, role: Role, passwordHash: String, enabled: Bool = true, locations: Scope = .everywhere) {
        self.name = name; self.role = role; self.passwordHash = passwordHash; self.enabled = enabled
        self.locations = locations
    }
}

public enum LocationKind: String, Sendable, CaseIterable { case store, warehouse }

public struct Location: Sendable, Equatable {
    public var code: String
    public var name: String
    public var kind: LocationKind
    public init(code: String, name: String, kind: LocationKind) { self.code = code; self.name = name; self.kind = kind }
}

public struct Product: Sendable, Equatable {
    public var sku: String
    public var name: String
    public var price: Money
    public var cost: Money
    /// Approved customer returns of this SKU wait in quarantine for INSPECT.
    public var inspect: Bool
    public init(sku: String, name: String, price: Money, cost: Money, inspect: Bool) {
        self.sku = sku; self.name = name; self.price = price; self.cost = cost; self.inspect = inspect
    }
}

public enum PartyKind: String, Sendable, CaseIterable { case customer, supplier }

public struct Party: Sendable, Equatable {
    public var id: String
    public var kind: PartyKind
    public var name: String
    public init(id: String, kind: PartyKind, name: String) { self.id = id; self.kind = kind; self.name = name }
}

public struct Reason: Sendable, Equatable {
    public var code: String
    public var label: String
    /// The restocking fee a customer return for this reason costs (section 13; format 5).
    public var fee: Percent
    public init(code: String, label: String, fee: Percent = .zero) { self.code = code; self.label = label; self.fee = fee }

    public static let builtIn: [Reason] = [
        Reason(code: "DEFECTIVE", label: "Defective"),
        Reason(code: "DAMAGED", label: "Damaged"),
        Reason(code: "WRONG_ITEM", label: "Wrong item"),
        Reason(code: "NOT_AS_DESCRIBED", label: "Not as described"),
        Reason(code: "CUSTOMER_REJECTED", label: "Customer rejected"),
        Reason(code: "CHANGED_MIND", label: "Changed mind"),
        Reason(code: "EXPIRED", label: "Expired"),
        Reason(code: "PURCHASE_ERROR", label: "Purchase error"),
        Reason(code: "OTHER", label: "Other"),
    ]
}

public struct Policy: Sendable, Equatable {
    public var windowDays: Int64 = 30
    /// Customer limits (section 13; format 5): a customer with `customerReturns` or more returns
    /// filed in the last `customerDays` days may file no more without a supervisor's override.
    /// 0 in either is no limit.
    public var customerReturns: Int64 = 0
    public var customerDays: Int64 = 0
    /// The shop's time zones (section 17; format 6): what day a document, a filter and
    /// `STATS by=day` mean.
    public var calendar = BusinessCalendar()
    public init(windowDays: Int64 = 30, customerReturns: Int64 = 0, customerDays: Int64 = 0) {
        self.windowDays = windowDays; self.customerReturns = customerReturns; self.customerDays = customerDays
    }

    public var limitsCustomers: Bool { customerReturns > 0 && customerDays > 0 }

    /// POLICY SHOW's and POLICY SET's status line.
    public var fields: [Field] {
        [Field("window_days", String(windowDays)), Field("customer_returns", String(customerReturns)),
         Field("customer_days", String(customerDays)), Field("timezone", calendar.zone.name)]
    }
}

/// The list lines (LOCATION LIST, SKU LIST, REASON LIST), and FEED's lines for the same records.
extension Location {
    public var fields: [Field] { [Field("code", code), Field("name", name), Field("kind", kind.rawValue)] }
}

extension Product {
    public var fields: [Field] {
        [Field("sku", sku), Field("name", name), Field("price", price.description), Field("cost", cost.description),
         Field("inspect", inspect ? "yes" : "no")]
    }
}

extension Reason {
    public var fields: [Field] { [Field("code", code), Field("label", label), Field("fee", fee.description)] }
}
