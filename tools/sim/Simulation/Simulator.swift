import Dispatch
import ReturnLedgerCore
import ReturnLedgerServer
import ReturnLedgerStorage
import ReturnLedgerWire
import SimulatedDisk
import Synchronization
import TestSupport

/// A seeded, deterministic simulation of the returns desk's durability (issue 13). Tills,
/// a supervisor and finance send request lines (pipelined at times) through the server's own
/// parser to the server's own `Engine`, which writes the real write-ahead log and snapshots to a
/// `SimulatedDisk`; a reply counts once the log says its batch's sequence is durable, as a
/// connection releases it. At random points the process crashes (what was written survives) or
/// the power goes (what was not synced is lost, the rest torn at a random byte or sector, and
/// each directory back to its last fsync), the disk fills up or an fsync fails (then the engine
/// goes read-only and reloads from disk, and is checked there: changes refused with ERR STORAGE,
/// DIGEST the state the disk holds). Then the directory is recovered, checked, and a new engine
/// serves on it:
/// - every acknowledged change is there (the recovered log reaches its record, and its effect:
///   the order, the return under its key, the approval at least as far as it was told);
/// - the recovered state's digest equals the engine's own state at the same sequence;
/// - no key names two returns (an unacknowledged RETURN is retried with its key after every
///   fault: it must come back `existed`, never as a second return);
/// - document numbers are gapless per date; every party's balance is the sum of its entries;
/// - every till session's figures are the sum of the durable sales and refunds that went through
///   it, its expected cash never below zero; store-credit lots never below zero;
/// - an exchange is approved only with its replacement goods on hand at the return location
///   (contract section 22.3, worked out here from the state the approval met): a completing
///   approval short of them is ERR STOCK, and ERR STOCK answers nothing else (not a first
///   approval, not an exchange with its goods there).
/// No real clock (a second per request) and no real disk; the engine's queues run what the
/// driver hands them and the driver waits for each (group commit is an explicit flush at random
/// points), so a seed replays exactly.
public struct Simulator {
    public struct Report: Sendable {
        public var operations = 0, acknowledged = 0, crashes = 0, powerCuts = 0, diskFull = 0, syncFailures = 0
        /// ARCHIVEs sent at a day's end, and those stopped dead at one of its steps.
        public var archives = 0, archiveCrashes = 0
        public var snapshots = 0, retries = 0, pipelined = 0
        /// Voids the last recovered state of each run held (its documents in the chain checked).
        public var voids = 0
        /// Returns of the last recovered state of each run that had left memory for their archives
        /// (read back for the books' checks).
        public var releasedReturns = 0
        /// Decisions on returned units (INSPECT's and DISPOSE's) and credit notes booked.
        public var inspections = 0
        public var vendorCredits = 0
        /// Exchanges approved, and completing approvals refused for want of their goods (ERR STOCK).
        public var exchanges = 0, exchangesShort = 0
        /// Transfers and adjustments or counts the last recovered state of each run held.
        public var transfers = 0
        public var stockMoves = 0
        /// Serial-numbered phones the last recovered state of each run had returned (by serial).
        public var serialReturns = 0
        /// Storage failures the engine served read-only through before the crash.
        public var readOnly = 0
        /// The warm standby: its crashes and power cuts, seeds, records taken; runs in sync mode.
        public var standbyFaults = 0, standbySeeds = 0, shipped = 0, syncRuns = 0
        public var violations: [String] = []
        /// The last faults, recoveries and server log lines, for a failing run's report.
        public var trace: [String] = []
        public init() {}

        /// Adds another run's counts (the violations and trace stay this run's).
        public mutating func add(_ other: Report) {
            operations += other.operations
            acknowledged += other.acknowledged
            crashes += other.crashes
            archives += other.archives
            archiveCrashes += other.archiveCrashes
            voids += other.voids
            releasedReturns += other.releasedReturns
            inspections += other.inspections
            vendorCredits += other.vendorCredits
            exchanges += other.exchanges
            exchangesShort += other.exchangesShort
            transfers += other.transfers
            stockMoves += other.stockMoves
            serialReturns += other.serialReturns
            powerCuts += other.powerCuts
            diskFull += other.diskFull
            syncFailures += other.syncFailures
            snapshots += other.snapshots
            retries += other.retries
            pipelined += other.pipelined
            readOnly += other.readOnly
            standbyFaults += other.standbyFaults
            standbySeeds += other.standbySeeds
            shipped += other.shipped
            syncRuns += other.syncRuns
        }
    }

    /// What a request line is, for the checks once its reply is acknowledged.
    enum Intent {
        case read
        case sale(order: String, sku: String)
        case fileReturn(key: String)
        case approve(id: String)
        case other
    }

    struct Request {
        var line: String
        var intent: Intent
    }

    /// A reply the connection holds until the log is durable up to `seq`.
    struct Held {
        var seq: UInt64
        var request: Request
        var result: Result<Reply, DomainError>
        /// For an approval: how far the return was when the engine answered (its state's rank).
        var reached = 0
    }

