/// The audit trail as a format 15 state holds it: the words once, then each held entry with its
/// words as numbers, read back into rows without making a String per word or looking each up (a
/// fifth of a snapshot's load went to the trail's words).
extension AuditLog {
    /// One held entry with its user, peer, command and outcome as numbers into the state's words.
    public struct PackedRow: Sendable {
        public var seq: Int
        public var at: Timestamp
        public var user: UInt32, peer: UInt32, command: UInt32, outcome: UInt32
        public var target: String

        public init(seq: Int, at: Timestamp, user: UInt32, peer: UInt32, command: UInt32, outcome: UInt32, target: String) {
            self.seq = seq; self.at = at; self.user = user; self.peer = peer; self.command = command; self.outcome = outcome
            self.target = target
        }
    }

    /// The held entries for a snapshot: `words` once with the words they name, numbered in the
    /// order the held entries first name them (so equal trails give equal bytes, whatever
    /// numbers their words got live or from an older state), then `row` for each, oldest first.
    public func packed(words: ([String]) -> Void, row: (PackedRow) -> Void) {
        let all = self.words.all()
        var renumbered = [UInt32](repeating: .max, count: all.count)
        var list: [String] = []
        func number(_ code: UInt32) {
            guard renumbered[Int(code)] == .max else { return }
            renumbered[Int(code)] = UInt32(list.count)
            list.append(all[Int(code)])
        }
        for r in rows.held {
            number(r.user); number(r.peer); number(r.command); number(r.outcome)
        }
        words(list)
        for r in rows.held {
            row(PackedRow(seq: r.seq, at: r.at, user: renumbered[Int(r.user)], peer: renumbered[Int(r.peer)],
                          command: renumbered[Int(r.command)], outcome: renumbered[Int(r.outcome)], target: r.target))
        }
    }

    /// A format 15 state's words, to a trail that has none yet, numbered in their order: false
    /// when one repeats (the rows' numbers would then name other words).
    public mutating func restore(words list: [String]) -> Bool {
        for (i, word) in list.enumerated() where words.code(word) != UInt32(i) { return false }
        return true
    }

    /// A held entry read back (its numbers checked against the words restored).
    public mutating func append(_ row: PackedRow) {
        rows.append(Row(seq: row.seq, at: row.at, user: row.user, peer: row.peer, command: row.command, outcome: row.outcome,
                        target: row.target))
    }
}
