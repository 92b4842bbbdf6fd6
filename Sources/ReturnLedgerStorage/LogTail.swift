/// Reads the log's records as they lie in the segments, framing and all, from a sequence on: what
/// a primary sends its standbys byte for byte (protocol.md, A warm standby). One per standby link,
/// on that link's thread; it remembers where it stopped, so each record is read once, a chunk at a
/// time with `pread`. Records are walked by their headers, never decoded; the standby checks their
/// checksums.
public final class LogTail {
    private let directory: DataDirectory
    private let fs: any FileSystem
    /// The last sequence handed out.
    public private(set) var position: UInt64
    private var segment: String?
    private var offset = 0
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    /// How far ahead to read: a megabyte while catching up, 64 KiB once a read reached the end of
    /// what is written (streaming as it happens, a few records after each fsync).
    private var readAhead = 64 << 10

    public init(directory: DataDirectory, fs: any FileSystem, after seq: UInt64) {
        self.directory = directory
        self.fs = fs
        self.position = seq
    }

    public enum Failure: Error, Sendable {
        /// The records after `position` are no longer kept: the standby must be seeded.
        case gone
        case storage(StorageError)
    }

    /// Whole records after `position` up to `upTo`, about `maxBytes` of them at most (at least
    /// one); empty when there are none yet.
    public func read(upTo: UInt64, maxBytes: Int = 1 << 20) throws(Failure) -> (bytes: [UInt8], last: UInt64) {
        guard position < upTo else { return ([], position) }
        if segment == nil { try locate() }
        var out: [UInt8] = []
        var last = position
        while last < upTo, out.count < maxBytes {
            guard let (length, seq) = try header() else {
                // The end of this segment: the next one starts at the next sequence.
                guard try advanceSegment(after: last) else { break }
                continue
            }
            if seq <= last {  // before where we are (a segment found by its name): skip
                offset += LogRecord.headerSize + length
                continue
            }
            guard seq == last + 1 else {
                throw .storage(StorageError("\(segment ?? "?") at offset \(offset): seq \(seq) where \(last + 1) was expected"))
            }
            if seq > upTo { break }
            // Not checksummed here: the standby checks every record it takes (its checksum, its
            // sequence) and refuses the link on damage; checking twice cost the primary a CRC of
            // every record it streams.
            let record = try bytes(LogRecord.headerSize + length)
            out.append(contentsOf: record)
            offset += record.count
            last = seq
        }
        position = last
        return (out, last)
    }

    /// Finds the segment holding `position + 1`.
    private func locate() throws(Failure) {
        let segments: [(seq: UInt64, name: String)]
        do { segments = try directory.contents(fs).segments } catch { throw .storage(error) }
        guard let index = segments.lastIndex(where: { $0.seq <= position + 1 }) else { throw .gone }
        // A record after position must be in this segment or later; older ones were dropped.
        if index == 0, segments[0].seq > position + 1 { throw .gone }
        segment = segments[index].name
        offset = LogRecord.magic.count
        buffer = []
        bufferStart = 0
    }

    /// Moves to the segment that begins right after `last`, if it exists yet.
    private func advanceSegment(after last: UInt64) throws(Failure) -> Bool {
        let name = DataDirectory.walName(last + 1)
        guard name != segment else { return false }
        let exists: Bool
        do { exists = try directory.contents(fs).segments.contains { $0.name == name } } catch { throw .storage(error) }
        guard exists else { return false }
        segment = name
        offset = LogRecord.magic.count
        buffer = []
        bufferStart = 0
        return true
    }

    /// The header of the record at `offset`, when the whole record is on disk; nil otherwise.
    private func header() throws(Failure) -> (length: Int, seq: UInt64)? {
        guard let head = try? bytes(LogRecord.headerSize) else { return nil }
        let (length, seq) = head.withUnsafeBytes { LogRecord.header($0, at: 0)! }
        guard length <= LogRecord.maxPayload, (try? bytes(LogRecord.headerSize + length)) != nil else { return nil }
        return (length, seq)
    }

    /// `count` bytes at `offset` of the current segment (read ahead a megabyte at a time).
    private func bytes(_ count: Int) throws(Failure) -> ArraySlice<UInt8> {
        guard let segment else { throw .gone }
        if offset < bufferStart || offset + count > bufferStart + buffer.count {
            let wanted = max(count, readAhead)
            do {
                buffer = try fs.readRange(directory.file(segment), offset: offset, count: wanted)
            } catch {
                throw .storage(error)
            }
            bufferStart = offset
            readAhead = buffer.count == wanted ? 1 << 20 : 64 << 10
        }
        let from = offset - bufferStart
        guard from + count <= buffer.count else { throw .gone }
        return buffer[from..<(from + count)]
    }
}
