import ReturnLedgerStorage

/// What a server starts as (protocol.md, A warm standby), from its flags and what its data
/// directory remembers (`EpochHistory`): a standby of `--standby-of`, a primary, or with
/// `--promote` a standby's directory made a primary's. Refuses what would mix two histories: a
/// standby's directory started as a primary without `--promote`, `--promote` of a primary's.
struct Standing {
    var role: Replication.Role
    var history: EpochHistory
    var notes: [String] = []

    static func of(_ directory: DataDirectory, config: ServerConfig, lastSeq: UInt64, fs: any FileSystem) throws(StorageError) -> Standing {
        let loaded = try EpochHistory.load(directory, fs: fs)
        if config.promote {
            guard var history = loaded, let followed = history.standbyOf, !history.entries.isEmpty else {
                throw StorageError("--promote: \(directory.path) is not a standby's data directory (it already is a primary's)")
            }
            history = history.forked(at: lastSeq + 1, by: .promote)
            history.fencing = followed
            history.promotedFrom = followed
            history.standbyOf = nil
            history.fence = nil
            try history.store(directory, fs: fs)
            return Standing(role: .primary, history: history,
                            notes: ["promoted: primary of epoch \(history.current) (parent \(history.parent)) from seq \(lastSeq + 1); it was a standby of \(followed)"])
        }
        if let link = config.standby {
            var history = loaded ?? EpochHistory(entries: [])
            // A primary promoted from LINK told to follow it again would have it fence itself (its
            // history says LINK was superseded): neither would take changes.
            if history.standbyOf == nil, history.entries.last?.start == .promote, let from = history.promotedFrom, from == link.address {
                throw StorageError("\(directory.path) was promoted from \(from) (epoch \(history.current)): it is the primary now. Start it without --standby-of; to follow another server, point it at one that followed it, or move \(directory.path) aside to seed it afresh")
            }
            if history.standbyOf != link.address {
                let was = history.standbyOf
                history.standbyOf = link.address
                try history.store(directory, fs: fs)
                if let was { return Standing(role: .standby, history: history, notes: ["standby: now of \(link.address) (was of \(was))"]) }
            }
            return Standing(role: .standby, history: history)
        }
        if let loaded, let followed = loaded.standbyOf {
            throw StorageError("\(directory.path) is a standby's data directory (of \(followed)): start it with --standby-of \(followed), or with --promote to make it a primary")
        }
        if let loaded, !loaded.entries.isEmpty {
            var notes: [String] = []
            if let fence = loaded.fence {
                notes.append("superseded by epoch \(fence.epoch) at seq \(fence.seq): serving reads only (restart with --standby-of the new primary)")
            }
            return Standing(role: .primary, history: loaded, notes: notes)
        }
        return Standing(role: .primary, history: try EpochHistory.ensure(directory, fs: fs))
    }
}

extension Server {
    /// `--standby-of` on an empty data directory: seeded from the primary before anything is
    /// served (protocol.md: a standby is `ready` once seeded). Blocks, retrying, until it is.
    /// False when a stop signal came first (exit 0 then, nothing served).
    public static func seedStandbyIfEmpty(_ config: ServerConfig) -> Bool {
        guard let link = config.standby, !config.promote else { return true }
        let directory = DataDirectory(config.dataDirectory)
        let fs = config.fileSystem
        guard let contents = try? directory.contents(fs), contents.segments.isEmpty, contents.snapshots.isEmpty,
              ((try? EpochHistory.load(directory, fs: fs))??.entries.isEmpty ?? true) else { return true }
        Runner.log("standby: \(directory.path) is empty: seeding from \(link.address)")
        return StandbyFollower.seedEmpty(link, directory: directory, archives: config.archiveDirectory ?? config.dataDirectory, fs: fs,
                                         log: { Runner.log($0) })
    }
}
