/// The locations a user works at (protocol.md, Stores and scope): every location (`*`, the
/// default, and what users created before scopes existed have), or a list of location codes.
public enum Scope: Sendable, Equatable, Hashable {
    case everywhere
    /// Location codes, sorted and without repeats.
    case only([String])

    public init(_ codes: [String]) { self = .only(Array(Set(codes)).sorted()) }

    /// `*` or `CODE,CODE`; nil for an empty list or an empty code.
    public init?(parsing text: String) {
        if text == "*" { self = .everywhere; return }
        let codes = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !codes.isEmpty, codes.allSatisfy({ !$0.isEmpty }) else { return nil }
        self.init(codes)
    }

    public func contains(_ location: String) -> Bool {
        switch self {
        case .everywhere: return true
        case .only(let codes): return codes.contains(location)
        }
    }

    /// As the wire prints it: `*` or the codes joined by commas.
    public var text: String {
        switch self {
        case .everywhere: return "*"
        case .only(let codes): return codes.joined(separator: ",")
        }
    }

    /// The same scope with its codes sorted and without repeats, as it is stored.
    public var normalized: Scope {
        if case .only(let codes) = self { return Scope(codes) }
        return self
    }

    /// The codes named, for the NOT_FOUND check; empty for `*`.
    public var codes: [String] {
        if case .only(let codes) = self { return codes }
        return []
    }
}
