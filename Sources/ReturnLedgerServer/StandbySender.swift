import Dispatch
import ReturnLedgerCore
import ReturnLedgerStorage

/// What REPLICATE decided for a standby's stream (protocol.md, A warm standby): seeded from the
/// snapshot at `snapshotSeq` (0: none, the log from seq 1 is all kept) or streamed, records after
/// `from`.
final class ReplicationStart: Sendable {
    let seed: Bool
    let from: UInt64
    let snapshot: String?
    /// A snapshot taken for this seed, to be written before it is sent.
    let job: Snapshotter.Job?
    /// The archives the seed's snapshot names, sent after it (section 23).
    let archives: [ArchiveEntry]
    /// REPLICATE's `OK mode= from= epoch= history=`.
    let reply: Reply

    init(seed: Bool, from: UInt64, snapshot: String?, job: Snapshotter.Job?, archives: [ArchiveEntry] = [], reply: Reply) {
        self.seed = seed; self.from = from; self.snapshot = snapshot; self.job = job; self.archives = archives; self.reply = reply
    }
}

/// A primary's side of one standby link, on a thread of its own once REPLICATE is answered: the
/// connection leaves its event loop and this sends the seed (a snapshot and the archives it
/// names), then every record the primary has fsynced, byte for byte, as the log's fsyncs wake it,
/// each `archive.written` record after its archive; a heartbeat each second; and reads the
/// standby's acknowledgements, which feed INFO and `--sync-standby`'s gate. A link silent 10 s is
/// closed; the standby reconnects. An archive missing or damaged when it must go ends the link
/// (the standby retries), so no record goes before its archive.
///
/// ```
/// log fsync ─▶ Waker ─▶ LogTail.read(upTo: synced) ─▶ archive.written? ─▶ A, F frames (its file)
///                                                  ─▶ R frames ─▶ socket ─▶ standby
///                                                   standby ─▶ K frames ─▶ SyncGate, INFO
/// ```
final class StandbySender: @unchecked Sendable {
    private let transport: Transport
    private let engine: Engine
    private let id: Int
    private let waker = Waker()
    private var output: [UInt8]
    private var written = 0
    private var input: [UInt8] = []
    private let start: ReplicationStart
    /// Still sending the seed's snapshot.
    private var seeding: Bool
    private var tail: LogTail
    /// Seeding: the snapshot's next byte to send, and its size.
    private var seedOffset = 0
    private var seedSize = 0
    private var sent: UInt64
    /// Records read from the log and not yet framed, each with its end in `pending` and the
    /// archives it commits; `framed` of them (`framedBytes` bytes) are sent already.
    private var pending: [UInt8] = []
    private var pendingRecords: [(end: Int, seq: UInt64, archives: [ArchiveEntry])] = []
    private var framed = 0
    private var framedBytes = 0
    /// The pending record whose archives went (or are going) ahead of it.
    private var archivesSentFor = -1
    /// Archives to send before anything else (the seed's, or the next record's), and the one going.
    private var archiveQueue: [ArchiveEntry] = []
    private var archive: OutgoingArchive?
    private var seedArchivesQueued = false
    private var lastHeard = monotonicMillis()
    private var lastHeartbeat = 0
    private var readBuffer = [UInt8](repeating: 0, count: 64 << 10)

    static let silenceMillis = 10_000

    /// Starts the link's thread. `pending`: the bytes the connection had not sent (REPLICATE's OK).
    static func start(transport: Transport, pending: [UInt8], start: ReplicationStart, engine: Engine,
                      address: String, user: String) {
        let id = engine.replication.linkOpened(address: address, user: user, seeding: start.seed, from: start.from)
        let sender = StandbySender(transport: transport, pending: pending, start: start, engine: engine, id: id)
        engine.standbyWakers.add(id, sender.waker)
        engine.wal.syncEverySecond()  // --fsync no: a standby gets only fsynced records
        DispatchQueue(label: "returnledger.standby.\(id)").async {
            let reason = sender.run()
            engine.standbyWakers.remove(id)
            engine.replication.linkClosed(id)
            sender.transport.close()
            engine.log("standby \(address) (\(user)) disconnected: \(reason)")
        }
    }

    private init(transport: Transport, pending: [UInt8], start: ReplicationStart, engine: Engine, id: Int) {
        self.transport = transport
        self.output = pending
        self.start = start
        self.seeding = start.seed
        self.engine = engine
        self.id = id
        self.sent = start.from
        self.tail = LogTail(directory: engine.storage, fs: engine.fs, after: start.from)
    }

