/// A request after parsing, by who handles it: a change the ledger decides, a read it answers,
/// or something the server does itself (sessions, logins, snapshots, the feed). The engine
/// dispatches on this, never on the command's word.
public indirect enum ParsedCommand: Sendable, Equatable {
    case change(Command)
    case query(Query)
    case server(ServerCommand)

    /// The id the audit trail records (also for a refused request, when its arguments parsed).
    public var target: String {
        switch self {
        case .change(let command): return command.target
        case .query: return ""
        case .server(let command): return command.target
        }
    }
}

/// What the server answers without the ledger deciding it, or before it does (a password is
/// hashed off the writer first). Passwords stay plain text here until the server hashes them.
public enum ServerCommand: Sendable, Equatable {
    case ping
    case help(topic: String?)
    case auth(user: String, password: String)
    case whoami
    case quit
    case info
    case snapshot
    case backup
    /// Durable changes after a log sequence, long-polled for `wait` seconds.
    case feed(from: UInt64, limit: Int, wait: Int, epoch: String?)
    case digest
    /// A standby asks for the log after `from` (protocol.md, A warm standby).
    case replicate(from: UInt64, epoch: String, history: String)
    /// A standby becomes the primary.
    case promote
    /// Protocol.md, Years of history: archive what is finished by a closed date; list the archives.
    case archive(through: CivilDate, purchasesAll: Bool)
    case archiveList
    case watch
    case unwatch
    case userAdd(name: String, role: Role, password: String, locations: Scope)
    case userPassword(name: String, password: String)

    var target: String {
        switch self {
        case .userAdd(let name, _, _, _), .userPassword(let name, _), .auth(let name, _): return name
        case .replicate(let from, _, _): return String(from)
        case .archive(let through, _): return through.description
        case .ping, .help, .whoami, .quit, .info, .snapshot, .backup, .feed, .digest, .watch, .unwatch, .promote, .archiveList: return ""
        }
    }
}
