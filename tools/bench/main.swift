import Foundation

// bench: a closed-loop load generator for ReturnLedger (and, for comparison, Redis), in the
// spirit of redis-benchmark. Each of --connections workers sends --pipeline operations, waits
// for all their replies, and repeats, until --requests operations are done or --duration
// seconds have passed. A reply is complete at the line starting with OK or ERR.
//
//   bench --mix return --connections 50 --pipeline 16 --requests 200000
//   bench --target redis --port 6379 --mix return --connections 50 --pipeline 1 --duration 10
//   bench --mix custom --command "STATS by=reason" --connections 1 --requests 20
//
// Mixes: stock (STOCK read), sale (SALE), return (RETURN then APPROVE, with keys), stats
// (STATS by=reason), custom (--command), connect (a new connection each: connect, PING, close).
// ReturnLedger setup logs in as admin (--password). --tls: the same over TLS.

let usage = """
    usage: bench [--target returnledger|redis] [--host H] [--port P] [--connections N] [--pipeline N]
                 [--requests N | --duration SECONDS] [--mix stock|sale|return|stats|custom]
                 [--command LINE] [--password ADMIN_PASSWORD] [--tls] [--tenders]
    --tenders pays every sale 40% cash and 60% card (tender=), so returns are refunded the same way.
    --tls speaks TLS to the server's --tls-port (default then 7481); --mix connect opens a new
    connection per operation (connect, handshake with --tls, PING, close): handshakes per second.
    """

func parse() -> Options {
    var o = Options()
    var args = Array(CommandLine.arguments.dropFirst())
    func value() -> String {
        guard !args.isEmpty else { fail("missing value") }
        return args.removeFirst()
    }
    while !args.isEmpty {
        let flag = args.removeFirst()
        switch flag {
        case "--target": o.target = value()
        case "--host": o.host = value()
        case "--port": o.port = Int(value()) ?? 0
        case "--connections", "-c": o.connections = Int(value()) ?? 1
        case "--pipeline", "-P": o.pipeline = Int(value()) ?? 1
        case "--requests", "-n": o.requests = Int(value())
        case "--duration": o.duration = Double(value())
        case "--mix": o.mix = Mix(rawValue: value()) ?? { fail("unknown mix") }()
        case "--command": o.command = value(); o.mix = .custom
        case "--password": o.password = value()
        case "--tls": o.tls = true
        case "--tenders": o.tenders = true
        case "-h", "--help": print(usage); exit(0)
        default: fail("unknown flag \(flag)\n\(usage)")
        }
    }
    if o.target == "redis" && o.tenders { fail("--tenders is for ReturnLedger: the Redis scripts take no tenders") }
    if o.target == "redis" && o.port == 7480 { o.port = 6379 }
    if o.tls && o.port == 7480 { o.port = 7481 }
    if o.requests == nil && o.duration == nil { o.requests = 100_000 }
    return o
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("bench: \(message)\n".utf8))
    exit(2)
}

final class Shared: @unchecked Sendable {
    let lock = NSLock()
    var remaining: Int
    var latencies: [UInt64] = []
    var errors: [String] = []
    let deadline: UInt64?
    init(remaining: Int, deadline: UInt64?) { self.remaining = remaining; self.deadline = deadline }

    /// How many operations the next batch may take (0: stop).
    func claim(_ wanted: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        if let deadline, now() >= deadline { return 0 }
        let n = min(wanted, remaining)
        remaining -= n
        return n
    }
}

let o = parse()
do {
    if o.target == "redis" { try RedisTarget.setup(o) } else { try ReturnLedgerTarget.setup(o) }
} catch {
    fail("setup: \(error)")
}
var workers: [Worker] = []
do {
    for i in 0..<o.connections {
        workers.append(o.target == "redis" ? try RedisTarget.worker(o, i) : try ReturnLedgerTarget.worker(o, i))
    }
} catch {
    fail("connect: \(error)")
}

let started = now()
let shared = Shared(remaining: o.requests ?? Int.max, deadline: o.duration.map { started + UInt64($0 * 1e9) })
let group = DispatchGroup()
for worker in workers {
    group.enter()
    let thread = Thread {
        var mine: [UInt64] = []
        mine.reserveCapacity(1 << 16)
        do {
            while true {
                let n = shared.claim(o.pipeline)
                if n == 0 { break }
                mine += try worker.run(n)
            }
        } catch {
            shared.lock.lock(); shared.errors.append("\(error)"); shared.lock.unlock()
        }
        shared.lock.lock(); shared.latencies += mine; shared.lock.unlock()
        group.leave()
    }
    thread.stackSize = 1 << 20
    thread.start()
}
group.wait()
let seconds = Double(now() - started) / 1e9
let sorted = shared.latencies.sorted()
func percentile(_ p: Double, _ sorted: [UInt64]) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p / 100))]) / 1e6
}
let ops = sorted.count
// The worst and how many over 10 ms: what a client waited at most (ARCHIVE's promise, section 23).
let slow = sorted.reversed().prefix { $0 > 10_000_000 }.count
print(String(format: "target=%@ mix=%@ connections=%d pipeline=%d ops=%d seconds=%.2f ops_per_s=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f errors=%d max_ms=%.3f over_10ms=%d",
             o.target, o.mix.rawValue, o.connections, o.pipeline, ops, seconds, Double(ops) / seconds,
             percentile(50, sorted), percentile(99, sorted), percentile(99.9, sorted), shared.errors.count,
             Double(sorted.last ?? 0) / 1e6, slow))
for e in Set(shared.errors).prefix(3) { FileHandle.standardError.write(Data("bench: error: \(e)\n".utf8)) }
exit(shared.errors.isEmpty ? 0 : 1)
