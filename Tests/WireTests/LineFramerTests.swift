import ReturnLedgerWire
import TestSupport
import Testing

@Suite struct LineFramerTests {
    func frames(_ chunks: [[UInt8]], maxLine: Int = 16) -> [LineFramer.Frame] {
        var framer = LineFramer(maxLine: maxLine)
        var out: [LineFramer.Frame] = []
        for chunk in chunks { framer.feed(chunk, into: &out) }
        return out
    }

    func line(_ s: String) -> LineFramer.Frame { .line(Array(s.utf8)) }

    @Test func splitsOnLfAndDropsCrBeforeIt() {
        #expect(frames([Array("PING\r\nWHOAMI\nX\r\r\n".utf8)]) == [line("PING"), line("WHOAMI"), line("X\r")])
    }

    @Test func keepsAPartialLineUntilItsEnd() {
        #expect(frames([Array("PI".utf8), Array("NG".utf8)]) == [])
        #expect(frames([Array("PI".utf8), Array("NG\n".utf8)]) == [line("PING")])
    }

    @Test func decodesOneByteAtATime() {
        let text = "PING\r\nAUTH a b\n"
        #expect(frames(Array(text.utf8).map { [$0] }) == [line("PING"), line("AUTH a b")])
    }

    @Test func stripsTelnetNegotiationEvenWhenSplit() {
        // IAC DO ECHO, IAC WILL SGA, IAC SB NAWS 0 80 0 24 IAC SE, IAC AYT, IAC IAC.
        let bytes: [UInt8] = [0xFF, 0xFD, 0x01] + Array("PI".utf8) + [0xFF, 0xFB, 0x03, 0xFF, 0xFA, 0x1F, 0, 80, 0, 24, 0xFF, 0xF0]
            + Array("N".utf8) + [0xFF, 0xF6, 0xFF, 0xFF] + Array("G\r\n".utf8)
        #expect(frames([bytes]) == [line("PING")])
        #expect(frames(bytes.map { [$0] }) == [line("PING")])
    }

    /// What a telnet client asks is answered, and only that (protocol.md, Framing).
    @Test func telnetRequestsAreAnsweredEvenWhenSplit() {
        let iac: UInt8 = 0xFF, will: UInt8 = 0xFB, wont: UInt8 = 0xFC, doo: UInt8 = 0xFD, dont: UInt8 = 0xFE
        // Ctrl-C: IAC IP, IAC DO TIMING-MARK; then DO ECHO, WILL NAWS, DONT SGA (nothing to answer).
        let asked: [UInt8] = [iac, 0xF4, iac, doo, 6, iac, doo, 1, iac, will, 31, iac, dont, 3] + Array("PING\n".utf8)
        for chunks in [[asked], asked.map { [$0] }] {
            var framer = LineFramer(maxLine: 64)
            var out: [LineFramer.Frame] = []
            for chunk in chunks { framer.feed(chunk, into: &out) }
            #expect(out == [line("PING")])  // IP discards nothing already received
            #expect(framer.answers == [iac, will, 6, iac, wont, 1, iac, dont, 31])
            #expect(!framer.binary)
        }
        // BINARY both ways is accepted, each answered once; a second DO BINARY is not answered again.
        var framer = LineFramer(maxLine: 64)
        var out: [LineFramer.Frame] = []
        framer.feed([iac, doo, 0, iac, will, 0, iac, doo, 0], into: &out)
        #expect(framer.answers == [iac, will, 0, iac, doo, 0])
        #expect(framer.binary)
        framer.answers.removeAll()
        framer.feed([iac, dont, 0, iac, wont, 0], into: &out)
        #expect(framer.answers == [iac, wont, 0, iac, dont, 0])
        #expect(!framer.binary)
        // A client that sends no telnet bytes never gets any.
        var plain = LineFramer(maxLine: 64)
        plain.feed(Array("PING\r\nSTOCK A100\n".utf8), into: &out)
        #expect(plain.answers.isEmpty)
    }

    @Test func overlongLineIsReportedOnceThenResyncs() {
        let long = Array(String(repeating: "x", count: 40).utf8)
        #expect(frames([long, long, Array("\nPING\n".utf8)]) == [.tooLong, line("PING")])
    }

    /// The fast path (bulk copy up to LF) and the byte-by-byte state machine must agree however
    /// the stream is cut into reads.
    @Test func anyChunkingGivesTheSameFrames() {
        var stream: [UInt8] = []
        let seed = testSeed("anyChunkingGivesTheSameFrames")
        var generator = SeededGenerator(seed: seed)
        let pieces: [[UInt8]] = [
            Array("PING\r\n".utf8), Array("STOCK A100\n".utf8), [0xFF, 0xFD, 0x01], [0xFF, 0xF6],
            [0xFF, 0xFA, 0x1F, 0, 80, 0xFF, 0xF0], Array(String(repeating: "z", count: 40).utf8),
            Array("包装破损".utf8), [0x0A], Array("\r".utf8), Array("exactly-16-bytes".utf8), [0xFF, 0xFF],
        ]
        for _ in 0..<400 { stream += pieces[Int.random(in: 0..<pieces.count, using: &generator)] }
        let whole = frames([stream])
        #expect(whole == frames(stream.map { [$0] }), "seed \(seed)")  // every byte through the slow path's boundaries
        for _ in 0..<20 {
            var chunks: [[UInt8]] = []
            var i = 0
            while i < stream.count {
                let size = Int.random(in: 1...64, using: &generator)
                chunks.append(Array(stream[i..<min(stream.count, i + size)]))
                i += size
            }
            #expect(frames(chunks) == whole, "seed \(seed)")
        }
        #expect(whole.contains(.tooLong))
        #expect(whole.contains(line("PING")))
    }

    @Test func aLineOfExactlyTheLimitPassesWithOrWithoutCr() {
        let exact = String(repeating: "y", count: 16)
        #expect(frames([Array((exact + "\r\n" + exact + "\n").utf8)]) == [line(exact), line(exact)])
        #expect(frames([Array((exact + "z\n").utf8)]) == [.tooLong])
    }
}
