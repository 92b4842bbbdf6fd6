import Glibc
import ReturnLedgerCore

/// Little-endian binary writing and bounds-checked reading: the only serialisation the log and
/// snapshots use (no Codable, no JSON: hand-built bytes are an order of magnitude faster).
public struct ByteWriter: Sendable {
    public var bytes: [UInt8] = []
    /// When set, `spillIfNeeded` hands full buffers to it (streaming a snapshot to its file
    /// instead of holding the whole image in memory).
    public var spill: (@Sendable ([UInt8]) -> Void)?
    public var spillThreshold = 1 << 20

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// Called between elements by the encoders of large collections.
    @inline(__always) public mutating func spillIfNeeded() {
        if bytes.count >= spillThreshold, let spill {
            spill(bytes)
            bytes.removeAll(keepingCapacity: true)
        }
    }

    /// Hands over whatever is left.
    public mutating func spillRest() {
        if let spill, !bytes.isEmpty {
            spill(bytes)
            bytes.removeAll(keepingCapacity: true)
        }
    }

    @inline(__always) public mutating func u8(_ v: UInt8) { bytes.append(v) }
    @inline(__always) public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    /// Byte by byte, least significant first: a plain append per byte beats the generic
    /// `append(contentsOf:)` of an 4- or 8-byte buffer (callgrind: ~5k instructions per
    /// RETURN+APPROVE went to it in the log's encoding).
    @inline(__always) public mutating func u32(_ v: UInt32) {
        var v = v
        for _ in 0..<4 {
            bytes.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    @inline(__always) public mutating func u64(_ v: UInt64) {
        var v = v
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    @inline(__always) public mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    @inline(__always) public mutating func int(_ v: Int) { i64(Int64(v)) }

    public mutating func string(_ s: String) {
        // Many fields are empty (a note, a key, a till): their length alone, no UTF-8 view.
        if s.isEmpty { u32(0); return }
        s.withUTF8InPlace { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Overwrites 4 bytes at `offset` (for lengths and checksums known only at the end).
    public mutating func patch(u32 v: UInt32, at offset: Int) {
        withUnsafeBytes(of: v.littleEndian) { raw in
            for i in 0..<4 { bytes[offset + i] = raw[i] }
        }
    }
}

public struct CodecError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    public private(set) var offset: Int
    private let interner: StringInterner?
    /// The encoding version the bytes were written in (see `Format`): decoders read a field
    /// only when `format` is at least the version that added it, and default it otherwise.
    public let format: Format

    /// `interning`: equal strings read through this reader come back as one shared object (see
    /// `StringInterner`); for whole-state snapshots, not for single log records.
    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0, interning: Bool = false, format: Format = .current) {
        self.bytes = bytes
        self.offset = offset
        self.interner = interning ? StringInterner() : nil
        self.format = format
    }

    public var remaining: Int { bytes.count - offset }

    // The primitives below are inlined into every decoder (a snapshot makes tens of millions of
    // calls: a call each cost about as much as the read), their errors made out of line.
    @inline(__always) private mutating func need(_ n: Int) throws(CodecError) {
        guard n >= 0, remaining >= n else { throw Self.truncated(at: offset) }
    }

    @inline(never) private static func truncated(at offset: Int) -> CodecError { CodecError("truncated at byte \(offset)") }
    @inline(never) private static func damaged(_ what: @autoclosure () -> String, at offset: Int) -> CodecError { CodecError("\(what()) at byte \(offset)") }

    @inline(__always) public mutating func u8() throws(CodecError) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    @inline(__always) public mutating func bool() throws(CodecError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        default: throw Self.damaged("bad boolean", at: offset - 1)
        }
    }

    @inline(__always) public mutating func u32() throws(CodecError) -> UInt32 {
        try need(4)
        defer { offset += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always) public mutating func u64() throws(CodecError) -> UInt64 {
        try need(8)
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always) public mutating func i64() throws(CodecError) -> Int64 { Int64(bitPattern: try u64()) }

    @inline(__always) public mutating func int() throws(CodecError) -> Int {
        let v = try i64()
        guard let n = Int(exactly: v) else { throw CodecError("integer out of range") }
        return n
    }

    /// A count of elements that follow; bounded by the bytes left so garbage cannot allocate.
    @inline(__always) public mutating func count() throws(CodecError) -> Int {
        let n = Int(try u32())
        guard n <= remaining else { throw Self.damaged("count \(n) larger than the data", at: offset) }
        return n
    }

    /// The bytes of a string as `string()` reads it, without making a String (an enum's raw value).
    @inline(__always)
    mutating func stringBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) -> T) throws(CodecError) -> T {
        let n = try count()
        try need(n)
        defer { offset += n }
        let start = bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self)
        return body(UnsafeBufferPointer(start: start, count: n))
    }

    /// Strings were written from valid Swift strings and the record's checksum held, so they are
    /// decoded without a second validation pass (the specialised `decoding:` path, no generics).
    public mutating func string() throws(CodecError) -> String {
        let interner = self.interner
        return try stringBytes { utf8 in
            guard !utf8.isEmpty else { return "" }
            guard let interner else { return String(decoding: utf8, as: UTF8.self) }
            return utf8.count > StringInterner.inlineBytes ? interner.intern(utf8) : interner.short(utf8)
        }
    }
}

