/// Every command of the protocol, assembled from the subjects' files (`Commands+Returns.swift`,
/// ...) in protocol.md's order of subjects, which is the order HELP lists them in. The role check (`Access`), HELP, usage errors, the parser,
/// the role-matrix test and the Python client's retry table come from here or are checked against
/// it (`CommandTableTests`). `CommandSpec` has the checklist for adding a command.
public enum CommandTable {
    public static let all: [CommandSpec] = sessions + trade + returns + review + stock + movingStock + money + catalogue + history
        + operations + push

    // Who may use what: the role sets the rows name.
    /// Every person's role; a standby's `replica` login is not one.
    static let everyone = Set(Role.allCases).subtracting([.replica])
    /// What a session may do whoever it is, a standby's login included.
    static let anySession = Set(Role.allCases)
    /// Look-ups a till needs (names, prices, reasons, the policy, the rules): every role.
    static let tills: Set<Role> = [.clerk, .supervisor, .admin]
    static let reviewers: Set<Role> = [.supervisor, .admin]
    /// APPROVE and REJECT: finance only in second review (checked in the domain: `Ledger.mayAct`).
    static let approvers: Set<Role> = [.supervisor, .finance, .admin]
    static let readers: Set<Role> = [.clerk, .supervisor, .finance, .auditor, .admin]
    static let books: Set<Role> = [.finance, .auditor, .admin]
    static let oversight: Set<Role> = [.auditor, .admin]
    static let admin: Set<Role> = [.admin]

    /// Per word (by ordinal): open before AUTH, and whether some form changes state.
    static let flags: [(open: Bool, mutating: Bool)] = all.map { spec in (spec.open, spec.forms.contains { $0.mutates }) }

    /// Per word: see `CommandWord.waitsForStandbys`.
    static let waitsForStandbys: [Bool] = all.map { !["INFO", "AUTH", "REPLICATE", "PING", "HELP", "WHOAMI", "QUIT"].contains($0.name) }

    /// Per word: whether a standby may refuse some form of it (see `CommandWord.refusedOnStandby`).
    static let standbyRefusal: [Bool] = all.map { spec in
        ["WATCH", "REPLICATE"].contains(spec.name)
            || (!["SNAPSHOT", "BACKUP", "PROMOTE"].contains(spec.name) && spec.forms.contains { $0.mutates })
    }

    /// [role][command ordinal]: whether the role may use the word. The role's row by its place in
    /// `allCases`: a String-backed enum hashes its raw value, so a dictionary would hash per request.
    private static let wordTable: [[Bool]] = Role.allCases.map { role in all.map { $0.roles.contains(role) } }
    /// Words with a form whose roles differ from the word's.
    private static let hasOverrides: [Bool] = all.map { spec in spec.forms.contains { $0.roles != nil } }

    /// The role check: the word's roles, or the named form's where it has its own.
    public static func allows(_ role: Role, _ word: CommandWord, sub: String?) -> Bool {
        let ordinal = word.ordinal
        if hasOverrides[ordinal], let roles = all[ordinal].form(sub)?.roles { return roles.contains(role) }
        return wordTable[Role.allCases.firstIndex(of: role)!][ordinal]
    }

    /// The forms a role may use, for HELP.
    public static func forms(of word: CommandWord, for role: Role) -> [CommandForm] {
        word.spec.forms.filter { allows(role, word, sub: $0.sub) }
    }
}

extension CommandSpec {
    /// A request's arguments after its word (and sub-command) as the command's typed request: the
    /// one routine every command is parsed by. Structure first (SYNTAX), then the form's own
    /// structural check, then values (INVALID), then the form's cross-value checks.
    public func parse(sub: String?, positional: [String], named: [(key: String, value: String)]) throws(DomainError)
        -> ParsedCommand {
        guard let chosen = form(sub) else { throw DomainError(.SYNTAX, "usage: \(usage())") }
        var form = chosen
        if forms.count > 1, !hasSubcommands {
            // Several forms of one word (STOCK): the first whose positional count fits and whose
            // required keys are given, else the first that fits (its usage error names what is missing).
            form = forms.first { f in
                f.positionalRange.contains(positional.count)
                    && f.requiredNamedIndices.allSatisfy { i in named.contains { $0.key == f.parameters[i].key } }
                    && named.allSatisfy { pair in f.parameters.contains { $0.named && $0.key == pair.key } }
            } ?? forms.first { $0.positionalRange.contains(positional.count) } ?? chosen
        }
        var arguments = try Arguments(form, positional: positional, named: named, usage: usage(hasSubcommands ? sub : nil))
        try form.check?(arguments)
        try arguments.validate()
        return try form.build(&arguments)
    }
}
