public import ReturnLedgerCore

/// A request after parsing. Session commands stay here; everything that reaches the ledger is a
/// core `Command`. Passwords stay plain text until the server hashes them, off the writer queue.
public enum ParsedCommand: Sendable, Equatable {
    case ping
    case help(topic: String?)
    case auth(user: String, password: String)
    case whoami
    case quit
    case info
    case snapshot
    case backup
    /// Section 15: durable changes after a log sequence, long-polled for `wait` seconds.
    case feed(from: UInt64, limit: Int, wait: Int)
    case digest
    case watch
    case unwatch
    case userAdd(name: String, role: Role, password: String, locations: Scope)
    case userPassword(name: String, password: String)
    case ledger(Command)
}

extension ParsedCommand {
    /// The id the audit trail records (also for a refused request, when its arguments parsed).
    public var target: String {
        switch self {
        case .ledger(let command): return command.target
        case .userAdd(let name, _, _, _), .userPassword(let name, _), .auth(let name, _): return name
        default: return ""
        }
    }
}

/// The first words of a request, known before its arguments are checked: enough for the
/// NOAUTH, UNKNOWN_COMMAND and DENIED checks, which come before SYNTAX.
public struct Request: Sendable {
    public var word: CommandWord
    /// The sub-command of setup words (`ADD`, `LIST`...), upper-cased.
    public var sub: String?
    /// Parsed arguments, or the SYNTAX/INVALID error they raised.
    public var parsed: Result<ParsedCommand, DomainError>

    /// `USER ADD`, `RETURN`: what the audit trail calls it.
    public var name: String { sub.map { word.rawValue + " " + $0 } ?? word.rawValue }
}
