import Simulation
import SimulatedDisk
import Testing

/// The durability simulation (tools/sim) on a short seed set: crashes, power cuts with torn
/// writes, a full disk and failing fsyncs, each followed by recovery and the checks
/// (acknowledged changes kept, digest equal to the live state's, keys never doubled, gapless
/// documents, balanced books, exchanges only from stock on hand), through the server's parser
/// and engine, with a warm standby following on a disk of its own (its log the primary's byte for
/// byte, its state the primary's, and in sync mode every acknowledged change on it). The long runs
/// are in the issue notes (`swift run -c release sim --seeds 1-200`).
@Suite struct SimulationTests {
    @Test(arguments: [1, 2, 5] as [UInt64])
    func aSeedRunsWithoutViolation(_ seed: UInt64) {
        var simulator = Simulator(seed: seed)
        let report = simulator.run(operations: 1_000, faults: 10)
        #expect(report.violations.isEmpty, "seed \(seed): \(report.violations); replay: swift run -c release sim --seed \(seed) --operations 1000 --faults 10")
        #expect(report.acknowledged > 500)
        #expect(report.crashes + report.powerCuts >= 10)
        // Exchanges both ways (contract section 22.3): approved with their goods on hand, refused short of them.
        #expect(report.exchanges > 0 && report.exchangesShort > 0, "seed \(seed): \(report.exchanges) exchanges, \(report.exchangesShort) short")
        // Serial-numbered phones sold, returned by serial, sent and counted (contract section 22.5).
        #expect(report.serialReturns > 0, "seed \(seed): no phone returned by serial")
        // The standby took the primary's records through faults of its own; even seeds in sync mode.
        #expect(report.shipped > 500 && report.standbyFaults > 5, "seed \(seed): \(report.shipped) records, \(report.standbyFaults) standby faults")
        #expect(report.syncRuns == (seed % 2 == 0 ? 1 : 0))
        // Days closed and archived (contract section 23), some ARCHIVEs stopped dead at a step and crashed there.
        #expect(report.archives > 0, "seed \(seed): no day archived")
    }

    /// The same seed, the same run: a failure can be replayed from its seed alone.
    @Test func aSeedReplaysExactly() {
        var a = Simulator(seed: 9), b = Simulator(seed: 9)
        let first = a.run(operations: 400, faults: 5), second = b.run(operations: 400, faults: 5)
        #expect(first.operations == second.operations && first.acknowledged == second.acknowledged)
        #expect(first.powerCuts == second.powerCuts && first.retries == second.retries && first.snapshots == second.snapshots)
        #expect(first.readOnly == second.readOnly && first.pipelined == second.pipelined)
        #expect(first.trace == second.trace)
    }
}

/// What the simulation's claims rest on: a power cut keeps what was synced, names included.
@Suite struct SimulatedDiskTests {
    func bytes(_ disk: SimulatedDisk, _ path: String) -> [UInt8]? { try? disk.readFile(path) }

    @Test func aPowerCutKeepsSyncedBytesAndTearsTheRest() throws {
        let disk = SimulatedDisk()
        let fd = try disk.openForAppend("/d/a", create: true)
        try disk.syncDirectory("/d")
        try disk.write(fd, bytes: [1, 2, 3])
        try disk.sync(fd, dataOnly: true)
        try disk.write(fd, bytes: [4, 5, 6, 7])
        disk.crashProcess()
        #expect(bytes(disk, "/d/a") == [1, 2, 3, 4, 5, 6, 7])  // a crash keeps the page cache
        disk.cutPower { unsynced in
            #expect(unsynced == 4)
            return 1
        }
        #expect(bytes(disk, "/d/a") == [1, 2, 3, 4])
        disk.cutPower { _ in 0 }  // what survived a power cut is on the platter
        #expect(bytes(disk, "/d/a") == [1, 2, 3, 4])
    }

    @Test func namesAreDurableOnlyOnceTheirDirectoryIsSynced() throws {
        let disk = SimulatedDisk(files: ["/d/old": [9]])
        let fd = try disk.openForAppend("/d/new", create: true)
        try disk.write(fd, bytes: [1])
        try disk.sync(fd, dataOnly: true)  // the contents, not the name
        try disk.remove("/d/old")
        let tmp = try disk.openForAppend("/d/snap.tmp", create: true)
        try disk.write(tmp, bytes: [7])
        try disk.sync(tmp, dataOnly: true)
        try disk.syncDirectory("/d")
        try disk.rename("/d/snap.tmp", "/d/snap")
        #expect(try disk.list("/d") == ["new", "snap"])
        disk.cutPower { _ in 0 }
        // The directory's fsync came after the create, the remove and the temporary file, before the rename.
        #expect(try disk.list("/d") == ["new", "snap.tmp"])
        #expect(bytes(disk, "/d/snap.tmp") == [7])

        let again = SimulatedDisk(files: ["/d/old": [9]])
        _ = try again.openForAppend("/d/new", create: true)
        try again.remove("/d/old")
        again.cutPower { _ in 0 }
        #expect(try again.list("/d") == ["old"])  // never synced: the new name gone, the removed one back
        #expect(bytes(again, "/d/old") == [9])
    }

