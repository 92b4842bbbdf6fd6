/// Money: payments, what each party owes or is owed, and the notices sent to them.
extension CommandTable {
    static let money: [CommandSpec] = [
        CommandSpec("PAYMENT", roles: [.finance, .admin], forms: [
            .change("PAYMENT", [.positional("party", .identifier), .required("amount", .money, "MONEY"),
                                     .required("direction", .keyword(PaymentDirection.self), "in|out"),
                                     .optional("note", .text, "TEXT")]) { a in
                .change(.payment(party: a.required("party"), amount: a.money("amount")!, direction: a.keyword("direction")!,
                                 note: a.text("note")))
            },
        ]),
        // Protocol.md, Supplier returns: the supplier's credit note for a return, once.
        CommandSpec("VENDOR", roles: [.finance, .admin], forms: [
            .change("VENDOR", "CREDIT", [.positional("id", .identifier), .required("amount", .money, "MONEY"),
                                         .required("ref", .nonEmpty, "TEXT"), .optional("note", .text, "TEXT")],
                    resend: .always) { a throws(DomainError) in
                let amount = a.money("amount")!
                guard amount >= .zero else { throw .invalid("amount= is the credit note's amount, 0.00 or more") }
                let ref = a.required("ref")
                guard ref.count <= 64 else { throw .invalid("ref= is 1-64 characters") }
                return .change(.vendorCredit(id: a.required("id"), amount: amount, ref: ref, note: a.text("note")))
            },
        ]),
        CommandSpec("BALANCE", roles: books, forms: [
            .read("BALANCE", [.positional("party", .identifier, optional: true)]) { a in .query(.balance(party: a.string("party"))) },
        ]),
        // Protocol.md, Till sessions: clerks open, pay in and close their own; supervisors any;
        // clerks count blind (no SHOW or LIST).
        CommandSpec("TILL", roles: readers, forms: [
            .change("TILL", "OPEN", [till, .required("location", .identifier, "LOC"), .required("float", .money, "MONEY"),
                                     .optional("note", .text, "TEXT")], roles: tills) { a in
                .change(.tillOpen(till: a.required("till"), location: a.required("location"), float: a.money("float")!, note: a.text("note")))
            },
            .change("TILL", "PAYIN", [till, .required("amount", .money, "MONEY"), .required("note", .text, "TEXT")], roles: tills) { a throws(DomainError) in
                .change(.tillMove(till: a.required("till"), kind: .payin, amount: try above0(a.money("amount")!), note: a.text("note")))
            },
            .change("TILL", "PAYOUT", [till, .required("amount", .money, "MONEY"), .required("note", .text, "TEXT")],
                    roles: reviewers) { a throws(DomainError) in
                .change(.tillMove(till: a.required("till"), kind: .payout, amount: try above0(a.money("amount")!), note: a.text("note")))
            },
            .change("TILL", "CLOSE", [till, .required("counted", .money, "MONEY"), .optional("note", .text, "TEXT")], roles: tills) { a in
                .change(.tillClose(till: a.required("till"), counted: a.money("counted")!, note: a.text("note")))
            },
            .read("TILL", "SHOW", [.positional("till", .identifier, optional: true), .optional("session", .identifier, "ID")],
                  roles: tillReaders, check: tillOrSession) { a in
                .query(.tillShow(till: a.string("till"), session: a.string("session")))
            },
            .read("TILL", "LIST", [.optional("location", .identifier, "LOC"), .optional("date", .date, "DATE"),
                                   .optional("state", .keyword(TillState.self), "open|closed"),
                                   .optional("limit", .integer(1...100_000), "N")], roles: tillReaders) { a in
                .query(.tillList(location: a.string("location"), date: a.date("date"), state: a.keyword("state", TillState.self)?.rawValue,
                                 limit: Int(a.integer("limit") ?? 100)))
            },
        ]),
        CommandSpec("CREDIT", roles: everyone, forms: [
            .read("CREDIT", [.positional("party", .identifier)]) { a in .query(.credit(party: a.required("party"))) },
        ]),
        CommandSpec("NOTICES", roles: books, forms: [
            .read("NOTICES", [.optional("party", .identifier, "PARTY"), .optional("from", .date, "DATE")]) { a in
                .query(.notices(party: a.string("party"), from: a.date("from")))
            },
        ]),
    ]

    private static let till = Parameter.positional("till", .identifier)
    private static let tillReaders: Set<Role> = [.supervisor, .finance, .auditor, .admin]

    /// A pay-in or pay-out moves something: INVALID before any look-up.
    private static func above0(_ amount: Money) throws(DomainError) -> Money {
        guard amount > .zero else { throw DomainError(.INVALID, "amount must be above 0.00") }
        return amount
    }

    /// TILL SHOW names a till or `session=`, not both: SYNTAX.
    private static let tillOrSession: CommandForm.Check = { a throws(DomainError) in
        guard a.has("till") != a.has("session") else {
            throw DomainError(.SYNTAX, "name a till or session=, one of them; usage: \(a.usage)")
        }
    }
}

/// TILL LIST's `state=`.
public enum TillState: String, Sendable { case open, closed }
