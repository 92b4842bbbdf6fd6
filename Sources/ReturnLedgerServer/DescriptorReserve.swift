import Glibc

/// One file descriptor held in reserve for the moment the process has none left. `accept` then
/// fails with EMFILE and the newcomer stays in the backlog, so the listener reports it ready
/// again at once: without this the accept loop spins (measured: 1.6 s of CPU in 2 s under
/// `prlimit --nofile=64:64` with 200 connections waiting). With it, as in libev and nginx, the
/// spare descriptor is given up for an instant to accept the newcomer, tell it `ERR LIMIT`, and
/// close it; the spare is then taken back. Accept-queue thread only.
struct DescriptorReserve {
    private var spare: Int32 = -1
    /// Logged once per shortage, not once per refused connection.
    private var shortage = false

    mutating func hold() {
        if spare < 0 { spare = open("/dev/null", O_RDONLY | O_CLOEXEC) }
    }

    /// Whether `errno` of a failed accept means the process (or the system) is out of descriptors.
    static func isShortage(_ errno: Int32) -> Bool { errno == EMFILE || errno == ENFILE }

    enum Outcome {
        /// A waiting connection was told `ERR LIMIT` and closed: try the next.
        case refused
        /// None was waiting (accept checks for a free descriptor before it looks): done for now.
        case nonePending
        /// No spare to give up or none to take back: wait a moment before trying again.
        case stuck
    }

    /// Accepts one waiting connection on the spare descriptor and refuses it.
    mutating func refuseOne(_ listener: Int32, log: (String) -> Void) -> Outcome {
        if !shortage {
            shortage = true
            var limit = rlimit()
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            log("out of file descriptors (limit \(limit.rlim_cur)): new connections get ERR LIMIT until some close")
        }
        guard spare >= 0 else { hold(); return .stuck }
        close(spare)
        spare = -1
        let fd = accept(listener, nil, nil)
        let none = fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
        if fd >= 0 {
            let message = Array("ERR LIMIT the server is out of file descriptors; try again shortly\n".utf8)
            _ = message.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        hold()
        if spare < 0 { return .stuck }
        return fd >= 0 ? .refused : none ? .nonePending : .stuck
    }

    /// A connection was accepted normally: the shortage, if any, is over.
    mutating func ended() { shortage = false }
}
