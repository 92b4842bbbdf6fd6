/// Transfers, adjustments and counts (protocol.md, Transfers; Adjustments and counts): stock
/// moved between locations, found or lost, and set to what was counted.
extension CommandTable {
    static let movingStock: [CommandSpec] = [
        CommandSpec("TRANSFER", roles: tills, forms: [
            .change("TRANSFER", "SEND", [transferID, .required("from", .identifier, "LOC"), .required("to", .identifier, "LOC"),
                                         items, note], resend: .always) { a throws(DomainError) in
                let from = a.required("from"), to = a.required("to")
                let items = try slotItems(a.items("items"), unique: true)
                guard from != to else { throw .invalid("from= and to= are both \(from): a transfer goes to another location") }
                return .change(.transferSend(TransferRequest(id: a.required("id"), from: from, to: to, items: items, note: a.text("note"))))
            },
            .change("TRANSFER", "RECEIVE", [transferID, arrivedItems, note], resend: .always) { a throws(DomainError) in
                .change(.transferReceive(id: a.required("id"), items: try slotItems(a.items("items"), unique: true), note: a.text("note")))
            },
            .change("TRANSFER", "CANCEL", [transferID], resend: .always) { a in .change(.transferCancel(id: a.required("id"))) },
            .read("TRANSFER", "SHOW", [transferID], roles: readers) { a in .query(.transfer(id: a.required("id"))) },
        ]),
        CommandSpec("ADJUST", roles: reviewers, forms: [
            .change("ADJUST", [.positional("direction", .keyword(AdjustDirection.self), label: "in|out", what: "direction"),
                               .required("location", .identifier, "LOC"),
                               .required("reason", .keyword(AdjustReason.self), "damage|theft|found|correction|other"),
                               items, note, key], resend: .withKey) { a throws(DomainError) in
                let direction: AdjustDirection = a.keyword("direction")!, reason: AdjustReason = a.keyword("reason")!
                guard reason.allows(direction) else {
                    throw .invalid("reason=\(reason.rawValue) takes units \(direction == .in ? "out" : "in"), not \(direction.rawValue)")
                }
                return .change(.adjust(StockMoveRequest(location: a.required("location"),
                                                        adjustment: Adjustment(direction: direction, reason: reason),
                                                        items: try slotItems(a.items("items"), unique: false),
                                                        note: a.text("note"), key: a.string("key"))))
            },
        ]),
        CommandSpec("COUNT", roles: reviewers, forms: [
            .change("COUNT", [.required("location", .identifier, "LOC"), receivedItems, note, key], resend: .withKey) { a throws(DomainError) in
                .change(.count(StockMoveRequest(location: a.required("location"), adjustment: nil,
                                                items: try slotItems(a.items("items"), unique: true), note: a.text("note"),
                                                key: a.string("key"))))
            },
        ]),
    ]

    private static let transferID = Parameter.positional("id", .identifier, what: "transfer")
    private static let note = Parameter.optional("note", .text, "TEXT")
    private static let key = Parameter.optional("key", .identifier, "KEY")
    /// `SKU:QTY[#BATCH]` where QTY may be 0: what arrived, what was counted.
    private static let receivedItems = Parameter.positional("items", .countedItem, label: "ITEM...", repeats: true)
    /// RECEIVE's: lines not named arrived as sent.
    private static let arrivedItems = Parameter.positional("items", .countedItem, label: "ITEM...", optional: true, repeats: true)

    /// Items naming slots (protocol.md: an item without `#BATCH` is the batch-less slot): no
    /// `@PRICE` (units move at unit cost), and with `unique` no slot twice (INVALID).
    static func slotItems(_ items: [ItemSpec], unique: Bool) throws(DomainError) -> [ItemSpec] {
        var seen = Set<SkuBatch>()
        for item in items {
            if item.price != nil { throw .invalid("\(item.sku): stock moves at unit cost; name no @PRICE") }
            if unique, !seen.insert(SkuBatch(item.sku, item.batch)).inserted {
                throw .invalid("\(SkuBatch(item.sku, item.batch)) is named twice")
            }
        }
        return items
    }
}
