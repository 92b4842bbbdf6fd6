import ReturnLedgerWire
import TestSupport
import Testing

@Suite struct FrameQueueTests {
    /// Lines fed in random pieces and taken at random moments (across the compaction of taken
    /// frames at 4,096) come out whole, in order, too-long markers in their place; the queued
    /// byte count is the text waiting plus four bytes a frame, and a drained burst lets go.
    @Test func takesFramesInOrderWhileMoreArrive() {
        let seed = testSeed("takesFramesInOrderWhileMoreArrive")
        var generator = SeededGenerator(seed: seed)
        var framer = LineFramer(maxLine: 32)
        var queue = FrameQueue()
        var expected: [LineFramer.Frame] = []
        var stream: [UInt8] = []
        for n in 0..<30_000 {
            if Int.random(in: 0..<50, using: &generator) == 0 {
                stream += Array(String(repeating: "x", count: 40).utf8) + [0x0A]
                expected.append(.tooLong)
            } else {
                let text = "STOCK A\(n)" + (n % 7 == 0 ? " 包装" : "")
                stream += Array(text.utf8) + (n % 3 == 0 ? [0x0D, 0x0A] : [0x0A])
                expected.append(.line(Array(text.utf8)))
            }
        }
        var taken: [LineFramer.Frame] = []
        var i = 0
        while i < stream.count || !queue.isEmpty {
            if i < stream.count {
                let size = Int.random(in: 1...9_000, using: &generator)
                framer.feed(Array(stream[i..<min(stream.count, i + size)]), into: &queue)
                i += size
            }
            let waiting = expected[taken.count..<(taken.count + queue.count)].reduce(0) { sum, frame in
                if case .line(let bytes) = frame { return sum + bytes.count + 4 }
                return sum + 4
            }
            #expect(queue.queuedBytes == waiting, "seed \(seed)")
            for _ in 0..<Int.random(in: 0...6_000, using: &generator) {
                guard let frame = queue.popFirst() else { break }
                taken.append(frame)
            }
        }
        #expect(taken == expected, "seed \(seed)")
        #expect(queue.queuedBytes == 0)
        #expect(queue.heldBytes <= 64 << 10 + 1024 * 4, "a drained burst keeps at most the small buffers")
    }
}
