import ReturnLedgerCore
@testable import ReturnLedgerStorage
import TestSupport
import Testing

@Suite struct CodecTests {
    @Test func everyEventRoundTrips() throws {
        for entry in sampleEntries() {
            var w = ByteWriter()
            entry.write(to: &w)
            let decoded = try w.bytes.withUnsafeBytes { raw in
                var r = ByteReader(raw)
                let value = try LogEntry(from: &r)
                #expect(r.remaining == 0)
                return value
            }
            #expect(decoded == entry)
        }
    }

    /// A state's bytes with every `from` (as bytes) replaced by `to`, of the same length, and how
    /// many were: a state no writer makes (a name twice), to show the reader refuses it.
    func stateBytes(_ ledger: Ledger, renaming from: String, to: String) -> (body: [UInt8], renamed: Int) {
        var w = ByteWriter()
        ledger.write(to: &w)
        var body = w.bytes
        let old = Array(from.utf8), new = Array(to.utf8)
        var renamed = 0
        for i in 0..<(body.count - old.count) where Array(body[i..<(i + old.count)]) == old {
            body.replaceSubrange(i..<(i + old.count), with: new)
            renamed += 1
        }
        return (body, renamed)
    }

    @Test func theWholeStateRoundTrips() throws {
        let ledger = applied(sampleEntries(count: 60))
        let bytes = Snapshot.encode(ledger, seq: 60)
        let (seq, decoded) = try Snapshot.decode(bytes)
        #expect(seq == 60)
        #expect(decoded == ledger)
        #expect(decoded.digest == ledger.digest)
    }

