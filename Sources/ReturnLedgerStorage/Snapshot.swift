public import ReturnLedgerCore

/// A snapshot file: the whole ledger as of one log sequence number.
///
/// ```
/// "RLSNAP01" │ seq u64 │ length u64 │ crc u32 (CRC-32C of the state bytes) │ state bytes
/// ```
/// Written to `snapshot-<seq>.snap.tmp`, fsynced, renamed into place, and the directory fsynced,
/// so a crash leaves either the old snapshot or the new one, never half of one.
public enum Snapshot {
    public static let magic: [UInt8] = Array("RLSNAP01".utf8)
    static let headerSize = 28

    public static func encode(_ ledger: Ledger, seq: UInt64) -> [UInt8] {
        var w = ByteWriter(capacity: 1 << 20)
        w.bytes.append(contentsOf: magic)
        w.u64(seq)
        w.u64(0)
        w.u32(0)
        ledger.write(to: &w)
        let length = UInt64(w.bytes.count - headerSize)
        w.bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: length.littleEndian, toByteOffset: 16, as: UInt64.self)
        }
        let crc = w.bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[headerSize...])) }
        w.patch(u32: crc, at: 24)
        return w.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(CodecError) -> (seq: UInt64, ledger: Ledger) {
        guard bytes.count >= headerSize, Array(bytes[0..<8]) == magic else { throw CodecError("not a snapshot file") }
        let decoded: Result<(UInt64, Ledger), CodecError> = bytes.withUnsafeBytes { raw in
            do throws(CodecError) { return .success(try decodeBody(raw)) } catch { return .failure(error) }
        }
        return try decoded.get()
    }

    private static func decodeBody(_ raw: UnsafeRawBufferPointer) throws(CodecError) -> (UInt64, Ledger) {
        var header = ByteReader(raw, offset: 8)
        let seq = try header.u64()
        let length = try header.u64()
        let crc = try header.u32()
        guard length == UInt64(raw.count - headerSize) else { throw CodecError("snapshot length does not match the file") }
        let body = UnsafeRawBufferPointer(rebasing: raw[headerSize...])
        guard CRC32C.checksum(body) == crc else { throw CodecError("snapshot checksum mismatch") }
        var reader = ByteReader(body)
        let ledger = try Ledger(from: &reader)
        guard reader.remaining == 0 else { throw CodecError("trailing bytes in snapshot") }
        return (seq, ledger)
    }

    /// Writes a snapshot durably: temp file, fsync, rename, fsync the directory. Returns its size.
    public static func write(_ bytes: [UInt8], seq: UInt64, to directory: DataDirectory,
                             fs: any FileSystem) throws(StorageError) -> String {
        let name = DataDirectory.snapshotName(seq)
        let temporary = directory.file(name + ".tmp")
        try fs.remove(temporary)
        let fd = try fs.openForAppend(temporary, create: true)
        do throws(StorageError) {
            try fs.write(fd, bytes: bytes)
            try fs.sync(fd, dataOnly: false)
        } catch {
            fs.close(fd)
            try? fs.remove(temporary)
            throw error
        }
        fs.close(fd)
        try fs.rename(temporary, directory.file(name))
        try fs.syncDirectory(directory.path)
        return name
    }
}
