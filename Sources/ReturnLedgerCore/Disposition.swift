/// What becomes of returned units after inspection (protocol.md, Disposition): back on hand,
/// written off, held for the supplier, held for repair, or sold as another SKU. The order of the
/// cases is the order `disposition=` lists them.
public enum Disposition: String, Sendable, Equatable, CaseIterable {
    case restock, scrap, vendor, refurbish, regrade

    /// The state the units go into at the location (a regrade: the new SKU's on hand; scrap: none).
    public var target: StockState? {
        switch self {
        case .restock, .regrade: return .on_hand
        case .scrap: return nil
        case .vendor: return .rtv
        case .refurbish: return .refurbish
        }
    }

    /// The state a held disposition keeps the units in, for DISPOSE's `from=`.
    public static func held(_ state: StockState) -> Disposition? {
        state == .rtv ? .vendor : state == .refurbish ? .refurbish : nil
    }
}

/// One decision on units: `quantity` of a SKU and batch go to `disposition` (a regrade: become
/// `toSku`), worth `value` at unit cost (negative: written off). Made by INSPECT (from the
/// return's quarantine) and DISPOSE (from rtv or refurbish); never changed afterwards.
public struct Disposal: Sendable, Equatable {
    public var sku: String
    public var batch: String
    public var quantity: Int64
    public var disposition: Disposition
    /// A regrade's new SKU; "" otherwise.
    public var toSku: String
    public var value: Money
    public var at: Timestamp
    public var by: String
    /// Format 11 (protocol.md, Serial numbers): the decided units' serials.
    public var serials: [String]

    public init(sku: String, batch: String, quantity: Int64, disposition: Disposition, toSku: String = "", value: Money = .zero,
                at: Timestamp, by: String, serials: [String] = []) {
        self.sku = sku; self.batch = batch; self.quantity = quantity; self.disposition = disposition; self.toSku = toSku
        self.value = value; self.at = at; self.by = by; self.serials = serials
    }

    /// `disposition=` of a set of decisions: each applied, once, in `Disposition`'s order.
    public static func names(_ decisions: [Disposal]) -> String {
        Disposition.allCases.filter { d in decisions.contains { $0.disposition == d } }.map(\.rawValue).joined(separator: ",")
    }

    public static func value(_ decisions: [Disposal]) -> Money {
        Money(minor: decisions.reduce(0) { $0 + $1.value.minor })
    }

    public static func units(_ decisions: [Disposal]) -> Int64 { decisions.reduce(0) { $0 + $1.quantity } }

    /// `sku= batch= qty= disposition= to_sku= serials= value=` (FEED's `disposition.line`).
    public var lineFields: [Field] {
        [Field("sku", sku), Field("batch", batch), Field("qty", String(quantity)), Field("disposition", disposition.rawValue),
         Field("to_sku", toSku), Field("serials", serials.joined(separator: ",")), Field("value", value.description)]
    }
}

/// A SKU in one batch: what decisions are counted by.
public struct SkuBatch: Hashable, Sendable, CustomStringConvertible {
    public var sku: String
    public var batch: String
    public init(_ sku: String, _ batch: String) { self.sku = sku; self.batch = batch }

    /// As items write it and every message names a slot: `A100`, `A100#LOT7`.
    public var description: String { batch.isEmpty ? sku : "\(sku)#\(batch)" }
}

/// Units of a SKU and batch held somewhere (a return's quarantine, a slot's held state): what
/// INSPECT's and DISPOSE's lists take from.
public struct Holding: Sendable, Equatable {
    public var sku: String
    public var batch: String
    public var units: Int64
    /// The held units' serials (a SKU with `serial=yes`: one per unit).
    public var serials: [String] = []
}

/// One element of INSPECT's and DISPOSE's lists: `SKU:QTY[#BATCH][/SERIAL...]`, and for
/// `regrade=` `>SKU2`, the SKU the units become.
public struct UnitSpec: Sendable, Equatable {
    public var sku: String
    public var quantity: Int64
    /// "" when not named.
    public var batch: String
    public var serials: [String]
    public var toSku: String

