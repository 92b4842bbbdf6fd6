import Foundation
import ReturnLedgerCore
import ReturnLedgerStorage
import Testing

/// A temporary data directory, removed when the test is done.
final class TempDirectory {
    let path: String
    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("rl-storage-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    var directory: DataDirectory { DataDirectory(path) }
    func files() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: path).sorted()) ?? [] }
}

/// Log entries that build a small shop and some returns, as a live server would log them.
func sampleEntries(count: Int = 40) -> [LogEntry] {
    var ledger = Ledger()
    var entries: [LogEntry] = []
    var now = Timestamp(parsing: "2026-11-29T08:00:00Z")!
    func run(_ command: Command, _ user: String, _ role: Role) {
        let context = Context(user: user, role: role, peer: "127.0.0.1:5000", now: now)
        let (events, _) = ledger.record(command, name: "X", context)
        ledger.apply(events)
        entries.append(LogEntry(at: now, actor: user, events: events))
        now.seconds += 7
    }
    run(.userAdd(name: "clerk1", role: .clerk, passwordHash: "$y$j9T$abc"), "admin", .admin)
    run(.locationAdd(Location(code: "STORE1", name: "Main 主店", kind: .store)), "admin", .admin)
    run(.skuAdd(Product(sku: "A100", name: "Kettle", price: Money(minor: 2500), cost: Money(minor: 1400), inspect: false)), "admin", .admin)
    run(.skuAdd(Product(sku: "B300", name: "Phones", price: Money(minor: 5900), cost: Money(minor: 3100), inspect: true)), "admin", .admin)
    run(.partyAdd(Party(id: "C1", kind: .customer, name: "Ana")), "admin", .admin)
    run(.partyAdd(Party(id: "S1", kind: .supplier, name: "Supplier")), "admin", .admin)
    run(.purchase(TradeRequest(order: "P1", location: "STORE1", party: "S1", paid: nil, at: nil,
                               items: [ItemSpec(sku: "A100", quantity: 500), ItemSpec(sku: "B300", quantity: 50, batch: "L1")])),
        "clerk1", .clerk)
    var i = 0
    while entries.count < count {
        i += 1
        run(.sale(TradeRequest(order: "S\(i)", location: "STORE1", party: "C1", paid: i % 2 == 0, at: nil,
                               items: [ItemSpec(sku: "A100", quantity: 2), ItemSpec(sku: "B300", quantity: 1, batch: "L1")])),
            "clerk1", .clerk)
        run(.fileReturn(ReturnFiling(order: "S\(i)", items: [ItemSpec(sku: "B300", quantity: 1)], reason: "DEFECTIVE",
                                     location: nil, note: "注意 \(i)", key: "k\(i)")), "clerk1", .clerk)
        run(.approve(id: ReturnRequest.id(i), refund: i % 3 == 0 ? .credit : nil, note: ""), "admin", .admin)
        if i % 2 == 0 { run(.inspect(id: ReturnRequest.id(i), disposition: .restock, note: "ok"), "admin", .admin) }
    }
    return Array(entries.prefix(count))
}

/// The state those entries lead to.
func applied(_ entries: [LogEntry]) -> Ledger {
    var ledger = Ledger()
    for entry in entries { ledger.apply(entry.events) }
    return ledger
}

/// Writes entries to a fresh log in `dir` and waits until durable.
func writeLog(_ entries: [LogEntry], to dir: TempDirectory, policy: FsyncPolicy = .always,
              fs: any FileSystem = PosixFileSystem(), segmentLimit: Int = 64 << 20) throws -> WriteAheadLog {
    let log = try WriteAheadLog(directory: dir.directory, fs: fs, policy: policy, lastSeq: 0, segment: nil,
                                segmentLimit: segmentLimit)
    for entry in entries {
        try log.append(entry)
        if segmentLimit < 64 << 20 { log.flush() }  // rotation happens between flushes
    }
    log.flush()
    return log
}

/// What the engine does around a snapshot at `seq`: new records go to a new segment, the state
/// of `entries[0..<seq]` is written, the rest of `entries` are appended, then the segments the
/// snapshot covers are dropped. Returns the snapshot's file name.
func snapshotAndDropCovered(_ log: WriteAheadLog, _ entries: [LogEntry], at seq: Int,
                            in dir: TempDirectory) throws -> String {
    log.rotate()
    let name = try Snapshot.write(applied(Array(entries[0..<seq])), seq: UInt64(seq), to: dir.directory,
                                  fs: PosixFileSystem()).name
    for entry in entries[seq...] { try log.append(entry) }
    log.flush()
    log.dropCovered(by: UInt64(seq), keepSnapshot: name)
    log.flush()
    return name
}
