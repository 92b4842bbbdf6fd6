import Foundation
import ReturnLedgerCore
import ReturnLedgerStorage
import Testing

/// The storage side of a warm standby (protocol.md, A warm standby): the history rules a primary
/// applies to REPLICATE, the history file, the primary's log read byte for byte, and a standby's
/// log that takes those bytes and replays to the same state.
@Suite struct EpochHistoryTests {
    static let a = "aaaaaaaaaaaaaaaa", b = "bbbbbbbbbbbbbbbb", c = "cccccccccccccccc"

    /// A primary of epoch B, promoted from A after seq 100.
    static let promoted = EpochHistory(entries: [.init(epoch: a, firstSeq: 1, start: .new), .init(epoch: b, firstSeq: 101, start: .promote)])

    @Test func rule1TheSameEpochStreamsUnlessTheStandbyIsAhead() {
        let h = Self.promoted
        #expect(h.judge(from: 150, epoch: Self.b, list: h.entries, newest: 150) == .follow)
        #expect(h.judge(from: 0, epoch: Self.b, list: h.entries, newest: 150) == .follow)
        guard case .refused(let why) = h.judge(from: 151, epoch: Self.b, list: h.entries, newest: 150) else {
            Issue.record("a standby ahead must be refused"); return
        }
        #expect(why.contains("ahead"))
    }

    @Test func rule2AnEarlierEpochFollowsOnlyUpToItsFork() {
        let h = Self.promoted
        let old = [EpochHistory.Entry(epoch: Self.a, firstSeq: 1, start: .new)]
        #expect(h.judge(from: 100, epoch: Self.a, list: old, newest: 150) == .follow)
        #expect(h.judge(from: 37, epoch: Self.a, list: old, newest: 150) == .follow)
        guard case .refused(let why) = h.judge(from: 101, epoch: Self.a, list: old, newest: 150) else {
            Issue.record("past the fork must be refused"); return
        }
        #expect(why.contains("diverged") && why.contains("100"))
    }

    @Test func rule3APromotionAfterThePrimarysEpochSupersedesIt() {
        let old = EpochHistory(entries: [.init(epoch: Self.a, firstSeq: 1, start: .new)])
        #expect(old.judge(from: 120, epoch: Self.b, list: Self.promoted.entries, newest: 100)
                == .superseded(.init(epoch: Self.b, seq: 101)))
        // A restore after the primary's epoch is another history, not a promotion.
        let restored = [EpochHistory.Entry(epoch: Self.a, firstSeq: 1, start: .new), .init(epoch: Self.c, firstSeq: 50, start: .restore)]
        guard case .refused(let why) = old.judge(from: 60, epoch: Self.c, list: restored, newest: 100) else {
            Issue.record("a restored history must be refused"); return
        }
        #expect(why.contains("another history"))
    }

    @Test func rule4AnythingElseIsAnotherHistoryAndAnEmptyStandbyIsSeeded() {
        let h = Self.promoted
        #expect(h.judge(from: 0, epoch: "", list: [], newest: 150) == .seed)
        guard case .refused = h.judge(from: 5, epoch: Self.c, list: [.init(epoch: Self.c, firstSeq: 1, start: .new)], newest: 150) else {
            Issue.record("an unknown epoch must be refused"); return
        }
    }

    /// A standby re-pointed at a promoted primary adopts its history before it has caught up; if
    /// it is promoted at seq 50 (before B began at 101) its own fork comes before B's, and B, of
    /// which it holds nothing, is not in its history: the list stays one a primary accepts.
    @Test func aForkBeforeAnAdoptedEpochLeavesThatEpochOut() {
        let forked = Self.promoted.forked(at: 51, by: .promote)
        #expect(forked.entries.map(\.epoch) == [Self.a, forked.current] && forked.entries[1].firstSeq == 51)
        #expect(EpochHistory.parse(list: forked.list) == forked.entries)
        #expect(forked.parent == Self.a)
    }

    @Test func theListParsesAndRefusesMalformedEntries() {
        #expect(EpochHistory.parse(list: Self.promoted.list) == Self.promoted.entries)
        #expect(EpochHistory.parse(list: "") == [])
        for bad in ["zz:1:new", "\(Self.a):0:new", "\(Self.a):1:born", "\(Self.a):1", "\(Self.a):9:new,\(Self.b):3:promote", "\(Self.a):1:new,"] {
            #expect(EpochHistory.parse(list: bad) == nil, "\(bad)")
        }
    }

    @Test func theFileKeepsEveryLineAndADirectoryFromBeforeHistoriesReadsAsOneEpoch() throws {
        let dir = TempDirectory()
        let fs = PosixFileSystem()
        var h = Self.promoted
        h.standbyOf = "10.0.0.5:7700"
        h.fence = .init(epoch: Self.c, seq: 200)
        h.fencing = "10.0.0.4:7700"
        try h.store(dir.directory, fs: fs)
        #expect(try EpochHistory.load(dir.directory, fs: fs) == h)
        #expect(String(decoding: try fs.readFile(dir.path + "/EPOCH"), as: UTF8.self) == Self.b + "\n")  // for older tools

        let legacy = TempDirectory()
        try Data("\(Self.a)\n".utf8).write(to: URL(fileURLWithPath: legacy.path + "/EPOCH"))
        #expect(try EpochHistory.load(legacy.directory, fs: fs) == EpochHistory(entries: [.init(epoch: Self.a, firstSeq: 1, start: .new)]))
        let fresh = TempDirectory()
        #expect(try EpochHistory.load(fresh.directory, fs: fs) == nil)
        let made = try EpochHistory.ensure(fresh.directory, fs: fs)
        #expect(made.entries.count == 1 && made.entries[0].start == .new && EpochHistory.isEpoch(made.current))
    }
}

