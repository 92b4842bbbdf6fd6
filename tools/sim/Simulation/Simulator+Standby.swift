import ReturnLedgerCore
import ReturnLedgerServer
import ReturnLedgerStorage
import SimulatedDisk

/// A warm standby in the simulation (issue 28; protocol.md, A warm standby): a second engine on a
/// disk of its own takes the primary's fsynced records as the link would, byte for byte (the
/// primary's `LogTail` reading its simulated disk, the standby's `applyReplicated` and its own
/// log), is seeded from the primary's snapshot when the records it needs are no longer kept, and
/// crashes and loses power on its own. Checked after every recovery of the standby:
/// - its log holds exactly the primary's fsynced records, byte for byte, from its first on (the
///   standby's durable state is a prefix of the primary's history), and its state's digest is
///   the primary's at the same sequence;
/// - in sync mode (half the seeds) a reply is acknowledged only once the standby has its record
///   durable too, and every acknowledged change is in the standby's recovered state: it would
///   survive the standby's promotion.
struct SimulatedStandby {
    let disk = SimulatedDisk()
    let directory = DataDirectory("/standby")
    var engine: Engine?
    var wal: WriteAheadLog?
    /// The primary's reader for this standby's link (nil: reconnect, starting after its last seq).
    var tail: LogTail?
    /// What the standby has fsynced, as the primary last heard (its `K` frames).
    var acked: UInt64 = 0
    var crashes = 0, powerCuts = 0, seeds = 0, shipped = 0
}

extension Simulator {
    /// Brings the standby up on what its disk holds (the first time: nothing).
    mutating func openStandby() {
        let recovered: Recovery.Result
        do {
            recovered = try Recovery.load(standby.directory, fs: standby.disk, repair: true)
        } catch {
            return violation("the standby's recovery refused: \(error)")
        }
        let wal = try! WriteAheadLog(directory: standby.directory, fs: standby.disk, policy: .always, lastSeq: recovered.lastSeq,
                                     segment: recovered.lastSegment, segmentLimit: 8 << 10)
        wal.startFlusher = { _ in }  // flushed at moments the seed picks, as the primary's
        let backups = Backups(directory: "/standby-backups", every: 0, keep: 1, fs: standby.disk, clock: { [clock] in clock.now })
        let engine = Engine(recovered: recovered, wal: wal, storage: standby.directory, fs: standby.disk, snapshotEvery: .max,
                            clock: { [clock] in clock.now }, counters: ServerCounters(startedAt: 0, pid: 0, fsyncPolicy: "always"),
                            setting: Engine.Setting(backups: backups, archives: ArchiveShelf(directory: standby.directory.path, fs: standby.disk)))
        engine.log = { [serverLog] line in serverLog.append("standby: " + line) }
        standby.engine = engine
        standby.wal = wal
        standby.tail = nil
        standby.acked = wal.syncedSequence
        checkStandby(recovered)
    }

    /// The link: the primary's fsynced records after the standby's last, in pieces of random
    /// size, each piece checked, appended and applied by the standby as the follower does; at
    /// times the standby fsyncs and acknowledges. `all`: until it has everything (sync mode).
    mutating func ship(all: Bool = false) {
        guard let engine = standby.engine, let standbyWAL = standby.wal, let primary = wal, primary.failure == nil else { return }
        let synced = primary.syncedSequence
        if standby.tail == nil || standby.tail!.position != standbyWAL.lastSeq {
            standby.tail = LogTail(directory: directory, fs: disk, after: standbyWAL.lastSeq)
        }
        var reconnected = false
        while standbyWAL.lastSeq < synced, all || random.below(4) != 0 {
            let piece: (bytes: [UInt8], last: UInt64)
            do throws(LogTail.Failure) {
                piece = try standby.tail!.read(upTo: synced, maxBytes: 200 + random.below(4000))
            } catch {
                switch error {
                case .gone: return seedStandby()
                case .storage(let failure):
                    // The segment being read was dropped (a snapshot covers it): the link ends and
                    // the standby asks again from its last record; twice in a row is damage.
                    guard !reconnected else { return violation("the primary's fsynced records do not read for the standby: \(failure)") }
                    reconnected = true
                    standby.tail = LogTail(directory: directory, fs: disk, after: standbyWAL.lastSeq)
                    continue
                }
            }
            guard !piece.bytes.isEmpty else { break }
            let first = standbyWAL.lastSeq + 1
            let entries: [LogEntry]
            switch StandbyFollower.decode(piece.bytes, first: first) {
            case .success(let decoded): entries = decoded
            case .failure(let why): return violation("a piece of the primary's log does not decode at the standby: \(why)")
            }
            remember(piece.bytes, first: first)
            // Before an archive.written record comes its archive, stored as the primary stores it.
            for entry in entries {
                for case .archiveWritten(let archive) in entry.events { copyArchive(archive.name) }
            }
            let stored: StorageError? = engine.queue.sync {
                do throws(StorageError) {
                    try engine.applyReplicated(piece.bytes[...], entries: entries, last: piece.last)
                    return nil
                } catch {
                    return error
                }
            }
            if let stored { return violation("the standby could not take records: \(stored)") }
            standby.shipped += entries.count
        }
        if all || random.below(2) == 0 {
            standbyWAL.flush()
            standby.acked = standbyWAL.syncedSequence
        }
    }

