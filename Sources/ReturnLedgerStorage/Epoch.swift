/// The history a data directory holds (protocol.md, A warm standby): its epochs oldest first,
/// each 16 hex digits drawn at random when the history began or forked (a new directory, a
/// restore, a promotion), with the first sequence it issued and how it began. FEED and INFO show
/// the newest, so an exporter notices a new history; REPLICATE compares a standby's with the
/// primary's to tell one history followed from two that diverged.
///
/// Kept in `EPOCHS`, one durable file (so a crash leaves the old or the new whole), with what
/// else the directory must remember across restarts about its place among servers: that it is a
/// standby of HOST:PORT, and that it was superseded (fenced). `EPOCH` (the newest epoch alone) is
/// written beside it for tools of earlier versions; a directory from before histories has only
/// that, and reads as one epoch begun at seq 1.
///
/// ```
/// epoch 3f9a0c2e11d07b45 1 new
/// epoch 81bb02a4c9e0f3d6 5012 promote
/// standby-of 10.0.0.5:7700
/// fenced-by 81bb02a4c9e0f3d6 5012
/// fencing 10.0.0.4:7700
/// promoted-from 10.0.0.4:7700
/// ```
public struct EpochHistory: Sendable, Equatable {
    public enum Start: String, Sendable, Equatable { case new, restore, promote }

    public struct Entry: Sendable, Equatable {
        public var epoch: String
        public var firstSeq: UInt64
        public var start: Start
        public init(epoch: String, firstSeq: UInt64, start: Start) { self.epoch = epoch; self.firstSeq = firstSeq; self.start = start }
        /// `EPOCH:FIRST_SEQ:new|restore|promote`, as REPLICATE's history= lists it.
        public var text: String { "\(epoch):\(firstSeq):\(start.rawValue)" }
    }

    /// A later epoch that took over from this directory's: it writes nothing from then on.
    public struct Fence: Sendable, Equatable {
        public var epoch: String
        public var seq: UInt64
        public init(epoch: String, seq: UInt64) { self.epoch = epoch; self.seq = seq }
    }

    public static let fileName = "EPOCHS"
    public static let legacyFileName = "EPOCH"

    public var entries: [Entry]
    /// HOST:PORT while this directory is a standby's.
    public var standbyOf: String?
    public var fence: Fence?
    /// HOST:PORT of the primary a promotion took over from, until it is told (fenced).
    public var fencing: String?
    /// HOST:PORT of the primary the newest promotion took over from, kept: following it again
    /// would have it fence itself and leave no primary (start-up refuses that).
    public var promotedFrom: String?

    public init(entries: [Entry], standbyOf: String? = nil, fence: Fence? = nil, fencing: String? = nil, promotedFrom: String? = nil) {
        self.entries = entries; self.standbyOf = standbyOf; self.fence = fence; self.fencing = fencing
        self.promotedFrom = promotedFrom
    }

    /// The newest epoch ("" for a standby not yet seeded).
    public var current: String { entries.last?.epoch ?? "" }
    /// The epoch before the newest ("" when there is none).
    public var parent: String { entries.count >= 2 ? entries[entries.count - 2].epoch : "" }
    /// REPLICATE's history=: every epoch, oldest first, joined by commas.
    public var list: String { entries.map(\.text).joined(separator: ",") }

