import Foundation
import Glibc
import Testing

/// Issue 13's first fault: out of file descriptors, the accept loop spun (1.6 s of CPU in 2 s).
/// The server must refuse newcomers with `ERR LIMIT`, stay cool, and serve again once
/// descriptors free up.
@Suite struct DescriptorLimitTests {
    /// User plus system CPU seconds of a process, from /proc.
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
        return (Double(fields[11])! + Double(fields[12])!) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test func outOfDescriptorsTheServerRefusesStaysCoolAndRecovers() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let pid = server.process.processIdentifier
        // prlimit(1) of util-linux (Debian: always there); Glibc's prlimit(2) needs _GNU_SOURCE.
        let tool = Process()
        tool.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        tool.arguments = ["--pid", String(pid), "--nofile=64:64"]
        try tool.run()
        tool.waitUntilExit()
        #expect(tool.terminationStatus == 0)

        var accepted: [Client] = [], refused = 0, limitLines = 0
        for _ in 0..<200 {
            let client = try Client(port: server.port, timeoutSeconds: 10)
            try? client.send("PING\n")
            switch try? client.readLine() {
            case "OK pong": accepted.append(client)
            case let line?: refused += 1; if line.hasPrefix("ERR LIMIT") { limitLines += 1 }
            case nil: refused += 1
            }
        }
        #expect(accepted.count > 20 && accepted.count < 64, "\(accepted.count) accepted")
        #expect(refused == 200 - accepted.count)
        #expect(limitLines > 0)

        // A window of measurement, not a wait for anything: the server idles with its table full.
        let before = try DescriptorLimitTests.cpuSeconds(pid)
        var pause = timespec(tv_sec: 1, tv_nsec: 0)
        nanosleep(&pause, nil)
        let used = try DescriptorLimitTests.cpuSeconds(pid) - before
        print("DescriptorLimitTests: \(accepted.count) served, \(refused) refused, \(used) s of CPU in 1 s")
        #expect(used < 0.3, "\(used) s of CPU in 1 s while out of descriptors")

        accepted.removeAll()  // closes them
        let deadline = Date().addingTimeInterval(10)
        var servedAgain = false
        while !servedAgain, Date() < deadline {
            let client = try Client(port: server.port, timeoutSeconds: 10)
            if (try? client.call("AUTH admin \(ServerProcess.adminPassword)"))?.ok == true {
                servedAgain = true
                let info = try client.call("INFO")
                let line = info.data.first { $0.hasPrefix("* section=connections") } ?? ""
                #expect(Int(Client.field("out_of_fds", in: line) ?? "0")! >= refused, "\(line)")
            }
        }
        #expect(servedAgain)
    }
}
