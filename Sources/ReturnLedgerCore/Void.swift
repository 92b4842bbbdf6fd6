/// A VOID as the log records it (protocol.md, VOID): the adjusting document, and everything the
/// reversal moved, worked out once by `decide` (where the units are now, the `void` entries, the
/// credit given back) so that `apply` only carries it out.
public struct VoidRecord: Sendable, Equatable {
    /// The voided return.
    public var number: Int
    /// The void's own document, in the same gapless daily sequence as returns' documents.
    public var doc: String
    public var reason: String
    public var note: String
    public var by: String
    public var at: Timestamp
    /// The document's place in the chain, computed as it was issued.
    public var hash: DocHash
    /// Stock taken back from where the units are now, and the `void` entries on the account.
    public var effects: Effects
    /// A customer return's net − written off − credit given back − the exchange sale's total:
    /// above 0 the customer owes it, below 0 we do. Nil for a supplier return.
    public var owed: Money?
    /// What of the return's own store-credit lot was given back (`credit.voided`).
    public var lotGivenBack: Money
    /// Store credit made for what we owe a named customer beyond what it owed us.
    public var lot: CreditLot?

    public init(number: Int, doc: String, reason: String, note: String, by: String, at: Timestamp, hash: DocHash,
                effects: Effects, owed: Money?, lotGivenBack: Money, lot: CreditLot?) {
        self.number = number; self.doc = doc; self.reason = reason; self.note = note; self.by = by; self.at = at
        self.hash = hash; self.effects = effects; self.owed = owed; self.lotGivenBack = lotGivenBack; self.lot = lot
    }
}

extension DocumentHeader {
    /// A void's document: the voided document's values under its own number, date, time,
    /// reason and voider, handing nothing out (protocol.md, Document chain).
    public init(void record: VoidRecord, of request: ReturnRequest) {
        doc = record.doc; type = "void"; voids = request.doc; issuedAt = record.at
        reason = record.reason; filedBy = record.by; approvedBy = record.by
        refund = ""; tender = ""
    }
}
