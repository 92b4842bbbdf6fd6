import Glibc

/// Cuts a byte stream into request lines.
///
/// ```
///  bytes ─▶ strip telnet (IAC …) ─▶ split at LF ─▶ drop CR before LF ─▶ .line / .tooLong
///                                        │ past maxLine: .tooLong once, then discard to the next LF
/// ```
/// Telnet state survives across reads, so a negotiation split over two packets is still removed.
/// A partial line is kept and never rescanned.
///
/// The server answers what a telnet client asks, and only then sends telnet bytes (protocol.md,
/// Framing): `DO TIMING-MARK` (what telnet sends on Ctrl-C, Ctrl-O, Ctrl-\, Ctrl-Z) gets `WILL
/// TIMING-MARK`, `DO`/`WILL BINARY` are accepted, every other `DO x` gets `WONT x` and `WILL x`
/// `DONT x`. The answers collect in `answers` for the connection to send at once, ahead of
/// replies still waiting for their fsync, so the session never goes silent.
public struct LineFramer: Sendable {
    public enum Frame: Equatable, Sendable {
        case line([UInt8])
        case tooLong
    }

    private enum Telnet: Sendable, Equatable { case data, iac, option(verb: UInt8), sub, subIAC }

    /// Telnet bytes.
    public enum TelnetByte {
        public static let iac: UInt8 = 0xFF, will: UInt8 = 0xFB, wont: UInt8 = 0xFC, `do`: UInt8 = 0xFD, dont: UInt8 = 0xFE
        public static let binary: UInt8 = 0, timingMark: UInt8 = 6
    }

    public let maxLine: Int
    private var pending: [UInt8] = []
    private var telnet = Telnet.data
    private var discarding = false
    /// Negotiation answers to send now; the connection takes them after each `feed`.
    public var answers: [UInt8] = []
    /// BINARY was agreed in either direction: replies then end lines with CR LF, so telnet's
    /// screen does not staircase.
    public private(set) var binary = false
    private var binaryIn = false, binaryOut = false

    public init(maxLine: Int) {
        self.maxLine = maxLine  // `pending` stays unallocated until a line arrives in pieces
    }

    /// Feeds bytes; appends every complete frame to `frames`.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, into frames: inout FrameQueue) {
        guard let base = bytes.baseAddress else { return }
        var i = 0
        let n = bytes.count
        while i < n {
            // Fast path, nearly every request: plain data up to the next LF, no IAC in it, and the
            // line stays within the limit. One memchr for the LF, one for IAC, one bulk copy
            // (straight into the queue when no part of the line came in an earlier read).
            if telnet == .data, !discarding {
                let lf = memchr(base + i, 0x0A, n - i).map { UnsafeRawPointer($0) - base } ?? n
                if memchr(base + i, 0xFF, lf - i) == nil, pending.count + (lf - i) <= maxLine {
                    if lf == n {
                        pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<lf]))
                    } else if pending.isEmpty {
                        let end = lf > i && bytes[lf - 1] == 0x0D ? lf - 1 : lf
                        frames.appendLine(UnsafeRawBufferPointer(rebasing: bytes[i..<end]))
                    } else {
                        pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<lf]))
                        endLine(into: &frames)
                    }
                    i = lf + 1
                    continue
                }
            }
            step(bytes[i], into: &frames)
            i += 1
        }
    }

    /// The whole state machine, one byte at a time: telnet commands, LF, the line limit.
    private mutating func step(_ byte: UInt8, into frames: inout FrameQueue) {
        switch telnet {
        case .data:
            if byte == 0xFF { telnet = .iac; return }
        case .iac:
            switch byte {
            case 0xFF: telnet = .data  // IAC IAC: a literal 255, never valid in UTF-8 text; drop it
            case 0xFB...0xFE: telnet = .option(verb: byte)
            case 0xFA: telnet = .sub
            default: telnet = .data  // two-byte command (0xF0–0xF9: IP, AO, AYT...) or stray: dropped
            }
            return
        case .option(let verb):
            telnet = .data
            negotiate(verb, byte)
            return
        case .sub:
            if byte == 0xFF { telnet = .subIAC }
            return
        case .subIAC:
            telnet = byte == 0xF0 ? .data : .sub
            return
        }
        if byte == 0x0A {
            endLine(into: &frames)
            return
        }
        if discarding { return }
        pending.append(byte)
        // One byte of slack for the CR of a CRLF line that is exactly maxLine long.
        if pending.count > maxLine + 1 || (pending.count > maxLine && byte != 0x0D) {
            frames.appendTooLong()
            discarding = true
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// One `IAC verb option` from the client, answered as protocol.md's Framing says. BINARY is answered only
    /// when its state changes (RFC 854: no answer to what is already in effect), so two telnets
    /// cannot loop on it; refusals are answered every time, which cannot loop either.
    private mutating func negotiate(_ verb: UInt8, _ option: UInt8) {
        typealias T = TelnetByte
        switch (verb, option) {
        case (T.do, T.timingMark):
            answers += [T.iac, T.will, T.timingMark]
        case (T.do, T.binary):
            if !binaryOut { binaryOut = true; answers += [T.iac, T.will, T.binary] }
        case (T.will, T.binary):
            if !binaryIn { binaryIn = true; answers += [T.iac, T.do, T.binary] }
        case (T.dont, T.binary):
            if binaryOut { binaryOut = false; answers += [T.iac, T.wont, T.binary] }
        case (T.wont, T.binary):
            if binaryIn { binaryIn = false; answers += [T.iac, T.dont, T.binary] }
        case (T.do, _):
            answers += [T.iac, T.wont, option]
        case (T.will, _):
            answers += [T.iac, T.dont, option]
        default:
            break  // DONT/WONT of something never agreed: nothing to answer
        }
        binary = binaryIn || binaryOut
    }

    private mutating func endLine(into frames: inout FrameQueue) {
        if discarding {
            discarding = false
        } else {
            if pending.last == 0x0D { pending.removeLast() }
            frames.appendLine(pending)
        }
        pending.removeAll(keepingCapacity: true)
    }

    public mutating func feed(_ bytes: [UInt8], into frames: inout FrameQueue) {
        bytes.withUnsafeBytes { feed($0, into: &frames) }
    }

    /// Feeds bytes and appends the frames as values (tests and tools).
    public mutating func feed(_ bytes: [UInt8], into frames: inout [Frame]) {
        var queue = FrameQueue()
        feed(bytes, into: &queue)
        while let frame = queue.popFirst() { frames.append(frame) }
    }
}
