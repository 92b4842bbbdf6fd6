/// One record of a log segment:
///
/// ```
/// ┌────────────┬────────────┬────────────┬──────────────────────────────┐
/// │ length u32 │ seq u64    │ crc u32    │ payload (length bytes)       │
/// └────────────┴────────────┴────────────┴──────────────────────────────┘
///   crc = CRC-32C over length, seq and payload
///   payload = version u8 (the record's `Format`), then a LogEntry in that format
/// ```
/// A segment starts with an 8-byte magic that says how its records are framed: `RLWAL002`
/// (this build writes it), or `RLWAL001` from format 1, whose payload is a LogEntry alone.
public enum LogRecord {
    /// The magic of the segments this build writes, and the framing it names.
    public static let magic: [UInt8] = Array("RLWAL002".utf8)
    public static let framing = Format.v2
    static let magicV1: [UInt8] = Array("RLWAL001".utf8)
    public static let headerSize = 16
    /// Larger than any command can produce; a bigger length is damage, not data.
    public static let maxPayload = 64 << 20

    /// Appends a framed record to `out`.
    public static func append(_ entry: LogEntry, seq: UInt64, to out: inout ByteWriter) {
        let start = out.bytes.count
        out.u32(0)
        out.u64(seq)
        out.u32(0)
        out.u8(Format.current.rawValue)
        entry.write(to: &out)
        seal(from: start, in: &out)
    }

    /// Appends a framed record around a payload already encoded (its format byte first): the
    /// fuzz targets frame arbitrary payloads this way, so the decoder behind the checksum is reached.
    public static func append(payload: [UInt8], seq: UInt64, to out: inout ByteWriter) {
        let start = out.bytes.count
        out.u32(0)
        out.u64(seq)
        out.u32(0)
        out.bytes.append(contentsOf: payload)
        seal(from: start, in: &out)
    }

    /// Writes again the checksum of the record holding byte `offset` of a segment's bytes (its
    /// magic included), over its length, sequence and payload: what someone altering a record
    /// by hand would do so that start-up takes it (the tests of the document chain do, to show
    /// VERIFY still finds it). False when no record holds `offset`.
    @discardableResult
    public static func reseal(recordHolding offset: Int, in bytes: inout [UInt8]) -> Bool {
        var start = magic.count
        while start + headerSize <= bytes.count {
            let length = Int(bytes[start]) | Int(bytes[start + 1]) << 8 | Int(bytes[start + 2]) << 16 | Int(bytes[start + 3]) << 24
            let end = start + headerSize + length
            guard end <= bytes.count else { return false }
            if offset < end {
                let crc = CRC32C.checksum(Array(bytes[(start + headerSize)..<end]), seed: CRC32C.checksum(Array(bytes[start..<(start + 12)])))
                withUnsafeBytes(of: crc.littleEndian) { for i in 0..<4 { bytes[start + 12 + i] = $0[i] } }
                return true
            }
            start = end
        }
        return false
    }

    /// Fills in the length and checksum of the record that starts at `start` and ends the writer.
    private static func seal(from start: Int, in out: inout ByteWriter) {
        let length = UInt32(out.bytes.count - start - headerSize)
        out.patch(u32: length, at: start)
        let crc = out.bytes.withUnsafeBytes { raw in
            let head = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[start..<(start + 12)]))
            return CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(start + headerSize)...]), seed: head)
        }
        out.patch(u32: crc, at: start + 12)
    }

    public enum Read {
        case record(seq: UInt64, entry: LogEntry, next: Int)
        /// Clean end of the segment.
        case end
        /// Something unreadable at this offset, and why.
        case damaged(reason: String)
        /// An intact record (its checksum holds) this build cannot decode: written by a newer
        /// version, or a bug. Never a torn write, so never cut off: recovery refuses.
        case unreadable(reason: String)
    }

    /// How the records of a segment are framed, from its magic: `.v1` (no version byte) or
    /// `.v2` (each record says its own format, whichever it is); nil when it is not a segment.
    public static func segmentFormat(_ bytes: UnsafeRawBufferPointer) -> Format? {
        guard bytes.count >= magic.count else { return nil }
        let head = Array(bytes[0..<magic.count])
        if head == magic { return framing }
        if head == magicV1 { return .v1 }
        return nil
    }

    /// Reads the record at `offset` of a segment whose records are framed as `segment` says.
    /// A record's length and sequence from its header, unchecked (nil: fewer bytes than a header).
    /// What a reader skipping records it does not want needs, without decoding them.
    public static func header(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (length: Int, seq: UInt64)? {
        guard bytes.count - offset >= headerSize else { return nil }
        return (Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))),
                UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt64.self)))
    }

    public static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int, segment: Format = framing) -> Read {
        switch frame(bytes, at: offset, segment: segment) {
        case .end: return .end
        case .damaged(let reason): return .damaged(reason: reason)
        case .unreadable(let reason): return .unreadable(reason: reason)
        case .intact(let seq, let payload, let start, let format, let next):
            var reader = ByteReader(payload, offset: start, format: format)
            do {
                let entry = try LogEntry(from: &reader)
                guard reader.remaining == 0 else { return .unreadable(reason: "trailing bytes in a record of \(format)") }
                return .record(seq: seq, entry: entry, next: next)
            } catch {
                return .unreadable(reason: "undecodable record of \(format): \(error)")
            }
        }
    }

    /// A record's frame checked (header, checksum, a format this build reads), its payload not
    /// decoded: what `read` decodes, and what start-up needs of a record its snapshot already holds.
    enum Frame {
        case intact(seq: UInt64, payload: UnsafeRawBufferPointer, start: Int, format: Format, next: Int)
        case end
        case damaged(reason: String)
        case unreadable(reason: String)
    }

    static func frame(_ bytes: UnsafeRawBufferPointer, at offset: Int, segment: Format) -> Frame {
        let remaining = bytes.count - offset
        if remaining == 0 { return .end }
        guard let (length, seq) = header(bytes, at: offset) else { return .damaged(reason: "partial record header") }
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
        guard length <= maxPayload else { return .damaged(reason: "impossible record length \(length)") }
        guard remaining >= headerSize + length else { return .damaged(reason: "record cut short") }
        let head = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 12)]))
        let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + headerSize)..<(offset + headerSize + length)])
        guard CRC32C.checksum(payload, seed: head) == stored else { return .damaged(reason: "checksum mismatch") }
        var format = Format.v1
        var start = 0
        if segment >= .v2 {
            guard length >= 1, let version = Format.readable(payload[0]) else {
                return .unreadable(reason: "record of format \(length >= 1 ? payload[0] : 0), which this version cannot read (written by a newer one?)")
            }
            format = version
            start = 1
        }
        return .intact(seq: seq, payload: payload, start: start, format: format, next: offset + headerSize + length)
    }

    /// Whether any intact record starts after `offset`: tells damage in the middle (refuse to
    /// start) from a torn tail (cut it off). Only intact records with a plausible sequence count.
    public static func intactRecordAfter(_ bytes: UnsafeRawBufferPointer, offset: Int, expectedSeq: UInt64,
                                         segment: Format = framing) -> Bool {
        var candidate = offset + 1
        while candidate + headerSize <= bytes.count {
            let seq = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: candidate + 4, as: UInt64.self))
            if seq >= expectedSeq, seq < expectedSeq &+ 1_000_000, case .record = read(bytes, at: candidate, segment: segment) { return true }
            candidate += 1
        }
        return false
    }
}
