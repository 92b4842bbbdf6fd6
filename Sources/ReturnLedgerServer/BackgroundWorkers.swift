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
    /// Backups: encoding the whole state takes a core for seconds and its writes fill the disk's
    /// queue, so both the CPU and the I/O this thread asks for come last (see `PacedFileSystem`).
    /// On a machine kept busy without pause a backup waits for a gap; it is never skipped.
    static let backups = BackgroundWorkers(threads: 1, idleIO: true)

    /// `idleIO`: the threads' own I/O in the idle class too (their write-backs and fsyncs).
    init(threads: Int, idleIO: Bool = false) {
        for _ in 0..<threads {
            Syscalls.startThread("a background thread", detached: true) { [self] in
                // SCHED_IDLE: only what nothing else wants (nice 10 if the kernel refuses).
                Syscalls.makeThisThreadIdle(orNice: BackgroundWorkers.nice)
                if idleIO { Syscalls.makeThisThreadsIOIdle() }
                run()
            }
        }
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        ready.signal()
    }

    /// Runs `job` on one of these threads and waits for what it returns (a backup, from the
    /// backup queue: that queue keeps backups one at a time, this thread keeps them last).
    func run<T: Sendable>(_ job: @escaping @Sendable () -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        submit {
            let value = job()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }

    private func run() -> Never {
        while true {
            ready.wait()
            let job = jobs.withLock { $0.removeFirst() }
            job()
        }
    }
}
