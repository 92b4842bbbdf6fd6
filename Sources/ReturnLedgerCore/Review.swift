/// Who may act on a return in review: one rule for APPROVE, REJECT and CANCEL (in `decide`), for
/// what WATCH lists and for the pushes that follow it, so the queue a supervisor sees is exactly
/// the returns they could act on.
public enum Review {
    /// The role a second approval needs when its rule names none.
    public static let defaultSecondRole = Role.finance

    /// Gives first approvals, and rejects or cancels any return in its stores.
    public static func reviewsFirst(_ role: Role) -> Bool { role == .supervisor || role == .admin }

    /// May give the second approval (or the rejection) of a return whose rule asks for `secondRole`.
    public static func reviewsSecond(_ role: Role, asked secondRole: Role?) -> Bool {
        role == .admin || role == (secondRole ?? defaultSecondRole)
    }

    /// May review at all, and so watch the queue.
    public static func reviews(_ role: Role) -> Bool { CommandTable.approvers.contains(role) }

    /// The review `user` could give now to a return in `state` at `location`: in its stores, not
    /// filed by it, and in second review not first-approved by it. Nil when there is none.
    public static func step(for user: String, role: Role, scope: Scope, state: ReturnState, location: String,
                            filedBy: String, firstApprovedBy: String, secondRole: Role?) -> ReturnState? {
        guard scope.contains(location), filedBy != user else { return nil }
        switch state {
        case .pending:
            return reviewsFirst(role) ? .pending : nil
        case .second_review:
            return firstApprovedBy != user && reviewsSecond(role, asked: secondRole) ? .second_review : nil
        case .approved, .inspecting, .completed, .rejected, .cancelled, .voided:
            return nil
        }
    }
}
