import ReturnLedgerCore
import ReturnLedgerStorage
import SimulatedDisk

/// Log segments, records and snapshots from arbitrary bytes. The first byte picks what the rest
/// is:
/// - 0: a whole log segment, recovered (with repair) from an in-memory data directory: it must
///   load or refuse with a `StorageError`, and a repaired directory must load again to the same
///   sequence without repairing anything more;
/// - 1: record payloads (`u16` length, bytes), framed here with valid checksums so the decoder
///   itself is reached: a record that decodes must encode and decode back to itself;
/// - 2: a snapshot body, framed with a valid trailer: a state that decodes must re-encode to
///   bytes that decode and re-encode to the same bytes;
/// - 3: a snapshot (after its `u32` length) and the segment after it, recovered.
enum StorageTarget {
    static let directory = DataDirectory("/fuzz")

    static func run(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 2 else { return }
        let rest = Array(bytes.dropFirst())
        switch bytes[0] % 4 {
        case 0: recover([DataDirectory.walName(1): rest])
        case 1: records(rest)
        case 2: snapshot(rest)
        default:
            // u32 length, the snapshot, then the segment after it, named by the snapshot's own seq.
            guard rest.count >= 4 else { return }
            let length = min(rest.count - 4, Int(rest[0]) | Int(rest[1]) << 8 | Int(rest[2]) << 16 | Int(rest[3]) << 24)
            let snapshot = Array(rest[4..<(4 + length)])
            var seq: UInt64 = 0
            if snapshot.count >= 16 { for k in 0..<8 { seq |= UInt64(snapshot[8 + k]) << (8 * k) } }
            recover([DataDirectory.snapshotName(seq): snapshot, DataDirectory.walName(seq &+ 1): Array(rest[(4 + length)...])])
        }
    }

    static func recover(_ files: [String: [UInt8]]) {
        var contents: [String: [UInt8]] = [:]
        for (name, bytes) in files { contents[directory.file(name)] = bytes }
        let fs = SimulatedDisk(files: contents)
        guard let first = try? Recovery.load(directory, fs: fs, repair: true) else { return }  // refused: fine
        guard let again = try? Recovery.load(directory, fs: fs, repair: true) else {
            violated("a directory recovery repaired does not load again")
        }
        if again.lastSeq != first.lastSeq { violated("recovery of a repaired directory reached another sequence") }
        if again.notes.contains(where: { $0.contains("cut") || $0.contains("removed") }) {
            violated("a repaired directory needed repairing again: \(again.notes)")
        }
    }

    /// Frames each payload as the log writes records (`LogRecord.append(payload:)`).
    static func records(_ rest: [UInt8]) {
        var segment = ByteWriter()
        segment.bytes = LogRecord.magic
        var i = 0
        var seq: UInt64 = 1
        while i + 2 <= rest.count {
            let length = min(Int(rest[i]) | Int(rest[i + 1]) << 8, rest.count - i - 2)
            LogRecord.append(payload: Array(rest[(i + 2)..<(i + 2 + length)]), seq: seq, to: &segment)
            i += 2 + length
            seq += 1
        }
        segment.bytes.withUnsafeBytes { raw in
            _ = LogSegment.walk(raw) { seq, entry, _ in
                var out = ByteWriter()
                LogRecord.append(entry, seq: seq, to: &out)
                out.bytes.withUnsafeBytes { again in
                    guard case .record(let seq2, let entry2, _) = LogRecord.read(again, at: 0) else {
                        violated("a decoded record does not read back after encoding")
                    }
                    if seq2 != seq || entry2 != entry { violated("a record changed through encode and decode") }
                }
                return true
            }
        }
    }

    static func snapshot(_ body: [UInt8]) {
        guard let (_, ledger) = try? Snapshot.decode(Snapshot.file(body: body, seq: 7)) else { return }
        let encoded = Snapshot.encode(ledger, seq: 7)
        guard let (_, again) = try? Snapshot.decode(encoded) else { violated("a decoded state does not decode after encoding") }
        if Snapshot.encode(again, seq: 7) != encoded { violated("a state's encoding is not stable through decode") }
    }
}
