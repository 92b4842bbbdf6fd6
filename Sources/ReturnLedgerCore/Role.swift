/// What a logged-in user may do is decided by their role (and, for changes, their stores).
public enum Role: String, CaseIterable, Sendable, Hashable {
    case clerk, supervisor, finance, auditor, admin
}
