import Synchronization

/// Reads the log from a sequence on, for FEED (section 15), straight from the segment files:
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
    /// `after` when there was none.
    public func read(after: UInt64, upTo durable: UInt64,
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
                // A whole record in the buffer, or read on from it.
                if buffer.count - at < LogRecord.headerSize || buffer.count - at < LogRecord.headerSize + Self.length(buffer, at) {
                    let needed = max(LogReader.chunk, LogRecord.headerSize + (buffer.count - at >= 4 ? Self.length(buffer, at) : 0))
                    let more: [UInt8]
                    do { more = try fs.readRange(path, offset: base + at, count: needed) } catch { throw .storage(error) }
                    if more.count < LogRecord.headerSize || more.count < LogRecord.headerSize + Self.length(more, 0) {
                        break segment  // the end of this segment (or a record still being written)
                    }
                    base += at
                    buffer = more
                    at = 0
                }
                let seq = Self.sequence(buffer, at)
                let length = Self.length(buffer, at)
                if seq <= after {  // before the page: skip without decoding
                    at += LogRecord.headerSize + length
                    continue
                }
                if seq > durable { break segment }
                let read = buffer.withUnsafeBytes { LogRecord.read($0, at: at, segment: format) }
                guard case .record(_, let entry, let next) = read else { break segment }
                at = next
                last = seq
                let more = visit(seq, entry)
                cursor.withLock { $0 = Cursor(seq: seq, segment: segments[index].name, offset: base + at) }
                if !more || seq >= durable { return last }
            }
            index += 1
            offset = LogRecord.magic.count
        }
        return last
    }

    private static func length(_ b: [UInt8], _ at: Int) -> Int {
        Int(UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24)
    }

    private static func sequence(_ b: [UInt8], _ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in (0..<8).reversed() { v = v << 8 | UInt64(b[at + 4 + i]) }
        return v
    }
}
