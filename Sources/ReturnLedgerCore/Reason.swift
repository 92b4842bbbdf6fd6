/// Why goods come back, with the restocking fee a customer return for it costs.
public struct Reason: Sendable, Equatable {
    public var code: String
    public var label: String
    /// The restocking fee a customer return for this reason costs (format 5).
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

/// The list line (REASON LIST) and FEED's line for the same record.
extension Reason {
    public var fields: [Field] { [Field("code", code), Field("label", label), Field("fee", fee.description)] }
}
