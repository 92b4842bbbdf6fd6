import Foundation
import ReturnLedgerCore
@testable import ReturnLedgerStorage
import TestSupport
import Testing

/// Archive files (protocol.md, Years of history: File): every record kind of every format
/// version's golden data written and found again by each of its keys, and a flipped byte
/// anywhere reported as damage naming the file and the offset of what holds it.
@Suite struct ArchiveFileTests {
    /// Every record section 23 archives, out of a whole state: returns (with their voids), orders,
    /// ledger entries, notices, audit entries, till sessions, credit lots, transfers, stock moves
    /// (those in memory: an archive's records that left it are not written again).
    static func records(of ledger: Ledger) -> [ArchiveRecord] {
        var records: [ArchiveRecord] = []
        for r in ledger.returns.held { records.append(.returned(r, void: ledger.voids[r.number])) }
        for order in ledger.orders.sorted(by: { $0.key < $1.key }).map(\.value) { records.append(.order(order)) }
        for (party, entries) in ledger.entries.sorted(by: { $0.key < $1.key }) {
            for entry in entries.held { records.append(.entry(party: party, entry)) }
        }
        for notice in ledger.notices.held { records.append(.notice(notice)) }
        for entry in ledger.audit.held { records.append(.audit(entry)) }
        for session in ledger.tillSessions { records.append(.till(session)) }
        for (party, lots) in ledger.creditLots.sorted(by: { $0.key < $1.key }) {
            for lot in lots { records.append(.lot(party: party, lot)) }
        }
        for transfer in ledger.transfers.values.sorted(by: { $0.id < $1.id }) { records.append(.transfer(transfer)) }
        for move in ledger.stockMoves { records.append(.move(move)) }
        return records
    }

    static func header(_ number: Int = 1) -> ArchiveHeader {
        ArchiveHeader(epoch: "0123456789abcdef", through: CivilDate(daysSinceEpoch: 20_428), number: number,
                      takenAt: Timestamp(seconds: 1_765_000_000))
    }

    static func encoded(_ record: ArchiveRecord) -> [UInt8] {
        var w = ByteWriter()
        record.write(to: &w)
        return w.bytes
    }

