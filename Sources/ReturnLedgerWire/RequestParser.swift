public import ReturnLedgerCore

/// Turns a framed line into a `Request`: the command word first (UNKNOWN_COMMAND), then the
/// arguments (SYNTAX, then INVALID). Runs on the connection's queue, never on the writer.
public enum RequestParser {
    /// Nil for a line that is empty or only blanks (no reply at all).
    public static func parse(_ line: [UInt8]) -> Result<Request, DomainError>? {
        let tokens: [Token]
        do {
            tokens = try Tokenizer.tokenize(line)
        } catch {
            switch error {
            case .encoding:
                return .failure(DomainError(.ENCODING, "request is not valid UTF-8"))
            case .syntax(let message):
                // Still a request: its first word decides UNKNOWN_COMMAND, NOAUTH and DENIED first.
                let firstWord = line.prefix { $0 != 0x20 && $0 != 0x09 }
                let text = String(decoding: firstWord, as: UTF8.self)
                guard let word = CommandWord.named(text) else {
                    return .failure(DomainError(.UNKNOWN_COMMAND, "unknown command \(text.prefix(64))"))
                }
                return .success(Request(word: word, sub: nil, parsed: .failure(DomainError(.SYNTAX, message))))
            }
        }
        guard let first = tokens.first else { return nil }
        guard first.key == nil, let word = CommandWord.named(first.value) else {
            return .failure(DomainError(.UNKNOWN_COMMAND, "unknown command \(first.text.prefix(64))"))
        }
        var rest = tokens.dropFirst()
        var sub: String?
        if word.hasSubcommands {
            if let next = rest.first, next.key == nil {
                sub = next.value.uppercased()
                rest = rest.dropFirst()
            }
        }
        let parsed: Result<ParsedCommand, DomainError>
        do {
            parsed = .success(try arguments(word, sub, Arguments(rest)))
        } catch {
            parsed = .failure(error)
        }
        return .success(Request(word: word, sub: sub, parsed: parsed))
    }

