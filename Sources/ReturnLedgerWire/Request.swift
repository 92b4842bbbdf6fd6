public import ReturnLedgerCore

/// The first words of a request, known before its arguments are checked: enough for the
/// NOAUTH, UNKNOWN_COMMAND and DENIED checks, which come before SYNTAX.
public struct Request: Sendable {
    public var word: CommandWord
    /// The sub-command of words that have them (`ADD`, `LIST`...), upper-cased.
    public var sub: String?
    /// Parsed arguments, or the SYNTAX/INVALID error they raised.
    public var parsed: Result<ParsedCommand, RefusedRequest>

    public init(word: CommandWord, sub: String?, parsed: Result<ParsedCommand, RefusedRequest>) {
        self.word = word; self.sub = sub; self.parsed = parsed
    }

    /// `USER ADD`, `RETURN`: what the audit trail calls it.
    public var name: String { sub.map { word.name + " " + $0 } ?? word.name }
}

/// A request its arguments refused (SYNTAX, or INVALID before any lookup), and what it was aimed
/// at for the audit trail: its `location=`, else its first positional value (an id, a name), cut
/// to 64 characters; "" when it names neither. A class, kept in the failure: a request that
/// parses carries nothing more to copy, and the failure is one reference wide.
public final class RefusedRequest: Error, Sendable {
    public let error: DomainError
    public let target: String
    public init(_ error: DomainError, target: String = "") { self.error = error; self.target = target }
}
