import CEpoll
import Glibc

/// The server layer's one file of system calls and the one that reads `errno`: sockets, epoll and
/// the eventfd, threads, signals and limits, the data directory's lock, the clock. EINTR is
/// retried, EAGAIN is a value, what the caller cannot do anything about is a precondition, the
/// rest is a thrown `SystemError`.
public struct SystemError: Error, CustomStringConvertible {
    public var call: String
    public var errno: Int32
    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

enum IOResult: Equatable {
    case bytes(Int)
    case wouldBlock
    case closed
}

enum Syscalls {
    /// Opens a listening TCP socket on host:port (port 0: the kernel picks).
    static func listen(host: String, port: Int) throws(SystemError) -> (fd: Int32, port: Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let info = list else { throw SystemError(call: "getaddrinfo \(host)", errno: EINVAL) }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SystemError(call: "socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let e = errno
            close(fd)
            throw SystemError(call: "bind \(host):\(port)", errno: e)
        }
        guard Glibc.listen(fd, 1024) == 0 else {
            let e = errno
            close(fd)
            throw SystemError(call: "listen", errno: e)
        }
        try setNonBlocking(fd)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, endpoint(storage).port)
    }

    /// Accepts one pending connection; nil when none is waiting.
    static func accept(_ listener: Int32) throws(SystemError) -> (fd: Int32, peer: String)? {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(listener, $0, &length) }
            }
            if fd >= 0 {
                try? setNonBlocking(fd)
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                let peer = endpoint(storage)
                return (fd, peer.host + ":" + String(peer.port))
            }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw SystemError(call: "accept", errno: errno)
            }
        }
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .closed
            }
        }
    }

    static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> IOResult {
        while true {
            let n = send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .bytes(n) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .closed
            }
        }
    }

    static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    static func setNonBlocking(_ fd: Int32) throws(SystemError) {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { throw SystemError(call: "fcntl", errno: errno) }
    }

    static func endpoint(_ storage: sockaddr_storage) -> (host: String, port: Int) {
        var copy = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        if Int32(storage.ss_family) == AF_INET6 {
            return withUnsafePointer(to: &copy) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    var address = sin6.pointee.sin6_addr
                    inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
                    return (cText(text), Int(UInt16(bigEndian: sin6.pointee.sin6_port)))
                }
            }
        }
        return withUnsafePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                var address = sin.pointee.sin_addr
                inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
                return (cText(text), Int(UInt16(bigEndian: sin.pointee.sin_port)))
            }
        }
    }

    /// Resident memory of this process, from /proc/self/statm.
    static func residentBytes() -> Int {
        let fields = readSmallFile("/proc/self/statm").split(separator: 0x20)
        guard fields.count >= 2, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func readSmallFile(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { Glibc.close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        var n: Int
        repeat { n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } } while n < 0 && errno == EINTR
        return n > 0 ? Array(bytes[0..<n]) : []
    }

    static func now() -> Int64 { Int64(time(nil)) }

    /// Sleeps this thread (the accept queue's pause when no descriptor is left, shutdown's wait).
    static func sleep(microseconds: UInt32) { _ = usleep(microseconds) }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        let length = buffer.firstIndex(of: 0) ?? buffer.count
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Random bytes from the kernel.
    static func randomBytes(_ count: Int) -> [UInt8] {
        let fd = open("/dev/urandom", O_RDONLY)
        precondition(fd >= 0, "cannot open /dev/urandom")
        defer { Glibc.close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, count - filled) }
            if n > 0 { filled += n } else if errno != EINTR { break }
        }
        return bytes
    }
}

// MARK: - Sockets, continued

extension Syscalls {
    /// Waits until `fd` can take more bytes, at most `milliseconds` (a slow reader at shutdown).
    static func waitWritable(_ fd: Int32, milliseconds: Int32) {
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while poll(&p, 1, milliseconds) < 0, errno == EINTR {}
    }