    /// Format 15 keeps STATS' buckets in the state: a decoded state holds the buckets written, not
    /// a rebuild from its returns (a figure no rebuild makes survives), and a count or sum out of
    /// range is damage, not a trap in a later `apply`; the same for the returns per order and party.
    @Test func theStatsAreKeptNotRebuilt() throws {
        let ledger = applied(everyKindEntries())
        let key = try #require(ledger.stats.buckets.keys.first { ledger.stats.buckets[$0]!.approved > 0 })
        #expect(try Snapshot.decode(Snapshot.encode(ledger, seq: 9)).1.stats == ledger.stats)
        var marked = ledger
        marked.stats.buckets[key]!.fees += 7
        marked.stats.buckets[key]!.approvalSeconds.append(12_345)
        marked.stats.soldPerDay[StatsIndex.SoldKey(day: 1, location: "ZZ")] = 3
        let decoded = try Snapshot.decode(Snapshot.encode(marked, seq: 9)).1
        #expect(decoded.stats == marked.stats && decoded.stats != ledger.stats)
        #expect(decoded.digest == marked.digest)
        // The returns per order and per party are kept too, and must name returns the state holds.
        var unfiled = ledger
        let order = try #require(ledger.orders.first { !$0.value.returnNumbers.isEmpty }?.key)
        unfiled.orders[order]!.returnNumbers.append(ledger.returns.count + 1)
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(unfiled, seq: 9)) }
        var backwards = ledger
        let party = try #require(ledger.returnsByParty.first { !$0.value.isEmpty }?.key)
        backwards.returnsByParty[party]!.append(ledger.returnsByParty[party]!.first!)
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(backwards, seq: 9)) }
        var huge = ledger
        huge.stats.buckets[key]!.filed = 1 << 61
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(huge, seq: 9)) }
        // What STATS would trap on later: a date it cannot print, figures whose window sums or
        // rates overflow; and counts that do not match the returns filed.
        var farDay = ledger
        farDay.stats.buckets[StatsIndex.Key(day: .max, kind: .sale, location: "STORE1")] = ledger.stats.buckets[key]
        farDay.stats.buckets[key] = nil
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(farDay, seq: 9)) }
        var large = ledger
        for k in large.stats.buckets.keys { large.stats.buckets[k]!.amount = (1 << 59) - 1 }
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(large, seq: 9)) }
        var uncounted = ledger
        uncounted.stats.buckets[key]!.filed += 1
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(uncounted, seq: 9)) }
        var overclosed = ledger
        overclosed.stats.buckets[key]!.rejected += overclosed.stats.buckets[key]!.filed
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(overclosed, seq: 9)) }
        var twice = ledger
        twice.stats.buckets[key]!.groups.reason["R-TWICE"] = StatsIndex.Totals(count: 1, qty: 1, amount: 1)
        twice.stats.buckets[key]!.groups.reason["R-TWICF"] = StatsIndex.Totals(count: 1, qty: 1, amount: 1)
        let (body, renamed) = stateBytes(twice, renaming: "R-TWICF", to: "R-TWICE")
        #expect(renamed == 1)
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.file(body: body, seq: 9)) }
    }

    /// Format 15 writes the documents as held (a list per business date) and LIST's rows: both
    /// read back equal, open returns found from the rows alone, and what `apply` never makes (a
    /// list ending in a gap, a document of a return not held, a row of a location not listed) is
    /// damage.
    @Test func theDocumentListsAndListRowsReadBackAsHeld() throws {
        let ledger = applied(everyKindEntries())
        let decoded = try Snapshot.decode(Snapshot.encode(ledger, seq: 9)).1
        #expect(decoded.documents == ledger.documents && decoded.documents.count > 0)
        #expect(decoded.listIndex == ledger.listIndex && decoded.listIndex.rows.count == ledger.returns.count)
        #expect(decoded.openReturns == ledger.openReturns && !ledger.openReturns.isEmpty)
        var gap = ledger
        gap.documents.restore(day: 1, [1, 0])
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(gap, seq: 9)) }
        var ghost = ledger
        ghost.documents.restore(day: 1, [UInt32(ledger.returns.count + 1)])
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(ghost, seq: 9)) }
        var nowhere = ledger
        nowhere.restore(listIndex: ReturnListIndex(locations: [], rows: ledger.listIndex.rows))
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(nowhere, seq: 9)) }
        // A row saying open where the return is not (only open rows are read when loaded).
        let closed = try #require(ledger.returns.firstIndex { !$0.state.isOpen })
        var rows = ledger.listIndex.rows
        rows[closed].state = 0
        var falselyOpen = ledger
        falselyOpen.restore(listIndex: ReturnListIndex(locations: ledger.listIndex.locationCodes, rows: rows))
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(falselyOpen, seq: 9)) }
        var farDocuments = ledger
        farDocuments.documents.restore(day: 100_000_000, [1])
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(farDocuments, seq: 9)) }
    }

    /// Format 15 writes the audit trail's words once and each entry's as numbers: read back
    /// equal, written again byte for byte (numbered in the order the held entries name them, not
    /// the order they were first seen live), and a word twice in the list is damage.
    @Test func theAuditTrailsWordsAreWrittenOnce() throws {
        var ledger = applied(everyKindEntries())
        for _ in 0..<3 {
            for user in ["ZZWORDA", "ZZWORDB"] {
                ledger.audit.append(AuditEntry(seq: 0, at: Timestamp(seconds: 1), user: user, peer: "p", command: "PING", target: "", outcome: "ok"))
            }
        }
        let bytes = Snapshot.encode(ledger, seq: 9)
        let decoded = try Snapshot.decode(bytes).1
        #expect(decoded.audit == ledger.audit)
        #expect(Snapshot.encode(decoded, seq: 9) == bytes)
        let (body, found) = stateBytes(ledger, renaming: "ZZWORDB", to: "ZZWORDA")
        #expect(found == 1)  // three entries by ZZWORDB, the word written once
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.file(body: body, seq: 9)) }
    }

    /// Every kind of record's state, serial registry included (format 11), through a snapshot.
    @Test func everyKindsStateRoundTrips() throws {
        let ledger = applied(everyKindEntries())
        #expect(ledger.serialRegistry["P900"]?.isEmpty == false)
        let (_, decoded) = try Snapshot.decode(Snapshot.encode(ledger, seq: 9))
        #expect(decoded == ledger)
        #expect(decoded.serialRegistry == ledger.serialRegistry)
    }

    /// The registry's reader refuses what replay never makes: an empty record, a SKU without
    /// serials, a SKU twice (a snapshot holding one would differ from its log).
    @Test func theSerialRegistryReaderRejectsWhatReplayNeverMakes() throws {
        let ledger = applied(everyKindEntries())
        var empty = ledger
        empty.serialRegistry["P900"]!["GHOST"] = SerialRecord()
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(empty, seq: 9)) }
        var bare = ledger
        bare.serialRegistry["Q900"] = [:]
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(bare, seq: 9)) }
        // P900's serials written a second time under Q900, then renamed P900 in the bytes.
        var twice = ledger
        twice.serialRegistry["Q900"] = ledger.serialRegistry["P900"]
        let (body, renamed) = stateBytes(twice, renaming: "Q900", to: "P900")
        #expect(renamed == 1)
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.file(body: body, seq: 9)) }
        // The unpatched state still reads back.
        #expect(try Snapshot.decode(Snapshot.encode(twice, seq: 9)).ledger == twice)
    }

    /// A document number (over 15 bytes, so a heap object) is one object in the state that was
    /// written; decoding must not turn each mention into a copy of its own (320 MB per 1M returns).
    /// The compact indexes read from a snapshot only what applying records makes: each keyed
    /// return once under its own key, documents without gaps beyond what byte order explains.
    @Test func theIndexReadersRejectWhatReplayNeverMakes() throws {
        let ledger = applied(sampleEntries(count: 60))
        let keyed = ledger.returns.filter { !$0.key.isEmpty }
        try #require(!keyed.isEmpty)
        var twice = ledger
        twice.returnKeys.insert(keyed[0].key, keyed[0].number)
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(twice, seq: 9)) }
        var wrong = ledger
        wrong.returnKeys.insert("not-its-key", keyed[0].number)
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(wrong, seq: 9)) }

        var gaps = ledger
        gaps.documents["RT-20261207-1048576"] = 1  // the highest serial kept in a date's array
        #expect(try Snapshot.decode(Snapshot.encode(gaps, seq: 9)).ledger.documents == gaps.documents, "one far serial: within the slack")
        gaps.documents["RT-20261208-1048576"] = 2
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(gaps, seq: 9)) }
    }

    /// Section 23's memory model: audit entries an archive took leave memory a whole chunk at a
    /// time; a snapshot writes the released chunks as runs and reads them back released (the
    /// same state, the same digest).
    @Test func archivedAuditChunksLeaveMemoryAndSnapshotsKeepThemReleased() throws {
        var ledger = Ledger()
        let at = Timestamp(parsing: "2026-11-02T10:00:00Z")!
        for i in 0..<3_000 {
            ledger.apply(.audited(AuditEntry(seq: i + 1, at: at, user: "u\(i % 3)", peer: "p", command: "STOCK", target: "", outcome: "ok")))
        }
        for i in 0..<2_100 {  // and an account, a notice list: the same chunks' rule
            ledger.entries["C1", default: []].append(LedgerEntry(at: at, kind: .sale, doc: "S\(i)", amount: Money(minor: 100), balance: Money(minor: 100 * Int64(i + 1))))
            ledger.notices.append(Notice(number: i + 1, at: at, party: "C1", kind: .refund, doc: "", amount: Money(minor: 5), returnNumber: 1, order: "S1"))
        }
        var taken = ArchiveSelection()
        taken.audit = IDRuns(runs: [0...2_499])
        taken.entries["C1"] = IDRuns(runs: [0...1_999])
        taken.notices = IDRuns(runs: [1...1_500])
        let archive = ArchiveEntry(name: "archive-20261102-0001", through: CivilDate(year: 2026, month: 11, day: 2), number: 1,
                                   takenAt: at, purchasesAll: false, counts: ArchiveCounts(), bytes: 1, checksum: 1, seq: 3_001, taken: taken)
        ledger.apply(.archiveWritten(archive))
        let size = AuditLog.entriesPerChunk
        // Chunks 0 and 1 lie wholly inside 0...2,499; chunk 2 (2,048...2,999) does not, and is still filling.
        #expect(ledger.audit.count == 3_000 && ledger.audit.heldCount == 3_000 - 2 * size)
        #expect(!ledger.audit.isHeld(0) && !ledger.audit.isHeld(2 * size - 1) && ledger.audit.isHeld(2 * size))
        let (_, decoded) = try Snapshot.decode(Snapshot.encode(ledger, seq: 3_001))
        #expect(decoded == ledger && decoded.digest == ledger.digest)
        #expect(decoded.audit.heldCount == ledger.audit.heldCount && decoded.audit.releasedChunks == IDRuns(runs: [0...1]))
        #expect(decoded.audit[2 * size].seq == 2 * size + 1 && decoded.audit[2_999].user == "u\(2_999 % 3)")
        #expect(decoded.entries["C1"]!.heldCount == 2_100 - size && decoded.notices.heldCount == 2_100 - size)
        #expect(decoded.broughtForward["C1"] == BroughtForward(at: at, amount: 200_000) && decoded.broughtForward == ledger.broughtForward)
        // A chunk released that no archive took: refused (replay would hold it).
        var stray = ledger
        stray.archives = []
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(stray, seq: 3_001)) }
    }

    /// Crafted bytes around released chunks throw, never trap or fill memory: runs past 4-byte
    /// numbers, a list releasing more chunks than the state's budget, an archive taking records a
    /// state does not have.
    @Test func releasedChunksInCraftedBytesAreDamage() throws {
        func decode<T>(_ bytes: [UInt8], _ body: (inout ByteReader) throws(CodecError) -> T) -> CodecError? {
            bytes.withUnsafeBytes { raw in
                var r = ByteReader(raw)
                do throws(CodecError) { _ = try body(&r); return nil } catch { return error }
            }
        }
        var wide = ByteWriter()
        wide.u32(1); wide.int(0); wide.int(1 << 40)
        #expect(decode(wide.bytes) { (r: inout ByteReader) throws(CodecError) in try IDRuns(from: &r) } != nil)
        // Four billion elements, four million chunks released, in a few bytes.
        var huge = ByteWriter()
        huge.u32(UInt32.max); huge.u32(1); huge.int(0); huge.int(4_000_000)
        var budget = 1_000
        #expect(decode(huge.bytes) { (r: inout ByteReader) throws(CodecError) in try r.chunks(Notice.self, budget: &budget) } != nil)
        // An archive that took an audit entry past the trail's end.
        var ledger = Ledger()
        let at = Timestamp(parsing: "2026-11-02T10:00:00Z")!
        ledger.apply(.audited(AuditEntry(seq: 1, at: at, user: "u", peer: "p", command: "STOCK", target: "", outcome: "ok")))
        var taken = ArchiveSelection()
        taken.audit = IDRuns(runs: [0...5])
        ledger.archives = [ArchiveEntry(name: "archive-20261102-0001", through: CivilDate(year: 2026, month: 11, day: 2), number: 1,
                                        takenAt: at, purchasesAll: false, counts: ArchiveCounts(), bytes: 1, checksum: 1, seq: 2, taken: taken)]
        #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.encode(ledger, seq: 2)) }
    }

    /// Format 16 writes released returns, the key index as held and the chain's head; what
    /// replay never makes is damage, never a trap: a released block no archive took, an archive
    /// taking an open return, a key slot a lookup cannot reach or a keyed return without one, a
    /// head that is not the last document's, a VOID or document naming a return never filed.
    @Test func releasedReturnsAndTheKeyIndexInCraftedStatesAreDamage() throws {
        let golden = GoldenDataTests.root + "/golden-v16/snapshot"
        let ledger = try Recovery.load(DataDirectory(golden), fs: PosixFileSystem(), repair: false).ledger
        try #require(ledger.returns.releasedChunks == IDRuns(runs: [1...1]))
        let (_, reread) = try Snapshot.decode(Snapshot.encode(ledger, seq: 9))
        #expect(reread == ledger && reread.chainHead == ledger.chainHead)
        func damaged(_ change: (inout Ledger) -> Void, _ why: String, saying: String, sourceLocation: SourceLocation = #_sourceLocation) {
            var bad = ledger
            change(&bad)
            do {
                _ = try Snapshot.decode(Snapshot.encode(bad, seq: 9))
                Issue.record("decoded a state with \(why)", sourceLocation: sourceLocation)
            } catch {
                #expect(error.message.contains(saying), "\(why): \(error.message)", sourceLocation: sourceLocation)
            }
        }
        damaged({ $0.archives[0].taken.returns = IDRuns(runs: [1...5]) }, "a released block no archive took", saying: "released but no archive took it")
        let open = try #require(ledger.openReturns.min())
        damaged({ $0.archives[0].taken.returns += IDRuns(runs: [open...open]) }, "an archive taking an open return", saying: "is open, and archived")
        damaged({ $0.restore(chainHead: DocHash.zero) }, "a chain head other than the last document's", saying: "chain's head")
        damaged({ $0.voids[ledger.returns.count + 1] = ledger.voids.values.first.map { var v = $0; v.number = ledger.returns.count + 1; return v } },
                "a VOID of a return never filed", saying: "a VOID names return")
        // The key index: a slot moved past an empty one, out of a lookup's reach; a held keyed return's slot gone.
        var slots = ledger.returnKeys.shardSlots
        let s = try #require(slots.indices.first { slots[$0].contains(0) && slots[$0].contains { $0 != 0 } })
        let n = slots[s].count, i = slots[s].firstIndex { $0 != 0 }!, slot = slots[s][i]
        let home = Int(truncatingIfNeeded: slot >> 32) & (n - 1)
        slots[s][i] = 0
        let far = (1..<n).map { (home + $0) & (n - 1) }.first { k in
            slots[s][k] == 0 && (1..<n).map { (home + $0) & (n - 1) }.prefix { $0 != k }.contains { slots[s][$0] == 0 }
        }!
        var moved = slots
        moved[s][far] = slot
        damaged({ $0.returnKeys = ReturnKeyIndex(shardSlots: moved, keysApart: ledger.returnKeys.keysApart) }, "a key slot out of reach", saying: "out of its place")
        let heldKeyed = try #require(ledger.returns.held.last { !$0.key.isEmpty })
        var dropped = ledger.returnKeys.shardSlots
        for (k, shard) in dropped.enumerated() {
            if let j = shard.firstIndex(where: { $0 != 0 && Int($0 & 0xFFFF_FFFF) == heldKeyed.number }) { dropped[k][j] = 0 }
        }
        damaged({ $0.returnKeys = ReturnKeyIndex(shardSlots: dropped, keysApart: ledger.returnKeys.keysApart) }, "a keyed return not indexed", saying: "is not indexed")
    }

    @Test func equalLongStringsInASnapshotShareOneObject() throws {
        let (_, decoded) = try Snapshot.decode(Snapshot.encode(applied(sampleEntries(count: 60)), seq: 60))
        let approved = try #require(decoded.returns.first { !$0.doc.isEmpty })
        let notice = try #require(decoded.notices.first { $0.doc == approved.doc })
        #expect(approved.doc.utf8.count > 15)
        #expect(storageAddress(approved.doc) != nil)
        #expect(storageAddress(approved.doc) == storageAddress(notice.doc))
    }

    private func storageAddress(_ string: String) -> UnsafeRawPointer? {
        string.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
    }

    @Test func digestsDifferWhenStatesDiffer() {
        let entries = sampleEntries(count: 30)
        #expect(applied(entries).digest != applied(Array(entries.dropLast())).digest)
        #expect(applied(entries).digest == applied(entries).digest)
    }

    @Test func aFlippedByteFailsTheSnapshotChecksum() {
        var bytes = Snapshot.encode(applied(sampleEntries()), seq: 9)
        bytes[bytes.count / 2] ^= 0x40
        #expect(throws: CodecError.self) { try Snapshot.decode(bytes) }
    }

    @Test func crc32cMatchesTheKnownVector() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    }

    /// A snapshot's reader hands back one shared object for equal long strings (as replay leaves
    /// them), through growth of its table; short ones live in the value; nothing read changes.
    @Test func equalLongStringsReadAsOneObject() throws {
        var w = ByteWriter()
        let words = (0..<10_000).map { "RT-20261206-\(String($0 + 100_000))" } + ["short", "", "注意：箱子破了，请检查"]
        for word in words + words { w.string(word) }
        let read: [String] = try w.bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw, interning: true)
            return try (0..<(words.count * 2)).map { _ in try r.string() }
        }
        #expect(read == words + words)
        func storage(_ s: String) -> UnsafeRawPointer? { var s = s; return s.withUTF8 { UnsafeRawPointer($0.baseAddress) } }
        for i in [0, 1, 4_999, 9_999, words.count - 1] {
            #expect(storage(read[i]) == storage(read[words.count + i]), "\(read[i]) read twice is one object")
        }
    }

    /// The instruction and the tables agree at every length and alignment, with a seed carried
    /// across (as a record's header and body are summed).
    @Test func crc32cInstructionAndTablesAgree() {
        var random = SeededGenerator(seed: testSeed("crc32cInstructionAndTablesAgree"))
        let bytes = (0..<600).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        bytes.withUnsafeBytes { all in
            for start in 0..<9 {
                for count in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 300, 591 - start] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + count)])
                    let seed = UInt32(truncatingIfNeeded: random.next())
                    #expect(CRC32C.checksum(slice, seed: seed) == CRC32C.tableChecksum(slice, seed: seed), "start \(start) count \(count)")
                }
            }
        }
    }

    @Test func recordsDecodeAndChecksumsCatchDamage() {
        let entry = sampleEntries(count: 8)[7]
        var w = ByteWriter()
        LogRecord.append(entry, seq: 42, to: &w)
        w.bytes.withUnsafeBytes { raw in
            guard case .record(let seq, let decoded, let next) = LogRecord.read(raw, at: 0) else {
                Issue.record("record did not read back")
                return
            }
            #expect(seq == 42)
            #expect(decoded == entry)
            #expect(next == raw.count)
        }
        for position in [0, 5, 13, w.bytes.count - 1] {
            var damaged = w.bytes
            damaged[position] ^= 0x01
            damaged.withUnsafeBytes { raw in
                if case .record = LogRecord.read(raw, at: 0) { Issue.record("flip at \(position) went unnoticed") }
            }
        }
    }
}

