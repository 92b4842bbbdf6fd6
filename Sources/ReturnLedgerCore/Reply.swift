/// One `key=value` field of a reply line. Order within a line is part of the contract.
public struct Field: Sendable, Equatable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) { self.key = key; self.value = value }

    /// A bare word leading a data line, as in `* item sku=...` and `* event at=...`.
    public static func word(_ word: String) -> Field { Field("", word) }
}

/// A successful reply: `* ` data lines, then the `OK` status line's fields. The wire layer
/// turns it into bytes; errors travel as `DomainError` instead.
public struct Reply: Sendable, Equatable {
    /// Words printed right after `OK` before any field (`OK pong`, `OK bye`).
    public var word: String?
    public var status: [Field]
    public var lines: [[Field]]

    public init(word: String? = nil, status: [Field] = [], lines: [[Field]] = []) {
        self.word = word; self.status = status; self.lines = lines
    }

    /// The value of a status field, for callers and tests.
    public subscript(key: String) -> String? { status.first { $0.key == key }?.value }

    /// The same reply marked as a re-send of something already done (`existed=yes`).
    public func existed() -> Reply {
        var copy = self
        copy.status.append(Field("existed", "yes"))
        return copy
    }
}
