/// A move of stock a location decides on its own, outside trade and returns: DISPOSE (held
/// units decided on), ADJUST (units found or lost) and COUNT (on hand set to what was counted).
/// They share one id sequence, `M000001` (protocol.md, Common to sections 21 and 22), and one
/// key space for re-sends.
public struct StockMove: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable { case dispose, adjust, count }
    public var number: Int
    public var kind: Kind
    public var location: String
    /// The state the units left (DISPOSE: rtv or refurbish; ADJUST and COUNT: on hand).
    public var from: StockState
    /// DISPOSE's decisions.
    public var disposals: [Disposal]
    public var note: String
    public var key: String
    public var by: String
    public var at: Timestamp
    /// Format 11: ADJUST's direction and reason (nil for the other kinds).
    public var adjustment: Adjustment?
    /// Format 11: ADJUST's and COUNT's changes of on hand, one per slot.
    public var lines: [StockMoveLine]

    public init(number: Int, kind: Kind, location: String, from: StockState, disposals: [Disposal], note: String, key: String,
                by: String, at: Timestamp, adjustment: Adjustment? = nil, lines: [StockMoveLine] = []) {
        self.number = number; self.kind = kind; self.location = location; self.from = from; self.disposals = disposals
        self.note = note; self.key = key; self.by = by; self.at = at; self.adjustment = adjustment; self.lines = lines
    }

    public var id: String { StockMove.id(number) }
    public static func id(_ number: Int) -> String { "M" + zeroPadded(number, width: 6) }
    public static func number(_ id: String) -> Int? {
        guard id.count >= 2, id.first == "M", let n = Int(id.dropFirst()), n > 0 else { return nil }
        return n
    }

    /// Units on hand changed, summed with their signs (COUNT's `variance=`).
    public var variance: Int64 { lines.reduce(0) { $0 + $1.change } }
    /// Units moved, whichever way (ADJUST's `qty=`).
    public var units: Int64 { lines.reduce(0) { $0 + abs($1.change) } }
    /// The stock value changed at unit cost.
    public var value: Money { Money(minor: lines.reduce(0) { $0 + $1.value.minor }) }
}

/// ADJUST's direction: units into on hand, or out of it.
public enum AdjustDirection: String, Sendable, Equatable, CaseIterable { case `in`, out }

/// Why ADJUST moved units; damage and theft only take them out, found only puts them in.
public enum AdjustReason: String, Sendable, Equatable, CaseIterable {
    case damage, theft, found, correction, other

    /// Whether the reason may move units that way.
    public func allows(_ direction: AdjustDirection) -> Bool {
        switch self {
        case .damage, .theft: return direction == .out
        case .found: return direction == .in
        case .correction, .other: return true
        }
    }
}

public struct Adjustment: Sendable, Equatable {
    public var direction: AdjustDirection
    public var reason: AdjustReason
    public init(direction: AdjustDirection, reason: AdjustReason) { self.direction = direction; self.reason = reason }
}

/// One slot's on hand changed by ADJUST or COUNT: `before` (what COUNT found the books saying;
/// ADJUST: what was on hand), the signed `change`, and its `value` at unit cost then.
public struct StockMoveLine: Sendable, Equatable {
    public var sku: String
    public var batch: String
    public var before: Int64
    public var change: Int64
    public var value: Money
    /// Serial numbers (protocol.md, Serial numbers): those put on hand (ADJUST in, COUNT's
    /// finds) and those taken off (ADJUST out, on-hand serials a COUNT did not name).
    public var serialsIn: [String]
    public var serialsOut: [String]

    public init(sku: String, batch: String, before: Int64, change: Int64, value: Money, serialsIn: [String] = [],
                serialsOut: [String] = []) {
        self.sku = sku; self.batch = batch; self.before = before; self.change = change; self.value = value
        self.serialsIn = serialsIn; self.serialsOut = serialsOut
    }

    /// What COUNT set on hand to.
    public var counted: Int64 { before + change }

    /// `sku= batch= before= counted= variance= value=` (COUNT's lines, FEED's `count.line`).
    public var countFields: [Field] {
        [Field("sku", sku), Field("batch", batch), Field("before", String(before)), Field("counted", String(counted)),
         Field("variance", String(change)), Field("value", value.description)]
    }
}
