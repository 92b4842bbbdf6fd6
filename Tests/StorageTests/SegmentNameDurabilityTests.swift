import Glibc
import ReturnLedgerCore
import ReturnLedgerStorage
import Synchronization
import Testing

/// A real directory that remembers what a power cut would keep: a name only once its directory
/// was fsynced after it was created (fsync(2): the file's own fsync does not make its directory
/// entry durable), and of a file's bytes those up to its last fsync. `cutPower` applies that to
/// the real files. Syncs (of files or directories) fail on request, as Linux's do: the bytes a
/// failed fsync did not write are never written by a later one ("fsyncgate"), though reads still
/// show them, and a power cut leaves zeros there. A write fails on request after a number of
/// bytes (a full disk: a short write, then ENOSPC).
final class PowerCutFileSystem: FileSystem, Sendable {
    private struct State {
        /// Path → created since its directory's last fsync.
        var undurable: Set<String> = []
        /// Path → bytes covered by an fsync.
        var synced: [String: Int] = [:]
        /// Path → bytes whose writeback failed: readable, never on the device.
        var lost: [String: [Range<Int>]] = [:]
        var paths: [Int32: String] = [:]
        var syncsUntilFailure: Int?
        var bytesUntilFull: Int?
    }
    private let real = PosixFileSystem()
    private let state = Mutex(State())

    /// The sync after `count` more succeed fails (EIO).
    func failSync(after count: Int) { state.withLock { $0.syncsUntilFailure = count } }
    /// The disk is full once `bytes` more are written.
    func fill(after bytes: Int) { state.withLock { $0.bytesUntilFull = bytes } }

    private func injectedSyncFailure() -> Bool {
        state.withLock { s in
            guard let n = s.syncsUntilFailure else { return false }
            s.syncsUntilFailure = n == 0 ? nil : n - 1
            return n == 0
        }
    }

    /// The process dies: faults end (the real files keep what was written, as the page cache does).
    func crashProcess() { state.withLock { $0.syncsUntilFailure = nil; $0.bytesUntilFull = nil } }

