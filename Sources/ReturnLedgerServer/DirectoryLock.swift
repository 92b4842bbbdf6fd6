/// One process at a time on a data directory (protocol.md, Files in the data directory): a
/// server, and `--reset-admin`, hold an exclusive `flock` on `DIR/LOCK` (which holds their pid)
/// for as long as they run. A second one is refused naming the holder; the kernel drops the lock
/// when the holder exits, crash included, so a stale file never blocks a restart.
public enum DirectoryLock {
    /// Takes the lock, or fails with a line for the operator. The descriptor stays open for the
    /// life of the process: closing it would release the lock.
    ///
    /// `beforeCreating` runs first, holding the lock when `LOCK` is already there and before it
    /// is made otherwise: whatever it refuses (`--restore` into a directory that holds anything)
    /// leaves the directory as it was, with no `LOCK` of ours in it.
    public static func acquire(_ directory: String,
                               beforeCreating check: () throws(Flags.Failure) -> Void = {}) throws(Flags.Failure) {
        let path = directory + "/LOCK"
        var lock = Syscalls.lockFile(path, create: false)
        if case .missing = lock {
            try check()
            lock = Syscalls.lockFile(path, create: true)
        } else if case .held(let fd) = lock {
            do throws(Flags.Failure) { try check() } catch {
                Syscalls.close(fd)
                throw error
            }
        }
        switch lock {
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
