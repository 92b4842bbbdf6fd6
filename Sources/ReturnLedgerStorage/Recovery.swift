public import ReturnLedgerCore

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
        /// The last segment is of an older framing: the log starts a new one for its appends.
        public var appendInNewSegment = false
        /// Lines for the operator: what was found and anything cut off.
        public var notes: [String] = []
    }

    /// - Parameters:
    ///   - repair: cut a torn tail off the file (start-up); false only reads (tools, reloads).
    ///   - limit: stop after this sequence number (after a failed fsync: what is known durable).
    public static func load(_ directory: DataDirectory, fs: any FileSystem, repair: Bool,
                            limit: UInt64 = .max) throws(StorageError) -> Result {
        let contents = try directory.contents(fs)
        var result = Result(ledger: Ledger(), lastSeq: 0, snapshotSeq: 0)
        var loaded = false
        for name in contents.temporary where repair {
            try fs.remove(directory.file(name))
            result.notes.append("removed unfinished snapshot \(name)")
        }
        for snapshot in contents.snapshots.reversed() {
            do {
                let decoded = try Snapshot.decode(try fs.readFile(directory.file(snapshot.name)))
                guard decoded.seq == snapshot.seq else { throw CodecError("sequence \(decoded.seq) differs from its name") }
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
            try replay(segment.name, directory: directory, fs: fs, isLast: isLast, repair: repair, limit: limit, into: &result)
            if isLast && !result.appendInNewSegment { result.lastSegment = (segment.seq, segment.name) }
        }
        return result
    }

    private static func replay(_ name: String, directory: DataDirectory, fs: any FileSystem, isLast: Bool, repair: Bool,
                               limit: UInt64, into result: inout Result) throws(StorageError) {
        let path = directory.file(name)
        let bytes = try fs.readFile(path)
        let outcome: StorageError? = bytes.withUnsafeBytes { raw -> StorageError? in
            var failure: StorageError?
            var records = 0
            let (format, stop) = LogSegment.walk(raw) { seq, entry, offset in
                records += 1
                if seq > limit { return false }
                if seq <= result.lastSeq { return true }  // already in the snapshot
                guard seq == result.lastSeq + 1 else {
                    failure = StorageError("\(path) at offset \(offset): sequence \(seq) where \(result.lastSeq + 1) was expected")
                    return false
                }
                result.ledger.apply(entry.events)
                result.lastSeq = seq
                result.recordsReplayed += 1
                result.eventsReplayed += entry.events.count
                return true
            }
            if let failure { return failure }
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
}
