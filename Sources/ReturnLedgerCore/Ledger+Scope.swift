/// Store scope (protocol.md, Stores and scope): a scoped user acts only at its locations and
/// reads only their returns. Each check comes once its record is found (NOT_FOUND first) and
/// before every other domain error.
extension Ledger {
    func checkScope(_ location: String, _ context: Context, _ what: @autoclosure () -> String) throws(DomainError) {
        guard context.scope.contains(location) else {
            throw DomainError(.DENIED, "\(what()) is at \(location), outside your locations (\(context.scope.text))")
        }
    }

    /// A return the acting user may see and act on. One that left memory (section 23) is read
    /// back from its archive only after the scope check (its location is in its LIST row).
    func scopedReturn(_ id: String, _ context: Context) throws(DomainError) -> ReturnRequest {
        guard let number = filedNumber(id) else { throw .notFound("return", id) }
        try checkScope(location(ofReturn: number), context, id)
        return try filedReturn(number)
    }

    /// A `location=` filter of LIST or STATS: outside the user's locations it is refused.
    func checkScopeFilter(_ location: String?, _ context: Context) throws(DomainError) {
        guard let location, !context.scope.contains(location) else { return }
        throw DomainError(.DENIED, "\(location) is outside your locations (\(context.scope.text))")
    }
}
