/// Who we trade with: a customer or a supplier.
public enum PartyKind: String, Sendable, CaseIterable { case customer, supplier }

public struct Party: Sendable, Equatable {
    public var id: String
    public var kind: PartyKind
    public var name: String
    public init(id: String, kind: PartyKind, name: String) { self.id = id; self.kind = kind; self.name = name }
}
