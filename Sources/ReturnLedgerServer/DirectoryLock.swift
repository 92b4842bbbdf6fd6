/// One process at a time on a data directory (section 15): a server, and `--reset-admin`, hold an
/// exclusive `flock` on `DIR/LOCK` (which holds their pid) for as long as they run. A second one
/// is refused naming the holder; the kernel drops the lock when the holder exits, crash included,
/// so a stale file never blocks a restart.
public enum DirectoryLock {
    /// Takes the lock, or fails with a line for the operator. The descriptor stays open for the
    /// life of the process: closing it would release the lock.
    public static func acquire(_ directory: String) throws(Flags.Failure) {
        let path = directory + "/LOCK"
        switch Syscalls.lockFile(path, create: true) {
        case .held(let fd):
            Syscalls.overwrite(fd, with: Array("\(Syscalls.processID())\n".utf8))
        case .busy:
            let holder = String(decoding: Syscalls.readSmallFile(path), as: UTF8.self).filter(\.isNumber)
            throw Flags.Failure(message: "data directory \(directory) is in use by another returnledger"
                                + (holder.isEmpty ? "" : " (pid \(holder))") + "; stop it first")
        case .missing:  // only when not creating it
            throw Flags.Failure(message: "cannot open \(path)")
        case .failed(let reason):
            throw Flags.Failure(message: "cannot open \(path): \(reason)")
        }
    }
}
