public import ReturnLedgerCore

/// Replaying `archive.written`: the log record carries the archive's summary; which records it
/// took is read from the archive itself, the decision made once when it was written (protocol.md,
/// Years of history: Commit and crashes). An archive that cannot be read then stops start-up,
/// naming it, as damage in the log does.
public struct ArchiveReplay: Sendable {
    /// `--archive-dir`: where the archives are.
    public let directory: String
    public let fs: any FileSystem

    public init(directory: String, fs: any FileSystem) {
        self.directory = directory
        self.fs = fs
    }

    public func path(_ name: String) -> String { directory + "/" + ArchiveFile.fileName(name) }

    /// `events` with each `archive.written` given what its archive took (`ledger`: the state they
    /// apply to). A standby's records go through here before they are appended; `read`: the
    /// archives' records already read (by name), so only the matching runs on the caller's queue.
    public func resolved(_ events: [Event], in ledger: Ledger,
                         read: [String: [ArchiveRecord]] = [:]) throws(StorageError) -> [Event] {
        guard events.contains(where: { if case .archiveWritten = $0 { true } else { false } }) else { return events }
        var out: [Event] = []
        for event in events {
            guard case .archiveWritten(var entry) = event else { out.append(event); continue }
            let records: [ArchiveRecord]
            if let given = read[entry.name] { records = given } else { records = try self.records(of: entry) }
            entry.taken = Self.selection(records, in: ledger)
            out.append(.archiveWritten(entry))
        }
        return out
    }

    /// Every record of `entry`'s archive, read whole and checked against the checksum its log
    /// record gives: the file's I/O and decoding, which a standby does off its writer.
    public func records(of entry: ArchiveEntry) throws(StorageError) -> [ArchiveRecord] {
        let reader: ArchiveReader
        let records: [ArchiveRecord]
        do throws(ArchiveDamage) {
            reader = try ArchiveReader(path: path(entry.name), fs: fs)
            records = try reader.allRecords()
        } catch {
            throw StorageError("archive.written at seq \(entry.seq) names \(error)")
        }
        guard reader.checksum == entry.checksum else {
            throw StorageError("archive.written at seq \(entry.seq): \(reader.path) has checksum \(reader.checksumText), "
                               + "the log says \(entry.checksumText)")
        }
        return records
    }

    /// The ids of `records`, as ARCHIVE's selection names them.
    static func selection(_ records: [ArchiveRecord], in ledger: Ledger) -> ArchiveSelection {
        var s = ArchiveSelection()
        var entries: [String: [LedgerEntry]] = [:]
        for record in records {
            switch record {
            case .returned(let r, _): s.returns.append(r.number)
            case .order(let o): s.orders.append(o.id)
            case .entry(let party, let e): entries[party, default: []].append(e)
            case .notice(let n): s.notices.append(n.number)
            case .audit(let a): s.audit.append(a.seq - 1)
            case .till(let t): s.tillSessions.append(t.number)
            case .lot(let party, let lot): s.lots[party, default: []].append(lot.id)
            case .transfer(let t): s.transfers.append(t.id)
            case .move(let m): s.stockMoves.append(m.number)
            }
        }
        // Entries have no id: the archived ones are found on the account in order, among those
        // no earlier archive took (as the selection chose them; released ones are among those).
        let before = ArchiveSelection.union(ledger.archives.map(\.taken)).entries
        for (party, taken) in entries {
            guard let list = ledger.entries[party] else { continue }
            let earlier = before[party] ?? IDRuns()
            var positions = IDRuns()
            var next = 0
            for i in list.indices where next < taken.count && !earlier.contains(i) && list[i] == taken[next] {
                positions.append(i)
                next += 1
            }
            s.entries[party] = positions
            if !taken.isEmpty { s.forward[party] = BroughtForward(taken) }
        }
        return s.normalized()
    }
}