    /// Whether the first byte waiting on `fd` is `byte`, without taking it: nil while nothing has
    /// arrived; true when the peer closed before a byte or the socket failed (a read reports it).
    static func peekIs(_ fd: Int32, _ byte: UInt8) -> Bool? {
        var first: UInt8 = 0
        while true {
            let n = recv(fd, &first, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
            if n == 1 { return first == byte }
            if n == 0 { return true }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            return true
        }
    }

    /// Accepts one connection on the listener with no options set: its descriptor, or nil with
    /// `none` true when no connection was waiting.
    static func acceptBare(_ listener: Int32) -> (fd: Int32?, none: Bool) {
        while true {
            let fd = Glibc.accept(listener, nil, nil)
            if fd >= 0 { return (fd, false) }
            if errno == EINTR { continue }
            return (nil, errno == EAGAIN || errno == EWOULDBLOCK)
        }
    }

    /// Whether an accept's `errno` means the process (or the system) is out of descriptors.
    static func isOutOfDescriptors(_ error: SystemError) -> Bool { error.errno == EMFILE || error.errno == ENFILE }

    /// A descriptor on /dev/null, held in reserve; -1 when none is left.
    static func openNull() -> Int32 { open("/dev/null", O_RDONLY | O_CLOEXEC) }
}

// MARK: - The event loop: epoll and its eventfd

extension Syscalls {
    /// An epoll instance and a non-blocking eventfd to wake it; the loop cannot run without them.
    static func epollWithWakeUp() -> (epoll: Int32, wake: Int32) {
        let epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        let wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(epfd >= 0 && wakeFD >= 0, "epoll/eventfd unavailable")
        epollAdd(epfd, wakeFD, events: EPOLLIN.rawValue)
        return (epfd, wakeFD)
    }

    static func epollAdd(_ epfd: Int32, _ fd: Int32, events: UInt32) {
        var event = epoll_event(events: events, data: epoll_data_t(fd: fd))
        _ = epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event)
    }

    static func epollModify(_ epfd: Int32, _ fd: Int32, events: UInt32) {
        var event = epoll_event(events: events, data: epoll_data_t(fd: fd))
        _ = epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &event)
    }

    static func epollRemove(_ epfd: Int32, _ fd: Int32) { _ = epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nil) }

    /// Waits for events without a timeout; the number ready.
    /// Waits for events, at most `timeoutMillis` (-1: for ever).
    static func epollWait(_ epfd: Int32, into events: UnsafeMutablePointer<epoll_event>, capacity: Int,
                          timeoutMillis: Int32 = -1) -> Int {
        while true {
            let n = epoll_wait(epfd, events, Int32(capacity), timeoutMillis)
            if n >= 0 { return Int(n) }
            if errno == EINTR { continue }
            preconditionFailure("epoll_wait failed: errno \(errno)")
        }
    }

    /// Wakes whoever waits on the eventfd.
    static func wake(_ eventFD: Int32) {
        var one: UInt64 = 1
        _ = Glibc.write(eventFD, &one, 8)
    }

    /// Takes the eventfd's count, so it stops being readable.
    static func drainWake(_ eventFD: Int32) {
        var count: UInt64 = 0
        _ = Glibc.read(eventFD, &count, 8)
    }
}

// MARK: - Threads

extension Syscalls {
    private final class ThreadBody {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts a thread of its own running `body` (`what` names it should that fail). A detached
    /// one is never joined.
    @discardableResult
    static func startThread(_ what: String, detached: Bool = false, _ body: @escaping @Sendable () -> Void) -> pthread_t {
        let box = Unmanaged.passRetained(ThreadBody(body))
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { raw in
            Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, box.toOpaque())
        precondition(rc == 0, "cannot start \(what)")
        if detached { pthread_detach(tid) }
        return tid
    }

    /// The calling thread, to tell whether a caller is on a given one.
    static func currentThread() -> UInt { UInt(pthread_self()) }

    /// The calling thread to SCHED_IDLE: it runs only when nothing else wants the core. Where
    /// the kernel refuses, `nice` instead (on Linux a nice value belongs to a thread: who = 0
    /// lowers this thread only).
    static func makeThisThreadIdle(orNice nice: Int32) {
        if rl_set_thread_idle_priority() != 0 {
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice)
        }
    }

    /// This thread's own I/O to the idle class; false where the kernel refuses (nothing else changes).
    @discardableResult
    static func makeThisThreadsIOIdle() -> Bool { rl_set_thread_io_idle() == 0 }

    /// Writes `fd`'s dirty pages back and waits for them (sync_file_range): no metadata, no
    /// cache flush, so not a durability point. 0, or the errno: EINVAL, ESPIPE or ENOSYS for a
    /// descriptor whose pages cannot be written back this way (the caller's own fsync decides);
    /// anything else is the write-back's failure, which the kernel now counts as reported to
    /// this descriptor, so a later fsync on it may not report it again.
    static func writeBack(_ fd: Int32) -> Int32 {
        while rl_write_back_and_wait(fd) != 0 {
            if errno != EINTR { return errno }
        }
        return 0
    }
}

// MARK: - The process: signals, limits, memory, stderr

extension Syscalls {
    private static func signalSet(_ signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }

