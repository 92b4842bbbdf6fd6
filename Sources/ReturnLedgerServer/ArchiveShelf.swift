import Dispatch
package import ReturnLedgerCore
package import ReturnLedgerStorage

/// The archives on disk (protocol.md, Years of history): where they are, whether each is whole,
/// and the one ARCHIVE being written. The state (`Ledger.archives`) says which archives exist and
/// what they took; this says what their files are like. Writer queue, except `queue`'s work.
package final class ArchiveShelf: @unchecked Sendable {
    /// ARCHIVE's selection and file are made here, at utility priority, off the writer.
    let queue = DispatchQueue(label: "returnledger.archive", qos: .utility)
    let replay: ArchiveReplay
    var directory: String { replay.directory }
    /// Writer queue: the status of each committed archive's file, by name.
    private(set) var statuses: [String: Status] = [:]
    /// Writer queue: an ARCHIVE is being written; what the changes since its state copy touched.
    var touches: ArchiveTouches?
    /// The simulation's crash points: ARCHIVE stops dead after this step, as if the process died
    /// there (nothing after it happens, nothing is cleaned up). Nil in a server.
    package var stopAfter: ArchiveStep?

    /// ARCHIVE's steps a crash can fall between (protocol.md, Years of history: Commit and crashes).
    package enum ArchiveStep: Sendable, Equatable {
        /// The file is renamed into place and its folder fsynced; no record yet.
        case fileWritten
        /// `archive.written` appended to the log, not yet known durable.
        case recordAppended
    }

    package enum Status: Equatable, Sendable {
        case ok
        /// The file's damage: what and where (file and offset).
        case damaged(String)
        case missing(String)

        var word: String {
            switch self {
            case .ok: return "ok"
            case .damaged: return "damaged"
            case .missing: return "missing"
            }
        }
    }

    /// Where reads find the records that left memory (any queue).
    let records: ArchiveRecordSource

    package init(directory: String, fs: any FileSystem) {
        replay = ArchiveReplay(directory: directory, fs: fs)
        records = ArchiveRecordSource(replay)
    }

    private var fs: any FileSystem { replay.fs }

    /// Start-up: what only a crash leaves is deleted (an unfinished `.tmp`; an archive no
    /// committed record names, written by this data directory, `epochs`, after its newest
    /// committed one: both hold only copies), then each committed archive's header, footer and
    /// index summary are checked. An archive of another data directory (a shared or reused
    /// `--archive-dir`) is left alone, named. Returns the lines for the operator's log.
    package func open(_ ledger: Ledger, epochs: Set<String>) -> [String] {
        var notes: [String] = []
        let named = Set(ledger.archives.map(\.name))
        let newest = ledger.archives.last?.number ?? 0
        for file in (try? fs.list(directory)) ?? [] where file.hasPrefix("archive-") {
            var uncommitted = file.hasSuffix(".tmp")
            if file.hasSuffix(".rla"), !named.contains(String(file.dropLast(4))) {
                let header = try? ArchiveReader(path: directory + "/" + file, fs: fs).header
                uncommitted = header.map { epochs.contains($0.epoch) && $0.number > newest } ?? false
                if !uncommitted {
                    notes.append("\(file) in \(directory) is not this data directory's (no record names it): left alone")
                    continue
                }
            }
            guard uncommitted else { continue }
            do throws(StorageError) {
                try fs.remove(directory + "/" + file)
                notes.append("removed \(file): no committed archive.written names it (left by a crash)")
            } catch {
                notes.append("could not remove \(file): \(error.message)")
            }
        }
        heldBytes = ledger.archives.reduce(0) { $0 + $1.taken.heldBytes }
        for entry in ledger.archives {
            let status = check(entry)
            statuses[entry.name] = status
            switch status {
            case .ok: break
            case .damaged(let why), .missing(let why): notes.append("archive \(entry.name) is \(status.word): \(why); changes go on")
            }
        }
        return notes
    }

    /// Header, footer and index summary, and the checksum the log recorded; `whole`: every
    /// block too (VERIFY).
    package func check(_ entry: ArchiveEntry, whole: Bool = false) -> Status {
        do throws(ArchiveDamage) {
            let reader = try ArchiveReader(path: replay.path(entry.name), fs: fs)
            if whole { try reader.verify() }
            guard reader.checksum == entry.checksum else {
                return .damaged("\(reader.path): checksum \(reader.checksumText), committed as \(entry.checksumText)")
            }
            // Kept for reads of what left memory: the first of them (perhaps a change, on the
            // writer) then costs its index block and record, not the file's opening checks.
            records.adopt(reader, for: entry)
            return .ok
        } catch {
            return error.missing ? .missing(error.description) : .damaged(error.description)
        }
    }

    /// VERIFY: every byte of every archive, against its checksum. Off the writer.
    func verify(_ entries: [ArchiveEntry]) -> [(ArchiveEntry, Status)] {
        entries.map { ($0, check($0, whole: true)) }
    }

    /// Writer queue: what VERIFY found (a good copy put back is `ok` again).
    func record(_ found: [(ArchiveEntry, Status)]) {
        for (entry, status) in found { statuses[entry.name] = status }
    }

    /// Writer queue. `heldBytes`: the entry's `taken.heldBytes`, worked out off the writer where
    /// the caller can (a walk of everything the archive took).
    func committed(_ entry: ArchiveEntry, heldBytes held: Int? = nil) {
        statuses[entry.name] = .ok
        heldBytes += held ?? entry.taken.heldBytes
    }

    /// Writer queue: what memory holds for the archives (their selections, counted once each).
    private var heldBytes = 0

    /// INFO's memory line's archive fields (section 23).
    func infoFields(_ ledger: Ledger) -> [Field] {
        let total = ledger.archivedCounts
        return [Field("archives", String(ledger.archives.count)), Field("archived_returns", String(total.returns)),
                Field("archived_orders", String(total.orders)), Field("archived_entries", String(total.entries)),
                Field("archived_notices", String(total.notices)), Field("archived_audit", String(total.audit)),
                Field("archived_other", String(total.other)), Field("archive_held_bytes", String(heldBytes)),
                Field("archives_damaged", String(damagedCount))]
    }

    func status(_ name: String) -> Status { statuses[name] ?? .ok }

    var damagedCount: Int { statuses.values.filter { $0 != .ok }.count }

    /// ARCHIVE LIST: one line per archive, oldest first.
    func list(_ ledger: Ledger) -> Reply {
        Reply(status: [Field("count", String(ledger.archives.count))], lines: ledger.archives.map { entry in
            entry.summaryFields + [Field("checksum", entry.checksumText), Field("status", status(entry.name).word)]
        })
    }

    /// Removes a file ARCHIVE wrote but did not commit.
    func discard(_ name: String) {
        try? fs.remove(replay.path(name))
        try? fs.syncDirectory(directory)
    }
}
