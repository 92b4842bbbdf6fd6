/// Reads the log's records as they lie in the segments, framing and all, from a sequence on: what
/// a primary sends its standbys byte for byte (protocol.md, A warm standby). One per standby link,
/// on that link's thread; it remembers where it stopped, so each record is read once, a chunk at a
/// time with `pread` into one buffer. Records are walked by their headers, never decoded; the
/// standby checks their checksums.
public final class LogTail {
    private let directory: DataDirectory
    private let fs: any FileSystem
    /// The last sequence handed out.
    public private(set) var position: UInt64
    private var segment: String?
    private var offset = 0
    /// What was read of the current segment: `bufferCount` bytes from `bufferStart`. Kept and
    /// read into again, a megabyte at most each time (what is there: a few records after each
    /// fsync while streaming, a megabyte while catching up); larger only for a record that is,
    /// and back to a megabyte at the next read.
    private var buffer: [UInt8] = []
    private var bufferCount = 0
    private var bufferStart = 0
    private static let readAhead = 1 << 20

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
        var out: [UInt8] = []
        let last = try read(upTo: upTo, maxBytes: maxBytes, appendingTo: &out)
        return (out, last)
    }

    /// As `read(upTo:maxBytes:)`, the records appended to `out` (whose capacity a caller keeps
    /// from read to read); returns the last sequence read. After a throw neither this tail nor
    /// what it appended is to be used again (a standby's link ends then; the next one makes a
    /// new tail).
    public func read(upTo: UInt64, maxBytes: Int = 1 << 20, appendingTo out: inout [UInt8]) throws(Failure) -> UInt64 {
        guard position < upTo else { return position }
        if segment == nil { try locate() }
        let start = out.count
        var last = position
        while last < upTo, out.count - start < maxBytes {
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
            let size = LogRecord.headerSize + length
            let from = try bytes(size)
            out.append(contentsOf: buffer[from..<(from + size)])
            offset += size
            last = seq
        }
        position = last
        return last
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
        bufferCount = 0
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
        bufferCount = 0
        bufferStart = 0
        return true
    }

    /// The header of the record at `offset`, when the whole record is on disk; nil otherwise.
    private func header() throws(Failure) -> (length: Int, seq: UInt64)? {
        guard let from = try? bytes(LogRecord.headerSize) else { return nil }
        let (length, seq) = buffer.withUnsafeBytes { LogRecord.header($0, at: from)! }
        guard length <= LogRecord.maxPayload, (try? bytes(LogRecord.headerSize + length)) != nil else { return nil }
        return (length, seq)
    }

    /// Where the `count` bytes at `offset` of the current segment are in `buffer` (read ahead up
    /// to a megabyte at a time).
    private func bytes(_ count: Int) throws(Failure) -> Int {
        guard let segment else { throw .gone }
        if offset < bufferStart || offset + count > bufferStart + bufferCount {
            let wanted = max(count, LogTail.readAhead)
            if buffer.count != wanted { buffer = [UInt8](repeating: 0, count: wanted) }
            do {
                bufferCount = try fs.readRange(directory.file(segment), offset: offset, into: &buffer)
            } catch {
                throw .storage(error)
            }
            bufferStart = offset
        }
        let from = offset - bufferStart
        guard from + count <= bufferCount else { throw .gone }
        return from
    }
}
