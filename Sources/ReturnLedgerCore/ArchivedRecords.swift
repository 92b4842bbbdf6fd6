/// The records that left memory for their archives (protocol.md, Years of history: the memory
/// model), read back from the archive files. A read that reaches one asks this, off the writer;
/// the server reads the files (`ArchiveRecordSource`), a test keeps them in memory.
///
/// An archive that cannot be read (missing, damaged) is `ERR ARCHIVE` naming its file and offset.
public protocol ArchivedRecords: Sendable {
    /// The audit entries `archive` took at `positions` (places in the trail, ascending), in order.
    func audit(_ positions: [Int], in archive: ArchiveEntry) throws(DomainError) -> [AuditEntry]
    /// The notices `archive` took numbered `numbers` (ascending), in order.
    func notices(_ numbers: [Int], in archive: ArchiveEntry) throws(DomainError) -> [Notice]
    /// Every notice of `party` that `archive` took, by number.
    func notices(of party: String, in archive: ArchiveEntry) throws(DomainError) -> [Notice]
    /// The returns `archive` took numbered `numbers` (ascending), in order.
    func returns(_ numbers: [Int], in archive: ArchiveEntry) throws(DomainError) -> [ReturnRequest]
}

extension Ledger {
    /// A released chunk of a record list kept in chunks (the audit trail, the notices), read back
    /// from the archives that took it. `position`: any place in the chunk; `count`: the list's
    /// length; `taken`: the ids an archive took, `position + 1` for a notice, `position` for an
    /// audit entry (`idOffset`); `archived` nil: this read cannot reach archives (`ERR ARCHIVE`).
    func releasedChunk<Record>(holding position: Int, of count: Int, chunkSize: Int, what: String,
                               taken: (ArchiveSelection) -> IDRuns, idOffset: Int, _ archived: (any ArchivedRecords)?,
                               read: (any ArchivedRecords, [Int], ArchiveEntry) throws(DomainError) -> [Record]) throws(DomainError) -> [Record] {
        let first = position / chunkSize * chunkSize
        let ids = (first..<Swift.min(first + chunkSize, count)).map { $0 + idOffset }
        guard let archived else { throw DomainError(.ARCHIVE, "\(what) \(position + 1) is archived and this read cannot reach archives") }
        var found: [Int: Record] = [:]
        for archive in archives {
            let runs = taken(archive.taken)
            let mine = ids.filter { runs.contains($0) }
            guard !mine.isEmpty else { continue }
            let records = try read(archived, mine, archive)
            guard records.count == mine.count else {
                throw DomainError(.ARCHIVE, "archive \(archive.name) gave \(records.count) of its \(mine.count) \(what)s asked for")
            }
            for (id, record) in zip(mine, records) { found[id] = record }
        }
        var chunk: [Record] = []
        chunk.reserveCapacity(ids.count)
        for id in ids {
            guard let record = found[id] else { throw DomainError(.ARCHIVE, "\(what) \(id - idOffset + 1) is in no archive") }
            chunk.append(record)
        }
        return chunk
    }

    /// The newest business date a record of a released chunk can have (ids `ids`, as the
    /// archives took them): the latest `through` of the archives that took any. A read bounded
    /// by a later date skips the chunk without reading it back.
    func newestDay(ofReleased ids: ClosedRange<Int>, taken: (ArchiveSelection) -> IDRuns) -> Int64 {
        var newest = Int64.min
        for archive in archives where taken(archive.taken).overlaps(ids) { newest = Swift.max(newest, archive.through.daysSinceEpoch) }
        return newest
    }

    /// The audit trail's released chunk holding `position`.
    func auditChunk(holding position: Int, _ archived: (any ArchivedRecords)?) throws(DomainError) -> [AuditEntry] {
        try releasedChunk(holding: position, of: audit.count, chunkSize: AuditLog.entriesPerChunk, what: "audit entry",
                          taken: \.audit, idOffset: 0, archived) { (source, ids, archive) throws(DomainError) in
            try source.audit(ids, in: archive)
        }
    }

    /// The notices' released chunk holding `position` (notice `position + 1`).
    func noticeChunk(holding position: Int, _ archived: (any ArchivedRecords)?) throws(DomainError) -> [Notice] {
        try releasedChunk(holding: position, of: notices.count, chunkSize: ChunkedArray<Notice>.elementsPerChunk, what: "notice",
                          taken: \.notices, idOffset: 1, archived) { (source, ids, archive) throws(DomainError) in
            try source.notices(ids, in: archive)
        }
    }
}
