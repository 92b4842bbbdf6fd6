/// Storage's one way to put a file in place so that a crash, a power cut or a full disk leaves
/// the old file or the new one, never part of one (the epoch, snapshots, backups, restores):
///
/// ```
/// NAME.tmp (created) ─▶ body writes it ─▶ fsync ─▶ close ─▶ rename to NAME ─▶ fsync the directory
/// ```
/// A leftover `NAME.tmp` is removed first; on a failure the temporary file is removed again.
enum DurableFile {
    /// Writes `name` in `directory` through `name.tmp`; `body` writes the open temporary file.
    /// With `syncDirectory` false the caller fsyncs the directory once after several files.
    /// `temporary` names the temporary file when it is not `name.tmp` (an archive's is `NAME.tmp`).
    static func write<T>(_ name: String, in directory: String, fs: any FileSystem, syncDirectory: Bool = true,
                         temporary temporaryName: String? = nil,
                         _ body: (Int32) throws(StorageError) -> T) throws(StorageError) -> T {
        let temporary = directory + "/" + (temporaryName ?? name + ".tmp")
        try fs.remove(temporary)
        let fd = try fs.openForAppend(temporary, create: true)
        let result: T
        do throws(StorageError) {
            result = try body(fd)
            try fs.sync(fd, dataOnly: false)
        } catch {
            fs.close(fd)
            try? fs.remove(temporary)
            throw error
        }
        fs.close(fd)
        do throws(StorageError) {
            try publish(temporary, as: directory + "/" + name, in: directory, syncDirectory: syncDirectory, fs: fs)
        } catch {
            try? fs.remove(temporary)
            throw error
        }
        return result
    }

    /// The last steps: a finished temporary (a synced file, or a folder of synced files) renamed
    /// into place, and the directory holding it fsynced so the new name survives a power cut.
    static func publish(_ temporary: String, as final: String, in directory: String, syncDirectory: Bool = true,
                        fs: any FileSystem) throws(StorageError) {
        try fs.rename(temporary, final)
        if syncDirectory { try fs.syncDirectory(directory) }
    }
}

/// A file that arrives in pieces and must be whole or absent (a standby's seed snapshot and the
/// archives its primary sends, protocol.md, A warm standby): written under `NAME.tmp` (which
/// start-up removes if a crash leaves it), then fsynced, renamed into place and the directory
/// fsynced by `finish`.
public final class IncomingFile {
    private let directory: String
    private let name: String
    private let temporary: String
    private let fs: any FileSystem
    private var fd: Int32
    /// The bytes appended so far.
    public private(set) var size = 0

    /// `temporary` names the temporary file when it is not `name.tmp` (an archive's is `NAME.tmp`,
    /// as ARCHIVE writes it).
    public init(_ name: String, in directory: String, fs: any FileSystem, temporary: String? = nil) throws(StorageError) {
        self.directory = directory
        self.name = name
        self.temporary = directory + "/" + (temporary ?? name + ".tmp")
        self.fs = fs
        try fs.remove(self.temporary)
        fd = try fs.openForAppend(self.temporary, create: true)
    }

    deinit { abandon() }

    public func append(_ bytes: [UInt8]) throws(StorageError) {
        try fs.write(fd, bytes: bytes)
        size += bytes.count
    }

    public func finish() throws(StorageError) {
        try finish(checking: nil)
    }

    /// Fsyncs the file; then `check` reads it at its temporary path (a throw removes it: nothing is
    /// put in place); then renames it into place and fsyncs the directory.
    public func finish(checking check: ((String) throws(StorageError) -> Void)?) throws(StorageError) {
        try fs.sync(fd, dataOnly: false)
        fs.close(fd)
        fd = -1
        do throws(StorageError) {
            try check?(temporary)
        } catch {
            try? fs.remove(temporary)
            throw error
        }
        try DurableFile.publish(temporary, as: directory + "/" + name, in: directory, fs: fs)
    }

    /// Removes the unfinished file (a link lost mid-seed).
    public func abandon() {
        guard fd >= 0 else { return }
        fs.close(fd)
        fd = -1
        try? fs.remove(temporary)
    }
}
