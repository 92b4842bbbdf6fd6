import Synchronization

/// "Durable up to N", from the log to the connections of one event loop: the log's flusher
/// reports each advance once (`report`, any thread), the loop hears of it with one wake-up however
/// many connections wait, and releases them in the order they asked, which is the order of their
/// sequences (the writer hands out sequences in the order a loop's batches reach it).
/// Later features that act on what is durable (push lines, the change feed) `subscribe` here.
///
/// ```
/// flusher: fdatasync ─▶ report(seq) ─▶ one loop.post ─▶ advance: waiters ≤ seq, then subscribers
/// ```
final class DurabilityFanout: @unchecked Sendable {
    private unowned let loop: EventLoop
    /// Written by the flusher, read by the loop: the newest report and whether a wake-up for it
    /// is already posted, so a burst of fsyncs costs one post.
    private let reported = Mutex<(seq: UInt64, failed: Bool, posted: Bool, local: UInt64)>((0, false, false, 0))
    /// `--sync-standby`: the log's own durable sequence is reported apart (`reportLocal`), for
    /// the replies that wait for it alone. Without it both are the one sequence. Set before start.
    var separateLocal = false

    // Loop thread only.
    private var durable: UInt64 = 0
    private var failed = false
    private var waiters: [(seq: UInt64, done: (Bool) -> Void)] = []
    private var head = 0
    private var subscribers: [(UInt64) -> Void] = []
    private var local: UInt64 = 0
    private var localWaiters: [(seq: UInt64, done: (Bool) -> Void)] = []

    /// `gated`: where the replies' sequence starts (below `durable` under `--sync-standby` after a
    /// restart: what the log holds is not yet known to be on the standbys).
    init(loop: EventLoop, durable: UInt64, gated: UInt64? = nil) {
        self.loop = loop
        self.durable = gated ?? durable
        self.local = durable
        reported.withLock { $0.seq = gated ?? durable; $0.local = durable }
    }

    /// From the log: everything up to `seq` is durable (or, with `failed`, nothing more will be).
    func report(durable seq: UInt64, failed: Bool = false) {
        record(failed) { $0.seq = max($0.seq, seq) }
    }

    /// From the log under `--sync-standby`: everything up to `seq` is durable here.
    func reportLocal(durable seq: UInt64, failed: Bool = false) {
        record(failed) { $0.local = max($0.local, seq) }
    }

    /// Notes a report and posts one wake-up for however many come before the loop takes them.
    @inline(__always)
    private func record(_ failed: Bool, _ update: (inout (seq: UInt64, failed: Bool, posted: Bool, local: UInt64)) -> Void) {
        let post = reported.withLock { r -> Bool in
            update(&r)
            r.failed = r.failed || failed
            defer { r.posted = true }
            return !r.posted
        }
        if post { loop.post { [self] in advance() } }
    }

    /// Loop thread: as `wait`, for a reply that waits for this server's log alone (a login, INFO).
    func waitLocal(for seq: UInt64, _ done: @escaping (Bool) -> Void) {
        guard separateLocal else { return wait(for: seq, done) }
        if seq <= local || seq <= durable { done(true); return }
        if failed { done(false); return }
        localWaiters.append((seq, done))
    }

    /// Loop thread: as `settled`, for this server's log alone.
    func settledLocal(_ seq: UInt64) -> Bool? {
        guard separateLocal else { return settled(seq) }
        if seq <= local || seq <= durable { return true }
        return failed ? false : nil
    }

    /// Loop thread: true when `seq` is durable, false when the log failed before it was, nil
    /// while it is still to come (then `wait`).
    func settled(_ seq: UInt64) -> Bool? {
        if seq <= durable { return true }
        return failed ? false : nil
    }

    /// Loop thread: calls `done(true)` once `seq` is durable, `done(false)` if the log fails first.
    func wait(for seq: UInt64, _ done: @escaping (Bool) -> Void) {
        if seq <= durable { done(true); return }
        if failed { done(false); return }
        waiters.append((seq, done))
    }

    /// Loop thread: everything up to this is durable.
    var durableSeq: UInt64 { durable }

    /// Loop thread: `hook` runs after every advance, with the new durable sequence.
    func subscribe(_ hook: @escaping (UInt64) -> Void) { subscribers.append(hook) }

    private func advance() {
        let (seq, didFail, localSeq) = reported.withLock { r -> (UInt64, Bool, UInt64) in
            r.posted = false
            return (r.seq, r.failed, r.local)
        }
        if localSeq > local || seq > local {
            local = max(localSeq, seq)
            if !localWaiters.isEmpty {
                let ready = localWaiters.filter { $0.seq <= local }
                localWaiters.removeAll { $0.seq <= local }
                for waiter in ready { waiter.done(true) }
            }
        }
        if seq > durable {
            durable = seq
            while head < waiters.count, waiters[head].seq <= seq {
                waiters[head].done(true)
                head += 1
            }
            if head > 1024, head * 2 > waiters.count {
                waiters.removeFirst(head)
                head = 0
            }
            for hook in subscribers { hook(seq) }
        }
        if didFail, !failed {
            failed = true
            let left = waiters[head...] + localWaiters[...]
            waiters = []
            localWaiters = []
            head = 0
            for waiter in left { waiter.done(false) }
        }
    }
}