    /// Each record of a piece, by sequence: what the standby's log must hold byte for byte.
    mutating func remember(_ bytes: [UInt8], first: UInt64) {
        var offset = 0, seq = first
        while offset < bytes.count {
            let length = bytes.withUnsafeBytes { LogRecord.header($0, at: offset)!.length }
            let record = Array(bytes[offset..<(offset + LogRecord.headerSize + length)])
            if let known = primaryRecords[seq], known != record { violation("the primary's fsynced record \(seq) changed") }
            primaryRecords[seq] = record
            offset += record.count
            seq += 1
        }
    }

    /// The records the standby needs are gone: the primary's newest snapshot, written as the
    /// follower writes a seed, then the standby starts again on it.
    mutating func seedStandby() {
        guard let engine = standby.engine else { return }
        let snapshots = (try? directory.contents(disk).snapshots) ?? []
        guard let newest = snapshots.last, let bytes = try? disk.readFile(directory.file(newest.name)) else {
            return violation("the standby needs a seed and the primary has no snapshot")
        }
        note("standby seeded from snapshot \(newest.seq)")
        do throws(StorageError) {
            let file = try IncomingFile(newest.name, in: standby.directory.path, fs: standby.disk)
            try file.append(bytes)
            try file.finish()
            try engine.dropOlderThanSeed(newest.seq)
        } catch {
            return violation("the standby could not store its seed: \(error)")
        }
        // The archives the state names go with the seed.
        for archive in self.engine.queue.sync(execute: { self.engine.ledger.archives }) { copyArchive(archive.name) }
        standby.seeds += 1
        standby.engine = nil
        standby.wal = nil
        standby.disk.crashProcess()  // restarts in place: what is written stays
        openStandby()
    }

    /// The primary's archive `name` into the standby's folder, durably (`NAME.tmp`, fsync, rename).
    mutating func copyArchive(_ name: String) {
        let file = ArchiveFile.fileName(name)
        guard (try? standby.disk.readFileSize(standby.directory.file(file))) == nil else { return }
        do throws(StorageError) {
            let bytes = try disk.readFile(directory.file(file))
            let incoming = try IncomingFile(file, in: standby.directory.path, fs: standby.disk)
            try incoming.append(bytes)
            try incoming.finish()
        } catch {
            violation("archive \(name) could not be copied to the standby: \(error)")
        }
    }

    /// A crash or a power cut of the standby alone; then it recovers and follows again.
    mutating func standbyFault() {
        guard standby.engine != nil else { return }
        let powerCut = random.below(2) == 0
        note("standby \(powerCut ? "power cut" : "crash") at op \(report.operations): standby log at \(standby.wal?.lastSeq ?? 0), acked \(standby.acked)")
        standby.engine = nil
        standby.wal = nil
        if powerCut {
            standby.powerCuts += 1
            var tearing = random
            standby.disk.cutPower { unsynced in
                switch tearing.below(3) {
                case 0: return 0
                case 1: return tearing.below(unsynced + 1)
                default: return (tearing.below(unsynced + 1) / 512) * 512
                }
            }
            random = tearing
        } else {
            standby.crashes += 1
            standby.disk.crashProcess()
        }
        openStandby()
    }

    /// After the standby's recovery: its log is the primary's, byte for byte, its state the
    /// primary's at that sequence, and nothing it acknowledged is lost; in sync mode every
    /// acknowledged change is there.
    mutating func checkStandby(_ recovered: Recovery.Result) {
        if recovered.lastSeq < standby.acked {
            violation("the standby acknowledged \(standby.acked) and recovered only to \(recovered.lastSeq)")
        }
        let first = (try? standby.directory.contents(standby.disk).segments.first?.seq) ?? nil
        if let first, first <= recovered.lastSeq {
            let tail = LogTail(directory: standby.directory, fs: standby.disk, after: first - 1)
            do throws(LogTail.Failure) {
                var seq = first
                while tail.position < recovered.lastSeq {
                    let (bytes, last) = try tail.read(upTo: recovered.lastSeq)
                    if bytes.isEmpty { break }
                    var offset = 0
                    while offset < bytes.count {
                        let length = bytes.withUnsafeBytes { LogRecord.header($0, at: offset)!.length }
                        let record = Array(bytes[offset..<(offset + LogRecord.headerSize + length)])
                        if let known = primaryRecords[seq] {
                            if known != record { violation("the standby's record \(seq) differs from the primary's") }
                        } else {
                            violation("the standby holds record \(seq), which the primary never sent")
                        }
                        offset += record.count
                        seq += 1
                    }
                    _ = last
                }
            } catch {
                violation("the standby's own log does not read after recovery: \(error)")
            }
        }
        if let digest = syncedDigests[recovered.lastSeq], recovered.ledger.digest != digest {
            violation("the standby's state at \(recovered.lastSeq) has digest \(recovered.ledger.digest), the primary's was \(digest)")
        }
        guard syncMode else { return }
        // Returns that left memory are read back from the standby's own copies of the archives.
        var state = recovered.ledger
        state.archiveReach = ArchiveReach(ArchiveRecordSource(ArchiveReplay(directory: standby.directory.path, fs: standby.disk)))
        for lost in lostAcknowledged(in: state) { violation("sync mode, on the standby: " + lost) }
    }
}
