/// The protocol's identifier rule for users, SKUs, locations, parties, orders, reason codes,
/// batches and keys: 1–64 characters of `A–Z a–z 0–9 . _ -`.
public enum Identifier {
    public static func isValid(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isValid(utf8: $0) }
    }

    public static func isValid(_ text: Substring) -> Bool { isValid(String(text)) }

    /// On contiguous bytes: no generic iteration on the request path.
    public static func isValid(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard (1...64).contains(bytes.count) else { return false }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return true
    }
}

/// `n` in decimal, zero-padded to at least `width` digits: `R000042`, `RT-20261129-0007`,
/// `wal-00000000000000000001.log` all come from here.
public func zeroPadded<N: BinaryInteger>(_ n: N, width: Int) -> String {
    let digits = String(n)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// Quantities are whole units, 1 ≤ qty ≤ 1,000,000 per item token.
public enum Quantity {
    public static let range: ClosedRange<Int64> = 1...1_000_000
}
