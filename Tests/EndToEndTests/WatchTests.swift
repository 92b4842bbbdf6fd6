import Foundation
import Glibc
import ReturnLedgerServer
import ReturnLedgerStorage
import Synchronization
import TestSupport
import Testing

/// WATCH against the real server: `! ` push lines go only to the sessions whose role and
/// locations fit, only once the change is durable, never inside a reply, in commit order; a
/// watcher that stops reading gets `! overflow` and slows nobody.
@Suite struct WatchTests {
    /// The shop of `setUpShop` plus a supervisor per store and one for both, and stock to sell.
    static func chain(_ server: ServerProcess) throws -> Client {
        try setUpShop(server)
        let admin = try server.login("admin")
        for line in ["USER ADD supA role=supervisor password=supA locations=STORE1",
                     "USER ADD supB role=supervisor password=supB locations=STORE2",
                     "USER ADD supC role=supervisor password=supC locations=STORE1",
                     "PURCHASE P-1 location=STORE1 supplier=S1 A100:5000", "PURCHASE P-2 location=STORE2 supplier=S1 A100:5000",
                     "SALE S-1 location=STORE1 A100:60000", "SALE S-2 location=STORE2 A100:20000"] {
            let reply = try admin.call(line)
            guard reply.ok else { throw Client.Failure(message: "\(line): \(reply.status)") }
        }
        return admin
    }

    static func push(_ client: Client, seconds: Double = 10) throws -> String {
        guard let line = try client.nextPush(within: seconds) else { throw Client.Failure(message: "no push within \(seconds) s") }
        return line
    }

    @Test func eachWatcherHearsOnlyOfItsOwnStores() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let admin = try WatchTests.chain(server)
        let supA = try server.login("supA"), supB = try server.login("supB"), clerk = try server.login("clerk1")
        #expect(try supA.call("WATCH").status == "OK watching=0")
        #expect(try supB.call("WATCH").status == "OK watching=0")
        #expect(try clerk.call("WATCH").code == "DENIED")

