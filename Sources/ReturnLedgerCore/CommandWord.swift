/// The first word of a request: a command's place in `CommandTable.all`, so counters and the role
/// table index arrays with it instead of hashing the word on every request. Made from the table,
/// never written by hand.
public struct CommandWord: Sendable, Hashable {
    /// Position in `CommandTable.all`.
    public let ordinal: Int

    /// The command a request's first word names, in any case; one table lookup instead of
    /// comparing against every name.
    public static func named(_ word: String) -> CommandWord? {
        byName.find(word) ?? byName.find(word.uppercased())
    }

    private static let byName = Names(CommandTable.all.map(\.name))

    /// The names by their FNV-1a hash, open addressing, at most a quarter full: a Dictionary's
    /// SipHash of the word cost ~350 instructions a request (callgrind), this a fifth of that.
    private struct Names: Sendable {
        let names: [String]
        let hashes: [UInt64]
        /// A name's ordinal + 1 at its hash's place; 0: empty.
        let slots: [Int16]

        init(_ names: [String]) {
            self.names = names
            hashes = names.map { FNV1a.hash($0) }
            var size = 64
            while size < names.count * 4 { size *= 2 }
            var slots = [Int16](repeating: 0, count: size)
            for (ordinal, hash) in hashes.enumerated() {
                precondition(names.firstIndex(of: names[ordinal]) == ordinal, "CommandTable: \(names[ordinal]) twice")
                var i = Int(truncatingIfNeeded: hash) & (size - 1)
                while slots[i] != 0 { i = (i + 1) & (size - 1) }
                slots[i] = Int16(ordinal + 1)
            }
            self.slots = slots
        }

        func find(_ word: String) -> CommandWord? {
            let hash = FNV1a.hash(word), mask = slots.count - 1
            var i = Int(truncatingIfNeeded: hash) & mask
            while slots[i] != 0 {
                let ordinal = Int(slots[i]) - 1
                if hashes[ordinal] == hash, names[ordinal] == word { return CommandWord(ordinal: ordinal) }
                i = (i + 1) & mask
            }
            return nil
        }
    }

    /// Every command, in the table's order (HELP's and INFO's).
    public static var allCases: [CommandWord] { CommandTable.all.indices.map { CommandWord(ordinal: $0) } }

    /// This command's row in `CommandTable`.
    public var spec: CommandSpec { CommandTable.all[ordinal] }

    /// The word as clients spell it.
    public var name: String { spec.name }

    /// Usable before `AUTH`. (These two are looked up per request: flags by ordinal, not a copy
    /// of the table's row.)
    public var isOpen: Bool { CommandTable.flags[ordinal].open }

    /// Whether some form of it changes state; each attempt leaves an audit entry.
    public var isMutating: Bool { CommandTable.flags[ordinal].mutating }

    /// Whether its successful reply waits, under `--sync-standby`, until the standbys hold what it
    /// observed: changes and reads do; INFO, AUTH, REPLICATE and the session's own commands wait
    /// for this server's log alone (protocol.md, A warm standby).
    public var waitsForStandbys: Bool { CommandTable.waitsForStandbys[ordinal] }

    /// Whether a standby refuses it (`ERR READONLY`, protocol.md, A warm standby), by the command
    /// words alone: every change but SNAPSHOT, BACKUP and PROMOTE (local to the standby), and
    /// WATCH and REPLICATE (a standby has no changes to push, and no standbys of its own).
    public func refusedOnStandby(sub: String?) -> Bool {
        guard CommandTable.standbyRefusal[ordinal] else { return false }
        if name == "WATCH" || name == "REPLICATE" { return true }
        return spec.form(sub)?.mutates ?? false  // an unknown sub-command: its usage error
    }
}
