import ReturnLedgerCore
import ReturnLedgerStorage
import ReturnLedgerWire

/// Request lines, one per input line, against a small shop's ledger, each as the server runs it:
/// parsed, authorized for the user the line's first character picks (`0`–`6`; else admin), then
/// recorded and applied (a change) or answered (a query). After every change the books must
/// hold: each party's balance is the sum of its entries and the last entry's running balance,
/// and every stock slot holds exactly what the change feed's `stock.moved` lines moved. At the
/// end, replaying every event onto the starting shop must give the same state, byte for byte,
/// and the state must survive a snapshot's encode and decode.
enum EngineTarget {
    static let users: [(String, Role)] = [("admin", .admin), ("clerk1", .clerk), ("clerk2", .clerk), ("sup1", .supervisor),
                                          ("sup2", .supervisor), ("fin1", .finance), ("aud1", .auditor)]
    static let start = Timestamp(parsing: "2026-11-29T10:00:00Z")!

    /// The shop every input starts from (built once; a ledger is a value).
    static let shop: (ledger: Ledger, moved: [StockSlotKey: StockLevel]) = {
        var ledger = Ledger()
        var moved: [StockSlotKey: StockLevel] = [:]
        let context = Context(user: "admin", role: .admin, peer: "fuzz", now: start)
        var commands: [Command] = users.map { .userAdd(name: $0.0, role: $0.1, passwordHash: "$y$x") }
        commands += [
            .locationAdd(Location(code: "STORE1", name: "Main", kind: .store)),
            .locationAdd(Location(code: "WH1", name: "Warehouse", kind: .warehouse)),
            .skuAdd(Product(sku: "A100", name: "Kettle", price: Money(minor: 2500), cost: Money(minor: 1400), inspect: false)),
            .skuAdd(Product(sku: "B300", name: "Headphones", price: Money(minor: 5900), cost: Money(minor: 3100), inspect: true)),
            .partyAdd(Party(id: "C1", kind: .customer, name: "Ana")),
            .partyAdd(Party(id: "S1", kind: .supplier, name: "Kitchenware")),
            .purchase(TradeRequest(order: "P1", location: "WH1", party: "S1", paid: nil, at: nil,
                                   items: [ItemSpec(sku: "A100", quantity: 50), ItemSpec(sku: "B300", quantity: 20)])),
            .sale(TradeRequest(order: "S1", location: "STORE1", party: "C1", paid: false, at: nil,
                               items: [ItemSpec(sku: "A100", quantity: 5), ItemSpec(sku: "B300", quantity: 2)])),
        ]
        for command in commands {
            let (events, result) = ledger.record(command, name: "SETUP", context)
            guard case .success = result else { fatalError("the fuzz shop's setup failed: \(result)") }
            ledger.apply(events)
            track(ledger.feedLines(seq: 0, at: start, actor: "admin", events: events), into: &moved)
        }
        return (ledger, moved)
    }()

    struct StockSlotKey: Hashable { var sku: String, location: String, batch: String }

    static func track(_ lines: [[Field]], into moved: inout [StockSlotKey: StockLevel]) {
        for line in lines where line.first?.value == "stock.moved" {
            var f: [String: String] = [:]
            for field in line { f[field.key] = field.value }
            let key = StockSlotKey(sku: f["sku"] ?? "", location: f["location"] ?? "", batch: f["batch"] ?? "")
            // Every state the line carries: a held state (rtv, refurbish, transit) left out would
            // count as a difference from STOCK once a DISPOSE or a TRANSFER moved it.
            for state in StockState.allCases {
                moved[key, default: StockLevel()][state] += Int64(f[state.rawValue] ?? "0") ?? 0
            }
        }
    }

    static func run(_ bytes: UnsafeRawBufferPointer) {
        var (ledger, moved) = shop
        var events: [Event] = []
        var now = start
        for raw in bytes.split(separator: 0x0A, maxSplits: 64, omittingEmptySubsequences: true).prefix(64) {
            var line = Array(raw)
            var user = "admin"
            if let first = line.first, first >= 0x30, first <= 0x36 {
                user = users[Int(first - 0x30)].0
                line.removeFirst()
            }
            now = Timestamp(seconds: now.seconds + 60)
            guard case .success(let request)? = RequestParser.parse(line), case .success(let parsed) = request.parsed else {
                continue
            }
            let (context, refusal) = ledger.authorize(request.word, sub: request.sub, name: request.name, user: user,
                                                     peer: "fuzz", now: now)
            guard refusal == nil else { continue }
            let command: Command
            switch parsed {
            case .change(let change): command = change
            case .query(let query):
                _ = try? ledger.query(query, context)
                continue
            case .server: continue
            }
            let (produced, _) = ledger.record(command, name: request.name, context)
            ledger.apply(produced)
            events += produced
            track(ledger.feedLines(seq: 0, at: now, actor: user, events: produced), into: &moved)
            checkBooks(ledger, moved)
        }
        var replayed = shop.ledger
        replayed.apply(events)
        let live = Snapshot.encode(ledger, seq: 1)
        if Snapshot.encode(replayed, seq: 1) != live { violated("replaying the events gives another state") }
        guard let (_, decoded) = try? Snapshot.decode(live) else { violated("the state does not decode from its snapshot") }
        if Snapshot.encode(decoded, seq: 1) != live { violated("the state changed through a snapshot") }
    }

    static func checkBooks(_ ledger: Ledger, _ moved: [StockSlotKey: StockLevel]) {
        for (party, balance) in ledger.balances {
            let entries = ledger.entries[party] ?? []
            if ledger.liveEntriesSum(party) + (ledger.broughtForward[party]?.amount ?? 0) != balance.minor {
                violated("\(party)'s balance is not its entries' sum")
            }
            if (entries.last?.balance ?? .zero) != balance { violated("\(party)'s last running balance is not its balance") }
        }
        for (key, level) in moved {
            let held = ledger.level(key.sku, StockSlot(location: key.location, batch: key.batch))
            if held != level { violated("stock of \(key) is \(held), the feed moved \(level)") }
        }
    }
}
