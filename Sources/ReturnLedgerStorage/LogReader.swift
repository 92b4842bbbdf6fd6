import Synchronization

/// Reads the log from a sequence on, for FEED, straight from the segment files:
/// never on the writer queue, never holding the writer up. Reads a chunk at a time with `pread`
/// and remembers where the last page ended, so an exporter paging with `from=next` reads each
/// record once; another start is found from the segment names and record headers, without
/// decoding what it skips.
public final class LogReader: Sendable {
    public enum Failure: Error, Sendable {
        /// Records up to `oldest` are no longer on disk (`--log-keep`): FEED answers ERR STATE.
        case gone(oldest: UInt64)
        case storage(StorageError)
    }

    private struct Cursor { var seq: UInt64; var segment: String; var offset: Int }

    private let directory: DataDirectory
    private let fs: any FileSystem
    private let cursor = Mutex<Cursor?>(nil)
    static let chunk = 1 << 20

    public init(directory: DataDirectory, fs: any FileSystem) { self.directory = directory; self.fs = fs }

    /// The oldest sequence a reader may start after (the first segment's first sequence − 1).
    public func oldestStart() throws(StorageError) -> UInt64 {
        let segments = try directory.contents(fs).segments
        return segments.first.map { $0.seq - 1 } ?? 0
    }

    /// Visits the records after `after` up to `durable`, in order, until `visit` returns false
    /// (it has then taken that record) or none are left. Returns the last sequence visited, or
    /// `after` when there was none. `remember: false` leaves the cursor where the last page
    /// ended (a long poll looking ahead, which the page read after it must not lose).
    public func read(after: UInt64, upTo durable: UInt64, remember: Bool = true,
                     _ visit: (_ seq: UInt64, _ entry: LogEntry) -> Bool) throws(Failure) -> UInt64 {
        guard after < durable else { return after }
        let segments: [(seq: UInt64, name: String)]
        do { segments = try directory.contents(fs).segments } catch { throw .storage(error) }
        guard let first = segments.first, first.seq <= after + 1 else {
            throw .gone(oldest: segments.first.map { $0.seq - 1 } ?? durable)
        }
        var index = segments.lastIndex { $0.seq <= after + 1 }!
        var offset = LogRecord.magic.count
        if let c = cursor.withLock({ $0 }), c.seq == after, let i = segments.firstIndex(where: { $0.name == c.segment }) {
            index = i
            offset = c.offset
        }
        var last = after
        while index < segments.count {
            let path = directory.file(segments[index].name)
            var buffer: [UInt8]
            var base = offset
            do { buffer = try fs.readRange(path, offset: base, count: LogReader.chunk) } catch { throw .storage(error) }
            let format: Format
            do {
                let head = try fs.readRange(path, offset: 0, count: LogRecord.magic.count)
                guard let f = head.withUnsafeBytes({ LogRecord.segmentFormat($0) }) else { break }
                format = f
            } catch {
                throw .storage(error)
            }
            var at = 0
            segment: while true {
                // A whole record in the buffer, or read on from it: nil at this segment's end.
                func whole(_ b: [UInt8], _ i: Int) -> (length: Int, seq: UInt64)? {
                    b.withUnsafeBytes { raw in
                        LogRecord.header(raw, at: i).flatMap { $0.length <= raw.count - i - LogRecord.headerSize ? $0 : nil }
                    }
                }
                if whole(buffer, at) == nil {
                    let known = min(buffer.withUnsafeBytes { LogRecord.header($0, at: at)?.length } ?? 0, LogRecord.maxPayload)
                    do { buffer = try fs.readRange(path, offset: base + at, count: max(LogReader.chunk, LogRecord.headerSize + known)) } catch {
                        throw .storage(error)
                    }
                    base += at
                    at = 0
                    if whole(buffer, 0) == nil { break segment }  // the end of this segment
                }
                let (length, seq) = whole(buffer, at)!
                if seq <= after {  // before the page: skip without decoding
                    at += LogRecord.headerSize + length
                    continue
                }
                if seq > durable { break segment }
                let read = buffer.withUnsafeBytes { LogRecord.read($0, at: at, segment: format) }
                guard case .record(_, let entry, let next) = read else {
                    // Durable records are whole: one that does not read is damage, not a tail.
                    throw .storage(StorageError("\(path) at offset \(base + at): a durable record (seq \(seq)) does not read"))
                }
                at = next
                last = seq
                let more = visit(seq, entry)
                if remember { cursor.withLock { $0 = Cursor(seq: seq, segment: segments[index].name, offset: base + at) } }
                if !more || seq >= durable { return last }
            }
            index += 1
            offset = LogRecord.magic.count
        }
        return last
    }
}
