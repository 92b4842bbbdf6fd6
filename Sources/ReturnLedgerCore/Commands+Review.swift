/// Review and rules: approving, rejecting and inspecting returns, and the rules that route them.
extension CommandTable {
    static let review: [CommandSpec] = [
        CommandSpec("APPROVE", roles: approvers, forms: [
            .change("APPROVE", [id, .optional("refund", .refund, "original|cash|credit|LIST"), .optional("fee", .percent, "PCT"),
                                     .optional("note", .text, "TEXT"), .optional("tender", .tenders, "LIST"),
                                     .optional("till", .identifier, "TILL"), .optional("override", .yesNo, "yes"),
                                     .optional("rma", .nonEmpty, "TEXT")],
                    resend: .always) { a throws(DomainError) in
                let rma = a.hasNamed("rma") ? a.string("rma") : nil  // absent on almost every APPROVE: no walk of the form
                if let rma, rma.count > 64 { throw .invalid("rma= is 1-64 characters") }
                let request = ApprovalRequest(id: a.required("id"), refund: a.refund("refund"), fee: a.percent("fee"), note: a.text("note"),
                                              tender: a.tenders("tender"), till: a.string("till"), override: a.flag("override") ?? false,
                                              rma: rma)
                return .change(.approve(request))
            },
        ]),
        CommandSpec("REJECT", roles: approvers, forms: [
            .change("REJECT", [id, .required("note", .nonEmpty, "TEXT")]) { a in
                .change(.reject(id: a.required("id"), note: a.required("note")))
            },
        ]),
        CommandSpec("INSPECT", roles: reviewers, forms: [
            .change("INSPECT", [id, .positional("disposition", .keyword(Disposition.self), label: "restock|scrap|vendor|refurbish",
                                                optional: true)] + dispositionLists + [.optional("note", .text, "TEXT")],
                    check: wordOrList) { a throws(DomainError) in
                let word: Disposition? = a.keyword("disposition")
                if word == .regrade { throw .invalid("regrade names its units and new SKU: regrade=SKU:QTY>SKU2") }
                return .change(.inspect(id: a.required("id"), disposition: word, note: a.text("note"), lists: try lists(&a)))
            },
        ]),
        CommandSpec("VOID", roles: reviewers, forms: [
            .change("VOID", [id, .required("reason", .identifier, "CODE"), .required("note", .nonEmpty, "TEXT")], resend: .always) { a in
                .change(.void(id: a.required("id"), reason: a.required("reason"), note: a.required("note")))
            },
        ]),
        CommandSpec("RULE", roles: admin, forms: [
            .change("RULE", "ADD", [rule, .required("then", .keyword(Rule.Effect.self), "auto|second|inspect"),
                                    .optional("kind", .keyword(OrderKind.self), "sale|purchase"), .optional("location", .identifier, "LOC"),
                                    .optional("reason", .identifier, "CODE"), .optional("sku", .identifier, "SKU"),
                                    .optional("min_amount", .money, "MONEY"), .optional("max_amount", .money, "MONEY"),
                                    .optional("noreceipt", .yesNo, "yes"), .optional("role", .keyword(Role.self), "supervisor|finance"),
                                    .optional("note", .text, "TEXT")]) { a throws(DomainError) in
                if a.flag("noreceipt") == false { throw DomainError(.INVALID, "noreceipt= takes yes (leave it out for any return)") }
                let rule = Rule(code: a.required("code"), then: a.keyword("then")!, kind: a.keyword("kind"), location: a.string("location"),
                                reason: a.string("reason"), sku: a.string("sku"), minAmount: a.money("min_amount"),
                                maxAmount: a.money("max_amount"), noReceipt: a.flag("noreceipt") ?? false, role: a.keyword("role"),
                                note: a.text("note"))
                if let problem = rule.invalidity { throw DomainError(.INVALID, problem) }
                return .change(.ruleAdd(rule))
            },
            .read("RULE", "LIST", roles: everyone) { _ in .query(.ruleList) },
            .change("RULE", "DROP", [rule]) { a in .change(.ruleDrop(code: a.required("code"))) },
        ]),
    ]

    private static let rule = Parameter.positional("code", .identifier, what: "rule")

    /// INSPECT's and DISPOSE's `restock= scrap= vendor= refurbish= regrade=` (protocol.md, Disposition).
    static let dispositionLists: [Parameter] = Disposition.allCases.map {
        .optional($0.rawValue, .text, $0 == .regrade ? "RITEMS" : "ITEMS")
    }

    /// The lists given, parsed (INVALID for a malformed element), in `Disposition`'s order.
    static func lists(_ a: inout Arguments) throws(DomainError) -> DispositionLists {
        var lists: [(Disposition, [UnitSpec])] = []
        for d in Disposition.allCases {
            guard let text = a.string(d.rawValue) else { continue }
            lists.append((d, try UnitSpec.list(parsing: text, regrade: d == .regrade)))
        }
        return DispositionLists(lists)
    }

    /// INSPECT names a disposition, a list, or both: neither is SYNTAX.
    private static let wordOrList: CommandForm.Check = { a throws(DomainError) in
        guard !a.has("disposition"), !Disposition.allCases.contains(where: { a.has($0.rawValue) }) else { return }
        throw DomainError(.SYNTAX, "name a disposition or a list; usage: \(a.usage)")
    }
}
