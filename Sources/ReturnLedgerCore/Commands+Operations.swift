/// Feed, backups and operations: what the server holds, copies of it, and the change feed.
extension CommandTable {
    static let operations: [CommandSpec] = [
        CommandSpec("FEED", roles: oversight, forms: [
            .read("FEED", [.required("from", .integer(0...Int64.max), "SEQ"), .optional("limit", .integer(1...100_000), "N"),
                           .optional("wait", .integer(0...60), "SECONDS"), .optional("epoch", .text, "E")]) { a in
                .server(.feed(from: UInt64(a.integer("from")!), limit: Int(a.integer("limit") ?? 1_000), wait: Int(a.integer("wait") ?? 0),
                              epoch: a.string("epoch")))
            },
        ]),
        CommandSpec("BACKUP", roles: admin, forms: [.change("BACKUP") { _ in .server(.backup) }]),
        CommandSpec("SNAPSHOT", roles: admin, forms: [.change("SNAPSHOT") { _ in .server(.snapshot) }]),
        CommandSpec("INFO", roles: oversight, forms: [.read("INFO") { _ in .server(.info) }]),
        // Not in the contract's first list: a fingerprint of the whole state.
        CommandSpec("DIGEST", roles: oversight, forms: [.read("DIGEST") { _ in .server(.digest) }]),
        // Section 24: a standby's stream of the log, and a standby taking over.
        CommandSpec("REPLICATE", roles: [.replica, .admin], forms: [
            CommandForm("REPLICATE", [.required("from", .integer(0...Int64.max), "SEQ"), .required("epoch", .orEmpty(.text), "E"),
                                      .required("history", .orEmpty(.text), "LIST")], mutates: false, resend: .never) { a in
                .server(.replicate(from: UInt64(a.integer("from")!), epoch: a.string("epoch") ?? "", history: a.string("history") ?? ""))
            },
        ]),
        // Section 23: ARCHIVE (an admin of every location: checked by the engine) and its list.
        CommandSpec("ARCHIVE", roles: oversight, forms: [
            .change("ARCHIVE", [.required("through", .date, "DATE"),
                                .optional("purchases", .keyword { ["finished", "all"].contains($0.lowercased()) }, "finished|all")],
                    roles: admin) { a in
                .server(.archive(through: a.date("through")!, purchasesAll: a.string("purchases")?.lowercased() == "all"))
            },
            .read("ARCHIVE", "LIST") { _ in .server(.archiveList) },
        ]),
        CommandSpec("PROMOTE", roles: admin, forms: [
            CommandForm("PROMOTE", mutates: true, resend: .never) { _ in .server(.promote) },
        ]),
    ]
}