    /// A fresh epoch: 16 hex digits from the system's random source.
    public static func randomEpoch() -> String {
        var random = SystemRandomNumberGenerator()
        let hex = String(random.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public static func isEpoch(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 16 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// Parses REPLICATE's history= (nil: not a history). An empty text is an empty history.
    public static func parse(list: String) -> [Entry]? {
        guard !list.isEmpty else { return [] }
        var entries: [Entry] = []
        for part in list.split(separator: ",", omittingEmptySubsequences: false) {
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 3, isEpoch(fields[0]), let first = UInt64(fields[1]), first >= 1,
                  let start = Start(rawValue: String(fields[2])) else { return nil }
            if let last = entries.last, first < last.firstSeq { return nil }
            entries.append(Entry(epoch: String(fields[0]), firstSeq: first, start: start))
        }
        return entries
    }

    // MARK: - The file

    /// What the directory remembers; nil when it has neither file (new, or a standby's before
    /// its seed).
    public static func load(_ directory: DataDirectory, fs: any FileSystem) throws(StorageError) -> EpochHistory? {
        if let bytes = try? fs.readFile(directory.file(fileName)) {
            var history = EpochHistory(entries: [])
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                let words = line.split(separator: " ")
                switch words.first {
                case "epoch" where words.count == 4:
                    guard isEpoch(words[1]), let first = UInt64(words[2]), let start = Start(rawValue: String(words[3])) else {
                        throw StorageError("\(directory.file(fileName)): unreadable line '\(line)'")
                    }
                    history.entries.append(Entry(epoch: String(words[1]), firstSeq: first, start: start))
                case "standby-of" where words.count == 2:
                    history.standbyOf = String(words[1])
                case "fencing" where words.count == 2:
                    history.fencing = String(words[1])
                case "promoted-from" where words.count == 2:
                    history.promotedFrom = String(words[1])
                case "fenced-by" where words.count == 3:
                    guard let seq = UInt64(words[2]) else { throw StorageError("\(directory.file(fileName)): unreadable line '\(line)'") }
                    history.fence = Fence(epoch: String(words[1]), seq: seq)
                default:
                    throw StorageError("\(directory.file(fileName)): unreadable line '\(line)'")
                }
            }
            return history
        }
        guard let legacy = try? fs.readFile(directory.file(legacyFileName)) else { return nil }
        let epoch = String(decoding: legacy, as: UTF8.self).filter { $0.isHexDigit }
        guard !epoch.isEmpty else { return nil }
        return EpochHistory(entries: [Entry(epoch: epoch, firstSeq: 1, start: .new)])
    }

    /// Writes `EPOCHS` durably (temporary name, fsync, rename, fsync the directory), then `EPOCH`.
    public func store(_ directory: DataDirectory, fs: any FileSystem) throws(StorageError) {
        var text = entries.map { "epoch \($0.epoch) \($0.firstSeq) \($0.start.rawValue)\n" }.joined()
        if let standbyOf { text += "standby-of \(standbyOf)\n" }
        if let fence { text += "fenced-by \(fence.epoch) \(fence.seq)\n" }
        if let fencing { text += "fencing \(fencing)\n" }
        if let promotedFrom { text += "promoted-from \(promotedFrom)\n" }
        try DurableFile.write(Self.fileName, in: directory.path, fs: fs) { fd throws(StorageError) in
            try fs.write(fd, bytes: Array(text.utf8))
        }
        guard !current.isEmpty else { return }
        try DurableFile.write(Self.legacyFileName, in: directory.path, fs: fs) { fd throws(StorageError) in
            try fs.write(fd, bytes: Array((current + "\n").utf8))
        }
    }

    /// The directory's history, beginning one (a new epoch from seq 1) if it has none.
    public static func ensure(_ directory: DataDirectory, fs: any FileSystem) throws(StorageError) -> EpochHistory {
        if let history = try load(directory, fs: fs), !history.entries.isEmpty { return history }
        let history = EpochHistory(entries: [Entry(epoch: randomEpoch(), firstSeq: 1, start: .new)])
        try history.store(directory, fs: fs)
        return history
    }

    /// A new epoch forked from this history at `firstSeq` (a restore or a promotion).
    public func forked(at firstSeq: UInt64, by start: Start) -> EpochHistory {
        var next = self
        // A standby adopts its primary's history before it has caught up: epochs that begin after
        // what it holds are not its own (it holds nothing of them), and the new one forks before them.
        next.entries.removeAll { $0.firstSeq > firstSeq }
        next.entries.append(Entry(epoch: Self.randomEpoch(), firstSeq: firstSeq, start: start))
        return next
    }

    // MARK: - Following

    /// What a primary with this history answers a standby's REPLICATE (protocol.md, A warm
    /// standby, rules 1 to 4). `newest`: the primary's last sequence.
    public enum Verdict: Sendable, Equatable {
        /// Records after the standby's sequence follow (seeded when they are no longer kept).
        case follow
        /// An empty standby: seeded.
        case seed
        /// Refused (`ERR STATE` with this reason).
        case refused(String)
        /// The standby's history says a promotion superseded this primary (rule 3).
        case superseded(Fence)
    }

    public func judge(from seq: UInt64, epoch: String, list: [Entry], newest: UInt64) -> Verdict {
        if epoch.isEmpty, list.isEmpty, seq == 0 { return .seed }
        // 1. The same epoch: the standby holds a prefix of this history, unless it is ahead.
        if epoch == current {
            guard seq <= newest else {
                return .refused("the standby is ahead: it holds seq \(seq), this primary only \(newest) of epoch \(epoch)")
            }
            return .follow
        }
        // 2. An earlier epoch of this history: the standby follows if it stopped at or before the fork.
        if let index = entries.dropLast().firstIndex(where: { $0.epoch == epoch }) {
            let left = entries[index + 1].firstSeq - 1
            guard seq <= left else {
                return .refused("diverged: epoch \(epoch) was left after seq \(left) and the standby holds seq \(seq); move its data directory aside to seed it again")
            }
            return .follow
        }
        // 3. The standby's history has this primary's epoch followed by a promotion: superseded.
        if let index = list.firstIndex(where: { $0.epoch == current }), index + 1 < list.count, list[index + 1].start == .promote {
            return .superseded(Fence(epoch: list[index + 1].epoch, seq: list[index + 1].firstSeq))
        }
        // 4. Anything else is another history.
        return .refused("another history: the standby's epoch \(epoch) is not in this primary's history \(self.list); move its data directory aside to seed it again")
    }
}

/// Starting an epoch where a history forks outside the server (see `EpochHistory`).
public enum Epoch {
    /// Begins a new history in a directory restored from a backup: the backup's epochs (when the
    /// backup names them), then a new epoch from `firstSeq` begun by the restore.
    @discardableResult
    public static func startRestored(_ directory: DataDirectory, backupHistory: EpochHistory?, firstSeq: UInt64,
                                     fs: any FileSystem) throws(StorageError) -> String {
        let base = EpochHistory(entries: backupHistory?.entries ?? [])
        let history = base.forked(at: firstSeq, by: .restore)
        try history.store(directory, fs: fs)
        return history.current
    }
}
