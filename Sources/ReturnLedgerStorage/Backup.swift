public import ReturnLedgerCore

/// Backups (protocol.md, Backups, restore and log keeping): each one a folder
/// `backup-<UTC yyyymmddThhmmssZ>-<seq, 20 digits>` in the backup directory holding one snapshot,
/// so a backup folder is itself a data directory (`wal verify` reads it, `--restore` copies it).
/// Written under `<name>.tmp`, fsynced, renamed, and the backup directory fsynced: a crash or a
/// full backup disk leaves the finished backups as they were and at most a `.tmp` folder, which
/// the next backup clears away.
public enum Backup {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var at: Timestamp
        public var seq: UInt64
    }

    public static func name(at: Timestamp, seq: UInt64) -> String {
        let text = at.description  // 2026-12-01T19:25:38Z
        let compact = String(text.filter { $0 != "-" && $0 != ":" })
        return "backup-" + compact + "-" + DataDirectory.padded(seq)
    }

    /// The time and sequence a backup folder's name carries; nil for any other name.
    public static func parse(_ name: String) -> Entry? {
        let b = Array(name.utf8)
        guard b.count == 7 + 16 + 1 + 20, name.hasPrefix("backup-"), b[15] == UInt8(ascii: "T"), b[22] == UInt8(ascii: "Z"),
              b[23] == UInt8(ascii: "-"), let seq = UInt64(String(decoding: b[24...], as: UTF8.self))
        else { return nil }
        func text(_ range: Range<Int>) -> String { String(decoding: b[range], as: UTF8.self) }
        let date: String = text(7..<11) + "-" + text(11..<13) + "-" + text(13..<15)
        let time: String = text(16..<18) + ":" + text(18..<20) + ":" + text(20..<22)
        guard let at = Timestamp(parsing: date + "T" + time + "Z") else { return nil }
        return Entry(name: name, at: at, seq: seq)
    }

    /// Finished backups in the directory, oldest first (a missing directory has none).
    public static func list(_ directory: String, fs: any FileSystem) -> [Entry] {
        guard let names = try? fs.list(directory) else { return [] }
        return names.compactMap(parse).sorted { ($0.at, $0.seq) < ($1.at, $1.seq) }
    }

    /// Writes the state as a new backup folder and returns its entry and size.
    /// `history`: the epochs the state belongs to, kept beside the snapshot (a restore forks from
    /// them); only its epochs, not whether the directory was a standby or fenced.
    public static func write(_ ledger: Ledger, seq: UInt64, at: Timestamp, into directory: String, history: EpochHistory? = nil,
                             fs: any FileSystem) throws(StorageError) -> (entry: Entry, bytes: Int) {
        try makePath(directory, fs: fs)
        for leftover in (try? fs.list(directory)) ?? [] where leftover.hasPrefix("backup-") && leftover.hasSuffix(".tmp") {
            try? removeFolder(directory + "/" + leftover, fs: fs)
        }
        let entry = Entry(name: name(at: at, seq: seq), at: at, seq: seq)
        let temporary = directory + "/" + entry.name + ".tmp"
        try fs.makeDirectory(temporary)
        do throws(StorageError) {
            let written = try Snapshot.write(ledger, seq: seq, to: DataDirectory(temporary), fs: fs)
            if let history, !history.entries.isEmpty {
                try EpochHistory(entries: history.entries).store(DataDirectory(temporary), fs: fs)
            }
            try DurableFile.publish(temporary, as: directory + "/" + entry.name, in: directory, fs: fs)
            return (entry, written.bytes)
        } catch {
            try? removeFolder(temporary, fs: fs)
            throw error
        }
    }

    /// Removes the oldest finished backups so that `keep` remain; returns the names removed.
    @discardableResult
    public static func prune(_ directory: String, keep: Int, fs: any FileSystem) -> [String] {
        let all = list(directory, fs: fs)
        guard all.count > keep else { return [] }
        var removed: [String] = []
        for old in all.prefix(all.count - keep) where (try? removeFolder(directory + "/" + old.name, fs: fs)) != nil {
            removed.append(old.name)
        }
        if !removed.isEmpty { try? fs.syncDirectory(directory) }
        return removed
    }

    /// Copies a backup folder's files into an empty (or missing) data directory, each through a
    /// temporary name and fsynced, then the directory. The caller checks emptiness and locks.
    public static func restore(from folder: String, into directory: String, fs: any FileSystem) throws(StorageError) -> [String] {
        let contents = try files(ofBackup: folder, fs: fs)
        try makePath(directory, fs: fs)
        var copied: [String] = []
        for name in contents.snapshots.map(\.name) + contents.segments.map(\.name) {
            // The directory is fsynced once, after the last file.
            try DurableFile.write(name, in: directory, fs: fs, syncDirectory: false) { fd throws(StorageError) in
                // A chunk at a time: a million returns' snapshot is hundreds of megabytes.
                var offset = 0
                while true {
                    let chunk = try fs.readRange(folder + "/" + name, offset: offset, count: 4 << 20)
                    if chunk.isEmpty { break }
                    try fs.write(fd, bytes: chunk)
                    offset += chunk.count
                }
            }
            copied.append(name)
        }
        try fs.syncDirectory(directory)
        return copied
    }

    /// A backup folder's snapshot and segments; an error for a folder that holds neither.
    public static func files(ofBackup folder: String, fs: any FileSystem) throws(StorageError)
        -> (segments: [(seq: UInt64, name: String)], snapshots: [(seq: UInt64, name: String)], temporary: [String]) {
        let contents = try DataDirectory(folder).contents(fs)
        guard !contents.snapshots.isEmpty || !contents.segments.isEmpty else {
            throw StorageError("\(folder) holds no snapshot and no log: not a backup")
        }
        return contents
    }

    /// `mkdir -p`.
    static func makePath(_ path: String, fs: any FileSystem) throws(StorageError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            try fs.makeDirectory(prefix)
        }
    }

    /// A backup folder and the files in it (it has no subfolders).
    static func removeFolder(_ path: String, fs: any FileSystem) throws(StorageError) {
        for name in (try? fs.list(path)) ?? [] { try fs.remove(path + "/" + name) }
        try fs.removeDirectory(path)
    }
}
