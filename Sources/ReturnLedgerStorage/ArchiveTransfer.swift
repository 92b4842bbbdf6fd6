public import ReturnLedgerCore

/// Archives on a REPLICATE link (protocol.md, A warm standby): before an `archive.written` record
/// comes its archive, stored on the standby as the primary stores it; a seed brings the archives
/// its snapshot names.
///
/// ```
/// primary: record holds archive.written? ─▶ OutgoingArchive (checked, CRC as it goes) ─▶ A, F… ─▶ the record (R)
/// standby: A ─▶ IncomingArchive ─ F… ─▶ NAME.tmp ─▶ fsync ─▶ whole? (blocks, checksum) ─▶ rename ─▶ fsync folder
/// ```
extension LogRecord {
    /// The archives one framed record (header and payload, as the segments hold it) commits: its
    /// `archive.written` events. ARCHIVE commits that event alone, so only a record whose first
    /// event has its tag is decoded; any other costs a look at a few bytes (the payload: format
    /// u8, time i64, actor as u32 length and bytes, events as u32 count, then the first's tag).
    /// Empty when it commits none, or does not decode (the standby refuses such a record anyway).
    public static func archivesWritten(_ record: UnsafeRawBufferPointer) -> [ArchiveEntry] {
        guard let (length, _) = header(record, at: 0), length >= 1 + 8 + 4 + 4 + 1,
              record.count >= headerSize + length else { return [] }
        let actorLength = Int(UInt32(littleEndian: record.loadUnaligned(fromByteOffset: headerSize + 9, as: UInt32.self)))
        guard actorLength <= length else { return [] }
        let tag = headerSize + 1 + 8 + 4 + actorLength + 4
        guard tag < headerSize + length, record[tag] == Event.archiveWrittenTag,
              case .record(_, let entry, _) = read(record, at: 0) else { return [] }
        return entry.events.compactMap { event in
            if case .archiveWritten(let archive) = event { archive } else { nil }
        }
    }
}

/// An archive a primary sends a standby, read from its archive folder: checked before its first
/// byte goes (trailer, directory, header and filter, and the checksum its commit recorded), and
/// its bytes as they go (the CRC-32C of all but the trailer, against that checksum), so a missing
/// or damaged archive ends the link before the record that commits it is sent.
public final class OutgoingArchive {
    public let entry: ArchiveEntry
    public let path: String
    public let size: Int
    private let fs: any FileSystem
    private let covered: Int
    private var offset = 0
    private var crc: UInt32 = 0

    public init(_ entry: ArchiveEntry, in directory: String, fs: any FileSystem) throws(StorageError) {
        self.entry = entry
        self.fs = fs
        path = directory + "/" + ArchiveFile.fileName(entry.name)
        let reader: ArchiveReader
        do throws(ArchiveDamage) { reader = try ArchiveReader(path: path, fs: fs) } catch {
            throw StorageError("archive \(entry.name) is \(error.missing ? "missing" : "damaged"): \(error.description)")
        }
        guard reader.checksum == entry.checksum else {
            throw StorageError("archive \(entry.name) is damaged: \(path) has checksum \(reader.checksumText), committed as \(entry.checksumText)")
        }
        size = reader.size
        covered = size - ArchiveFile.trailerSize
    }

    /// All of it has been handed out (and its bytes held the checksum).
    public var done: Bool { offset == size }

    /// The next bytes, at most `max`; with the last ones the whole file's checksum is checked.
    public func next(max: Int = 1 << 20) throws(StorageError) -> [UInt8] {
        let chunk: [UInt8]
        do throws(StorageError) { chunk = try fs.readRange(path, offset: offset, count: min(max, size - offset)) } catch {
            throw StorageError("archive \(entry.name) cannot be read: \(error.message)")
        }
        guard !chunk.isEmpty else { throw StorageError("archive \(entry.name) is damaged: \(path) cut short at \(offset) of \(size) bytes") }
        if offset < covered {
            crc = chunk.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<min($0.count, covered - offset)]), seed: crc) }
        }
        offset += chunk.count
        if offset == size, crc != entry.checksum {
            throw StorageError("archive \(entry.name) is damaged: \(path)'s bytes have checksum \(ArchiveEntry.hex(crc)), committed as \(entry.checksumText)")
        }
        return chunk
    }
}

/// An archive a standby takes from its primary, into its own archive folder as ARCHIVE writes one:
/// `NAME.tmp`, fsynced, checked whole (every block, the file's checksum, the one announced), renamed
/// to `NAME.rla`, folder fsynced. Start-up removes it again while no record it holds names it.
public final class IncomingArchive {
    public let name: String
    public let size: Int
    public let checksum: UInt32
    private let file: IncomingFile
    private let fs: any FileSystem

    public enum Failure: Error, Sendable {
        /// What arrived is not the archive announced (a bad name, too many bytes, damage).
        case refused(String)
        /// This disk could not store it.
        case storage(StorageError)
    }

    public init(name: String, size: Int, checksum: UInt32, in directory: String, fs: any FileSystem) throws(Failure) {
        // A name as ARCHIVE makes them (`archive-<yyyymmdd>-<nnnn>`): never a path elsewhere.
        guard name.hasPrefix("archive-"), name.count <= 64,
              name.utf8.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || $0 == UInt8(ascii: "-") }) else {
            throw .refused("an archive named \(name.debugDescription)")
        }
        self.name = name
        self.size = size
        self.checksum = checksum
        self.fs = fs
        do throws(StorageError) {
            file = try IncomingFile(ArchiveFile.fileName(name), in: directory, fs: fs, temporary: name + ".tmp")
        } catch {
            throw .storage(error)
        }
    }

    /// Takes the next bytes; true once the archive is whole, checked and in place.
    public func take(_ bytes: [UInt8]) throws(Failure) -> Bool {
        guard bytes.count <= size - file.size else {
            file.abandon()
            throw .refused("archive \(name): more than the \(size) bytes announced")
        }
        do throws(StorageError) { try file.append(bytes) } catch {
            file.abandon()
            throw .storage(error)
        }
        guard file.size == size else { return false }
        var damage: String?
        do throws(StorageError) {
            try file.finish { [name, checksum, fs] path throws(StorageError) in
                do throws(ArchiveDamage) {
                    let reader = try ArchiveReader(path: path, fs: fs)
                    try reader.verify()
                    if reader.checksum != checksum {
                        damage = "archive \(name) arrived with checksum \(reader.checksumText), announced as \(ArchiveEntry.hex(checksum))"
                    }
                } catch {
                    damage = "archive \(name) arrived damaged: \(error.description)"
                }
                if let damage { throw StorageError(damage) }
            }
        } catch {
            throw damage.map { .refused($0) } ?? .storage(error)
        }
        return true
    }

    /// Removes the unfinished file (the link lost before it was whole).
    public func abandon() { file.abandon() }
}