@Suite struct LogTailTests {
    /// The primary's records read as they lie, across segment rotations, then taken by another
    /// log byte for byte: the copy's segments hold the same records and replay to the same state.
    @Test func recordsReadByteForByteReplayToTheSameStateInAnotherLog() throws {
        let entries = sampleEntries(count: 120)
        let primary = TempDirectory()
        _ = try writeLog(entries, to: primary, segmentLimit: 2_000)
        let fs = PosixFileSystem()
        #expect(try primary.directory.contents(fs).segments.count > 3)

        let standby = TempDirectory()
        let copy = try WriteAheadLog(directory: standby.directory, fs: fs, policy: .always, lastSeq: 0, segment: nil)
        let tail = LogTail(directory: primary.directory, fs: fs, after: 0)
        var pieces = 0
        while tail.position < UInt64(entries.count) {
            // Small pieces, and an upper bound that moves, as fsyncs would.
            let (bytes, last) = try tail.read(upTo: min(UInt64(entries.count), tail.position + 17), maxBytes: 700)
            #expect(!bytes.isEmpty)
            try copy.append(framed: bytes[...], last: last)
            pieces += 1
        }
        copy.flush()
        #expect(pieces > 7)
        let replayed = try Recovery.load(standby.directory, fs: fs, repair: false)
        #expect(replayed.lastSeq == UInt64(entries.count))
        #expect(replayed.ledger.digest == applied(entries).digest)
        // Nothing more to read: an empty piece, the position unchanged.
        let (none, last) = try tail.read(upTo: UInt64(entries.count))
        #expect(none.isEmpty && last == UInt64(entries.count))
    }

