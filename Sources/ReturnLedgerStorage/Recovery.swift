public import ReturnLedgerCore
import Dispatch

/// Start-up: the newest valid snapshot, then every log record after it, in order.
///
/// A torn or corrupt record at the very end of the last segment is what a crash mid-write
/// leaves: it is cut off (with a note). Damage anywhere else means records after it would be
/// lost, so recovery refuses, naming the file and offset, and changes nothing.
public enum Recovery {
    public struct Result: Sendable {
        public var ledger: Ledger
        /// The last sequence number in the state (0 for an empty store).
        public var lastSeq: UInt64
        public var snapshotSeq: UInt64
        /// The segment appending continues in, with its first sequence number.
        public var lastSegment: (firstSeq: UInt64, name: String)?
        public var recordsReplayed = 0
        public var eventsReplayed = 0
        /// The loaded snapshot's size, and the bytes of the log segments after it: where the
        /// pacing of automatic snapshots starts from (`--snapshot-growth`).
        public var snapshotBytes = 0
        public var logBytesAfterSnapshot = 0
        /// The last segment is of an older framing: the log starts a new one for its appends.
        public var appendInNewSegment = false
        /// Lines for the operator: what was found and anything cut off.
        public var notes: [String] = []
        /// Where replayed `archive.written` records find their archives (nil: the data directory).
        var archives: ArchiveReplay?
        /// An archive a replayed record names could not be read: start-up stops (nothing after it applied).
        var archiveFailure: StorageError?
    }