    private static func arguments(_ word: CommandWord, _ sub: String?, _ a: Arguments) throws(DomainError) -> ParsedCommand {
        // Built only for an error message: not on every request.
        var usage: String { CommandTable.usage(word, sub) }
        switch word {
        case .PING, .WHOAMI, .QUIT, .INFO, .SNAPSHOT, .DIGEST, .WATCH, .UNWATCH:
            try a.expect(usage, positional: 0...0)
            switch word {
            case .PING: return .ping
            case .WATCH: return .watch
            case .UNWATCH: return .unwatch
            case .WHOAMI: return .whoami
            case .QUIT: return .quit
            case .INFO: return .info
            case .DIGEST: return .digest
            default: return .snapshot
            }
        case .HELP:
            try a.expect(usage, positional: 0...1)
            return .help(topic: a.positional.first?.value)
        case .AUTH:
            try a.expect(usage, positional: 2...2)
            return .auth(user: a.positional[0].text, password: a.positional[1].text)
        case .USER, .LOCATION, .SKU, .PARTY, .REASON, .POLICY, .RULE:
            return try setup(word, sub, a, CommandTable.usage(word, sub))
        case .SALE, .PURCHASE:
            let sale = word == .SALE
            try a.expect(usage, positional: 2...Int.max, required: sale ? ["location"] : ["location", "supplier"],
                         optional: sale ? ["customer", "paid", "at"] : ["at"])
            let request = TradeRequest(order: try a.id(0, "order"), location: try a.id("location")!,
                                       party: try a.id(sale ? "customer" : "supplier"), paid: try a.yesNo("paid"),
                                       at: try a.time("at"), items: try a.items(from: 1))
            return .ledger(sale ? .sale(request) : .purchase(request))
        case .PAYMENT:
            try a.expect(usage, positional: 1...1, required: ["amount", "direction"], optional: ["note"])
            return .ledger(.payment(party: try a.id(0, "party"), amount: try a.money("amount")!,
                                    direction: try a.keyword("direction", PaymentDirection.self)!, note: a.text("note")))
        case .RETURN:
            try a.expect(usage, positional: 2...Int.max, required: ["reason"], optional: ["location", "note", "key"])
            let reason = try a.id("reason")!
            return .ledger(.fileReturn(ReturnFiling(order: try a.id(0, "order"), items: try a.items(from: 1),
                                                    reason: reason, location: try a.id("location"),
                                                    note: a.text("note"), key: try a.id("key"))))
        case .APPROVE:
            try a.expect(usage, positional: 1...1, optional: ["refund", "note"])
            return .ledger(.approve(id: try a.id(0, "id"), refund: try a.keyword("refund", RefundMode.self),
                                    note: a.text("note")))
        case .REJECT:
            try a.expect(usage, positional: 1...1, required: ["note"])
            return .ledger(.reject(id: try a.id(0, "id"), note: try a.nonEmpty("note")))
        case .CANCEL:
            try a.expect(usage, positional: 1...1)
            return .ledger(.cancel(id: try a.id(0, "id")))
        case .INSPECT:
            try a.expect(usage, positional: 2...2, optional: ["note"])
            return .ledger(.inspect(id: try a.id(0, "id"),
                                    disposition: try Arguments.keyword(a.positional[1].value, "disposition", Disposition.self),
                                    note: a.text("note")))
        case .SHOW:
            try a.expect(usage, positional: 1...1)
            return .ledger(.show(id: try a.id(0, "id")))
        case .LIST:
            try a.expect(usage, positional: 0...0, optional: ["state", "kind", "location", "from", "to", "limit"])
            return .ledger(.list(ReturnFilter(
                state: try a.keyword("state", ReturnState.self), kind: try a.keyword("kind", OrderKind.self),
                location: try a.id("location"), from: try a.date("from"), to: try a.date("to"),
                limit: Int(try a.integer("limit", in: 1...100_000) ?? 100))))
        case .DOC:
            try a.expect(usage, positional: 1...1)
            return .ledger(.doc(number: try a.id(0, "document number")))
        case .NOTICES:
            try a.expect(usage, positional: 0...0, optional: ["party", "from"])
            return .ledger(.notices(party: try a.id("party"), from: try a.date("from")))
        case .STOCK:
            try a.expect(usage, positional: 0...1, optional: ["location"])
            if a.positional.isEmpty, a.named["location"] == nil { throw DomainError(.SYNTAX, "usage: \(usage)") }
            return .ledger(.stock(sku: a.positional.isEmpty ? nil : try a.id(0, "sku"), location: try a.id("location")))
        case .BALANCE:
            try a.expect(usage, positional: 0...1)
            return .ledger(.balance(party: a.positional.isEmpty ? nil : try a.id(0, "party")))
        case .STATS:
            try a.expect(usage, positional: 0...0, optional: ["from", "to", "kind", "by", "location"])
            return .ledger(.stats(StatsQuery(from: try a.date("from"), to: try a.date("to"),
                                             kind: try a.keyword("kind", OrderKind.self),
                                             by: try a.keyword("by", StatsGrouping.self), location: try a.id("location"))))
        case .AUDIT:
            try a.expect(usage, positional: 0...0, optional: ["user", "from", "limit"])
            return .ledger(.audit(user: try a.id("user"), from: try a.time("from"),
                                  limit: Int(try a.integer("limit", in: 1...100_000) ?? 100)))
        }
    }

