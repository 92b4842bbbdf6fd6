import CEpoll
import Dispatch
import ReturnLedgerStorage
import Synchronization

/// Something an event loop tells about its socket: the epoll event bits.
protocol EventHandler: AnyObject {
    func handle(events: UInt32)
    /// Called once the loop has gone through the current round of events and posted tasks, if
    /// the handler asked with `EventLoop.atRoundEnd`.
    func roundEnded()
}

/// One thread around `epoll_wait`, as in Redis: the connections it owns are read, parsed,
/// answered and written on this thread, with no hand-off per request. Other threads (the log's
/// flusher, crypt on a global queue, shutdown) reach a connection through `post`, which wakes the
/// loop with an eventfd.
///
/// ```
/// epoll_wait ─▶ handle(EPOLLIN) ─▶ Connection: read, parse, engine (sync), queue replies
///      ▲          handle(EPOLLOUT) ─▶ Connection: send what is left
///      │          posted tasks, then roundEnded() ─▶ Connection: send the queued replies
///      └── eventfd ◀── post { … } from any thread (durability reports, crypt results, deferred
///                      replies, shutdown); the log flusher's start is queued with `soon` on the
///                      loop thread itself and runs when the round's requests are in; `after`
///                      timers (the push router's next round) bound epoll's wait
/// ```
final class EventLoop: @unchecked Sendable {
    private let epfd: Int32
    private let wakeFD: Int32
    private let tasks = Mutex<[@Sendable () -> Void]>([])
    /// Loop thread only.
    private var handlers: [Int32: any EventHandler] = [:]
    /// Handlers waiting for the end of this round (connections with replies to send), and the
    /// spare list swapped in while they run. Loop thread only.
    private var roundEnd: [any EventHandler] = []
    private var roundEndSpare: [any EventHandler] = []
    /// The loop thread's id once it runs, to tell whether a caller is on it.
    private let loopThread = Atomic<UInt>(0)
    /// Tasks to run when this round ends, before the handlers' `roundEnded`. Loop thread only.
    private var roundEndTasks: [() -> Void] = []
    /// Tasks to run once the monotonic clock passes their deadline (µs). Loop thread only; a
    /// handful at most (the push router's next round), so a plain list.
    private var timers: [(deadline: Int, task: () -> Void)] = []
    /// "Durable up to N" for the connections on this loop; set by the server before it starts.
    var durability: DurabilityFanout!
    /// The watching sessions on this loop; set by the server before it starts.
    var pushes: PushRouter!
    /// Where connections on this loop read into, one at a time: what a read brings is framed
    /// before the next read. Loop thread only; lives as long as the loop.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)

    init() {
        (epfd, wakeFD) = Syscalls.epollWithWakeUp()
    }

    func start() {
        Syscalls.startThread("an event loop thread") { [self] in run() }
    }

    /// Runs `task` on the loop thread soon. Any thread.
    func post(_ task: @escaping @Sendable () -> Void) {
        let wasEmpty = tasks.withLock { list in
            list.append(task)
            return list.count == 1
        }
        if wasEmpty { Syscalls.wake(wakeFD) }
    }

    /// Runs `task` at the end of this round when called on the loop thread (no wake-up, no lock),
    /// else as `post` does. The log's flusher starts this way: after the round's requests are
    /// in, so one fdatasync covers them all.
    func soon(_ task: @escaping @Sendable () -> Void) {
        if loopThread.load(ordering: .relaxed) == Syscalls.currentThread() {
            roundEndTasks.append(task)
        } else {
            post(task)
        }
    }

    /// Runs `task` on the loop thread and waits for it. Never call it from the loop thread.
    /// Runs `task` on the loop thread, waits for it and returns what it gave.
    func sync<T: Sendable>(_ task: @escaping @Sendable () -> T) -> T {
        let result = Mutex<T?>(nil)
        sync { result.withLock { $0 = task() } }
        return result.withLock { $0! }
    }

    func sync(_ task: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        post {
            task()
            done.signal()
        }
        done.wait()
    }

    // Loop thread only from here on.

    func add(_ fd: Int32, _ handler: any EventHandler) {
        handlers[fd] = handler
        Syscalls.epollAdd(epfd, fd, events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
    }

    /// Which readiness the connection wants: reading (unless paused), writing (when output waits).
    func watch(_ fd: Int32, read: Bool, write: Bool) {
        var mask: UInt32 = 0
        if read { mask |= EPOLLIN.rawValue | EPOLLRDHUP.rawValue }
        if write { mask |= EPOLLOUT.rawValue }
        Syscalls.epollModify(epfd, fd, events: mask)
    }

    /// Runs `task` on the loop thread once `micros` microseconds have passed, in the round after.
    /// Loop thread only.
    func after(micros: Int, _ task: @escaping () -> Void) {
        timers.append((monotonicMicros() + micros, task))
    }

    /// How long epoll may wait: until the first timer is due, or for ever.
    private func waitMillis() -> Int32 {
        guard !timers.isEmpty else { return -1 }
        let first = timers.reduce(Int.max) { min($0, $1.deadline) }
        return Int32(clamping: max(0, (first - monotonicMicros() + 999) / 1000))
    }

    private func runDueTimers() {
        guard !timers.isEmpty else { return }
        let now = monotonicMicros()
        let due = timers.filter { $0.deadline <= now }
        guard !due.isEmpty else { return }
        timers.removeAll { $0.deadline <= now }
        for timer in due { timer.task() }
    }

    /// Calls `handler.roundEnded()` after every ready socket and posted task of this round was
    /// handled. Connections send their replies there, as Redis does before it sleeps: one
    /// round's replies leave together, so waking one client does not preempt the loop before the
    /// next ready client was served.
    func atRoundEnd(_ handler: any EventHandler) { roundEnd.append(handler) }

    func remove(_ fd: Int32) {
        Syscalls.epollRemove(epfd, fd)
        handlers[fd] = nil
    }

    private func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        loopThread.store(Syscalls.currentThread(), ordering: .relaxed)
        while true {
            let n = Syscalls.epollWait(epfd, into: events, capacity: capacity, timeoutMillis: waitMillis())
            for i in 0..<n {
                let fd = events[i].data.fd
                let mask = events[i].events
                if fd == wakeFD {
                    Syscalls.drainWake(wakeFD)
                    continue
                }
                // A handler may close (and remove) itself while we go through the list.
                handlers[fd]?.handle(events: mask)
            }
            let pending = tasks.withLock { list in
                let taken = list
                list.removeAll(keepingCapacity: true)
                return taken
            }
            for task in pending { task() }
            runDueTimers()
            // Tasks first (the flusher starts before replies go out), then the handlers; again
            // while either queued more, since nothing would wake the loop for them.
            while !roundEndTasks.isEmpty || !roundEnd.isEmpty {
                while !roundEndTasks.isEmpty {
                    let tasks = roundEndTasks
                    roundEndTasks.removeAll(keepingCapacity: true)
                    for task in tasks { task() }
                }
                swap(&roundEnd, &roundEndSpare)
                for handler in roundEndSpare { handler.roundEnded() }
                roundEndSpare.removeAll(keepingCapacity: true)
            }
        }
    }
}
