import Foundation

/// What one operation is, for each mix, on each target. An operation may be several requests
/// (`return` = RETURN then APPROVE); latency is measured per operation, from sending the first
/// request of its pipelined batch to receiving its last reply.
enum Mix: String, CaseIterable {
    case stock, sale, `return`, stats, custom
    /// A new connection per operation: connect (and the TLS handshake with --tls), PING, close.
    case connect
}

struct Options {
    var target = "returnledger"
    var host = "127.0.0.1"
    var port = 7480
    var connections = 50
    var pipeline = 1
    var requests: Int? = nil
    var duration: Double? = nil
    var mix = Mix.stock
    var command = "PING"
    var password = "admin"
    /// Seven base-36 digits, always: the ids a run writes have one length, so instruction counts
    /// (`tools/instructions.sh`) do not vary with it (a document hashed one 64-byte block more).
    var runID = { let id = String(UInt32.random(in: 0...UInt32.max), radix: 36); return String(repeating: "0", count: 7 - id.count) + id }()
    var tls = false
    /// `--tenders`: every sale paid 40% cash, 60% card (`tender=`, section 19), so a return's
    /// refund is split back over both (ReturnLedger only; a build before tenders refuses it).
    var tenders = false
}

/// One worker's connections and the function that runs `n` operations pipelined, returning
/// each operation's latency in nanoseconds.
final class Worker: @unchecked Sendable {
    let run: (Int) throws -> [UInt64]
    init(run: @escaping (Int) throws -> [UInt64]) { self.run = run }
}

@inline(__always) func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

// MARK: ReturnLedger

enum ReturnLedgerTarget {
    static let users = "bench"

    /// Catalogue, a big purchase, users, and per worker a sale big enough to take returns from.
    static func setup(_ o: Options) throws {
        let admin = try Connection(host: o.host, port: o.port, tls: o.tls)
        guard try admin.call("AUTH admin \(o.password)").ok else { throw Connection.Failure(description: "admin login failed") }
        for line in ["LOCATION ADD BENCH1 name=Bench", "SKU ADD BENCH-A name=Widget price=10.00 cost=5.00",
                     "PARTY ADD customer BC1 name=Bench", "PARTY ADD supplier BS1 name=Bench",
                     "PURCHASE BENCH-P-\(o.runID) location=BENCH1 supplier=BS1 BENCH-A:1000000"] {
            let r = try admin.call(line)
            guard r.ok || r.status.hasPrefix("ERR EXISTS") else { throw Connection.Failure(description: "\(line): \(r.status)") }
        }
        for i in 0..<o.connections {
            for (name, role) in [("bclerk\(i)", "clerk"), ("bsup\(i)", "supervisor")] {
                let r = try admin.call("USER ADD \(name) role=\(role) password=\(users)")
                guard r.ok || r.status.hasPrefix("ERR EXISTS") else { throw Connection.Failure(description: r.status) }
            }
            if o.mix == .return {
                let paid = o.tenders ? " tender=cash:4000000.00,card:6000000.00#4242" : ""
                let r = try admin.call("SALE BENCH-O-\(o.runID)-\(i) location=BENCH1 customer=BC1 BENCH-A:1000000\(paid)")
                guard r.ok else { throw Connection.Failure(description: r.status) }
            }
        }
    }

    static func login(_ o: Options, _ user: String) throws -> Connection {
        let c = try Connection(host: o.host, port: o.port, tls: o.tls)
        let password = user == "admin" ? o.password : users
        guard try c.call("AUTH \(user) \(password)").ok else { throw Connection.Failure(description: "login \(user) failed") }
        return c
    }

    static func worker(_ o: Options, _ index: Int) throws -> Worker {
        if o.mix == .connect {
            return Worker { count in
                try (0..<count).map { _ in
                    let started = now()
                    let c = try Connection(host: o.host, port: o.port, tls: o.tls)
                    guard try c.call("PING").ok else { throw Connection.Failure(description: "PING failed") }
                    return now() - started
                }
            }
        }
        // STATS and custom lines may need any role: those workers are admin sessions.
        let clerk = try login(o, o.mix == .stats || o.mix == .custom ? "admin" : "bclerk\(index)")
        var n = 0
        func batch(_ c: Connection, _ lines: [String], _ started: UInt64) throws -> ([LineReply], [UInt64]) {
            try c.send(Array(lines.joined().utf8))
            var replies: [LineReply] = [], times: [UInt64] = []
            for _ in lines {
                let reply = try c.readLineReply()
                guard reply.ok else { throw Connection.Failure(description: reply.status) }
                replies.append(reply)
                times.append(now() - started)
            }
            return (replies, times)
        }
        switch o.mix {
        case .connect:
            fatalError("handled above")
        case .stock, .stats, .custom, .sale:
            let paid = o.tenders ? " tender=cash:4.00,card:6.00#4242" : ""
            return Worker { count in
                let lines: [String] = (0..<count).map { _ in
                    n += 1
                    switch o.mix {
                    case .stock: return "STOCK BENCH-A location=BENCH1\n"
                    case .stats: return "STATS by=reason\n"
                    case .sale: return "SALE BENCH-S-\(o.runID)-\(index)-\(n) location=BENCH1 customer=BC1 BENCH-A:1\(paid)\n"
                    default: return o.command + "\n"
                    }
                }
                return try batch(clerk, lines, now()).1
            }
        case .return:
            let supervisor = try login(o, "bsup\(index)")
            return Worker { count in
                let started = now()
                let filings: [String] = (0..<count).map { _ in
                    n += 1
                    return "RETURN BENCH-O-\(o.runID)-\(index) BENCH-A:1 reason=DEFECTIVE key=\(o.runID)-\(index)-\(n)\n"
                }
                let (filed, _) = try batch(clerk, filings, started)
                let approvals = filed.map { "APPROVE \($0.field("id") ?? "?")\n" }
                return try batch(supervisor, approvals, started).1
            }
        }
    }
}

