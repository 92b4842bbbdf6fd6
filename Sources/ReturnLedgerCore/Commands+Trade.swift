/// Sales and orders: what was sold and bought, which returns are filed against.
extension CommandTable {
    static let trade: [CommandSpec] = [
        CommandSpec("SALE", roles: tills, forms: [
            .change("SALE", [order, .required("location", .identifier, "LOC"), .optional("customer", .identifier, "PARTY"),
                                  .optional("paid", .yesNo, "yes|no"), .optional("at", .time, "TIME"), items,
                                  .optional("tender", .tenders, "LIST"), .optional("till", .identifier, "TILL"),
                                  .optional("discount", .money, "MONEY")],
                    resend: .always) { a in
                .change(.sale(TradeRequest(order: a.required("order"), location: a.required("location"), party: a.string("customer"),
                                           paid: a.flag("paid"), at: a.time("at"), items: a.items("items"),
                                           tenders: a.tenders("tender"), till: a.string("till"), discount: a.money("discount"))))
            },
        ]),
        CommandSpec("PURCHASE", roles: tills, forms: [
            .change("PURCHASE", [order, .required("location", .identifier, "LOC"), .required("supplier", .identifier, "PARTY"),
                                      .optional("at", .time, "TIME"), items], resend: .always) { a in
                .change(.purchase(TradeRequest(order: a.required("order"), location: a.required("location"),
                                               party: a.string("supplier"), paid: nil, at: a.time("at"), items: a.items("items"))))
            },
        ]),
        CommandSpec("ORDER", roles: readers, forms: [
            .read("ORDER", [.positional("id", .identifier, what: "order")]) { a in .query(.order(id: a.required("id"))) },
        ]),
    ]

    private static let order = Parameter.positional("order", .orderID)
    /// `SKU:QTY[@PRICE][#BATCH]`, one or more: the rest of the line's positional tokens.
    static let items = Parameter.positional("items", .item, label: "ITEM...", repeats: true)
}
