/// An append-mostly array stored as fixed-size chunks, so that copy-on-write after a snapshot
/// copies one chunk (and an array of chunk references), not the whole collection.
///
/// A plain `[AuditEntry]` of three million entries is O(1) to copy, but the first append after
/// the copy duplicates all three million (hundreds of milliseconds with every reply waiting).
/// Here that append copies 1/1024th of it.
public struct ChunkedArray<Element>: RandomAccessCollection, MutableCollection {
    @usableFromInline static var chunkShift: Int { 10 }
    @usableFromInline static var chunkSize: Int { 1 << chunkShift }

    // Inlinable (as `ShardedDictionary`): the storage module decodes a snapshot straight into
    // these, and a call across modules into a generic that is not would run unspecialised,
    // looking up type metadata for every element.
    @usableFromInline var chunks: [[Element]] = []
    @inlinable public var count: Int { storedCount }
    @usableFromInline var storedCount = 0

    @inlinable public init() {}

    public init<S: Sequence>(_ elements: S) where S.Element == Element {
        for element in elements { append(element) }
    }

    /// Made of chunks filled elsewhere (a snapshot decodes straight into them: appending a
    /// million returns one by one from another module, unspecialised, was a sixth of a load).
    /// Every chunk but the last holds `elementsPerChunk` elements, or none: released (`release`).
    public init(chunks: [[Element]]) {
        precondition(chunks.dropLast().allSatisfy { $0.isEmpty || $0.count == Self.chunkSize }, "chunks of \(Self.chunkSize) elements")
        self.chunks = chunks
        storedCount = chunks.reduce(0) { $0 + ($1.isEmpty ? Self.chunkSize : $1.count) }
    }

    /// How many elements a chunk holds.
    public static var elementsPerChunk: Int { chunkSize }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @inlinable public subscript(position: Int) -> Element {
        // A borrow, not a copy: `returns[i].state` in a scan of a million returns reads one field
        // instead of retaining and releasing every string and array of the request.
        _read {
            precondition(position >= 0 && position < count, "index out of range")
            yield chunks[position >> Self.chunkShift][position & (Self.chunkSize - 1)]
        }
        _modify {
            precondition(position >= 0 && position < count, "index out of range")
            yield &chunks[position >> Self.chunkShift][position & (Self.chunkSize - 1)]
        }
    }

    @inlinable public mutating func append(_ element: Element) {
        if count & (Self.chunkSize - 1) == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        storedCount += 1
    }

    /// nil when empty, or when the last element left memory (section 23: ask `isHeld`).
    @inlinable public var last: Element? { count == 0 || !isHeld(count - 1) ? nil : self[count - 1] }

    // Section 23's memory model: what an archive took leaves memory a whole chunk at a time. A
    // released chunk is an empty array in its place, so positions keep their meaning and the
    // elements around it stay where they were; reading a released position traps (ask `isHeld`).

    /// Whether the element at `position` is in memory (not released to an archive); false for a
    /// position outside the array (a crafted number then reads as absent, never traps).
    @inlinable public func isHeld(_ position: Int) -> Bool {
        position >= 0 && position < count && !chunks[position >> Self.chunkShift].isEmpty
    }

    /// How many elements are in memory.
    public var heldCount: Int { chunks.reduce(0) { $0 + $1.count } }

    /// Releases every full chunk all of whose positions are in `positions` (the positions every
    /// archive took, merged: a chunk split between two archives goes with the second). A chunk
    /// still filling is kept. Idempotent.
    public mutating func release(_ positions: IDRuns) {
        let size = Self.chunkSize
        for run in positions.runs {
            // The chunks wholly inside the run, and full.
            let first = (run.lowerBound + size - 1) / size
            let end = Swift.min((run.upperBound + 1) / size, count / size)
            guard first < end else { continue }
            for k in first..<end where !chunks[k].isEmpty { chunks[k] = [] }
        }
    }

