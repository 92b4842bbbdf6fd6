/// Stock: what is on hand and in quarantine, per SKU or per location.
extension CommandTable {
    static let stock: [CommandSpec] = [
        CommandSpec("STOCK", roles: readers, forms: [
            .read("STOCK", [.positional("sku", .identifier), .optional("location", .identifier, "LOC")]) { a in
                .query(.stock(sku: a.string("sku"), location: a.string("location")))
            },
            .read("STOCK", [.required("location", .identifier, "LOC")]) { a in .query(.stock(sku: nil, location: a.string("location"))) },
        ]),
    ]
}
