/// Every command of the protocol in one table: its word, its forms (sub-commands) with their
/// usage text, who may use it, whether it changes state and whether a client may re-send it after
/// a dropped connection. The role check (`Access`), HELP, usage errors, the parser's sub-command
/// split, the role-matrix test and the Python client's retry table come from here or are checked
/// against it (`CommandTableTests`), so a new command is one row, not fifteen places.
public struct CommandSpec: Sendable {
    public let word: CommandWord
    /// Usable before AUTH (PING, HELP, AUTH, QUIT).
    public let open: Bool
    /// Who may use the word; a form may say otherwise (`USER PASSWORD`: everyone, for their own).
    public let roles: Set<Role>
    public let forms: [CommandForm]

    /// The form a request's sub-command names; nil when the word has forms and none matches.
    public func form(_ sub: String?) -> CommandForm? {
        if forms.count == 1, forms[0].sub == nil { return forms[0] }
        return forms.first { $0.sub == sub }
    }
}

public struct CommandForm: Sendable {
    /// The sub-command (`ADD`), upper-case; nil for a word without sub-commands.
    public let sub: String?
    public let usage: String
    public let mutates: Bool
    public let resend: Resend
    /// Overrides the word's roles for this form.
    public let roles: Set<Role>?

    init(_ sub: String?, _ usage: String, mutates: Bool, resend: Resend, roles: Set<Role>? = nil) {
        self.sub = sub; self.usage = usage; self.mutates = mutates; self.resend = resend; self.roles = roles
    }

    static func read(_ usage: String, sub: String? = nil, roles: Set<Role>? = nil) -> CommandForm {
        CommandForm(sub, usage, mutates: false, resend: .always, roles: roles)
    }
}

/// Whether a client may send a request again when the connection dropped before its reply: the
/// server may or may not have carried it out, so only requests with the same effect either way.
public enum Resend: String, Sendable, CaseIterable {
    /// Reads, and changes whose second run has no further effect (SALE with its order id, APPROVE).
    case always
    /// Only with an idempotency key among its named arguments (`RETURN ... key=`).
    case withKey = "key"
    /// Never: a second run would act twice or fail confusingly (PAYMENT, REJECT).
    case never
}

public enum CommandTable {
    private static let everyone = Set(Role.allCases)
    /// Look-ups a till needs (names, prices, reasons, the policy, the rules): every role (section 5's addition).
    private static let tills: Set<Role> = [.clerk, .supervisor, .admin]
    private static let reviewers: Set<Role> = [.supervisor, .admin]
    /// APPROVE and REJECT: finance only in second review (checked in the domain).
    private static let approvers: Set<Role> = [.supervisor, .finance, .admin]
    private static let readers: Set<Role> = [.clerk, .supervisor, .finance, .auditor, .admin]
    private static let books: Set<Role> = [.finance, .auditor, .admin]
    private static let oversight: Set<Role> = [.auditor, .admin]
    private static let admin: Set<Role> = [.admin]

    private static func change(_ usage: String, sub: String? = nil, resend: Resend = .never,
                               roles: Set<Role>? = nil) -> CommandForm {
        CommandForm(sub, usage, mutates: true, resend: resend, roles: roles)
    }

