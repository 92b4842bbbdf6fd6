import ReturnLedgerCore
import ReturnLedgerWire
import Testing

/// Every command tried by every role and by a session that has not logged in: OK or a domain
/// error where the contract's table allows it, `DENIED` where it does not, `NOAUTH` before AUTH.
@Suite struct RoleMatrixTests {
    /// One sample line per command (AUTH and QUIT are covered by the session tests).
    static let samples: [(word: String, line: String)] = [
        ("PING", "PING"), ("HELP", "HELP"), ("WHOAMI", "WHOAMI"),
        ("USER", "USER LIST"), ("USER", "USER ADD newbie role=clerk password=pw"), ("USER", "USER DISABLE nobody"),
        ("USER", "USER ENABLE nobody"), ("USER", "USER ROLE nobody role=clerk"), ("USER", "USER SCOPE nobody locations=*"),
        ("USER", "USER PASSWORD nobody password=x"),  // another's: only admin (own: every role, below)
        ("LOOKUP", "LOCATION LIST"), ("LOCATION", "LOCATION ADD L9 name=x"), ("LOOKUP", "SKU LIST"),
        ("SKU", "SKU ADD Z9 name=z price=1"), ("PARTY", "PARTY LIST"), ("PARTY", "PARTY ADD customer Z9 name=z"),
        ("LOOKUP", "REASON LIST"), ("REASON", "REASON ADD LATE label=Late"), ("REASON", "REASON SET OTHER fee=5"),
        ("SKU", "SKU SET A100 price=26.00"), ("PARTY", "PARTY SET C1 name=Ana"), ("LOCATION", "LOCATION SET WH1 name=Depot"), ("LOOKUP", "POLICY SHOW"),
        ("POLICY", "POLICY SET window_days=30"), ("SNAPSHOT", "SNAPSHOT"),
        ("SALE", "SALE M1 location=STORE1 A100:1"), ("PURCHASE", "PURCHASE M2 location=WH1 supplier=S1 A100:1"),
        ("PAYMENT", "PAYMENT C1 amount=1 direction=in"), ("RETURN", "RETURN NOPE A100:1 reason=DEFECTIVE"),
        ("APPROVE", "APPROVE R000999"), ("REJECT", "REJECT R000999 note=no"), ("CANCEL", "CANCEL R000999"),
        ("INSPECT", "INSPECT R000999 scrap"), ("SHOW", "SHOW R000999"), ("LIST", "LIST"), ("DOC", "DOC RT-20260101-0001"),
        ("NOTICES", "NOTICES"), ("STOCK", "STOCK A100"), ("BALANCE", "BALANCE"), ("STATS", "STATS by=reason"),
        ("AUDIT", "AUDIT limit=1"), ("INFO", "INFO"), ("DIGEST", "DIGEST"), ("STOCK", "STOCK location=STORE1"),
        ("LOOKUP", "RULE LIST"), ("RULE", "RULE ADD BIG then=second min_amount=500"), ("RULE", "RULE DROP NOPE"),
        ("WATCH", "WATCH"), ("UNWATCH", "UNWATCH"), ("ORDER", "ORDER NOPE"), ("BACKUP", "BACKUP"), ("FEED", "FEED from=0"),
        ("LOOKUP", "PERIOD SHOW"), ("LOOKUP", "CREDIT C1"), ("VERIFY", "VERIFY"), ("VOID", "VOID R000999 reason=DEFECTIVE note=x"),
        ("PERIODCLOSE", "PERIOD CLOSE 2000-01-01"), ("PERIODZ", "PERIOD Z 2000-01-01"),
        ("DISPOSE", "DISPOSE location=STORE1 from=rtv scrap=A100:1"), ("VENDOR", "VENDOR CREDIT R000999 amount=1 ref=x"),
        // Section 22: TRANSFER stands for SEND, RECEIVE and CANCEL; its SHOW goes with STOCK.
        ("TRANSFER", "TRANSFER SEND X1 from=STORE1 to=WH1 A100:1"), ("TRANSFER", "TRANSFER RECEIVE NOPE"),
        ("TRANSFER", "TRANSFER CANCEL NOPE"), ("STOCK", "TRANSFER SHOW NOPE"),
        ("ADJUST", "ADJUST in location=STORE1 reason=found A100:1"), ("ADJUST", "COUNT location=STORE1 A100:1"),
        // Tills: TILLOPEN stands for OPEN, PAYIN and CLOSE, TILLREAD for SHOW and LIST (clerks count blind).
        ("TILLOPEN", "TILL OPEN P1 location=STORE1 float=100"), ("TILLOPEN", "TILL PAYIN NOPE amount=1 note=x"),
        ("TILLOPEN", "TILL CLOSE NOPE counted=0"), ("TILLPAYOUT", "TILL PAYOUT NOPE amount=1 note=x"),
        ("TILLREAD", "TILL SHOW NOPE"), ("TILLREAD", "TILL LIST"),
        // Section 22: categories are the admin's, like SKUs; everyone may list them.
        ("LOOKUP", "CATEGORY LIST"), ("SKU", "CATEGORY ADD K9 name=k"), ("SKU", "CATEGORY SET NOPE name=x"),
        // Section 24: an epoch no primary has (INVALID, not a stream); PROMOTE on a primary is STATE.
        ("REPLICATE", "REPLICATE from=0 epoch=zz history=\"\""), ("PROMOTE", "PROMOTE"),
        // Section 23: nothing is closed in 2000, so the admin's ARCHIVE is STATE.
        ("ARCHIVE", "ARCHIVE through=2000-01-01"), ("ARCHIVELIST", "ARCHIVE LIST"),
    ]

