import Dispatch
import ReturnLedgerCore
import ReturnLedgerStorage

/// FEED (section 15): durable changes after a sequence, read from the log files off the writer
/// queue, formatted against an O(1) copy of the state, and long-polled on the durable sequence.
extension Engine {
    func feed(from: UInt64, limit: Int, wait: Int, _ context: Context) -> Execution {
        if let refused = memoryRefusal("FEED") { return .reply(.failure(refused)) }
        let newest = wal.lastSeq
        guard from <= newest else {
            return .reply(.failure(DomainError(.INVALID, "from=\(from) is past the newest change, \(newest)")))
        }
        return .deferred(DeferredReply(queue: readQueue) { [self] in
            let deadline = monotonicMillis() + wait * 1000
            var next = from
            var lines: [[Field]] = []
            do throws(LogReader.Failure) {
                // Records with nothing to show (a login, an audit entry) move `next` on; a long
                // poll goes on waiting past them until a change to show or the deadline.
                repeat {
                    let left = max(0, (deadline - monotonicMillis() + 999) / 1000)
                    let durable = durableSignal.wait(after: next, seconds: lines.isEmpty && next == from ? wait : left)
                    // The state after the wait, so every record read has its return in it.
                    let state = onQueue { ledger }
                    next = try logReader.read(after: next, upTo: durable) { seq, entry in
                        lines += state.feedLines(seq: seq, at: entry.at, actor: entry.actor, events: entry.events)
                        return lines.count < limit  // a page never splits a sequence: it may pass the limit to end one
                    }
                } while lines.isEmpty && wait > 0 && monotonicMillis() < deadline
                return .success(Reply(status: [Field("next", String(next)), Field("epoch", epoch)], lines: lines))
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
