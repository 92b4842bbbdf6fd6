/// Where stock lives: a store or a warehouse.
public enum LocationKind: String, Sendable, CaseIterable { case store, warehouse }

public struct Location: Sendable, Equatable {
    public var code: String
    public var name: String
    public var kind: LocationKind
    /// The building it is in (protocol.md, Transfers): goods sent between locations of one site
    /// arrive at once, between sites they travel through `transit`. Its own code unless set, and
    /// for locations recorded before format 11.
    public var site: String
    public init(code: String, name: String, kind: LocationKind, site: String? = nil) {
        self.code = code; self.name = name; self.kind = kind; self.site = site ?? code
    }
}

/// The list line (LOCATION LIST) and FEED's line for the same record.
extension Location {
    public var fields: [Field] { [Field("code", code), Field("name", name), Field("kind", kind.rawValue), Field("site", site)] }
}
