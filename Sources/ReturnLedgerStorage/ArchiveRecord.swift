public import ReturnLedgerCore

/// One record an archive holds (protocol.md, Years of history): what ARCHIVE takes out of memory,
/// in the snapshots' versioned encoding, with the keys it is found by.
public enum ArchiveRecord: Sendable, Equatable {
    /// A return with its VOID, if any (its items, events and documents are in it).
    case returned(ReturnRequest, void: VoidRecord?)
    case order(Order)
    /// A ledger entry (payments included) on `party`'s account.
    case entry(party: String, LedgerEntry)
    case notice(Notice)
    case audit(AuditEntry)
    case till(TillSession)
    /// A store-credit lot of `party`.
    case lot(party: String, CreditLot)
    case transfer(Transfer)
    case move(StockMove)

    /// The header's counts (section 23's `returns= documents= orders= entries= notices= audit=
    /// other=`): what this record adds to each.
    func count(into counts: inout ArchiveCounts) {
        switch self {
        case .returned(let r, let void):
            counts.returns += 1
            counts.documents += (r.doc.isEmpty ? 0 : 1) + (void == nil ? 0 : 1)
        case .order: counts.orders += 1
        case .entry: counts.entries += 1
        case .notice: counts.notices += 1
        case .audit: counts.audit += 1
        case .till, .lot, .transfer, .move: counts.other += 1
        }
    }

    /// Every key the record is found by. Ids are the protocol's (`R000042`, an order's own id,
    /// `T000001`, `M000001`); `key` holds the client-chosen keys (RETURN's and a move's `key=`),
    /// `doc` each document number, `party` whatever belongs to a customer or supplier.
    var keys: [(ArchiveIndex, String)] {
        switch self {
        case .returned(let r, let void):
            var keys: [(ArchiveIndex, String)] = [(.returns, ReturnRequest.id(r.number))]
            if !r.key.isEmpty { keys.append((.key, r.key)) }
            if !r.doc.isEmpty { keys.append((.doc, r.doc)) }
            if let void { keys.append((.doc, void.doc)) }
            if !r.party.isEmpty { keys.append((.party, r.party)) }
            if !r.noReceipt { keys.append((.orderReturns, r.order)) }
            return keys
        case .order(let o):
            return o.party.isEmpty ? [(.orders, o.id)] : [(.orders, o.id), (.party, o.party)]
        case .entry(let party, _): return [(.party, party)]
        case .notice(let n): return [(.notices, String(n.number)), (.party, n.party)]
        case .audit(let a): return [(.audit, String(a.seq))]
        case .till(let t): return [(.tills, t.id)]
        case .lot(let party, let lot): return [(.lots, lot.id), (.party, party)]
        case .transfer(let t): return [(.transfers, t.id)]
        case .move(let m): return m.key.isEmpty ? [(.moves, m.id)] : [(.moves, m.id), (.key, m.key)]
        }
    }

    /// The client-chosen ids and keys, for the archive's membership filter: a RETURN or move
    /// `key=`, a SALE's, PURCHASE's or TRANSFER's id stay unique for ever.
    var clientKeys: [String] {
        switch self {
        case .returned(let r, _): return r.key.isEmpty ? [] : ["key:" + r.key]
        case .order(let o): return ["order:" + o.id]
        case .transfer(let t): return ["transfer:" + t.id]
        case .move(let m): return m.key.isEmpty ? [] : ["key:" + m.key]
        case .entry, .notice, .audit, .till, .lot: return []
        }
    }
}

/// The indexes of an archive: one per kind of id, and the cross references.
public enum ArchiveIndex: UInt8, Sendable, CaseIterable {
    case returns = 1, orders, notices, audit, tills, lots, transfers, moves
    /// Client-chosen keys (RETURN's and a move's `key=`).
    case key
    /// Document numbers (an approval's, a VOID's).
    case doc
    /// A customer's or supplier's returns, orders, entries, notices and lots.
    case party
    /// An order's returns.
    case orderReturns
}

extension ArchiveRecord: BinaryCodable {
    private enum Tag: UInt8 { case returned = 1, order, entry, notice, audit, till, lot, transfer, move }

    public func write(to w: inout ByteWriter) {
        switch self {
        case .returned(let r, let void):
            w.u8(Tag.returned.rawValue); r.write(to: &w)
            w.bool(void != nil); void?.write(to: &w)
        case .order(let o): w.u8(Tag.order.rawValue); o.write(to: &w)
        case .entry(let party, let e): w.u8(Tag.entry.rawValue); w.string(party); e.write(to: &w)
        case .notice(let n): w.u8(Tag.notice.rawValue); n.write(to: &w)
        case .audit(let a): w.u8(Tag.audit.rawValue); a.write(to: &w)
        case .till(let t): w.u8(Tag.till.rawValue); t.write(to: &w)
        case .lot(let party, let lot): w.u8(Tag.lot.rawValue); w.string(party); lot.write(to: &w)
        case .transfer(let t): w.u8(Tag.transfer.rawValue); t.write(to: &w)
        case .move(let m): w.u8(Tag.move.rawValue); m.write(to: &w)
        }
    }

    public init(from r: inout ByteReader) throws(CodecError) {
        let raw = try r.u8()
        guard let tag = Tag(rawValue: raw) else { throw CodecError("unknown archive record \(raw)") }
        switch tag {
        case .returned:
            let request = try ReturnRequest(from: &r)
            self = .returned(request, void: try r.bool() ? try VoidRecord(from: &r) : nil)
        case .order: self = .order(try Order(from: &r))
        case .entry: self = .entry(party: try r.string(), try LedgerEntry(from: &r))
        case .notice: self = .notice(try Notice(from: &r))
        case .audit: self = .audit(try AuditEntry(from: &r))
        case .till: self = .till(try TillSession(from: &r))
        case .lot: self = .lot(party: try r.string(), try CreditLot(from: &r))
        case .transfer: self = .transfer(try Transfer(from: &r))
        case .move: self = .move(try StockMove(from: &r))
        }
    }
}

extension ArchiveRecord {
    /// The records a selection names, as an archive holds them: returns (each with its VOID),
    /// their lots, orders, entries, notices, audit entries, till sessions, transfers, stock moves.
    public static func records(_ selection: ArchiveSelection, of ledger: Ledger) -> [ArchiveRecord] {
        var records: [ArchiveRecord] = []
        records.reserveCapacity(selection.returns.count * 4)
        for number in selection.returns { records.append(.returned(ledger.returns[number - 1], void: ledger.voids[number])) }
        for (party, ids) in selection.lots.sorted(by: { $0.key < $1.key }) {
            for lot in ledger.creditLots[party] ?? [] where ids.contains(lot.id) { records.append(.lot(party: party, lot)) }
        }
        for id in selection.orders { if let order = ledger.orders[id] { records.append(.order(order)) } }
        for (party, positions) in selection.entries.sorted(by: { $0.key < $1.key }) {
            guard let entries = ledger.entries[party] else { continue }
            for position in positions { records.append(.entry(party: party, entries[position])) }
        }
        for number in selection.notices { records.append(.notice(ledger.notices[number - 1])) }
        let trail = ledger.audit.reader()
        for position in selection.audit { records.append(.audit(trail[position])) }
        for number in selection.tillSessions { records.append(.till(ledger.tillSessions[number - 1])) }
        for id in selection.transfers { if let transfer = ledger.transfers[id] { records.append(.transfer(transfer)) } }
        for number in selection.stockMoves { records.append(.move(ledger.stockMoves[number - 1])) }
        return records
    }
}