    /// - Parameters:
    ///   - repair: cut a torn tail off the file (start-up); false only reads (tools, reloads).
    ///   - limit: stop after this sequence number (after a failed fsync: what is known durable).
    ///   - archives: where the archives are (`--archive-dir`; nil: the data directory).
    ///   - decodeCovered: decode the records of the segment replay starts in that the snapshot
    ///     already holds too (`wal verify`); start-up and reloads only check their frames.
    public static func load(_ directory: DataDirectory, fs: any FileSystem, repair: Bool,
                            limit: UInt64 = .max, archives: ArchiveReplay? = nil,
                            decodeCovered: Bool = false) throws(StorageError) -> Result {
        let contents = try directory.contents(fs)
        var result = Result(ledger: Ledger(), lastSeq: 0, snapshotSeq: 0)
        result.archives = archives ?? ArchiveReplay(directory: directory.path, fs: fs)
        var loaded = false
        for name in contents.temporary where repair {
            try fs.remove(directory.file(name))
            result.notes.append("removed unfinished snapshot \(name)")
        }
        for snapshot in contents.snapshots.reversed() {
            do {
                let bytes = try fs.readFile(directory.file(snapshot.name))
                let decoded = try Snapshot.decode(bytes)
                guard decoded.seq == snapshot.seq else { throw CodecError("sequence \(decoded.seq) differs from its name") }
                result.snapshotBytes = bytes.count
                result.ledger = decoded.ledger
                result.lastSeq = decoded.seq
                result.snapshotSeq = decoded.seq
                result.notes.append("loaded \(snapshot.name)")
                loaded = true
                break
            } catch {
                result.notes.append("skipped \(snapshot.name): \(error)")
            }
        }
        if !loaded, !contents.snapshots.isEmpty {
            throw StorageError("no readable snapshot among \(contents.snapshots.map(\.name).joined(separator: ", "))")
        }

        let segments = contents.segments
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            // A segment wholly covered by the snapshot needs no reading.
            if !isLast, segments[index + 1].seq <= result.snapshotSeq + 1 { continue }
            if segment.seq > result.lastSeq + 1 {
                throw StorageError("\(segment.name): log starts at \(segment.seq) but the state ends at \(result.lastSeq); records are missing")
            }
            try replay(segment.name, directory: directory, fs: fs, isLast: isLast, repair: repair, limit: limit,
                       decodeCovered: decodeCovered, afterSnapshot: segment.seq > result.snapshotSeq, into: &result)
            if let failure = result.archiveFailure { throw failure }
            if isLast && !result.appendInNewSegment { result.lastSegment = (segment.seq, segment.name) }
        }
        return result
    }

    private static func replay(_ name: String, directory: DataDirectory, fs: any FileSystem, isLast: Bool, repair: Bool,
                               limit: UInt64, decodeCovered: Bool, afterSnapshot: Bool, into result: inout Result) throws(StorageError) {
        let path = directory.file(name)
        let bytes = try fs.readFile(path)
        if afterSnapshot { result.logBytesAfterSnapshot += bytes.count }
        let walked: Walked
        if bytes.count >= parallelBytes {
            // Records read, checked and decoded on another thread while this one applies them.
            let channel = DecodeAhead<(seq: UInt64, events: [Event])>(depth: 4)
            let done = Handover<Walked>()
            let after = result.lastSeq
            DispatchQueue.global(qos: .userInitiated).async {
                var batch: [(seq: UInt64, events: [Event])] = []
                batch.reserveCapacity(batchSize)
                let walked = bytes.withUnsafeBytes { raw in
                    checkedWalk(raw, path: path, after: after, limit: limit, decodeCovered: decodeCovered) { seq, events in
                        batch.append((seq, events))
                        if batch.count == batchSize {
                            channel.put(batch)
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                }
                if !batch.isEmpty { channel.put(batch) }
                done.set(walked)
                channel.put(nil)
            }
            while let batch = channel.take() {
                for (seq, events) in batch { apply(events, seq: seq, to: &result) }
            }
            walked = done.get()!
        } else {
            walked = bytes.withUnsafeBytes { raw in
                checkedWalk(raw, path: path, after: result.lastSeq, limit: limit, decodeCovered: decodeCovered) { seq, events in apply(events, seq: seq, to: &result) }
            }
        }
        // An archive a record needs could not be read: stop before anything is judged (or cut)
        // from where the replay stopped.
        if let failure = result.archiveFailure { throw failure }
        let outcome: StorageError? = bytes.withUnsafeBytes { raw -> StorageError? in
            let (format, stop, records) = (walked.format, walked.stop, walked.records)
            if let failure = walked.failure { return failure }
            switch stop {
            case .end:
                break
            case .notASegment:
                // Crashed (or the disk filled up) while creating it: a part of the header and
                // nothing else, which the log finishes when it opens. A read-only load (the
                // reload after a storage failure, `wal verify`) passes it too. Found by tools/sim:
                // the disk filled up as a snapshot's rotation created a segment, and the reload
                // refused the directory, so reads went on showing what was never stored.
                if isLast && raw.count < LogRecord.magic.count && raw.elementsEqual(LogRecord.magic.prefix(raw.count)) {
                    if !repair { result.notes.append("\(name) holds \(raw.count) bytes of its header: start-up would finish it") }
                    return nil
                }
                return StorageError("\(path) at offset 0: not a log segment")
            case .unreadable(let offset, let reason):
                return StorageError("\(path) at offset \(offset): \(reason); refusing to start")
            case .damaged(let offset, let reason):
                let tail = isLast && !LogRecord.intactRecordAfter(raw, offset: offset, expectedSeq: result.lastSeq + 1,
                                                                 segment: format ?? LogRecord.framing)
                guard tail else { return StorageError("\(path) at offset \(offset): \(reason); refusing to start") }
                if repair {
                    do throws(StorageError) { try fs.truncate(path, to: offset) } catch { return error }
                    result.notes.append("cut a torn record off the end of \(name) at offset \(offset) (\(reason), \(raw.count - offset) bytes)")
                } else {
                    result.notes.append("torn record at the end of \(name) at offset \(offset) (\(reason)); start-up would cut it")
                }
            }
            if isLast, let format, format < LogRecord.framing {
                // Appending goes on in a new segment of the current framing; an older one is
                // only read. One that holds no record yet would share the new one's name.
                result.appendInNewSegment = true
                if records == 0 && repair {
                    do throws(StorageError) { try fs.remove(path) } catch { return error }
                    result.notes.append("removed \(name): an empty segment of \(format)")
                }
            }
            return nil
        }
        if let outcome { throw outcome }
    }

    /// Segments this large are replayed on two threads (smaller ones, and the simulation's, on one).
    static let parallelBytes = 1 << 20
    static let batchSize = 2048

    /// A segment's walk: where it stopped, how many records it held, and a gap in the sequence.
    struct Walked: Sendable {
        var format: Format?
        var stop: LogSegment.Stop
        var records: Int
        var failure: StorageError?
    }

    /// Every record after `after` up to `limit`, checked to follow the one before, to `visit`.
    /// `decodeCovered`: records the snapshot holds are decoded too (`wal verify`); otherwise only
    /// their frames are checked.
    private static func checkedWalk(_ raw: UnsafeRawBufferPointer, path: String, after: UInt64, limit: UInt64,
                                    decodeCovered: Bool, _ visit: (UInt64, [Event]) -> Void) -> Walked {
        var failure: StorageError?
        var records = 0
        var last = after
        // Records the snapshot holds are only checked and counted (sequence order among them is
        // the log's own; the first one after them must follow the snapshot).
        let (format, stop) = LogSegment.walk(raw, decodedAfter: decodeCovered ? 0 : after, covered: { _ in records += 1 }) { seq, entry, offset in
            records += 1
            if seq > limit { return false }
            if seq <= last { return true }  // already in the snapshot
            guard seq == last + 1 else {
                failure = StorageError("\(path) at offset \(offset): sequence \(seq) where \(last + 1) was expected")
                return false
            }
            visit(seq, entry.events)
            last = seq
            return true
        }
        return Walked(format: format, stop: stop, records: records, failure: failure)
    }

    private static func apply(_ events: [Event], seq: UInt64, to result: inout Result) {
        guard result.archiveFailure == nil else { return }
        if case .archiveWritten = events.first, let archives = result.archives {
            do throws(StorageError) {
                result.ledger.apply(try archives.resolved(events, in: result.ledger))
            } catch {
                result.archiveFailure = error
                return
            }
        } else {
            result.ledger.apply(events)
        }
        result.lastSeq = seq
        result.recordsReplayed += 1
        result.eventsReplayed += events.count
    }
}
