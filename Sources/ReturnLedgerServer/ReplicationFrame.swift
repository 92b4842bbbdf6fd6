/// The binary frames of a REPLICATE stream (protocol.md, A warm standby: after the `OK` line,
/// both ways): a type byte, the payload's length (u32, little-endian), the payload.
///
/// | type | way | payload |
/// |---|---|---|
/// | `R` | primary → standby | whole log records, byte for byte as in the primary's segments, in order |
/// | `H` | primary → standby | heartbeat: u64 the primary's durable (fsynced) seq |
/// | `S` | primary → standby | a seed's snapshot begins: u64 its seq, u64 its size in bytes |
/// | `D` | primary → standby | the next bytes of that snapshot |
/// | `E` | primary → standby | the seed is complete (its snapshot, then the archives it names) |
/// | `A` | primary → standby | an archive begins: u64 its size in bytes, u32 its checksum, its name (UTF-8, the rest) |
/// | `F` | primary → standby | the next bytes of that archive (it is whole once its size has come) |
/// | `K` | standby → primary | u64 the standby's durable (fsynced) seq |
enum ReplicationFrame: Equatable {
    case records([UInt8])
    case heartbeat(UInt64)
    case seedBegin(seq: UInt64, size: UInt64)
    case seedData([UInt8])
    case seedEnd
    case archiveBegin(name: String, size: UInt64, checksum: UInt32)
    case archiveData([UInt8])
    case ack(UInt64)

    static let headerSize = 5
    /// Larger than any frame either side sends (records go in pieces of about a megabyte, each
    /// record at most `LogRecord.maxPayload`).
    static let maxPayload = 80 << 20

    func encode(into out: inout [UInt8]) {
        func header(_ type: UInt8, _ length: Int) {
            out.append(type)
            withUnsafeBytes(of: UInt32(length).littleEndian) { out.append(contentsOf: $0) }
        }
        func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        switch self {
        case .records(let bytes): header(UInt8(ascii: "R"), bytes.count); out.append(contentsOf: bytes)
        case .heartbeat(let seq): header(UInt8(ascii: "H"), 8); u64(seq)
        case .seedBegin(let seq, let size): header(UInt8(ascii: "S"), 16); u64(seq); u64(size)
        case .seedData(let bytes): header(UInt8(ascii: "D"), bytes.count); out.append(contentsOf: bytes)
        case .seedEnd: header(UInt8(ascii: "E"), 0)
        case .archiveBegin(let name, let size, let checksum):
            let bytes = Array(name.utf8)
            header(UInt8(ascii: "A"), 12 + bytes.count); u64(size)
            withUnsafeBytes(of: checksum.littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: bytes)
        case .archiveData(let bytes): header(UInt8(ascii: "F"), bytes.count); out.append(contentsOf: bytes)
        case .ack(let seq): header(UInt8(ascii: "K"), 8); u64(seq)
        }
    }

    /// An `R` frame of records still in the buffer they were read into (no copy of them first).
    static func encodeRecords(_ bytes: ArraySlice<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "R"))
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: bytes)
    }

    var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    enum Parse: Equatable {
        case frame(ReplicationFrame, consumed: Int)
        /// More bytes are needed.
        case partial
        case invalid(String)
    }

    /// The frame at the start of `bytes`.
    static func parse(_ bytes: ArraySlice<UInt8>) -> Parse {
        guard bytes.count >= headerSize else { return .partial }
        let start = bytes.startIndex
        let type = bytes[start]
        var length = 0
        for i in 0..<4 { length |= Int(bytes[start + 1 + i]) << (8 * i) }
        guard length <= maxPayload else { return .invalid("frame of \(length) bytes") }
        guard bytes.count >= headerSize + length else { return .partial }
        let payload = bytes[(start + headerSize)..<(start + headerSize + length)]
        func u64(_ at: Int) -> UInt64 {
            var value: UInt64 = 0
            for i in 0..<8 { value |= UInt64(payload[payload.startIndex + at + i]) << (8 * UInt64(i)) }
            return value
        }
        let frame: ReplicationFrame
        switch type {
        case UInt8(ascii: "R"): frame = .records(Array(payload))
        case UInt8(ascii: "D"): frame = .seedData(Array(payload))
        case UInt8(ascii: "E"): frame = .seedEnd
        case UInt8(ascii: "H") where length == 8: frame = .heartbeat(u64(0))
        case UInt8(ascii: "K") where length == 8: frame = .ack(u64(0))
        case UInt8(ascii: "S") where length == 16: frame = .seedBegin(seq: u64(0), size: u64(8))
        case UInt8(ascii: "A") where length > 12 && length <= 12 + 256:
            let checksum = (0..<4).reduce(UInt32(0)) { $0 | UInt32(payload[payload.startIndex + 8 + $1]) << (8 * UInt32($1)) }
            frame = .archiveBegin(name: String(decoding: payload.dropFirst(12), as: UTF8.self), size: u64(0), checksum: checksum)
        case UInt8(ascii: "F"): frame = .archiveData(Array(payload))
        default: return .invalid("unknown frame type \(type) of \(length) bytes")
        }
        return .frame(frame, consumed: headerSize + length)
    }
}
