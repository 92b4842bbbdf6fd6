import ReturnLedgerWire
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

    @Test func overlongLineIsReportedOnceThenResyncs() {
        let long = Array(String(repeating: "x", count: 40).utf8)
        #expect(frames([long, long, Array("\nPING\n".utf8)]) == [.tooLong, line("PING")])
    }

    @Test func aLineOfExactlyTheLimitPassesWithOrWithoutCr() {
        let exact = String(repeating: "y", count: 16)
        #expect(frames([Array((exact + "\r\n" + exact + "\n").utf8)]) == [line(exact), line(exact)])
        #expect(frames([Array((exact + "z\n").utf8)]) == [.tooLong])
    }
}
