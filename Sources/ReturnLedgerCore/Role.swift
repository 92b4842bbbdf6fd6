/// What a logged-in user may do is decided by their role alone (section 5 of the contract).
public enum Role: String, CaseIterable, Sendable, Hashable {
    case clerk, supervisor, finance, auditor, admin
}

/// The first word of a request. Setup words (`USER`, `SKU`, ...) take a sub-command.
public enum CommandWord: String, CaseIterable, Sendable, Hashable {
    case PING, HELP, AUTH, WHOAMI, QUIT
    case USER, LOCATION, SKU, PARTY, REASON, POLICY, SNAPSHOT
    case SALE, PURCHASE, PAYMENT
    case RETURN, APPROVE, REJECT, CANCEL, INSPECT, SHOW, LIST, DOC, NOTICES
    case STOCK, BALANCE, STATS, AUDIT, INFO
    /// Not in the contract's first list: a fingerprint of the whole state (auditor, admin).
    case DIGEST

    /// The command a request's first word names, in any case; one table lookup instead of
    /// comparing against every case name.
    public static func named(_ word: String) -> CommandWord? {
        byName[word] ?? byName[word.uppercased()]
    }

    private static let byName: [String: CommandWord] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })

    /// Position in `allCases`: counters and the role table index arrays with it instead of
    /// hashing the raw string on every request.
    public var ordinal: Int { CommandWord.ordinals[hashKey] }

    /// The case's discriminator (a String-backed enum without payloads is stored as one byte).
    @inline(__always) private var hashKey: Int { Int(unsafeBitCast(self, to: UInt8.self)) }
    private static let ordinals: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for (i, word) in CommandWord.allCases.enumerated() { table[word.hashKey] = i }
        return table
    }()

    /// Usable before `AUTH`.
    public var isOpen: Bool { self == .PING || self == .HELP || self == .AUTH || self == .QUIT }

    /// Commands that change state; each attempt leaves an audit entry.
    public var isMutating: Bool {
        switch self {
        case .USER, .LOCATION, .SKU, .PARTY, .REASON, .POLICY, .SNAPSHOT, .SALE, .PURCHASE, .PAYMENT,
             .RETURN, .APPROVE, .REJECT, .CANCEL, .INSPECT:
            return true
        default:
            return false
        }
    }
}

/// The role table of the contract, in one place. The check ignores the arguments, except that
/// `USER PASSWORD` is open to everyone (for their own name, which the core then checks).
public enum Permissions {
    static let clerk: Set<CommandWord> = [.SALE, .PURCHASE, .RETURN, .CANCEL, .SHOW, .LIST, .STOCK, .DOC]
    static let supervisor: Set<CommandWord> = clerk.union([.APPROVE, .REJECT, .INSPECT])
    static let finance: Set<CommandWord> = [.PAYMENT, .BALANCE, .SHOW, .LIST, .STOCK, .DOC, .NOTICES, .STATS]
    static let auditor: Set<CommandWord> = [.SHOW, .LIST, .STOCK, .BALANCE, .DOC, .NOTICES, .STATS, .AUDIT, .INFO, .DIGEST]
    static let everyone: Set<CommandWord> = [.PING, .HELP, .AUTH, .WHOAMI, .QUIT]

    /// The sets above as one lookup table: [role][command ordinal].
    private static let table: [[Bool]] = Role.allCases.map { role in
        CommandWord.allCases.map { word in
            if everyone.contains(word) { return true }
            switch role {
            case .admin: return true
            case .clerk: return clerk.contains(word)
            case .supervisor: return supervisor.contains(word)
            case .finance: return finance.contains(word)
            case .auditor: return auditor.contains(word)
            }
        }
    }

    /// The role's row in `table`, found among five cases: a String-backed enum hashes its raw
    /// value, so a dictionary keyed by role would run SipHash on every request.
    private static func row(_ role: Role) -> Int { Role.allCases.firstIndex(of: role)! }

    public static func allows(_ role: Role, _ word: CommandWord, sub: String?) -> Bool {
        if word == .USER, sub?.uppercased() == "PASSWORD" { return true }
        return table[row(role)][word.ordinal]
    }
}
