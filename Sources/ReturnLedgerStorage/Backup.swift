public import ReturnLedgerCore

/// Backups (protocol.md, Backups, restore and log keeping): each one a folder
/// `backup-<UTC yyyymmddThhmmssZ>-<seq, 20 digits>` in the backup directory holding one snapshot,
/// so a backup folder is itself a data directory (`wal verify` reads it, `--restore` copies it).
/// Written under `<name>.tmp`, fsynced, renamed, and the backup directory fsynced: a crash or a
/// full backup disk leaves the finished backups as they were and at most a `.tmp` folder, which
/// the next backup clears away.
///
/// The archives the snapshot names (section 23) are kept beside it, as `NAME.rla`, where a data
/// directory without `--archive-dir` keeps them: the folder stays a data directory that starts
/// as it is. One the newest earlier backup already holds with the same checksum is hard-linked
/// from there (no bytes written; a file system without hard links, or another one, gets a copy);
/// the others are copied from the archive directory, the bytes copied checked against the
/// checksum the state recorded, and fsynced with the rest.
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

    /// A backup written: BACKUP's reply.
    public struct Written: Sendable, Equatable {
        public var entry: Entry
        /// The bytes written: the snapshot's and those of the archives copied (not the linked ones).
        public var bytes: Int
        /// The archives the backup holds (copied or linked).
        public var archives: Int
        /// Of those, the ones hard-linked from the newest earlier backup.
        public var linked: Int
    }

    /// Writes the state as a new backup folder and returns its entry and size.
    /// `history`: the epochs the state belongs to, kept beside the snapshot (a restore forks from
    /// them); only its epochs, not whether the directory was a standby or fenced.
    /// `archives`: where the archives the state names are (`--archive-dir`, else the data
    /// directory); each one missing there, or whose bytes do not match its checksum, fails the
    /// backup with an error naming it.
    public static func write(_ ledger: Ledger, seq: UInt64, at: Timestamp, into directory: String, history: EpochHistory? = nil,
                             archives archiveDirectory: String? = nil, fs: any FileSystem) throws(StorageError) -> Written {
        try makePath(directory, fs: fs)
        for leftover in (try? fs.list(directory)) ?? [] where leftover.hasPrefix("backup-") && leftover.hasSuffix(".tmp") {
            try? removeFolder(directory + "/" + leftover, fs: fs)
        }
        if !ledger.archives.isEmpty, archiveDirectory == nil {
            throw StorageError("the state names \(ledger.archives.count) archives and no archive directory was given")
        }
        let previous = list(directory, fs: fs).last.map { directory + "/" + $0.name }
        let entry = Entry(name: name(at: at, seq: seq), at: at, seq: seq)
        let temporary = directory + "/" + entry.name + ".tmp"
        try fs.makeDirectory(temporary)
        do throws(StorageError) {
            let written = try Snapshot.write(ledger, seq: seq, to: DataDirectory(temporary), fs: fs)
            if let history, !history.entries.isEmpty {
                try EpochHistory(entries: history.entries).store(DataDirectory(temporary), fs: fs)
            }
            var bytes = written.bytes, linked = 0
            if let archiveDirectory, !ledger.archives.isEmpty {
                for archive in ledger.archives {
                    if let previous, link(archive, from: previous, into: temporary, fs: fs) {
                        linked += 1
                    } else {
                        bytes += try copyArchive(archive, from: archiveDirectory, into: temporary, fs: fs)
                    }
                }
                try fs.syncDirectory(temporary)  // the copies' and links' names
            }
            try DurableFile.publish(temporary, as: directory + "/" + entry.name, in: directory, fs: fs)
            return Written(entry: entry, bytes: bytes, archives: ledger.archives.count, linked: linked)
        } catch {
            try? removeFolder(temporary, fs: fs)
            throw error
        }
    }

    /// Hard-links `archive` from an earlier backup folder when that one holds it with the same
    /// checksum (its trailer read, cheap: it was checked whole when copied there). False when it
    /// does not, or the link fails (another file system, none supported): the caller copies.
    static func link(_ archive: ArchiveEntry, from previous: String, into folder: String, fs: any FileSystem) -> Bool {
        let file = ArchiveFile.fileName(archive.name)
        guard let reader = try? ArchiveReader(path: previous + "/" + file, fs: fs), reader.checksum == archive.checksum else {
            return false
        }
        return (try? fs.link(previous + "/" + file, folder + "/" + file)) != nil
    }

    /// Copies `archive` from `source` into `target` through `NAME.tmp`, fsynced (the caller
    /// fsyncs `target` once, after the last file), checking its trailer and the bytes copied
    /// against the checksum the state recorded; returns the bytes copied. Missing or damaged: an
    /// error naming the file.
    static func copyArchive(_ archive: ArchiveEntry, from source: String, into target: String, fs: any FileSystem) throws(StorageError) -> Int {
        let file = ArchiveFile.fileName(archive.name)
        let path = source + "/" + file
        let reader: ArchiveReader
        do throws(ArchiveDamage) { reader = try ArchiveReader(path: path, fs: fs) } catch { throw StorageError(error.description) }
        guard reader.checksum == archive.checksum else {
            throw StorageError("archive \(path) has checksum \(reader.checksumText), the state recorded \(archive.checksumText)")
        }
        let size = reader.size, covered = size - ArchiveFile.trailerSize
        return try DurableFile.write(file, in: target, fs: fs, syncDirectory: false, temporary: archive.name + ".tmp") { fd throws(StorageError) -> Int in
            var offset = 0, crc: UInt32 = 0
            while offset < size {
                let chunk = try fs.readRange(path, offset: offset, count: min(4 << 20, size - offset))
                if chunk.isEmpty { break }
                if offset < covered {
                    crc = chunk.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<min($0.count, covered - offset)]), seed: crc) }
                }
                try fs.write(fd, bytes: chunk)
                offset += chunk.count
            }
            guard offset == size else { throw StorageError("archive \(path) damaged: cut short at \(offset) of \(size) bytes while copied") }
            guard crc == archive.checksum else {
                throw StorageError("archive \(path) damaged: its bytes have checksum \(ArchiveEntry.hex(crc)), the state recorded \(archive.checksumText)")
            }
            return size
        }
    }

    /// Checks that a backup folder holds each of `archives` whole: every block and the whole file
    /// against the checksum the backup's state recorded. Missing or damaged: an error naming it.
    /// Reads everything; writes nothing.
    public static func checkArchives(_ archives: [ArchiveEntry], inBackup folder: String, fs: any FileSystem) throws(StorageError) {
        for archive in archives {
            let path = folder + "/" + ArchiveFile.fileName(archive.name)
            do throws(ArchiveDamage) {
                let reader = try ArchiveReader(path: path, fs: fs)
                guard reader.checksum == archive.checksum else {
                    throw ArchiveDamage(path, at: reader.size - ArchiveFile.trailerSize + 12,
                                        "checksum \(reader.checksumText), the backup's state recorded \(archive.checksumText)")
                }
                try reader.verify()
            } catch {
                throw StorageError(error.description)
            }
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
    ///
    /// `archives` (the backup's state's, section 23) go to `archiveDirectory` (nil: the data
    /// directory), each checked against its checksum as it is copied. Unless `checked` (the
    /// caller ran `checkArchives` on them), every one is first checked whole in the folder, so
    /// one missing or damaged fails the restore before anything is written.
    public static func restore(from folder: String, into directory: String, archives: [ArchiveEntry] = [],
                               archiveDirectory: String? = nil, checked: Bool = false, fs: any FileSystem) throws(StorageError) -> [String] {
        let contents = try files(ofBackup: folder, fs: fs)
        if !checked { try checkArchives(archives, inBackup: folder, fs: fs) }
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
        let archiveDirectory = archiveDirectory ?? directory
        if !archives.isEmpty, archiveDirectory != directory { try makePath(archiveDirectory, fs: fs) }
        for archive in archives {
            _ = try copyArchive(archive, from: folder, into: archiveDirectory, fs: fs)
            copied.append(ArchiveFile.fileName(archive.name))
        }
        if !archives.isEmpty, archiveDirectory != directory { try fs.syncDirectory(archiveDirectory) }
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