    public let seed: UInt64
    var random: SeededGenerator
    /// The days' ends and their ARCHIVEs draw from their own stream: the rest of a seed's run
    /// draws what it drew before days ended.
    var days: SeededGenerator
    let disk = SimulatedDisk()
    let directory = DataDirectory("/sim")
    let clock = SimulatedClock()
    let serverLog = ServerLog()
    var engine: Engine!
    var wal: WriteAheadLog!
    /// What recovery must reproduce at whatever sequence a crash ends the log: the engine's state
    /// when everything appended was last durable (the lowest key), and its state after each record since.
    var states: [UInt64: Ledger] = [:]
    /// The sequence everything appended was last durable at: no recovery may end before it.
    var committedSeq: UInt64 { states.keys.min() ?? 0 }
    /// Acknowledged sales (order, the sku sold): what clients return against.
    var sales: [(order: String, sku: String)] = []
    var acknowledged: [Held] = []
    var held: [Held] = []
    /// RETURNs not yet acknowledged (key → line), retried with their keys.
    var unacknowledgedReturns: [String: Request] = [:]
    /// The log failed (a flush met the full disk or the failing fsync): the engine is read-only.
    var storageFailed: Bool { wal.failure != nil }
    var report = Report()
    var nextOrder = 1, nextKey = 1
    let clerks: Int
    /// The warm standby (Simulator+Standby.swift); in sync mode (even seeds) replies also wait for it.
    var standby = SimulatedStandby()
    let syncMode: Bool
    /// Every record the primary fsynced and the link read, by sequence: the standby's log must be these bytes.
    var primaryRecords: [UInt64: [UInt8]] = [:]
    /// The primary's state digest at each sequence it fsynced: the standby's at the same sequence.
    var syncedDigests: [UInt64: String] = [:]
    var sessions: [String: Session] = [:]

    public init(seed: UInt64, clerks: Int = 8) {
        self.seed = seed
        self.random = SeededGenerator(seed: seed)
        self.days = SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        self.clerks = clerks
        self.syncMode = seed % 2 == 0
    }

    /// Runs `operations` requests with about `faults` crash, power-loss or disk-fault points.
    public mutating func run(operations: Int, faults: Int) -> Report {
        guard let empty = recover(after: "start") else { return report }
        open(empty)
        openStandby()
        setUp()
        let faultEvery = max(1, operations / max(1, faults))
        for i in 0..<operations {
            step()
            if random.below(3) == 0 { commit() }
            if random.below(3) == 0 { ship() }
            if random.below(60) == 0 { standbyFault() }
            if random.below(150) == 0 { snapshot() }
            if days.below(120) == 0 { endOfDay() }
            if i % faultEvery == faultEvery - 1 || storageFailed { fault() }
            if !report.violations.isEmpty { break }
        }
        if report.violations.isEmpty { fault() }  // and a last one
        if report.violations.isEmpty { standbyFault() }
        report.standbyFaults = standby.crashes + standby.powerCuts
        report.standbySeeds = standby.seeds
        report.shipped = standby.shipped
        report.syncRuns = syncMode ? 1 : 0
        return report
    }

    // MARK: The desk

    mutating func open(_ recovered: Recovery.Result) {
        wal = try! WriteAheadLog(directory: directory, fs: disk, policy: .always, lastSeq: recovered.lastSeq,
                                 segment: recovered.lastSegment, segmentLimit: 8 << 10)
        wal.startFlusher = { _ in }  // never on its own: `commit` flushes, at moments the seed picks
        // BACKUP is not among the simulated requests: its folder stays empty.
        let backups = Backups(directory: directory.path + "-backups", every: 0, keep: 1, fs: disk, clock: { [clock] in clock.now })
        engine = Engine(recovered: recovered, wal: wal, storage: directory, fs: disk, snapshotEvery: .max,
                        clock: { [clock] in clock.now }, counters: ServerCounters(startedAt: 0, pid: 0, fsyncPolicy: "always"),
                        setting: Engine.Setting(backups: backups, archives: ArchiveShelf(directory: directory.path, fs: disk)))
        engine.log = { [serverLog] line in serverLog.append(line) }
        // The simulated primary keeps no epoch history: its archives say epoch "".
        for line in engine.shelf.open(recovered.ledger, epochs: [""]) { note("server: \(line)") }
        states = [recovered.lastSeq: recovered.ledger]
    }

    mutating func setUp() {
        var setup: [Command] = [
            .userAdd(name: "admin", role: .admin, passwordHash: "$y$x"), .userAdd(name: "sup", role: .supervisor, passwordHash: "$y$x"),
            .userAdd(name: "fin", role: .finance, passwordHash: "$y$x"),
            .locationAdd(Location(code: "STORE1", name: "Main", kind: .store)),
            // Goods go to the mall through transit, to the back room (STORE1's building) at once.
            .locationAdd(Location(code: "STORE2", name: "Mall", kind: .store)),
            .locationAdd(Location(code: "BACK1", name: "Back room", kind: .warehouse, site: "STORE1")),
            .skuAdd(Product(sku: "A100", name: "Kettle", price: Money(minor: 2500), cost: Money(minor: 1400), inspect: false)),
            .skuAdd(Product(sku: "B300", name: "Headphones", price: Money(minor: 5900), cost: Money(minor: 3100), inspect: true)),
            .partyAdd(Party(id: "C1", kind: .customer, name: "Ana")), .partyAdd(Party(id: "C2", kind: .customer, name: "王芳")),
            // Where vendor-held headphones go back (protocol.md, Goods after the return).
            .partyAdd(Party(id: "S1", kind: .supplier, name: "Sound")),
            .skuSet(sku: "B300", name: nil, price: nil, cost: nil, inspect: nil, supplier: "S1"),
            // Returns of 50.00 or more (the headphones) need finance's second approval.
            .ruleAdd(Rule(code: "BIG", then: .second, minAmount: Money(minor: 5000), note: "finance approves too")),
            // Store credit lasts a day: the period close writes off what is left, so returns paid
            // in credit finish and whole blocks of returns leave memory when archived.
            .policySet(PolicyChange(creditDays: 1)),
            // Kettles on hand to send (a transfer never draws more than is on hand).
            .purchase(TradeRequest(order: "PO-SIM", location: "STORE1", party: "S1", paid: nil, at: nil,
                                   items: [ItemSpec(sku: "A100", quantity: 150)])),
        ]
        // Serial-numbered phones (protocol.md, Serial numbers), ten of them on hand at the main store.
        var phone = Product(sku: "P900", name: "Phone", price: Money(minor: 50_000), cost: Money(minor: 30_000), inspect: false)
        phone.serial = true
        setup.append(.skuAdd(phone))
        let serials = (1...10).map { "IMEI-\($0)" }
        setup.append(.purchase(TradeRequest(order: "PO-SIM-P", location: "STORE1", party: "S1", paid: nil, at: nil,
                                            items: [ItemSpec(sku: "P900", quantity: 10, serials: serials)])))
        for c in 0..<clerks { setup.append(.userAdd(name: "clerk\(c)", role: .clerk, passwordHash: "$y$x")) }
        // One drawer open all day: sales and refunds at times go through it (protocol.md, Tills).
        setup.append(.tillOpen(till: "POS1", location: "STORE1", float: Money(minor: 20_000), note: "sim"))
        let context = Context(user: "admin", role: .admin, peer: "sim", now: clock.now)
        engine.queue.sync {
            for command in setup { _ = engine.perform(command, name: "SETUP", context: context) }
        }
        commit()
    }

