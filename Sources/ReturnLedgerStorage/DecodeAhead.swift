import Dispatch
import Synchronization

/// Batches handed from a thread that decodes to the thread that applies them, at most `depth`
/// waiting: start-up replays a long log on both cores, one reading and checking records while
/// the other folds them into the state. `nil` ends the stream.
final class DecodeAhead<Item: Sendable>: Sendable {
    private let free: DispatchSemaphore
    private let filled = DispatchSemaphore(value: 0)
    private let batches = Mutex<[[Item]?]>([])

    init(depth: Int) { free = DispatchSemaphore(value: depth) }

    /// Waits for room, then hands a batch (or the end) over.
    func put(_ batch: [Item]?) {
        free.wait()
        batches.withLock { $0.append(batch) }
        filled.signal()
    }

    /// Waits for the next batch; nil at the end.
    func take() -> [Item]? {
        filled.wait()
        let batch = batches.withLock { $0.removeFirst() }
        free.signal()
        return batch
    }
}

/// What the decoding side reports when it is done.
final class Handover<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    func set(_ v: Value) { value.withLock { $0 = v } }
    func get() -> Value? { value.withLock { $0 } }
}
