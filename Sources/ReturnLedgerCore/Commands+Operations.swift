/// Feed, backups and operations: what the server holds, copies of it, and the change feed.
extension CommandTable {
    static let operations: [CommandSpec] = [
        CommandSpec("FEED", roles: oversight, forms: [
            .read("FEED", [.required("from", .integer(0...Int64.max), "SEQ"), .optional("limit", .integer(1...100_000), "N"),
                           .optional("wait", .integer(0...60), "SECONDS")]) { a in
                .server(.feed(from: UInt64(a.integer("from")!), limit: Int(a.integer("limit") ?? 1_000), wait: Int(a.integer("wait") ?? 0)))
            },
        ]),
        CommandSpec("BACKUP", roles: admin, forms: [.change("BACKUP") { _ in .server(.backup) }]),
        CommandSpec("SNAPSHOT", roles: admin, forms: [.change("SNAPSHOT") { _ in .server(.snapshot) }]),
        CommandSpec("INFO", roles: oversight, forms: [.read("INFO") { _ in .server(.info) }]),
        // Not in the contract's first list: a fingerprint of the whole state.
        CommandSpec("DIGEST", roles: oversight, forms: [.read("DIGEST") { _ in .server(.digest) }]),
    ]
}
