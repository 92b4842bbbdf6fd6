import Dispatch
import ReturnLedgerCore
package import ReturnLedgerStorage
import ReturnLedgerWire
import Synchronization

/// A standby's link to its primary (protocol.md, A warm standby), on a thread of its own: logs in
/// as `--standby-user`, asks REPLICATE from its durable seq with its history, then takes the
/// primary's records byte for byte into its own log, applies them, and acknowledges what it has
/// fsynced. The link lost or refused, it retries (1 s doubling to 30 s; 30 s when refused).
///
/// ```
/// primary ─ R ─▶ check each record ─▶ writer queue: log append + apply ─▶ fsync ─▶ K (durable seq)
///         ─ H ─▶ primary_seq, lag
///         ─ S/D/E (seed) ─▶ snapshot file ─▶ restart in place to load it
///         ─ A/F ─▶ an archive, whole and durable in the archive folder before the records naming it
/// ```
package final class StandbyFollower: @unchecked Sendable {
    private let link: StandbyLink
    private let engine: Engine
    private let waker = Waker()
    private let stopped = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private let connection = Mutex<ClientLink?>(nil)

    static let connectMillis = 5_000
    static let refusedRetryMillis = 30_000
    /// A login the primary refuses is tried again every 2 minutes, not every 30 s: ten failures in
    /// 15 minutes lock the user (protocol.md, Sessions), which would lock out every standby
    /// logging in as it. **Decided here.**
    static let loginRetryMillis = 120_000

    init(link: StandbyLink, engine: Engine) {
        self.link = link
        self.engine = engine
    }

    /// The log's fsync report: acknowledge at once.
    func synced() { waker.signal() }

    func start() {
        DispatchQueue(label: "returnledger.follower").async { [self] in
            run()
            done.signal()
        }
    }

    /// Stops following (PROMOTE): once this returns nothing more is applied. The link's socket is
    /// shut down (not closed: its thread may be inside a read of it), which ends any wait on it.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        waker.signal()
        connection.withLock { link in if let fd = link?.fd, fd >= 0 { Syscalls.shutdownSocket(fd) } }
        done.wait()
        done.signal()  // a second PROMOTE (after a failed one) finds it stopped, not waits for ever
    }

    private var isStopped: Bool { stopped.load(ordering: .relaxed) }

    private func run() {
        var backoff = 1_000
        while !isStopped {
            engine.replication.follower { $0.state = $0.state == "failed" ? "failed" : "connecting" }
            let outcome = session()
            connection.withLock { $0?.close(); $0 = nil }
            if isStopped { return }
            var wait = backoff
            switch outcome {
            case .lost(let why):
                engine.replication.follower { if $0.state != "failed" { $0.state = "connecting" }; $0.error = why }
                backoff = min(backoff * 2, 30_000)
            case .refused(let why):
                engine.replication.follower { $0.state = "refused"; $0.error = why }
                wait = why.hasPrefix(StandbyFollower.loginRefusal) ? StandbyFollower.loginRetryMillis : StandbyFollower.refusedRetryMillis
                engine.log("standby: refused by \(link.address): \(why); retrying in \(wait / 1000) s")
            case .streamedThenLost(let why):
                engine.replication.follower { if $0.state != "failed" { $0.state = "connecting" }; $0.error = why }
                engine.log("standby: link to \(link.address) lost: \(why); reconnecting")
                backoff = 1_000
                wait = backoff
            case .failed(let why):
                engine.replication.follower { $0.state = "failed"; $0.error = why }
                engine.log("standby: \(why); serving reads, retrying in 30 s")
                wait = StandbyFollower.refusedRetryMillis
                if retryAfterFailure(wait) { return }
                continue
            }
            let until = monotonicMillis() + wait
            while !isStopped, monotonicMillis() < until { _ = waker.wait(socket: -1, write: false, millis: until - monotonicMillis()) }
        }
    }

    /// After a storage failure the log takes nothing more in this process: after a pause, start
    /// again from what the disk holds (a restart in place), unless promoted meanwhile.
    private func retryAfterFailure(_ millis: Int) -> Bool {
        let until = monotonicMillis() + millis
        while !isStopped, monotonicMillis() < until { _ = waker.wait(socket: -1, write: false, millis: until - monotonicMillis()) }
        if isStopped { return true }
        Runner.restartInPlace("standby: restarting to recover from the storage failure")
    }

    static let loginRefusal = "login as "

    enum Outcome {
        case lost(String)
        case streamedThenLost(String)
        case refused(String)
        case failed(String)
    }

    /// One connection: log in, REPLICATE, then stream until the link ends.
    private func session() -> Outcome {
        let client: ClientLink
        do {
            client = try ClientLink.connect(host: link.host, port: link.port, caFile: link.caFile, timeoutMillis: StandbyFollower.connectMillis)
        } catch {
            return error.refused ? .refused(error.message) : .lost(error.message)
        }
        connection.withLock { $0 = client }
        if isStopped { return .lost("stopped") }
        let applied = engine.onQueue { engine.wal.lastSeq }
        let history = engine.replication.history
        let login: String
        let answer: String
        do {
            try client.write(Array("AUTH \(StandbyFollower.quote(link.user)) \(StandbyFollower.quote(link.password))\r\n".utf8), timeoutMillis: 10_000)
            login = try client.readLine(maxLine: 8192, timeoutMillis: 10_000)
            guard login.hasPrefix("OK") else { return .refused("\(StandbyFollower.loginRefusal)\(link.user): \(login)") }
            let request = history.current.isEmpty ? "REPLICATE from=0 epoch=\"\" history=\"\""
                : "REPLICATE from=\(applied) epoch=\(history.current) history=\(history.list)"
            try client.write(Array((request + "\r\n").utf8), timeoutMillis: 10_000)
            answer = try client.readLine(maxLine: 1 << 16, timeoutMillis: 30_000)
        } catch {
            return error.refused ? .refused(error.message) : .lost(error.message)
        }
        guard answer.hasPrefix("OK ") else { return .refused(answer) }
        let fields = StandbyFollower.fields(answer)
        guard let mode = fields["mode"], let epoch = fields["epoch"], let list = fields["history"],
              let entries = EpochHistory.parse(list: list), entries.last?.epoch == epoch else {
            return .refused("unexpected answer to REPLICATE: \(answer)")
        }
        // This directory now follows that history (and a fence, if any, ends: protocol.md).
        var adopted = EpochHistory(entries: entries, standbyOf: link.address)
        adopted.fencing = nil
        do throws(StorageError) {
            if adopted != history { try adopted.store(engine.storage, fs: engine.fs) }
        } catch {
            return .failed("cannot store the primary's history: \(error.message)")
        }
        engine.onQueue { engine.followed(adopted) }
        engine.log("standby: following \(link.address) (\(mode) from seq \(fields["from"] ?? "?"), epoch \(epoch))")
        return stream(client, seeding: mode == "seed")
    }

    /// Frames until the link ends.
    private func stream(_ client: ClientLink, seeding: Bool) -> Outcome {
        var input: [UInt8] = []
        var lastHeard = monotonicMillis()
        var lastAck = 0
        var acked: UInt64 = 0
        var seed: (file: IncomingFile, seq: UInt64)?
        var incoming: IncomingArchive?
        var streamed = false
        engine.replication.follower { $0.state = seeding ? "seeding" : "streaming"; $0.error = "" }
        func lost(_ why: String) -> Outcome {
            seed?.file.abandon()
            incoming?.abandon()
            return streamed ? .streamedThenLost(why) : .lost(why)
        }
        func refused(_ failure: IncomingArchive.Failure) -> Outcome {
            incoming = nil
            switch failure {
            case .refused(let why): return lost("the primary sent \(why)")
            case .storage(let error):
                seed?.file.abandon()
                return .failed("cannot store an archive: \(error.message)")
            }
        }
        /// Acknowledges what is fsynced here: at once after an fsync, else each second. Also
        /// between two `R` frames read together, so an acknowledgement (which a primary under
        /// `--sync-standby` replies on) does not wait for every record that came after it.
        func acknowledge() -> String? {
            let synced = engine.wal.syncedSequence
            let now = monotonicMillis()
            guard synced > acked || now - lastAck >= 1000 else { return nil }
            do {
                try client.write(ReplicationFrame.ack(synced).encoded, timeoutMillis: 10_000)
            } catch {
                return error.message
            }
            acked = synced
            lastAck = now
            return nil
        }
        while !isStopped {
            if let failure = acknowledge() { return lost(failure) }
            let now = monotonicMillis()
            if now - lastHeard > StandbySender.silenceMillis { return lost("the primary was silent for 10 s") }
            var bytes: [UInt8] = []
            do {
                if !client.hasBuffered {
                    let ready = waker.wait(socket: client.fd, write: false, millis: 1000 - min(999, now - lastAck))
                    if !ready.readable { continue }
                }
                bytes = try client.read(max: 1 << 20, timeoutMillis: 0)
            } catch {
                return lost(error.message)
            }
            if bytes.isEmpty { continue }
            lastHeard = monotonicMillis()
            input.append(contentsOf: bytes)
            var at = 0
            while true {
                switch ReplicationFrame.parse(input[at...]) {
                case .partial:
                    input.removeFirst(at)
                    at = 0
                case .invalid(let why):
                    return lost("the primary sent \(why)")
                case .frame(let frame, let consumed):
                    at += consumed
                    switch frame {
                    case .heartbeat(let seq):
                        engine.replication.follower { f in
                            f.primarySeq = max(f.primarySeq, seq)
                            if engine.wal.status.lastSeq >= f.primarySeq { f.caughtUpAtMillis = monotonicMillis() }
                        }
                    case .seedBegin(let seq, _):
                        guard seq > 0 else { continue }  // nothing to load: the records follow
                        do throws(StorageError) {
                            seed = (try IncomingFile(DataDirectory.snapshotName(seq), in: engine.storage.path, fs: engine.fs), seq)
                        } catch {
                            return .failed("cannot write the seed: \(error.message)")
                        }
                    case .seedData(let chunk):
                        guard let current = seed else { return lost("seed data without a seed") }
                        do throws(StorageError) { try current.file.append(chunk) } catch {
                            current.file.abandon()
                            return .failed("cannot write the seed: \(error.message)")
                        }
                    case .seedEnd:
                        if let current = incoming { return lost("the seed ended before archive \(current.name) was whole") }
                        guard let current = seed else { continue }
                        do throws(StorageError) {
                            // What the directory held goes first: a crash in between leaves neither
                            // (it is then seeded again), never old segments beside a newer snapshot.
                            try engine.dropOlderThanSeed(current.seq)
                            try current.file.finish()
                        } catch {
                            return .failed("cannot write the seed: \(error.message)")
                        }
                        Runner.restartInPlace("standby: seeded from \(link.address) at seq \(current.seq); restarting to load it")
                    case .archiveBegin(let name, let size, let checksum):
                        if let current = incoming { return lost("archive \(name) began before \(current.name) was whole") }
                        do throws(IncomingArchive.Failure) {
                            incoming = try IncomingArchive(name: name, size: Int(clamping: size), checksum: checksum,
                                                           in: engine.shelf.directory, fs: engine.fs)
                        } catch {
                            return refused(error)
                        }
                    case .archiveData(let chunk):
                        guard let current = incoming else { return lost("archive data without an archive") }
                        do throws(IncomingArchive.Failure) {
                            if try current.take(chunk) {
                                incoming = nil
                                engine.log("standby: archive \(current.name) stored (\(current.size) bytes)")
                            }
                        } catch {
                            return refused(error)
                        }
                    case .records(let records):
                        if let current = incoming { return lost("records came before archive \(current.name) was whole") }
                        if let failure = acknowledge() { return lost(failure) }
                        if let failure = apply(records) { return failure }
                        streamed = true
                        engine.replication.follower { f in
                            f.state = "streaming"
                            f.primarySeq = max(f.primarySeq, engine.wal.status.lastSeq)  // it had them: they were fsynced there
                            if engine.wal.status.lastSeq >= f.primarySeq { f.caughtUpAtMillis = monotonicMillis() }
                        }
                    case .ack:
                        return lost("the primary sent an acknowledgement")
                    }
                    continue
                }
                break
            }
        }
        return lost("stopped")
    }

    /// Checks each record (whole, its checksum, the next sequence) and hands them to the writer:
    /// the same bytes into this log, their events into the state.
    private func apply(_ records: [UInt8]) -> Outcome? {
        let first = engine.onQueue { engine.wal.lastSeq } + 1
        let entries: [LogEntry]
        switch StandbyFollower.decode(records, first: first) {
        case .success(let decoded): entries = decoded
        case .failure(let why): return .lost(why.message)
        }
        let last = first + UInt64(entries.count) - 1
        guard !entries.isEmpty else { return nil }
        // An archive a record commits is read and decoded here, not on the writer (a month's
        // archive of a large shop takes seconds); the writer only matches what it took.
        var archives: [String: [ArchiveRecord]] = [:]
        for entry in entries {
            for case .archiveWritten(let archive) in entry.events {
                do throws(StorageError) {
                    archives[archive.name] = try engine.shelf.replay.records(of: archive)
                } catch {
                    return .failed("cannot take the primary's records: \(error.message)")
                }
            }
        }
        let stored: StorageError? = engine.onQueue {
            do throws(StorageError) {
                try engine.applyReplicated(records[...], entries: entries, last: last, archives: archives)
                return nil
            } catch {
                return error
            }
        }
        if let stored { return .failed("cannot store the primary's records: \(stored.message)") }
        return nil
    }

    /// The records of an `R` frame, each whole, its checksum holding, decodable, numbered on from
    /// `first`: their entries, or why they are refused (nothing of them is taken then).
    package static func decode(_ records: [UInt8], first: UInt64) -> Result<[LogEntry], StorageError> {
        var entries: [LogEntry] = []
        var expected = first
        var offset = 0
        let failure: String? = records.withUnsafeBytes { raw in
            while offset < raw.count {
                let rest = UnsafeRawBufferPointer(rebasing: raw[offset...])
                switch LogRecord.read(rest, at: 0) {
                case .record(let seq, let entry, let next):
                    guard seq == expected else { return "record seq \(seq) where \(expected) was expected" }
                    entries.append(entry)
                    expected += 1
                    offset += next
                case .end: return nil
                case .damaged(let why), .unreadable(let why): return "a record from the primary does not read: \(why)"
                }
            }
            return nil
        }
        if let failure { return .failure(StorageError(failure)) }
        return .success(entries)
    }

    /// A value as a protocol token (the password may hold spaces or quotes).
    static func quote(_ text: String) -> String {
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    /// `key=value` fields of a status line, read by the protocol's own tokenizer (values bare or
    /// quoted); empty when the line does not tokenize.
    static func fields(_ line: String) -> [String: String] {
        let tokens = (try? Tokenizer.tokenize(Array(line.utf8))) ?? []
        return Dictionary(tokens.compactMap { token in token.key.map { ($0, token.value) } }, uniquingKeysWith: { _, last in last })
    }
}