    /// The session of `user`, logged in (the password check is the Authenticator's, not simulated).
    mutating func session(_ user: String) -> Session {
        if let session = sessions[user] { return session }
        let session = Session(id: sessions.count + 1, peer: "sim", user: user)
        sessions[user] = session
        return session
    }

    /// One client's next requests: at times a read or two pipelined before its change.
    mutating func step() {
        let clerk = "clerk\(random.below(clerks))"
        let (pending, second) = engine.queue.sync { () -> ([String], [String]) in
            let open = engine.ledger.openReturns.sorted().map { engine.ledger.returns[$0 - 1] }
            return (open.filter { $0.state == .pending }.map(\.id), open.filter { $0.state == .second_review }.map(\.id))
        }
        var choice = random.below(16)
        if (3...5).contains(choice), sales.isEmpty { choice = 0 }
        if choice == 6, pending.isEmpty { choice = 9 }
        if choice == 7, second.isEmpty { choice = 9 }
        var user = clerk
        var change: Request?
        switch choice {
        case 0...2 where random.below(4) == 0:
            // Goods in at the store, so that some exchanges find their replacements on hand.
            let order = "P\(seed % 1000)-\(nextOrder)"
            nextOrder += 1
            let sku = random.below(2) == 0 ? "A100" : "B300"
            change = Request(line: "PURCHASE \(order) location=STORE1 supplier=S1 \(sku):\(2 + random.below(10))", intent: .other)
        case 0, 1, 2:
            let order = "S\(seed % 1000)-\(nextOrder)"
            nextOrder += 1
            let sku = random.below(2) == 0 ? "A100" : "B300"
            let party = random.below(3) == 0 ? "" : " customer=C\(1 + random.below(2))"
            let qty = 1 + random.below(4)
            // A paid sale at times through the till, at times split between a card and cash.
            var paid = random.below(2) == 0 ? " paid=yes" : " paid=no"
            if paid == " paid=yes", random.below(2) == 0 {
                let total = (sku == "A100" ? 2500 : 5900) * qty
                let card = random.below(total)
                paid += " till=POS1" + (card == 0 ? "" : " tender=card:\(Money(minor: Int64(card)))#4242,cash:\(Money(minor: Int64(total - card)))")
            }
            change = Request(line: "SALE \(order) location=STORE1\(party)\(paid) \(sku):\(qty)", intent: .sale(order: order, sku: sku))
        case 3, 4, 5:
            let sale = sales[random.below(sales.count)]
            // At times an exchange: other goods instead of money, handed over from stock on hand.
            let exchange = random.below(3) == 0 ? " exchange=" + ["A100:1", "B300:1", "A100:1,A100:1"][random.below(3)] : ""
            change = keyedReturn("k") { "RETURN \(sale.order) \(sale.sku):1 reason=DEFECTIVE note=\"sim 模拟\"\(exchange) key=\($0)" }
        case 6:
            user = "sup"
            let id = pending[random.below(pending.count)]
            let refund = [" refund=credit", " till=POS1", ""][random.below(3)]
            change = Request(line: "APPROVE \(id)\(refund)", intent: .approve(id: id))
        case 7:
            user = "fin"
            let id = second[random.below(second.count)]
            change = Request(line: "APPROVE \(id)", intent: .approve(id: id))
        case 8:
            user = "fin"
            let amount = Money(minor: Int64(100 + random.below(5000)))
            change = Request(line: "PAYMENT C\(1 + random.below(2)) amount=\(amount) direction=\(random.below(2) == 0 ? "in" : "out") note=sim",
                             intent: .other)
        case 9 where random.below(2) == 0:
            // A fat-fingered id: refused (and audited), nothing else changes.
            user = "sup"
            change = Request(line: "APPROVE R\(900_000 + random.below(1000))", intent: .other)
        case 9:
            // A VOID of some return (refused unless approved): adjusting documents in the chain.
            user = "admin"
            let returns = engine.queue.sync { engine.ledger.returns.count }
            change = Request(line: "VOID \(ReturnRequest.id(1 + random.below(max(1, returns)))) reason=DEFECTIVE note=sim", intent: .other)
        case 11:
            // Goods after the return: an inspecting return's units decided a few at a time, or
            // held goods moved on (refused when none are held: STOCK).
            user = "sup"
            let inspecting = engine.queue.sync { engine.ledger.returns.indices.reversed().first {
                engine.ledger.returns.isHeld($0) && engine.ledger.returns[$0].state == .inspecting
            }.map { ReturnRequest.id($0 + 1) } }
            if let id = inspecting {
                let lists = [" vendor=B300:1", " refurbish=B300:1", " scrap=B300:1 note=cracked", " restock", " regrade=B300:1>A100",
                             " vendor=B300:1 restock"]
                change = Request(line: "INSPECT \(id)\(lists[random.below(lists.count)])", intent: .other)
            } else {
                let from = random.below(2) == 0 ? "rtv" : "refurbish"
                let to = ["restock", "scrap", from == "rtv" ? "refurbish" : "vendor"][random.below(3)]
                change = Request(line: "DISPOSE location=STORE1 from=\(from) \(to)=B300:1 key=d\(seed % 1000)-\(nextKey)", intent: .other)
                nextKey += 1
            }
        case 12 where random.below(2) == 0:
            // Vendor-held headphones back to the supplier without an order (STOCK at approval when none are held).
            change = keyedReturn("v") { "RETURN - B300:1 supplier=S1 location=STORE1 reason=DEFECTIVE source=rtv rma=RMA-\($0) key=\($0)" }
        case 12:
            // The supplier's credit note for some return (refused unless an approved supplier return).
            user = "fin"
            let returns = engine.queue.sync { engine.ledger.returns.count }
            let amount = Money(minor: Int64(2000 + random.below(1500)))
            change = Request(line: "VENDOR CREDIT \(ReturnRequest.id(1 + random.below(max(1, returns)))) amount=\(amount) ref=CN-\(nextKey)",
                             intent: .other)
            nextKey += 1
        case 13:
            // Moving stock (protocol.md, Transfers; Adjustments and counts): kettles sent to the
            // mall or the back room, received short or over, called back; the main store's
            // kettles counted or adjusted (which puts a level sales drove negative right).
            let inTransit = engine.queue.sync { engine.ledger.transfers.values.filter { $0.state == .in_transit }.map(\.id).sorted() }
            let pick = random.below(6)
            if pick < 2 || (pick < 4 && inTransit.isEmpty) {
                let to = random.below(3) == 0 ? "BACK1" : "STORE2"
                change = Request(line: "TRANSFER SEND T\(seed % 1000)-\(nextKey) from=STORE1 to=\(to) A100:\(1 + random.below(3))",
                                 intent: .other)
                nextKey += 1
            } else if pick == 2 {
                let id = inTransit[random.below(inTransit.count)]
                change = Request(line: "TRANSFER RECEIVE \(id)" + (random.below(2) == 0 ? "" : " A100:\(random.below(4))"), intent: .other)
            } else if pick == 3 {
                change = Request(line: "TRANSFER CANCEL \(inTransit[random.below(inTransit.count)])", intent: .other)
            } else {
                user = "sup"
                let key = "m\(seed % 1000)-\(nextKey)"
                nextKey += 1
                change = Request(line: pick == 4 ? "COUNT location=STORE1 A100:\(random.below(12)) key=\(key)"
                                                 : "ADJUST \(random.below(2) == 0 ? "in" : "out") location=STORE1 reason=correction A100:1 key=\(key)",
                                 intent: .other)
            }
        case 14, 15:
            (user, change) = serialStep(clerk)
        default:
            if let retry = unacknowledgedReturns.sorted(by: { $0.key < $1.key }).first?.value,
               !held.contains(where: { $0.request.line == retry.line }) {
                report.retries += 1
                change = retry
            }
        }
        var requests: [Request] = []
        if random.below(4) == 0 {
            report.pipelined += 1
            let reads = ["PING", "STOCK A100", "SHOW R000001", "LIST state=pending limit=5", "STOCK B300 location=STORE1"]
            for _ in 0...random.below(2) { requests.append(Request(line: reads[random.below(reads.count)], intent: .read)) }
        }
        if let change { requests.append(change) }
        send(requests, as: user)
    }

