import Foundation
import ReturnLedgerCore
import ReturnLedgerServer
import ReturnLedgerStorage

TimeZoneFiles.install()  // business zones named in the log resolve as the server's do

// wal: look into a ReturnLedger data directory offline (the server need not run, and nothing
// is changed except by `seed`, which writes a new directory).
//
//   wal list   DIR                      segments and snapshots with their sequence ranges
//   wal dump   DIR [--from SEQ] [--limit N]   records as readable events
//   wal verify DIR                      replay everything read-only, check the document chain; exit 1 on damage
//   wal seed   DIR --returns N [--per-order K] [--password PW] [--snapshot]
//                                       write a synthetic log of N customer returns (for measuring);
//                                       users admin, clerk1, sup1, aud1 get the password PW

let usage = """
    usage: wal list DIR
           wal dump DIR [--from SEQ] [--limit N]
           wal verify DIR [--archive-dir ADIR]
           wal seed DIR --returns N [--per-order K] [--password PW] [--snapshot]
    """

func fail(_ message: String, status: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("wal: \(message)\n".utf8))
    exit(status)
}

func option(_ name: String, in args: [String]) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

let args = Array(CommandLine.arguments.dropFirst())
if args.contains("--help") || args.contains("-h") {
    print(usage)
    exit(0)
}
guard args.count >= 2 else { fail(usage) }
let command = args[0]
let directory = DataDirectory(args[1])
let fs = PosixFileSystem()

/// Every record of every segment, in order, with where it sits.
func eachRecord(_ visit: (_ segment: String, _ offset: Int, _ seq: UInt64, _ entry: LogEntry) -> Void) throws -> [String] {
    var problems: [String] = []
    let segments = try directory.contents(fs).segments
    for (index, segment) in segments.enumerated() {
        let bytes = try fs.readFile(directory.file(segment.name))
        bytes.withUnsafeBytes { raw in
            let (_, stop) = LogSegment.walk(raw) { seq, entry, offset in
                visit(segment.name, offset, seq, entry)
                return true
            }
            let tail = index == segments.count - 1
            switch stop {
            case .end: break
            case .notASegment: problems.append("\(segment.name) at offset 0: not a log segment")
            case .damaged(let offset, let reason):
                problems.append("\(segment.name) at offset \(offset): \(reason) (\(tail ? "at the end: start-up cuts it" : "before the end: start-up refuses"))")
            case .unreadable(let offset, let reason):
                problems.append("\(segment.name) at offset \(offset): \(reason) (start-up refuses)")
            }
        }
    }
    return problems
}