extension StandbyFollower {
    /// An empty data directory's first seed, before the server serves anything (protocol.md: a
    /// standby is `ready` once seeded): the primary's newest snapshot (if any), the archives it
    /// names (into `archives`, the archive folder) and its history. Retries until it has them; the
    /// records after the snapshot follow once the server runs. Returns false when a stop signal
    /// (SIGTERM, SIGINT) came first: nothing is served then.
    static func seedEmpty(_ link: StandbyLink, directory: DataDirectory, archives: String, fs: any FileSystem,
                          log: (String) -> Void) -> Bool {
        var backoff = 1_000
        while true {
            switch seedOnce(link, directory: directory, archives: archives, fs: fs) {
            case .success(let note):
                log(note)
                return true
            case .failure(let why):
                let wait = why.message.hasPrefix(loginRefusal) ? loginRetryMillis : why.refused ? refusedRetryMillis : backoff
                log("standby: cannot seed from \(link.address): \(why.message); retrying in \(wait / 1000) s")
                backoff = min(backoff * 2, 30_000)
                // The stop signals are blocked in every thread and taken here meanwhile.
                if let signal = Syscalls.waitForSignal(Syscalls.stopSignals, millis: wait) {
                    log("stopped on signal \(signal) before the seed")
                    return false
                }
            }
        }
    }

