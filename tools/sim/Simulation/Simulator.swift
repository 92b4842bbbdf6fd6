import ReturnLedgerCore
import ReturnLedgerStorage
import TestSupport

/// A seeded, deterministic simulation of the returns desk's durability (issue 13): clients file
/// sales, returns, approvals and payments through the core ledger and the real write-ahead log,
/// snapshots and recovery, as the engine does (decide, append, apply; a reply counts once the log
/// says its record is durable), over a `SimulatedDisk`. At random points the process crashes
/// (what was written survives) or the power goes (what was not synced is lost, the rest torn at a
/// random byte or sector), the disk fills up or an fsync fails; then the directory is recovered
/// and checked:
/// - every acknowledged change is there (the recovered log reaches its record, and its effect:
///   the order, the return under its key, the approval);
/// - the recovered state's digest equals the live state's digest at the same sequence;
/// - no key names two returns (a client retries an unacknowledged RETURN with its key after
///   every crash: it must come back `existed`, never as a second return);
/// - document numbers are gapless per date; every party's balance is the sum of its entries.
/// No real clock (time advances a second per operation) and no real disk; one thread drives
/// everything (group commit is an explicit `flush` at random points), so a seed replays exactly.
public struct Simulator {
    public struct Report: Sendable {
        public var operations = 0, acknowledged = 0, crashes = 0, powerCuts = 0, diskFull = 0, syncFailures = 0
        public var snapshots = 0, retries = 0
        public var violations: [String] = []
        /// The last faults and recoveries, for a failing run's report.
        public var trace: [String] = []
        public init() {}

        /// Adds another run's counts (the violations and trace stay this run's).
        public mutating func add(_ other: Report) {
            operations += other.operations
            acknowledged += other.acknowledged
            crashes += other.crashes
            powerCuts += other.powerCuts
            diskFull += other.diskFull
            syncFailures += other.syncFailures
            snapshots += other.snapshots
            retries += other.retries
        }
    }

    struct Op {
        var command: Command
        var name: String
        var user: String
        var role: Role
        /// The return key, for a RETURN (retried with it until acknowledged).
        var key: String?
    }

    public let seed: UInt64
    var random: SeededGenerator
    let disk = SimulatedDisk()
    let directory = DataDirectory("/sim")
    var ledger = Ledger()
    var wal: WriteAheadLog!
    var now = Timestamp(parsing: "2026-12-01T09:00:00Z")!
    /// What recovery must reproduce, for any sequence a crash may end the log at: the state as
    /// of the last commit, and the records appended after it (a state's digest is computed only
    /// for the sequence a recovery reached).
    var committed = Ledger()
    var committedSeq: UInt64 = 0
    var tail: [(seq: UInt64, events: [Event])] = []
    /// Orders whose sale was acknowledged: what clients return against.
    var sales: [String] = []
    /// Acknowledged: (seq, op, the reply).
    var acknowledged: [(seq: UInt64, op: Op, result: Result<Reply, DomainError>)] = []
    /// Appended, waiting for the log, with the reply each will get: cleared at a crash (those
    /// replies were never sent).
    var inFlight: [(seq: UInt64, op: Op, result: Result<Reply, DomainError>)] = []
    /// RETURNs not yet acknowledged, to retry after a crash.
    var unacknowledgedReturns: [String: Op] = [:]
    var storageFailed = false
    var report = Report()
    var nextOrder = 1, nextKey = 1
    let clients: Int

    public init(seed: UInt64, clients: Int = 8) {
        self.seed = seed
        self.random = SeededGenerator(seed: seed)
        self.clients = clients
    }

    /// Runs `operations` operations with about `faults` crash, power-loss or disk-fault points.
    public mutating func run(operations: Int, faults: Int) -> Report {
        open(recovered: nil)
        setUp()
        let faultEvery = max(1, operations / max(1, faults))
        for i in 0..<operations {
            step()
            if random.below(3) == 0 { commit() }
            if random.below(150) == 0 { snapshot() }
            if i % faultEvery == faultEvery - 1 || storageFailed { fault() }
            if !report.violations.isEmpty { break }
        }
        if report.violations.isEmpty { fault() }  // and a last one
        return report
    }

    // MARK: The desk

    mutating func open(recovered: Recovery.Result?) {
        wal = try! WriteAheadLog(directory: directory, fs: disk, policy: .always, lastSeq: recovered?.lastSeq ?? 0,
                                 segment: recovered?.lastSegment, segmentLimit: 8 << 10)
        wal.startFlusher = { _ in }  // never on its own: `commit` flushes, at moments the seed picks
        storageFailed = false
    }

