import ReturnLedgerCore
import ReturnLedgerWire
import Testing

@Suite struct RequestParserTests {
    func parse(_ s: String) -> Result<Request, DomainError>? { RequestParser.parse(Array(s.utf8)) }

    func command(_ s: String) -> ParsedCommand? {
        guard case .success(let request)? = parse(s), case .success(let parsed) = request.parsed else { return nil }
        return parsed
    }

    func code(_ s: String) -> DomainError.Code? {
        switch parse(s) {
        case .failure(let error)?: return error.code
        case .success(let request)?:
            if case .failure(let refused) = request.parsed { return refused.error.code }
            return nil
        case nil: return nil
        }
    }

    /// A request its arguments refuse is still audited against what it was aimed at: its
    /// location, else its first positional value; one that parses carries none.
    @Test func aRefusedRequestNamesItsTarget() {
        func target(_ s: String) -> String? {
            guard case .success(let request)? = parse(s) else { return nil }
            if case .failure(let refused) = request.parsed { return refused.target }
            return ""
        }
        #expect(target("COUNT location=STORE1 A100:1 A100:2") == "STORE1")
        #expect(target("TRANSFER SEND T-9 from=STORE1 to=STORE1 A100:1") == "T-9")
        #expect(target("RETURN S-1 A100:1") == "S-1")  // no reason=: SYNTAX
        #expect(target("COUNT location=STORE1 A100:1") == "")
        #expect(target("RETURN " + String(repeating: "Ω", count: 80) + " A100:1")?.count == 64)
    }

    @Test func blankLinesAreNotRequests() {
        #expect(parse("") == nil)
        #expect(parse(" \t ") == nil)
    }

