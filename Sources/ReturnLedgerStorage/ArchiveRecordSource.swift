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

    /// The records each of `keys` finds, read together.
    private func find(_ reader: ArchiveReader, _ index: ArchiveIndex, _ keys: [String]) throws(DomainError) -> [[ArchiveRecord]] {
        do throws(ArchiveDamage) { return try reader.find(index, keys) } catch { throw DomainError(.ARCHIVE, error.description) }
    }

    public func notices(_ numbers: [Int], in archive: ArchiveEntry) throws(DomainError) -> [Notice] {
        let reader = try reader(archive)
        return try zip(numbers, find(reader, .notices, numbers.map(String.init))).map { (number, found) throws(DomainError) in
            guard case .notice(let notice)? = found.first else {
                throw DomainError(.ARCHIVE, "\(reader.path) does not hold notice \(number) (its index finds none)")
            }
            return notice
        }
    }

    public func notices(of party: String, in archive: ArchiveEntry) throws(DomainError) -> [Notice] {
        try find(try reader(archive), .party, party).compactMap { if case .notice(let n) = $0 { n } else { nil } }
    }

    public func audit(_ positions: [Int], in archive: ArchiveEntry) throws(DomainError) -> [AuditEntry] {
        let reader = try reader(archive)
        return try zip(positions, find(reader, .audit, positions.map { String($0 + 1) })).map { (position, found) throws(DomainError) in
            guard case .audit(let entry)? = found.first else {
                throw DomainError(.ARCHIVE, "\(reader.path) does not hold audit entry \(position + 1) (its index finds none)")
            }
            return entry
        }
    }
}
