/// A return request's life: filed as `pending`; then `approved` (or `inspecting` while units sit
/// in quarantine, then `completed`), or `rejected`, or `cancelled`. A return a `then=second` rule
/// matched passes through `second_review` between its first and its final approval.
public enum ReturnState: String, Sendable, Equatable, CaseIterable {
    case pending, approved, inspecting, completed, rejected, cancelled
    case second_review
    /// Reversed by a VOID's adjusting document (protocol.md, VOID): nothing of it counts.
    case voided

    /// Waiting for a reviewer's word: pending, or in second review.
    public var isOpen: Bool { self == .pending || self == .second_review }

    /// States in which stock and money have moved.
    public var isApproved: Bool { self == .approved || self == .inspecting || self == .completed }

    /// Not rejected, cancelled or voided: the return holds its units of the order (and counts
    /// towards the line's worth, a customer's limit, an exchange sale's returns).
    public var stands: Bool { self != .rejected && self != .cancelled && self != .voided }
}

/// What FEED's `refund=` and older records call a refund: `cash` when the sale was paid and no
/// part went to store credit, else `credit`.
public enum RefundMode: String, Sendable, Equatable { case cash, credit }

/// One returned line, priced from the order line it matches.
public struct ReturnItem: Sendable, Equatable {
    public var sku: String
    public var quantity: Int64
    public var batch: String
    public var price: Money
    public var amount: Money
    /// Since format 9 (protocol.md, Tax): the rate its line recorded (without a receipt: the
    /// SKU's today) and the tax in `amount`. Older items: 0.00.
    public var taxRate = Percent.zero
    public var tax = Money.zero
    /// Format 11 (protocol.md, Serial numbers): the returned units' serials (none for a SKU
    /// without `serial=yes`).
    public var serials: [String] = []
    /// Index of the matched line in the order (4 bytes: with the flag below in one word, an item
    /// takes 88 bytes, not 96, and a one-item array fits malloc's 128-byte size).
    private var lineIndex: UInt32
    public var line: Int {
        get { Int(lineIndex) }
        set { lineIndex = UInt32(newValue) }
    }
    /// Set at approval when the units went into quarantine (a SKU with `inspect=yes`).
    public var quarantined: Bool = false

    public init(sku: String, quantity: Int64, batch: String, price: Money, line: Int, amount: Money, quarantined: Bool = false) {
        self.sku = sku; self.quantity = quantity; self.batch = batch; self.price = price; self.lineIndex = UInt32(line)
        self.amount = amount; self.quarantined = quarantined
    }
}

/// One step in a request's history, as SHOW prints it.
public struct ReturnEvent: Sendable, Equatable {
    public var at: Timestamp
    public var user: String
    public var action: String
    public var note: String

    public init(at: Timestamp, user: String, action: String, note: String) {
        self.at = at; self.user = user; self.action = action; self.note = note
    }
}

