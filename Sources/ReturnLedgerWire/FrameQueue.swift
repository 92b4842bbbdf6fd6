/// The request lines a connection has read and not yet begun, in order, back to back in one
/// buffer with one end offset each.
///
/// Why not an array of lines: each line its own array was one allocation of 64 bytes for an
/// 11-byte `STOCK A100`, six times its text, and 20 clients pipelining a budget's worth of them
/// left the allocator with megabytes of freed small chunks it never gave back (issue 15: most of
/// the 0.6 MiB a stalled connection cost above its budget). Here a line costs its text and four
/// bytes, and a burst's two buffers go back to the allocator whole once it is over.
public struct FrameQueue: Sendable {
    /// The text of every queued line, CR LF and telnet bytes already removed.
    private var text: [UInt8] = []
    /// Where each frame's text ends in `text`; a line that was too long is stored as `-1 - end`
    /// (no text: the client gets `ERR TOO_LONG` for it).
    private var ends: [Int32] = []
    /// The first frame not yet taken, and where its text begins.
    private var head = 0
    private var headStart = 0

    /// Past this, a drained buffer is dropped rather than kept for the next burst.
    static let keptText = 64 << 10, keptEnds = 1024
    /// Taken frames are removed from the front once there are this many and at least as many as remain.
    static let compactAt = 4096

    public init() {}

    /// Frames waiting.
    public var count: Int { ends.count - head }
    public var isEmpty: Bool { head == ends.count }

    /// Queued input as `--max-client-buffer` counts it: the text waiting and its offsets.
    public var queuedBytes: Int { text.count - headStart + count * MemoryLayout<Int32>.stride }
    /// What the two buffers hold, capacity included (INFO's `largest_held`).
    public var heldBytes: Int { text.capacity + ends.capacity * MemoryLayout<Int32>.stride }

    public mutating func appendLine(_ line: UnsafeRawBufferPointer) {
        text.append(contentsOf: line)
        ends.append(Int32(text.count))
    }

    public mutating func appendLine(_ line: [UInt8]) {
        line.withUnsafeBytes { appendLine($0) }
    }

    public mutating func appendTooLong() {
        ends.append(-1 - Int32(text.count))
    }

    /// Whether the first frame stands for a line that was too long. Not empty.
    public var firstIsTooLong: Bool { ends[head] < 0 }

    /// Reads the first frame's text in place. Not empty, not too long.
    public func withFirstLine<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let end = Int(ends[head])
        return text.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[headStart..<end])) }
    }

    /// Drops the first frame; when the queue runs empty its buffers are reset (and dropped if a
    /// burst made them large), and taken frames leave the front once they are the larger half.
    public mutating func removeFirst() {
        let end = Int(ends[head])
        headStart = end < 0 ? -1 - end : end
        head += 1
        if head == ends.count {
            text.removeAll(keepingCapacity: text.capacity <= FrameQueue.keptText)
            ends.removeAll(keepingCapacity: ends.capacity <= FrameQueue.keptEnds)
            head = 0
            headStart = 0
        } else if head >= FrameQueue.compactAt, head >= count {
            text.removeFirst(headStart)
            ends.removeFirst(head)
            let shift = Int32(headStart)
            for i in ends.indices { ends[i] = ends[i] < 0 ? ends[i] + shift : ends[i] - shift }
            head = 0
            headStart = 0
        }
    }

    /// Takes the first frame as a value (tests and tools; the server reads frames in place).
    public mutating func popFirst() -> LineFramer.Frame? {
        guard !isEmpty else { return nil }
        let frame: LineFramer.Frame = firstIsTooLong ? .tooLong : .line(withFirstLine { Array($0) })
        removeFirst()
        return frame
    }
}