    /// The reads of records that left memory (`ArchiveRecordSource`): audit entries by place,
    /// notices by number and by party, returns by number, from a real file; a file that is not the committed one
    /// (another checksum) or is missing is `ERR ARCHIVE` naming it.
    @Test func theRecordSourceReadsAuditEntriesNoticesAndReturnsBack() throws {
        let golden = try #require(GoldenDataTests.directories.last)
        let ledger = try Recovery.load(DataDirectory(golden.path), fs: PosixFileSystem(), repair: false).ledger
        try #require(ledger.notices.count >= 3 && ledger.audit.count >= 3)
        let dir = TempDirectory()
        let name = ArchiveFile.name(through: CivilDate(daysSinceEpoch: 20_428), number: 1)
        let written = try ArchiveFile.write(ArchiveFileTests.records(of: ledger), header: ArchiveFileTests.header(1), name: name,
                                            in: dir.path, fs: PosixFileSystem())
        var entry = ArchiveEntry(name: name, through: CivilDate(daysSinceEpoch: 20_428), number: 1, takenAt: Timestamp(seconds: 0),
                                 purchasesAll: false, counts: ArchiveCounts(), bytes: written.bytes, checksum: written.checksum, seq: 1,
                                 taken: ArchiveSelection())
        // A batch: each key's records, in the keys' order, an absent key none (read together).
        let reader = try ArchiveReader(path: dir.path + "/" + name + ".rla", fs: PosixFileSystem())
        let positions = ledger.audit.indices.filter { ledger.audit.isHeld($0) }  // what the file holds
        let (a, b) = (String(positions[0] + 1), String(positions[1] + 1))
        let batch = try reader.find(.audit, [b, "nope", a, b])
        #expect(batch == [try reader.find(.audit, b), [], try reader.find(.audit, a), try reader.find(.audit, b)] && batch[0].count == 1)
        let source = ArchiveRecordSource(ArchiveReplay(directory: dir.path, fs: PosixFileSystem()))
        #expect(try source.audit(positions, in: entry) == positions.map { ledger.audit[$0] })
        let numbers = ledger.notices.indices.filter { ledger.notices.isHeld($0) }.map { $0 + 1 }
        #expect(try source.notices(numbers, in: entry) == Array(ledger.notices.held))
        let party = try #require(ledger.notices.held.first).party  // golden-v16's are a walk-in's: "".
        #expect(try source.notices(of: party, in: entry) == ledger.notices.held.filter { $0.party == party })
        #expect(try source.notices(of: "NOBODY", in: entry).isEmpty)
        // Returns by number (section 23: those that left memory are read back so).
        let returns = Array(ledger.returns.held.suffix(3))
        #expect(try source.returns(returns.map(\.number), in: entry) == returns)
        #expect(throws: DomainError.self) { try source.returns([ledger.returns.count + 1], in: entry) }
        #expect(throws: DomainError.self) { try source.notices([ledger.notices.count + 1], in: entry) }
        // Not the committed file: refused, naming it; and a fresh source finds a missing one.
        entry.checksum ^= 1
        let other = ArchiveRecordSource(ArchiveReplay(directory: dir.path, fs: PosixFileSystem()))
        do {
            _ = try other.audit([0], in: entry)
            Issue.record("a file of another checksum was read")
        } catch {
            #expect(error.code == .ARCHIVE && error.message.contains(name), "\(error.message)")
        }
        entry.name = ArchiveFile.name(through: CivilDate(daysSinceEpoch: 20_428), number: 2)
        #expect(throws: DomainError.self) { try other.notices([1], in: entry) }
    }

