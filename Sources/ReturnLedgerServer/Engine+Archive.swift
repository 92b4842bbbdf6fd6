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
        do {
            try commit([ledger.auditEvent(request.name, target: target, outcome: "ok", context)], context)
        } catch {
            return .reply(.failure(DomainError(.STORAGE, error.message)))
        }
        shelf.touches = ArchiveTouches()
        let copy = ledger, takenAt = now(), number = ledger.archives.count + 1, epoch = replication.epoch
        let name = ArchiveEntry.name(through: through, number: number)
        return .deferred(DeferredReply(queue: shelf.queue) { [self] in
            let selection = copy.archiveSelection(through: through, purchasesAll: purchasesAll, at: takenAt)
            if selection.isEmpty {
                onQueue { shelf.touches = nil }
                return .success(Reply(status: [Field("archive", ""), Field("through", target)] + ArchiveCounts().fields
                                      + [Field("bytes", "0"), Field("seq", "")]))
            }
            let written: ArchiveFile.Written
            do throws(StorageError) {
                let records = ArchiveRecord.records(selection, of: copy)
                written = try ArchiveFile.write(records, header: ArchiveHeader(epoch: epoch, through: through, number: number, takenAt: takenAt),
                                                name: name, in: shelf.directory, fs: fs)
            } catch {
                shelf.discard(name)
                onQueue { shelf.touches = nil }
                return .failure(DomainError(.ARCHIVE, "\(name) could not be written: \(error.message); nothing archived, changes go on"))
            }
            if shelf.stopAfter == .fileWritten { return .failure(DomainError(.INTERNAL, "stopped after \(name) was written")) }
            let committed: Result<ArchiveEntry, DomainError> = onQueue {
                let touched = shelf.touches
                shelf.touches = nil
                if let touched, let changed = touched.conflict(with: selection, in: ledger) {
                    return .failure(DomainError(.STATE, "\(changed) changed while \(name) was written; nothing archived"))
                }
                if let refused = readOnly ?? storageRefusal() { return .failure(refused) }
                let entry = ArchiveEntry(name: name, through: through, number: number, takenAt: takenAt, purchasesAll: purchasesAll,
                                         counts: written.header.counts, bytes: written.bytes, checksum: written.checksum,
                                         seq: wal.lastSeq + 1, taken: selection)
                var now = context
                now.now = self.now()
                do throws(StorageError) {
                    try commit([.archiveWritten(entry)], now)
                } catch {
                    return .failure(DomainError(.STORAGE, error.message))
                }
                shelf.committed(entry)
                log("archive \(name) through \(target) written: \(entry.counts.returns) returns, \(entry.bytes) bytes, seq \(entry.seq)")
                return .success(entry)
            }
            switch committed {
            case .failure(let error):
                shelf.discard(name)
                return .failure(error)
            case .success(let entry):
                if shelf.stopAfter == .recordAppended { return .failure(DomainError(.INTERNAL, "stopped after \(name)'s record")) }
                wal.flush()
                if let failure = wal.failure {
                    return .failure(DomainError(.STORAGE, "\(name)'s record could not be made durable: \(failure.message)"))
                }
                return .success(Reply(status: entry.summaryFields))
            }
        })
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
