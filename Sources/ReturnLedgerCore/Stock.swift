/// Where a unit of stock is: a location and, for batch-tracked goods, a batch.
public struct StockSlot: Hashable, Sendable, Comparable {
    public var location: String
    public var batch: String
    public init(location: String, batch: String) { self.location = location; self.batch = batch }
    public static func < (a: StockSlot, b: StockSlot) -> Bool { (a.location, a.batch) < (b.location, b.batch) }
}

/// The states a slot's units are in (protocol.md, Stock states): on hand (sellable), in
/// quarantine (returned, waiting for INSPECT), held for return to the supplier (`rtv`) or for
/// repair (`refurbish`), and sent here but not yet received (`transit`). Only on hand is sold.
public enum StockState: String, Sendable, Equatable, CaseIterable {
    case on_hand, quarantine, rtv, refurbish, transit
}

/// A slot's units in each state.
public struct StockLevel: Sendable, Equatable {
    public var onHand: Int64 = 0
    public var quarantine: Int64 = 0
    /// Format 10: held for the supplier, held for repair, on the way here.
    public var rtv: Int64 = 0
    public var refurbish: Int64 = 0
    public var transit: Int64 = 0

    public init(onHand: Int64 = 0, quarantine: Int64 = 0, rtv: Int64 = 0, refurbish: Int64 = 0, transit: Int64 = 0) {
        self.onHand = onHand; self.quarantine = quarantine; self.rtv = rtv; self.refurbish = refurbish; self.transit = transit
    }

    public subscript(state: StockState) -> Int64 {
        get {
            switch state {
            case .on_hand: return onHand
            case .quarantine: return quarantine
            case .rtv: return rtv
            case .refurbish: return refurbish
            case .transit: return transit
            }
        }
        set {
            switch state {
            case .on_hand: onHand = newValue
            case .quarantine: quarantine = newValue
            case .rtv: rtv = newValue
            case .refurbish: refurbish = newValue
            case .transit: transit = newValue
            }
        }
    }

    /// Held states beyond on hand and quarantine: a slot with any is written in a snapshot's
    /// held-stock section (format 10).
    public var holdsMore: Bool { rtv != 0 || refurbish != 0 || transit != 0 }

    /// Every unit the slot accounts for, whatever its state (the books invariant's left side).
    public var total: Int64 { onHand + quarantine + rtv + refurbish + transit }
}
