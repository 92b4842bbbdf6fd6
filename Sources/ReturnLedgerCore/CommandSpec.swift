/// One command of the protocol: its word and forms, who may use it, and for each form the
/// arguments it takes, whether it changes state, whether a client may re-send it, and how its
/// arguments become a typed request. Everything else about a command (the role check, HELP,
/// usage errors, the parser, the Python client's retry table, the role-matrix test) reads this.
///
/// Adding a command (the checklist; the compiler names what is left):
/// 1. A row in the subject's file (`Commands+Returns.swift`, ...): the word, its roles, each form
///    with its parameters (names, kinds, required or not: the usage text is made from them),
///    `mutates`, `resend`, and `build`, which turns the checked arguments into a `Command` (a
///    change: `Ledger.decide`), a `Query` (a read: `Ledger.query`) or a `ServerCommand`.
/// 2. Its case in `Command` or `Query` and its handling in Core: `decide` (with `apply` for any
///    new event: see `Format.swift` in Storage for adding an event) or `query`. The switches over
///    them have no `default:`, so the compiler lists each place.
/// 3. Its heading, reply and transcript in protocol.md, under its subject (`ProtocolReferenceTests`
///    checks the headings against this table).
/// 4. Its tests, and a sample line per form in `RoleMatrixTests.samples` (checked there); a form
///    with a re-send rule other than `never` also goes into the Python client's RESEND table
///    (checked against this table by `CommandTableTests`).
public final class CommandSpec: Sendable {
    /// The request's first word, upper-case.
    public let name: String
    /// Usable before AUTH (PING, HELP, AUTH, QUIT).
    public let open: Bool
    /// Who may use the word; a form may say otherwise (`USER PASSWORD`: everyone, for their own).
    public let roles: Set<Role>
    public let forms: [CommandForm]

    /// Every form's usage joined by ` | ` (the usage errors of a word without sub-commands).
    private let allUsage: String

    public init(_ name: String, open: Bool = false, roles: Set<Role>, forms: [CommandForm]) {
        self.name = name; self.open = open; self.roles = roles; self.forms = forms
        allUsage = forms.map(\.usage).joined(separator: " | ")
        hasSubcommands = forms.contains { $0.sub != nil }
    }

    /// Whether its second word is a sub-command (`USER ADD`).
    public let hasSubcommands: Bool

    /// The form a request's sub-command names; nil when the word has forms and none matches. A
    /// word without sub-commands answers with its first form (its others are tried by the parser).
    public func form(_ sub: String?) -> CommandForm? {
        hasSubcommands ? forms.first { $0.sub == sub } : forms.first
    }

    /// The usage text of the named form, or of every form of the word joined by ` | `.
    public func usage(_ sub: String? = nil) -> String {
        if sub != nil, let form = form(sub) { return form.usage }
        return allUsage
    }
}

public final class CommandForm: Sendable {
    /// The sub-command (`ADD`), upper-case; nil for a word without sub-commands.
    public let sub: String?
    /// The form's syntax as HELP and usage errors print it, made from the word and parameters.
    public let usage: String
    public let parameters: [Parameter]
    public let mutates: Bool
    public let resend: Resend
    /// Overrides the word's roles for this form.
    public let roles: Set<Role>?
    /// A structural rule the parameters cannot say (`SKU SET` names something to change; `RETURN -`
    /// needs `customer=`): SYNTAX, checked after the counts and keys and before any value.
    let check: Check?
    /// The typed request; cross-value checks (INVALID) live here.
    let build: Build

    /// A form of `word` (with its sub-command, if the word has them).
    public init(_ word: String, sub: String? = nil, _ parameters: [Parameter] = [], mutates: Bool, resend: Resend,
                roles: Set<Role>? = nil, check: Check? = nil, build: @escaping Build) {
        self.sub = sub; self.parameters = parameters; self.mutates = mutates; self.resend = resend
        self.roles = roles; self.check = check; self.build = build
        self.usage = ([sub.map { "\(word) \($0)" } ?? word] + parameters.map(\.usage)).joined(separator: " ")
        var place = 0
        positionalPlaces = parameters.map { parameter in
            defer { if !parameter.named { place += 1 } }
            return parameter.named ? -1 : place
        }
        requiredNamedIndices = parameters.indices.filter { parameters[$0].named && parameters[$0].required }
        let positional = parameters.filter { !$0.named }
        positionalRange = positional.count(where: \.required)...(positional.contains(where: \.repeats) ? Int.max : positional.count)
    }

    /// Worked out once from the parameters, for the parser.
    /// How many positional tokens the form takes.
    let positionalRange: ClosedRange<Int>
    /// For each parameter, its place among the positional tokens (-1: named).
    let positionalPlaces: [Int]
    /// The named parameters that must be given.
    let requiredNamedIndices: [Int]

    public typealias Check = @Sendable (Arguments) throws(DomainError) -> Void
    public typealias Build = @Sendable (inout Arguments) throws(DomainError) -> ParsedCommand

    /// A read: no state changes, always safe to re-send.
    public static func read(_ word: String, _ parameters: [Parameter] = [], roles: Set<Role>? = nil, check: Check? = nil,
                            build: @escaping Build) -> CommandForm {
        CommandForm(word, sub: nil, parameters, mutates: false, resend: .always, roles: roles, check: check, build: build)
    }

    /// A read named by a sub-command (`USER LIST`).
    public static func read(_ word: String, _ sub: String, _ parameters: [Parameter] = [], roles: Set<Role>? = nil,
                            check: Check? = nil, build: @escaping Build) -> CommandForm {
        CommandForm(word, sub: sub, parameters, mutates: false, resend: .always, roles: roles, check: check, build: build)
    }

    /// A change; by default never re-sent.
    public static func change(_ word: String, _ parameters: [Parameter] = [], resend: Resend = .never, roles: Set<Role>? = nil,
                              check: Check? = nil, build: @escaping Build) -> CommandForm {
        CommandForm(word, sub: nil, parameters, mutates: true, resend: resend, roles: roles, check: check, build: build)
    }

    /// A change named by a sub-command (`USER ADD`).
    public static func change(_ word: String, _ sub: String, _ parameters: [Parameter] = [], resend: Resend = .never,
                              roles: Set<Role>? = nil, check: Check? = nil, build: @escaping Build) -> CommandForm {
        CommandForm(word, sub: sub, parameters, mutates: true, resend: resend, roles: roles, check: check, build: build)
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