// MARK: Redis

enum RedisTarget {
    final class Scripts: @unchecked Sendable {
        var sha: [String: String] = [:]
    }
    static let scripts = Scripts()

    static func setup(_ o: Options) throws {
        let c = try Connection(host: o.host, port: o.port)
        for (name, body) in [("sale", Lua.sale), ("file", Lua.fileReturn), ("approve", Lua.approve), ("stock", Lua.stock)] {
            guard let sha = try RESP.call(c, ["SCRIPT", "LOAD", body]).text else {
                throw Connection.Failure(description: "SCRIPT LOAD \(name) failed")
            }
            scripts.sha[name] = sha
        }
        _ = try RESP.call(c, ["HSET", "sku:BENCH-A", "price", "1000", "cost", "500"])
        _ = try RESP.call(c, ["HINCRBY", "stock:BENCH-A:BENCH1", "on_hand", "1000000"])
        if o.mix == .return {
            for i in 0..<o.connections {
                let reply = try RESP.call(c, ["EVALSHA", scripts.sha["sale"]!, "0", "BENCH-O-\(o.runID)-\(i)", "BENCH-A",
                                              "1000000", "BC1", "admin", stamp()])
                if reply.isError { throw Connection.Failure(description: "setup sale: \(reply)") }
                _ = try RESP.call(c, ["HSET", "order:BENCH-O-\(o.runID)-\(i)", "returnable", "1000000"])
            }
        }
    }

    static func stamp() -> String { String(Int(Date().timeIntervalSince1970)) }

    static func worker(_ o: Options, _ index: Int) throws -> Worker {
        let clerk = try Connection(host: o.host, port: o.port)
        var n = 0
        let day = { () -> String in
            let f = DateFormatter()
            f.dateFormat = "yyyyMMdd"
            f.timeZone = TimeZone(identifier: "UTC")
            return f.string(from: Date())
        }()
        func batch(_ c: Connection, _ commands: [[String]], _ started: UInt64) throws -> ([RESP.Value], [UInt64]) {
            try c.send(commands.flatMap(RESP.command))
            var replies: [RESP.Value] = [], times: [UInt64] = []
            for _ in commands {
                let reply = try RESP.read(c)
                if reply.isError { throw Connection.Failure(description: "\(reply)") }
                replies.append(reply)
                times.append(now() - started)
            }
            return (replies, times)
        }
        let sha = scripts.sha
        switch o.mix {
        case .stock, .sale:
            return Worker { count in
                let commands: [[String]] = (0..<count).map { _ in
                    n += 1
                    if o.mix == .stock { return ["EVALSHA", sha["stock"]!, "0", "BENCH-A", "BENCH1"] }
                    return ["EVALSHA", sha["sale"]!, "0", "BENCH-S-\(o.runID)-\(index)-\(n)", "BENCH-A", "1", "BC1",
                            "bclerk\(index)", stamp()]
                }
                return try batch(clerk, commands, now()).1
            }
        case .return:
            let supervisor = try Connection(host: o.host, port: o.port)
            return Worker { count in
                let started = now()
                let filings: [[String]] = (0..<count).map { _ in
                    n += 1
                    return ["EVALSHA", sha["file"]!, "0", "BENCH-O-\(o.runID)-\(index)", "1", "DEFECTIVE",
                            "\(o.runID)-\(index)-\(n)", "bclerk\(index)", stamp()]
                }
                let (filed, _) = try batch(clerk, filings, started)
                let approvals: [[String]] = filed.map { reply in
                    guard case .array(let items) = reply, let id = items.first?.text else { return ["PING"] }
                    return ["EVALSHA", sha["approve"]!, "0", id, "bsup\(index)", stamp(), day]
                }
                return try batch(supervisor, approvals, started).1
            }
        case .stats, .custom, .connect:
            throw Connection.Failure(description: "mix \(o.mix.rawValue) has no Redis equivalent")
        }
    }
}
