/// A change after parsing: every value typed and syntax-checked, nothing yet checked against the
/// state. `Ledger.decide` turns it into events or a domain error; reads are `Query`.
public enum Command: Sendable, Equatable {
    // Setup
    case userAdd(name: String, role: Role, passwordHash: String, locations: Scope = .everywhere)
    case userScope(name: String, locations: Scope)
    case userRole(name: String, role: Role)
    case userEnable(name: String, enabled: Bool)
    case userPassword(name: String, passwordHash: String)
    case locationAdd(Location)
    case skuAdd(Product)
    case partyAdd(Party)
    case reasonAdd(Reason)
    /// A built-in or added reason's label or restocking fee changed (a fee on CHANGED_MIND).
    case reasonSet(code: String, label: String?, fee: Percent?)
    /// Catalogue changes; what is not given stays as it was.
    case skuSet(sku: String, name: String?, price: Money?, cost: Money?, inspect: Bool?, tax: Percent? = nil, supplier: String? = nil,
                policy: ProductPolicyChange = ProductPolicyChange())
    /// Protocol.md, Return policy per product.
    case categoryAdd(Category)
    case categorySet(code: String, name: String?, terms: ReturnTermsChange)
    case partySet(id: String, name: String?, rmaRequired: Bool? = nil)
    case locationSet(code: String, name: String?, site: String? = nil)
    case policySet(PolicyChange)
    case ruleAdd(Rule)
    case ruleDrop(code: String)
    // Trade
    case sale(TradeRequest)
    case purchase(TradeRequest)
    case payment(party: String, amount: Money, direction: PaymentDirection, note: String)
    // Returns
    case fileReturn(ReturnFiling)
    case approve(ApprovalRequest)
    case reject(id: String, note: String)
    case cancel(id: String)
    case inspect(id: String, disposition: Disposition?, note: String, lists: DispositionLists = DispositionLists())
    /// Decides on held units (protocol.md, Disposition).
    case dispose(DisposeRequest)
    /// Protocol.md, Transfers: goods sent between locations, received, or called back.
    case transferSend(TransferRequest)
    case transferReceive(id: String, items: [ItemSpec], note: String)
    case transferCancel(id: String)
    /// Protocol.md, Adjustments and counts: units found or lost (`adjustment` set), or counted.
    case adjust(StockMoveRequest)
    case count(StockMoveRequest)
    /// A supplier's credit note for a return (protocol.md, Supplier returns).
    case vendorCredit(id: String, amount: Money, ref: String, note: String)
    /// Reverses an approval with an adjusting document (protocol.md, VOID).
    case void(id: String, reason: String, note: String)
    /// Closes every business date up to `date` (protocol.md, PERIOD).
    case periodClose(date: CivilDate, note: String)
    // Tills (protocol.md, Till sessions)
    case tillOpen(till: String, location: String, float: Money, note: String)
    case tillMove(till: String, kind: TillMoveKind, amount: Money, note: String)
    case tillClose(till: String, counted: Money, note: String)

    /// The id the audit trail records for this command.
    public var target: String {
        switch self {
        case .userAdd(let n, _, _, _), .userScope(let n, _), .userRole(let n, _), .userEnable(let n, _),
             .userPassword(let n, _): return n
        case .locationAdd(let l): return l.code
        case .skuAdd(let p): return p.sku
        case .partyAdd(let p): return p.id
        case .reasonAdd(let r): return r.code
        case .reasonSet(let code, _, _): return code
        case .skuSet(let sku, _, _, _, _, _, _, _): return sku
        case .categoryAdd(let c): return c.code
        case .categorySet(let code, _, _): return code
        case .partySet(let id, _, _): return id
        case .locationSet(let code, _, _): return code
        case .policySet(let change): return change.target
        case .ruleAdd(let r): return r.code
        case .ruleDrop(let code): return code
        case .sale(let t), .purchase(let t): return t.order
        case .payment(let p, _, _, _): return p
        case .fileReturn(let f): return f.order
        case .approve(let a): return a.id
        case .reject(let id, _), .cancel(let id), .inspect(let id, _, _, _), .void(let id, _, _): return id
        case .periodClose(let date, _): return date.description
        case .dispose(let d): return d.location
        case .transferSend(let t): return t.id
        case .transferReceive(let id, _, _), .transferCancel(let id): return id
        case .adjust(let m), .count(let m): return m.location
        case .vendorCredit(let id, _, _, _): return id
        case .tillOpen(let till, _, _, _), .tillMove(let till, _, _, _), .tillClose(let till, _, _): return till
        }
    }
}

