import Foundation
import ReturnLedgerCore
import ReturnLedgerStorage
import Testing

/// FEED's log reader: the records after a sequence, in order, across segments, from
/// a cursor or from anywhere; the history dropped by log keeping; damage reported, never skipped.
@Suite struct LogReaderTests {
    static func written(_ count: Int, segmentLimit: Int) throws -> (TempDirectory, [LogEntry]) {
        let dir = TempDirectory()
        let entries = sampleEntries(count: count)
        _ = try writeLog(entries, to: dir, segmentLimit: segmentLimit)
        return (dir, entries)
    }

    /// Reads `after`..`durable` in pages of `page` records; the sequences and entries met.
    static func pages(_ reader: LogReader, after: UInt64, durable: UInt64, page: Int) throws -> [(UInt64, LogEntry)] {
        var met: [(UInt64, LogEntry)] = []
        var from = after
        while true {
            var taken = 0
            let next = try reader.read(after: from, upTo: durable) { seq, entry in
                met.append((seq, entry))
                taken += 1
                return taken < page
            }
            if next == from { return met }
            from = next
        }
    }

    @Test func pagesAcrossSegmentsGiveEveryRecordOnceInOrder() throws {
        let (dir, entries) = try Self.written(120, segmentLimit: 2_000)
        #expect(try dir.directory.contents(PosixFileSystem()).segments.count > 3)
        let reader = LogReader(directory: dir.directory, fs: PosixFileSystem())
        for page in [1, 7, 1000] {
            let met = try Self.pages(reader, after: 0, durable: UInt64(entries.count), page: page)
            #expect(met.map(\.0) == Array(1...UInt64(entries.count)))
            #expect(met.map(\.1) == entries)
        }
        // From anywhere (no cursor there), and never past what is durable.
        let fresh = LogReader(directory: dir.directory, fs: PosixFileSystem())
        let tail = try Self.pages(fresh, after: 77, durable: 100, page: 5)
        #expect(tail.map(\.0) == Array(78...100))
        #expect(try fresh.read(after: 100, upTo: 100) { _, _ in true } == 100)
        #expect(try fresh.oldestStart() == 0)
    }

    @Test func historyNoLongerOnDiskIsGoneWithTheOldestThatIs() throws {
        let (dir, entries) = try Self.written(60, segmentLimit: 2_000)
        let segments = try dir.directory.contents(PosixFileSystem()).segments
        try FileManager.default.removeItem(atPath: dir.directory.file(segments[0].name))
        let reader = LogReader(directory: dir.directory, fs: PosixFileSystem())
        #expect(try reader.oldestStart() == segments[1].seq - 1)
        #expect(throws: LogReader.Failure.self) { try reader.read(after: 0, upTo: UInt64(entries.count)) { _, _ in true } }
        let rest = try Self.pages(reader, after: segments[1].seq - 1, durable: UInt64(entries.count), page: 10)
        #expect(rest.first?.0 == segments[1].seq && rest.last?.0 == UInt64(entries.count))
    }

    @Test func aDamagedDurableRecordIsAnErrorNotTheEnd() throws {
        let (dir, entries) = try Self.written(30, segmentLimit: 64 << 20)
        let path = dir.directory.file(try dir.directory.contents(PosixFileSystem()).segments[0].name)
        var bytes = try PosixFileSystem().readFile(path)
        bytes[bytes.count / 2] ^= 0xFF  // inside some record's payload
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reader = LogReader(directory: dir.directory, fs: PosixFileSystem())
        var met = 0
        #expect(throws: LogReader.Failure.self) {
            try reader.read(after: 0, upTo: UInt64(entries.count)) { _, _ in met += 1; return true }
        }
        #expect(met > 0 && met < entries.count)
    }
}
