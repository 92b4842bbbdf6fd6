/// Stock: what is on hand and in quarantine, per SKU or per location.
extension CommandTable {
    static let stock: [CommandSpec] = [
        CommandSpec("STOCK", roles: readers, forms: [
            // `serials=yes` adds a line per serial in stock (protocol.md, Stock states; Serial numbers).
            .read("STOCK", [.positional("sku", .identifier), .optional("location", .identifier, "LOC"), serials]) { a in
                .query(.stock(sku: a.string("sku"), location: a.string("location"), serials: a.flag("serials") ?? false))
            },
            .read("STOCK", [.required("location", .identifier, "LOC"), serials]) { a in
                .query(.stock(sku: nil, location: a.string("location"), serials: a.flag("serials") ?? false))
            },
            .read("STOCK", [.required("supplier", .identifier, "PARTY"), .optional("location", .identifier, "LOC")]) { a in
                .query(.stockSupplier(party: a.required("supplier"), location: a.string("location")))
            },
        ]),
        CommandSpec("DISPOSE", roles: reviewers, forms: [
            .change("DISPOSE", [.required("location", .identifier, "LOC"), .required("from", .keyword(StockState.self), "rtv|refurbish")]
                    + dispositionLists + [.optional("note", .text, "TEXT"), .optional("key", .identifier, "KEY")],
                    resend: .withKey, check: someList) { a throws(DomainError) in
                let from: StockState = a.keyword("from")!
                guard from == .rtv || from == .refurbish else { throw .invalid("from= takes rtv or refurbish") }
                let lists = try lists(&a)
                if lists.lists.contains(where: { $0.0 == Disposition.held(from) }) {
                    throw .invalid("the units are in \(from.rawValue) already: name another disposition")
                }
                return .change(.dispose(DisposeRequest(location: a.required("location"), from: from, lists: lists,
                                                       note: a.text("note"), key: a.string("key"))))
            },
        ]),
    ]
}

extension CommandTable {
    static let serials = Parameter.optional("serials", .yesNo, "yes")

    /// DISPOSE names at least one list: none is SYNTAX.
    private static let someList: CommandForm.Check = { a throws(DomainError) in
        guard !Disposition.allCases.contains(where: { a.has($0.rawValue) }) else { return }
        throw DomainError(.SYNTAX, "name what becomes of the units (restock=, scrap=, vendor=, refurbish=, regrade=); usage: \(a.usage)")
    }
}
