/// Goods sent from one location to another (protocol.md, Transfers). Between sites they leave
/// `from`'s on hand and wait in `to`'s transit until RECEIVE says what arrived; within one site
/// they arrive at once. `id` is the client's reference (its delivery note), a namespace of its own.
public struct Transfer: Sendable, Equatable {
    public enum State: String, Sendable, Equatable, CaseIterable { case in_transit, received, cancelled }
    /// The three steps a transfer's record is logged at (each its own event).
    public enum Step: Sendable { case sent, received, cancelled }

    public var id: String
    public var from: String
    public var to: String
    public var lines: [TransferLine]
    /// SEND's note.
    public var note: String
    public var sentBy: String
    public var sentAt: Timestamp
    public var state: State
    /// Whether it went through transit (between sites); else it was received when sent.
    public var viaTransit: Bool
    /// The receipt: who, when, with what note ("" and nil until received).
    public var receivedBy: String
    public var receivedAt: Timestamp?
    public var receivedNote: String
    /// The units found minus those lost, at unit cost at the receipt.
    public var value: Money
    /// Who called it back and when ("" and nil unless cancelled).
    public var cancelledBy = ""
    public var cancelledAt: Timestamp? = nil

    public init(id: String, from: String, to: String, lines: [TransferLine], note: String, sentBy: String, sentAt: Timestamp,
                state: State, viaTransit: Bool, receivedBy: String = "", receivedAt: Timestamp? = nil, receivedNote: String = "",
                value: Money = .zero) {
        self.id = id; self.from = from; self.to = to; self.lines = lines; self.note = note; self.sentBy = sentBy
        self.sentAt = sentAt; self.state = state; self.viaTransit = viaTransit; self.receivedBy = receivedBy
        self.receivedAt = receivedAt; self.receivedNote = receivedNote; self.value = value
    }

    public var sent: Int64 { lines.reduce(0) { $0 + $1.sent } }
    public var received: Int64 { lines.reduce(0) { $0 + $1.received } }
    /// Units that did not arrive, and units that arrived beyond what was sent, line by line.
    public var lost: Int64 { lines.reduce(0) { $0 + max(0, $1.sent - $1.received) } }
    public var found: Int64 { lines.reduce(0) { $0 + max(0, $1.received - $1.sent) } }
}

/// A line of a transfer: units of a SKU and batch sent, and how many arrived (0 until received).
public struct TransferLine: Sendable, Equatable {
    public var sku: String
    public var batch: String
    public var sent: Int64
    public var received: Int64
    /// Serial numbers (protocol.md, Serial numbers): those sent, and those that arrived (as sent
    /// when the receipt did not name the line; empty until received and for a SKU without serials).
    public var serials: [String]
    public var receivedSerials: [String]

    public init(sku: String, batch: String, sent: Int64, received: Int64 = 0, serials: [String] = [], receivedSerials: [String] = []) {
        self.sku = sku; self.batch = batch; self.sent = sent; self.received = received
        self.serials = serials; self.receivedSerials = receivedSerials
    }

    public var slot: SkuBatch { SkuBatch(sku, batch) }
}
