/// History and statistics: why goods come back, who did what, and which dates are closed.
extension CommandTable {
    static let history: [CommandSpec] = [
        CommandSpec("STATS", roles: books, forms: [
            .read("STATS", [.optional("from", .date, "DATE"), .optional("to", .date, "DATE"),
                            .optional("kind", .keyword(OrderKind.self), "sale|purchase"),
                            .optional("by", .keyword(StatsGrouping.self), "reason|sku|location|clerk|party|day|disposition|supplier"),
                            .optional("location", .identifier, "LOC")]) { a throws(DomainError) in
                let kind: OrderKind? = a.keyword("kind"), by: StatsGrouping? = a.keyword("by")
                if by == .disposition, kind == .purchase { throw .invalid("by=disposition counts customer returns; not with kind=purchase") }
                if by == .supplier, kind == .sale { throw .invalid("by=supplier counts supplier returns; not with kind=sale") }
                return .query(.stats(StatsQuery(from: a.date("from"), to: a.date("to"), kind: kind, by: by,
                                                location: a.string("location"))))
            },
        ]),
        CommandSpec("AUDIT", roles: oversight, forms: [
            .read("AUDIT", [.optional("user", .identifier, "U"), .optional("from", .timeBound, "TIME|DATE"),
                            .optional("after", .integer(0...Int64(Int32.max)), "SEQ"), .optional("limit", .integer(1...100_000), "N")]) { a in
                .query(.audit(user: a.string("user"), from: a.timeBound("from"), after: a.integer("after").map { Int($0) },
                              limit: Int(a.integer("limit") ?? 100)))
            },
        ]),
        CommandSpec("VERIFY", roles: oversight, forms: [
            .read("VERIFY", [.optional("from", .identifier, "DOC")]) { a in .query(.verify(from: a.string("from"))) },
        ]),
        CommandSpec("PERIOD", roles: everyone, forms: [
            .change("PERIOD", "CLOSE", [.positional("date", .date, label: "DATE", what: "business date"), .optional("note", .text, "TEXT")],
                    resend: .always, roles: [.finance, .admin]) { a in
                .change(.periodClose(date: a.date("date")!, note: a.text("note")))
            },
            .read("PERIOD", "SHOW") { _ in .query(.periodShow) },
            .read("PERIOD", "Z", [.positional("date", .date, label: "DATE", what: "business date"), .optional("location", .identifier, "LOC")],
                  roles: [.supervisor, .finance, .auditor, .admin]) { a in
                .query(.periodZ(date: a.date("date")!, location: a.string("location")))
            },
        ]),
    ]
}
