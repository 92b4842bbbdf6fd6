import Dispatch
import ReturnLedgerCore
import ReturnLedgerStorage
import ReturnLedgerWire

/// ARCHIVE (protocol.md, Years of history): the checks on the writer, then the selection and the
/// file off it from an O(1) copy of the state taken at T, then the commit (`archive.written`) on
/// the writer again, refused if a record taken changed since T. The reply waits until file and
/// record are durable; no other client waits on the file.
extension Engine {
    func archive(through: CivilDate, purchasesAll: Bool, _ request: Request, _ context: Context) -> Execution {
        let target = through.description
        func refuse(_ error: DomainError) -> Execution {
            try? commit([ledger.auditEvent(request.name, target: target, outcome: error.code.rawValue, context)], context)
            return .reply(.failure(error))
        }
        // Every store's history: an admin of some stores may not archive.
        guard context.scope == .everywhere else {
            return refuse(DomainError(.DENIED, "ARCHIVE is for an admin of every location (yours: \(context.scope.text))"))
        }
        if let refused = storageRefusal() { return .reply(.failure(refused)) }
        guard let closed = ledger.closedThrough, through.daysSinceEpoch <= closed else {
            let closedText = ledger.closedThrough.map { CivilDate(daysSinceEpoch: $0).description } ?? "none"
            return refuse(DomainError(.STATE, "\(target) is not closed (closed_through=\(closedText)): only closed periods are archived"))
        }
        if let newest = ledger.archives.last, through < newest.through {
            return refuse(DomainError(.STATE, "\(target) is before the newest archive's through=\(newest.through)"))
        }
        guard shelf.touches == nil else { return refuse(DomainError(.STATE, "an ARCHIVE is running; try again when it ends")) }
        shelf.touches = ArchiveTouches()
        let copy = ledger, takenAt = now(), number = ledger.archives.count + 1, epoch = replication.epoch
        let name = ArchiveEntry.name(through: through, number: number)
        return .deferred(DeferredReply(queue: shelf.queue) { [self] in
            // The outcome is audited when it is known, in the record that commits the archive.
            let finish = { (events: [Event], outcome: String) throws(StorageError) in
                var at = context
                at.now = self.now()
                try self.commit(events + [self.ledger.auditEvent(request.name, target: target, outcome: outcome, at)], at)
            }
            let failed = { (error: DomainError, discard: Bool) -> Result<Reply, DomainError> in
                if discard { self.shelf.discard(name) }
                self.onQueue {
                    self.shelf.touches = nil
                    try? finish([], error.code.rawValue)
                }
                return .failure(error)
            }
            let selection = copy.archiveSelection(through: through, purchasesAll: purchasesAll, at: takenAt)
            if selection.isEmpty {
                let logged: StorageError? = onQueue {
                    shelf.touches = nil
                    do throws(StorageError) { try finish([], "ok") } catch { return error }
                    return nil
                }
                if let logged { return .failure(DomainError(.STORAGE, logged.message)) }
                return .success(Reply(status: [Field("archive", ""), Field("through", target)] + ArchiveCounts().fields
                                      + [Field("bytes", "0"), Field("seq", "")]))
            }
            // A file of that name is another data directory's (a shared or reused --archive-dir):
            // never written over.
            if (try? fs.readFileSize(shelf.replay.path(name))) != nil {
                return failed(DomainError(.ARCHIVE, "\(shelf.replay.path(name)) is there already and no record of this data directory "
                                          + "names it: another data directory's archive? nothing archived, changes go on"), false)
            }
            let written: ArchiveFile.Written
            do throws(StorageError) {
                let records = ArchiveRecord.records(selection, of: copy)
                // Paced on the real disk, as a backup is (the simulation's disk and the fault-injecting
                // one are used as they are): hundreds of megabytes left to the kernel's write-back in
                // bursts held tills' replies 10-25 ms, 4-14 times an ARCHIVE of 1M returns; paced,
                // 1-5 times (tools/archive_stall.sh, four runs each). The write takes ~10% longer.
                let paced: any FileSystem = fs is PosixFileSystem ? PacedFileSystem(fs) : fs
                written = try ArchiveFile.write(records, header: ArchiveHeader(epoch: epoch, through: through, number: number, takenAt: takenAt),
                                                name: name, in: shelf.directory, fs: paced)
            } catch {
                return failed(DomainError(.ARCHIVE, "\(name) could not be written: \(error.message); nothing archived, changes go on"), true)
            }
            if shelf.stopAfter == .fileWritten { return .failure(DomainError(.INTERNAL, "stopped after \(name) was written")) }
            // What walks the whole selection is done here, not on the writer: its commit stays short.
            let takenLots = Set(selection.lots.values.joined()), held = selection.heldBytes
            let committed: Result<ArchiveEntry, DomainError> = onQueue {
                if let touched = shelf.touches, let changed = touched.conflict(with: selection, in: ledger, takenLots: takenLots) {
                    return .failure(DomainError(.STATE, "\(changed) changed while \(name) was written; nothing archived"))
                }
                if let refused = readOnly ?? storageRefusal() { return .failure(refused) }
                shelf.touches = nil
                let entry = ArchiveEntry(name: name, through: through, number: number, takenAt: takenAt, purchasesAll: purchasesAll,
                                         counts: written.header.counts, bytes: written.bytes, checksum: written.checksum,
                                         seq: wal.lastSeq + 1, taken: selection)
                do throws(StorageError) {
                    try finish([.archiveWritten(entry)], "ok")
                } catch {
                    return .failure(DomainError(.STORAGE, error.message))
                }
                shelf.committed(entry, heldBytes: held)
                log("archive \(name) through \(target) written: \(entry.counts.returns) returns, \(entry.bytes) bytes, seq \(entry.seq)")
                // The contract's last step: a snapshot, so no start-up reads the archive back (when
                // snapshots are taken by themselves; the simulation takes its own).
                snapshots.soon(engine: self)
                return .success(entry)
            }
            let entry: ArchiveEntry
            switch committed {
            case .failure(let error): return failed(error, true)
            case .success(let done): entry = done
            }
            // What it adds to STATS by=disposition|supplier, from the copy while its returns are
            // still in memory: the first such STATS reads nothing back.
            copy.keepHeldTotals(of: entry)
            if shelf.stopAfter == .recordAppended { return .failure(DomainError(.INTERNAL, "stopped after \(name)'s record")) }
            if let unconfirmed = waitDurable(entry.seq) { return .failure(unconfirmed) }
            return .success(Reply(status: entry.summaryFields))
        })
    }