    /// Streaming as it happens: each read reaches the end of what is written, then the log grows
    /// in the same segment. The tail's one buffer is read into again, and every record comes
    /// once, in order, appended after what the caller's array already held.
    @Test func aTailReadAsTheLogGrowsReadsEachRecordOnce() throws {
        let entries = sampleEntries(count: 90)
        let dir = TempDirectory()
        let log = try writeLog(Array(entries[0..<10]), to: dir)
        let fs = PosixFileSystem()
        let tail = LogTail(directory: dir.directory, fs: fs, after: 0)
        var out: [UInt8] = [0xAB]
        var appended = 10
        while tail.position < UInt64(entries.count) {
            let before = out.count
            let last = try tail.read(upTo: UInt64(appended), appendingTo: &out)
            #expect(last == UInt64(appended))
            #expect(out.count > before)
            for entry in entries[appended..<min(entries.count, appended + 7)] { try log.append(entry) }
            log.flush()
            appended = min(entries.count, appended + 7)
        }
        #expect(out.first == 0xAB)
        var expected: UInt64 = 1
        Array(out.dropFirst()).withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count, case .record(let seq, _, let next) = LogRecord.read(UnsafeRawBufferPointer(rebasing: raw[offset...]), at: 0) {
                #expect(seq == expected)
                expected += 1
                offset += next
            }
            #expect(offset == raw.count)
        }
        #expect(expected == UInt64(entries.count) + 1)
    }

    /// Records of 300 KB and one of 1.5 MB among small ones, read in pieces as the log grows: a
    /// record across the end of the tail's megabyte buffer, and one larger than it, come whole;
    /// what is read is the segment's bytes exactly.
    @Test func recordsAcrossAndLargerThanTheBufferComeWhole() throws {
        var entries: [LogEntry] = []
        for (i, entry) in sampleEntries(count: 30).enumerated() {
            entries.append(entry)
            if i % 6 == 5 {
                let size = i == 17 ? 1_500_000 : 300_000
                entries.append(LogEntry(at: entry.at, actor: String(repeating: "x", count: size), events: []))
            }
        }
        let dir = TempDirectory()
        let fs = PosixFileSystem()
        let log = try writeLog(Array(entries[0..<8]), to: dir)
        let tail = LogTail(directory: dir.directory, fs: fs, after: 0)
        var out: [UInt8] = []
        var appended = 8
        var reads = 0
        while tail.position < UInt64(entries.count) {
            _ = try tail.read(upTo: UInt64(appended), maxBytes: 400_000, appendingTo: &out)
            reads += 1
            if tail.position == UInt64(appended) {
                for entry in entries[appended..<min(entries.count, appended + 5)] { try log.append(entry) }
                log.flush()
                appended = min(entries.count, appended + 5)
            }
        }
        let segments = try dir.directory.contents(fs).segments
        #expect(segments.count == 1)
        let file = try fs.readFile(dir.path + "/" + segments[0].name)
        #expect(file.count > 2_500_000)
        #expect(out == Array(file[LogRecord.magic.count...]))
        #expect(reads > entries.count / 5)
    }

    /// `readRange(_:offset:into:)`: the buffer's first bytes, how many, fewer at the end of the
    /// file; what lies after them in the buffer is left as it was.
    @Test func aRangeReadIntoABufferReportsHowManyBytes() throws {
        let dir = TempDirectory()
        let path = dir.path + "/range"
        let fs = PosixFileSystem()
        let fd = try fs.openForAppend(path, create: true)
        try fs.write(fd, bytes: Array(0..<100))
        fs.close(fd)
        var buffer = [UInt8](repeating: 0xFF, count: 64)
        #expect(try fs.readRange(path, offset: 10, into: &buffer) == 64)
        #expect(Array(buffer[0..<3]) == [10, 11, 12] && buffer[63] == 73)
        #expect(try fs.readRange(path, offset: 90, into: &buffer) == 10)
        #expect(Array(buffer[0..<10]) == Array(90..<100) && buffer[10] == 20)
        #expect(try fs.readRange(path, offset: 100, into: &buffer) == 0)
        // The protocol's own version, for file systems without one, says the same.
        let other = PowerCutFileSystem()
        buffer = [UInt8](repeating: 0xFF, count: 64)
        #expect(try other.readRange(path, offset: 90, into: &buffer) == 10)
        #expect(Array(buffer[0..<10]) == Array(90..<100) && buffer[10] == 0xFF)
        var empty: [UInt8] = []
        #expect(try fs.readRange(path, offset: 0, into: &empty) == 0)
    }

    @Test func recordsNoLongerKeptAreGone() throws {
        let entries = sampleEntries(count: 60)
        let dir = TempDirectory()
        let log = try writeLog(Array(entries[0..<30]), to: dir, segmentLimit: 2_000)
        _ = try snapshotAndDropCovered(log, entries, at: 30, in: dir)
        let fs = PosixFileSystem()
        #expect(try dir.directory.contents(fs).segments.first!.seq > 1)
        #expect(throws: LogTail.Failure.self) { try LogTail(directory: dir.directory, fs: fs, after: 2).read(upTo: 60) }
        let (bytes, last) = try LogTail(directory: dir.directory, fs: fs, after: 30).read(upTo: 60)
        #expect(!bytes.isEmpty && last == 60)
    }

    /// The primary sends records as they lie (no checksum of its own); the standby's check of each
    /// one (`LogRecord.read`, as StandbyFollower.decode does) refuses a damaged one.
    @Test func aDamagedRecordIsRefusedWhereItArrives() throws {
        let entries = sampleEntries(count: 10)
        let dir = TempDirectory()
        _ = try writeLog(entries, to: dir)
        let fs = PosixFileSystem()
        let segment = dir.path + "/" + (try dir.directory.contents(fs).segments[0].name)
        var bytes = try fs.readFile(segment)
        bytes[bytes.count - 3] ^= 0xFF  // inside the last record's payload
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        let (sent, last) = try LogTail(directory: dir.directory, fs: fs, after: 0).read(upTo: 10)
        #expect(last == 10)
        var offset = 0, intact = 0
        var refused = false
        sent.withUnsafeBytes { raw in
            while offset < raw.count {
                switch LogRecord.read(UnsafeRawBufferPointer(rebasing: raw[offset...]), at: 0) {
                case .record(_, _, let next): offset += next; intact += 1
                default: refused = true; return
                }
            }
        }
        #expect(refused && intact == 9)
    }
}

@Suite struct StandbyRetentionTests {
    /// Under `--log-keep 0` the segments a snapshot covers go at once, except those holding
    /// records a standby has not got yet (`retainAfter`): it is streamed, not seeded again.
    @Test func coveredSegmentsAStandbyStillNeedsAreKept() throws {
        let entries = sampleEntries(count: 80)
        let fs = PosixFileSystem()
        for retained in [UInt64?.none, 5, 50] {
            let dir = TempDirectory()
            let log = try WriteAheadLog(directory: dir.directory, fs: fs, policy: .always, lastSeq: 0, segment: nil,
                                        segmentLimit: 2_000, keepBytes: 0)
            if let retained { log.retainAfter = { retained } }
            for entry in entries[0..<60] {
                try log.append(entry)
                log.flush()
            }
            _ = try snapshotAndDropCovered(log, entries, at: 60, in: dir)
            let first = try dir.directory.contents(fs).segments.first!.seq
            switch retained {
            case nil: #expect(first > 50, "without standbys every covered segment goes")
            case let held?: #expect(first <= held + 1, "the records after \(held) stay for the standby (first segment at \(first))")
            }
            // The standby's tail can read on from what it holds.
            if let held = retained {
                let (bytes, last) = try LogTail(directory: dir.directory, fs: fs, after: held).read(upTo: 80)
                #expect(!bytes.isEmpty && last == 80)
            }
        }
    }
}
