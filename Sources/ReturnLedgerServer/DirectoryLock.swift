import Glibc

/// One process at a time on a data directory (section 15): a server, and `--reset-admin`, hold an
/// exclusive `flock` on `DIR/LOCK` (which holds their pid) for as long as they run. A second one
/// is refused naming the holder; the kernel drops the lock when the holder exits, crash included,
/// so a stale file never blocks a restart.
public enum DirectoryLock {
    /// Takes the lock, or fails with a line for the operator. The descriptor stays open for the
    /// life of the process: closing it would release the lock.
    public static func acquire(_ directory: String) throws(Flags.Failure) {
        let path = directory + "/LOCK"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw Flags.Failure(message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = String(decoding: Syscalls.readSmallFile(path), as: UTF8.self).filter(\.isNumber)
            close(fd)
            throw Flags.Failure(message: "data directory \(directory) is in use by another returnledger"
                                + (holder.isEmpty ? "" : " (pid \(holder))") + "; stop it first")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }
}