    /// Serial-numbered phones: one sold from the main store's on hand, brought back by its
    /// serial (at either store), sent to the mall, counted there, or a new one bought in.
    mutating func serialStep(_ clerk: String) -> (String, Request) {
        let store = StockSlot(location: "STORE1", batch: ""), mall = StockSlot(location: "STORE2", batch: "")
        let (onHand, atMall, sold) = engine.queue.sync { () -> ([String], [String], [(order: String, serial: String)]) in
            let ledger = engine.ledger
            let sold = (ledger.serialRegistry["P900"] ?? [:]).compactMap { serial, record -> (order: String, serial: String)? in
                record.place == nil && !record.lastSale.isEmpty ? (record.lastSale, serial) : nil
            }
            return (ledger.serials("P900", at: store, .on_hand), ledger.serials("P900", at: mall, .on_hand),
                    sold.sorted { $0.serial < $1.serial })
        }
        let n = nextKey
        nextKey += 1
        switch random.below(5) {
        case 0 where !onHand.isEmpty:
            let serial = onHand[random.below(onHand.count)]
            return (clerk, Request(line: "SALE SP\(seed % 1000)-\(n) location=STORE1 customer=C\(1 + random.below(2)) P900:1/\(serial)",
                                   intent: .other))
        case 1 where !sold.isEmpty:
            let pick = sold[random.below(sold.count)]
            let location = random.below(2) == 0 ? "STORE1" : "STORE2"
            return (clerk, keyedReturn("p") { "RETURN \(pick.order) P900:1/\(pick.serial) reason=DEFECTIVE location=\(location) key=\($0)" })
        case 2 where !onHand.isEmpty:
            return (clerk, Request(line: "TRANSFER SEND TP\(seed % 1000)-\(n) from=STORE1 to=STORE2 P900:1/\(onHand.last!)", intent: .other))
        case 3:
            // The mall counts its phones: one at times missing, one at times found in a drawer.
            var counted = atMall.filter { _ in random.below(5) != 0 }
            if random.below(3) == 0 { counted.append("FOUND-\(seed % 1000)-\(n)") }
            let items = counted.isEmpty ? "P900:0" : "P900:\(counted.count)/" + counted.joined(separator: "/")
            return ("sup", Request(line: "COUNT location=STORE2 \(items) key=mp\(seed % 1000)-\(n)", intent: .other))
        default:
            return (clerk, Request(line: "PURCHASE PP\(seed % 1000)-\(n) location=STORE1 supplier=S1 P900:1/IMEI-\(seed % 1000)-\(n)",
                                   intent: .other))
        }
    }

