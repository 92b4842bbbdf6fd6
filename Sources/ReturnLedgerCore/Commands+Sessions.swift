/// Sessions: logging in and out, and what a session may ask before it has.
extension CommandTable {
    static let sessions: [CommandSpec] = [
        CommandSpec("PING", open: true, roles: anySession, forms: [.read("PING") { _ in .server(.ping) }]),
        CommandSpec("HELP", open: true, roles: anySession, forms: [
            .read("HELP", [.positional("command", .text, optional: true)]) { a in .server(.help(topic: a.string("command"))) },
        ]),
        // A client logs in again itself after a reconnect; AUTH is never re-sent as a request.
        CommandSpec("AUTH", open: true, roles: anySession, forms: [
            CommandForm("AUTH", [.positional("user", .text), .positional("password", .text)], mutates: false, resend: .never) { a in
                .server(.auth(user: a.required("user"), password: a.required("password")))
            },
        ]),
        CommandSpec("WHOAMI", roles: anySession, forms: [.read("WHOAMI") { _ in .server(.whoami) }]),
        CommandSpec("QUIT", open: true, roles: anySession, forms: [
            CommandForm("QUIT", mutates: false, resend: .never) { _ in .server(.quit) },
        ]),
    ]
}
