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
            if isLast { result.lastSegment = (segment.seq, segment.name) }
        }
        return result
    }

    private static func replay(_ name: String, directory: DataDirectory, fs: any FileSystem, isLast: Bool, repair: Bool,
                               limit: UInt64, into result: inout Result) throws(StorageError) {
        let path = directory.file(name)
        let bytes = try fs.readFile(path)
        let outcome: StorageError? = bytes.withUnsafeBytes { raw -> StorageError? in
            guard raw.count >= LogRecord.magic.count, Array(raw[0..<LogRecord.magic.count]) == LogRecord.magic else {
                if isLast && raw.count < LogRecord.magic.count && repair { return nil }  // crashed while creating it
                return StorageError("\(path) at offset 0: not a log segment")
            }
            var offset = LogRecord.magic.count
            while true {
                switch LogRecord.read(raw, at: offset) {
                case .end:
                    return nil
                case .record(let seq, let entry, let next):
                    if seq > limit { return nil }
                    if seq <= result.lastSeq {
                        offset = next
                        continue  // already in the snapshot
                    }
                    guard seq == result.lastSeq + 1 else {
                        return StorageError("\(path) at offset \(offset): sequence \(seq) where \(result.lastSeq + 1) was expected")
                    }
                    result.ledger.apply(entry.events)
                    result.lastSeq = seq
                    result.recordsReplayed += 1
                    result.eventsReplayed += entry.events.count
                    offset = next
                case .damaged(let reason):
                    let tail = isLast && !LogRecord.intactRecordAfter(raw, offset: offset, expectedSeq: result.lastSeq + 1)
                    guard tail else { return StorageError("\(path) at offset \(offset): \(reason); refusing to start") }
                    if repair {
                        do throws(StorageError) { try fs.truncate(path, to: offset) } catch { return error }
                        result.notes.append("cut a torn record off the end of \(name) at offset \(offset) (\(reason), \(raw.count - offset) bytes)")
                    } else {
                        result.notes.append("torn record at the end of \(name) at offset \(offset) (\(reason)); start-up would cut it")
                    }
                    return nil
                }
            }
        }
        if let outcome { throw outcome }
    }
}