    private static func setup(_ word: CommandWord, _ sub: String?, _ a: Arguments,
                              _ usage: @autoclosure () -> String) throws(DomainError) -> ParsedCommand {
        switch (word, sub ?? "") {
        case (.USER, "ADD"):
            try a.expect(usage(), positional: 1...1, required: ["role", "password"], optional: ["locations"])
            return .userAdd(name: try a.id(0, "user"), role: try a.keyword("role", Role.self)!,
                            password: try password(a), locations: try scope(a) ?? .everywhere)
        case (.USER, "SCOPE"):
            try a.expect(usage(), positional: 1...1, required: ["locations"])
            return .ledger(.userScope(name: try a.id(0, "user"), locations: try scope(a)!))
        case (.USER, "ROLE"):
            try a.expect(usage(), positional: 1...1, required: ["role"])
            return .ledger(.userRole(name: try a.id(0, "user"), role: try a.keyword("role", Role.self)!))
        case (.USER, "DISABLE"), (.USER, "ENABLE"):
            try a.expect(usage(), positional: 1...1)
            return .ledger(.userEnable(name: try a.id(0, "user"), enabled: sub == "ENABLE"))
        case (.USER, "PASSWORD"):
            try a.expect(usage(), positional: 1...1, required: ["password"])
            return .userPassword(name: try a.id(0, "user"), password: try password(a))
        case (.USER, "LIST"):
            try a.expect(usage(), positional: 0...0)
            return .ledger(.userList)
        case (.LOCATION, "ADD"):
            try a.expect(usage(), positional: 1...1, required: ["name"], optional: ["kind"])
            return .ledger(.locationAdd(Location(code: try a.id(0, "location"), name: try a.nonEmpty("name"),
                                                 kind: try a.keyword("kind", LocationKind.self) ?? .store)))
        case (.LOCATION, "LIST"):
            try a.expect(usage(), positional: 0...0)
            return .ledger(.locationList)
        case (.SKU, "ADD"):
            try a.expect(usage(), positional: 1...1, required: ["name", "price"], optional: ["cost", "inspect"])
            let price = try a.money("price")!, cost = try a.money("cost") ?? .zero
            guard price >= .zero, cost >= .zero else { throw DomainError(.INVALID, "price and cost must not be negative") }
            return .ledger(.skuAdd(Product(sku: try a.id(0, "sku"), name: try a.nonEmpty("name"), price: price,
                                           cost: cost, inspect: try a.yesNo("inspect") ?? false)))
        case (.SKU, "LIST"):
            try a.expect(usage(), positional: 0...0)
            return .ledger(.skuList)
        case (.PARTY, "ADD"):
            try a.expect(usage(), positional: 2...2, required: ["name"])
            return .ledger(.partyAdd(Party(id: try a.id(1, "party"),
                                           kind: try Arguments.keyword(a.positional[0].value, "party kind", PartyKind.self),
                                           name: try a.nonEmpty("name"))))
        case (.PARTY, "LIST"):
            try a.expect(usage(), positional: 0...1)
            let kind = try a.positional.first.map { token throws(DomainError) in
                try Arguments.keyword(token.value, "party kind", PartyKind.self)
            }
            return .ledger(.partyList(kind))
        case (.REASON, "ADD"):
            try a.expect(usage(), positional: 1...1, required: ["label"])
            return .ledger(.reasonAdd(Reason(code: try a.id(0, "reason"), label: try a.nonEmpty("label"))))
        case (.REASON, "LIST"):
            try a.expect(usage(), positional: 0...0)
            return .ledger(.reasonList)
        case (.POLICY, "SHOW"):
            try a.expect(usage(), positional: 0...0)
            return .ledger(.policyShow)
        case (.POLICY, "SET"):
            try a.expect(usage(), positional: 0...0, required: ["window_days"])
            return .ledger(.policySet(windowDays: try a.integer("window_days", in: 0...3650)!))
        case (.RULE, "ADD"):
            try a.expect(usage(), positional: 1...1, required: ["then"],
                         optional: ["kind", "location", "reason", "sku", "min_amount", "max_amount", "noreceipt", "role", "note"])
            let noReceipt = try a.yesNo("noreceipt") ?? false
            if a.named["noreceipt"] != nil, !noReceipt { throw DomainError(.INVALID, "noreceipt= takes yes (leave it out for any return)") }
            let rule = Rule(code: try a.id(0, "rule"), then: try a.keyword("then", Rule.Effect.self)!,
                            kind: try a.keyword("kind", OrderKind.self), location: try a.id("location"),
                            reason: try a.id("reason"), sku: try a.id("sku"), minAmount: try a.money("min_amount"),
                            maxAmount: try a.money("max_amount"), noReceipt: noReceipt,
                            role: try a.keyword("role", Role.self), note: a.text("note"))
            if let problem = rule.invalidity { throw DomainError(.INVALID, problem) }
            return .ledger(.ruleAdd(rule))
        case (.RULE, "LIST"):
            try a.expect(usage(), positional: 0...0)
            return .ledger(.ruleList)
        case (.RULE, "DROP"):
            try a.expect(usage(), positional: 1...1)
            return .ledger(.ruleDrop(code: try a.id(0, "rule")))
        default:
            throw DomainError(.SYNTAX, "usage: \(CommandTable.usage(word))")
        }
    }

    /// `locations=*` or `locations=CODE,CODE`, each code an identifier.
    private static func scope(_ a: Arguments) throws(DomainError) -> Scope? {
        guard a.named["locations"] != nil else { return nil }
        let text = a.text("locations")
        guard let scope = Scope(parsing: text), scope.codes.allSatisfy({ Identifier.isValid($0) }) else {
            throw DomainError(.INVALID, "locations= takes * or location codes joined by commas, not \(text.prefix(64))")
        }
        return scope
    }

    private static func password(_ a: Arguments) throws(DomainError) -> String {
        let password = a.text("password")
        guard (1...256).contains(password.utf8.count) else { throw DomainError(.INVALID, "password must be 1-256 bytes") }
        return password
    }
}