    /// Every form has a sample line above: a new command cannot miss the matrix.
    @Test func everyFormHasASample() {
        for spec in CommandTable.all where spec.name != "AUTH" && spec.name != "QUIT" {
            for form in spec.forms {
                let name = form.sub.map { spec.name + " " + $0 } ?? spec.name
                #expect(RoleMatrixTests.samples.contains { $0.line == name || $0.line.hasPrefix(name + " ") },
                        "no sample line for \(name) in RoleMatrixTests.samples")
            }
        }
    }

    /// A sample parses to a change exactly where its form says it changes state (the server's own
    /// changes, SNAPSHOT, BACKUP and the password commands, aside): `mutates` and the request's
    /// kind are one truth.
    @Test func aFormChangesStateExactlyWhenItsRequestIsAChange() throws {
        for (_, line) in RoleMatrixTests.samples {
            guard case .success(let request)? = RequestParser.parse(Array(line.utf8)) else {
                Issue.record("\(line) does not parse"); continue
            }
            let form = try #require(request.word.spec.form(request.sub), "\(line)")
            switch request.parsed {
            case .success(.change): #expect(form.mutates, "\(line)")
            case .success(.query): #expect(!form.mutates, "\(line)")
            case .success(.server(let command)):
                let changes: [ServerCommand] = [.snapshot, .backup]
                if changes.contains(command) { #expect(form.mutates, "\(line)") }
            case .failure(let refused): Issue.record("\(line): \(refused.error.code) \(refused.error.message)")
            }
        }
    }

    /// The role table (protocol.md, Sessions, users and roles), beyond PING, HELP, WHOAMI and
    /// QUIT which everyone has; LOOKUP stands for the look-ups every role may use (SKU LIST,
    /// LOCATION LIST, REASON LIST, POLICY SHOW, RULE LIST, PERIOD SHOW), and ORDER goes with SHOW.
    static let allowed: [String: Set<String>] = [
        "clerk1": ["SALE", "PURCHASE", "RETURN", "CANCEL", "SHOW", "ORDER", "LIST", "STOCK", "DOC", "LOOKUP", "TILLOPEN", "TRANSFER"],
        "sup1": ["SALE", "PURCHASE", "RETURN", "CANCEL", "SHOW", "ORDER", "LIST", "STOCK", "DOC", "APPROVE", "REJECT", "INSPECT", "VOID", "PERIODZ", "DISPOSE",
                 "TRANSFER", "ADJUST", "WATCH", "UNWATCH", "LOOKUP", "TILLOPEN", "TILLPAYOUT", "TILLREAD"],
        // Finance's APPROVE and REJECT pass the role check; the domain allows them in second review only.
        "fin1": ["APPROVE", "REJECT", "WATCH", "UNWATCH", "PAYMENT", "BALANCE", "SHOW", "ORDER", "LIST", "STOCK", "DOC",
                 "NOTICES", "STATS", "LOOKUP", "TILLREAD", "PERIODCLOSE", "PERIODZ", "VENDOR"],
        "aud1": ["SHOW", "ORDER", "LIST", "STOCK", "BALANCE", "DOC", "NOTICES", "STATS", "AUDIT", "INFO", "DIGEST", "FEED", "LOOKUP",
                 "TILLREAD", "VERIFY", "PERIODZ", "ARCHIVELIST"],
        "admin": Set(samples.map(\.word)),
    ]

    @Test(arguments: ["clerk1", "sup1", "fin1", "aud1", "admin"])
    func roleGetsExactlyWhatTheTableSays(user: String) throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let client = try server.login(user, password: user == "admin" ? nil : user)
        for (word, line) in RoleMatrixTests.samples {
            let reply = try client.call(line)
            let everyone = ["PING", "HELP", "WHOAMI"].contains(word)
            if everyone || RoleMatrixTests.allowed[user]!.contains(word) {
                #expect(reply.code != "DENIED" && reply.code != "NOAUTH", "\(user): \(line) → \(reply.status)")
            } else {
                #expect(reply.code == "DENIED", "\(user): \(line) → \(reply.status)")
            }
        }
        // Own password: every role.
        #expect(try client.call("USER PASSWORD \(user) password=changed-\(user)").ok)
    }

    @Test func beforeAuthOnlyTheOpenCommandsWork() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let client = try server.connect()
        for (word, line) in RoleMatrixTests.samples {
            let reply = try client.call(line)
            if ["PING", "HELP"].contains(word) {
                #expect(reply.ok, "\(line) → \(reply.status)")
            } else {
                #expect(reply.code == "NOAUTH", "\(line) → \(reply.status)")
            }
        }
        #expect(try client.call("FROBNICATE").code == "NOAUTH")
        #expect(try client.call("QUIT").status == "OK bye")
        #expect(try client.isClosedByServer())
    }

    @Test func theRoleCheckComesBeforeArguments() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let clerk = try server.login("clerk1")
        #expect(try clerk.call("APPROVE").code == "DENIED")
        #expect(try clerk.call("USER ADD").code == "DENIED")
        #expect(try clerk.call("USER PASSWORD clerk2 password=x").code == "DENIED")
        let supervisor = try server.login("sup1")
        #expect(try supervisor.call("APPROVE").code == "SYNTAX")
        #expect(try supervisor.call("APPROVE R1 refund=maybe").code == "INVALID")
        let auditor = try server.login("aud1")
        let audit = try auditor.call("AUDIT user=clerk1")
        #expect(audit.data.filter { $0.contains("outcome=DENIED") }.count == 3)
        // A refused request whose arguments parsed keeps its target in the trail.
        #expect(audit.data.contains { $0.contains("command=\"USER PASSWORD\" target=clerk2 outcome=DENIED") }, "\(audit.data)")
    }
}