    /// The link's loop; returns why it ended.
    private func run() -> String {
        if let job = start.job {
            let written = engine.snapshots.queue.sync { engine.snapshots.write(job, wal: engine.wal, engineQueue: engine.queue) }
            if case .failure(let error) = written { return "cannot write a snapshot for the seed: \(error.message)" }
        }
        // Only what is fsynced here goes to a standby, a seed's snapshot too.
        if start.seed, engine.wal.syncedSequence < start.from {
            engine.wal.flush()
            let deadline = monotonicMillis() + 10_000
            while engine.wal.syncedSequence < start.from {
                guard monotonicMillis() < deadline, engine.wal.failure == nil else { return "the seed's records are not fsynced here" }
                _ = waker.wait(socket: -1, write: false, millis: 10)
            }
        }
        lastHeard = monotonicMillis()  // writing the seed's snapshot is not the standby's silence
        if start.seed, let name = start.snapshot {
            do throws(StorageError) {
                seedSize = try engine.fs.readFileSize(engine.storage.file(name))
            } catch {
                return "cannot read \(name) for the seed: \(error.message)"
            }
            ReplicationFrame.seedBegin(seq: start.from, size: UInt64(seedSize)).encode(into: &output)
        }
        while true {
            if let failure = refill() { return failure }
            let now = monotonicMillis()
            // A standby taking its seed acknowledges nothing until it is loaded: not silence.
            if !seeding, now - lastHeard > StandbySender.silenceMillis { return "silent for \(StandbySender.silenceMillis / 1000) s" }
            let pendingOutput = written < output.count
            let ready = transport.hasPending ? (readable: true, writable: pendingOutput, woken: false)
                : waker.wait(socket: transport.fd, write: pendingOutput, millis: pendingOutput ? 1000 : max(1, 1000 - (now - lastHeartbeat)))
            if ready.writable || pendingOutput {
                if let failure = send() { return failure }
            }
            if ready.readable {
                if let failure = receive() { return failure }
            }
        }
    }

    /// Tops the output up: the next piece of an archive going, else the seed's next piece or new
    /// records; a heartbeat when one is due.
    private func refill() -> String? {
        if written == output.count {
            output.removeAll(keepingCapacity: output.capacity <= 4 << 20)
            written = 0
        }
        guard output.count - written < 256 << 10 else { return nil }
        let synced = engine.wal.syncedSequence
        if let failure = sendArchive() { return failure }
        if archive == nil, archiveQueue.isEmpty {
            if let failure = sendSeedOrRecords(synced) { return failure }
            if let failure = sendArchive() { return failure }  // archives it queued begin at once
        }
        let now = monotonicMillis()
        if now - lastHeartbeat >= 1000 {
            // Once a second, not on every fsync: a primary superseded by a promotion streams no more.
            if engine.replication.history.fence != nil { return "this server was superseded by a promotion" }
            ReplicationFrame.heartbeat(synced).encode(into: &output)
            lastHeartbeat = now
        }
        return nil
    }

    /// The next piece of the archive going, or the next archive's `A` frame.
    private func sendArchive() -> String? {
        if archive == nil, !archiveQueue.isEmpty {
            let entry = archiveQueue.removeFirst()
            do throws(StorageError) {
                let outgoing = try OutgoingArchive(entry, in: engine.shelf.directory, fs: engine.fs)
                ReplicationFrame.archiveBegin(name: entry.name, size: UInt64(outgoing.size), checksum: entry.checksum).encode(into: &output)
                archive = outgoing
            } catch {
                return archiveRefusal(entry, error)
            }
            return nil
        }
        guard let outgoing = archive else { return nil }
        do throws(StorageError) {
            ReplicationFrame.archiveData(try outgoing.next()).encode(into: &output)
        } catch {
            return archiveRefusal(outgoing.entry, error)
        }
        if outgoing.done { archive = nil }
        return nil
    }

    private func archiveRefusal(_ entry: ArchiveEntry, _ error: StorageError) -> String {
        "\(error.message); it must go before its record (seq \(entry.seq)): nothing after seq \(sent) is sent until it is whole "
            + "here again (put a good copy back: every backup holds one); the standby retries"
    }

