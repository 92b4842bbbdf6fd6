/// Who we trade with: a customer or a supplier.
public enum PartyKind: String, Sendable, CaseIterable { case customer, supplier }

public struct Party: Sendable, Equatable {
    public var id: String
    public var kind: PartyKind
    public var name: String
    /// Since format 10 (protocol.md, Supplier returns): a supplier that wants its RMA number on
    /// every return; customers: false.
    public var rmaRequired = false
    public init(id: String, kind: PartyKind, name: String, rmaRequired: Bool = false) {
        self.id = id; self.kind = kind; self.name = name; self.rmaRequired = rmaRequired
    }
}
