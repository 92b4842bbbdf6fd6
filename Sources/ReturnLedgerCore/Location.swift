/// Where stock lives: a store or a warehouse.
public enum LocationKind: String, Sendable, CaseIterable { case store, warehouse }

public struct Location: Sendable, Equatable {
    public var code: String
    public var name: String
    public var kind: LocationKind
    public init(code: String, name: String, kind: LocationKind) { self.code = code; self.name = name; self.kind = kind }
}

/// The list line (LOCATION LIST) and FEED's line for the same record.
extension Location {
    public var fields: [Field] { [Field("code", code), Field("name", name), Field("kind", kind.rawValue)] }
}