    mutating func setUp() {
        var setup: [Command] = [
            .userAdd(name: "admin", role: .admin, passwordHash: "$y$x"), .userAdd(name: "sup", role: .supervisor, passwordHash: "$y$x"),
            .userAdd(name: "fin", role: .finance, passwordHash: "$y$x"),
            .locationAdd(Location(code: "STORE1", name: "Main", kind: .store)),
            .skuAdd(Product(sku: "A100", name: "Kettle", price: Money(minor: 2500), cost: Money(minor: 1400), inspect: false)),
            .skuAdd(Product(sku: "B300", name: "Headphones", price: Money(minor: 5900), cost: Money(minor: 3100), inspect: true)),
            .partyAdd(Party(id: "C1", kind: .customer, name: "Ana")), .partyAdd(Party(id: "C2", kind: .customer, name: "王芳")),
        ]
        for c in 0..<clients { setup.append(.userAdd(name: "clerk\(c)", role: .clerk, passwordHash: "$y$x")) }
        for command in setup { submit(Op(command: command, name: "SETUP", user: "admin", role: .admin, key: nil)) }
        commit()
    }

    /// One client's next request, made from what it has seen acknowledged.
    mutating func step() {
        let clerk = "clerk\(random.below(clients))"
        let pending = ledger.openReturns.sorted().map { ledger.returns[$0 - 1].id }  // numbers count from 1
        var choice = random.below(10)
        if (3...5).contains(choice), sales.isEmpty { choice = 0 }
        if (6...7).contains(choice), pending.isEmpty { choice = 9 }
        switch choice {
        case 0, 1, 2:
            let order = "S\(seed % 1000)-\(nextOrder)"
            nextOrder += 1
            let items = [ItemSpec(sku: random.below(2) == 0 ? "A100" : "B300", quantity: Int64(1 + random.below(4)))]
            let trade = TradeRequest(order: order, location: "STORE1", party: random.below(3) == 0 ? nil : "C\(1 + random.below(2))",
                                     paid: random.below(2) == 0, at: nil, items: items)
            submit(Op(command: .sale(trade), name: "SALE", user: clerk, role: .clerk, key: nil))
        case 3, 4, 5:
            let order = sales[random.below(sales.count)]
            let key = "k\(seed % 1000)-\(nextKey)"
            nextKey += 1
            let sku = ledger.orders[order]?.lines.first?.sku ?? "A100"
            let filing = ReturnFiling(order: order, items: [ItemSpec(sku: sku, quantity: 1)], reason: "DEFECTIVE", location: nil,
                                      note: "sim", key: key)
            let op = Op(command: .fileReturn(filing), name: "RETURN", user: clerk, role: .clerk, key: key)
            unacknowledgedReturns[key] = op
            submit(op)
        case 6, 7:
            let id = pending[random.below(pending.count)]
            let refund: RefundMode? = random.below(2) == 0 ? nil : .credit
            submit(Op(command: .approve(id: id, refund: refund, fee: nil, note: ""), name: "APPROVE", user: "sup",
                      role: .supervisor, key: nil))
        case 8:
            submit(Op(command: .payment(party: "C\(1 + random.below(2))", amount: Money(minor: Int64(100 + random.below(5000))),
                                                        direction: random.below(2) == 0 ? .in : .out, note: "sim"),
                      name: "PAYMENT", user: "fin", role: .finance, key: nil))
        default:
            if let retry = unacknowledgedReturns.sorted(by: { $0.key < $1.key }).first?.value, !inFlight.contains(where: { $0.op.key == retry.key }) {
                report.retries += 1
                submit(retry)
            }
        }
    }

    /// What the engine does with a change: decide, log, apply; the reply waits for the log.
    mutating func submit(_ op: Op) {
        guard !storageFailed else { return }
        now = Timestamp(seconds: now.seconds + 1)
        report.operations += 1
        var context = Context(user: op.user, role: op.role, peer: "sim", now: now)
        if let known = ledger.users[op.user] { context.scope = known.locations }
        let (events, result) = ledger.record(op.command, name: op.name, context)
        let seq: UInt64
        do {
            seq = try wal.append(LogEntry(at: now, actor: op.user, events: events))
        } catch {
            storageFailed = true
            return
        }
        ledger.apply(events)
        tail.append((seq, events))
        inFlight.append((seq, op, result))
    }

    /// Group commit: the log writes and fsyncs what is pending; replies of durable records go out.
    mutating func commit() {
        wal.flush()
        let durable = wal.status.durableSeq
        if wal.failure != nil { storageFailed = true }
        let done = inFlight.filter { $0.seq <= durable }
        inFlight.removeAll { $0.seq <= durable }
        for (seq, op, result) in done {
            acknowledged.append((seq, op, result))
            report.acknowledged += 1
            if let key = op.key, case .success = result { unacknowledgedReturns[key] = nil }
            if case .sale(let trade) = op.command, case .success = result { sales.append(trade.order) }
        }
        // Once everything appended is durable, any crash recovers at least this: the tail restarts.
        if durable == wal.lastSeq {
            committed = ledger
            committedSeq = durable
            tail = []
        }
    }