public struct ReturnRequest: Sendable, Equatable {
    /// 1-based sequence; printed as `R000001`.
    public var number: Int
    public var order: String
    public var party: String
    public var location: String
    public var items: [ReturnItem]
    public var amount: Money
    public var reason: String
    public var note: String
    public var key: String
    public var filedBy: String
    public var filedAt: Timestamp
    public var doc: String = ""
    public var approvedBy: String = ""
    public var approvedAt: Timestamp? = nil
    // The one-byte fields together, in the padding after `approvedAt`'s nine bytes (declared
    // apart, each took a word of its own: 16 bytes a return).
    public var refund: RefundMode? = nil
    public var kind: OrderKind
    public var state: ReturnState = .pending
    public var approvalNote: String = ""
    /// What the rules decided at filing (format 4; older returns matched none).
    public var flow: ReturnFlow { get { rarities.fields.flow } set { setRare(\.flow, newValue) } }
    /// The first of two approvals (a `then=second` rule), empty until given.
    public var firstApprovedBy: String { get { rarities.fields.firstApprovedBy } set { setRare(\.firstApprovedBy, newValue) } }
    public var firstApprovedAt: Timestamp? { get { rarities.fields.firstApprovedAt } set { setRare(\.firstApprovedAt, newValue) } }
    public var firstApprovalNote: String { get { rarities.fields.firstApprovalNote } set { setRare(\.firstApprovalNote, newValue) } }
    /// Since format 5: the replacement goods of an exchange, priced at filing, and the
    /// item tokens as the client gave them (what LIST and SHOW print).
    public var exchange: [OrderLine] { get { rarities.fields.exchange } set { setRare(\.exchange, newValue) } }
    public var exchangeText: String { get { rarities.fields.exchangeText } set { setRare(\.exchangeText, newValue) } }
    /// Filed with a supervisor's `override=yes` that waived something (`waivers`).
    public var override: Bool { get { rarities.fields.override } set { setRare(\.override, newValue) } }
    /// Since format 11 (protocol.md, Return policy per product): what the override waived; older
    /// overridden returns waived the customer limit.
    public var waivers: Waivers { get { rarities.fields.waivers } set { setRare(\.waivers, newValue) } }
    /// Set by the approval that completes the return: the restocking fee's rate and amount,
    /// and for an exchange the difference settled (replacement total − net; > 0 paid in).
    public var feeRate: Percent { get { rarities.fields.feeRate } set { setRare(\.feeRate, newValue) } }
    public var fee: Money { get { rarities.fields.fee } set { setRare(\.fee, newValue) } }
    public var due: Money { get { rarities.fields.due } set { setRare(\.due, newValue) } }
    /// Steps after filing and approval (rejected, cancelled, inspected). The filing and the
    /// approval are not stored twice: `events` derives them from the fields above.
    public var history: [ReturnEvent] { get { rarities.fields.history } set { setRare(\.history, newValue) } }
    /// Since format 8 (protocol.md, Tills): the till named at filing; the time an offline
    /// return was taken (`at=`, nil when filed live); and, set by the completing approval, the
    /// parts handed back, the tenders that paid an exchange's due, the till session the money
    /// went through (0: none) and whether a supervisor overrode the tender policy.
    public var till = ""
    public var takenAt: Timestamp? { get { rarities.fields.takenAt } set { setRare(\.takenAt, newValue) } }
    /// The completing approval's tenders: the very box its outcome holds (one retain to copy).
    public var tenders: TenderMoves? = nil
    /// Since format 9 (protocol.md, Tax): the tax in `amount` (its items' tax) and, set by the
    /// completing approval, the part of it the fee carries. Older returns: 0.00.
    public var tax = Money.zero
    public var feeTax: Money { get { rarities.fields.feeTax } set { setRare(\.feeTax, newValue) } }
    /// Format 9: the document's place in the chain (protocol.md, Document chain); `.zero` until
    /// the document is issued.
    public var docHash = DocHash.zero
    /// Format 10 (protocol.md, Disposition): INSPECT's decisions on its quarantined units, oldest
    /// first. Inspections logged before format 10 are read as one decision per SKU and batch
    /// worth 0.00.
    public var disposals: [Disposal] { get { rarities.fields.disposals } set { setRare(\.disposals, newValue) } }
    /// Format 10 (protocol.md, Supplier returns): a supplier return's RMA, source, expected
    /// credit and the vendor's credit note; nil for customer returns and older supplier returns
    /// (no RMA, from on hand, expecting their amount).
    public var supplier: SupplierTerms? { get { rarities.fields.supplier } set { setRare(\.supplier, newValue) } }

    /// The fields above that most returns leave at their defaults (`ReturnRarities`).
    var rarities = RarityBox.empty

    /// SHOW's and FEED's `overridden=`.
    public var overriddenText: String { waivers.text }

    public var refundParts: [Tender] { tenders?.parts ?? [] }
    public var dueTenders: [Tender] { tenders?.dueTenders ?? [] }
    public var session: Int { tenders?.session ?? 0 }
    public var tenderOverride: Bool { tenders?.tenderOverride ?? false }

    /// Filed after the fact, from a till that was cut off (`late=yes`).
    public var late: Bool { takenAt != nil }

    /// Every step, in order, as SHOW prints them.
    public var events: [ReturnEvent] {
        var all = [ReturnEvent(at: filedAt, user: filedBy, action: "filed", note: note)]
        if let firstApprovedAt {
            all.append(ReturnEvent(at: firstApprovedAt, user: firstApprovedBy, action: "first_approval", note: firstApprovalNote))
        }
        if let approvedAt { all.append(ReturnEvent(at: approvedAt, user: approvedBy, action: "approved", note: approvalNote)) }
        return all + history
    }

    public init(number: Int, kind: OrderKind, order: String, party: String, location: String, items: [ReturnItem],
                amount: Money, reason: String, note: String, key: String, filedBy: String, filedAt: Timestamp,
                state: ReturnState = .pending, history: [ReturnEvent] = []) {
        self.number = number; self.kind = kind; self.order = order; self.party = party; self.location = location
        self.items = items; self.amount = amount; self.reason = reason; self.note = note; self.key = key
        self.filedBy = filedBy; self.filedAt = filedAt; self.state = state; self.history = history
    }

    public var id: String { ReturnRequest.id(number) }

    /// Filed without a receipt (`RETURN - ...`): no order, catalogue prices, store credit only.
    public var noReceipt: Bool { order.isEmpty }

    /// What the customer gets back after the fee: the credit note's amount.
    public var net: Money { Money(minor: amount.minor - fee.minor) }

    /// The exchange sale an approved exchange records: `X-R000012`.
    public var exchangeOrder: String { exchange.isEmpty ? "" : Self.exchangeOrder(number) }

    /// The id of the sale an exchange of return `number` records: `X-R000042` (SALE takes no such id).
    public static func exchangeOrder(_ number: Int) -> String { "X-" + id(number) }

    public static func id(_ number: Int) -> String { "R" + zeroPadded(number, width: 6) }