    /// In `CommandWord` order (checked at start-up by `byOrdinal`).
    public static let all: [CommandSpec] = [
        CommandSpec(word: .PING, open: true, roles: everyone, forms: [.read("PING")]),
        CommandSpec(word: .HELP, open: true, roles: everyone, forms: [.read("HELP [command]")]),
        // A client logs in again itself after a reconnect; AUTH is never re-sent as a request.
        CommandSpec(word: .AUTH, open: true, roles: everyone,
                    forms: [CommandForm(nil, "AUTH user password", mutates: false, resend: .never)]),
        CommandSpec(word: .WHOAMI, open: false, roles: everyone, forms: [.read("WHOAMI")]),
        CommandSpec(word: .QUIT, open: true, roles: everyone, forms: [CommandForm(nil, "QUIT", mutates: false, resend: .never)]),
        CommandSpec(word: .USER, open: false, roles: admin, forms: [
            change("USER ADD name role=ROLE password=PW [locations=LIST]", sub: "ADD"),
            change("USER ROLE name role=ROLE", sub: "ROLE"),
            change("USER DISABLE name", sub: "DISABLE"),
            change("USER ENABLE name", sub: "ENABLE"),
            change("USER PASSWORD name password=PW", sub: "PASSWORD", roles: everyone),
            .read("USER LIST", sub: "LIST"),
            change("USER SCOPE name locations=LIST", sub: "SCOPE"),
        ]),
        CommandSpec(word: .LOCATION, open: false, roles: admin, forms: [
            change("LOCATION ADD code name=TEXT [kind=store|warehouse]", sub: "ADD"), .read("LOCATION LIST", sub: "LIST", roles: everyone),
            change("LOCATION SET code name=TEXT", sub: "SET", resend: .always),
        ]),
        CommandSpec(word: .SKU, open: false, roles: admin, forms: [
            change("SKU ADD sku name=TEXT price=MONEY [cost=MONEY] [inspect=yes|no]", sub: "ADD"), .read("SKU LIST", sub: "LIST", roles: everyone),
            change("SKU SET sku [name=TEXT] [price=MONEY] [cost=MONEY] [inspect=yes|no]", sub: "SET", resend: .always),
        ]),
        CommandSpec(word: .PARTY, open: false, roles: admin, forms: [
            change("PARTY ADD customer|supplier id name=TEXT", sub: "ADD"), .read("PARTY LIST [customer|supplier]", sub: "LIST"),
            change("PARTY SET id name=TEXT", sub: "SET", resend: .always),
        ]),
        CommandSpec(word: .REASON, open: false, roles: admin, forms: [
            change("REASON ADD code label=TEXT [fee=PCT]", sub: "ADD"), .read("REASON LIST", sub: "LIST", roles: everyone),
            change("REASON SET code [label=TEXT] [fee=PCT]", sub: "SET", resend: .always),
        ]),
        CommandSpec(word: .POLICY, open: false, roles: admin, forms: [
            .read("POLICY SHOW", sub: "SHOW", roles: everyone),
            change("POLICY SET [window_days=N] [customer_returns=N] [customer_days=D] [timezone=ZONE]", sub: "SET", resend: .always),
        ]),
        CommandSpec(word: .SNAPSHOT, open: false, roles: admin, forms: [change("SNAPSHOT")]),
        CommandSpec(word: .BACKUP, open: false, roles: admin, forms: [change("BACKUP")]),
        CommandSpec(word: .SALE, open: false, roles: tills, forms: [
            change("SALE order location=LOC [customer=PARTY] [paid=yes|no] [at=TIME] ITEM...", resend: .always),
        ]),
        CommandSpec(word: .PURCHASE, open: false, roles: tills, forms: [
            change("PURCHASE order location=LOC supplier=PARTY [at=TIME] ITEM...", resend: .always),
        ]),
        CommandSpec(word: .PAYMENT, open: false, roles: [.finance, .admin], forms: [
            change("PAYMENT party amount=MONEY direction=in|out [note=TEXT]"),
        ]),
        CommandSpec(word: .RETURN, open: false, roles: tills, forms: [
            change("RETURN order|- ITEM... reason=CODE [location=LOC] [note=TEXT] [key=KEY] [exchange=ITEM,...]"
                   + " [customer=PARTY] [override=yes]", resend: .withKey),
        ]),
        CommandSpec(word: .APPROVE, open: false, roles: approvers, forms: [
            change("APPROVE id [refund=cash|credit] [fee=PCT] [note=TEXT]", resend: .always),
        ]),
        CommandSpec(word: .REJECT, open: false, roles: approvers, forms: [change("REJECT id note=TEXT")]),
        CommandSpec(word: .CANCEL, open: false, roles: tills, forms: [change("CANCEL id")]),
        CommandSpec(word: .INSPECT, open: false, roles: reviewers, forms: [change("INSPECT id restock|scrap [note=TEXT]")]),
        CommandSpec(word: .SHOW, open: false, roles: readers, forms: [.read("SHOW id")]),
        CommandSpec(word: .LIST, open: false, roles: readers, forms: [
            .read("LIST [state=S] [kind=sale|purchase] [location=LOC] [from=DATE] [to=DATE] [limit=N] [party=PARTY]"
                  + " [order=ORDER] [before=ID]"),
        ]),
        CommandSpec(word: .DOC, open: false, roles: readers, forms: [.read("DOC RT-YYYYMMDD-NNNN")]),
        CommandSpec(word: .NOTICES, open: false, roles: books, forms: [.read("NOTICES [party=PARTY] [from=DATE]")]),
        CommandSpec(word: .STOCK, open: false, roles: readers, forms: [
            .read("STOCK sku [location=LOC]"), .read("STOCK location=LOC"),
        ]),
        CommandSpec(word: .BALANCE, open: false, roles: books, forms: [.read("BALANCE [party]")]),
        CommandSpec(word: .STATS, open: false, roles: books, forms: [
            .read("STATS [from=DATE] [to=DATE] [kind=sale|purchase] [by=reason|sku|location|clerk|party|day] [location=LOC]"),
        ]),
        CommandSpec(word: .AUDIT, open: false, roles: oversight, forms: [.read("AUDIT [user=U] [from=TIME|DATE] [after=SEQ] [limit=N]")]),
        CommandSpec(word: .INFO, open: false, roles: oversight, forms: [.read("INFO")]),
        // Not in the contract's first list: a fingerprint of the whole state.
        CommandSpec(word: .DIGEST, open: false, roles: oversight, forms: [.read("DIGEST")]),
        CommandSpec(word: .FEED, open: false, roles: oversight, forms: [.read("FEED from=SEQ [limit=N] [wait=SECONDS]")]),
        CommandSpec(word: .RULE, open: false, roles: admin, forms: [
            change("RULE ADD code then=auto|second|inspect [kind=sale|purchase] [location=LOC] [reason=CODE] [sku=SKU]"
                   + " [min_amount=MONEY] [max_amount=MONEY] [noreceipt=yes] [role=supervisor|finance] [note=TEXT]", sub: "ADD"),
            .read("RULE LIST", sub: "LIST", roles: everyone),
            change("RULE DROP code", sub: "DROP"),
        ]),
        // Session state, not the ledger's: a client re-watches after a reconnect.
        CommandSpec(word: .WATCH, open: false, roles: approvers, forms: [.read("WATCH")]),
        CommandSpec(word: .UNWATCH, open: false, roles: approvers, forms: [.read("UNWATCH")]),
        CommandSpec(word: .ORDER, open: false, roles: readers, forms: [.read("ORDER id")]),
    ]

