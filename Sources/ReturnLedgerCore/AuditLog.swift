import Synchronization

/// The audit trail (protocol.md, AUDIT), oldest first: read as `AuditEntry` values, kept as compact
/// rows (issue 30, a compact state).
///
/// Every command leaves an entry, two a return at least (its RETURN and its APPROVE): 96 bytes each
/// as a struct of seven fields. A trail's user, peer, command and outcome come from small sets
/// (the staff, their tills' addresses, the command table, the error codes), so a row keeps them as
/// numbers into `AuditWords` and only the target as a string: 48 bytes.
public struct AuditLog: RandomAccessCollection, Sendable, Equatable {
    struct Row: Sendable {
        var seq: Int
        var at: Timestamp
        var user: UInt32, peer: UInt32, command: UInt32, outcome: UInt32
        var target: String
    }

    var rows = ChunkedArray<Row>()
    /// Shared by every copy of the trail (a snapshot's, a read's): words are only ever added, and
    /// a row names only words added before it.
    let words: AuditWords

    public init() { words = AuditWords() }

    public init<S: Sequence>(_ entries: S) where S.Element == AuditEntry {
        self.init()
        for entry in entries { append(entry) }
    }

    /// Empty, numbering words as `other` does (tests: two trails whose words have other numbers).
    init(sharingWordsOf other: AuditLog) { words = other.words }

    public var startIndex: Int { 0 }
    public var endIndex: Int { rows.count }

    /// One entry; a scan reads through `reader()` or the iterator instead (one lock, not one an entry).
    public subscript(position: Int) -> AuditEntry { reader()[position] }

    /// When an entry was written, without its words.
    public func at(_ position: Int) -> Timestamp { rows[position].at }

    /// Whether entry `position` is in memory: not released to an archive (section 23).
    public func isHeld(_ position: Int) -> Bool { rows.isHeld(position) }

    /// How many entries are in memory.
    public var heldCount: Int { rows.heldCount }

    /// What the archives took leaves memory, a chunk at a time (`ChunkedArray.release`).
    public mutating func release(_ archived: IDRuns) { rows.release(archived) }

    /// Chunk numbers released, for a snapshot: it writes them, then the entries held.
    public var releasedChunks: IDRuns { rows.releasedChunks }
    public static var entriesPerChunk: Int { ChunkedArray<Row>.elementsPerChunk }

    /// A snapshot's released chunk, read back in its place.
    public mutating func appendReleasedChunk() { rows.appendReleasedChunk() }

    public mutating func append(_ entry: AuditEntry) {
        let (user, peer, command, outcome) = words.codes(entry.user, entry.peer, entry.command, entry.outcome)
        rows.append(Row(seq: entry.seq, at: entry.at, user: user, peer: peer, command: command, outcome: outcome, target: entry.target))
    }

    /// The trail as it is now, read without the lock: its rows and the words they name (an O(1)
    /// copy of each, taken once under the lock; words added later are not needed).
    public func reader() -> Reader { Reader(rows: rows, words: words.all()) }

    public struct Reader: Sendable {
        let rows: ChunkedArray<Row>
        let words: ChunkedArray<String>

        public var count: Int { rows.count }

        public func isHeld(_ position: Int) -> Bool { rows.isHeld(position) }

        /// When entry `position` was written (held entries only).
        public func at(_ position: Int) -> Timestamp { rows[position].at }

        public subscript(position: Int) -> AuditEntry {
            let row = rows[position]
            return AuditEntry(seq: row.seq, at: row.at, user: words[Int(row.user)], peer: words[Int(row.peer)],
                              command: words[Int(row.command)], target: row.target, outcome: words[Int(row.outcome)])
        }

        /// Whether entry `position` was written by `user`, comparing words, not making the entry.
        public func isBy(_ user: String, _ position: Int) -> Bool { words[Int(rows[position].user)] == user }
    }

    /// Every entry, oldest first: reading one released to an archive traps (`held` skips them).
    public struct Iterator: IteratorProtocol {
        let reader: Reader
        var position = 0
        public mutating func next() -> AuditEntry? {
            guard position < reader.count else { return nil }
            defer { position += 1 }
            return reader[position]
        }
    }

    /// The entries in memory, oldest first: those released to archives skipped.
    public struct Held: Sequence, IteratorProtocol {
        let reader: Reader
        var position = 0
        public mutating func next() -> AuditEntry? {
            while position < reader.count, !reader.isHeld(position) { position += AuditLog.entriesPerChunk }
            guard position < reader.count else { return nil }
            defer { position += 1 }
            return reader[position]
        }
    }

    public var held: Held { Held(reader: reader()) }

    public func makeIterator() -> Iterator { Iterator(reader: reader()) }

    /// Equal entries in the same order, whatever numbers their words got, and the same released.
    public static func == (a: AuditLog, b: AuditLog) -> Bool {
        a.count == b.count && a.releasedChunks == b.releasedChunks && a.held.elementsEqual(b.held)
    }
}

/// The words of an audit trail, each once, numbered in the order first seen. Append-only and
/// locked: the writer adds words while a snapshot, on another thread, reads those of older rows.
final class AuditWords: Sendable {
    /// Open addressing on the word's FNV-1a hash: two entries a RETURN+APPROVE pair, four words
    /// each, found with a Dictionary's SipHash cost the pair 3.6k instructions (callgrind); this
    /// costs about a fifth of that.
    private struct Table {
        /// Chunked: a reader's copy shares all but the last chunk, so the writer's next word copies
        /// at most one chunk, not every word.
        var words = ChunkedArray<String>()
        var hashes: [UInt64] = []
        /// A word's code + 1 at its hash's place (0: empty), at most half full.
        var slots = [UInt32](repeating: 0, count: 64)

        mutating func code(_ word: String) -> UInt32 {
            let hash = FNV1a.hash(word)
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: hash) & mask
            while slots[i] != 0 {
                let code = Int(slots[i] - 1)
                if hashes[code] == hash, words[code] == word { return UInt32(code) }
                i = (i + 1) & mask
            }
            let code = UInt32(words.count)  // a trail of over 4 billion distinct words traps here
            words.append(word)
            hashes.append(hash)
            slots[i] = code + 1
            if words.count * 2 > slots.count { grow() }
            return code
        }

        private mutating func grow() {
            slots = [UInt32](repeating: 0, count: slots.count * 2)
            let mask = slots.count - 1
            for (code, hash) in hashes.enumerated() {
                var i = Int(truncatingIfNeeded: hash) & mask
                while slots[i] != 0 { i = (i + 1) & mask }
                slots[i] = UInt32(code + 1)
            }
        }
    }

    private let table = Mutex(Table())

    func codes(_ a: String, _ b: String, _ c: String, _ d: String) -> (UInt32, UInt32, UInt32, UInt32) {
        table.withLock { t in (t.code(a), t.code(b), t.code(c), t.code(d)) }
    }

    func code(_ word: String) -> UInt32 { table.withLock { $0.code(word) } }

    func all() -> ChunkedArray<String> { table.withLock { $0.words } }
}
