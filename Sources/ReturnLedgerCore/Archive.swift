/// What an archive holds, by section 23's names (protocol.md, Years of history).
public struct ArchiveCounts: Sendable, Equatable {
    public var returns = 0, documents = 0, orders = 0, entries = 0, notices = 0, audit = 0, other = 0
    public init() {}

    public var fields: [Field] {
        [Field("returns", String(returns)), Field("documents", String(documents)), Field("orders", String(orders)),
         Field("entries", String(entries)), Field("notices", String(notices)), Field("audit", String(audit)),
         Field("other", String(other))]
    }
}

/// One committed archive: what its ARCHIVE wrote and the log record that committed it
/// (`archive.written`), and which records it took. Archives are never removed: `number` is the
/// archive's place among all of them (its name's nnnn).
public struct ArchiveEntry: Sendable, Equatable {
    /// `archive-<yyyymmdd>-<nnnn>`, without `.rla`.
    public var name: String
    public var through: CivilDate
    public var number: Int
    /// When the state copy it was written from was taken (section 23's T).
    public var takenAt: Timestamp
    public var purchasesAll: Bool
    public var counts: ArchiveCounts
    public var bytes: Int
    /// The CRC-32C of the whole file.
    public var checksum: UInt32
    /// The log record that committed it.
    public var seq: UInt64
    /// The records it took. The log record does not carry them: replay reads them from the
    /// archive's own records (decided once, when it was written).
    public var taken: ArchiveSelection

    public init(name: String, through: CivilDate, number: Int, takenAt: Timestamp, purchasesAll: Bool, counts: ArchiveCounts,
                bytes: Int, checksum: UInt32, seq: UInt64, taken: ArchiveSelection) {
        self.name = name; self.through = through; self.number = number; self.takenAt = takenAt; self.purchasesAll = purchasesAll
        self.counts = counts; self.bytes = bytes; self.checksum = checksum; self.seq = seq; self.taken = taken
    }

    /// `archive-20260131-0001` (nnnn counts every archive written, from 0001).
    public static func name(through: CivilDate, number: Int) -> String {
        "archive-" + through.compact + "-" + zeroPadded(number, width: 4)
    }

    /// The checksum as ARCHIVE LIST and FEED print it: 8 hex digits.
    public var checksumText: String { Self.hex(checksum) }

