/// Who works here: a role, the stores it acts in, and a password hash.
public struct User: Sendable, Equatable {
    public var name: String
    public var role: Role
    /// crypt(3) output (`$y$...`); only ever compared, never shown or logged.
    public var passwordHash: String
    public var enabled: Bool
    /// Where the user may act and which returns it sees (protocol.md, Stores and scope).
    public var locations: Scope

    public init(name: String, role: Role, passwordHash: String, enabled: Bool = true, locations: Scope = .everywhere) {
        self.name = name; self.role = role; self.passwordHash = passwordHash; self.enabled = enabled
        self.locations = locations
    }
}
