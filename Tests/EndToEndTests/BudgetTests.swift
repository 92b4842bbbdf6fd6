import Foundation
import Glibc
import Testing

/// Resource budgets: a connection's byte budget, the hard limit, large buffers given back, and
/// `--max-memory`, against the real binary. Memory bounds allow 10 times the goal (they catch a
/// leak, not noise); `tools/stalled_memory.py` measures the real figure.
@Suite struct BudgetTests {
    /// INFO's memory section as fields.
    static func memory(_ client: Client) throws -> [String: String] {
        let line = try client.call("INFO").data.first { $0.hasPrefix("* section=memory") } ?? ""
        var fields: [String: String] = [:]
        for part in line.split(separator: " ").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
        }
        return fields
    }

    /// Polls INFO (sampled each second) until `condition` holds; fails after `seconds`.
    static func waitForMemory(_ client: Client, seconds: Double, sourceLocation: SourceLocation = #_sourceLocation,
                              _ condition: ([String: String]) -> Bool) throws -> [String: String] {
        let deadline = Date().addingTimeInterval(seconds)
        var last: [String: String] = [:]
        while Date() < deadline {
            last = try memory(client)
            if condition(last) { return last }
            usleep(100_000)
        }
        Issue.record("INFO memory never got there: \(last)", sourceLocation: sourceLocation)
        return last
    }

    static func residentKiB(_ pid: Int32) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    @Test func stalledClientsHoldTheirBudgetAndGetEveryReplyOnceTheyRead() throws {
        let server = try ServerProcess(demo: true)
        defer { server.stop() }
        let admin = try server.login("admin", password: ServerProcess.adminPassword)
        let base = BudgetTests.residentKiB(server.process.processIdentifier)
        // STOCK and PING in turn, so the order of the replies read back can be checked.
        let requests = (0..<100_000).map { $0 % 2 == 0 ? "STOCK A100" : "PING" }.joined(separator: "\n")
        var stalled: [Client] = []
        for _ in 0..<5 {
            let client = try Client(port: server.port, receiveBuffer: 4096)
            try client.send("AUTH clerk1 clerk1\n" + requests + "\n")
            stalled.append(client)
        }
        // Each holds about its budget (1 MiB) of replies it does not read, once the kernel's
        // socket buffers (up to 4 MiB each here) are full.
        _ = try BudgetTests.waitForMemory(admin, seconds: 60) { Int($0["queued_output"] ?? "0")! > 3 << 20 }
        let growth = Double(BudgetTests.residentKiB(server.process.processIdentifier) - base) / 1024 / 5
        #expect(growth < 15, "\(growth) MiB per stalled connection (goal 1.5)")
        let figures = try BudgetTests.memory(admin)
        #expect(Int(figures["largest_queue"]!)! < 2 << 20, "\(figures)")
        // Someone else is served meanwhile (goal 100 ms).
        let started = Date()
        #expect(try server.connect().call("PING").status == "OK pong")
        #expect(Date().timeIntervalSince(started) < 1.0)
        // Once they read, every reply comes, in order.
        for client in stalled {
            #expect(try client.readReply().ok)  // AUTH
            var wrong = 0
            for i in 0..<100_000 {
                let reply = try client.readReply()
                if i % 2 == 0 ? !reply.status.hasPrefix("OK sku=A100 ") : reply.status != "OK pong" { wrong += 1 }
            }
            #expect(wrong == 0)
        }
        #expect(try BudgetTests.memory(admin)["closed_for_buffers"] == "0")
    }

    @Test func aLargeReplyIsNotKeptOnceRead() throws {
        let server = try ServerProcess(["--fsync", "no"])
        defer { server.stop() }
        try setUpShop(server)
        let clerk = try server.login("clerk1")
        #expect(try clerk.call("SALE S-BIG location=STORE1 A100:40000").ok)
        try clerk.sendReturns(order: "S-BIG", count: 36_000, keyPrefix: "big")
        #expect(try clerk.readReplies(36_000).allSatisfy(\.ok))
        let reader = try server.login("aud1")
        let list = try reader.call("LIST limit=100000")
        #expect(list.data.count == 36_000)
        #expect(list.data.reduce(0) { $0 + $1.utf8.count } > 5 << 20)  // about 6 MB of reply
        // After it went out, no connection holds as much as 256 KiB.
        let figures = try BudgetTests.waitForMemory(reader, seconds: 10) {
            Int($0["largest_held"] ?? "") ?? .max < 256 << 10 && ($0["queued_output"] ?? "") == "0"
        }
        #expect(Int(figures["largest_held"] ?? "")! < 256 << 10)
        // The state's estimate counts what was filed (36,000 returns, 860 bytes each at least).
        #expect(Int(figures["state_bytes"] ?? "")! >= 36_000 * 860, "\(figures)")
    }

    @Test func aClientWhoseRepliesMakeNoProgressIsClosedAndCounted() throws {
        let server = try ServerProcess(["--idle-timeout", "1", "--max-client-buffer", "64K"], demo: true)
        defer { server.stop() }
        let admin = try server.login("admin", password: ServerProcess.adminPassword)
        let stalled = try Client(port: server.port, receiveBuffer: 4096)
        try stalled.send("AUTH clerk1 clerk1\n" + String(repeating: "STOCK A100\n", count: 100_000))
        let figures = try BudgetTests.waitForMemory(admin, seconds: 20) { $0["closed_for_buffers"] == "1" }
        #expect(figures["max_client_buffer"] == "65536")
        // Its replies up to the close came, then the end of the stream (a reset: the server
        // closed with its requests unread).
        var replies = 0
        do {
            while let line = try stalled.readLine() { if line.hasPrefix("OK") { replies += 1 } }
        } catch let failure as Client.Failure {
            #expect(failure.message.contains("errno 104"), "\(failure.message)")
        }
        #expect(replies > 1 && replies < 100_001)
        #expect(try admin.call("PING").status == "OK pong")  // a watcher of its own replies stays
    }

    @Test func aboveMaxMemoryLargeReadsWaitAndEverythingElseGoesOn() throws {
        let server = try ServerProcess(["--max-memory", "1M"], demo: true)
        defer { server.stop() }
        let admin = try server.login("admin", password: ServerProcess.adminPassword)
        _ = try BudgetTests.waitForMemory(admin, seconds: 10) { $0["memory_high"] == "yes" }
        let big = try admin.call("LIST limit=101")
        #expect(big.code == "LIMIT" && big.status.hasPrefix("ERR LIMIT memory"), "\(big.status)")
        #expect(try admin.call("DIGEST").code == "LIMIT")
        #expect(try admin.call("FEED from=0").code == "LIMIT")
        #expect(try admin.call("VERIFY").code == "LIMIT")
        #expect(try admin.call("LIST").ok)  // a default page
        let clerk = try server.login("clerk1")  // new connections are served
        #expect(try clerk.call("RETURN S-1002 A100:1 reason=DEFECTIVE key=mem-1").ok)  // changes go on
        #expect(try admin.call("PING").status == "OK pong")  // the connection stayed open
        #expect(try BudgetTests.memory(admin)["max_memory"] == String(1 << 20))
    }
}
