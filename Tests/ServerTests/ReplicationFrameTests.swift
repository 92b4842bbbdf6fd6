@testable import ReturnLedgerServer
import Testing

/// The binary frames of a REPLICATE stream (protocol.md, A warm standby): each kind round-trips,
/// arrives in any pieces, and an archive's `A` frame outside its bounds is refused.
@Suite struct ReplicationFrameTests {
    static let frames: [ReplicationFrame] = [
        .records([1, 2, 3]), .heartbeat(42), .seedBegin(seq: 7, size: 1 << 40), .seedData([9, 8]), .seedEnd,
        .archiveBegin(name: "archive-20261130-0001", size: 123_456_789_012, checksum: 0xdead_beef), .archiveData([0, 255, 7]),
        .archiveData([]), .ack(99),
    ]

    @Test func everyKindRoundTripsInAnyPieces() {
        var stream: [UInt8] = []
        for frame in Self.frames { frame.encode(into: &stream) }
        for piece in [1, 3, 7, stream.count] {
            var input: [UInt8] = [], parsed: [ReplicationFrame] = []
            var at = 0
            while at < stream.count {
                input.append(contentsOf: stream[at..<min(at + piece, stream.count)])
                at += piece
                while case .frame(let frame, let consumed) = ReplicationFrame.parse(input[...]) {
                    parsed.append(frame)
                    input.removeFirst(consumed)
                }
            }
            #expect(parsed == Self.frames && input.isEmpty, "pieces of \(piece)")
        }
        var records: [UInt8] = []
        ReplicationFrame.encodeRecords([5, 6, 7, 8][1...], into: &records)
        #expect(records == ReplicationFrame.records([6, 7, 8]).encoded)
    }

    @Test func anArchiveBeginningWithoutANameOrWithAnOverlongOneIsRefused() {
        func begin(_ nameLength: Int) -> [UInt8] {
            var out: [UInt8] = [UInt8(ascii: "A")]
            withUnsafeBytes(of: UInt32(12 + nameLength).littleEndian) { out.append(contentsOf: $0) }
            return out + [UInt8](repeating: 0x61, count: 12 + nameLength)
        }
        guard case .invalid = ReplicationFrame.parse(begin(0)[...]) else { Issue.record("no name"); return }
        guard case .invalid = ReplicationFrame.parse(begin(257)[...]) else { Issue.record("a name over 256 bytes"); return }
        guard case .frame = ReplicationFrame.parse(begin(256)[...]) else { Issue.record("a name of 256 bytes"); return }
    }
}
