/// The history a data directory holds: `EPOCH` in it names the history, 16 hex
/// digits drawn at random when the directory is first used and again when a backup is restored
/// into one, whose sequences and ids after the backup may then be issued a second time. FEED and
/// INFO show it, so an exporter notices a new history and stops rather than mixing two.
public enum Epoch {
    public static let fileName = "EPOCH"

    public static func read(_ directory: DataDirectory, fs: any FileSystem) -> String? {
        guard let bytes = try? fs.readFile(directory.file(fileName)) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).filter { $0.isHexDigit }
        return text.isEmpty ? nil : text
    }

    /// A new epoch, written durably (temporary name, fsync, rename, fsync the directory).
    @discardableResult
    public static func start(_ directory: DataDirectory, fs: any FileSystem) throws(StorageError) -> String {
        var random = SystemRandomNumberGenerator()
        let hex = String(random.next() as UInt64, radix: 16)
        let epoch = String(repeating: "0", count: 16 - hex.count) + hex
        try DurableFile.write(fileName, in: directory.path, fs: fs) { fd throws(StorageError) in
            try fs.write(fd, bytes: Array((epoch + "\n").utf8))
        }
        return epoch
    }

    /// The directory's epoch, starting one if it has none (one from before epochs).
    public static func ensure(_ directory: DataDirectory, fs: any FileSystem) throws(StorageError) -> String {
        if let epoch = read(directory, fs: fs) { return epoch }
        return try start(directory, fs: fs)
    }
}