    /// A RETURN with the next key (`prefix` seed-number), remembered until acknowledged so a
    /// later step can re-send it as a till would.
    mutating func keyedReturn(_ prefix: String, _ line: (String) -> String) -> Request {
        let key = "\(prefix)\(seed % 1000)-\(nextKey)"
        nextKey += 1
        let request = Request(line: line(key), intent: .fileReturn(key: key))
        unacknowledgedReturns[key] = request
        return request
    }

    /// What a connection does with lines read together: parse each, hand the engine the batch,
    /// run a deferred reply where the engine says, go on with the rest; hold every reply until
    /// the log holds the batch's sequence.
    mutating func send(_ requests: [Request], as user: String) {
        guard !requests.isEmpty else { return }
        let session = session(user)
        let items: [Incoming] = requests.map { request in
            switch RequestParser.parse(Array(request.line.utf8)) {
            case .success(let parsed): return .request(parsed)
            case .failure(let error): return .failed(error)
            case nil: return .failed(DomainError(.SYNTAX, "empty line"))
            }
        }
        report.operations += requests.count
        var next = 0
        while next < items.count {
            clock.tick()
            let before = wal.lastSeq
            let batch = Array(items[next...])
            // What each approval in the batch meets (reads alone go before the one change).
            let exchanges: [ExchangeStock?] = engine.queue.sync {
                requests[next...].map { request in
                    if case .approve(let id) = request.intent { return Simulator.exchangeStock(id, engine.ledger) }
                    return nil
                }
            }
            let result = engine.queue.sync { engine.run(batch, session: session) }
            var replies = result.replies
            // ARCHIVE logs its audit entry, then (off the writer) its archive.written: the state after each.
            if result.deferred != nil, wal.lastSeq > before { states[wal.lastSeq] = engine.queue.sync { engine.ledger } }
            let beforeDeferred = wal.lastSeq
            if let deferred = result.deferred { replies.append(wait(for: deferred)) }
            for (k, reply) in replies.enumerated() {
                var entry = Held(seq: result.seq, request: requests[next], result: reply)
                if case .approve(let id) = requests[next].intent {
                    entry.reached = engine.queue.sync { (try? engine.ledger.returnRequest(id)).map { Simulator.rank($0.state) } ?? 0 }
                    if k < exchanges.count, let met = exchanges[k] { checkExchange(id, met, reply, reached: entry.reached) }
                }
                held.append(entry)
                next += 1
            }
            // The engine's state after this batch's record: what recovery must give at that sequence.
            if wal.lastSeq > before {
                let archived = result.deferred != nil && beforeDeferred == before + 1 && wal.lastSeq == before + 2
                if wal.lastSeq != before + 1, !archived { violation("one change appended \(wal.lastSeq - before) records") }
                states[wal.lastSeq] = engine.queue.sync { engine.ledger }
            }
            if result.close || replies.isEmpty { break }
        }
    }

    /// A reply computed off the writer (a scan, SNAPSHOT, DIGEST), run where the engine says and waited for.
    func wait(for deferred: Engine.DeferredReply) -> Result<Reply, DomainError> {
        let box = ReplyBox()
        deferred.schedule { box.set(deferred.work()) }
        return box.take()
    }

    static func rank(_ state: ReturnState) -> Int {
        switch state {
        case .pending: 0
        case .second_review: 1
        default: 2
        }
    }

    /// What an APPROVE of an exchange meets (contract section 22.3): a first approval of two
    /// (not checked), or the completing one with its replacement goods on hand or short.
    enum ExchangeStock { case firstApproval, onHand, short }

    /// Worked out from the state the approval met, apart from the server's own check: every
    /// replacement SKU on hand at the return location in its slot (the line's batch, else the
    /// batch-less slot), lines of one slot added up, the units coming back not counted. Nil: not
    /// an open customer exchange.
    static func exchangeStock(_ id: String, _ ledger: Ledger) -> ExchangeStock? {
        guard let r = try? ledger.returnRequest(id), r.kind == .sale, !r.exchange.isEmpty, r.state.isOpen else { return nil }
        if r.state == .pending, r.flow.secondRole != nil { return .firstApproval }
        var needed: [String: [String: Int64]] = [:]  // batch → sku → units
        for line in r.exchange { needed[line.batch, default: [:]][line.sku, default: 0] += line.quantity }
        for (batch, skus) in needed {
            for (sku, units) in skus where ledger.level(sku, StockSlot(location: r.location, batch: batch)).onHand < units { return .short }
        }
        return .onHand
    }

    /// An exchange's approval answered as section 22.3 says: approved only with its goods on hand,
    /// ERR STOCK only when they are short at the approval that completes it.
    mutating func checkExchange(_ id: String, _ met: ExchangeStock, _ reply: Result<Reply, DomainError>, reached: Int) {
        switch reply {
        case .success where met == .short && reached == 2:
            violation("exchange \(id) approved with its replacement goods short on hand")
        case .success where reached == 2:
            report.exchanges += 1
        case .failure(let error) where error.code == .STOCK:
            if met == .short { report.exchangesShort += 1 } else { violation("APPROVE \(id) (\(met)) answered ERR STOCK \(error.message)") }
        default: break
        }
    }

