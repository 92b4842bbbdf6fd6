import Foundation
import Glibc
import Synchronization
import Testing

/// Issue 13's second fault: SIGTERM with clients filing returns closed some connections without
/// the reply of a return the log holds. SIGTERM (protocol.md, Running the server): stop taking
/// requests, finish those in flight, flush, reply, exit 0. Every return in the log must have had
/// its OK.
@Suite struct ShutdownTests {
    @Test func sigtermAnswersEveryRequestItCarriedOut() throws {
        let server = try ServerProcess()
        try setUpShop(server)
        let admin = try server.login("admin")
        #expect(try admin.call("SALE S-T location=STORE1 A100:1000000").ok)
        let clients = 12
        let acknowledged = Mutex(0), started = Mutex(0)
        let done = DispatchGroup()
        for i in 0..<clients {
            done.enter()
            let clerk = try server.login("clerk1")
            Thread.detachNewThread {
                defer { done.leave() }
                var n = 0
                while true {
                    // Pipelined, so that requests are always in flight when the signal comes.
                    let lines = (0..<20).map { j in "RETURN S-T A100:1 reason=DEFECTIVE key=t\(i)-\(n + j)\n" }
                    guard (try? clerk.send(lines.joined())) != nil else { return }
                    for _ in lines {
                        guard let reply = try? clerk.readReply() else { return }
                        if reply.ok { acknowledged.withLock { $0 += 1 } }
                    }
                    n += lines.count
                    started.withLock { $0 += 1 }
                }
            }
        }
        // Signal once every client has had a few rounds answered.
        let deadline = Date().addingTimeInterval(30)
        while started.withLock({ $0 }) < clients * 3, Date() < deadline { usleep(1000) }
        #expect(server.stop(keepData: true) == 0)
        #expect(done.wait(timeout: .now() + 30) == .success)

        let restarted = try ServerProcess(directory: server.directory)
        defer { restarted.stop(); try? FileManager.default.removeItem(at: server.directory) }
        let list = try restarted.login("admin").call("LIST limit=1")
        let stored = Int(Client.field("total", in: list.status) ?? "-1")!
        print("ShutdownTests: \(stored) returns stored, \(acknowledged.withLock { $0 }) acknowledged")
        #expect(stored == acknowledged.withLock { $0 }, "returns stored without their OK")
    }
}
