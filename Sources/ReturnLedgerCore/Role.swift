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
    /// Sections 11 and 12: approval rules, and watching the review queue.
    case RULE, WATCH, UNWATCH
    /// Section 14: an order and what is left to return of it.
    case ORDER
    /// Section 15: backups, and the change feed.
    case BACKUP, FEED

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

    /// This command's row in `CommandTable`.
    public var spec: CommandSpec { CommandTable.byOrdinal[ordinal] }

    /// Usable before `AUTH`. (These three are looked up per request: flags by ordinal, not a
    /// copy of the table's row.)
    public var isOpen: Bool { CommandTable.flags[ordinal].open }

    /// Whether some form of it changes state; each attempt leaves an audit entry.
    public var isMutating: Bool { CommandTable.flags[ordinal].mutating }

    /// Whether its second word is a sub-command (`USER ADD`).
    public var hasSubcommands: Bool { CommandTable.flags[ordinal].subcommands }
}