    @Test(arguments: GoldenDataTests.directories)
    func everyRecordOfEveryVersionRoundTrips(_ golden: GoldenDataTests.Golden) throws {
        let ledger = try Recovery.load(DataDirectory(golden.path), fs: PosixFileSystem(), repair: false).ledger
        let records = ArchiveFileTests.records(of: ledger)
        let dir = TempDirectory()
        let name = ArchiveFile.name(through: CivilDate(daysSinceEpoch: 20_428), number: 7)
        #expect(name == "archive-20251206-0007")
        let written = try ArchiveFile.write(records, header: ArchiveFileTests.header(7), name: name, in: dir.path, fs: PosixFileSystem())
        #expect(dir.files() == [name + ".rla"])  // the temporary file renamed away
        let reader = try ArchiveReader(path: dir.path + "/" + name + ".rla", fs: PosixFileSystem())
        #expect(reader.name == name && reader.size == written.bytes && reader.checksum == written.checksum)
        #expect(reader.header == written.header && reader.header.number == 7 && reader.header.format == .current)
        let counts = reader.header.counts
        #expect(counts.returns == ledger.returns.heldCount && counts.orders == ledger.orders.count)
        #expect(counts.notices == ledger.notices.heldCount && counts.audit == ledger.audit.heldCount)
        // Approvals' and voids' documents (golden-v16: of the returns held).
        let held = ledger.returns.held
        #expect(counts.documents == held.filter { !$0.doc.isEmpty }.count + held.filter { ledger.voids[$0.number] != nil }.count)
        #expect(reader.header.returns == (ledger.returns.isEmpty ? nil : held.first!.number...ledger.returns.count))
        try reader.verify()
        // Records come back as their encoding says: the fields a state derives (an order's
        // returns, a document's place in the chain) are derived again by what reads them.
        #expect(try reader.allRecords().map(ArchiveFileTests.encoded) == records.map(ArchiveFileTests.encoded))
        // Each record by each of its keys (a key that finds several: among them).
        for record in records {
            for (index, key) in record.keys {
                let found = try reader.find(index, key)
                #expect(found.map(ArchiveFileTests.encoded).contains(ArchiveFileTests.encoded(record)), "\(golden) \(index) \(key)")
                if index != .party, index != .orderReturns, index != .doc || found.count == 1 { #expect(found.count == 1) }
            }
            for key in record.clientKeys { #expect(reader.mayHold(clientKey: key)) }
        }
        #expect(try reader.find(.returns, "R999999").isEmpty && reader.find(.orders, "").isEmpty)
        #expect(try reader.find(.party, "~after-every-key").isEmpty)
        // Kinds the golden data has: every one in some directory.
        let kinds = Set(records.map { "\($0)".prefix { $0 != "(" } })
        if golden.name == "golden-v12/log-only" {
            #expect(kinds == ["returned", "order", "entry", "notice", "audit", "till", "lot", "transfer", "move"])
        }
    }

    /// Everything finished in the newest golden state that has no archives yet (golden-v13's
    /// took theirs: a selection leaves out what archives hold), selected as ARCHIVE would,
    /// written and counted: the header's counts are the selection's.
    @Test func aSelectionWrittenHoldsWhatItNames() throws {
        let golden = try #require(GoldenDataTests.directories.last { $0.writtenIn < 13 })
        let ledger = try Recovery.load(DataDirectory(golden.path), fs: PosixFileSystem(), repair: false).ledger
        #expect(ledger.archives.isEmpty)
        let later = Timestamp(seconds: (ledger.audit.last?.at.seconds ?? 0) + 400 * 86_400)
        let selection = ledger.archiveSelection(through: CivilDate(daysSinceEpoch: later.seconds / 86_400), purchasesAll: true, at: later)
        let records = ArchiveRecord.records(selection, of: ledger)
        let dir = TempDirectory()
        let written = try ArchiveFile.write(records, header: ArchiveFileTests.header(), name: "all", in: dir.path, fs: PosixFileSystem())
        let counts = written.header.counts
        #expect(counts.returns == selection.returns.count && counts.orders == selection.orders.count)
        #expect(counts.entries == selection.entries.values.reduce(0) { $0 + $1.count } && counts.notices == selection.notices.count)
        #expect(counts.audit == selection.audit.count && counts.audit == ledger.audit.count)
        #expect(counts.other == selection.tillSessions.count + selection.transfers.count + selection.stockMoves.count
                + selection.lots.values.reduce(0) { $0 + $1.count })
        // A year on, only what can still change stays: returns waiting for a word or an
        // inspection, and those whose store credit can still be spent.
        let kept = ledger.returns.filter { !selection.returns.contains($0.number) }
        #expect(!kept.isEmpty && counts.returns > 0)
        for r in kept {
            let lot = ledger.creditLots[r.party]?.first { $0.id == r.doc }
            #expect([.pending, .second_review, .inspecting].contains(r.state) || (lot.map { $0.remaining > .zero && !$0.voided && !$0.writtenOff } ?? false),
                    "\(r.id) \(r.state) kept")
        }
        try ArchiveReader(path: dir.path + "/all.rla", fs: PosixFileSystem()).verify()
    }

    /// The regions of a clean archive file: its magic, each block, its trailer.
    static func regions(_ path: String, _ size: Int) throws -> [Range<Int>] {
        let bytes = try PosixFileSystem().readFile(path)
        var regions = [0..<8]
        var offset = 8
        while offset < size - ArchiveFile.trailerSize {
            let length = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
            regions.append(offset..<(offset + 8 + length))
            offset += 8 + length
        }
        #expect(offset == size - ArchiveFile.trailerSize)
        regions.append(offset..<size)
        return regions
    }

