/// Every way a command can fail, one case per protocol error code (protocol.md, Error codes).
/// The message is for people; the code never changes meaning.
public struct DomainError: Error, Equatable, Sendable {
    public enum Code: String, Sendable, CaseIterable {
        case SYNTAX, UNKNOWN_COMMAND, TOO_LONG, ENCODING, NOAUTH, AUTH, LOCKED, DENIED, SELF_APPROVAL
        case NOT_FOUND, EXISTS, CONFLICT, INVALID, EXCEEDS, EXPIRED, STATE, STOCK, LIMIT, STORAGE, INTERNAL
        /// A customer's return limit reached (protocol.md, Return types).
        case OVER_LIMIT
        /// A backup could not be written; changes go on.
        case BACKUP
        /// Protocol.md, Tenders: tenders not adding up, against the tender policy, or emptying a
        /// drawer; more store credit than is available.
        case TENDER, CREDIT
        /// Protocol.md, Document chain: a stored document's hash does not match its recomputed one.
        case CHAIN
        /// Protocol.md, PERIOD: a change dated in a closed business date.
        case CLOSED
        /// Protocol.md, Supplier returns: the supplier wants its RMA number on the return.
        case RMA_REQUIRED
        /// Protocol.md, Serial numbers: a serial is not where the step needs it.
        case SERIAL
        /// Protocol.md, Return policy per product: a final-sale item is not returnable.
        case FINAL_SALE
        /// Protocol.md, A warm standby: a standby, or a primary superseded by a promotion,
        /// refuses a change (`ERR READONLY primary=HOST:PORT ...`).
        case READONLY
        /// Protocol.md, Years of history: an archive could not be written (nothing archived,
        /// changes go on) or read (damaged, missing).
        case ARCHIVE
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    static func notFound(_ what: String, _ id: String) -> DomainError { DomainError(.NOT_FOUND, "no \(what) \(id)") }
    static func exists(_ what: String, _ id: String) -> DomainError { DomainError(.EXISTS, "\(what) \(id) already exists") }
    static func invalid(_ message: String) -> DomainError { DomainError(.INVALID, message) }
    static let overflow = DomainError(.INVALID, "amount out of range")
}