@Suite struct EventCoverageTests {
    /// Every tag the codec knows has a case in `everyKindEntries`, and each round-trips.
    @Test func everyEventTagHasARoundTripCase() throws {
        // Format 13's `archive.written` is not in the history (replaying it needs its archive's
        // file): its summary round-trips here; what it took is read from the file on replay.
        var counts = ArchiveCounts()
        counts.returns = 3; counts.documents = 2; counts.orders = 1; counts.entries = 4; counts.notices = 5; counts.audit = 6; counts.other = 7
        let archived = ArchiveEntry(name: "archive-20261130-0001", through: CivilDate(daysSinceEpoch: 20_787), number: 1,
                                    takenAt: Timestamp(seconds: 1_796_000_000), purchasesAll: true, counts: counts, bytes: 4096,
                                    checksum: 0xdead_beef, seq: 7, taken: ArchiveSelection())
        let entries = everyKindEntries() + [LogEntry(at: Timestamp(seconds: 1_796_000_001), actor: "admin", events: [.archiveWritten(archived)])]
        let events = entries.flatMap(\.events)
        #expect(Set(events.map(\.tag)) == Set(Event.tags), "add a case for each new event kind to everyKindEntries")
        for entry in entries {
            var w = ByteWriter()
            LogRecord.append(entry, seq: 1, to: &w)
            let decoded = w.bytes.withUnsafeBytes { raw -> LogEntry? in
                guard case .record(_, let entry, _) = LogRecord.read(raw, at: 0) else { return nil }
                return entry
            }
            #expect(decoded == entry)
        }
    }

