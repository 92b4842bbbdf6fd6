import Dispatch
import ReturnLedgerCore
package import ReturnLedgerStorage
import ReturnLedgerWire

/// The engine's part of a warm standby (protocol.md, A warm standby): a primary answers REPLICATE
/// (the history rules, then the link leaves the loop for a `StandbySender`); a standby takes the
/// primary's records (`applyReplicated`), refuses changes (`readOnly`) and may be promoted; a
/// superseded primary fences itself.
extension Engine {
    /// `ERR READONLY` for a command the standby (or a fenced primary) refuses, by its words alone.
    func readOnlyRefusal(_ request: Request) -> DomainError? {
        guard let readOnly, request.word.refusedOnStandby(sub: request.sub) else { return nil }
        return readOnly
    }

    static func standbyRefusal(primary: String) -> DomainError {
        DomainError(.READONLY, "primary=\(primary) this server is a standby: it serves reads; send changes to the primary")
    }

    static func fencedRefusal(_ fence: EpochHistory.Fence) -> DomainError {
        DomainError(.READONLY, "primary=\"\" superseded by epoch \(fence.epoch) at seq \(fence.seq)")
    }

    // MARK: - Primary

    func replicate(from: UInt64, epoch: String, history list: String, _ request: Request, session: Session,
                   _ context: Context) -> Execution {
        let empty = epoch.isEmpty && list.isEmpty && from == 0
        guard let entries = EpochHistory.parse(list: list) else {
            return .reply(.failure(DomainError(.INVALID, "history=\(list) is not a list of EPOCH:FIRST_SEQ:new|restore|promote")))
        }
        guard empty || EpochHistory.isEpoch(epoch) else {
            return .reply(.failure(DomainError(.INVALID, "epoch=\(epoch) is not 16 hex digits (\"\" only with from=0 history=\"\")")))
        }
        guard empty || entries.last?.epoch == epoch else {
            return .reply(.failure(DomainError(.INVALID, "epoch=\(epoch) is not the last of history=\(list)")))
        }
        let newest = wal.lastSeq
        let history = replication.history
        switch history.judge(from: from, epoch: epoch, list: entries, newest: newest) {
        case .refused(let why):
            try? commit([ledger.auditEvent(request.name, target: String(from), outcome: DomainError.Code.STATE.rawValue, context)], context)
            return .reply(.failure(DomainError(.STATE, why)))
        case .superseded(let superseding):
            fence(by: superseding)
            let fence = superseding
            return .reply(.failure(DomainError(.STATE, "superseded by epoch \(fence.epoch) at seq \(fence.seq): this server takes no more changes")))
        case .follow, .seed:
            guard replication.linkCount < Replication.maxLinks else {
                return .reply(.failure(DomainError(.LIMIT, "\(Replication.maxLinks) standbys are streaming already")))
            }
            var seed = empty, after = from
            var snapshot: String?
            var job: Snapshotter.Job?
            let oldest: UInt64
            do throws(StorageError) { oldest = try logReader.oldestStart() } catch {
                return .reply(.failure(DomainError(.STORAGE, "reading the log: \(error.message)")))
            }
            if empty || from < oldest {
                seed = true
                let existing = (try? storage.contents(fs).snapshots) ?? []
                if let newest = existing.last, newest.seq >= oldest {
                    after = newest.seq
                    snapshot = newest.name
                } else {
                    // None covers what is no longer kept (or none at all: a new shop): one now, so
                    // the standby starts from a state with its users in it, not from nothing.
                    let taken = snapshots.begin(ledger, wal: wal)
                    job = taken
                    after = taken.seq
                    snapshot = DataDirectory.snapshotName(taken.seq)
                }
            }
            if let refused = storageRefusal() { return .reply(.failure(refused)) }
            // The archives the seed's snapshot names: those committed at or before its seq (the
            // state only ever adds archives). Those committed after go before their records.
            let archives = seed && snapshot != nil ? ledger.archives.filter { $0.seq <= after } : []
            try? commit([ledger.auditEvent(request.name, target: String(from), outcome: "ok", context)], context)
            let reply = Reply(status: [Field("mode", seed ? "seed" : "stream"), Field("from", String(after)),
                                       Field("epoch", history.current), Field("history", history.list)])
            return .handoff(ReplicationStart(seed: seed, from: after, snapshot: snapshot, job: job, archives: archives, reply: reply))
        }
    }

