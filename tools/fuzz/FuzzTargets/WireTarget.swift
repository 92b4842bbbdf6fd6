import ReturnLedgerWire

/// The bytes, framed whole and framed in pieces cut where the input's first byte says, must give
/// the same frames (the framer's fast path and its byte-by-byte state machine agree); each line
/// is parsed, which must return a request, a contract error, or nothing for a blank line. A line
/// framed too long never reaches the parser, and no frame is ever longer than the limit.
enum WireTarget {
    static let maxLine = 256

    static func run(_ bytes: UnsafeRawBufferPointer) {
        guard let first = bytes.first else { return }
        let input = UnsafeRawBufferPointer(rebasing: bytes[1...])
        var whole = LineFramer(maxLine: maxLine)
        var wholeFrames = FrameQueue()
        whole.feed(input, into: &wholeFrames)
        var pieces = LineFramer(maxLine: maxLine)
        var pieceFrames = FrameQueue()
        let step = Int(first % 17) + 1
        var i = 0
        while i < input.count {
            pieces.feed(UnsafeRawBufferPointer(rebasing: input[i..<min(input.count, i + step)]), into: &pieceFrames)
            i += step
        }
        if whole.answers != pieces.answers { violated("telnet answers depend on how the input was cut") }
        while !wholeFrames.isEmpty {
            guard !pieceFrames.isEmpty else { violated("fewer frames when cut in pieces") }
            let a = wholeFrames.popFirst()!, b = pieceFrames.popFirst()!
            if a != b { violated("frames depend on how the input was cut") }
            guard case .line(let line) = a else { continue }
            if line.count > maxLine + 1 { violated("a frame longer than the line limit") }
            if line.last == 0x0A { violated("a frame kept its LF") }
            _ = RequestParser.parse(line)
        }
        if !pieceFrames.isEmpty { violated("more frames when cut in pieces") }
    }
}
