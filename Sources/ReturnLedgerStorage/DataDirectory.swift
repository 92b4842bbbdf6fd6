import ReturnLedgerCore

/// The files of a data directory (protocol.md, Files in the data directory):
/// `wal-<first seq, 20 digits>.log`, `snapshot-<seq, 20 digits>.snap`, and while a snapshot is
/// being written `snapshot-<seq>.snap.tmp` (removed at start-up if a crash left one behind).
public struct DataDirectory: Sendable {
    public let path: String

    public init(_ path: String) { self.path = path }

    public static func walName(_ firstSeq: UInt64) -> String { "wal-" + padded(firstSeq) + ".log" }
    public static func snapshotName(_ seq: UInt64) -> String { "snapshot-" + padded(seq) + ".snap" }

    public func file(_ name: String) -> String { path + "/" + name }

    static func padded(_ n: UInt64) -> String { zeroPadded(n, width: 20) }

    /// Segments and snapshots present, each with its sequence number, in ascending order.
    public func contents(_ fs: any FileSystem) throws(StorageError) -> (segments: [(seq: UInt64, name: String)],
                                                                    snapshots: [(seq: UInt64, name: String)],
                                                                    temporary: [String]) {
        var segments: [(UInt64, String)] = [], snapshots: [(UInt64, String)] = [], temporary: [String] = []
        for name in try fs.list(path) {
            if name.hasSuffix(".snap.tmp") { temporary.append(name); continue }
            if let seq = DataDirectory.sequence(name, prefix: "wal-", suffix: ".log") { segments.append((seq, name)) }
            if let seq = DataDirectory.sequence(name, prefix: "snapshot-", suffix: ".snap") { snapshots.append((seq, name)) }
        }
        return (segments.sorted { $0.0 < $1.0 }, snapshots.sorted { $0.0 < $1.0 }, temporary)
    }

    static func sequence(_ name: String, prefix: String, suffix: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count == prefix.count + 20 + suffix.count else { return nil }
        return UInt64(name.dropFirst(prefix.count).dropLast(suffix.count))
    }
}