    /// Blocks `signals` in the calling thread and every thread it starts later.
    static func blockSignals(_ signals: [Int32]) {
        var set = signalSet(signals)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// A write to a closed socket fails with EPIPE instead of killing the process.
    static func ignoreBrokenPipe() { _ = signal(SIGPIPE, SIG_IGN) }

    /// Waits for one of `signals` (blocked beforehand) and returns it.
    static func waitForSignal(_ signals: [Int32]) -> Int32 {
        var set = signalSet(signals)
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }

    /// Waits up to `millis` for one of `signals` (blocked in every thread): the signal, or nil
    /// when the time ran out. What a start-up that waits (a standby's first seed) stops on.
    static func waitForSignal(_ signals: [Int32], millis: Int) -> Int32? {
        var set = signalSet(signals)
        var timeout = timespec(tv_sec: millis / 1000, tv_nsec: (millis % 1000) * 1_000_000)
        let received = sigtimedwait(&set, nil, &timeout)
        return received > 0 ? received : nil
    }

    static func processID() -> Int32 { getpid() }

    /// What `serveUntilSignalled` stops on.
    static let stopSignals = [SIGTERM, SIGINT]

    /// The open-file limit, soft and hard; nil when it cannot be read.
    static func fileLimit() -> (current: UInt64, maximum: UInt64)? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }

    /// Sets the soft open-file limit (at most the hard one); whether the kernel took it.
    @discardableResult
    static func setFileLimit(_ current: UInt64, maximum: UInt64) -> Bool {
        var limit = rlimit(rlim_cur: rlim_t(current), rlim_max: rlim_t(maximum))
        return setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0
    }

    /// glibc's thresholds for giving large blocks mappings of their own and for trimming.
    static func setMallocThresholds(mmap: Int32, trim: Int32) { _ = rl_set_malloc_thresholds(mmap, trim) }

    /// One line to stderr in one write(2), so lines of several threads never interleave.
    static func writeToStandardError(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            while Glibc.write(2, raw.baseAddress, raw.count) < 0, errno == EINTR {}
        }
    }

    /// Flushes stdout (the `ready` line goes out before the server waits).
    static func flushStandardOutput() { fflush(nil) }

    static func exit(_ status: Int32) -> Never { Glibc.exit(status) }
}

// MARK: - Files: the data directory, its lock, the TLS files

extension Syscalls {
    /// `strerror` of the last failure, for the operator.
    static func lastErrorText() -> String { String(cString: strerror(errno)) }

    /// Marks every open descriptor above stderr close-on-exec (`Runner.restartInPlace`).
    static func closeAllOnExec() {
        guard let dir = opendir("/proc/self/fd") else { return }
        defer { closedir(dir) }
        let own = dirfd(dir)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name), fd > 2, fd != own { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
    }

    /// Ends both directions of a socket another thread may be waiting on (it wakes), without
    /// closing the descriptor under it.
    static func shutdownSocket(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    /// execv of this program's own file: returns only when it failed.
    static func execSelf(_ arguments: [String]) {
        flushStandardOutput()
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
    }

    /// `mkdir`; an existing directory is fine. A failure is its reason, for the operator.
    static func makeDirectory(_ path: String) -> String? {
        mkdir(path, 0o755) == 0 || errno == EEXIST ? nil : lastErrorText()
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether this process may read, write and search `path`.
    static func isReadWritable(_ path: String) -> Bool { access(path, R_OK | W_OK | X_OK) == 0 }

    /// Nil when `path` can be read; else the reason.
    static func unreadable(_ path: String) -> String? { access(path, R_OK) == 0 ? nil : lastErrorText() }

    enum FileLock {
        /// Locked: the descriptor, to keep open for as long as the lock is held.
        case held(Int32)
        /// Another process holds it.
        case busy
        /// The file is not there, or its directory is not (only when not creating it).
        case missing
        /// It could not be opened: the reason.
        case failed(String)
    }

    /// An exclusive `flock` on `path`, without waiting; the file is made only when `create`.
    static func lockFile(_ path: String, create: Bool) -> FileLock {
        var fd: Int32
        repeat { fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0o644) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { return !create && (errno == ENOENT || errno == ENOTDIR) ? .missing : .failed(lastErrorText()) }
        var rc: Int32
        repeat { rc = flock(fd, LOCK_EX | LOCK_NB) } while rc != 0 && errno == EINTR
        guard rc == 0 else {
            Glibc.close(fd)
            return .busy
        }
        return .held(fd)
    }

    /// Replaces what an open file holds with `bytes` (the lock file's pid).
    static func overwrite(_ fd: Int32, with bytes: [UInt8]) {
        _ = ftruncate(fd, 0)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }
}

/// A NUL-terminated C string held in an array.
func cText(_ chars: [CChar]) -> String {
    String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