/// SALE and PURCHASE share one shape; `party` is the customer or the supplier.
public struct TradeRequest: Sendable, Equatable {
    public var order: String
    public var location: String
    public var party: String?
    public var paid: Bool?
    public var at: Timestamp?
    public var items: [ItemSpec]
    /// SALE's `tender=` and `till=` (protocol.md, Tenders).
    public var tenders: [Tender]?
    public var till: String?
    /// SALE's `discount=` (protocol.md, Discount), shared over the lines.
    public var discount: Money?
    public init(order: String, location: String, party: String?, paid: Bool?, at: Timestamp?, items: [ItemSpec],
                tenders: [Tender]? = nil, till: String? = nil, discount: Money? = nil) {
        self.order = order; self.location = location; self.party = party; self.paid = paid; self.at = at
        self.items = items; self.tenders = tenders; self.till = till; self.discount = discount
    }
}

public struct ReturnFiling: Sendable, Equatable {
    /// The order id, or `-` for a return without a receipt (protocol.md, Return types).
    public var order: String
    public var items: [ItemSpec]
    public var reason: String
    public var location: String?
    public var note: String
    public var key: String?
    /// Replacement goods (an exchange), as parsed and as given.
    public var exchange: [ItemSpec]
    public var exchangeText: String
    /// The customer of a return without a receipt.
    public var customer: String?
    /// `override=yes`: file it over the customer's limit (supervisor, admin).
    public var override: Bool
    /// The till filing it, and when an offline return was taken (`at=`).
    public var till: String?
    public var takenAt: Timestamp?
    /// Protocol.md, Supplier returns: the supplier's RMA, where the goods leave from, the credit
    /// expected; and the supplier of a return without an order (`RETURN - ... supplier=`).
    public var rma: String?
    public var source: StockState?
    public var expected: Money?
    public var supplier: String?
    public init(order: String, items: [ItemSpec], reason: String, location: String?, note: String, key: String?,
                exchange: [ItemSpec] = [], exchangeText: String = "", customer: String? = nil, override: Bool = false,
                till: String? = nil, takenAt: Timestamp? = nil, rma: String? = nil, source: StockState? = nil,
                expected: Money? = nil, supplier: String? = nil) {
        self.order = order; self.items = items; self.reason = reason; self.location = location; self.note = note
        self.key = key; self.exchange = exchange; self.exchangeText = exchangeText; self.customer = customer
        self.override = override; self.till = till; self.takenAt = takenAt
        self.rma = rma; self.source = source; self.expected = expected; self.supplier = supplier
    }

    /// Whether it names any of section 21's supplier terms.
    var namesSupplierTerms: Bool { rma != nil || source != nil || expected != nil }

    /// The order word of a return without a receipt; `SALE -` is refused so it stays free.
    public static let noReceiptOrder = "-"
    public var noReceipt: Bool { order == ReturnFiling.noReceiptOrder }
}

