/// Push: watching the review queue. Session state, not the ledger's: a client re-watches after a reconnect.
extension CommandTable {
    static let push: [CommandSpec] = [
        CommandSpec("WATCH", roles: approvers, forms: [.read("WATCH") { _ in .server(.watch) }]),
        CommandSpec("UNWATCH", roles: approvers, forms: [.read("UNWATCH") { _ in .server(.unwatch) }]),
    ]
}