/// A state built by applying events holds one heap object per distinct long string: a document
/// number is one String shared by the return, the documents index, the notice and the ledger
/// entry. Decoded field by field from a snapshot, each of those would be an object of its own:
/// about 320 MB more for 1M returns (1.24 against 0.92 KB per return) until interned here.
final class StringInterner {
    /// Strings up to 15 UTF-8 bytes live inside the String value itself: nothing to share.
    static let inlineBytes = 15
    /// Open addressing on the bytes' FNV-1a hash: a string seen before is found from its bytes,
    /// without making a String first (a `Set<String>` made one per read and hashed it with SipHash:
    /// an eighth of a snapshot's load). Behind a pointer, as the short cache below: as a class's
    /// `var`s, each probe's reads were checked for exclusive access at run time.
    private struct Table {
        var slots: [String?] = Array(repeating: nil, count: 1 << 12)
        var hashes: [UInt64] = Array(repeating: 0, count: 1 << 12)
        var count = 0

        mutating func intern(_ utf8: UnsafeBufferPointer<UInt8>) -> String {
            let hash = FNV1a.hash(utf8)
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: hash) & mask
            while let existing = slots[i] {
                if hashes[i] == hash, StringInterner.same(existing, utf8) { return existing }
                i = (i + 1) & mask
            }
            let string = String(decoding: utf8, as: UTF8.self)
            slots[i] = string
            hashes[i] = hash
            count += 1
            if count * 2 > slots.count { grow() }
            return string
        }

        private mutating func grow() {
            let old = zip(slots, hashes)
            slots = Array(repeating: nil, count: slots.count * 2)
            hashes = Array(repeating: 0, count: hashes.count * 2)
            let mask = slots.count - 1
            for (string, hash) in old {
                guard let string else { continue }
                var i = Int(truncatingIfNeeded: hash) & mask
                while slots[i] != nil { i = (i + 1) & mask }
                slots[i] = string
                hashes[i] = hash
            }
        }
    }

    private let table: UnsafeMutablePointer<Table> = {
        let table = UnsafeMutablePointer<Table>.allocate(capacity: 1)
        table.initialize(to: Table())
        return table
    }()

    func intern(_ utf8: UnsafeBufferPointer<UInt8>) -> String { table.pointee.intern(utf8) }

    /// Short strings repeat (locations, users, reasons, SKUs, outcomes) and each String made
    /// from bytes is validated and built again: a direct-mapped cache of the last String made for
    /// each short byte sequence (its bytes and length packed in two words) answers most of them.
    /// Raw memory behind `let`s: a class's `var` arrays are checked for exclusive access at every
    /// use at run time, which cost more than the Strings saved.
    private let shortKeys: UnsafeMutablePointer<UInt64> = {
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 << 12)
        keys.initialize(repeating: 0, count: 2 << 12)
        return keys
    }()
    private let shortStrings: UnsafeMutablePointer<String> = {
        let strings = UnsafeMutablePointer<String>.allocate(capacity: 1 << 12)
        strings.initialize(repeating: "", count: 1 << 12)
        return strings
    }()

    deinit {
        table.deinitialize(count: 1)
        table.deallocate()
        shortKeys.deallocate()
        shortStrings.deinitialize(count: 1 << 12)
        shortStrings.deallocate()
    }

    /// 1 to `inlineBytes` bytes as two words: bytes 0-7 in `low`, 8-14 in `high`, the length in
    /// `high`'s top byte (never 0, so zeros match nothing).
    @inline(__always)
    static func pack(_ utf8: UnsafeBufferPointer<UInt8>) -> (low: UInt64, high: UInt64) {
        let n = utf8.count, p = utf8.baseAddress!
        var low: UInt64 = 0, high = UInt64(n) << 56
        for i in 0..<min(n, 8) { low |= UInt64(p[i]) << (UInt64(i) &* 8) }
        var i = 8
        while i < n {
            high |= UInt64(p[i]) << (UInt64(i &- 8) &* 8)
            i &+= 1
        }
        return (low, high)
    }

    /// `utf8`: 1 to `inlineBytes` bytes.
    @inline(__always)
    func short(_ utf8: UnsafeBufferPointer<UInt8>) -> String {
        let (low, high) = Self.pack(utf8)
        let slot = Int(truncatingIfNeeded: ((low ^ (high &* 0x9E37_79B9_7F4A_7C15)) &* 0xFF51_AFD7_ED55_8CCD) >> 52)
        if shortKeys[2 &* slot] == low, shortKeys[2 &* slot &+ 1] == high { return shortStrings[slot] }
        let string = String(decoding: utf8, as: UTF8.self)
        shortKeys[2 &* slot] = low
        shortKeys[2 &* slot &+ 1] = high
        shortStrings[slot] = string
        return string
    }

    fileprivate static func same(_ string: String, _ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        // memcmp: `elementsEqual` went byte by byte through the generic sequence path.
        return string.withUTF8InPlace { $0.count == utf8.count && ($0.isEmpty || memcmp($0.baseAddress!, utf8.baseAddress!, utf8.count) == 0) }
    }

}

/// Whether two strings hold the same UTF-8 bytes (not Swift's canonical equivalence: keys are
/// told apart by their bytes), by memcmp rather than the generic sequence comparison.
func sameBytes(_ a: String, _ b: String) -> Bool {
    b.withUTF8InPlace { StringInterner.same(a, $0) }
}
