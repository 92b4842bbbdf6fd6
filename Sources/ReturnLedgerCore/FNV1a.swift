/// FNV-1a, 64 bits, over bytes: the hash of the small open-addressed tables keyed by short words
/// and ids (command words, audit words, return keys, interned strings, an archive's key filter),
/// where a Dictionary's SipHash costs more than the whole look-up. Deterministic, unlike
/// `hashValue`: an archive file stores filters made with it.
public enum FNV1a {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// One byte more into `hash`.
    @inlinable @inline(__always)
    public static func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 { (hash ^ UInt64(byte)) &* prime }

    @inlinable
    public static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash = offsetBasis
        for byte in bytes { hash = step(hash, byte) }
        return hash
    }

    @inlinable
    public static func hash(_ text: String) -> UInt64 { text.withUTF8InPlace { hash($0) } }
}