    /// Rule 3: a promotion took over from this server. It records the fence (so a restart keeps
    /// it) and from now on writes nothing to its log.
    private func fence(by fence: EpochHistory.Fence) {
        var history = replication.history
        history.fence = fence
        do throws(StorageError) { try history.store(storage, fs: fs) } catch {
            log("cannot record the fence (\(error.message)): it holds until this server stops")
        }
        replication.state.withLock { $0.history = history }
        readOnly = Engine.fencedRefusal(fence)
        log("superseded by epoch \(fence.epoch) at seq \(fence.seq): refusing every change from now on (restart with --standby-of the new primary)")
    }

    // MARK: - Standby

    /// The standby now follows `history` (its primary's); called on the writer queue.
    func followed(_ history: EpochHistory) {
        replication.state.withLock { $0.history = history }
        readOnly = Engine.standbyRefusal(primary: replication.primaryAddress)
    }

    /// The primary's records, checked by the follower: the same bytes into this log, their events
    /// into the state. Writer queue.
    /// `archives`: the records of the archives these entries commit, read by the follower off
    /// this queue (`ArchiveReplay.records(of:)`); any not given are read here.
    package func applyReplicated(_ bytes: ArraySlice<UInt8>, entries: [LogEntry], last: UInt64,
                                 archives: [String: [ArchiveRecord]] = [:]) throws(StorageError) {
        dispatchPrecondition(condition: .onQueue(queue))
        if let failure = wal.failure { throw failure }
        let resolved = try resolve(entries, archives: archives)
        try wal.append(framed: bytes, last: last)
        var events = 0
        for batch in resolved {
            ledger.apply(batch)
            events += batch.count
            for case .archiveWritten(let entry) in batch { shelf.committed(entry) }
        }
        // Once the state holds the whole batch: a snapshot taken now is of `last`.
        snapshots.applied(events, engine: self)
    }

    /// The events `entries` bring, each `archive.written` with what its archive holds: read
    /// before anything is appended (the primary sent the file first), so a standby without the
    /// file, or with another one, stops here with its log and state as they were.
    ///
    /// A function of its own so that the scratch state an archive is resolved against is gone
    /// before the ledger is changed: while a second reference to the ledger's arrays lived, every
    /// batch copied them whole (copy-on-write), a cost that grew with the history and made a
    /// standby fall behind its primary.
    private func resolve(_ entries: [LogEntry], archives: [String: [ArchiveRecord]]) throws(StorageError) -> [[Event]] {
        let takesArchive = entries.contains { $0.events.contains { if case .archiveWritten = $0 { true } else { false } } }
        guard takesArchive else { return entries.map(\.events) }
        var resolved: [[Event]] = []
        var state = ledger
        for entry in entries {
            let events = try shelf.replay.resolved(entry.events, in: state, read: archives)
            if case .archiveWritten = events.first { state.apply(events) }
            resolved.append(events)
        }
        return resolved
    }

    /// A seed's snapshot is about to be put in place: what this directory held goes (every
    /// snapshot and segment, all before the seed), so the restart loads the seed alone.
    package func dropOlderThanSeed(_ seq: UInt64) throws(StorageError) {
        let contents = try storage.contents(fs)
        for segment in contents.segments { try fs.remove(storage.file(segment.name)) }
        for snapshot in contents.snapshots where snapshot.seq != seq { try fs.remove(storage.file(snapshot.name)) }
        try fs.syncDirectory(storage.path)
    }

    /// PROMOTE: stop following (off the writer: the follower may be waiting for it), then take
    /// over on the writer queue.
    func promote(_ context: Context) -> Execution {
        guard replication.role == .standby else {
            return .reply(.failure(DomainError(.STATE, "this server is a primary (epoch \(replication.epoch)); PROMOTE is for a standby")))
        }
        let follower = self.follower
        return .deferred(DeferredReply(queue: readQueue) { [self] in
            follower?.stop()
            return onQueue { promoteNow(context) }
        })
    }

