import Glibc
package import ReturnLedgerStorage

/// The backup writer's file system: the same files and the same fsyncs as the one it wraps, with
/// its writes paced so that the log's group-commit fsync on the same disk is never queued behind
/// a backup (protocol.md, Backups). A backup is a snapshot of the whole state, hundreds of
/// megabytes written as fast as the page cache takes them; left alone, the kernel writes them
/// back in bursts of its own choosing, and each fdatasync of the log waits behind the burst (and,
/// on ext4, behind the backup's newly allocated blocks that its journal commit must order first).
/// Measured before this: RETURN+APPROVE during back-to-back backups at 0.39x of its rate.
///
/// ```
/// write(1 MiB) ─▶ pieces of `piece` bytes: write ─▶ write back and wait (sync_file_range) ─▶ rest
///                 ▲ at most one piece dirty at a time   ▲ idle I/O class (BackgroundWorkers.backups)
/// ```
/// Each piece's write-back is waited for, so at most `piece` bytes are ever dirty, and after it
/// the writer rests `restFactor` times as long as the write-back took: when the disk is slow
/// (busy with the log) the backup slows with it, when it is idle the backup goes at about
/// 1 / (1 + restFactor) of its speed. fsync and everything else are passed through unchanged: a
/// backup is exactly as durable, and as complete, as before.
package struct PacedFileSystem: FileSystem {
    let base: any FileSystem
    /// Bytes written between two waits for their write-back.
    let piece: Int
    /// How long to rest after a piece, as a multiple of how long its write-back took.
    let restFactor: Int
    /// `Syscalls.writeBack`; a test's stands in for a failing disk.
    let writeBack: @Sendable (Int32) -> Int32
    /// The longest rest after one piece, in microseconds (a stalled disk must not stall a backup
    /// longer than it stalls anyway).
    static let maxRestMicros = 50_000

    package init(_ base: any FileSystem, piece: Int = 256 << 10, restFactor: Int = 1,
                 writeBack: @escaping @Sendable (Int32) -> Int32 = { Syscalls.writeBack($0) }) {
        self.base = base
        self.piece = piece
        self.restFactor = restFactor
        self.writeBack = writeBack
    }

    /// A failed write-back is the write's failure: the kernel counts it as reported to this
    /// descriptor, and the fsync after could succeed over pages that never reached the disk.
    package func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + piece)
            try base.write(fd, UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
            let started = monotonicMicros()
            switch writeBack(fd) {
            case 0: break
            case EINVAL, ESPIPE, ENOSYS: continue  // not a file whose pages can be written back
            case let failed: throw StorageError("sync_file_range: \(String(cString: strerror(failed)))")
            }
            let rest = min(PacedFileSystem.maxRestMicros, (monotonicMicros() - started) * restFactor)
            if rest > 0 { usleep(UInt32(rest)) }
        }
    }

    package func openForAppend(_ path: String, create: Bool) throws(StorageError) -> Int32 { try base.openForAppend(path, create: create) }
    package func sync(_ fd: Int32, dataOnly: Bool) throws(StorageError) { try base.sync(fd, dataOnly: dataOnly) }
    package func close(_ fd: Int32) { base.close(fd) }
    package func size(_ fd: Int32) throws(StorageError) -> Int { try base.size(fd) }
    package func readFileSize(_ path: String) throws(StorageError) -> Int { try base.readFileSize(path) }
    package func readFile(_ path: String) throws(StorageError) -> [UInt8] { try base.readFile(path) }
    package func readRange(_ path: String, offset: Int, count: Int) throws(StorageError) -> [UInt8] {
        try base.readRange(path, offset: offset, count: count)
    }
    package func readRange(_ path: String, offset: Int, into buffer: inout [UInt8]) throws(StorageError) -> Int {
        try base.readRange(path, offset: offset, into: &buffer)
    }
    package func rename(_ from: String, _ to: String) throws(StorageError) { try base.rename(from, to) }
    package func remove(_ path: String) throws(StorageError) { try base.remove(path) }
    package func link(_ from: String, _ to: String) throws(StorageError) { try base.link(from, to) }
    package func truncate(_ path: String, to length: Int) throws(StorageError) { try base.truncate(path, to: length) }
    package func list(_ directory: String) throws(StorageError) -> [String] { try base.list(directory) }
    package func syncDirectory(_ directory: String) throws(StorageError) { try base.syncDirectory(directory) }
    package func makeDirectory(_ path: String) throws(StorageError) { try base.makeDirectory(path) }
    package func removeDirectory(_ path: String) throws(StorageError) { try base.removeDirectory(path) }
}
