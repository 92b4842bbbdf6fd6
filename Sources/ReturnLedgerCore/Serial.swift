/// Where one serial-numbered unit is in stock (protocol.md, Serial numbers): its slot and state.
public struct SerialPlace: Sendable, Equatable {
    public var slot: StockSlot
    public var state: StockState
    public init(slot: StockSlot, state: StockState) { self.slot = slot; self.state = state }
}

/// What the ledger keeps of one serial of a SKU: where it is in stock (nil: not in stock: sold,
/// sent back, written off, or never held) and the sale it last left on ("" when never sold),
/// which a customer return with a receipt must name. Kept as the moves carry it (`Ledger.place`)
/// and written in the snapshot: it could only be derived by replaying every move in log order.
public struct SerialRecord: Sendable, Equatable {
    public var place: SerialPlace?
    public var lastSale: String
    public init(place: SerialPlace? = nil, lastSale: String = "") { self.place = place; self.lastSale = lastSale }

    /// Whether the record says anything (an empty one is dropped).
    public var isEmpty: Bool { place == nil && lastSale.isEmpty }
}