    /// A new epoch from the next sequence, recorded durably before the server takes any change.
    func promoteNow(_ context: Context) -> Result<Reply, DomainError> {
        dispatchPrecondition(condition: .onQueue(queue))
        guard replication.role == .standby else { return .failure(DomainError(.STATE, "already promoted")) }
        wal.flush()
        if let failure = wal.failure { return .failure(DomainError(.STORAGE, "cannot promote: \(failure.message)")) }
        let since = wal.lastSeq + 1
        var history = replication.history.forked(at: since, by: .promote)
        history.fencing = history.standbyOf
        history.promotedFrom = history.standbyOf
        history.standbyOf = nil
        history.fence = nil
        do throws(StorageError) { try history.store(storage, fs: fs) } catch {
            return .failure(DomainError(.STORAGE, "cannot promote: \(error.message); still a standby (not following until restarted)"))
        }
        becomePrimary(history)
        let start = EpochStart(epoch: history.current, parent: history.parent, since: since, by: "promote")
        do throws(StorageError) {
            try commit([.epochStarted(start), ledger.auditEvent("PROMOTE", target: start.epoch, outcome: "ok", context)], context)
        } catch {
            return .failure(DomainError(.STORAGE, "promoted, but the epoch's record was not stored: \(error.message)"))
        }
        log("promoted: primary of epoch \(start.epoch) (parent \(start.parent)) from seq \(since)")
        startFencing()
        return .success(Reply(status: [Field("role", "primary"), Field("epoch", start.epoch), Field("parent", start.parent),
                                       Field("since", String(since))]))
    }

    /// Writer queue: this server now takes changes.
    func becomePrimary(_ history: EpochHistory) {
        replication.state.withLock { s in
            s.role = .primary
            s.history = history
        }
        readOnly = history.fence.map(Engine.fencedRefusal)
    }

    /// Start-up of a primary whose newest epoch began by a restore or a promotion and has no
    /// record yet (a crash came between the history and the record, or `--promote`, or a
    /// restore): the `epoch.started` record, first of the epoch.
    func recordEpochStartIfMissing() {
        dispatchPrecondition(condition: .onQueue(queue))
        let history = replication.history
        guard replication.role == .primary, let last = history.entries.last, last.start != .new,
              last.firstSeq == wal.lastSeq + 1 else { return }
        let context = Context(user: "system", role: .admin, peer: "local", now: now())
        let start = EpochStart(epoch: last.epoch, parent: history.parent, since: last.firstSeq, by: last.start.rawValue)
        try? commit([.epochStarted(start)], context)
    }

    /// The promoted server tells the primary it followed, every 10 s while it runs, until a
    /// REPLICATE with its history reaches it (which fences it: rule 3).
    func startFencing() {
        guard let target = replication.history.fencing else { return }
        guard let login = setting.standbyLogin else {
            log("cannot fence \(target): start with --standby-user (and RETURNLEDGER_STANDBY_PASSWORD) to have it told")
            return
        }
        DispatchQueue(label: "returnledger.fencer").async { [self] in
            while true {
                let history = replication.history
                guard history.fencing == target else { return }
                if tellSuperseded(target, login: login, history: history) {
                    var done = replication.history
                    done.fencing = nil
                    try? done.store(storage, fs: fs)
                    replication.state.withLock { $0.history.fencing = nil }
                    log("fenced \(target): it refuses changes from now on")
                    return
                }
                Syscalls.sleep(microseconds: 10_000_000)
            }
        }
    }

    /// One attempt; true once the old primary knows (it answered superseded, or is read-only).
    private func tellSuperseded(_ target: String, login: StandbyLink, history: EpochHistory) -> Bool {
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else { return false }
        var host = String(target[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let client = try? ClientLink.connect(host: host, port: port, caFile: login.caFile, timeoutMillis: 5_000) else { return false }
        defer { client.close() }
        let seq = wal.status.lastSeq
        let lines = "AUTH \(StandbyFollower.quote(login.user)) \(StandbyFollower.quote(login.password))\r\n"
            + "REPLICATE from=\(seq) epoch=\(history.current) history=\(history.list)\r\n"
        guard (try? client.write(Array(lines.utf8), timeoutMillis: 10_000)) != nil,
              let auth = try? client.readLine(maxLine: 8192, timeoutMillis: 10_000), auth.hasPrefix("OK"),
              let answer = try? client.readLine(maxLine: 8192, timeoutMillis: 10_000) else { return false }
        return answer.hasPrefix("ERR STATE superseded") || answer.hasPrefix("ERR READONLY")
    }

    /// FEED's `epoch=`: the current epoch, or one this history left after seq L with from ≤ L.
    func feedEpochRefusal(_ epoch: String?, from: UInt64) -> DomainError? {
        guard let epoch else { return nil }
        let history = replication.history
        if epoch == history.current { return nil }
        if let index = history.entries.dropLast().firstIndex(where: { $0.epoch == epoch }) {
            let left = history.entries[index + 1].firstSeq - 1
            if from <= left { return nil }
            return DomainError(.STATE, "epoch \(epoch) was left after seq \(left); from=\(from) is past the fork: read again from seq \(left) or earlier")
        }
        return DomainError(.STATE, "epoch \(epoch) is not in this server's history (\(history.list))")
    }
}
