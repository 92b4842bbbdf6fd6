/// The protocol's identifier rule for users, SKUs, locations, parties, orders, reason codes,
/// batches and keys: 1–64 characters of `A–Z a–z 0–9 . _ -`.
public enum Identifier {
    /// The INVALID every identifier check answers, naming what the value was (`sku`, `batch`).
    static func refusal(_ what: String) -> DomainError {
        DomainError(.INVALID, "\(what) must be 1-64 characters of A-Z a-z 0-9 . _ -")
    }

    public static func isValid(_ text: String) -> Bool {
        text.withUTF8InPlace { isValid(utf8: $0) }
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
    guard let value = UInt64(exactly: n), width <= 20 else {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    // Every document and request number passes here: one buffer, not a string per step.
    var rest = value
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
        var start = buffer.count
        repeat {
            start -= 1
            buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        } while rest > 0 || buffer.count - start < width
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[start...]), as: UTF8.self)
    }
}

/// Quantities are whole units, 1 ≤ qty ≤ 1,000,000 per item token.
public enum Quantity {
    public static let range: ClosedRange<Int64> = 1...1_000_000
}