    /// `R000042` → 42; nil for anything else.
    public static func number(_ id: String) -> Int? {
        guard id.count >= 2, id.first == "R", let n = Int(id.dropFirst()), n > 0 else { return nil }
        return n
    }
}

extension ReturnRequest {
    /// The units approval put in quarantine, per SKU and batch in item order, less those INSPECT
    /// decided on (what INSPECT's lists take from).
    public var quarantineHoldings: [Holding] {
        var holdings: [Holding] = []
        for item in items where item.quarantined {
            if let i = holdings.firstIndex(where: { $0.sku == item.sku && $0.batch == item.batch }) {
                holdings[i].units += item.quantity
                holdings[i].serials += item.serials
            } else {
                holdings.append(Holding(sku: item.sku, batch: item.batch, units: item.quantity, serials: item.serials))
            }
        }
        for d in disposals {
            if let i = holdings.firstIndex(where: { $0.sku == d.sku && $0.batch == d.batch }) {
                holdings[i].units -= d.quantity
                if !d.serials.isEmpty { holdings[i].serials.removeAll { d.serials.contains($0) } }
            }
        }
        return holdings
    }

    /// Every unit still in quarantine.
    public var quarantineLeft: Int64 {
        items.reduce(0) { $0 + ($1.quarantined ? $1.quantity : 0) } - Disposal.units(disposals)
    }

    /// Per item, the units still in quarantine: decisions take from a SKU's and batch's items in
    /// item order (SHOW's `quarantine=`).
    public var itemsInQuarantine: [Int64] {
        var decided: [SkuBatch: Int64] = [:]
        for d in disposals { decided[SkuBatch(d.sku, d.batch), default: 0] += d.quantity }
        return items.map { item in
            guard item.quarantined else { return 0 }
            let key = SkuBatch(item.sku, item.batch)
            let taken = min(item.quantity, decided[key] ?? 0)
            decided[key, default: 0] -= taken
            return item.quantity - taken
        }
    }

    /// The expected credit of a supplier return: what `expected=` said, else its amount.
    public var expected: Money { supplier?.expected ?? amount }
    public var rma: String { supplier?.rma ?? "" }
    /// The RMA given at filing (a re-sent RETURN is compared with it).
    public var filedRma: String { supplier?.filedRma ?? "" }
    /// Where a supplier return's goods leave at approval.
    public var source: StockState { supplier?.source ?? .on_hand }
}

/// A supplier return's terms (protocol.md, Supplier returns), in one shared box: most returns
/// are customers' and carry none.
public final class SupplierTerms: Sendable, Equatable {
    /// The RMA number `rma=` gave when the return was filed; "" when none. A re-sent RETURN is
    /// compared with it, whatever the approval set later.
    public let filedRma: String
    /// The RMA the approval that completed the return set (`APPROVE rma=`); nil when none.
    public let approvedRma: String?
    /// on_hand or rtv.
    public let source: StockState
    public let expected: Money
    /// The supplier's credit note, once VENDOR CREDIT booked it.
    public let credit: VendorCredit?

    public init(filedRma: String, approvedRma: String? = nil, source: StockState, expected: Money, credit: VendorCredit? = nil) {
        self.filedRma = filedRma; self.approvedRma = approvedRma; self.source = source; self.expected = expected; self.credit = credit
    }

    /// The return's RMA: the approval's, else the one filed.
    public var rma: String { approvedRma ?? filedRma }

    public func with(approvedRma: String? = nil, credit: VendorCredit? = nil) -> SupplierTerms {
        SupplierTerms(filedRma: filedRma, approvedRma: approvedRma ?? self.approvedRma, source: source, expected: expected,
                      credit: credit ?? self.credit)
    }

    public static func == (a: SupplierTerms, b: SupplierTerms) -> Bool {
        a === b || (a.filedRma == b.filedRma && a.approvedRma == b.approvedRma && a.source == b.source && a.expected == b.expected
                    && a.credit == b.credit)
    }
}

/// VENDOR CREDIT: the credit note a supplier sent for a return, and what it differs by.
public struct VendorCredit: Sendable, Equatable {
    public var amount: Money
    public var ref: String
    public var note: String
    public var by: String
    public var at: Timestamp

    public init(amount: Money, ref: String, note: String, by: String, at: Timestamp) {
        self.amount = amount; self.ref = ref; self.note = note; self.by = by; self.at = at
    }
}

/// What a supervisor's `override=yes` waived on filing, in the order `overridden=` lists them.
public struct Waivers: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The customer's return limit (OVER_LIMIT).
    public static let limit = Waivers(rawValue: 1)
    /// An item sold as final sale (FINAL_SALE).
    public static let finalSale = Waivers(rawValue: 2)
    /// A SKU's or category's return window (EXPIRED).
    public static let returnDays = Waivers(rawValue: 4)

    /// `limit,final_sale,return_days`, as many as were waived.
    public var text: String {
        [(Waivers.limit, "limit"), (.finalSale, "final_sale"), (.returnDays, "return_days")]
            .filter { contains($0.0) }.map(\.1).joined(separator: ",")
    }
}