    /// Appends a released chunk (a snapshot decodes one as it was written): `count` grows by a
    /// chunk, none of it held.
    public mutating func appendReleasedChunk() {
        precondition(count & (Self.chunkSize - 1) == 0, "a released chunk starts a chunk")
        chunks.append([])
        storedCount += Self.chunkSize
    }

    /// The runs of released chunks, as chunk numbers (a snapshot writes them, then what is held).
    public var releasedChunks: IDRuns { IDRuns(chunks.indices.lazy.filter { self.chunks[$0].isEmpty }) }

    /// The elements in memory, in order (released chunks skipped).
    public var held: FlattenSequence<[[Element]]> { chunks.joined() }
}

extension ChunkedArray: Equatable where Element: Equatable {
    public static func == (a: ChunkedArray, b: ChunkedArray) -> Bool { a.count == b.count && a.chunks == b.chunks }
}

extension ChunkedArray: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Element...) { self.init(elements) }
}

extension ChunkedArray: @unchecked Sendable where Element: Sendable {}

/// A dictionary split into 256 shards by key hash, for the same reason as `ChunkedArray`: a
/// write after a snapshot copies one shard, not every entry. Iteration order is unspecified
/// (as with `Dictionary`); anything printed or serialised sorts first.
public struct ShardedDictionary<Key: ShardKey, Value>: Sequence {
    @usableFromInline static var shardCount: Int { 256 }

    @usableFromInline var shards: [[Key: Value]] = Array(repeating: [:], count: 256)

    /// Summed over the shards when asked (INFO): keeping a running count cost every write two
    /// more lookups of its key (whether it was there before, and after).
    public var count: Int { shards.reduce(0) { $0 + $1.count } }

    @inlinable public init() {}

    @inlinable @inline(__always) static func shard(_ key: Key) -> Int { key.shard & (shardCount - 1) }

    @inlinable public subscript(key: Key) -> Value? {
        get { shards[Self.shard(key)][key] }
        _modify { yield &shards[Self.shard(key)][key] }
    }

    @inlinable public subscript(key: Key, default value: @autoclosure () -> Value) -> Value {
        get { shards[Self.shard(key)][key] ?? value() }
        _modify { yield &shards[Self.shard(key)][key, default: value()] }
    }

    public var isEmpty: Bool { shards.allSatisfy(\.isEmpty) }
    public var keys: [Key] { shards.flatMap { Array($0.keys) } }
    public var values: [Value] { shards.flatMap { Array($0.values) } }

    public func makeIterator() -> FlattenSequence<[[Key: Value]]>.Iterator { shards.joined().makeIterator() }

    @inlinable public mutating func reserveCapacity(_ n: Int) {
        for s in shards.indices { shards[s].reserveCapacity(n / Self.shardCount + 1) }
    }
}

extension ShardedDictionary: Equatable where Value: Equatable {
    public static func == (a: ShardedDictionary, b: ShardedDictionary) -> Bool { a.shards == b.shards }
}

extension ShardedDictionary: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (Key, Value)...) {
        self.init()
        for (k, v) in elements { self[k] = v }
    }
}

extension ShardedDictionary: @unchecked Sendable where Key: Sendable, Value: Sendable {}

/// A key that can pick its shard cheaply, without a second full hash (the shard's dictionary
/// hashes the key again anyway).
public protocol ShardKey: Hashable {
    var shard: Int { get }
}

extension String: ShardKey {
    /// FNV-1a over the last 8 UTF-8 bytes: ids differ most at their end (`S12345`,
    /// `RT-20261129-0042`, `till4-000123`). Deterministic, unlike `hashValue`.
    @inlinable @inline(__always) public var shard: Int {
        var hash: UInt32 = 2_166_136_261
        withUTF8InPlace { utf8 in
            for byte in utf8.suffix(8) { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        }
        return Int(hash ^ (hash >> 16))
    }
}
