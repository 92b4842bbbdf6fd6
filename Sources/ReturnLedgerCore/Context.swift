/// Who is acting and when: everything `decide` needs from outside the state.
public struct Context: Sendable, Equatable {
    public var user: String
    public var role: Role
    public var peer: String
    public var now: Timestamp
    /// The acting user's locations.
    public var scope: Scope
    public init(user: String, role: Role, peer: String, now: Timestamp, scope: Scope = .everywhere) {
        self.user = user; self.role = role; self.peer = peer; self.now = now; self.scope = scope
    }
}
