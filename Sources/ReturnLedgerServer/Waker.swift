import CEpoll
import Glibc
import Synchronization

/// Wakes a replication link's thread from its poll(2) when there is something new to send: the
/// log fsynced more records (a primary's link sends them, a standby's link acknowledges them).
/// An eventfd, so the thread waits on its socket and this at once, with no polling interval
/// between an fsync and the bytes that follow it.
final class Waker: @unchecked Sendable {
    let fd: Int32

    init() { fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }
    deinit { Glibc.close(fd) }

    func signal() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { Glibc.write(fd, $0.baseAddress, 8) }
    }

    /// Clears what was signalled (after the poll that saw it).
    func drain() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { Glibc.read(fd, $0.baseAddress, 8) }
    }

    /// Waits until `socket` is readable (or writable, with `write`), this is signalled, or
    /// `millis` pass. Returns what the socket is ready for.
    func wait(socket: Int32, write: Bool, millis: Int) -> (readable: Bool, writable: Bool, woken: Bool) {
        var fds = [pollfd(fd: socket, events: Int16(POLLIN) | (write ? Int16(POLLOUT) : 0), revents: 0),
                   pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        let n = poll(&fds, 2, Int32(max(0, millis)))
        guard n > 0 else { return (false, false, false) }
        let r = fds[0].revents
        let woken = fds[1].revents & Int16(POLLIN) != 0
        if woken { drain() }
        return (r & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0, r & Int16(POLLOUT) != 0, woken)
    }
}

/// The wakers of a primary's standby links: the log's fsync report signals them all.
final class WakerSet: Sendable {
    private let wakers = Mutex<[Int: Waker]>([:])
    /// How many there are: a primary without standbys pays one atomic load per fsync.
    private let count = Atomic<Int>(0)

    func add(_ id: Int, _ waker: Waker) {
        wakers.withLock { $0[id] = waker }
        count.add(1, ordering: .relaxed)
    }

    func remove(_ id: Int) {
        if wakers.withLock({ $0.removeValue(forKey: id) }) != nil { count.subtract(1, ordering: .relaxed) }
    }

    func signalAll() {
        guard count.load(ordering: .relaxed) > 0 else { return }
        let all = wakers.withLock { Array($0.values) }
        for waker in all { waker.signal() }
    }
}