    /// Group commit: the log writes and fsyncs what is pending; replies of durable batches go out.
    mutating func commit() {
        wal.flush()
        let durable = wal.status.durableSeq
        for (seq, state) in states where seq <= durable && syncedDigests[seq] == nil { syncedDigests[seq] = state.digest }
        // Sync mode: a reply waits until the standby has its record durable too.
        if syncMode { ship(all: true) }
        let acknowledging = syncMode ? min(durable, standby.acked) : durable
        for reply in held where reply.seq <= acknowledging {
            acknowledged.append(reply)
            report.acknowledged += 1
            guard case .success = reply.result else { continue }
            switch reply.request.intent {
            case .fileReturn(let key): unacknowledgedReturns[key] = nil
            case .sale(let order, let sku): sales.append((order, sku))
            default: break
            }
        }
        held.removeAll { $0.seq <= acknowledging }
        if durable == wal.lastSeq { states = [durable: engine.queue.sync { engine.ledger }] }
    }

    mutating func snapshot() {
        commit()
        guard !storageFailed else { return }
        report.snapshots += 1
        send([Request(line: "SNAPSHOT", intent: .other)], as: "admin")
        commit()  // the reply waits for its audit record; the log also drops what the snapshot covers
    }

    /// The day's end: the till counted and closed, finance closes the day, the admin archives
    /// it (at times stopped dead after writing the file or after appending its record, with a
    /// crash or a power cut there: section 23's crash points), and the next day starts.
    mutating func endOfDay() {
        commit()
        guard !storageFailed else { return }
        // What the day left open is rejected (its clerks file more than it reviews): whole blocks
        // of returns then finish, and leave memory when archived (section 23's memory model).
        let open = engine.queue.sync { engine.ledger.openReturns.sorted() }
        if !open.isEmpty {
            for number in open {
                send([Request(line: "REJECT \(ReturnRequest.id(number)) note=eod", intent: .other)], as: "admin")
                guard !storageFailed, engine != nil else { return }
            }
            commit()
            guard !storageFailed, engine != nil else { return }
        }
        if engine.queue.sync(execute: { engine.ledger.openTills["POS1"] }) != nil {
            send([Request(line: "TILL CLOSE POS1 counted=200.00 note=sim", intent: .other)], as: "sup")
            if case .failure(let error) = held.last?.result, error.code != .STORAGE {
                return violation("TILL CLOSE refused: \(error.code) \(error.message)")
            }
        }
        let today = engine.queue.sync { engine.ledger.policy.calendar.date(of: clock.now) }
        send([Request(line: "PERIOD CLOSE \(today)", intent: .other)], as: "fin")
        if case .failure(let error) = held.last?.result, error.code != .STORAGE {
            return violation("PERIOD CLOSE \(today) refused: \(error.code) \(error.message)")
        }
        commit()
        guard !storageFailed else { return }
        let stop: ArchiveShelf.ArchiveStep? = days.below(3) != 0 ? nil : days.below(2) == 0 ? .fileWritten : .recordAppended
        engine.shelf.stopAfter = stop
        let purchases = days.below(3) == 0 ? " purchases=all" : ""
        send([Request(line: "ARCHIVE through=\(today)\(purchases)", intent: .other)], as: "admin")
        report.archives += 1
        if stop == nil, case .failure(let error) = held.last?.result, error.code != .STORAGE, error.code != .ARCHIVE {
            violation("ARCHIVE through \(today) refused: \(error.code) \(error.message)")
        }
        if let stop {
            report.archiveCrashes += 1
            note("ARCHIVE stopped after \(stop)")
            // At times what a crash mid-write leaves too: an unfinished file.
            if days.below(2) == 0, let fd = try? disk.openForAppend(directory.file("archive-00000000-9999.tmp"), create: true) {
                try? disk.write(fd, bytes: Array("unfinished".utf8))
                disk.close(fd)
            }
            crash(powerCut: days.below(2) == 0)
        } else {
            commit()
        }
        guard engine != nil, !storageFailed else { return }
        clock.nextDay()
        send([Request(line: "TILL OPEN POS1 location=STORE1 float=200.00 note=sim", intent: .other)], as: "sup")
    }

    /// After a restart: nothing ARCHIVE left half done. No unfinished file, no archive that no
    /// committed record names (start-up removed both), and every committed archive whole.
    mutating func checkArchives(_ ledger: Ledger) {
        let files = (try? disk.list(directory.path)) ?? []
        let named = Set(ledger.archives.map { ArchiveFile.fileName($0.name) })
        for file in files where file.hasPrefix("archive-") {
            if file.hasSuffix(".tmp") { violation("\(file) is still there after start-up") }
            if file.hasSuffix(".rla"), !named.contains(file) { violation("\(file) is on disk but no committed record names it") }
        }
        for archive in ledger.archives {
            if engine.shelf.check(archive) != .ok { violation("committed archive \(archive.name) is \(engine.shelf.check(archive))") }
        }
    }

    // MARK: Faults and the checks after them

    /// A disk fault (a full disk, or a failing fsync) with a few more requests meeting it, the
    /// engine read-only after it, then a crash or a power cut; or a crash or a power cut alone.
    mutating func fault() {
        let kind = random.below(4)
        if kind < 2, !storageFailed {
            if kind == 0 {
                report.diskFull += 1
                note("disk full at op \(report.operations)")
                disk.fill(after: random.below(2048))
            } else {
                report.syncFailures += 1
                note("fsync fails at op \(report.operations)")
                disk.failSync(after: random.below(3))
            }
            for _ in 0..<(2 + random.below(12)) { step() }
            commit()
        }
        if storageFailed { readOnly() }
        crash(powerCut: kind == 2 || (kind < 2 && random.below(2) == 0))
    }

