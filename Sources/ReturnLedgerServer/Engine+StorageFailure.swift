import Dispatch
import ReturnLedgerCore
import ReturnLedgerStorage

/// When the log fails (a full disk, an I/O error): changes are refused from then on, and the
/// state is reloaded from what the disk holds, so reads show nothing that was not stored. The
/// reload replays the log, which takes time proportional to it: it runs on the snapshot queue and
/// its state is swapped in on the writer queue; reads are refused with STORAGE meanwhile.
extension Engine {
    /// Changes cannot be stored.
    func storageRefusal() -> DomainError? {
        guard let failure = wal.failure else { return nil }
        return DomainError(.STORAGE, "changes cannot be stored (\(failure.message)); reads still work")
    }

    /// Reads wait for the state from disk while it is reloaded.
    func readRefusal() -> DomainError? {
        reloading ? DomainError(.STORAGE, "storage failed; the state is being reloaded from disk, try again shortly") : nil
    }

    /// The log's failure callback reloads asynchronously; work arriving first must not read
    /// state the disk does not hold, nor wait on a sequence that will never be durable.
    func noticeStorageFailure() {
        if !storageFailed, let failure = wal.failure { reloadAfterFailure(failure) }
    }

    func reloadAfterFailure(_ error: StorageError) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !storageFailed else { return }
        Runner.log("storage failed: \(error.message); refusing changes, serving reads from disk")
        storageFailed = true
        reloading = true
        let limit = wal.status.durableSeq
        let storage = self.storage, fs = self.fs
        snapshots.queue.async { [self] in
            let loaded: Ledger?
            do throws(StorageError) {
                loaded = try Recovery.load(storage, fs: fs, repair: false, limit: limit).ledger
            } catch {
                Runner.log("could not reload from disk (\(error.message)); serving reads from memory")
                loaded = nil
            }
            queue.async { [self] in
                if let loaded { ledger = loaded }
                reloading = false
            }
        }
    }
}