    public init(sku: String, quantity: Int64, batch: String = "", serials: [String] = [], toSku: String = "") {
        self.sku = sku; self.quantity = quantity; self.batch = batch; self.serials = serials; self.toSku = toSku
    }

    /// Parses one element; `regrade`: it must end in `>SKU2`, else it must not.
    public init(parsing text: String, regrade: Bool) throws(DomainError) {
        var body = Substring(text)
        var toSku = ""
        if let arrow = body.firstIndex(of: ">") {
            guard regrade else { throw DomainError(.INVALID, "\(text.prefix(64)): only regrade= names a new SKU with >") }
            toSku = try Arguments.identifier(String(body[body.index(after: arrow)...]), "sku")
            body = body[..<arrow]
        } else if regrade {
            throw DomainError(.INVALID, "regrade item \(text.prefix(64)) must be SKU:QTY[#BATCH]>SKU2")
        }
        var serials: [String] = []
        if let slash = body.firstIndex(of: "/") {
            for serial in body[body.index(after: slash)...].split(separator: "/", omittingEmptySubsequences: false) {
                serials.append(try Arguments.identifier(String(serial), "serial"))
            }
            body = body[..<slash]
        }
        var batch = ""
        if let hash = body.firstIndex(of: "#") {
            batch = try Arguments.identifier(String(body[body.index(after: hash)...]), "batch")
            body = body[..<hash]
        }
        guard let colon = body.firstIndex(of: ":") else {
            throw DomainError(.INVALID, "item \(text.prefix(64)) must be SKU:QTY[#BATCH][/SERIAL...]" + (regrade ? ">SKU2" : ""))
        }
        let sku = try Arguments.identifier(String(body[..<colon]), "sku")
        guard let qty = Int64(body[body.index(after: colon)...]), Quantity.range.contains(qty) else {
            throw DomainError(.INVALID, "quantity in \(text.prefix(64)) must be a whole number from 1 to 1000000")
        }
        if regrade, toSku == sku { throw DomainError(.INVALID, "regrade turns \(sku) into another SKU, not itself") }
        self.init(sku: sku, quantity: qty, batch: batch, serials: serials, toSku: toSku)
    }

    /// A comma-joined list.
    public static func list(parsing text: String, regrade: Bool) throws(DomainError) -> [UnitSpec] {
        var specs: [UnitSpec] = []
        for token in text.split(separator: ",", omittingEmptySubsequences: false) {
            specs.append(try UnitSpec(parsing: String(token), regrade: regrade))
        }
        return specs
    }
}

/// INSPECT's and DISPOSE's lists (`restock= scrap= vendor= refurbish= regrade=`), in
/// `Disposition`'s order.
public struct DispositionLists: Sendable, Equatable {
    public var lists: [(Disposition, [UnitSpec])]

    public init(_ lists: [(Disposition, [UnitSpec])] = []) { self.lists = lists }

    public var isEmpty: Bool { lists.isEmpty }

    public static func == (a: DispositionLists, b: DispositionLists) -> Bool {
        a.lists.count == b.lists.count && zip(a.lists, b.lists).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// Every element of every list, with its disposition.
    public var named: [(Disposition, UnitSpec)] { lists.flatMap { list in list.1.map { (list.0, $0) } } }
}

/// INSPECT's record (format 10): the decisions on some or all of a return's quarantined units.
public struct Inspection: Sendable, Equatable {
    public var number: Int
    public var disposals: [Disposal]
    public var note: String
    public var by: String
    public var at: Timestamp
    /// Units left in the return's quarantine after it (FEED's `left=`).
    public var left: Int64

    public init(number: Int, disposals: [Disposal], note: String, by: String, at: Timestamp, left: Int64) {
        self.number = number; self.disposals = disposals; self.note = note; self.by = by; self.at = at; self.left = left
    }
}