    mutating func snapshot() {
        commit()
        guard !storageFailed else { return }
        let seq = wal.lastSeq
        guard let written = try? Snapshot.write(ledger, seq: seq, to: directory, fs: disk) else { storageFailed = true; return }
        report.snapshots += 1
        wal.rotate()
        wal.dropCovered(by: seq, keepSnapshot: written.name)
        wal.flush()
    }

    // MARK: Faults and the checks after them

    /// A disk fault (a full disk, or a failing fsync) with a few more requests meeting it, then a
    /// crash or a power cut; or a crash or a power cut alone.
    mutating func fault() {
        let kind = random.below(4)
        guard kind < 2, !storageFailed else { return crash(powerCut: kind == 2) }
        if kind == 0 {
            report.diskFull += 1
            note("disk full at op \(report.operations)")
            disk.fill(after: random.below(4096))
        } else {
            report.syncFailures += 1
            note("fsync fails at op \(report.operations)")
            disk.failSync(after: random.below(3))
        }
        for _ in 0..<random.below(8) { step() }
        commit()
        crash(powerCut: random.below(2) == 0)
    }

    mutating func crash(powerCut: Bool) {
        note("\(powerCut ? "power cut" : "crash") at op \(report.operations): appended \(wal.lastSeq), durable \(wal.status.durableSeq), committed \(committedSeq), storage failed \(storageFailed)")
        wal = nil  // the process is gone: nothing more reaches the disk
        if powerCut {
            report.powerCuts += 1
            var tearing = random  // each file torn its own way, the choices drawn from the run's seed
            disk.cutPower { unsynced in
                switch tearing.below(3) {
                case 0: return 0
                case 1: return tearing.below(unsynced + 1)                   // torn at a byte
                default: return (tearing.below(unsynced + 1) / 512) * 512   // torn at a sector
                }
            }
            random = tearing
        } else {
            report.crashes += 1
            disk.crashProcess()
        }
        inFlight = []
        let recovered: Recovery.Result
        do {
            recovered = try Recovery.load(directory, fs: disk, repair: true)
        } catch {
            return violation("recovery refused after a \(powerCut ? "power cut" : "crash"): \(error)")
        }
        note("recovered to \(recovered.lastSeq) (snapshot \(recovered.snapshotSeq)): \(recovered.notes.filter { !$0.hasPrefix("loaded") }.joined(separator: "; "))")
        check(recovered)
        ledger = recovered.ledger
        committed = ledger
        committedSeq = recovered.lastSeq
        tail = []
        open(recovered: recovered)
    }

    mutating func check(_ recovered: Recovery.Result) {
        let state = recovered.ledger
        if let last = acknowledged.map(\.seq).max(), recovered.lastSeq < last {
            violation("acknowledged record \(last) lost: the log ends at \(recovered.lastSeq)")
        }
        // The live state at the sequence recovery reached: the last commit's, plus the tail up to it.
        if recovered.lastSeq < committedSeq {
            violation("recovery reached \(recovered.lastSeq), before the last commit's \(committedSeq)")
        } else {
            var expected = committed
            for (seq, events) in tail where seq <= recovered.lastSeq { expected.apply(events) }
            if state.digest != expected.digest {
                violation("recovered state at \(recovered.lastSeq) has digest \(state.digest), live had \(expected.digest)")
            }
        }
        for (_, op, result) in acknowledged {
            guard case .success = result else { continue }
            switch op.command {
            case .sale(let trade) where state.orders[trade.order] == nil:
                violation("acknowledged sale \(trade.order) is gone")
            case .fileReturn where state.returnKeys[op.key ?? ""] == nil:
                violation("acknowledged return with key \(op.key ?? "") is gone")
            case .approve(let id, _, _, _):
                if let r = state.returnRequest(id), r.state == .pending || r.state == .second_review {
                    violation("acknowledged approval of \(id) is undone")
                }
            default: break
            }
        }
        var keys: [String: Int] = [:]
        for r in state.returns where !r.key.isEmpty { keys[r.key, default: 0] += 1 }
        for (key, count) in keys where count > 1 { violation("key \(key) names \(count) returns") }
        var perDay: [Substring: [Int]] = [:]
        for number in state.documents.keys where number.hasPrefix("RT-") {
            let parts = number.split(separator: "-")
            if parts.count == 3, let n = Int(parts[2]) { perDay[parts[1], default: []].append(n) }
        }
        for (day, numbers) in perDay where numbers.sorted() != Array(1...numbers.count) {
            violation("document numbers of \(day) are not gapless: \(numbers.sorted())")
        }
        for (party, balance) in state.balances {
            let entries = state.entries[party] ?? []
            if entries.reduce(Int64(0), { $0 + $1.amount.minor }) != balance.minor { violation("\(party)'s balance is not its entries' sum") }
        }
    }

    mutating func violation(_ text: String) { report.violations.append(text) }

    mutating func note(_ text: String) {
        report.trace.append(text)
        if report.trace.count > 12 { report.trace.removeFirst() }
    }
}

extension SeededGenerator {
    /// A number in 0..<n (0 when n <= 1).
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
}
