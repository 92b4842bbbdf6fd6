import Dispatch
import ReturnLedgerCore
import ReturnLedgerStorage

/// FEED: durable changes after a sequence, read from the log files off the writer
/// queue, formatted against an O(1) copy of the state, and long-polled on the durable sequence.
extension Engine {
    func feed(from: UInt64, limit: Int, wait: Int, epoch: String?, _ context: Context) -> Execution {
        if let refused = memoryRefusal("FEED") { return .reply(.failure(refused)) }
        if let refused = feedEpochRefusal(epoch, from: from) { return .reply(.failure(refused)) }
        let newest = wal.lastSeq
        guard from <= newest else {
            return .reply(.failure(DomainError(.INVALID, "from=\(from) is past the newest change, \(newest)")))
        }
        // A long poll waits on the read pool (blocking is what its threads are for); reading,
        // formatting and encoding the page then run on the low-priority workers, so an exporter
        // catching up flat out does not slow the tills.
        let schedule: @Sendable (@escaping @Sendable () -> Void) -> Void = { [readQueue, durableSignal, feedWorkers, logReader] job in
            if wait == 0 {
                feedWorkers.submit(job)
            } else {
                readQueue.async {
                    // Until a change with something to show is durable: records without a line
                    // (a login, an audit entry) are looked past, not answered with an empty page.
                    let deadline = monotonicMillis() + wait * 1000
                    var seen = from
                    while true {
                        let left = (deadline - monotonicMillis() + 999) / 1000
                        guard left > 0 else { break }
                        durableSignal.wait(after: seen, seconds: left)
                        let durable = durableSignal.durable
                        guard durable > seen else { break }  // the wait ran out
                        var shows = false
                        do throws(LogReader.Failure) {
                            seen = try logReader.read(after: seen, upTo: durable, remember: false) { _, entry in
                                shows = Ledger.showsInFeed(entry.events)
                                return !shows
                            }
                        } catch {
                            break  // the page reports it
                        }
                        if shows { break }
                    }
                    feedWorkers.submit(job)
                }
            }
        }
        return .deferred(DeferredReply(schedule: schedule) { [self] in
            var lines: [[Field]] = []
            var unreadable: DomainError?  // a return its records name, archived and not readable
            do throws(LogReader.Failure) {
                // The durable sequence first, then the facts: the state already holds every record
                // up to it, so each one read has its return in them.
                // The log's own figure too: it moves before the signal (the log answers the waiting
                // replies first), so a client that got OK for a change finds it here at once.
                // Under --sync-standby the signal alone: what N standbys also hold.
                let durable = syncing ? durableSignal.durable : max(durableSignal.durable, wal.status.durableSeq)
                let facts = onQueue { ledger.feedFacts }
                let next = try logReader.read(after: from, upTo: durable) { seq, entry in
                    do throws(DomainError) {
                        lines += try Ledger.feedLines(seq: seq, at: entry.at, actor: entry.actor, events: entry.events, facts: facts)
                    } catch {
                        unreadable = error
                        return false
                    }
                    return lines.count < limit  // a page never splits a sequence: it may pass the limit to end one
                }
                if let unreadable { return .failure(unreadable) }
                return .success(Reply(status: [Field("next", String(next)), Field("epoch", replication.epoch)], lines: lines))
            } catch {
                switch error {
                case .gone(let oldest):
                    return .failure(DomainError(.STATE, "changes up to \(oldest) are no longer on disk (--log-keep); FEED from=\(oldest) or later"))
                case .storage(let failure):
                    return .failure(DomainError(.STORAGE, "reading the log: \(failure.message)"))
                }
            }
        })
    }
}