    @Test func aFlippedByteAnywhereIsDamageNamingTheFileAndOffset() throws {
        let ledger = try Recovery.load(DataDirectory(GoldenDataTests.directories.last!.path), fs: PosixFileSystem(), repair: false).ledger
        // Two records of each kind.
        var taken: [String: Int] = [:]
        let records = ArchiveFileTests.records(of: ledger).filter { record in
            let kind = String("\(record)".prefix { $0 != "(" })
            taken[kind, default: 0] += 1
            return taken[kind]! <= 2
        }
        #expect(records.count == 18)
        let dir = TempDirectory()
        let written = try ArchiveFile.write(records, header: ArchiveFileTests.header(), name: "a", in: dir.path, fs: PosixFileSystem())
        let path = dir.path + "/a.rla"
        let clean = try PosixFileSystem().readFile(path)
        let regions = try ArchiveFileTests.regions(path, written.bytes)
        #expect(regions.count > 20)
        var bit = SeededGenerator(seed: testSeed("aFlippedByteAnywhereIsDamageNamingTheFileAndOffset"))
        let damagedPath = dir.path + "/damaged.rla"
        // Every bit of the trailer and the magic (they have no checksum of their own), one random
        // bit of every other byte.
        let trailer = written.bytes - ArchiveFile.trailerSize
        let flips = clean.indices.flatMap { position in
            position < 8 || position >= trailer ? (0..<8).map { (position, $0) } : [(position, Int(bit.next() % 8))]
        }
        for (position, flipped) in flips {
            var bytes = clean
            bytes[position] ^= UInt8(1) << UInt8(flipped)
            #expect(FileManager.default.createFile(atPath: damagedPath, contents: Data(bytes)))
            let region = regions.first { $0.contains(position) }!
            do {
                let reader = try ArchiveReader(path: damagedPath, fs: PosixFileSystem())
                try reader.verify()
                Issue.record("byte \(position) flipped: not found")
            } catch {
                #expect(error.file == damagedPath && !error.missing)
                #expect(region.contains(error.offset), "byte \(position) in \(region) reported at \(error.offset): \(error.reason)")
                #expect(error.description.contains(damagedPath) && error.description.contains("offset \(error.offset)"))
            }
        }
    }

    @Test func aMissingOrCutArchiveIsNamed() throws {
        let dir = TempDirectory()
        do {
            _ = try ArchiveReader(path: dir.path + "/none.rla", fs: PosixFileSystem())
            Issue.record("a missing archive opened")
        } catch {
            #expect(error.missing && error.description == "archive \(dir.path)/none.rla is missing")
        }
        let written = try ArchiveFile.write([], header: ArchiveFileTests.header(), name: "empty", in: dir.path, fs: PosixFileSystem())
        let reader = try ArchiveReader(path: dir.path + "/empty.rla", fs: PosixFileSystem())
        #expect(reader.header.counts == ArchiveCounts() && reader.header.returns == nil && written.bytes == reader.size)
        #expect(try reader.find(.returns, "R000001").isEmpty && reader.allRecords().isEmpty)
        try reader.verify()
        // Cut short by one byte: the trailer no longer where it was.
        let cut = Array(try PosixFileSystem().readFile(dir.path + "/empty.rla").dropLast())
        #expect(FileManager.default.createFile(atPath: dir.path + "/cut.rla", contents: Data(cut)))
        #expect(throws: ArchiveDamage.self) { _ = try ArchiveReader(path: dir.path + "/cut.rla", fs: PosixFileSystem()) }
    }

    /// About 10 bits a key: under 2% of keys never inserted pass the filter.
    @Test func theMembershipFilterAdmitsEveryKeyAndFewOthers() {
        var filter = MembershipFilter(expected: 10_000)
        for i in 0..<10_000 { filter.insert("key:k\(i)") }
        #expect((0..<10_000).allSatisfy { filter.mayContain("key:k\($0)") })
        let false_ = (0..<10_000).filter { filter.mayContain("key:other\($0)") }.count
        #expect(false_ < 200, "\(false_) false positives in 10,000")
        #expect(filter.heldBytes <= 10_000 * 10 / 8 + 8)
    }
}
