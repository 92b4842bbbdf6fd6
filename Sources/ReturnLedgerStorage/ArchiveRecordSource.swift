public import ReturnLedgerCore
import Synchronization

/// Records that left memory read back from their archive files (`ArchivedRecords`), off the
/// writer. A reader per archive is opened once (header, index summaries and filter checked,
/// its checksum against the one its log record committed) and kept; a record costs two preads
/// (index block, record). Damage is `ERR ARCHIVE` naming the file and offset, and nothing is kept
/// of an archive that failed to open, so a good copy put back is read the next time.
public final class ArchiveRecordSource: ArchivedRecords {
    public let replay: ArchiveReplay
    private let readers = Mutex<[String: ArchiveReader]>([:])

    public init(_ replay: ArchiveReplay) { self.replay = replay }

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

    /// The records `key` finds in `index`, damage as `ERR ARCHIVE`.
    private func find(_ reader: ArchiveReader, _ index: ArchiveIndex, _ key: String) throws(DomainError) -> [ArchiveRecord] {
        do throws(ArchiveDamage) { return try reader.find(index, key) } catch { throw DomainError(.ARCHIVE, error.description) }
    }

    public func notices(_ numbers: [Int], in archive: ArchiveEntry) throws(DomainError) -> [Notice] {
        let reader = try reader(archive)
        var notices: [Notice] = []
        notices.reserveCapacity(numbers.count)
        for number in numbers {
            guard case .notice(let notice)? = try find(reader, .notices, String(number)).first else {
                throw DomainError(.ARCHIVE, "\(reader.path) does not hold notice \(number) (its index finds none)")
            }
            notices.append(notice)
        }
        return notices
    }

    public func notices(of party: String, in archive: ArchiveEntry) throws(DomainError) -> [Notice] {
        try find(try reader(archive), .party, party).compactMap { if case .notice(let n) = $0 { n } else { nil } }
    }

    public func audit(_ positions: [Int], in archive: ArchiveEntry) throws(DomainError) -> [AuditEntry] {
        let reader = try reader(archive)
        var entries: [AuditEntry] = []
        entries.reserveCapacity(positions.count)
        for position in positions {
            guard case .audit(let entry)? = try find(reader, .audit, String(position + 1)).first else {
                throw DomainError(.ARCHIVE, "\(reader.path) does not hold audit entry \(position + 1) (its index finds none)")
            }
            entries.append(entry)
        }
        return entries
    }
}
