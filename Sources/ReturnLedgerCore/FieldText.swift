/// A field's value as the wire writes it (protocol.md, Replies): bare when it can be, else quoted
/// with the escapes of Tokens. One routine for the reply encoder and for the document chain's
/// canonical text, which the contract defines as "values as on the wire".
public enum FieldText {
    /// Whether a value must be quoted: empty, or holding a blank, control byte, `"` or `\`.
    @inlinable
    public static func needsQuotes(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        if utf8.isEmpty { return true }
        for byte in utf8 where byte <= 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F {
            return true
        }
        return false
    }

    /// At most this many bytes for a value of `count` bytes: quotes and every byte as `\xHH`.
    @inlinable
    public static func bound(_ count: Int) -> Int { 2 + 4 * count }

    /// Writes the value at `base + count` (room for `bound` bytes is the caller's) and advances
    /// `count`.
    @inlinable
    public static func write(_ utf8: UnsafeBufferPointer<UInt8>, to base: UnsafeMutablePointer<UInt8>, count: inout Int) {
        guard needsQuotes(utf8) else {
            if let from = utf8.baseAddress { (base + count).update(from: from, count: utf8.count) }
            count += utf8.count
            return
        }
        @inline(__always) func put(_ byte: UInt8) {
            base[count] = byte
            count += 1
        }
        @inline(__always) func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }
        put(UInt8(ascii: "\""))
        for c in utf8 {
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                put(UInt8(ascii: "\\")); put(c)
            case 0x0A:
                put(UInt8(ascii: "\\")); put(UInt8(ascii: "n"))
            case 0x09:
                put(UInt8(ascii: "\\")); put(UInt8(ascii: "t"))
            case 0..<0x20, 0x7F:
                put(UInt8(ascii: "\\")); put(UInt8(ascii: "x")); put(hex(c >> 4)); put(hex(c & 15))
            default:
                put(c)
            }
        }
        put(UInt8(ascii: "\""))
    }
}
