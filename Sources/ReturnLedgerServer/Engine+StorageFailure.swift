package import Dispatch
package import ReturnLedgerCore
import ReturnLedgerStorage

/// When the log fails (a full disk, an I/O error): changes are refused from then on, and the
/// state is reloaded from what the disk holds, so reads show nothing that was not stored. The
/// reload replays the log, which takes time proportional to it: it runs on the snapshot queue and
/// its state is swapped in on the writer queue. Reads that arrive meanwhile wait for it off the
/// writer (see `Reload`), so they too show only what the disk holds.
extension Engine {
    /// The reload in progress: reads wait on `done` and then answer from `ledger`.
    package final class Reload: @unchecked Sendable {
        package let done = DispatchGroup()
        /// Set before `done` is left; nil when the reload failed (then reads use memory).
        package var ledger: Ledger?
    }

    /// Changes cannot be stored.
    func storageRefusal() -> DomainError? {
        guard let failure = wal.failure else { return nil }
        return DomainError(.STORAGE, "changes cannot be stored (\(failure.message)); reads still work")
    }

    /// A read that arrives during the reload: answered off the writer once the reloaded state
    /// is there (at most a minute; then from memory).
    func afterReload(_ reload: Reload, _ answer: @escaping @Sendable (Ledger) -> Result<Reply, DomainError>) -> Execution {
        let memory = ledger
        return .deferred(DeferredReply(queue: readQueue) {
            _ = reload.done.wait(timeout: .now() + 60)
            return answer(reload.ledger ?? memory)
        })
    }

    /// The log's failure callback reloads asynchronously; work arriving first must not read
    /// state the disk does not hold, nor wait on a sequence that will never be durable.
    func noticeStorageFailure() {
        if !storageFailed, let failure = wal.failure { reloadAfterFailure(failure) }
    }

    func reloadAfterFailure(_ error: StorageError) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !storageFailed else { return }
        log("storage failed: \(error.message); refusing changes, serving reads from disk")
        storageFailed = true
        let reload = Reload()
        reload.done.enter()
        self.reload = reload
        let limit = wal.status.durableSeq
        let storage = self.storage, fs = self.fs
        snapshots.queue.async { [self] in
            let loaded: Ledger?
            do throws(StorageError) {
                var state = try Recovery.load(storage, fs: fs, repair: false, limit: limit, archives: shelf.replay).ledger
                state.archiveReach = ArchiveReach(shelf.records)
                loaded = state
            } catch {
                log("could not reload from disk (\(error.message)); serving reads from memory")
                loaded = nil
            }
            reload.ledger = loaded
            reload.done.leave()
            queue.async { [self] in
                if let loaded { ledger = loaded }
                self.reload = nil
            }
        }
    }
}
