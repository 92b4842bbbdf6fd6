import ReturnLedgerCore
import Testing

/// A ledger under test with a settable clock, a catalogue, and short ways to run commands.
struct Desk {
    var ledger = Ledger()
    var now = Timestamp(parsing: "2026-11-29T10:00:00Z")!
    /// Every event applied, to prove replay reaches the same state.
    var events: [Event] = []
    /// What the archives took, kept as their files would keep it (section 23: reads of records
    /// that left memory come back from here).
    let archived = MemoryArchives()

    init() { ledger.archiveReach = ArchiveReach(archived) }  // reads reach what `archive` kept

    static let roles: [String: Role] = ["admin": .admin, "clerk1": .clerk, "clerk2": .clerk, "sup1": .supervisor,
                                        "sup2": .supervisor, "fin1": .finance, "aud1": .auditor]

    /// A shop: two stores and a warehouse, four SKUs (B300 inspected), customers and suppliers.
    static func shop() -> Desk {
        var desk = Desk()
        for (name, role) in roles {
            desk.ok(.userAdd(name: name, role: role, passwordHash: "$y$x"))
        }
        desk.ok(.locationAdd(Location(code: "STORE1", name: "Main", kind: .store)))
        desk.ok(.locationAdd(Location(code: "STORE2", name: "Mall", kind: .store)))
        desk.ok(.locationAdd(Location(code: "WH1", name: "Warehouse", kind: .warehouse)))
        desk.ok(.skuAdd(Product(sku: "A100", name: "Kettle", price: m("25.00"), cost: m("14.00"), inspect: false)))
        desk.ok(.skuAdd(Product(sku: "A200", name: "Toaster", price: m("39.90"), cost: m("22.00"), inspect: false)))
        desk.ok(.skuAdd(Product(sku: "B300", name: "Headphones", price: m("59.00"), cost: m("31.00"), inspect: true)))
        desk.ok(.skuAdd(Product(sku: "C400", name: "Tea", price: m("6.50"), cost: .zero, inspect: false)))
        desk.ok(.partyAdd(Party(id: "C1", kind: .customer, name: "Ana")))
        desk.ok(.partyAdd(Party(id: "C2", kind: .customer, name: "王芳")))
        desk.ok(.partyAdd(Party(id: "S1", kind: .supplier, name: "Kitchenware")))
        desk.ok(.partyAdd(Party(id: "S2", kind: .supplier, name: "Leaf")))
        return desk
    }

    /// The context `authorize` would give the user.
    private func context(_ user: String) -> Context {
        var context = Context(user: user, role: Desk.roles[user] ?? .admin, peer: "test", now: now)
        if let known = ledger.users[user] { context.scope = known.locations }  // as `authorize` does
        return context
    }

    @discardableResult
    mutating func run(_ command: Command, as user: String = "admin") -> Result<Reply, DomainError> {
        let (produced, result) = ledger.record(command, name: "TEST", context(user))
        ledger.apply(produced)
        events += produced
        return result
    }

    @discardableResult
    mutating func run(_ query: Query, as user: String = "admin") -> Result<Reply, DomainError> {
        do throws(DomainError) { return .success(try ledger.query(query, context(user))) } catch { return .failure(error) }
    }

    @discardableResult
    mutating func ok(_ command: Command, as user: String = "admin", sourceLocation: SourceLocation = #_sourceLocation) -> Reply {
        expectOK(run(command, as: user), sourceLocation)
    }

    @discardableResult
    mutating func ok(_ query: Query, as user: String = "admin", sourceLocation: SourceLocation = #_sourceLocation) -> Reply {
        expectOK(run(query, as: user), sourceLocation)
    }

    private func expectOK(_ result: Result<Reply, DomainError>, _ sourceLocation: SourceLocation) -> Reply {
        switch result {
        case .success(let reply): return reply
        case .failure(let error):
            Issue.record("expected OK, got \(error.code) \(error.message)", sourceLocation: sourceLocation)
            return Reply()
        }
    }

    mutating func fails(_ command: Command, as user: String = "admin") -> DomainError.Code? {
        if case .failure(let error) = run(command, as: user) { return error.code }
        return nil
    }

    /// A change or a read, as the parser hands it over.
    @discardableResult
    mutating func run(_ parsed: ParsedCommand, as user: String = "admin") -> Result<Reply, DomainError> {
        switch parsed {
        case .change(let command): return run(command, as: user)
        case .query(let query): return run(query, as: user)
        case .server(let command): preconditionFailure("the server answers \(command)")
        }
    }

