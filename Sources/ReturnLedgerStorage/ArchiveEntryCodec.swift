public import ReturnLedgerCore

/// An archive's entry in the state (format 13): the log's `archive.written` carries the summary
/// alone (the records it took are the archive's own: replay reads them from the file), a
/// snapshot the summary and the selection.
extension ArchiveEntry {
    func writeSummary(to w: inout ByteWriter) {
        w.string(name); w.i64(through.daysSinceEpoch); w.int(number); w.write(takenAt); w.bool(purchasesAll)
        for n in [counts.returns, counts.documents, counts.orders, counts.entries, counts.notices, counts.audit, counts.other] { w.int(n) }
        w.int(bytes); w.u32(checksum); w.u64(seq)
    }

    /// An entry whose `taken` is still to be read from its file.
    static func readSummary(from r: inout ByteReader) throws(CodecError) -> ArchiveEntry {
        let name = try r.string(), days = try r.i64()
        guard (-1_000_000_000...1_000_000_000).contains(days) else { throw CodecError("archive date \(days) out of range") }
        let number = try r.int(), takenAt: Timestamp = try r.read(), purchasesAll = try r.bool()
        var counts = ArchiveCounts()
        counts.returns = try r.int(); counts.documents = try r.int(); counts.orders = try r.int(); counts.entries = try r.int()
        counts.notices = try r.int(); counts.audit = try r.int(); counts.other = try r.int()
        return ArchiveEntry(name: name, through: CivilDate(daysSinceEpoch: days), number: number, takenAt: takenAt,
                            purchasesAll: purchasesAll, counts: counts, bytes: try r.int(), checksum: try r.u32(), seq: try r.u64(),
                            taken: ArchiveSelection())
    }
}

/// Written in the state after the summary: the ids an archive took.
extension ArchiveSelection: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.write(returns); w.strings(orders)
        w.u32(UInt32(entries.count))
        for (party, positions) in entries.sorted(by: { $0.key < $1.key }) { w.string(party); w.write(positions) }
        w.u32(UInt32(lots.count))
        for (party, ids) in lots.sorted(by: { $0.key < $1.key }) { w.string(party); w.strings(ids) }
        w.write(notices); w.write(audit); w.write(tillSessions); w.strings(transfers); w.write(stockMoves)
    }

    public init(from r: inout ByteReader) throws(CodecError) {
        self.init()
        returns = try r.read(); orders = try r.strings()
        for _ in 0..<(try r.count()) { entries[try r.string()] = try r.read() }
        for _ in 0..<(try r.count()) { lots[try r.string()] = try r.strings() }
        notices = try r.read(); audit = try r.read(); tillSessions = try r.read()
        transfers = try r.strings(); stockMoves = try r.read()
    }
}

extension ArchiveEntry: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        writeSummary(to: &w)
        taken.write(to: &w)
    }

    public init(from r: inout ByteReader) throws(CodecError) {
        self = try Self.readSummary(from: &r)
        taken = try ArchiveSelection(from: &r)
    }
}

/// Numbers as their runs: the count of runs, then each run's first and last.
extension IDRuns: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.u32(UInt32(runs.count))
        for run in runs { w.int(run.lowerBound); w.int(run.upperBound) }
    }

    public init(from r: inout ByteReader) throws(CodecError) {
        let n = try r.count()
        var runs: [ClosedRange<Int>] = []
        runs.reserveCapacity(n)
        var previous = Int.min
        for _ in 0..<n {
            // Ids and positions are 4-byte numbers: no arithmetic on a crafted run can overflow.
            let first = try r.number("id"), last = try r.number("id")
            // Ascending and apart, as written: a crafted state must throw, not trap.
            guard first <= last, previous == .min || first > previous + 1 else { throw CodecError("ids \(first)...\(last) out of order") }
            runs.append(first...last)
            previous = last
        }
        self.init(runs: runs)
    }
}