do {
    switch command {
    case "list":
        let contents = try directory.contents(fs)
        var ranges: [String: (first: UInt64, last: UInt64, count: Int)] = [:]
        let problems = try eachRecord { segment, _, seq, _ in
            let r = ranges[segment] ?? (seq, seq, 0)
            ranges[segment] = (r.first, seq, r.count + 1)
        }
        for segment in contents.segments {
            let size = (try? fs.readFile(directory.file(segment.name)).count) ?? 0
            let r = ranges[segment.name]
            print("\(segment.name)  \(size) bytes  " + (r.map { "seq \($0.first)-\($0.last)  \($0.count) records" } ?? "no records"))
        }
        for snapshot in contents.snapshots {
            let bytes = try fs.readFile(directory.file(snapshot.name))
            let status: String
            do { _ = try Snapshot.decode(bytes); status = "ok" } catch { status = "DAMAGED: \(error)" }
            print("\(snapshot.name)  \(bytes.count) bytes  seq \(snapshot.seq)  \(status)")
        }
        for name in contents.temporary { print("\(name)  unfinished snapshot (start-up removes it)") }
        for problem in problems { print("problem: \(problem)") }
    case "dump":
        let from = UInt64(option("--from", in: args) ?? "0") ?? 0
        let limit = Int(option("--limit", in: args) ?? "") ?? .max
        var shown = 0
        var lastSeen: UInt64 = 0
        let problems = try eachRecord { segment, offset, seq, entry in
            lastSeen = seq
            guard seq >= from, shown < limit else { return }
            shown += 1
            print("#\(seq) \(entry.at) \(entry.actor.isEmpty ? "-" : entry.actor)  [\(segment) @\(offset)]")
            for event in entry.events { print("    \(summary(event))") }
        }
        if shown == 0 { print("no records from seq \(from) on (\(lastSeen == 0 ? "the log is empty" : "the last is \(lastSeen)"))") }
        for problem in problems { print("problem: \(problem)") }
    case "verify":
        let started = Date()
        // The archives: beside the log, or where the server's --archive-dir put them.
        let archives = ArchiveReplay(directory: option("--archive-dir", in: args) ?? directory.path, fs: fs)
        let result = try Recovery.load(directory, fs: fs, repair: false, archives: archives, decodeCovered: true)
        let seconds = Date().timeIntervalSince(started)
        for note in result.notes { print(note) }
        print("state at seq \(result.lastSeq): snapshot \(result.snapshotSeq), \(result.recordsReplayed) records, \(result.eventsReplayed) events replayed in \(String(format: "%.3f", seconds)) s"
              + (result.eventsReplayed > 0 ? " (\(Int(Double(result.eventsReplayed) / max(seconds, 1e-9))) events/s)" : ""))
        print("returns \(result.ledger.returns.count), orders \(result.ledger.orders.count), audit entries \(result.ledger.audit.count)")
        print("digest \(result.ledger.digest)")
        // The document chain, recomputed from every document's values (protocol.md, VERIFY).
        do throws(DomainError) {
            // Documents of returns that left memory are read back from those archives.
            var ledger = result.ledger
            ledger.archiveReach = ArchiveReach(ArchiveRecordSource(archives))
            let chain = try ledger.verifyReply(from: nil)
            print("document chain " + chain.status.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        } catch {
            if error.code == .ARCHIVE { fail("an archive cannot be read: \(error.message) (--archive-dir?)", status: 1) }
            fail("document chain broken: \(error.code.rawValue) \(error.message)", status: 1)
        }
    case "seed":
        guard let n = Int(option("--returns", in: args) ?? ""), n > 0 else { fail(usage) }
        try seed(returns: n, perOrder: Int(option("--per-order", in: args) ?? "1") ?? 1,
                 password: option("--password", in: args) ?? "seed", snapshot: args.contains("--snapshot"))
    default:
        fail(usage)
    }
} catch let error as StorageError {
    fail(error.message, status: 1)
} catch {
    fail("\(error)", status: 1)
}

/// A shop with `n` customer returns, each filed and approved, written as the server would log
/// them (one record per command, audit entries included).
func seed(returns n: Int, perOrder: Int, password: String, snapshot: Bool) throws {
    try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
    guard try directory.contents(fs).segments.isEmpty else { fail("\(directory.path) already holds a log") }
    let log = try WriteAheadLog(directory: directory, fs: fs, policy: .no, lastSeq: 0, segment: nil)
    var ledger = Ledger()
    var now = Timestamp(seconds: Int64(Date().timeIntervalSince1970) - 86_400 * 20)
    func run(_ command: Command, _ user: String, _ role: Role) throws {
        let context = Context(user: user, role: role, peer: "127.0.0.1:40000", now: now)
        let (events, _) = ledger.record(command, name: "SEED", context)
        try log.append(LogEntry(at: now, actor: user, events: events))
        ledger.apply(events)
    }
    let hash = PasswordHasher.hash(password)
    try run(.userAdd(name: "admin", role: .admin, passwordHash: hash), "system", .admin)
    try run(.userAdd(name: "clerk1", role: .clerk, passwordHash: hash), "admin", .admin)
    try run(.userAdd(name: "sup1", role: .supervisor, passwordHash: hash), "admin", .admin)
    try run(.userAdd(name: "aud1", role: .auditor, passwordHash: hash), "admin", .admin)
    for store in ["STORE1", "STORE2", "STORE3"] { try run(.locationAdd(Location(code: store, name: store, kind: .store)), "admin", .admin) }
    let skus = (0..<50).map { "SKU\($0)" }
    for (i, sku) in skus.enumerated() {
        try run(.skuAdd(Product(sku: sku, name: "Item \(i)", price: Money(minor: Int64(500 + i * 100)), cost: .zero,
                                inspect: false)), "admin", .admin)
    }
    let customers = (0..<200).map { "C\($0)" }
    for c in customers { try run(.partyAdd(Party(id: c, kind: .customer, name: "Customer \(c)")), "admin", .admin) }
    let reasons = Reason.builtIn.map(\.code)
    let started = Date()
    for i in 0..<n {
        now.seconds += 1
        let order = "S\(i / perOrder)"
        let sku = skus[(i / perOrder) % skus.count]
        if i % perOrder == 0 {
            try run(.sale(TradeRequest(order: order, location: "STORE\(i % 3 + 1)", party: customers[i % customers.count],
                                       paid: true, at: nil, items: [ItemSpec(sku: sku, quantity: Int64(min(3 * perOrder, 1_000_000)))])),
                    "clerk1", .clerk)
        }
        try run(.fileReturn(ReturnFiling(order: order, items: [ItemSpec(sku: sku, quantity: 1)], reason: reasons[i % reasons.count],
                                         location: nil, note: "", key: "seed-\(i)")), "clerk1", .clerk)
        try run(.approve(ApprovalRequest(id: ReturnRequest.id(i + 1))), "sup1", .supervisor)
        if i % 100_000 == 99_999 { FileHandle.standardError.write(Data("wal: \(i + 1) returns\n".utf8)) }
    }
    log.flush()
    print("seeded \(n) returns: \(log.lastSeq) records in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    if snapshot {
        let t = Date()
        let written = try Snapshot.write(ledger, seq: log.lastSeq, to: directory, fs: fs)
        print("snapshot \(written.name): \(written.bytes) bytes in \(String(format: "%.2f", Date().timeIntervalSince(t))) s")
    }
    print("digest \(ledger.digest)")
}
