import Testing

@Suite struct FramingTests {
    @Test func crlfAndBlankLinesAndTelnetBytes() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let client = try server.connect()
        // Blank lines get no reply; telnet negotiation (IAC DO ECHO, IAC WILL NAWS, SB...SE, AYT) is
        // stripped, and the two requests in it are refused (WONT ECHO, DONT NAWS) ahead of the reply.
        try client.sendBytes([0xFF, 0xFD, 0x01, 0xFF, 0xFB, 0x1F] + Array("\r\n  \t\r\nPI".utf8)
            + [0xFF, 0xFA, 0x1F, 0, 80, 0, 24, 0xFF, 0xF0, 0xFF, 0xF6] + Array("NG\r\n".utf8))
        #expect(try client.readBytes(6) == [0xFF, 0xFC, 0x01, 0xFF, 0xFE, 0x1F])
        #expect(try client.readLine() == "OK pong")
        #expect(try client.call("ping").status == "OK pong")
    }

    /// Ctrl-C in telnet (IAC IP, IAC DO TIMING-MARK) while a reply waits: WILL TIMING-MARK comes
    /// at once, then every reply, so telnet shows them; BINARY sessions get CR LF line ends.
    @Test func telnetCtrlCGetsATimingMarkAndTheRepliesStillCome() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let clerk = try server.login("clerk1")
        try clerk.sendBytes(Array("SALE T-1 location=STORE1 A100:1\r\n".utf8) + [0xFF, 0xF4, 0xFF, 0xFD, 0x06] + Array("PING\r\n".utf8))
        var seen: [UInt8] = []
        while !String(decoding: seen, as: UTF8.self).contains("OK pong\n") { seen += try clerk.readBytes(1) }
        let text = seen.split(separator: 0x0A).map { Array($0) }
        #expect(seen.starts(with: [0xFF, 0xFB, 0x06]) || text.contains { $0.starts(with: [0xFF, 0xFB, 0x06]) })
        #expect(String(decoding: seen.filter { $0 < 0x80 }, as: UTF8.self).contains("OK order=T-1 total=25.00 tax=0.00 discount=0.00\n"))
        try clerk.sendBytes([0xFF, 0xFD, 0x00, 0xFF, 0xFB, 0x00] + Array("PING\r\n".utf8))
        #expect(try clerk.readBytes(6) == [0xFF, 0xFB, 0x00, 0xFF, 0xFD, 0x00])
        #expect(try clerk.readBytes(9) == Array("OK pong\r\n".utf8))
        let stock = try clerk.call("STOCK A100 location=STORE1")
        #expect(stock.status.hasSuffix("\r") && stock.data.allSatisfy { $0.hasSuffix("\r") })
    }

    @Test func overlongLineThenANormalCommand() throws {
        let server = try ServerProcess(["--max-line", "1024"])
        defer { server.stop() }
        let client = try server.connect()
        try client.send("PING " + String(repeating: "x", count: 5000) + "\nPING\n")
        #expect(try client.readReply().code == "TOO_LONG")
        #expect(try client.readReply().status == "OK pong")
    }

    @Test func invalidUtf8KeepsTheConnection() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let client = try server.login("admin")
        try client.sendBytes(Array("LOCATION ADD X1 name=".utf8) + [0xC3, 0x28] + [0x0A])
        #expect(try client.readReply().code == "ENCODING")
        #expect(try client.call("PING").ok)
    }

    @Test func quotedUtf8TextRoundTrips() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let admin = try server.login("admin")
        let names = try admin.call("PARTY LIST customer")
        #expect(names.data.contains("* id=C2 kind=customer name=王芳 balance=0.00 rma_required=\"\""))
        let clerk = try server.login("clerk1")
        _ = try clerk.call("SALE S1 location=STORE1 customer=C2 C400:2")
        let note = #"包装破损, \"quoted\" tab\there"#
        #expect(try clerk.call("RETURN S1 C400:1 reason=DAMAGED note=\"\(note)\"").ok)
        let show = try clerk.call("SHOW R000001")
        #expect(show.data.contains { Client.field("note", in: $0) == "包装破损, \"quoted\" tab\there" })
    }

    @Test func syntaxErrorsAndUnknownCommands() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let client = try server.login("admin")
        #expect(try client.call("FROBNICATE now").code == "UNKNOWN_COMMAND")
        #expect(try client.call(#"LOCATION ADD X name="unclosed"#).code == "SYNTAX")
        #expect(try client.call("SKU ADD A1 name=x price=1.234").code == "INVALID")
        #expect(try client.call("PING").ok)
    }

    /// One reply far bigger than the output limit (1 MiB) and the kernel's socket buffers, to a
    /// client that reads slowly: the server must hold it, pause reading, and carry on once it
    /// drained. (Draining once called back into request processing recursively until the stack
    /// overflowed; found by the crash test.)
    @Test func aHugeReplyToASlowReaderThenMoreCommands() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let clerk = try server.login("clerk1")
        #expect(try clerk.call("SALE BIG location=STORE1 A100:1000000").ok)
        try clerk.sendReturns(order: "BIG", count: 40000, keyPrefix: "k", note: "padding the list line a little")
        _ = try clerk.readReplies(40000)
        let slow = try Client(port: server.port, receiveBuffer: 4096)
        #expect(try slow.call("AUTH clerk1 clerk1").ok)
        let list = try slow.call("LIST limit=100000")
        #expect(list.data.count == 40000)
        #expect(list.data.reduce(0) { $0 + $1.utf8.count } > 5 << 20)  // more than the kernel buffers hold
        #expect(try slow.call("PING").status == "OK pong")
        #expect(try slow.call("STOCK A100").ok)
    }

    @Test func thousandPipelinedCommandsAnsweredInOrder() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let clerk = try server.login("clerk1")
        var batch = ""
        for i in 0..<1000 {
            switch i % 4 {
            case 0: batch += "SALE S\(i) location=STORE1 A100:1\n"
            case 1: batch += "PING\n"
            case 2: batch += "RETURN S\(i - 2) A100:1 reason=DEFECTIVE key=k\(i)\n"
            default: batch += "STOCK A100 location=STORE1\n"
            }
        }
        try clerk.send(batch)
        var returns = 0
        for i in 0..<1000 {
            let reply = try clerk.readReply()
            switch i % 4 {
            case 0: #expect(reply.status == "OK order=S\(i) total=25.00 tax=0.00 discount=0.00")
            case 1: #expect(reply.status == "OK pong")
            case 2:
                returns += 1
                #expect(reply.status == "OK id=R\(String(repeating: "0", count: 6 - String(returns).count))\(returns) state=pending kind=sale amount=25.00 doc=\"\"")
            default: #expect(reply.status == "OK sku=A100 on_hand=-\((i + 1) / 4) quarantine=0 rtv=0 refurbish=0 transit=0")
            }
        }
    }
}

@Suite struct ConcurrencyTests {
    @Test func fiftyClientsNeverExceedTheReturnableQuantity() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        try setUpShop(server)
        let clerk = try server.login("clerk1")
        #expect(try clerk.call("SALE BIG location=STORE1 A100:30").ok)
        let port = server.port
        // 50 connections, each filing three returns of 1 against the 30 sold.
        let outcomes = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<50 {
                group.addTask {
                    let client = try Client(port: port)
                    _ = try client.call("AUTH clerk1 clerk1")
                    var codes: [String] = []
                    for _ in 0..<3 {
                        let reply = try client.call("RETURN BIG A100:1 reason=DEFECTIVE")
                        codes.append(reply.ok ? "OK" : reply.code ?? "?")
                    }
                    return codes
                }
            }
            var all: [String] = []
            for try await codes in group { all += codes }
            return all
        }
        #expect(outcomes.count == 150)
        #expect(outcomes.filter { $0 == "OK" }.count == 30)
        #expect(outcomes.filter { $0 == "EXCEEDS" }.count == 120)
        #expect(try clerk.call("LIST state=pending limit=1000")["count"] == "30")
    }
}
