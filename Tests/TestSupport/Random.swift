import Glibc

/// SplitMix64: small, fast and the same on every platform, so a seed replays a history exactly.
public struct SeededGenerator: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The seed for a random test: `RL_SEED` when set (to replay a failure), else a fresh one.
/// Printed either way, so a failing run names the seed that reproduces it.
public func testSeed(_ name: String) -> UInt64 {
    let seed = getenv("RL_SEED").flatMap { UInt64(String(cString: $0)) } ?? UInt64.random(in: 1...UInt64.max)
    print("\(name): seed \(seed) (replay with RL_SEED=\(seed))")
    return seed
}
