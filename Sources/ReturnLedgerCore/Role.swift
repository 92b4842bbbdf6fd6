/// What a logged-in user may do is decided by their role (and, for changes, their stores).
public enum Role: String, CaseIterable, Sendable, Hashable {
    case clerk, supervisor, finance, auditor, admin
    /// A standby's login to its primary (protocol.md, A warm standby): REPLICATE, and the few
    /// commands any session has (PING, HELP, WHOAMI, QUIT, its own USER PASSWORD), nothing else.
    case replica
}