    /// After the log failed: the engine reloads what the disk holds and serves reads from it;
    /// held replies past the durable sequence were answered ERR STORAGE (never acknowledged).
    mutating func readOnly() {
        report.readOnly += 1
        engine.queue.sync {}  // the log's failure callback has the engine start the reload
        if let reload = engine.queue.sync(execute: { engine.reload }) { reload.done.wait() }
        engine.queue.sync {}  // and swap the reloaded state in
        let durable = wal.status.durableSeq
        held.removeAll { $0.seq > durable }
        let first = held.count
        send([Request(line: "SALE X-\(seed % 1000)-\(nextOrder) location=STORE1 A100:1", intent: .other),
              Request(line: "DIGEST", intent: .read)], as: "admin")
        nextOrder += 1
        guard held.count == first + 2 else { return violation("read-only: \(held.count - first) of 2 replies") }
        let (change, digest) = (held[first], held[first + 1])
        held.removeLast(2)
        if case .failure(let error) = change.result, error.code == .STORAGE {} else {
            violation("a change was answered \(change.result) after the log failed")
        }
        guard case .success(let reply) = digest.result else { return violation("DIGEST failed read-only: \(digest.result)") }
        if let state = states[durable], reply["digest"] != state.digest {
            violation("read-only DIGEST \(reply["digest"] ?? "") is not the state the disk holds at \(durable) (\(state.digest))")
        }
    }

    mutating func crash(powerCut: Bool) {
        note("\(powerCut ? "power cut" : "crash") at op \(report.operations): appended \(wal.lastSeq), durable \(wal.status.durableSeq), committed \(committedSeq), storage failed \(storageFailed)")
        engine = nil  // the process is gone: nothing more reaches the disk
        wal = nil
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
        held = []
        guard let recovered = recover(after: powerCut ? "power cut" : "crash") else { return }
        check(recovered)
        open(recovered)
        checkArchives(recovered.ledger)
    }

    mutating func recover(after what: String) -> Recovery.Result? {
        for line in serverLog.take() { note("server: \(line)") }
        do {
            let recovered = try Recovery.load(directory, fs: disk, repair: true)
            note("recovered to \(recovered.lastSeq) (snapshot \(recovered.snapshotSeq)): \(recovered.notes.filter { !$0.hasPrefix("loaded") }.joined(separator: "; "))")
            return recovered
        } catch {
            violation("recovery refused after a \(what): \(error)")
            return nil
        }
    }

    mutating func check(_ recovered: Recovery.Result) {
        var state = recovered.ledger
        // Returns that left memory are read back from the archives beside the log, as the server reads them.
        state.archiveReach = ArchiveReach(ArchiveRecordSource(ArchiveReplay(directory: directory.path, fs: disk)))
        if let last = acknowledged.map(\.seq).max(), recovered.lastSeq < last {
            violation("acknowledged record \(last) lost: the log ends at \(recovered.lastSeq)")
        }
        if recovered.lastSeq < committedSeq {
            violation("recovery reached \(recovered.lastSeq), before the last commit's \(committedSeq)")
        } else if let live = states[recovered.lastSeq] {
            if state.digest != live.digest {
                violation("recovered state at \(recovered.lastSeq) has digest \(state.digest), the engine had \(live.digest)")
            }
        } else {
            violation("recovery reached \(recovered.lastSeq), which the engine never had (committed \(committedSeq))")
        }
        for lost in lostAcknowledged(in: state) { violation(lost) }
        var keys: [String: Int] = [:]
        let filed = everyReturn(state)
        for r in filed where !r.key.isEmpty { keys[r.key, default: 0] += 1 }
        for (key, count) in keys where count > 1 { violation("key \(key) names \(count) returns") }
        var perDay: [Substring: [Int]] = [:]
        for number in state.documents.keys where number.hasPrefix("RT-") {
            let parts = number.split(separator: "-")
            if parts.count == 3, let n = Int(parts[2]) { perDay[parts[1], default: []].append(n) }
        }
        for (day, numbers) in perDay where numbers.sorted() != Array(1...numbers.count) {
            violation("document numbers of \(day) are not gapless: \(numbers.sorted())")
        }
        for (party, balance) in state.balances where state.liveEntriesSum(party) + (state.broughtForward[party]?.amount ?? 0) != balance.minor {
            violation("\(party)'s balance is not its entries' sum")
        }
        checkTills(state)
        // Held states are never negative (protocol.md, Stock states): on hand alone may go below zero.
        for (sku, slots) in state.stock {
            for (slot, level) in slots where level.quarantine < 0 || level.rtv < 0 || level.refurbish < 0 || level.transit < 0 {
                violation("\(sku) at \(slot.location) holds a negative state: \(level)")
            }
        }
        // Every unit of a serial SKU in stock has its serial: each slot's levels are its serials, state by state.
        for (sku, product) in state.products where product.serial {
            var placed: [StockSlot: StockLevel] = [:]
            for record in (state.serialRegistry[sku] ?? [:]).values {
                if let place = record.place { placed[place.slot, default: StockLevel()][place.state] += 1 }
            }
            let levels = (state.stock[sku] ?? [:]).filter { $0.value != StockLevel() }
            if levels != placed { violation("\(sku)'s stock \(levels) is not its serials' places \(placed)") }
        }
        // Transit holds exactly what is on its way: the lines of transfers sent and not yet received or cancelled.
        var onTheWay: [String: Int64] = [:]
        for t in state.transfers.values where t.state == .in_transit {
            for line in t.lines { onTheWay["\(line.sku) \(t.to) \(line.batch)", default: 0] += line.sent }
        }
        for (sku, slots) in state.stock {
            for (slot, level) in slots where level.transit != onTheWay["\(sku) \(slot.location) \(slot.batch)"] ?? 0 {
                violation("\(sku) at \(slot.location) holds \(level.transit) in transit; its transfers say \(onTheWay["\(sku) \(slot.location) \(slot.batch)"] ?? 0)")
            }
        }
        report.transfers = state.transfers.count
        report.stockMoves = state.stockMoves.count { $0.kind != .dispose }
        report.voids = state.voids.count
        report.releasedReturns = state.returns.count - state.returns.heldCount
        report.serialReturns = filed.reduce(0) { $0 + ($1.state.isApproved && $1.items.contains { !$0.serials.isEmpty } ? 1 : 0) }
        report.vendorCredits = filed.reduce(0) { $0 + ($1.supplier?.credit == nil ? 0 : 1) }
        report.inspections = filed.reduce(0) { $0 + $1.disposals.count } + state.stockMoves.count
        // The chain over the recovered documents: every stored hash recomputes from its values.
        do throws(DomainError) {
            _ = try state.verifyReply(from: nil)
        } catch {
            violation("the document chain does not verify after recovery: \(error.code.rawValue) \(error.message)")
        }
    }

