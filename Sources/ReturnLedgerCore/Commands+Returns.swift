/// Returns: filing one, taking it back, and looking at what was filed.
extension CommandTable {
    static let returns: [CommandSpec] = [
        CommandSpec("RETURN", roles: tills, forms: [
            .change("RETURN", [.positional("order", .orderOrNoReceipt, label: "order|-"), items,
                                    .required("reason", .identifier, "CODE"), .optional("location", .identifier, "LOC"),
                                    .optional("note", .text, "TEXT"), .optional("key", .identifier, "KEY"),
                                    .optional("exchange", .itemList, "ITEM,..."), .optional("customer", .identifier, "PARTY"),
                                    .optional("override", .yesNo, "yes"), .optional("till", .identifier, "TILL"),
                                    .optional("at", .time, "TIME"), .optional("rma", .nonEmpty, "TEXT"),
                                    .optional("source", .keyword(StockState.self), "on_hand|rtv"),
                                    .optional("expected", .money, "MONEY"), .optional("supplier", .identifier, "PARTY")],
                    resend: .withKey, check: noReceiptNeedsWhoAndWhere) { a throws(DomainError) in
                .change(.fileReturn(try filing(&a)))
            },
        ]),
        CommandSpec("CANCEL", roles: tills, forms: [.change("CANCEL", [id]) { a in .change(.cancel(id: a.required("id"))) }]),
        CommandSpec("SHOW", roles: readers, forms: [.read("SHOW", [id]) { a in .query(.show(id: a.required("id"))) }]),
        CommandSpec("LIST", roles: readers, forms: [
            .read("LIST", [.optional("state", .keyword(ReturnState.self), "S"), .optional("kind", .keyword(OrderKind.self), "sale|purchase"),
                           .optional("location", .identifier, "LOC"), .optional("from", .date, "DATE"), .optional("to", .date, "DATE"),
                           .optional("limit", .integer(1...100_000), "N"), .optional("party", .identifier, "PARTY"),
                           .optional("order", .identifier, "ORDER"), .optional("before", .identifier, "ID"),
                           .optional("rma", .nonEmpty, "TEXT"), .optional("serial", .identifier, "SERIAL")]) { a in
                .query(.list(ReturnFilter(state: a.keyword("state"), kind: a.keyword("kind"), location: a.string("location"),
                                          from: a.date("from"), to: a.date("to"), limit: Int(a.integer("limit") ?? 100),
                                          party: a.string("party"), order: a.string("order"), before: a.string("before"),
                                          rma: a.string("rma"), serial: a.string("serial"))))
            },
        ]),
        CommandSpec("DOC", roles: readers, forms: [
            .read("DOC", [.positional("number", .identifier, label: "RT-YYYYMMDD-NNNN", what: "document number")]) { a in
                .query(.doc(number: a.required("number")))
            },
        ]),
    ]

    /// A return's id (`R000001`).
    static let id = Parameter.positional("id", .identifier)

    /// `RETURN -` (no receipt) needs `customer=` and `location=`: SYNTAX, with the other structural checks.
    /// An offline return (`at=`) needs `key=`, so the till's retries never file it twice: SYNTAX.
    private static let noReceiptNeedsWhoAndWhere: CommandForm.Check = { a throws(DomainError) in
        if a.hasNamed("at"), !a.hasNamed("key") { throw DomainError(.SYNTAX, "key= is required with at= (an offline return); usage: \(a.usage)") }
        guard a.raw("order") == ReturnFiling.noReceiptOrder else { return }
        if !a.has("customer"), !a.has("supplier") {
            throw DomainError(.SYNTAX, "customer= (or supplier=) is required for a return without a receipt; usage: \(a.usage)")
        }
        if !a.has("location") {
            throw DomainError(.SYNTAX, "location= is required for a return without a receipt; usage: \(a.usage)")
        }
    }

    /// With or without a receipt: `-` for the order takes no batch and no exchange, and only it names the customer.
    private static func filing(_ a: inout Arguments) throws(DomainError) -> ReturnFiling {
        let order = a.required("order")
        let noReceipt = order == ReturnFiling.noReceiptOrder
        let items = a.items("items")
        // Section 21's keys, read only when given: each look-up of an absent key walks the form
        // (callgrind: ~2k instructions a RETURN when read unconditionally).
        let supplierTerms = a.hasNamed("supplier") || a.hasNamed("rma") || a.hasNamed("source") || a.hasNamed("expected")
        let supplier = supplierTerms ? a.string("supplier") : nil
        // A supplier return without an order may name batches (protocol.md, Supplier returns).
        if noReceipt, supplier == nil, items.contains(where: { !$0.batch.isEmpty }) {
            throw DomainError(.INVALID, "a return without a receipt names no batch")
        }
        let customer = a.string("customer")
        let rma = supplierTerms ? a.string("rma") : nil
        if let rma, rma.count > 64 { throw DomainError(.INVALID, "rma= is 1-64 characters") }
        let source: StockState? = supplierTerms ? a.keyword("source") : nil
        if let source, source != .on_hand, source != .rtv { throw DomainError(.INVALID, "source= takes on_hand or rtv") }
        let expected = supplierTerms ? a.money("expected") : nil
        if let expected, expected < .zero { throw DomainError(.INVALID, "expected= is 0.00 or more") }
        if !noReceipt, customer != nil {
            throw DomainError(.INVALID, "customer= is for a return without a receipt (RETURN - ...); the order names its customer")
        }
        if noReceipt, a.has("exchange") { throw DomainError(.INVALID, "a return without a receipt cannot be an exchange") }
        return ReturnFiling(order: order, items: items, reason: a.required("reason"), location: a.string("location"),
                            note: a.text("note"), key: a.string("key"), exchange: a.items("exchange"),
                            exchangeText: a.raw("exchange") ?? "", customer: customer, override: a.flag("override") ?? false,
                            till: a.string("till"), takenAt: a.time("at"), rma: rma, source: source,
                            expected: expected, supplier: supplier)
    }
}
