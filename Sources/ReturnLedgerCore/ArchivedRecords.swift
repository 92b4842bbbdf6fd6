/// The records that left memory for their archives (protocol.md, Years of history: the memory
/// model), read back from the archive files. A read that reaches one asks this, off the writer;
/// the server reads the files (`ArchiveRecordSource`), a test keeps them in memory.
///
/// An archive that cannot be read (missing, damaged) is `ERR ARCHIVE` naming its file and offset.
public protocol ArchivedRecords: Sendable {
    /// The audit entries `archive` took at `positions` (places in the trail, ascending), in order.
    func audit(_ positions: [Int], in archive: ArchiveEntry) throws(DomainError) -> [AuditEntry]
}

extension Ledger {
    /// The entries of the audit trail's chunk holding `position`, held or read back from the
    /// archives that took them (`archived` nil: the read cannot reach archives, `ERR ARCHIVE`).
    func auditChunk(holding position: Int, _ archived: (any ArchivedRecords)?) throws(DomainError) -> [AuditEntry] {
        let size = AuditLog.entriesPerChunk
        let first = position / size * size
        let positions = first..<min(first + size, audit.count)
        guard !audit.isHeld(position) else { return positions.map { audit[$0] } }
        guard let archived else { throw DomainError(.ARCHIVE, "audit entry \(position + 1) is archived and this read cannot reach archives") }
        var found: [Int: AuditEntry] = [:]
        for archive in archives {
            let taken = positions.filter { archive.taken.audit.contains($0) }
            guard !taken.isEmpty else { continue }
            let entries = try archived.audit(taken, in: archive)
            guard entries.count == taken.count else {
                throw DomainError(.ARCHIVE, "archive \(archive.name) gave \(entries.count) of its \(taken.count) audit entries")
            }
            for (p, entry) in zip(taken, entries) { found[p] = entry }
        }
        var chunk: [AuditEntry] = []
        chunk.reserveCapacity(positions.count)
        for p in positions {
            guard let entry = found[p] else { throw DomainError(.ARCHIVE, "audit entry \(p + 1) is in no archive") }
            chunk.append(entry)
        }
        return chunk
    }
}