    public static func hex(_ checksum: UInt32) -> String {
        let digits = String(checksum, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// ARCHIVE's reply, ARCHIVE LIST's and FEED's shared fields.
    public var summaryFields: [Field] {
        [Field("archive", name), Field("through", through.description)] + counts.fields
            + [Field("bytes", String(bytes)), Field("seq", String(seq))]
    }
}

/// A party's archived ledger entries as one line of its BALANCE (section 23): their sum, at the
/// newest of them.
public struct BroughtForward: Sendable, Equatable {
    public var at: Timestamp
    /// In minor units: a sum of entries each within `Money.limit`.
    public var amount: Int64

    public init(at: Timestamp, amount: Int64) { self.at = at; self.amount = amount }

    /// The line of `entries` (at least one).
    public init<S: Sequence>(_ entries: S) where S.Element == LedgerEntry {
        at = Timestamp(seconds: .min)
        amount = 0
        for entry in entries {
            amount += entry.amount.minor
            at = Swift.max(at, entry.at)
        }
    }

    /// Both lines as one: their sum, at the newer.
    func adding(_ other: BroughtForward) -> BroughtForward {
        BroughtForward(at: Swift.max(at, other.at), amount: amount + other.amount)
    }
}

/// Which archive holds a record, answered from the archives' selections (kept sorted).
extension Ledger {
    /// The archive holding return `number`, if any.
    public func archive(ofReturn number: Int) -> ArchiveEntry? {
        guard !archives.isEmpty else { return nil }
        return archives.first { $0.taken.returns.contains(number) }
    }

    /// The archive holding order `id`, if any.
    public func archive(ofOrder id: String) -> ArchiveEntry? {
        guard !archives.isEmpty else { return nil }
        return archives.first { $0.taken.orders.sortedContains(id) }
    }

    /// `archive=` on a status line: the name of the archive holding the record, `""` when live.
    func archiveField(ofReturn number: Int) -> Field { Field("archive", archive(ofReturn: number)?.name ?? "") }

    /// What every archive holds together (INFO's memory line; its state line counts the rest).
    public var archivedCounts: ArchiveCounts {
        var total = ArchiveCounts()
        for a in archives {
            total.returns += a.counts.returns; total.documents += a.counts.documents; total.orders += a.counts.orders
            total.entries += a.counts.entries; total.notices += a.counts.notices; total.audit += a.counts.audit
            total.other += a.counts.other
        }
        return total
    }

    /// The positions of a party's archived ledger entries.
    public func archivedEntries(_ party: String) -> IDRuns {
        var positions = IDRuns()
        for archive in archives { if let taken = archive.taken.entries[party] { positions += taken } }
        return positions
    }

    /// A party's ledger entries no archive took, in log order (those released are archived).
    public func liveEntries(_ party: String) -> [LedgerEntry] {
        guard let list = entries[party] else { return [] }
        let archived = archivedEntries(party)
        guard !archived.isEmpty else { return Array(list) }
        return list.indices.filter { !archived.contains($0) }.map { list[$0] }
    }

    /// Their sum, in minor units: with the party's brought-forward sum, its balance (the books'
    /// invariant, checked by the simulation).
    public func liveEntriesSum(_ party: String) -> Int64 { liveEntries(party).reduce(0) { $0 + $1.amount.minor } }

    /// The ids of a party's archived store-credit lots.
    public func archivedLots(_ party: String) -> Set<String> {
        var ids = Set<String>()
        for archive in archives { if let taken = archive.taken.lots[party] { ids.formUnion(taken) } }
        return ids
    }

    /// Section 23's memory model: what the archives took leaves memory (a chunk at a time; read
    /// back from the archive files through `ArchivedRecords`): the audit trail, the notices, the
    /// returns and the parties' ledger entries (BALANCE needs only their sum: `broughtForward`). At
    /// ARCHIVE's commit the storage is freed where ARCHIVE's state copy dies, off the writer (the
    /// commit held the writer 0.5 ms for a million returns).
    public mutating func releaseArchivedRecords() {
        guard !archives.isEmpty else { return }
        var audited = IDRuns(), noticed = IDRuns(), returned = IDRuns()
        var accounts: [String: IDRuns] = [:]
        for archive in archives {
            audited += archive.taken.audit
            noticed += archive.taken.notices
            returned += archive.taken.returns
            for (party, positions) in archive.taken.entries { accounts[party, default: IDRuns()] += positions }
        }
        audit.release(audited)
        // Notices are taken by number, kept at position number - 1.
        notices.release(IDRuns(runs: noticed.runs.map { $0.lowerBound - 1...$0.upperBound - 1 }))
        // So are returns; each keeps its LIST row, its key's slot and its place in the indexes.
        returns.release(IDRuns(runs: returned.runs.map { $0.lowerBound - 1...$0.upperBound - 1 }))
        // Only accounts with a whole chunk archived change (a party of a few entries keeps them).
        for (party, positions) in accounts where positions.count >= ChunkedArray<LedgerEntry>.elementsPerChunk {
            entries[party]?.release(positions)
        }
    }

    /// Adds what `archive` took of each party's ledger entries to the party's brought-forward
    /// line (section 23: each party's archived sum, kept in memory): the selection's own sums
    /// when it has them (ARCHIVE's and replay's do: two million entries summed at the commit held
    /// the writer 15 ms), else worked out from the entries, in memory now (an archive takes only
    /// what no earlier one took).
    mutating func bringForward(_ archive: ArchiveEntry) {
        for (party, positions) in archive.taken.entries {
            let taken: BroughtForward
            if let given = archive.taken.forward[party] {
                taken = given
            } else {
                guard let list = entries[party], !positions.isEmpty else { continue }
                taken = BroughtForward(positions.lazy.filter { $0 < list.count }.map { list[$0] })
            }
            broughtForward[party] = broughtForward[party].map { $0.adding(taken) } ?? taken
        }
    }

    /// A format 13 state's archives, whose records it still held: their sums, then their release.
    public mutating func adoptArchivesHeld() {
        for archive in archives { bringForward(archive) }
        releaseArchivedRecords()
    }

    /// The refusal of a change to an archived return (protocol.md: an archived record never changes).
    func refuseIfArchived(_ r: ReturnRequest) throws(DomainError) {
        if let archive = archive(ofReturn: r.number) {
            throw DomainError(.STATE, "\(r.id) is archived in \(archive.name) and never changes")
        }
    }
}

extension Array where Element: Comparable {
    /// Binary search in an ascending array.
    func sortedContains(_ value: Element) -> Bool {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < count && self[low] == value
    }
}

/// What the changes logged while an ARCHIVE is written touched, so its commit can tell whether a
/// record it took changed after its state copy was taken (then the commit fails: `ERR STATE`).
/// Entries, notices, audit entries and stock moves are only ever appended, and a closed till
/// session or a finished transfer never changes, so returns, orders and credit lots are enough.
public struct ArchiveTouches: Sendable {
    public var returns = Set<Int>()
    public var orders = Set<String>()
    public var lots = Set<String>()

    public init() {}

    public mutating func note(_ event: Event) {
        switch event {
        case .returnFiled(let r): returns.insert(r.number); orders.insert(r.order)
        case .returnApproved(let a): returns.insert(a.number)
        case .returnRejected(let n, _, _, _), .returnCancelled(let n, _, _), .returnInspected(let n, _, _, _, _),
             .returnFirstApproved(let n, _, _, _), .vendorCredited(let n, _):
            returns.insert(n)
        case .returnVoided(let v): returns.insert(v.number)
        case .returnDisposed(let i): returns.insert(i.number)
        case .creditDrawn(_, let doc, let draws):
            for draw in draws { lots.insert(draw.lot) }
            orders.insert(doc)  // the sale that drew it
        case .creditIssued(_, let lot): lots.insert(lot.id)
        case .periodClosed(_, let writeOffs): for w in writeOffs { lots.insert(w.lot) }
        case .orderRecorded(let o): orders.insert(o.id)
        case .userAdded, .userRoleChanged, .userEnabledChanged, .userPasswordChanged, .userScoped, .locationAdded, .productAdded,
             .partyAdded, .reasonAdded, .policyChanged, .paymentRecorded, .loginFailed, .audited, .ruleAdded, .ruleDropped,
             .customerLimitsChanged, .timezoneChanged, .tillOpened, .tillMoved, .tillClosed, .tenderPolicyChanged,
             .taxPolicyChanged, .stockDisposed, .transferSent, .transferReceived, .transferCancelled, .stockAdjusted,
             .stockCounted, .categoryAdded, .epochStarted, .archiveWritten:
            break
        }
    }

    /// The first record `selection` took that these changes touched, as the refusal names it.
    /// A touched return also touches its order and its exchange's sale (its lines and state moved).
    /// `takenLots`: the selection's lot ids as a set, made off the writer (nil: made here).
    public func conflict(with selection: ArchiveSelection, in ledger: Ledger, takenLots: Set<String>? = nil) -> String? {
        var orders = self.orders
        for n in returns {
            if selection.returns.contains(n) { return ReturnRequest.id(n) }
            guard n >= 1, n <= ledger.returns.count, ledger.returns.isHeld(n - 1) else { continue }
            let r = ledger.returns[n - 1]
            if !r.noReceipt { orders.insert(r.order) }
            if !r.exchangeOrder.isEmpty { orders.insert(r.exchangeOrder) }
        }
        for id in orders where selection.orders.sortedContains(id) { return "order \(id)" }
        guard !lots.isEmpty else { return nil }
        let taken = takenLots ?? Set(selection.lots.values.joined())
        for id in lots.sorted() where taken.contains(id) { return "credit lot \(id)" }
        return nil
    }
}