    /// Waits, off the writer, until `seq` is durable as a reply promises (under `--sync-standby`:
    /// at the standbys too; durableSignal advances past the sync gate). Nil once it is.
    func waitDurable(_ seq: UInt64) -> DomainError? {
        wal.flush()
        // Without standbys to wait for, the log's own durable sequence says it.
        while (syncing ? durableSignal.durable : wal.status.durableSeq) < seq {
            if let failure = wal.failure {
                return DomainError(.STORAGE, "seq \(seq) could not be made durable: \(failure.message)")
            }
            durableSignal.wait(after: durableSignal.durable, seconds: 1)
        }
        return nil
    }

    /// VERIFY with archives: each archive read whole against its checksum (a good copy put back
    /// counts as whole again), then the chain through archived and live documents.
    func verifyWithArchives(_ query: Query, _ context: Context) -> Execution {
        let copy = ledger
        return .deferred(DeferredReply(queue: readQueue) { [self] in
            let found = shelf.verify(copy.archives)
            queue.async { [self] in shelf.record(found) }
            for (_, status) in found {
                switch status {
                case .ok: continue
                case .damaged(let why), .missing(let why): return .failure(DomainError(.ARCHIVE, why))
                }
            }
            do throws(DomainError) { return .success(try copy.query(query, context)) } catch { return .failure(error) }
        })
    }
}
