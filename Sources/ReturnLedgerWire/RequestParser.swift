public import ReturnLedgerCore

/// Turns a framed line into a `Request`: the command word first (UNKNOWN_COMMAND), then the
/// arguments (SYNTAX, then INVALID). Runs on the connection's queue, never on the writer.
public enum RequestParser {
    /// Nil for a line that is empty or only blanks (no reply at all).
    public static func parse(_ line: [UInt8]) -> Result<Request, DomainError>? {
        line.withUnsafeBufferPointer { parse($0) }
    }

    /// Parses the line in place (the connection's queue of frames).
    public static func parse(_ line: UnsafeBufferPointer<UInt8>) -> Result<Request, DomainError>? {
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
        case .FEED:
            try a.expect(usage, positional: 0...0, required: ["from"], optional: ["limit", "wait"])
            let from = try a.integer("from", in: 0...Int64.max)!
            let limit = try a.integer("limit", in: 1...100_000) ?? 1_000
            return .feed(from: UInt64(from), limit: Int(limit), wait: Int(try a.integer("wait", in: 0...60) ?? 0))
        case .PING, .WHOAMI, .QUIT, .INFO, .SNAPSHOT, .BACKUP, .DIGEST, .WATCH, .UNWATCH:
            try a.expect(usage, positional: 0...0)
            switch word {
            case .PING: return .ping
            case .WATCH: return .watch
            case .UNWATCH: return .unwatch
            case .WHOAMI: return .whoami
            case .QUIT: return .quit
            case .INFO: return .info
            case .DIGEST: return .digest
            case .BACKUP: return .backup
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
            let request = TradeRequest(order: try orderId(a), location: try a.id("location")!,
                                       party: try a.id(sale ? "customer" : "supplier"), paid: try a.yesNo("paid"),
                                       at: try a.time("at"), items: try a.items(from: 1))
            return .ledger(sale ? .sale(request) : .purchase(request))
        case .PAYMENT:
            try a.expect(usage, positional: 1...1, required: ["amount", "direction"], optional: ["note"])
            return .ledger(.payment(party: try a.id(0, "party"), amount: try a.money("amount")!,
                                    direction: try a.keyword("direction", PaymentDirection.self)!, note: a.text("note")))
        case .RETURN:
            return .ledger(.fileReturn(try returnFiling(a, usage)))
        case .APPROVE:
            try a.expect(usage, positional: 1...1, optional: ["refund", "note", "fee"])
            return .ledger(.approve(id: try a.id(0, "id"), refund: try a.keyword("refund", RefundMode.self),
                                    fee: try percent(a, "fee"), note: a.text("note")))
        case .ORDER:
            try a.expect(usage, positional: 1...1)
            return .ledger(.order(id: try a.id(0, "order")))
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
            try a.expect(usage, positional: 0...0,
                         optional: ["state", "kind", "location", "from", "to", "limit", "party", "order", "before"])
            return .ledger(.list(ReturnFilter(
                state: try a.keyword("state", ReturnState.self), kind: try a.keyword("kind", OrderKind.self),
                location: try a.id("location"), from: try a.date("from"), to: try a.date("to"),
                limit: Int(try a.integer("limit", in: 1...100_000) ?? 100), party: try a.id("party"),
                order: try a.id("order"), before: try a.id("before"))))
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
            try a.expect(usage, positional: 0...0, optional: ["user", "from", "after", "limit"])
            return .ledger(.audit(user: try a.id("user"), from: try a.timeBound("from"),
                                  after: try a.integer("after", in: 0...Int64(Int32.max)).map { Int($0) },
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
        case (.LOCATION, "SET"):
            try a.expect(usage(), positional: 1...1, required: ["name"])
            return .ledger(.locationSet(code: try a.id(0, "location"), name: try a.optionalNonEmpty("name")))
        case (.LOCATION, "LIST"):
            try a.expect(usage(), positional: 0...0)
            return .ledger(.locationList)
        case (.SKU, "ADD"):
            try a.expect(usage(), positional: 1...1, required: ["name", "price"], optional: ["cost", "inspect"])
            let price = try a.money("price")!, cost = try a.money("cost") ?? .zero
            guard price >= .zero, cost >= .zero else { throw DomainError(.INVALID, "price and cost must not be negative") }
            return .ledger(.skuAdd(Product(sku: try a.id(0, "sku"), name: try a.nonEmpty("name"), price: price,
                                           cost: cost, inspect: try a.yesNo("inspect") ?? false)))
        case (.SKU, "SET"):
            try a.expect(usage(), positional: 1...1, optional: ["name", "price", "cost", "inspect"])
            try a.expectSomething(usage())
            let price = try a.money("price"), cost = try a.money("cost")
            guard (price ?? .zero) >= .zero, (cost ?? .zero) >= .zero else {
                throw DomainError(.INVALID, "price and cost must not be negative")
            }
            return .ledger(.skuSet(sku: try a.id(0, "sku"), name: try a.optionalNonEmpty("name"), price: price, cost: cost,
                                   inspect: try a.yesNo("inspect")))
        case (.SKU, "LIST"):
            try a.expect(usage(), positional: 0...0)
            return .ledger(.skuList)
        case (.PARTY, "ADD"):
            try a.expect(usage(), positional: 2...2, required: ["name"])
            return .ledger(.partyAdd(Party(id: try a.id(1, "party"),
                                           kind: try Arguments.keyword(a.positional[0].value, "party kind", PartyKind.self),
                                           name: try a.nonEmpty("name"))))
        case (.PARTY, "SET"):
            try a.expect(usage(), positional: 1...1, required: ["name"])
            return .ledger(.partySet(id: try a.id(0, "party"), name: try a.optionalNonEmpty("name")))
        case (.PARTY, "LIST"):
            try a.expect(usage(), positional: 0...1)
            let kind = try a.positional.first.map { token throws(DomainError) in
                try Arguments.keyword(token.value, "party kind", PartyKind.self)
            }
            return .ledger(.partyList(kind))
        case (.REASON, "ADD"):
            try a.expect(usage(), positional: 1...1, required: ["label"], optional: ["fee"])
            return .ledger(.reasonAdd(Reason(code: try a.id(0, "reason"), label: try a.nonEmpty("label"),
                                             fee: try percent(a, "fee") ?? .zero)))
        case (.REASON, "SET"):
            try a.expect(usage(), positional: 1...1, optional: ["label", "fee"])
            guard a.named["label"] != nil || a.named["fee"] != nil else {
                throw DomainError(.SYNTAX, "name label= or fee=; usage: \(usage())")
            }
            return .ledger(.reasonSet(code: try a.id(0, "reason"), label: try a.optionalNonEmpty("label"),
                                      fee: try percent(a, "fee")))
        case (.REASON, "LIST"):
            try a.expect(usage(), positional: 0...0)
            return .ledger(.reasonList)
        case (.POLICY, "SHOW"):
            try a.expect(usage(), positional: 0...0)
            return .ledger(.policyShow)
        case (.POLICY, "SET"):
            try a.expect(usage(), positional: 0...0, optional: ["window_days", "customer_returns", "customer_days", "timezone"])
            let change = PolicyChange(windowDays: try a.integer("window_days", in: 0...3650),
                                      customerReturns: try a.integer("customer_returns", in: 0...1_000_000),
                                      customerDays: try a.integer("customer_days", in: 0...3650), timezone: try a.zone("timezone"))
            guard change != PolicyChange() else { throw DomainError(.SYNTAX, "name a setting; usage: \(usage())") }
            return .ledger(.policySet(change))
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

    /// RETURN, with or without a receipt (section 13): `-` for the order needs `customer=` and
    /// `location=` (SYNTAX, with the other structural checks), and takes no exchange or batch.
    private static func returnFiling(_ a: Arguments, _ usage: @autoclosure () -> String) throws(DomainError) -> ReturnFiling {
        try a.expect(usage(), positional: 2...Int.max, required: ["reason"],
                     optional: ["location", "note", "key", "exchange", "customer", "override"])
        let noReceipt = a.positional[0].value == ReturnFiling.noReceiptOrder
        if noReceipt {
            for key in ["customer", "location"] where a.named[key] == nil {
                throw DomainError(.SYNTAX, "\(key)= is required for a return without a receipt; usage: \(usage())")
            }
        }
        let reason = try a.id("reason")!
        let order = noReceipt ? ReturnFiling.noReceiptOrder : try a.id(0, "order")
        let items = try a.items(from: 1)
        if noReceipt, items.contains(where: { !$0.batch.isEmpty }) {
            throw DomainError(.INVALID, "a return without a receipt names no batch")
        }
        let customer = try a.id("customer")
        if !noReceipt, customer != nil {
            throw DomainError(.INVALID, "customer= is for a return without a receipt (RETURN - ...); the order names its customer")
        }
        var exchange: [ItemSpec] = []
        let exchangeText = a.text("exchange")
        if a.named["exchange"] != nil {
            if noReceipt { throw DomainError(.INVALID, "a return without a receipt cannot be an exchange") }
            for token in exchangeText.split(separator: ",", omittingEmptySubsequences: false) {
                exchange.append(try Arguments.item(String(token)))
            }
        }
        return ReturnFiling(order: order, items: items, reason: reason, location: try a.id("location"),
                            note: a.text("note"), key: try a.id("key"), exchange: exchange, exchangeText: exchangeText,
                            customer: customer, override: try a.yesNo("override") ?? false)
    }

    /// An order id for SALE and PURCHASE: `-` means "no receipt" to RETURN, and `X-R…` names the
    /// exchange sales the server records itself.
    private static func orderId(_ a: Arguments) throws(DomainError) -> String {
        let id = try a.id(0, "order")
        if id == ReturnFiling.noReceiptOrder { throw DomainError(.INVALID, "- is not an order id: RETURN - files a return without a receipt") }
        if id.hasPrefix("X-"), ReturnRequest.number(String(id.dropFirst(2))) != nil {
            throw DomainError(.INVALID, "\(id) is the name of an exchange sale, which the server records at approval")
        }
        return id
    }

    /// A fee rate: 0 to 100 percent, up to 2 decimals.
    private static func percent(_ a: Arguments, _ key: String) throws(DomainError) -> Percent? {
        guard let text = a.named[key] else { return nil }
        guard let rate = Percent(parsing: text) else {
            throw DomainError(.INVALID, "\(key)=\(text.prefix(32)) is not a percentage from 0 to 100 with up to 2 decimals")
        }
        return rate
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