/// `POLICY SET`: the settings given, each nil when left out.
public struct PolicyChange: Sendable, Equatable {
    public var windowDays: Int64?
    public var customerReturns: Int64?
    public var customerDays: Int64?
    public var timezone: BusinessZone?
    public var creditDays: Int64?
    public var offlineHours: Int64?
    public var crossStore: Bool?
    public var taxIncluded: Bool?
    public init(windowDays: Int64? = nil, customerReturns: Int64? = nil, customerDays: Int64? = nil, timezone: BusinessZone? = nil,
                creditDays: Int64? = nil, offlineHours: Int64? = nil, crossStore: Bool? = nil, taxIncluded: Bool? = nil) {
        self.windowDays = windowDays; self.customerReturns = customerReturns; self.customerDays = customerDays
        self.timezone = timezone; self.creditDays = creditDays; self.offlineHours = offlineHours; self.crossStore = crossStore
        self.taxIncluded = taxIncluded
    }

    /// The audit trail's target: the settings named, joined by commas.
    var target: String {
        [windowDays.map { _ in "window_days" }, customerReturns.map { _ in "customer_returns" },
         customerDays.map { _ in "customer_days" }, timezone.map { _ in "timezone" }, creditDays.map { _ in "credit_days" },
         offlineHours.map { _ in "offline_hours" }, crossStore.map { _ in "cross_store" },
         taxIncluded.map { _ in "tax_included" }].compactMap { $0 }.joined(separator: ",")
    }
}

/// APPROVE's arguments: the refund's tenders and till (protocol.md, Refund tender) beside the fee.
public struct ApprovalRequest: Sendable, Equatable {
    public var id: String
    public var refund: RefundChoice?
    public var fee: Percent?
    public var note: String
    /// The tenders paying an exchange's positive due.
    public var tender: [Tender]?
    public var till: String?
    /// A supervisor's waiver of the tender policy.
    public var override: Bool
    /// A supplier return's RMA, set on the approval that completes it (protocol.md, Supplier returns).
    public var rma: String?
    public init(id: String, refund: RefundChoice? = nil, fee: Percent? = nil, note: String = "", tender: [Tender]? = nil,
                till: String? = nil, override: Bool = false, rma: String? = nil) {
        self.id = id; self.refund = refund; self.fee = fee; self.note = note; self.tender = tender; self.till = till
        self.override = override; self.rma = rma
    }

    /// Whether anything only a completing approval takes was given.
    var namesMoney: Bool { refund != nil || fee != nil || tender != nil || override }
}

extension Command {
    /// APPROVE with only a refund mode, a fee and a note, as before tenders (tests, tools).
    public static func approve(id: String, refund: RefundMode?, fee: Percent? = nil, note: String) -> Command {
        .approve(ApprovalRequest(id: id, refund: refund.map { $0 == .cash ? RefundChoice.cash : .credit }, fee: fee, note: note))
    }
}

/// DISPOSE: units held at a location (rtv or refurbish) decided on.
public struct DisposeRequest: Sendable, Equatable {
    public var location: String
    public var from: StockState
    public var lists: DispositionLists
    public var note: String
    public var key: String?

    public init(location: String, from: StockState, lists: DispositionLists, note: String, key: String?) {
        self.location = location; self.from = from; self.lists = lists; self.note = note; self.key = key
    }
}

/// TRANSFER SEND: units of slots at `from` sent to `to`.
public struct TransferRequest: Sendable, Equatable {
    public var id: String
    public var from: String
    public var to: String
    public var items: [ItemSpec]
    public var note: String

    public init(id: String, from: String, to: String, items: [ItemSpec], note: String = "") {
        self.id = id; self.from = from; self.to = to; self.items = items; self.note = note
    }
}

/// ADJUST (with its direction and reason) and COUNT: slots of one location's on hand.
public struct StockMoveRequest: Sendable, Equatable {
    public var location: String
    public var adjustment: Adjustment?
    public var items: [ItemSpec]
    public var note: String
    public var key: String?

    public init(location: String, adjustment: Adjustment? = nil, items: [ItemSpec], note: String = "", key: String? = nil) {
        self.location = location; self.adjustment = adjustment; self.items = items; self.note = note; self.key = key
    }
}
