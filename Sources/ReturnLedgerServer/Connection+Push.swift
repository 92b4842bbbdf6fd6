import ReturnLedgerCore
import ReturnLedgerWire

/// Push lines (protocol.md: WATCH) of a watching session. While the socket takes what it is
/// given they go straight into the output, whole lines between whole replies. Once it refuses
/// more (the watcher is not reading) they wait in their own queue, at most `maxQueuedPushes`
/// of them: past that the queue is dropped for one `! overflow dropped=N`, and they go out when
/// the output has drained.
extension Connection: PushSink {
    static let maxQueuedPushes = 1000

    /// Loop thread: queues one push line, encoded once for every watcher that gets it. Returns
    /// 1 when it went straight into the output (the caller counts those for INFO, once for a
    /// whole advance), 0 when it waits in the push queue (counted when it leaves).
    func push(_ line: EncodedPush) -> Int { push(line.bytes(crlf: framer.binary), lines: 1) }

    /// Loop thread: queues a round's lines for a group of watchers, encoded once for all of
    /// them: exactly what pushing them one by one would queue, and drop on overflow.
    func push(_ block: PushBlock) -> Int { push(block.bytes(crlf: framer.binary), lines: block.count) }

    private func push(_ bytes: [UInt8], lines count: Int) -> Int {
        guard !closed else { return 0 }
        if !writeArmed, pushes.lines == 0, pushes.dropped == 0 {
            output.append(contentsOf: bytes)
            scheduleFlush()
            return count
        }
        if pushes.dropped > 0 {
            pushes.dropped += count  // the overflow line is not out yet: it counts these too
        } else if pushes.lines + count > Connection.maxQueuedPushes {
            // Lines up to the limit would be queued, the next overflow, and every one after count.
            pushes.dropped = pushes.lines + count
            pushes.lines = 0
            pushes.bytes.removeAll()
            server.counters.pushesDropped()
        } else {
            pushes.bytes.append(contentsOf: bytes)
            pushes.lines += count
        }
        if unsent == 0 { movePushesToOutput() }
        return 0
    }

    /// Called when the output is empty: the queued push lines become output.
    func movePushesToOutput() {
        guard pushes.lines > 0 || pushes.dropped > 0 else { return }
        if pushes.dropped > 0 {
            ReplyEncoder.encodePush("overflow", [Field("dropped", String(pushes.dropped))], into: &output, crlf: framer.binary)
        } else {
            output.append(contentsOf: pushes.bytes)
        }
        server.counters.pushed(pushes.dropped > 0 ? 1 : pushes.lines)
        pushes = PushQueue()
        scheduleFlush()
    }
}

/// The push lines waiting for the output to drain.
struct PushQueue {
    var bytes: [UInt8] = []
    var lines = 0
    /// Non-zero after an overflow: the lines dropped so far, the `! overflow` line not yet out.
    var dropped = 0
}

/// One push line (`! pending id=...`), encoded the first time a watcher needs it and shared by
/// every other: a change that 100 watchers hear of is encoded once (twice when some read with
/// CRLF), not 100 times. Loop thread only.
final class EncodedPush {
    private let kind: String
    private let fields: [Field]
    private var lf: [UInt8]?
    private var crlf: [UInt8]?

    init(_ kind: String, _ fields: [Field]) { self.kind = kind; self.fields = fields }

    func bytes(crlf wantsCRLF: Bool) -> [UInt8] {
        if wantsCRLF, let crlf { return crlf }
        if !wantsCRLF, let lf { return lf }
        var line: [UInt8] = []
        ReplyEncoder.encodePush(kind, fields, into: &line, crlf: wantsCRLF)
        if wantsCRLF { crlf = line } else { lf = line }
        return line
    }
}

/// Push lines of one round for every watcher of a group (`PushRouting`'s cohorts): their bytes
/// joined once per line ending, then appended whole to each watcher's output. Loop thread only.
final class PushBlock {
    private let lines: [EncodedPush]
    private var lf: [UInt8]?
    private var crlf: [UInt8]?

    init(_ lines: [EncodedPush]) { self.lines = lines }

    var count: Int { lines.count }

    func bytes(crlf wantsCRLF: Bool) -> [UInt8] {
        if wantsCRLF, let crlf { return crlf }
        if !wantsCRLF, let lf { return lf }
        var joined: [UInt8] = []
        for line in lines { joined.append(contentsOf: line.bytes(crlf: wantsCRLF)) }
        if wantsCRLF { crlf = joined } else { lf = joined }
        return joined
    }

    /// Each line on its own (a test's recorder).
    var each: [EncodedPush] { lines }
}
