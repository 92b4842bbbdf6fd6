/// Where a unit of stock is: a location and, for batch-tracked goods, a batch.
public struct StockSlot: Hashable, Sendable, Comparable {
    public var location: String
    public var batch: String
    public init(location: String, batch: String) { self.location = location; self.batch = batch }
    public static func < (a: StockSlot, b: StockSlot) -> Bool { (a.location, a.batch) < (b.location, b.batch) }
}

/// Units on hand (sellable) and in quarantine (returned, waiting for INSPECT).
public struct StockLevel: Sendable, Equatable {
    public var onHand: Int64 = 0
    public var quarantine: Int64 = 0
    public init(onHand: Int64 = 0, quarantine: Int64 = 0) { self.onHand = onHand; self.quarantine = quarantine }
}