    mutating func fails(_ parsed: ParsedCommand, as user: String = "admin") -> DomainError.Code? {
        if case .failure(let error) = run(parsed, as: user) { return error.code }
        return nil
    }

    mutating func fails(_ query: Query, as user: String = "admin") -> DomainError.Code? {
        if case .failure(let error) = run(query, as: user) { return error.code }
        return nil
    }

    // Short forms of the commands most tests use.
    static func sale(_ order: String, at location: String = "STORE1", customer: String? = nil, paid: Bool? = nil,
                     when: Timestamp? = nil, _ items: ItemSpec...) -> Command {
        .sale(TradeRequest(order: order, location: location, party: customer, paid: paid, at: when, items: items))
    }

    static func purchase(_ order: String, at location: String = "WH1", supplier: String = "S1", _ items: ItemSpec...) -> Command {
        .purchase(TradeRequest(order: order, location: location, party: supplier, paid: nil, at: nil, items: items))
    }

    static func ret(_ order: String, _ items: ItemSpec..., reason: String = "DEFECTIVE", location: String? = nil,
                    note: String = "", key: String? = nil) -> Command {
        .fileReturn(ReturnFiling(order: order, items: items, reason: reason, location: location, note: note, key: key))
    }

    func onHand(_ sku: String, _ location: String, batch: String = "") -> Int64 {
        ledger.level(sku, StockSlot(location: location, batch: batch)).onHand
    }

    func quarantine(_ sku: String, _ location: String, batch: String = "") -> Int64 {
        ledger.level(sku, StockSlot(location: location, batch: batch)).quarantine
    }

    func balance(_ party: String) -> String { (ledger.balances[party] ?? .zero).description }

    /// Replaying every event applied reaches the very same state.
    func expectReplays(sourceLocation: SourceLocation = #_sourceLocation) {
        var fresh = Ledger()
        for event in events { fresh.apply(event) }
        #expect(fresh == ledger, sourceLocation: sourceLocation)
    }
}

/// Archived records in memory, standing in for the archive files (one test's thread only).
final class MemoryArchives: ArchivedRecords, @unchecked Sendable {
    private var audit: [String: [Int: AuditEntry]] = [:]
    private var notices: [String: [Int: Notice]] = [:]
    private var returns: [String: [Int: ReturnRequest]] = [:]

    /// What `entry` took, from `ledger` as it is before the archive is applied.
    func keep(_ entry: ArchiveEntry, from ledger: Ledger) {
        for position in entry.taken.audit { audit[entry.name, default: [:]][position] = ledger.audit[position] }
        for number in entry.taken.notices { notices[entry.name, default: [:]][number] = ledger.notices[number - 1] }
        for number in entry.taken.returns { returns[entry.name, default: [:]][number] = ledger.returns[number - 1] }
    }

    func returns(_ numbers: [Int], in archive: ArchiveEntry) throws(DomainError) -> [ReturnRequest] {
        try Self.lookup(numbers, returns[archive.name], "\(archive.name) holds no return")
    }

    func notices(_ numbers: [Int], in archive: ArchiveEntry) throws(DomainError) -> [Notice] {
        try Self.lookup(numbers, notices[archive.name], "\(archive.name) holds no notice")
    }

    func notices(of party: String, in archive: ArchiveEntry) throws(DomainError) -> [Notice] {
        (notices[archive.name] ?? [:]).values.filter { $0.party == party }.sorted { $0.number < $1.number }
    }

    func audit(_ positions: [Int], in archive: ArchiveEntry) throws(DomainError) -> [AuditEntry] {
        try Self.lookup(positions, audit[archive.name], "\(archive.name) holds no audit entry at")
    }

    /// Each of `ids` in `kept`, in order; one missing is `ERR ARCHIVE` (`missing` and the id).
    private static func lookup<T>(_ ids: [Int], _ kept: [Int: T]?, _ missing: String) throws(DomainError) -> [T] {
        var out: [T] = []
        for id in ids {
            guard let record = kept?[id] else { throw DomainError(.ARCHIVE, "\(missing) \(id)") }
            out.append(record)
        }
        return out
    }
}

func m(_ text: String) -> Money { Money(parsing: text)! }

func item(_ sku: String, _ qty: Int64, price: String? = nil, batch: String = "") -> ItemSpec {
    ItemSpec(sku: sku, quantity: qty, price: price.map(m), batch: batch)
}
