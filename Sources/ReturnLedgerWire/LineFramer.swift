import Glibc

/// Cuts a byte stream into request lines.
///
/// ```
///  bytes ─▶ strip telnet (IAC …) ─▶ split at LF ─▶ drop CR before LF ─▶ .line / .tooLong
///                                        │ past maxLine: .tooLong once, then discard to the next LF
/// ```
/// Telnet state survives across reads, so a negotiation split over two packets is still removed.
/// A partial line is kept and never rescanned.
public struct LineFramer: Sendable {
    public enum Frame: Equatable, Sendable {
        case line([UInt8])
        case tooLong
    }

    private enum Telnet: Sendable { case data, iac, option, sub, subIAC }

    public let maxLine: Int
    private var pending: [UInt8] = []
    private var telnet = Telnet.data
    private var discarding = false

    public init(maxLine: Int) {
        self.maxLine = maxLine
        pending.reserveCapacity(256)
    }

    /// Feeds bytes; appends every complete frame to `frames`.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, into frames: inout [Frame]) {
        guard let base = bytes.baseAddress else { return }
        var i = 0
        let n = bytes.count
        while i < n {
            // Fast path, nearly every request: plain data up to the next LF, no IAC in it, and the
            // line stays within the limit. One memchr for the LF, one for IAC, one bulk copy.
            if telnet == .data, !discarding {
                let lf = memchr(base + i, 0x0A, n - i).map { UnsafeRawPointer($0) - base } ?? n
                if memchr(base + i, 0xFF, lf - i) == nil, pending.count + (lf - i) <= maxLine {
                    pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<lf]))
                    if lf < n {
                        endLine(into: &frames)
                        i = lf + 1
                    } else {
                        i = n
                    }
                    continue
                }
            }
            step(bytes[i], into: &frames)
            i += 1
        }
    }

    /// The whole state machine, one byte at a time: telnet commands, LF, the line limit.
    private mutating func step(_ byte: UInt8, into frames: inout [Frame]) {
        switch telnet {
        case .data:
            if byte == 0xFF { telnet = .iac; return }
        case .iac:
            switch byte {
            case 0xFF: telnet = .data  // IAC IAC: a literal 255, never valid in UTF-8 text; drop it
            case 0xFB...0xFE: telnet = .option
            case 0xFA: telnet = .sub
            default: telnet = .data  // two-byte command (0xF0–0xF9) or stray: dropped
            }
            return
        case .option:
            telnet = .data
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
            frames.append(.tooLong)
            discarding = true
            pending.removeAll(keepingCapacity: true)
        }
    }

    private mutating func endLine(into frames: inout [Frame]) {
        if discarding {
            discarding = false
        } else {
            if pending.last == 0x0D { pending.removeLast() }
            frames.append(.line(pending))
        }
        pending.removeAll(keepingCapacity: true)
    }

    public mutating func feed(_ bytes: [UInt8], into frames: inout [Frame]) {
        bytes.withUnsafeBytes { feed($0, into: &frames) }
    }
}