    /// The power goes: names never made durable vanish, files lose their unsynced bytes.
    func cutPower() {
        state.withLock { s in
            for path in s.undurable { unlink(path) }
            for (path, length) in s.synced where !s.undurable.contains(path) {
                Glibc.truncate(path, off_t(length))
                let fd = open(path, O_WRONLY)
                for range in s.lost[path] ?? [] where range.lowerBound < length {
                    let zeros = [UInt8](repeating: 0, count: min(range.upperBound, length) - range.lowerBound)
                    _ = zeros.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(range.lowerBound)) }
                }
                Glibc.close(fd)
            }
            s.undurable = []
            s.lost = [:]
            s.paths = [:]
            s.syncsUntilFailure = nil
            s.bytesUntilFull = nil
        }
    }

    func openForAppend(_ path: String, create: Bool) throws(StorageError) -> Int32 {
        let fd = try real.openForAppend(path, create: create)
        state.withLock { s in
            s.paths[fd] = path
            if create { s.undurable.insert(path); s.synced[path] = 0 }
        }
        return fd
    }

    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        let room = state.withLock { s -> Int in
            guard let left = s.bytesUntilFull else { return bytes.count }
            s.bytesUntilFull = max(0, left - bytes.count)
            return min(left, bytes.count)
        }
        try real.write(fd, UnsafeRawBufferPointer(rebasing: bytes[0..<room]))
        if room < bytes.count { throw StorageError("write: No space left on device (injected)") }
    }

    func sync(_ fd: Int32, dataOnly: Bool) throws(StorageError) {
        let size = try real.size(fd)
        if injectedSyncFailure() {
            state.withLock { s in
                guard let path = s.paths[fd] else { return }
                let synced = s.synced[path] ?? 0
                if synced < size { s.lost[path, default: []].append(synced..<size) }
                s.synced[path] = size  // clean now: no later fsync writes them
            }
            throw StorageError("fdatasync: Input/output error (injected)")
        }
        try real.sync(fd, dataOnly: dataOnly)
        state.withLock { s in if let path = s.paths[fd] { s.synced[path] = size } }
    }

    func syncDirectory(_ directory: String) throws(StorageError) {
        if injectedSyncFailure() { throw StorageError("fsync directory: Input/output error (injected)") }
        try real.syncDirectory(directory)
        state.withLock { s in s.undurable = s.undurable.filter { !$0.hasPrefix(directory + "/") || $0.dropFirst(directory.count + 1).contains("/") } }
    }

    func close(_ fd: Int32) {
        state.withLock { _ = $0.paths.removeValue(forKey: fd) }
        real.close(fd)
    }
    func size(_ fd: Int32) throws(StorageError) -> Int { try real.size(fd) }
    func readFileSize(_ path: String) throws(StorageError) -> Int { try real.readFileSize(path) }
    func readFile(_ path: String) throws(StorageError) -> [UInt8] { try real.readFile(path) }
    func readRange(_ path: String, offset: Int, count: Int) throws(StorageError) -> [UInt8] {
        try real.readRange(path, offset: offset, count: count)
    }
    func rename(_ from: String, _ to: String) throws(StorageError) {
        try real.rename(from, to)
        state.withLock { s in
            s.undurable.remove(from)
            s.undurable.insert(to)
            s.synced[to] = s.synced.removeValue(forKey: from)
            s.lost[to] = s.lost.removeValue(forKey: from)
        }
    }
    func link(_ from: String, _ to: String) throws(StorageError) {
        try real.link(from, to)
        // A new name, durable once its directory is fsynced; the bytes are the file's own.
        state.withLock { s in s.undurable.insert(to); s.synced[to] = s.synced[from] }
    }
    func remove(_ path: String) throws(StorageError) {
        try real.remove(path)
        state.withLock { s in s.undurable.remove(path); s.synced[path] = nil; s.lost[path] = nil }
    }
    func truncate(_ path: String, to length: Int) throws(StorageError) {
        try real.truncate(path, to: length)
        state.withLock { s in
            if let synced = s.synced[path] { s.synced[path] = min(synced, length) }
            s.lost[path] = s.lost[path]?.compactMap { $0.lowerBound < length ? $0.clamped(to: 0..<length) : nil }
        }
    }
    func list(_ directory: String) throws(StorageError) -> [String] { try real.list(directory) }
    func makeDirectory(_ path: String) throws(StorageError) { try real.makeDirectory(path) }
    func removeDirectory(_ path: String) throws(StorageError) { try real.removeDirectory(path) }
}

/// Found by tools/sim (`sim --seed 6 --operations 400`, 50 faults on dc2637a; seed 8 on e27a165):
/// at a rotation the log created the next segment and wrote its header, and the header's fsync
/// failed (or the disk filled up in the header), so the directory fsync that makes the segment's
/// name durable never ran. The process crashed; recovery continued in that segment (header only,
/// the last durable record in the one before); the restarted log appended to it, fdatasynced and
/// acknowledged, and a power cut took the never-synced name and every acknowledged record in it.
/// Opening the log now fsyncs the directory after the newest segment.
@Suite struct SegmentNameDurabilityTests {
    enum Fault: CaseIterable { case headerSyncFails, diskFullInHeader }

    @Test(arguments: Fault.allCases)
    func recordsAcknowledgedInASegmentWhoseCreationFailedSurviveAPowerCut(_ fault: Fault) throws {
        let dir = TempDirectory()
        let fs = PowerCutFileSystem()
        let entries = sampleEntries(count: 20)
        var log: WriteAheadLog? = try WriteAheadLog(directory: dir.directory, fs: fs, policy: .always, lastSeq: 0,
                                                    segment: nil, segmentLimit: 1)
        log!.startFlusher = { _ in }  // flushes only where the test says (no race with the faults)
        try log!.append(entries[0])
        log!.flush()  // wal-1 created, its name and its record durable; over its limit already
        #expect(log!.failure == nil && log!.status.durableSeq == 1)

        try log!.append(entries[1])  // goes to a new segment, wal-2
        switch fault {
        case .headerSyncFails: fs.failSync(after: 1)  // wal-1's sync passes, wal-2's header's fails
        case .diskFullInHeader: fs.fill(after: 3)     // part of wal-2's header, then ENOSPC
        }
        log!.flush()
        #expect(log!.failure != nil)
        log = nil
        fs.crashProcess()
        #expect(dir.files() == [DataDirectory.walName(1), DataDirectory.walName(2)])

        let recovered = try Recovery.load(dir.directory, fs: fs, repair: true)
        #expect(recovered.lastSeq == 1)
        #expect(recovered.lastSegment?.name == DataDirectory.walName(2))
        log = try WriteAheadLog(directory: dir.directory, fs: fs, policy: .always, lastSeq: recovered.lastSeq,
                                segment: recovered.lastSegment)
        log!.startFlusher = { _ in }
        for entry in entries[1..<5] { try log!.append(entry) }
        log!.flush()
        #expect(log!.failure == nil && log!.status.durableSeq == 5)  // acknowledged: 2...5
        log = nil

        fs.cutPower()
        let after = try Recovery.load(dir.directory, fs: fs, repair: true)
        #expect(after.lastSeq == 5, "records 2...5 were acknowledged; files after the power cut: \(dir.files())")
        #expect(after.ledger.digest == applied(Array(entries[0..<5])).digest)
    }

