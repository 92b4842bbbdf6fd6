import Testing

@Suite struct SessionTests {
    @Test func loginWhoamiAndSameAnswerForUnknownUserOrWrongPassword() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let client = try server.connect()
        let wrong = try client.call("AUTH clerk1 nope")
        let unknown = try client.call("AUTH ghost nope")
        #expect(wrong.status == "ERR AUTH invalid credentials")
        #expect(unknown.status == wrong.status)
        #expect(try client.call("AUTH clerk1 clerk1").status == "OK user=clerk1 role=clerk")
        let whoami = try client.call("WHOAMI")
        #expect(whoami["user"] == "clerk1")
        #expect(whoami["role"] == "clerk")
        #expect(whoami["session"] != nil)
    }

    @Test func fiveFailuresCloseTheConnection() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let client = try server.connect()
        for _ in 0..<4 { #expect(try client.call("AUTH admin wrong").status == "ERR AUTH invalid credentials") }
        // The fifth says that the connection closes, instead of a silent close.
        #expect(try client.call("AUTH admin wrong").status == "ERR AUTH invalid credentials; closing after 5 failures")
        #expect(try client.isClosedByServer())
    }

    @Test func tenFailuresLockTheUserAndAreAudited() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        for _ in 0..<2 {
            let client = try server.connect()
            for _ in 0..<5 { _ = try client.call("AUTH clerk1 wrong-password") }
        }
        let client = try server.connect()
        let locked = try client.call("AUTH clerk1 clerk1")
        #expect(locked.code == "LOCKED")
        #expect(locked.status.range(of: #"until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression) != nil, "\(locked)")
        // Another user is not affected, and the admin can unlock by re-enabling.
        let admin = try server.login("admin")
        let users = try admin.call("USER LIST")
        #expect(users.data.contains { $0.hasPrefix("* user=clerk1 ") && $0.contains(" locked_until=20") }, "\(users)")
        #expect(users.data.contains { $0.hasPrefix("* user=admin ") && $0.hasSuffix(" locked_until=\"\"") })
        let audit = try admin.call("AUDIT user=clerk1 limit=100")
        #expect(audit.data.filter { $0.contains("command=AUTH") && $0.contains("outcome=AUTH") }.count == 10)
        #expect(audit.data.contains { $0.contains("command=LOCK") && $0.contains("outcome=LOCKED") })
        #expect(!audit.data.contains { $0.contains("wrong-password") })
        #expect(try admin.call("USER ENABLE clerk1").ok)
        #expect(try client.call("AUTH clerk1 clerk1").ok)
    }

    @Test func passwordsChangeAndDisabledUsersCannotLogIn() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let clerk = try server.login("clerk1")
        #expect(try clerk.call(#"USER PASSWORD clerk1 password="new secret 新""#).ok)
        #expect(try server.connect().call(#"AUTH clerk1 "new secret 新""#).ok)
        #expect(try server.connect().call("AUTH clerk1 clerk1").code == "AUTH")
        let admin = try server.login("admin")
        let openSession = try server.login("clerk2")
        #expect(try admin.call("USER DISABLE clerk2").ok)
        #expect(try server.connect().call("AUTH clerk2 clerk2").code == "AUTH")
        #expect(try openSession.call("STOCK A100").code == "NOAUTH")  // the open session is cut off too
        #expect(try openSession.call("PING").ok)
        #expect(try admin.call("USER LIST").data.contains("* user=clerk2 role=clerk enabled=no locations=* locked_until=\"\""))
        #expect(try admin.call("USER ROLE clerk1 role=supervisor").ok)
        #expect(try clerk.call("APPROVE R000001").code == "NOT_FOUND")  // the new role applies at once
    }

    @Test func helpListsWhatTheSessionMayUse() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let anonymous = try server.connect()
        #expect(try anonymous.call("HELP").data.map { Client.field("command", in: $0) } == ["PING", "HELP", "AUTH", "QUIT"])
        let clerk = try server.login("clerk1")
        let words = try clerk.call("HELP").data.compactMap { Client.field("command", in: $0) }
        #expect(words.contains("RETURN"))
        #expect(!words.contains("APPROVE"))
        #expect(try clerk.call("HELP return").data == [#"* usage="RETURN order|- ITEM... reason=CODE [location=LOC] [note=TEXT] [key=KEY] [exchange=ITEM,...] [customer=PARTY] [override=yes] [till=TILL] [at=TIME] [rma=TEXT] [source=on_hand|rtv] [expected=MONEY] [supplier=PARTY]""#])
        // The look-ups every role may use are in its HELP, the setup forms beside them are not.
        #expect(words.contains("SKU") && words.contains("ORDER"))
        #expect(try clerk.call("HELP").data.contains(#"* command=SKU usage="SKU LIST""#))
        #expect(try clerk.call("HELP nonsense").code == "UNKNOWN_COMMAND")
    }
}

@Suite struct LimitTests {
    @Test func tooManyConnectionsGetLimitThenClose() throws {
        let server = try ServerProcess(["--max-connections", "2"])
        defer { server.stop() }
        let first = try server.connect(), second = try server.connect()
        #expect(try first.call("PING").ok)
        #expect(try second.call("PING").ok)
        let third = try server.connect()
        #expect(try third.readLine()?.hasPrefix("ERR LIMIT") == true)
        #expect(try third.isClosedByServer())
        let admin = try first.call("AUTH admin \(ServerProcess.adminPassword)")
        #expect(admin.ok)
        let info = try first.call("INFO")
        #expect(info.data.contains { $0.hasPrefix("* section=connections") && $0.contains("rejected=1") })
    }

    @Test func idleConnectionsAreClosed() throws {
        let server = try ServerProcess(["--idle-timeout", "1"])
        defer { server.stop() }
        let client = try server.connect()
        #expect(try client.call("PING").ok)
        #expect(try client.isClosedByServer())  // blocks until the sweeper closes it
    }
}
