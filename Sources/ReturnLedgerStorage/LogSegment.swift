/// Reading one log segment's bytes from the start: its framing (from the magic), then each
/// record in order until the end or the first record that cannot be read. Recovery and the
/// `wal` tool both walk segments through here, so they agree on what a segment holds.
public enum LogSegment {
    /// Why a walk stopped.
    public enum Stop: Sendable, Equatable {
        /// The clean end of the segment, or the visitor asked to stop.
        case end
        /// Shorter than a magic, or a magic this build does not know.
        case notASegment
        /// Torn or corrupt bytes at `offset` (a crash mid-write leaves these at the very end).
        case damaged(offset: Int, reason: String)
        /// An intact record at `offset` that cannot be decoded (newer version or a bug).
        case unreadable(offset: Int, reason: String)
    }

    /// Visits every record; `visit` returns false to stop early. Returns the segment's framing
    /// (nil when it is not a segment) and why the walk stopped.
    ///
    /// Records numbered up to `decodedAfter` (what a snapshot already holds) are checked (header,
    /// checksum, format) and passed to `covered` without decoding their events: start-up read a
    /// whole 64 MB segment's events only to drop them, a third of a start from a fresh snapshot.
    @discardableResult
    public static func walk(_ raw: UnsafeRawBufferPointer, decodedAfter: UInt64 = 0,
                            covered: (_ seq: UInt64) -> Void = { _ in },
                            _ visit: (_ seq: UInt64, _ entry: LogEntry, _ offset: Int) -> Bool) -> (format: Format?, stop: Stop) {
        guard let format = LogRecord.segmentFormat(raw) else { return (nil, .notASegment) }
        var offset = LogRecord.magic.count
        while true {
            if decodedAfter > 0, let (_, seq) = LogRecord.header(raw, at: offset), seq <= decodedAfter {
                switch LogRecord.frame(raw, at: offset, segment: format) {
                case .intact(let seq, _, _, _, let next):
                    covered(seq)
                    offset = next
                    continue
                case .end:
                    return (format, .end)
                case .damaged(let reason):
                    return (format, .damaged(offset: offset, reason: reason))
                case .unreadable(let reason):
                    return (format, .unreadable(offset: offset, reason: reason))
                }
            }
            switch LogRecord.read(raw, at: offset, segment: format) {
            case .end:
                return (format, .end)
            case .record(let seq, let entry, let next):
                guard visit(seq, entry, offset) else { return (format, .end) }
                offset = next
            case .damaged(let reason):
                return (format, .damaged(offset: offset, reason: reason))
            case .unreadable(let reason):
                return (format, .unreadable(offset: offset, reason: reason))
            }
        }
    }
}
