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

    /// Appends the value as the wire writes it: most values are bare, copied as they are.
    public static func append(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { utf8 in
            guard needsQuotes(utf8) else {
                out.append(contentsOf: utf8)
                return
            }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound(utf8.count)) { buffer in
                var count = 0
                write(utf8, to: buffer.baseAddress!, count: &count)
                out.append(contentsOf: UnsafeBufferPointer(start: buffer.baseAddress!, count: count))
            }
        }
    }

    /// `key=value key=value` and LF, values as the wire writes them: a line of a document's
    /// canonical text.
    public static func appendLine(_ fields: [Field], to out: inout [UInt8]) {
        var bound = 1
        for field in fields { bound += 2 + field.key.utf8.count + FieldText.bound(field.value.utf8.count) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { buffer in
            let base = buffer.baseAddress!
            var count = 0
            for (i, field) in fields.enumerated() {
                if i > 0 { base[count] = 0x20; count += 1 }
                for byte in field.key.utf8 { base[count] = byte; count += 1 }
                base[count] = UInt8(ascii: "="); count += 1
                var value = field.value
                value.withUTF8 { write($0, to: base, count: &count) }
            }
            base[count] = 0x0A; count += 1
            out.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
        }
    }
}
