import Dispatch
import Synchronization

/// Threads of their own at the lowest scheduling class (SCHED_IDLE; nice 10 where refused), for
/// work that may take a core while it runs but must not slow the tills: FEED pages, read,
/// formatted and encoded flat out by an exporter catching up. A thread of the writer or the event
/// loop that wakes takes the core from them at once; on an idle machine the pages go as fast as
/// ever. Measured (issue 12): RETURN+APPROVE with a reader flat out, server on a core of its own,
/// 1.06x of without at the median of 8 rounds (summed 1.03x) against 0.92x (0.95x) at nice 10,
/// the reader getting 24k against 36k lines a second meanwhile. Jobs run in the order given.
final class BackgroundWorkers: Sendable {
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let ready = DispatchSemaphore(value: 0)
    static let nice: Int32 = 10
    /// FEED's pages, for the process: started when the first page is asked for (an engine made
    /// again and again, as the simulation does, must not leave two threads behind each time).
    static let feed = BackgroundWorkers(threads: 2)

    init(threads: Int) {
        for _ in 0..<threads {
            Syscalls.startThread("a background thread", detached: true) { [self] in
                // SCHED_IDLE: only what nothing else wants (nice 10 if the kernel refuses).
                Syscalls.makeThisThreadIdle(orNice: BackgroundWorkers.nice)
                run()
            }
        }
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        ready.signal()
    }

    private func run() -> Never {
        while true {
            ready.wait()
            let job = jobs.withLock { $0.removeFirst() }
            job()
        }
    }
}