    /// Linux after a failed fsync ("fsyncgate"): the pages whose writeback failed are clean, still
    /// read from the cache, never written; the next fsync succeeds without them. Writing the
    /// bytes again (a new file here) is what makes them durable.
    @Test func bytesWhoseFsyncFailedAreNotMadeDurableByALaterFsync() throws {
        let disk = SimulatedDisk()
        let fd = try disk.openForAppend("/d/a", create: true)
        try disk.syncDirectory("/d")
        try disk.write(fd, bytes: [1, 2])
        try disk.sync(fd, dataOnly: true)
        try disk.write(fd, bytes: [3, 4])
        disk.failSync(after: 0)
        #expect(throws: StorageError.self) { try disk.sync(fd, dataOnly: true) }
        disk.crashProcess()
        #expect(bytes(disk, "/d/a") == [1, 2, 3, 4])  // the page cache still shows them
        let again = try disk.openForAppend("/d/a", create: false)
        try disk.write(again, bytes: [5])
        try disk.sync(again, dataOnly: true)  // succeeds, and covers the new byte only
        disk.close(again)
        let copy = try disk.openForAppend("/d/b", create: true)
        try disk.write(copy, bytes: [1, 2, 3, 4])
        try disk.sync(copy, dataOnly: true)
        try disk.syncDirectory("/d")
        disk.cutPower { _ in 0 }
        #expect(bytes(disk, "/d/a") == [1, 2, 0, 0, 5])  // never written: the device's zeros
        #expect(bytes(disk, "/d/b") == [1, 2, 3, 4])
    }
}

import ReturnLedgerCore
import ReturnLedgerStorage

/// Found by the simulation (seed 10, 5,000 operations, 50 faults): records written but not
/// synced (an fsync failed, then the process crashed) were replayed at restart and treated as
/// durable; a power cut before the next fsync then took them. Opening the log synced them; with
/// the simulated disk's failed fsync as Linux's (the failed pages clean, never written again by
/// a later fsync: `sim --seed 1 --operations 400`) that was not enough: opening the log now
/// writes the newest segment again, through a temporary file.
@Suite struct RecoveredTailTests {
    @Test func recordsRecoveryReplayedSurviveAPowerCutBeforeAnyNewFsync() throws {
        let disk = SimulatedDisk()
        let directory = DataDirectory("/tail")
        let at = Timestamp(parsing: "2026-12-01T09:00:00Z")!
        var wal: WriteAheadLog? = try WriteAheadLog(directory: directory, fs: disk, policy: .always, lastSeq: 0, segment: nil)
        wal!.startFlusher = { _ in }
        for _ in 0..<3 { try wal!.append(LogEntry(at: at, actor: "clerk1", events: [])) }
        disk.failSync(after: 1)  // the segment's creation syncs; the records' fsync fails
        wal!.flush()
        #expect(wal!.failure != nil)
        wal = nil
        disk.crashProcess()  // the written records stay (page cache)
        let recovered = try Recovery.load(directory, fs: disk, repair: true)
        #expect(recovered.lastSeq == 3)
        wal = try WriteAheadLog(directory: directory, fs: disk, policy: .always, lastSeq: recovered.lastSeq,
                                segment: recovered.lastSegment)
        wal = nil
        disk.cutPower { _ in 0 }  // every unsynced byte is lost
        #expect(try Recovery.load(directory, fs: disk, repair: true).lastSeq == 3)
    }
}

/// Found by the simulation (`sim --seed 6 --operations 400`, 50 faults; seed 8 on e27a165): the
/// fsync of a segment the log had just created (at a rotation) failed, so its name was never
/// made durable; the process crashed; recovery continued in that segment, which held only its
/// header; the restarted log appended to it, fdatasynced and acknowledged, and a power cut took
/// the segment's name and with it every acknowledged record in it. Opening the log now syncs
/// the directory too, so the name of the segment appending continues in survives a power cut.
@Suite struct RecoveredSegmentNameTests {
    static let at = Timestamp(parsing: "2026-12-01T09:00:00Z")!

    func append(_ wal: WriteAheadLog, _ count: Int) throws {
        for _ in 0..<count { try wal.append(LogEntry(at: Self.at, actor: "clerk1", events: [])) }
        wal.flush()
    }

    @Test func recordsAppendedToASegmentWhoseCreationFailedSurviveAPowerCut() throws {
        let disk = SimulatedDisk()
        let directory = DataDirectory("/rot")
        var wal: WriteAheadLog? = try WriteAheadLog(directory: directory, fs: disk, policy: .always, lastSeq: 0,
                                                    segment: nil, segmentLimit: 64)
        wal!.startFlusher = { _ in }
        try append(wal!, 3)  // wal-1 is over its limit now: the next flush rotates
        #expect(wal!.failure == nil && wal!.status.durableSeq == 3)
        try wal!.append(LogEntry(at: Self.at, actor: "clerk1", events: []))
        disk.failSync(after: 1)  // the old segment's sync passes; the new segment's (wal-4, header only) fails
        wal!.flush()
        #expect(wal!.failure != nil)
        wal = nil
        disk.crashProcess()
        #expect(try disk.list("/rot") == [DataDirectory.walName(1), DataDirectory.walName(4)])
        let recovered = try Recovery.load(directory, fs: disk, repair: true)
        #expect(recovered.lastSeq == 3)
        #expect(recovered.lastSegment?.name == DataDirectory.walName(4))

        wal = try WriteAheadLog(directory: directory, fs: disk, policy: .always, lastSeq: recovered.lastSeq,
                                segment: recovered.lastSegment, segmentLimit: 1 << 20)
        wal!.startFlusher = { _ in }
        try append(wal!, 3)
        #expect(wal!.failure == nil && wal!.status.durableSeq == 6)  // acknowledged
        wal = nil
        disk.cutPower { _ in 0 }
        #expect(try Recovery.load(directory, fs: disk, repair: true).lastSeq == 6)
    }
}
