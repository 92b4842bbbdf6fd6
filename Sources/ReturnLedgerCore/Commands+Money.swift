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
        CommandSpec("BALANCE", roles: books, forms: [
            .read("BALANCE", [.positional("party", .identifier, optional: true)]) { a in .query(.balance(party: a.string("party"))) },
        ]),
        CommandSpec("NOTICES", roles: books, forms: [
            .read("NOTICES", [.optional("party", .identifier, "PARTY"), .optional("from", .date, "DATE")]) { a in
                .query(.notices(party: a.string("party"), from: a.date("from")))
            },
        ]),
    ]
}
