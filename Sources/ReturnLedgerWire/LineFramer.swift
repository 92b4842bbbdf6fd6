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

    /// Bytes held for an unfinished line.
    public var buffered: Int { pending.count }

    /// Feeds bytes; appends every complete frame to `frames`.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, into frames: inout [Frame]) {
        for byte in bytes {
            switch telnet {
            case .data:
                if byte == 0xFF { telnet = .iac; continue }
            case .iac:
                switch byte {
                case 0xFF: telnet = .data  // IAC IAC: a literal 255, never valid in UTF-8 text; drop it
                case 0xFB...0xFE: telnet = .option
                case 0xFA: telnet = .sub
                default: telnet = .data  // two-byte command (0xF0–0xF9) or stray: dropped
                }
                continue
            case .option:
                telnet = .data
                continue
            case .sub:
                if byte == 0xFF { telnet = .subIAC }
                continue
            case .subIAC:
                telnet = byte == 0xF0 ? .data : .sub
                continue
            }
            if byte == 0x0A {
                if discarding {
                    discarding = false
                } else {
                    if pending.last == 0x0D { pending.removeLast() }
                    frames.append(.line(pending))
                }
                pending.removeAll(keepingCapacity: true)
                continue
            }
            if discarding { continue }
            pending.append(byte)
            // One byte of slack for the CR of a CRLF line that is exactly maxLine long.
            if pending.count > maxLine + 1 || (pending.count > maxLine && byte != 0x0D) {
                frames.append(.tooLong)
                discarding = true
                pending.removeAll(keepingCapacity: true)
            }
        }
    }

    public mutating func feed(_ bytes: [UInt8], into frames: inout [Frame]) {
        bytes.withUnsafeBytes { feed($0, into: &frames) }
    }
}