    /// The acknowledged changes `state` lacks: a sale, a return under its key, an approval as far
    /// as it was told (the primary's after a crash, the standby's in sync mode).
    func lostAcknowledged(in state: Ledger) -> [String] {
        var lost: [String] = []
        for reply in acknowledged {
            guard case .success = reply.result else { continue }
            switch reply.request.intent {
            case .sale(let order, _) where state.orders[order] == nil:
                lost.append("acknowledged sale \(order) is gone")
            case .fileReturn(let key):
                do throws(DomainError) {
                    if try state.returnNumber(forKey: key) == nil { lost.append("acknowledged return with key \(key) is gone") }
                } catch {
                    lost.append("acknowledged return with key \(key) cannot be read back: \(error.message)")
                }
            case .approve(let id):
                if let r = try? state.returnRequest(id), Simulator.rank(r.state) < reply.reached {
                    lost.append("acknowledged approval of \(id) is undone: \(r.state)")
                }
            default: break
            }
        }
        return lost
    }

    /// Each session's figures from the durable records that name it: tenders taken by its sales
    /// and exchange dues, non-credit parts handed back by its refunds.
    mutating func checkTills(_ state: Ledger) {
        var taken = [Int: [Int64]](), refunded = [Int: [Int64]]()
        for order in state.orders.values where order.session > 0 {
            for t in order.tenders { taken[order.session, default: [0, 0, 0, 0]][t.kind.index] += t.amount.minor }
        }
        for r in everyReturn(state) where r.session > 0 {
            for t in r.dueTenders { taken[r.session, default: [0, 0, 0, 0]][t.kind.index] += t.amount.minor }
            for t in r.refundParts where t.kind != .credit { refunded[r.session, default: [0, 0, 0, 0]][t.kind.index] += t.amount.minor }
        }
        for s in state.tillSessions {
            if s.taken != taken[s.number] ?? [0, 0, 0, 0] || s.refunded != refunded[s.number] ?? [0, 0, 0, 0] {
                violation("till session \(s.id) is not the sum of its durable movements")
            }
            if s.expected < .zero { violation("till session \(s.id) expects \(s.expected) in cash") }
        }
        for (party, lots) in state.creditLots where lots.contains(where: { $0.remaining < .zero }) {
            violation("\(party) has a credit lot below zero")
        }
    }

    mutating func violation(_ text: String) { report.violations.append(text) }

    /// Every return filed, those archived read back from their archives (one unreadable is a violation).
    mutating func everyReturn(_ state: Ledger) -> [ReturnRequest] {
        var all: [ReturnRequest] = []
        do throws(DomainError) { try state.forEachFiledReturn { all.append($0) } } catch { violation("returns unreadable: \(error.message)") }
        return all
    }

    mutating func note(_ text: String) {
        report.trace.append(text)
        if report.trace.count > 16 { report.trace.removeFirst() }
    }
}

/// The simulation's clock: a second per request, moved by the driver only.
final class SimulatedClock: Sendable {
    private let time = Mutex(Timestamp(parsing: "2026-12-01T09:00:00Z")!)
    var now: Timestamp { time.withLock { $0 } }
    func tick() { time.withLock { $0 = Timestamp(seconds: $0.seconds + 1) } }
    /// The next business day, at 09:00 UTC (the simulation's zone).
    func nextDay() { time.withLock { $0 = Timestamp(seconds: ($0.seconds / 86_400 + 1) * 86_400 + 9 * 3600) } }
}

/// The server's log lines (a storage failure, a reload), kept for the run's trace.
final class ServerLog: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    func take() -> [String] { lines.withLock { list in defer { list = [] }; return list } }
}

/// A deferred reply, handed from the queue that computed it to the driver that waits.
final class ReplyBox: Sendable {
    private let value = Mutex<Result<Reply, DomainError>?>(nil)
    private let ready = DispatchSemaphore(value: 0)
    func set(_ result: Result<Reply, DomainError>) {
        value.withLock { $0 = result }
        ready.signal()
    }
    func take() -> Result<Reply, DomainError> {
        ready.wait()
        return value.withLock { $0! }
    }
}

extension SeededGenerator {
    /// A number in 0..<n (0 when n <= 1).
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
}
