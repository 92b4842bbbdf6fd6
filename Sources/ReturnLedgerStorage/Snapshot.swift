public import ReturnLedgerCore
import Synchronization

/// A snapshot file: the whole ledger as of one log sequence number.
///
/// ```
/// "RLSNAP03" │ seq u64 │ format u8 │ state bytes … │ length u64 │ crc u32 (CRC-32C of the state bytes)
/// ```
/// Format 1 wrote `RLSNAP02` without the format byte; both are read.
/// Streamed to `snapshot-<seq>.snap.tmp` a megabyte at a time (the length and checksum are known
/// only at the end, hence the trailer), fsynced, renamed into place, and the directory fsynced,
/// so a crash leaves either the old snapshot or the new one, never half of one.
public enum Snapshot {
    public static let magic: [UInt8] = Array("RLSNAP03".utf8)
    static let magicV1: [UInt8] = Array("RLSNAP02".utf8)
    static let headerSize = 17
    static let trailerSize = 12

    /// The whole file in memory (tests and small states).
    public static func encode(_ ledger: Ledger, seq: UInt64) -> [UInt8] {
        var w = ByteWriter(capacity: 1 << 16)
        ledger.write(to: &w)
        return file(body: w.bytes, seq: seq)
    }

    /// A snapshot file around an encoded state: magic, seq, format, the body, its length and
    /// checksum (also what the fuzz targets wrap arbitrary bodies in).
    public static func file(body: [UInt8], seq: UInt64) -> [UInt8] {
        var file = ByteWriter(capacity: body.count + headerSize + trailerSize)
        file.bytes.append(contentsOf: magic)
        file.u64(seq)
        file.u8(Format.current.rawValue)
        file.bytes.append(contentsOf: body)
        file.u64(UInt64(body.count))
        file.u32(CRC32C.checksum(body))
        return file.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(CodecError) -> (seq: UInt64, ledger: Ledger) {
        guard bytes.count >= 16 + trailerSize, Array(bytes[0..<8]) == magic || Array(bytes[0..<8]) == magicV1 else {
            throw CodecError("not a snapshot file")
        }
        let decoded: Result<(UInt64, Ledger), CodecError> = bytes.withUnsafeBytes { raw in
            do throws(CodecError) { return .success(try decodeBody(raw)) } catch { return .failure(error) }
        }
        return try decoded.get()
    }

    private static func decodeBody(_ raw: UnsafeRawBufferPointer) throws(CodecError) -> (UInt64, Ledger) {
        var header = ByteReader(raw, offset: 8)
        let seq = try header.u64()
        var format = Format.v1
        if Array(raw[0..<8]) == magic {
            let raw = try header.u8()
            guard let readable = Format.readable(raw) else {
                throw CodecError("snapshot of format \(raw), which this version cannot read (written by a newer one?)")
            }
            format = readable
        }
        let bodyStart = header.offset
        guard raw.count >= bodyStart + trailerSize else { throw CodecError("snapshot cut short") }
        var trailer = ByteReader(raw, offset: raw.count - trailerSize)
        let length = try trailer.u64()
        let crc = try trailer.u32()
        guard length == UInt64(raw.count - bodyStart - trailerSize) else {
            throw CodecError("snapshot length does not match the file (cut short?)")
        }
        let body = UnsafeRawBufferPointer(rebasing: raw[bodyStart..<(raw.count - trailerSize)])
        guard CRC32C.checksum(body) == crc else { throw CodecError("snapshot checksum mismatch") }
        var reader = ByteReader(body, interning: true, format: format)
        let ledger = try Ledger(from: &reader)
        guard reader.remaining == 0 else { throw CodecError("trailing bytes in snapshot") }
        return (seq, ledger)
    }

    /// Streams the state to disk durably and returns the file's name and size.
    public static func write(_ ledger: Ledger, seq: UInt64, to directory: DataDirectory,
                             fs: any FileSystem) throws(StorageError) -> (name: String, bytes: Int) {
        let name = DataDirectory.snapshotName(seq)
        let length = try DurableFile.write(name, in: directory.path, fs: fs) { fd throws(StorageError) -> Int in
            let sink = Sink(fd: fd, fs: fs)
            var header = ByteWriter()
            header.bytes.append(contentsOf: magic)
            header.u64(seq)
            header.u8(Format.current.rawValue)
            try fs.write(fd, bytes: header.bytes)
            var w = ByteWriter(capacity: (1 << 20) + (1 << 16))
            w.spill = { chunk in sink.take(chunk) }
            ledger.write(to: &w)
            w.spillRest()
            let (length, crc, failure) = sink.result
            if let failure { throw failure }
            var trailer = ByteWriter()
            trailer.u64(UInt64(length))
            trailer.u32(crc)
            try fs.write(fd, bytes: trailer.bytes)
            return length
        }
        return (name, headerSize + length + trailerSize)
    }

    /// Receives the encoder's full buffers: writes them and keeps the running checksum.
    private final class Sink: Sendable {
        private let fd: Int32
        private let fs: any FileSystem
        private let state = Mutex<(length: Int, crc: UInt32, failure: StorageError?)>((0, 0, nil))
        static let syncEvery = 4 << 20

        init(fd: Int32, fs: any FileSystem) { self.fd = fd; self.fs = fs }

        func take(_ chunk: [UInt8]) {
            state.withLock { s in
                guard s.failure == nil else { return }
                do throws(StorageError) {
                    try fs.write(fd, bytes: chunk)
                    s.crc = CRC32C.checksum(chunk, seed: s.crc)
                    let before = s.length
                    s.length += chunk.count
                    // Sync as we go (as Redis's rdb-save-incremental-fsync), so the final fsync
                    // does not flush the whole image at once while the log waits behind it.
                    if before / Sink.syncEvery != s.length / Sink.syncEvery { try fs.sync(fd, dataOnly: true) }
                } catch {
                    s.failure = error
                }
            }
        }

        var result: (Int, UInt32, StorageError?) { state.withLock { ($0.length, $0.crc, $0.failure) } }
    }
}
