/// One record of a log segment:
///
/// ```
/// ┌────────────┬────────────┬────────────┬──────────────────────────────┐
/// │ length u32 │ seq u64    │ crc u32    │ payload (length bytes)       │
/// └────────────┴────────────┴────────────┴──────────────────────────────┘
///   crc = CRC-32C over length, seq and payload; payload = a LogEntry
/// ```
/// A segment starts with the 8-byte magic `RLWAL001`.
public enum LogRecord {
    public static let magic: [UInt8] = Array("RLWAL001".utf8)
    public static let headerSize = 16
    /// Larger than any command can produce; a bigger length is damage, not data.
    public static let maxPayload = 64 << 20

    /// Appends a framed record to `out`.
    public static func append(_ entry: LogEntry, seq: UInt64, to out: inout ByteWriter) {
        let start = out.bytes.count
        out.u32(0)
        out.u64(seq)
        out.u32(0)
        entry.write(to: &out)
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
    }

    /// Reads the record at `offset`.
    public static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Read {
        let remaining = bytes.count - offset
        if remaining == 0 { return .end }
        guard remaining >= headerSize else { return .damaged(reason: "partial record header") }
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        let seq = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt64.self))
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
        guard length <= maxPayload else { return .damaged(reason: "impossible record length \(length)") }
        guard remaining >= headerSize + length else { return .damaged(reason: "record cut short") }
        let head = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 12)]))
        let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + headerSize)..<(offset + headerSize + length)])
        guard CRC32C.checksum(payload, seed: head) == stored else { return .damaged(reason: "checksum mismatch") }
        var reader = ByteReader(payload)
        do {
            let entry = try LogEntry(from: &reader)
            guard reader.remaining == 0 else { return .damaged(reason: "trailing bytes in record") }
            return .record(seq: seq, entry: entry, next: offset + headerSize + length)
        } catch {
            return .damaged(reason: "undecodable record: \(error)")
        }
    }

    /// Whether any intact record starts after `offset`: tells damage in the middle (refuse to
    /// start) from a torn tail (cut it off). Only intact records with a plausible sequence count.
    public static func intactRecordAfter(_ bytes: UnsafeRawBufferPointer, offset: Int, expectedSeq: UInt64) -> Bool {
        var candidate = offset + 1
        while candidate + headerSize <= bytes.count {
            let seq = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: candidate + 4, as: UInt64.self))
            if seq >= expectedSeq, seq < expectedSeq &+ 1_000_000, case .record = read(bytes, at: candidate) { return true }
            candidate += 1
        }
        return false
    }
}
