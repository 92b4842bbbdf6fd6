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
        if spare < 0 { spare = Syscalls.openNull() }
    }

    /// Whether a failed accept means the process (or the system) is out of descriptors.
    static func isShortage(_ error: SystemError) -> Bool { Syscalls.isOutOfDescriptors(error) }

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
            log("out of file descriptors (limit \(Syscalls.fileLimit()?.current ?? 0)): new connections get ERR LIMIT until some close")
        }
        guard spare >= 0 else { hold(); return .stuck }
        Syscalls.close(spare)
        spare = -1
        let (fd, none) = Syscalls.acceptBare(listener)
        if let fd {
            let message = Array("ERR LIMIT the server is out of file descriptors; try again shortly\n".utf8)
            _ = message.withUnsafeBytes { Syscalls.write(fd, $0) }
            Syscalls.close(fd)
        }
        hold()
        if spare < 0 { return .stuck }
        return fd != nil ? .refused : none ? .nonePending : .stuck
    }

    /// A connection was accepted normally: the shortage, if any, is over.
    mutating func ended() { shortage = false }
}