        #expect(try clerk.call("RETURN S-1 A100:1 reason=DEFECTIVE").ok)                 // R000001 at STORE1
        #expect(try WatchTests.push(supA)
                == "! pending id=R000001 location=STORE1 kind=sale order=S-1 amount=25.00 reason=DEFECTIVE filed_by=clerk1")
        #expect(try clerk.call("RETURN S-2 A100:2 reason=DAMAGED").ok)                   // R000002 at STORE2
        #expect(try clerk.call("RETURN S-1 A100:3 reason=DEFECTIVE").ok)                 // R000003 at STORE1
        #expect(try WatchTests.push(supB).hasPrefix("! pending id=R000002 location=STORE2"))
        #expect(try WatchTests.push(supA).hasPrefix("! pending id=R000003 location=STORE1"))  // R000002 was not for it

        // A new watcher counts what it could act on; an approval closes it on the other screens.
        let supC = try server.login("supC")
        #expect(try supC.call("WATCH").status == "OK watching=2")
        #expect(try supC.call("APPROVE R000001").ok)
        #expect(try WatchTests.push(supA) == "! closed id=R000001 state=approved by=supC")
        #expect(try WatchTests.push(supC) == "! closed id=R000001 state=approved by=supC")
        // A return leaving the watcher's scope is closed on its screen.
        #expect(try admin.call("USER SCOPE supA locations=STORE2").ok)
        #expect(try WatchTests.push(supA) == "! closed id=R000003 state=pending by=admin")
        #expect(try clerk.call("RETURN S-2 A100:1 reason=DEFECTIVE").ok)                 // R000004 at STORE2
        #expect(try WatchTests.push(supA).hasPrefix("! pending id=R000004 location=STORE2"))
        #expect(try supA.call("UNWATCH").status == "OK watching=0")
        #expect(try clerk.call("RETURN S-2 A100:1 reason=DEFECTIVE").ok)
        #expect(try WatchTests.push(supB).hasPrefix("! pending id=R000004"))
        #expect(try WatchTests.push(supB).hasPrefix("! pending id=R000005"))
        #expect(try supA.call("PING").status == "OK pong")
        #expect(supA.pushes.isEmpty)
        let info = try admin.call("INFO")
        #expect(info.data.contains { $0.hasPrefix("* section=push watchers=2 ") })
    }

    /// A VOID is told to every watcher whose locations hold the return, whatever it was told before.
    @Test func aVoidIsToldToTheWatchersOfItsLocation() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        _ = try WatchTests.chain(server)
        let supA = try server.login("supA"), supB = try server.login("supB"), supC = try server.login("supC")
        let clerk = try server.login("clerk1"), admin = try server.login("admin")
        #expect(try clerk.call("RETURN S-1 A100:1 reason=DEFECTIVE").ok)                 // R000001 at STORE1
        #expect(try supC.call("APPROVE R000001").ok)
        let doc = try supC.call("SHOW R000001")["doc"] ?? "?"
        #expect(try supA.call("WATCH").ok)
        #expect(try supB.call("WATCH").ok)
        #expect(try supC.call("VOID R000001 reason=DEFECTIVE note=mine").code == "SELF_APPROVAL")
        let voided = try admin.call("VOID R000001 reason=DEFECTIVE note=\"wrong receipt\"")
        #expect(voided.ok && voided["voids"] == doc, "\(voided)")
        #expect(try WatchTests.push(supA) == "! voided id=R000001 doc=\(voided["doc"] ?? "?") location=STORE1 by=admin")
        #expect(try supB.call("PING").ok)
        #expect(supB.pushes.isEmpty)
    }

    @Test func loggingInAsAnotherUserEndsTheWatch() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        _ = try WatchTests.chain(server)
        let session = try server.login("supA"), other = try server.login("supC"), clerk = try server.login("clerk1")
        #expect(try session.call("WATCH").ok)
        #expect(try other.call("WATCH").ok)
        #expect(try session.call("AUTH clerk2 clerk2").ok)
        #expect(try clerk.call("RETURN S-1 A100:1 reason=DEFECTIVE").ok)
        #expect(try WatchTests.push(other).hasPrefix("! pending id=R000001 "))
        // supC's push and any for this session leave in the same round: the PING's reply comes after.
        #expect(try session.call("PING").ok)
        #expect(session.pushes.isEmpty, "\(session.pushes)")
    }

    @Test func aBigReturnGoesToFinanceAndMovesOnlyAtTheSecondApproval() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let admin = try WatchTests.chain(server)
        #expect(try admin.call("RULE ADD BIG then=second min_amount=500.00 note=\"over 500 to finance\"").status == "OK rule=BIG")
        let sup = try server.login("supA"), finance = try server.login("fin1"), clerk = try server.login("clerk1")
        #expect(try sup.call("WATCH").ok)
        #expect(try finance.call("WATCH").status == "OK watching=0")

        #expect(try clerk.call("RETURN S-1 A100:30 reason=DEFECTIVE").status
                == "OK id=R000001 state=pending kind=sale amount=750.00 doc=\"\"")
        #expect(try WatchTests.push(sup).hasPrefix("! pending id=R000001 location=STORE1 kind=sale order=S-1 amount=750.00"))
        let stockBefore = try clerk.call("STOCK A100 location=STORE1").status
        #expect(try finance.call("APPROVE R000001").code == "DENIED")
        #expect(try sup.call("APPROVE R000001").status
                == "OK id=R000001 state=second_review doc=\"\" amount=750.00 fee=\"\" net=\"\" exchange_order=\"\" due=\"\" refund=\"\" tender=\"\" tax=\"\" net_tax=\"\"")
        #expect(try clerk.call("STOCK A100 location=STORE1").status == stockBefore)
        #expect(try WatchTests.push(sup) == "! closed id=R000001 state=second_review by=supA")
        #expect(try WatchTests.push(finance) == "! second_review id=R000001 location=STORE1 amount=750.00 approved_by=supA")

        let done = try finance.call("APPROVE R000001")
        #expect(done.status == "OK id=R000001 state=approved doc=RT-\(today())-0001 amount=750.00 fee=0.00 net=750.00 exchange_order=\"\" due=\"\" refund=cash:750.00 tender=\"\" tax=0.00 net_tax=0.00")
        #expect(try WatchTests.push(finance) == "! closed id=R000001 state=approved by=fin1")
        #expect(Int(try clerk.call("STOCK A100 location=STORE1")["on_hand"]!) == Int(Client.field("on_hand", in: stockBefore)!)! + 30)
        let show = try finance.call("SHOW R000001")
        #expect(show.status.contains(#" rules=BIG exchange="" override=no "#))
        #expect(show.data.filter { $0.hasPrefix("* event") }.compactMap { Client.field("action", in: $0) }
                == ["filed", "first_approval", "approved"])
        #expect(try finance.call("DOC RT-\(today())-0001")["approved_by"] == "fin1")
    }

    @Test func fiftyFilersAndFiveWatchersEachGetExactlyTheirPushesInOrder() throws {
        let seed = testSeed("fiftyFilersAndFiveWatchers")
        let server = try ServerProcess()
        defer { server.stop() }
        let admin = try WatchTests.chain(server)
        let watcherUsers = ["supA", "supB", "supC", "sup1", "supD"]
        #expect(try admin.call("USER ADD supD role=supervisor password=supD locations=STORE2").ok)
        let scopes = ["supA": ["STORE1"], "supB": ["STORE2"], "supC": ["STORE1"], "sup1": ["STORE1", "STORE2"], "supD": ["STORE2"]]
        let watchers = try watcherUsers.map { user -> Client in
            let client = try server.login(user)
            #expect(try client.call("WATCH").status == "OK watching=0")
            return client
        }
        let filers = 50, perFiler = 4
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: filers) { i in
            var random = SeededGenerator(seed: seed &+ UInt64(i))
            do {
                let clerk = try server.login(i % 2 == 0 ? "clerk1" : "clerk2")
                for j in 0..<perFiler {
                    let order = Bool.random(using: &random) ? "S-1" : "S-2"
                    if try !clerk.call("RETURN \(order) A100:1 reason=DEFECTIVE key=f\(i)-\(j)").ok { failures.withLock { $0 += 1 } }
                }
            } catch { failures.withLock { $0 += 1 } }
        }
        #expect(failures.withLock { $0 } == 0)
        // The truth: every return by store, in filing (commit) order.
        let list = try admin.call("LIST limit=1000")
        var byStore: [String: [String]] = [:]
        for line in list.data.reversed() { byStore[Client.field("location", in: line)!, default: []].append(Client.field("id", in: line)!) }
        #expect(byStore.values.reduce(0) { $0 + $1.count } == filers * perFiler)
        // A last return at each store marks the end of the stream for every watcher.
        let clerk = try server.login("clerk1")
        for order in ["S-1", "S-2"] {
            let id = try clerk.call("RETURN \(order) A100:1 reason=OTHER")["id"]!
            byStore[order == "S-1" ? "STORE1" : "STORE2"]!.append(id)
        }
        for (user, watcher) in zip(watcherUsers, watchers) {
            let expected = scopes[user]!.flatMap { byStore[$0]! }.sorted()
            var got: [String] = []
            while got.count < expected.count {
                let line = try WatchTests.push(watcher)
                #expect(line.hasPrefix("! pending "), "\(user): \(line)")
                got.append(Client.field("id", in: line)!)
            }
            #expect(got == expected, "\(user) (seed \(seed))")   // each once, ids ascending = commit order
        }
    }

    @Test func aWatcherThatNeverReadsIsCutToOneOverflowLine() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let admin = try WatchTests.chain(server)
        let stalled = try Client(port: server.port, receiveBuffer: 4096)
        #expect(try stalled.call("AUTH supA supA").ok)
        #expect(try stalled.call("WATCH").ok)
        let reader = try server.login("supC")
        #expect(try reader.call("WATCH").ok)
        // Enough pushes to fill the stalled socket's buffers (the kernel takes up to 4 MiB: about 27,000 lines) and queue 1,000 more.
        let count = 40_000
        let clerks = try (0..<4).map { _ in try server.login("clerk1") }
        for (i, clerk) in clerks.enumerated() {
            try clerk.send((0..<count / 4).map { "RETURN S-1 A100:1 reason=DEFECTIVE key=o\(i)-\($0)\n" }.joined())
        }
        var seen = 0
        let started = monotonicSeconds()
        while seen < count {
            let line = try WatchTests.push(reader, seconds: 60)
            if line.hasPrefix("! pending ") { seen += 1 }
        }
        for clerk in clerks { #expect(try clerk.readReplies(count / 4).allSatisfy(\.ok)) }
        // The others were served meanwhile, and a fresh client is answered at once.
        let fresh = try server.connect()
        let pingStart = monotonicSeconds()
        #expect(try fresh.call("PING").ok)
        #expect(monotonicSeconds() - pingStart < 1.0)
        print("WatchTests: \(count) pushes to the reading watcher in \(monotonicSeconds() - started) s")
        #expect(try admin.call("INFO").data.contains { $0.contains("section=push") && !$0.contains("overflows=0") })

        // The stalled watcher reads at last: some lines, then one overflow line counting the rest.
        var pending = 0, dropped = 0
        while dropped == 0 {
            let line = try WatchTests.push(stalled, seconds: 30)
            if line.hasPrefix("! pending ") { pending += 1 }
            if line.hasPrefix("! overflow dropped=") { dropped = Int(line.dropFirst("! overflow dropped=".count))! }
        }
        #expect(pending + dropped == count)
        #expect(dropped > 1000)
        #expect(try stalled.call("PING").status == "OK pong")
    }
}

func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Today's UTC date as document numbers print it.
func today() -> String {
    let now = time(nil)
    var tm = tm()
    var t = now
    gmtime_r(&t, &tm)
    return String(format: "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday)
}