    /// Approvals record what they moved; replaying them never consults the catalogue again.
    @Test func approvalsCarryTheirOutcome() throws {
        let approvals = everyKindEntries().flatMap(\.events).compactMap { event -> Approval? in
            if case .returnApproved(let a) = event { return a } else { return nil }
        }
        #expect(approvals.count == 15)
        #expect(approvals.allSatisfy { $0.outcome != nil && $0.outcome?.tenders != nil && $0.hash != nil })
        #expect(approvals[0].outcome?.quarantined == [0])
        #expect(approvals[3].by == "fin1" && approvals[3].outcome?.quarantined == [0])  // the second of two
        #expect(approvals[4].by == Ledger.systemUser)  // an auto rule, at filing
        // Format 5: the exchange sale and the fee travel in the record, not looked up again.
        #expect(approvals[5].outcome?.fee == Money(minor: 313) && approvals[5].outcome?.exchange?.id == "X-R000008")
        #expect(approvals[5].outcome?.due == Money(minor: 3713) && approvals[5].outcome?.paidIn == Money(minor: 3713))
        #expect(approvals[6].outcome?.fee == Money(minor: 1250) && approvals[6].refund == .credit)
        // Format 8: the split refund over a card, cash and credit sale, through the till.
        #expect(approvals[8].number == 11 && approvals[8].by == "fin1" && approvals[8].outcome?.parts?.count == 3
                && approvals[8].outcome?.session == 1)
        // Format 11: an exchange's serial replacement travels on its sale's line.
        #expect(approvals[13].number == 17 && approvals[13].outcome?.exchange?.lines.first?.serials == ["N6"])
    }

    /// `apply(decode(encode(events)))` equals `apply(events)` for a long random history, through
    /// the real log and a snapshot in the middle.
    @Test func replayThroughTheCodecEqualsReplayInMemory() throws {
        let seed = testSeed("replayThroughTheCodecEqualsReplayInMemory")
        let entries = randomHistory(seed: seed, count: 3000)
        let dir = TempDirectory()
        let log = try WriteAheadLog(directory: dir.directory, fs: PosixFileSystem(), policy: .always, lastSeq: 0, segment: nil)
        for entry in entries[0..<1500] { try log.append(entry) }
        _ = try snapshotAndDropCovered(log, entries, at: 1500, in: dir)
        let recovered = try Recovery.load(dir.directory, fs: PosixFileSystem(), repair: true)
        let live = applied(entries)
        #expect(recovered.lastSeq == 3000, "seed \(seed)")
        let same = recovered.ledger == live  // a Bool, so a failure does not print two whole states
        #expect(same, "seed \(seed)")
        #expect(recovered.ledger.digest == live.digest, "seed \(seed)")
        #expect(live.returns.count > 50, "the history should exercise returns (seed \(seed))")
        #expect(live.returns.contains { $0.state == .second_review || !$0.firstApprovedBy.isEmpty }, "seed \(seed)")
        #expect(live.returns.contains { $0.state == .completed } && live.returns.contains { $0.state == .rejected },
                "seed \(seed)")
    }
}
