import ReturnLedgerCore

/// First start: the `admin` user, and with `--demo` a small shop to try a return at once.
/// Everything goes through the ledger's own commands, so the demo obeys every rule.
enum Bootstrap {
    static func run(engine: Engine, config: ServerConfig) -> [String] {
        var notes: [String] = []
        let now = engine.now()
        let system = Context(user: "system", role: .admin, peer: "local", now: now)
        if engine.ledger.users.isEmpty {
            let password = config.adminPassword ?? PasswordHasher.randomPassword()
            if case .failure(let error) = engine.perform(.userAdd(name: "admin", role: .admin, passwordHash: PasswordHasher.hash(password), locations: .everywhere),
                                                           name: "USER ADD", context: system) {
                return ["could not create the admin user: \(error.message)"]
            }
            if config.adminPassword == nil {
                notes.append("created user admin with password \(password) (shown once; set RETURNLEDGER_ADMIN_PASSWORD to choose it)")
            } else {
                notes.append("created user admin with the password from RETURNLEDGER_ADMIN_PASSWORD")
            }
        }
        if config.demo && engine.ledger.locations.isEmpty {
            notes.append(contentsOf: loadDemo(engine: engine, now: now))
        } else if config.demo {
            notes.append("--demo ignored: the data directory already holds a shop (it only fills an empty one)")
        }
        return notes
    }

    /// `--reset-admin`, with no server running (the directory lock says so): user `admin` gets a
    /// new password, is enabled (which lifts a login lock) and made admin again, or is created;
    /// each step is an audited command by `system`, in the log like any other.
    static func resetAdmin(engine: Engine, config: ServerConfig) -> (ok: Bool, notes: [String]) {
        let system = Context(user: "system", role: .admin, peer: "local", now: engine.now())
        let password = config.adminPassword ?? PasswordHasher.randomPassword()
        let hash = PasswordHasher.hash(password)
        var commands: [Command] = []
        if let admin = engine.ledger.users["admin"] {
            commands.append(.userPassword(name: "admin", passwordHash: hash))
            if !admin.enabled || engine.ledger.lockedUntil["admin"] != nil { commands.append(.userEnable(name: "admin", enabled: true)) }
            if admin.role != .admin { commands.append(.userRole(name: "admin", role: .admin)) }
        } else {
            commands.append(.userAdd(name: "admin", role: .admin, passwordHash: hash, locations: .everywhere))
        }
        for command in commands {
            if case .failure(let error) = engine.perform(command, name: "RESET-ADMIN", context: system) {
                return (false, ["could not reset the admin: \(error.code) \(error.message)"])
            }
        }
        engine.wal.flush()
        if let failure = engine.wal.status.failure { return (false, ["could not store the reset: \(failure)"]) }
        return (true, [config.adminPassword == nil
            ? "admin password reset to \(password) (shown once; set RETURNLEDGER_ADMIN_PASSWORD to choose it)"
            : "admin password reset to the one in RETURNLEDGER_ADMIN_PASSWORD"])
    }

