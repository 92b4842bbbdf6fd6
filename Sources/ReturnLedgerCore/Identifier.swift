/// The protocol's identifier rule for users, SKUs, locations, parties, orders, reason codes,
/// batches and keys: 1–64 characters of `A–Z a–z 0–9 . _ -`.
public enum Identifier {
    public static func isValid(_ text: some StringProtocol) -> Bool {
        var count = 0
        for byte in text.utf8 {
            count += 1
            guard count <= 64 else { return false }
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return count > 0
    }
}

/// Quantities are whole units, 1 ≤ qty ≤ 1,000,000 per item token.
public enum Quantity {
    public static let range: ClosedRange<Int64> = 1...1_000_000
}