    @Test func commandWordsAndKeysAreCaseInsensitive() {
        #expect(command("ping") == .server(.ping))
        #expect(command("return S1 A100:1 REASON=DEFECTIVE") ==
            .change(.fileReturn(ReturnFiling(order: "S1", items: [ItemSpec(sku: "A100", quantity: 1)], reason: "DEFECTIVE",
                                             location: nil, note: "", key: nil))))
        #expect(command("user add bob role=Clerk password=x") == .server(.userAdd(name: "bob", role: .clerk, password: "x",
                                                                                  locations: .everywhere)))
        #expect(command("USER ADD bob role=clerk password=x locations=STORE2,STORE1,STORE2")
                == .server(.userAdd(name: "bob", role: .clerk, password: "x", locations: .only(["STORE1", "STORE2"]))))
        #expect(command("USER SCOPE bob locations=*") == .change(.userScope(name: "bob", locations: .everywhere)))
        #expect(command("STATS location=STORE1") == .query(.stats(StatsQuery(location: "STORE1"))))
    }

    @Test func readsItemTokens() {
        let parsed = command("PURCHASE P1 location=WH1 supplier=S1 A100:2 A100:2@12.50 C400:40@3.10#LOT7 C400:1#LOT8")
        guard case .change(.purchase(let request))? = parsed else { Issue.record("not a purchase"); return }
        #expect(request.items == [
            ItemSpec(sku: "A100", quantity: 2), ItemSpec(sku: "A100", quantity: 2, price: Money(minor: 1250)),
            ItemSpec(sku: "C400", quantity: 40, price: Money(minor: 310), batch: "LOT7"),
            ItemSpec(sku: "C400", quantity: 1, batch: "LOT8"),
        ])
        // Separators in the wrong order or inside the serials are refused, not read another way.
        for token in ["A100:1#B@2", "A100@5:1", "A100#B:1", "A100:1/SN#1", "A100:1/SN:2", "A100/SN:1", "A100:1@"] {
            #expect(code("PURCHASE P1 location=WH1 supplier=S1 \(token)") == .INVALID, "\(token)")
        }
        guard case .change(.sale(let sale))? = command("SALE S9 location=STORE1 P9:2@9.50#L1/SN-1/SN-2") else {
            Issue.record("not a sale"); return
        }
        #expect(sale.items == [ItemSpec(sku: "P9", quantity: 2, price: Money(minor: 950), batch: "L1", serials: ["SN-1", "SN-2"])])
    }

    @Test func unknownWordIsUnknownCommand() {
        #expect(code("FROB x") == .UNKNOWN_COMMAND)
        #expect(code("note=x") == .UNKNOWN_COMMAND)
        #expect(code(#"FROB "open"#) == .UNKNOWN_COMMAND)
    }

    /// The refusal names what was typed: the word (unquoted), or a `key=value` first as it stands.
    @Test func unknownCommandNamesWhatWasTyped() {
        func message(_ s: String) -> String? {
            if case .failure(let error)? = parse(s) { return error.message }
            return nil
        }
        #expect(message("FROB x") == "unknown command FROB")
        #expect(message("Note=X y") == "unknown command Note=X")
        #expect(message(#""FRO B" x"#) == "unknown command FRO B")
        #expect(message(#"FROB "open"#) == "unknown command FROB")
        #expect(message(#"note="box torn" x"#) == #"unknown command note="box torn""#)
        #expect(message(#"note="a \" b" x"#) == #"unknown command note="a \" b""#)
        #expect(message(" \tNote=X y") == "unknown command Note=X")
        #expect(message("  FROB x") == "unknown command FROB")
    }

    /// A malformed line is SYNTAX when its first word is a command, blanks before it or not.
    @Test func aMalformedLineAfterBlanksIsStillItsCommandsSyntax() {
        #expect(code(#" SALE "open"#) == .SYNTAX)
        #expect(code("\tFROB \"open") == .UNKNOWN_COMMAND)
    }

    /// A key given twice is SYNTAX naming it, aimed at the request's location; a malformed token or
    /// bytes anywhere on the line are reported instead, whichever comes first on it.
    @Test func aKeyGivenTwiceIsReportedOnceTheLineHasTokenized() {
        func refusal(_ s: String) -> (DomainError.Code, String, String)? {
            switch parse(s) {
            case .failure(let error)?: return (error.code, error.message, "")
            case .success(let request)?:
                if case .failure(let refused) = request.parsed { return (refused.error.code, refused.error.message, refused.target) }
                return nil
            case nil: return nil
            }
        }
        let twice = refusal("RETURN S1 A100:1 reason=X location=STORE2 REASON=Y")
        #expect(twice?.0 == .SYNTAX && twice?.1 == "reason= given twice" && twice?.2 == "STORE2")
        let quote = refusal(#"RETURN S1 A100:1 reason=X reason=Y note="open"#)
        #expect(quote?.0 == .SYNTAX && quote?.1 == "unbalanced quotes")
        #expect(refusal(#"RETURN S1 A100:1 reason=X reason=Y note="\xff""#)?.0 == .ENCODING)
    }

    /// A sub-command is the token right after the word, upper-cased, only when it is positional.
    @Test func aSubCommandIsTheSecondTokenWhenPositional() {
        guard case .success(let request)? = parse("user add bob role=clerk password=x") else { Issue.record("not parsed"); return }
        #expect(request.sub == "ADD")
        guard case .success(let keyed)? = parse("USER role=clerk ADD") else { Issue.record("not parsed"); return }
        #expect(keyed.sub == nil)
        #expect(code("USER role=clerk ADD") == .SYNTAX)
    }

    @Test(arguments: [
        "RETURN S1 reason=DEFECTIVE",                   // no item
        "RETURN S1 A100:1",                             // no reason
        "RETURN S1 A100:1 reason=X colour=red",         // unknown key
        "RETURN S1 A100:1 reason=X reason=Y",           // key twice
        "APPROVE",                                      // no id
        "PING extra",
        "REJECT R000001",                               // note required
        "STOCK",
        "USER FROB x",
        "USER",
        #"RETURN S1 A100:1 reason=X note="open"#,       // unbalanced quote
    ])
    func structuralMistakesAreSyntax(line: String) {
        #expect(code(line) == .SYNTAX)
    }

    @Test(arguments: [
        "RETURN S1 A100:0 reason=DEFECTIVE",
        "RETURN S1 A100:1000001 reason=DEFECTIVE",
        "RETURN S1 A100 reason=DEFECTIVE",
        "RETURN S1 A100:1@1.005 reason=DEFECTIVE",
        "RETURN S1 A100:x reason=DEFECTIVE",
        "RETURN S1 A100:1# reason=DEFECTIVE",           // empty batch
        "RETURN S1 A100:1@ reason=DEFECTIVE",           // empty price
        "RETURN S1 :1 reason=DEFECTIVE",                // empty sku
        "RETURN S1 A100:1#L@5 reason=DEFECTIVE",        // a price after the batch is part of it
        "RETURN S1 Ä100:1 reason=DEFECTIVE",            // sku outside A-Z a-z 0-9 . _ -
        "SALE S1 location=ST A100:1@-2",
        "PAYMENT C1 amount=12.345 direction=in",
        "PAYMENT C1 amount=5 direction=sideways",
        "USER ADD bob role=boss password=x",
        "SALE S1 location=ST at=2026-13-01T00:00:00Z A100:1",
        "LIST limit=0",
        "STATS by=colour",
        "POLICY SET window_days=-1",
        "SKU ADD bad/sku name=x price=1",
        "SALE S1 location=ST paid=maybe A100:1",
        "USER ADD bob role=clerk password=x locations=",
        "USER ADD bob role=clerk password=x locations=STORE1,,STORE2",
        "USER SCOPE bob locations=STORE1,bad/code",
        // Return types (exchanges, no receipt, fees, limits): reserved order names and bad combinations.
        "SALE - location=STORE1 A100:1", "SALE X-R000012 location=STORE1 A100:1",
        "PURCHASE X-R1 location=WH1 supplier=S1 A100:1", "RETURN S1 A100:1 reason=DEFECTIVE customer=C1",
        "RETURN - A100:1 location=STORE1 customer=C1 reason=DEFECTIVE exchange=A200:1",
        "RETURN - A100:1#LOT7 location=STORE1 customer=C1 reason=DEFECTIVE",
        "RETURN S1 A100:1 reason=DEFECTIVE exchange=A200:0", "APPROVE R000001 fee=100.01",
        "REASON ADD LATE label=Late fee=-1", "POLICY SET customer_returns=-1",
        // Business day: zones and dates.
        "POLICY SET timezone=Mars/Olympus", "POLICY SET timezone=+25:00", "POLICY SET timezone=../../etc/passwd",
        "AUDIT from=2026-02-30", "AUDIT from=yesterday",
    ])
    func malformedValuesAreInvalid(line: String) {
        #expect(code(line) == .INVALID)
    }

    @Test func syntaxIsReportedBeforeInvalid() {
        #expect(code("RETURN S1 A100:0 reason=DEFECTIVE colour=red") == .SYNTAX)
        // Without a receipt, customer= and location= are structure: SYNTAX before any value.
        #expect(code("RETURN - A100:0 location=STORE1 reason=DEFECTIVE") == .SYNTAX)
        #expect(code("RETURN - A100:1#LOT7 customer=C1 reason=DEFECTIVE") == .SYNTAX)
        #expect(code("POLICY SET") == .SYNTAX)
        #expect(code("SKU SET A100") == .SYNTAX)
        // An X- id that names no return is an ordinary order id.
        #expect(code("SALE X-MAS location=STORE1 A100:1") == nil)
    }

    @Test func zonesAndDateBoundsParse() {
        #expect(command("POLICY SET timezone=Asia/Shanghai") == .change(.policySet(PolicyChange(timezone: BusinessZone.named("Asia/Shanghai")))))
        #expect(command("POLICY SET timezone=-03:30") == .change(.policySet(PolicyChange(timezone: BusinessZone.named("-03:30")))))
        #expect(command("AUDIT from=2026-03-02") == .query(.audit(user: nil, from: .date(CivilDate(year: 2026, month: 3, day: 2)), limit: 100)))
        #expect(command("AUDIT from=2026-03-02T16:00:00Z") == .query(.audit(user: nil, from: .time(Timestamp(seconds: 1_772_467_200)), limit: 100)))
    }

    @Test func setupWordsKeepTheirSubcommand() throws {
        guard case .success(let request)? = parse("user password alice password=\"new pw\"") else { Issue.record("no parse"); return }
        #expect(request.word == CommandWord.named("USER"))
        #expect(request.sub == "PASSWORD")
        #expect(request.name == "USER PASSWORD")
        #expect(try request.parsed.get() == .server(.userPassword(name: "alice", password: "new pw")))
    }

    @Test func optionalArgumentsAreTyped() {
        #expect(command("APPROVE R000001 refund=credit note=\"ok 好\"") ==
            .change(.approve(id: "R000001", refund: .credit, note: "ok 好")))
        #expect(command("LIST state=PENDING kind=sale from=2026-11-01 limit=5") ==
            .query(.list(ReturnFilter(state: .pending, kind: .sale, from: CivilDate(parsing: "2026-11-01"), limit: 5))))
        #expect(command("STOCK location=WH1") == .query(.stock(sku: nil, location: "WH1")))
        #expect(command("BALANCE") == .query(.balance(party: nil)))
        #expect(command("INSPECT R000001 SCRAP") == .change(.inspect(id: "R000001", disposition: .scrap, note: "")))
    }
}