    /// `all` indexed by `CommandWord.ordinal`; traps at first use if a word has no row.
    static let byOrdinal: [CommandSpec] = {
        let rows = CommandWord.allCases.map { word in all.first { $0.word == word } }
        precondition(rows.allSatisfy { $0 != nil } && all.count == rows.count, "CommandTable: one row per CommandWord")
        return rows.map { $0! }
    }()

    static let flags: [(open: Bool, mutating: Bool, subcommands: Bool)] = byOrdinal.map { spec in
        (spec.open, spec.forms.contains { $0.mutates }, spec.forms.contains { $0.sub != nil })
    }

    /// [role][command ordinal]: whether the role may use the word. The role's row by its place in
    /// `allCases`: a String-backed enum hashes its raw value, so a dictionary would hash per request.
    private static let wordTable: [[Bool]] = Role.allCases.map { role in byOrdinal.map { $0.roles.contains(role) } }
    /// Words with a form whose roles differ from the word's.
    private static let hasOverrides: [Bool] = byOrdinal.map { spec in spec.forms.contains { $0.roles != nil } }

    /// The role check: the word's roles, or the named form's where it has its own.
    public static func allows(_ role: Role, _ word: CommandWord, sub: String?) -> Bool {
        let ordinal = word.ordinal
        if hasOverrides[ordinal], let roles = byOrdinal[ordinal].form(sub)?.roles { return roles.contains(role) }
        return wordTable[Role.allCases.firstIndex(of: role)!][ordinal]
    }

    /// The forms a role may use, for HELP.
    public static func forms(of word: CommandWord, for role: Role) -> [CommandForm] {
        word.spec.forms.filter { allows(role, word, sub: $0.sub) }
    }

    /// The usage text of a form, or of every form of the word.
    public static func usage(_ word: CommandWord, _ sub: String? = nil) -> String {
        let spec = word.spec
        if sub != nil, let form = spec.form(sub) { return form.usage }
        return spec.forms.map(\.usage).joined(separator: " | ")
    }
}
