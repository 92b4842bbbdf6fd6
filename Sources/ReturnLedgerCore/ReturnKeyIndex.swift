/// A RETURN's client key (`key=`) → the return it filed: what makes a till's retry answer with the
/// original return (issue 30, a compact state).
///
/// The key itself is kept once, in the return. The index keeps per key the high half of its hash
/// and the return's number, 8 bytes in an open-addressing table at most half full (about 16 bytes a
/// key; a dictionary held the key string beside the return's copy, about 50), and finds a key by
/// comparing it with its return's. Split into 256 shards by the hash's low byte, as
/// `ShardedDictionary`, so that the first write after a snapshot copies one shard.
///
/// Only ASCII keys (every till's) are hashed by their bytes: an ASCII string equals another only
/// byte for byte. Any other key is kept in a dictionary, which matches keys as Swift strings do
/// (`é` composed or not is one key), as every key was matched before.
public struct ReturnKeyIndex: Sendable, Equatable {
    /// Each slot: the key's hash's high 32 bits (its tag, which also picks its place), then the
    /// return's number; 0: empty.
    private var shards = [[UInt64]](repeating: [], count: 256)
    private var shardCounts = [Int](repeating: 0, count: 256)
    private var others: [String: Int] = [:]
    public private(set) var count = 0

    public init() {}

    /// The return `key` filed, comparing the key with the return's own; a return that left
    /// memory (section 23) has its key read back by `archivedKey`, only when its tag matches.
    public func number<E: Error>(_ key: String, in returns: ChunkedArray<ReturnRequest>,
                                 archivedKey: (Int) throws(E) -> String) throws(E) -> Int? {
        guard let hash = Self.hash(key) else { return others[key] }
        let table = shards[Int(hash & 255)]
        if !table.isEmpty {
            let mask = table.count - 1, tag = hash >> 32
            var i = Int(truncatingIfNeeded: tag) & mask
            while table[i] != 0 {
                let number = Int(table[i] & 0xFFFF_FFFF)
                if table[i] >> 32 == tag, number <= returns.count {
                    if returns.isHeld(number - 1) ? returns[number - 1].key == key : try archivedKey(number) == key { return number }
                }
                i = (i + 1) & mask
            }
        }
        return others.isEmpty ? nil : others[key]
    }

    /// The return `key` filed, where every return is in memory (an older state as it loads).
    public func number(_ key: String, inHeld returns: ChunkedArray<ReturnRequest>) -> Int? {
        number(key, in: returns) { _ in "" }
    }

    /// The index as held (a format 16 state): per shard its slots in place, then the keys kept
    /// apart. Keys of returns that left memory are not in memory to be written again.
    public var shardSlots: [[UInt64]] { shards }
    public var keysApart: [String: Int] { others }

    /// Made from what `shardSlots` and `keysApart` gave (the decoder checks each slot).
    public init(shardSlots: [[UInt64]], keysApart: [String: Int]) {
        // A lookup probes until an empty slot: 256 shards of a power of two slots, none full.
        precondition(shardSlots.count == 256 && shardSlots.allSatisfy { $0.isEmpty || ($0.count >= 8 && $0.count & ($0.count - 1) == 0) },
                     "256 shards of a power of two slots")
        shards = shardSlots
        others = keysApart
        for s in 0..<256 {
            shardCounts[s] = shards[s].reduce(0) { $0 + ($1 == 0 ? 0 : 1) }
            count += shardCounts[s]
        }
        count += others.count
    }

    /// The shard and slot a key of return `number` is kept in (nil: kept apart), for the
    /// decoder's check of a held return's slot.
    public static func slot(_ key: String, _ number: Int) -> (shard: Int, tag: UInt64)? {
        guard let hash = hash(key), number > 0, number <= Int(UInt32.max) else { return nil }
        return (Int(hash & 255), hash >> 32)
    }

    /// Indexes return `number` under its key (a key files one return: not indexed already).
    public mutating func insert(_ key: String, _ number: Int) {
        // A number a tag cannot hold (none the ledger gives) is kept apart too, never a trap.
        guard let hash = Self.hash(key), number > 0, number <= Int(UInt32.max) else {
            others[key] = number
            count += 1
            return
        }
        let s = Int(hash & 255)
        shardCounts[s] += 1
        if shards[s].count < 2 * shardCounts[s] { grow(s) }
        Self.place((hash >> 32) << 32 | UInt64(number), in: &shards[s])
        count += 1
    }

    /// Equal when they index the same returns (their keys are the returns' own).
    public static func == (a: ReturnKeyIndex, b: ReturnKeyIndex) -> Bool {
        a.count == b.count && a.numbers.sorted() == b.numbers.sorted()
    }

    /// The numbers indexed, in no order.
    public var numbers: [Int] { shards.flatMap { $0.lazy.filter { $0 != 0 }.map { Int($0 & 0xFFFF_FFFF) } } + others.values }

    private static func place(_ slot: UInt64, in table: inout [UInt64]) {
        let mask = table.count - 1
        var i = Int(truncatingIfNeeded: slot >> 32) & mask
        while table[i] != 0 { i = (i + 1) & mask }
        table[i] = slot
    }

    /// Doubles a shard (8 slots at first), placing its slots again by their tags.
    private mutating func grow(_ s: Int) {
        var table = [UInt64](repeating: 0, count: max(8, shards[s].count * 2))
        for slot in shards[s] where slot != 0 { Self.place(slot, in: &table) }
        shards[s] = table
    }

    /// FNV-1a over an ASCII key's bytes (a till's keys are `till4-000123`: no SipHash needed);
    /// nil for a key with any other character.
    static func hash(_ key: String) -> UInt64? {
        key.withUTF8InPlace { utf8 in
            var h = FNV1a.offsetBasis
            for byte in utf8 {
                guard byte < 0x80 else { return nil }
                h = FNV1a.step(h, byte)
            }
            return h
        }
    }
}