    private static func loadDemo(engine: Engine, now: Timestamp) -> [String] {
        let admin = Context(user: "admin", role: .admin, peer: "demo", now: now)
        func run(_ command: Command, _ name: String, at: Timestamp? = nil) {
            var context = admin
            if let at { context.now = at }
            _ = engine.perform(command, name: name, context: context)
        }
        for (name, role) in [("clerk1", Role.clerk), ("clerk2", .clerk), ("supervisor1", .supervisor),
                             ("finance1", .finance), ("auditor1", .auditor)] {
            run(.userAdd(name: name, role: role, passwordHash: PasswordHasher.hash(name), locations: .everywhere), "USER ADD")
        }
        run(.locationAdd(Location(code: "STORE1", name: "Main Street store", kind: .store)), "LOCATION ADD")
        run(.locationAdd(Location(code: "STORE2", name: "Harbour Mall store", kind: .store)), "LOCATION ADD")
        run(.locationAdd(Location(code: "WH1", name: "Central warehouse", kind: .warehouse)), "LOCATION ADD")
        let products: [(String, String, Int64, Int64, Bool)] = [
            ("A100", "Kettle 1.7L", 2500, 1400, false),
            ("A200", "Toaster 2-slice", 3990, 2200, false),
            ("B300", "Headphones", 5900, 3100, true),
            ("C400", "Tea 250g", 650, 310, false),
            ("D500", "Rice cooker 电饭煲", 8900, 5200, true),
        ]
        for (sku, name, price, cost, inspect) in products {
            run(.skuAdd(Product(sku: sku, name: name, price: Money(minor: price), cost: Money(minor: cost), inspect: inspect)),
                "SKU ADD")
        }
        run(.partyAdd(Party(id: "C001", kind: .customer, name: "Ana Lima")), "PARTY ADD")
        run(.partyAdd(Party(id: "C002", kind: .customer, name: "王芳")), "PARTY ADD")
        run(.partyAdd(Party(id: "S001", kind: .supplier, name: "Kitchenware Ltd")), "PARTY ADD")
        run(.partyAdd(Party(id: "S002", kind: .supplier, name: "Leaf & Co")), "PARTY ADD")
        let day = Timestamp.secondsPerDay
        func ago(_ days: Int64) -> Timestamp { Timestamp(seconds: now.seconds - days * day) }
        run(.purchase(TradeRequest(order: "PO-1001", location: "WH1", party: "S001", paid: nil, at: ago(20),
                                   items: [ItemSpec(sku: "A100", quantity: 50), ItemSpec(sku: "A200", quantity: 30),
                                           ItemSpec(sku: "D500", quantity: 10)])), "PURCHASE", at: ago(20))
        run(.purchase(TradeRequest(order: "PO-1002", location: "WH1", party: "S002", paid: nil, at: ago(15),
                                   items: [ItemSpec(sku: "C400", quantity: 200, batch: "LOT7")])), "PURCHASE", at: ago(15))
        run(.purchase(TradeRequest(order: "PO-1003", location: "STORE1", party: "S001", paid: nil, at: ago(14),
                                   items: [ItemSpec(sku: "A100", quantity: 20), ItemSpec(sku: "B300", quantity: 15),
                                           ItemSpec(sku: "C400", quantity: 40, batch: "LOT7")])), "PURCHASE", at: ago(14))
        run(.sale(TradeRequest(order: "S-1001", location: "STORE1", party: nil, paid: nil, at: ago(3),
                               items: [ItemSpec(sku: "A100", quantity: 2), ItemSpec(sku: "C400", quantity: 3, batch: "LOT7")])),
            "SALE", at: ago(3))
        run(.sale(TradeRequest(order: "S-1002", location: "STORE1", party: "C001", paid: true, at: ago(2),
                               items: [ItemSpec(sku: "B300", quantity: 1), ItemSpec(sku: "A100", quantity: 1)])),
            "SALE", at: ago(2))
        run(.sale(TradeRequest(order: "S-1003", location: "STORE1", party: "C002", paid: false, at: ago(1),
                               items: [ItemSpec(sku: "A200", quantity: 2)])), "SALE", at: ago(1))
        run(.sale(TradeRequest(order: "S-0900", location: "STORE1", party: "C001", paid: true, at: ago(45),
                               items: [ItemSpec(sku: "A200", quantity: 1)])), "SALE", at: ago(45))
        // A chain: a clerk and a supervisor scoped to each store, and two approval rules. Added
        // last, so everything above keeps the sequence numbers it had.
        for (name, role, store) in [("till1", Role.clerk, "STORE1"), ("lead1", .supervisor, "STORE1"),
                                    ("till2", .clerk, "STORE2"), ("lead2", .supervisor, "STORE2")] {
            run(.userAdd(name: name, role: role, passwordHash: PasswordHasher.hash(name), locations: .only([store])), "USER ADD")
        }
        run(.ruleAdd(Rule(code: "BIG", then: .second, minAmount: Money(minor: 50_000),
                          note: "returns of 500.00 or more: finance gives the second approval")), "RULE ADD")
        run(.ruleAdd(Rule(code: "SMALL", then: .auto, kind: .sale, maxAmount: Money(minor: 500),
                          note: "customer returns up to 5.00 need no review")), "RULE ADD")
        return [
            "demo shop loaded: users clerk1, clerk2, supervisor1, finance1, auditor1 (WARNING: password = user name; demo only)",
            "demo chain: till1/lead1 work at STORE1 only, till2/lead2 at STORE2 only; rules BIG (500.00 or more: finance approves too) and SMALL (up to 5.00: approved at once)",
            "demo orders: sales S-1001 (walk-in), S-1002 (C001, paid), S-1003 (C002, on account), S-0900 (too old to return); purchases PO-1001..PO-1003",
        ]
    }
}
