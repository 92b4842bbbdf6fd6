import Dispatch
@testable import ReturnLedgerServer
import Synchronization
import Testing

/// The log's one "durable up to N" report per fsync, fanned out on the event loop.
/// Runs `task` on the loop and waits for it, at most 10 s (a failed wait is a failed test).
private func onLoop(_ loop: EventLoop, _ task: @escaping @Sendable () -> Void) {
    let done = DispatchSemaphore(value: 0)
    loop.post {
        task()
        done.signal()
    }
    #expect(done.wait(timeout: .now() + 10) == .success)
}

@Suite struct DurabilityFanoutTests {
    @Test func oneReportReleasesEveryWaiterUpToItInOrderAndTellsSubscribers() throws {
        let loop = EventLoop()
        loop.start()
        let fanout = DurabilityFanout(loop: loop, durable: 0)
        let released = Mutex<[(UInt64, Bool)]>([])
        let heard = Mutex<[UInt64]>([])
        let three = DispatchSemaphore(value: 0), all = DispatchSemaphore(value: 0), failed = DispatchSemaphore(value: 0)
        onLoop(loop) {
            fanout.subscribe { seq in heard.withLock { $0.append(seq) } }
            for seq in UInt64(1)...5 {
                fanout.wait(for: seq) { ok in
                    released.withLock { $0.append((seq, ok)) }
                    if seq == 3 { three.signal() }
                    if seq == 5 { all.signal() }
                }
            }
        }
        fanout.report(durable: 3)
        #expect(three.wait(timeout: .now() + 10) == .success)
        onLoop(loop) {}  // the advance that released 3 has finished
        #expect(released.withLock { $0.map(\.0) } == [1, 2, 3])
        #expect(heard.withLock { $0 } == [3])
        fanout.report(durable: 4)
        fanout.report(durable: 5)  // two reports before the loop runs: one or two advances, never out of order
        #expect(all.wait(timeout: .now() + 10) == .success)
        #expect(released.withLock { $0.map(\.0) } == [1, 2, 3, 4, 5])
        #expect(released.withLock { $0.allSatisfy(\.1) })
        onLoop(loop) {}
        #expect(heard.withLock { $0.last } == 5)
        // Already durable: at once. After a failure: false, also for later waiters.
        let now = Mutex(false)
        onLoop(loop) { fanout.wait(for: 2) { ok in now.withLock { $0 = ok } } }
        #expect(now.withLock { $0 })
        let outcomes = Mutex<[Bool]>([])
        onLoop(loop) { fanout.wait(for: 9) { ok in outcomes.withLock { $0.append(ok) }; failed.signal() } }
        fanout.report(durable: 5, failed: true)
        #expect(failed.wait(timeout: .now() + 10) == .success)
        onLoop(loop) { fanout.wait(for: 10) { ok in outcomes.withLock { $0.append(ok) } } }
        #expect(outcomes.withLock { $0 } == [false, false])
    }
}
