import Synchronization

/// One sample of what every connection holds queued, summed as each loop reports its
/// connections, and published to INFO once every loop has (INFO's memory section).
final class QueueSample: Sendable {
    private struct Tally {
        var figures = ServerCounters.QueueFigures()
        var loopsLeft: Int
    }

    private let tally: Mutex<Tally>
    private let counters: ServerCounters

    init(loops: Int, counters: ServerCounters) {
        tally = Mutex(Tally(loopsLeft: loops))
        self.counters = counters
    }

    func add(_ c: (input: Int, output: Int, pushes: Int, held: Int)) {
        tally.withLock { t in
            t.figures.input += c.input
            t.figures.output += c.output
            t.figures.pushes += c.pushes
            t.figures.largestQueue = max(t.figures.largestQueue, c.input + c.output + c.pushes)
            t.figures.largestHeld = max(t.figures.largestHeld, c.held)
        }
    }

    /// A loop has reported all its connections (its posted tasks run in order).
    func loopDone() {
        let finished: ServerCounters.QueueFigures? = tally.withLock { t in
            t.loopsLeft -= 1
            return t.loopsLeft == 0 ? t.figures : nil
        }
        if let finished { counters.sampled(finished) }
    }
}