    /// The seed's next piece (its snapshot, then the archives it names, then its end), or new records.
    private func sendSeedOrRecords(_ synced: UInt64) -> String? {
        if seeding, let name = start.snapshot {
            if seedOffset < seedSize {
                do throws(StorageError) {
                    let chunk = try engine.fs.readRange(engine.storage.file(name), offset: seedOffset, count: min(1 << 20, seedSize - seedOffset))
                    guard !chunk.isEmpty else { return "\(name) ended early while seeding" }
                    ReplicationFrame.seedData(chunk).encode(into: &output)
                    seedOffset += chunk.count
                } catch {
                    return "cannot read \(name) for the seed (a newer snapshot replaced it?): \(error.message)"
                }
                return nil
            }
            if !seedArchivesQueued, !start.archives.isEmpty {
                seedArchivesQueued = true
                archiveQueue = start.archives
                return nil
            }
            ReplicationFrame.seedEnd.encode(into: &output)
            seeding = false
            engine.replication.link(id) { $0.state = "streaming" }
        }
        if framed == pendingRecords.count, sent < synced {
            do throws(LogTail.Failure) {
                pending.removeAll(keepingCapacity: pending.capacity <= 4 << 20)
                _ = try tail.read(upTo: synced, appendingTo: &pending)
                takePending()
            } catch {
                switch error {
                case .gone: return "records after \(sent) are no longer kept; the standby will be seeded"
                case .storage(let failure): return "reading the log: \(failure.message)"
                }
            }
        }
        frameRecords()
        return nil
    }

    /// Records just read into `pending`: where each ends, and the archives it commits.
    private func takePending() {
        pendingRecords.removeAll(keepingCapacity: true)
        framed = 0
        framedBytes = 0
        archivesSentFor = -1
        pending.withUnsafeBytes { raw in
            var offset = 0
            while let (length, seq) = LogRecord.header(raw, at: offset) {
                let end = offset + LogRecord.headerSize + length
                guard end <= raw.count else { break }
                let record = UnsafeRawBufferPointer(rebasing: raw[offset..<end])
                pendingRecords.append((end, seq, LogRecord.archivesWritten(record)))
                offset = end
            }
        }
    }

    /// Frames the pending records up to the next one that commits an archive not sent yet; when
    /// that one is next, queues its archives instead: they go first.
    private func frameRecords() {
        var upTo = framed
        while upTo < pendingRecords.count {
            if !pendingRecords[upTo].archives.isEmpty, archivesSentFor != upTo {
                if upTo == framed {
                    archivesSentFor = upTo
                    archiveQueue = pendingRecords[upTo].archives
                    return
                }
                break
            }
            upTo += 1
        }
        guard upTo > framed else { return }
        let last = pendingRecords[upTo - 1]
        ReplicationFrame.encodeRecords(pending[framedBytes..<last.end], into: &output)
        framed = upTo
        framedBytes = last.end
        sent = last.seq
        engine.replication.link(id) { $0.sentSeq = last.seq }
    }

    private func send() -> String? {
        while written < output.count {
            let result = output.withUnsafeBytes { transport.write(UnsafeRawBufferPointer(rebasing: $0[written...])) }
            switch result {
            case .bytes(let n): written += n
            case .wouldBlock: return nil
            case .closed: return "the standby closed the connection"
            }
        }
        return nil
    }

    private func receive() -> String? {
        while true {
            let result = readBuffer.withUnsafeMutableBytes { transport.read(into: $0) }
            switch result {
            case .bytes(let n):
                lastHeard = monotonicMillis()
                input.append(contentsOf: readBuffer[0..<n])
                if let failure = takeFrames() { return failure }
                if n < readBuffer.count, !transport.hasPending { return nil }
            case .wouldBlock: return nil
            case .closed: return "the standby closed the connection"
            }
        }
    }

    private func takeFrames() -> String? {
        var at = 0
        defer { input.removeFirst(at) }
        while true {
            switch ReplicationFrame.parse(input[at...]) {
            case .partial: return nil
            case .invalid(let why): return "the standby sent \(why)"
            case .frame(let frame, let consumed):
                at += consumed
                guard case .ack(let seq) = frame else { return "the standby sent an unexpected frame" }
                let durable = engine.wal.status.durableSeq
                engine.replication.link(id) { link in
                    link.durableSeq = max(link.durableSeq, seq)
                    if link.durableSeq >= durable { link.caughtUpAtMillis = monotonicMillis() }
                }
                engine.replication.syncGate?.ack(id, seq)
            }
        }
    }
}