    private static func seedOnce(_ link: StandbyLink, directory: DataDirectory, archives: String,
                                 fs: any FileSystem) -> Result<String, LinkError> {
        let client: ClientLink
        do {
            client = try ClientLink.connect(host: link.host, port: link.port, caFile: link.caFile, timeoutMillis: connectMillis)
        } catch {
            return .failure(error)
        }
        defer { client.close() }
        do {
            try client.write(Array("AUTH \(quote(link.user)) \(quote(link.password))\r\nREPLICATE from=0 epoch=\"\" history=\"\"\r\n".utf8),
                             timeoutMillis: 10_000)
            let login = try client.readLine(maxLine: 8192, timeoutMillis: 10_000)
            guard login.hasPrefix("OK") else { return .failure(LinkError(message: "\(loginRefusal)\(link.user): \(login)", refused: true)) }
            let answer = try client.readLine(maxLine: 1 << 16, timeoutMillis: 30_000)
            let fields = fields(answer)
            guard answer.hasPrefix("OK "), fields["mode"] == "seed", let list = fields["history"],
                  let entries = EpochHistory.parse(list: list), !entries.isEmpty else {
                return .failure(LinkError(message: "REPLICATE: \(answer)", refused: true))
            }
            var input: [UInt8] = []
            var file: IncomingFile?
            var incoming: IncomingArchive?
            var stored = 0
            var seq: UInt64 = 0
            let deadline = monotonicMillis() + 3_600_000
            while monotonicMillis() < deadline {
                let bytes = try client.read(max: 1 << 20, timeoutMillis: StandbySender.silenceMillis)
                if bytes.isEmpty { return .failure(LinkError(message: "the primary was silent for 10 s while seeding", refused: false)) }
                input.append(contentsOf: bytes)
                var at = 0
                while case .frame(let frame, let consumed) = ReplicationFrame.parse(input[at...]) {
                    at += consumed
                    switch frame {
                    case .seedBegin(let s, _):
                        seq = s
                        if s > 0 { file = try IncomingFile(DataDirectory.snapshotName(s), in: directory.path, fs: fs) }
                    case .seedData(let chunk):
                        try file?.append(chunk)
                    case .archiveBegin(let name, let size, let checksum):
                        if let current = incoming { throw LinkError(message: "archive \(name) began before \(current.name) was whole", refused: false) }
                        incoming = try IncomingArchive(name: name, size: Int(clamping: size), checksum: checksum, in: archives, fs: fs)
                    case .archiveData(let chunk):
                        guard let current = incoming else { throw LinkError(message: "archive data without an archive", refused: false) }
                        if try current.take(chunk) {
                            incoming = nil
                            stored += 1
                        }
                    case .seedEnd:
                        if let current = incoming { throw LinkError(message: "the seed ended before archive \(current.name) was whole", refused: false) }
                        // The archives are durable already: the snapshot naming them goes in last.
                        try file?.finish()
                        try EpochHistory(entries: entries, standbyOf: link.address).store(directory, fs: fs)
                        return .success("standby: seeded from \(link.address) at seq \(seq) (epoch \(entries.last!.epoch))"
                                        + (stored > 0 ? " with \(stored) archive\(stored == 1 ? "" : "s")" : ""))
                    default:
                        break
                    }
                }
                input.removeFirst(at)
            }
            return .failure(LinkError(message: "seeding took more than an hour", refused: false))
        } catch let error as LinkError {
            return .failure(error)
        } catch let error as StorageError {
            return .failure(LinkError(message: "cannot write the seed: \(error.message)", refused: false))
        } catch let error as IncomingArchive.Failure {
            switch error {
            case .refused(let why): return .failure(LinkError(message: "the primary sent \(why)", refused: false))
            case .storage(let failure): return .failure(LinkError(message: "cannot write the seed's archives: \(failure.message)", refused: false))
            }
        } catch {
            return .failure(LinkError(message: "\(error)", refused: false))
        }
    }
}