    /// Found by tools/sim once its disk's failed fsync was Linux's (`sim --seed 1 --operations 400`):
    /// records written, their fsync failed, the process crashed; recovery replayed them from the
    /// page cache and the restarted log fsynced the segment, which wrote nothing (the failed pages
    /// were clean); records acknowledged after them, then a power cut: zeros where the replayed
    /// records were, and recovery refused the log. Opening the log now writes the segment again.
    @Test func recordsReplayedAfterAFailedFsyncSurviveAPowerCut() throws {
        let dir = TempDirectory()
        let fs = PowerCutFileSystem()
        let entries = sampleEntries(count: 20)
        var log: WriteAheadLog? = try WriteAheadLog(directory: dir.directory, fs: fs, policy: .always, lastSeq: 0, segment: nil)
        log!.startFlusher = { _ in }
        try log!.append(entries[0])
        log!.flush()
        #expect(log!.failure == nil && log!.status.durableSeq == 1)
        for entry in entries[1..<4] { try log!.append(entry) }
        fs.failSync(after: 0)
        log!.flush()
        #expect(log!.failure != nil && log!.status.durableSeq == 1)  // 2...4 never acknowledged
        log = nil
        fs.crashProcess()

        let recovered = try Recovery.load(dir.directory, fs: fs, repair: true)
        #expect(recovered.lastSeq == 4)  // the page cache still shows them
        log = try WriteAheadLog(directory: dir.directory, fs: fs, policy: .always, lastSeq: recovered.lastSeq,
                                segment: recovered.lastSegment)
        log!.startFlusher = { _ in }
        for entry in entries[4..<8] { try log!.append(entry) }
        log!.flush()
        #expect(log!.failure == nil && log!.status.durableSeq == 8)  // acknowledged: 5...8, resting on 2...4
        log = nil

        fs.cutPower()
        let after = try Recovery.load(dir.directory, fs: fs, repair: true)
        #expect(after.lastSeq == 8)
        #expect(after.ledger.digest == applied(Array(entries[0..<8])).digest)
        #expect(dir.files() == [DataDirectory.walName(1)])
    }

    /// The model itself: without a directory fsync a created name does not survive a power cut.
    @Test func aNameIsDurableOnlyAfterItsDirectoryIsSynced() throws {
        let dir = TempDirectory()
        let fs = PowerCutFileSystem()
        let b = try fs.openForAppend(dir.path + "/b", create: true)
        try fs.syncDirectory(dir.path)  // b's name durable, its bytes not yet
        let a = try fs.openForAppend(dir.path + "/a", create: true)
        try fs.write(a, bytes: [1, 2, 3])
        try fs.sync(a, dataOnly: true)  // a's bytes durable, its name not
        fs.close(a)
        try fs.write(b, bytes: [4, 5])
        try fs.sync(b, dataOnly: true)
        try fs.write(b, bytes: [6])
        fs.close(b)
        #expect(dir.files() == ["a", "b"])
        fs.cutPower()
        #expect(dir.files() == ["b"])
        #expect(try fs.readFile(dir.path + "/b") == [4, 5])
    }
}
