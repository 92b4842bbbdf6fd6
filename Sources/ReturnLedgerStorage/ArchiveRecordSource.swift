public import ReturnLedgerCore
import Synchronization

/// Records that left memory read back from their archive files (`ArchivedRecords`), off the
/// writer. A reader per archive is opened once (header, index summaries and filter checked,
/// its checksum against the one its log record committed) and kept; a batch of records costs an
/// index block read for each block its keys fall in, and a read for each run of neighbours. Damage is `ERR ARCHIVE` naming the file and offset, and nothing is kept
/// of an archive that failed to open, so a good copy put back is read the next time.
public final class ArchiveRecordSource: ArchivedRecords {
    public let replay: ArchiveReplay
    private let readers = Mutex<[String: ArchiveReader]>([:])

    public init(_ replay: ArchiveReplay) { self.replay = replay }

    /// A reader opened and checked elsewhere (start-up's check, VERIFY's) for `archive`, kept
    /// when it is the committed file.
    public func adopt(_ reader: ArchiveReader, for archive: ArchiveEntry) {
        guard reader.checksum == archive.checksum else { return }
        readers.withLock { $0[archive.name] = reader }
    }

    private func reader(_ archive: ArchiveEntry) throws(DomainError) -> ArchiveReader {
        if let open = readers.withLock({ $0[archive.name] }) { return open }
        let reader: ArchiveReader
        do throws(ArchiveDamage) { reader = try ArchiveReader(path: replay.path(archive.name), fs: replay.fs) } catch {
            throw DomainError(.ARCHIVE, error.description)
        }
        guard reader.checksum == archive.checksum else {
            throw DomainError(.ARCHIVE, "\(reader.path): checksum \(reader.checksumText), committed as \(archive.checksumText)")
        }
        readers.withLock { $0[archive.name] = reader }
        return reader
    }

    /// The record of each of `keys` in `index` that `pick` takes (`what` and `ids` name it when
    /// the archive has none), read together; damage as `ERR ARCHIVE`.
    private func each<T>(_ archive: ArchiveEntry, _ index: ArchiveIndex, _ keys: [String], _ what: String, _ ids: [Int],
                         _ pick: (ArchiveRecord) -> T?) throws(DomainError) -> [T] {
        let reader = try reader(archive)
        let found: [[ArchiveRecord]]
        do throws(ArchiveDamage) { found = try reader.find(index, keys) } catch { throw DomainError(.ARCHIVE, error.description) }
        var out: [T] = []
        out.reserveCapacity(keys.count)
        for (id, records) in zip(ids, found) {
            guard let record = records.lazy.compactMap(pick).first else {
                throw DomainError(.ARCHIVE, "\(reader.path) does not hold \(what) \(id) (its index finds none)")
            }
            out.append(record)
        }
        return out
    }

    public func notices(_ numbers: [Int], in archive: ArchiveEntry) throws(DomainError) -> [Notice] {
        try each(archive, .notices, numbers.map(String.init), "notice", numbers) { if case .notice(let n) = $0 { n } else { nil } }
    }

    public func notices(of party: String, in archive: ArchiveEntry) throws(DomainError) -> [Notice] {
        let reader = try reader(archive)
        let found: [ArchiveRecord]
        do throws(ArchiveDamage) { found = try reader.find(.party, party) } catch { throw DomainError(.ARCHIVE, error.description) }
        return found.compactMap { if case .notice(let n) = $0 { n } else { nil } }
    }

    public func returns(_ numbers: [Int], in archive: ArchiveEntry) throws(DomainError) -> [ReturnRequest] {
        try each(archive, .returns, numbers.map(ReturnRequest.id), "return", numbers) { if case .returned(let r, _) = $0 { r } else { nil } }
    }

    public func audit(_ positions: [Int], in archive: ArchiveEntry) throws(DomainError) -> [AuditEntry] {
        let seqs = positions.map { $0 + 1 }
        return try each(archive, .audit, seqs.map(String.init), "audit entry", seqs) { if case .audit(let a) = $0 { a } else { nil } }
    }
}
