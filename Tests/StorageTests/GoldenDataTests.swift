import Foundation
import ReturnLedgerCore
import ReturnLedgerStorage
import Testing

/// Data directories written by earlier versions (`Tests/Fixtures/golden-*`, never regenerated)
/// must start and replay to the same state forever.
@Suite struct GoldenDataTests {
    struct Golden: Sendable, CustomStringConvertible {
        var name: String
        var lastSeq: UInt64
        var snapshotSeq: UInt64
        /// The state digest per state-encoding version: a version that adds a field to the state
        /// pins a new digest here beside the old ones (the query answers never change).
        var digests: [UInt8: String]
        /// The format the directory was written in (its answers file's DIGEST is that version's).
        var writtenIn: UInt8 = 1
        var description: String { name }
        var path: String { GoldenDataTests.root + "/" + name }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    /// Format 13 ends the state with its archives (none here): new digests, the same answers.
    /// Format 14 writes, before the records of each account, the notices and the audit trail, the
    /// runs of their chunks released to archives (none: these hold under 1,024 of each), and ends
    /// with the parties' brought-forward sums (none): 4 bytes more a list, the same answers.
    /// Format 2 changed how records are framed, not how the state is written: same digests.
    /// Format 3 writes each user's locations (`*` for these): new digests, same answers.
    /// Format 4 writes each return's rule flow (none matched) and the rules (none): the same.
    /// Format 5 writes each reason's fee, each return's exchange, override and fee, and the
    /// customer limits (none of them set in these): the same again.
    /// Format 6 writes the time-zone periods (none: UTC throughout): 4 bytes more, the same answers.
    /// Format 7 adds the payment's number to its event, not to the state: the same digests.
    /// Format 8 writes each order's named tenders (none here: `cash:TOTAL` is the default), what
    /// returns charged to them, each approved return's tenders, the till sessions, credit lots
    /// (never expiring, for the store credit these gave) and the tender policy: new digests, the
    /// same answers.
    /// Format 9 writes each return's document hash (32 bytes; the documents of these directories
    /// are chained as they are first loaded): new digests, the same answers. It also writes each
    /// SKU's tax rate, a flag byte per order line, return item and return (no tax, no discount in
    /// these) and the policy's tax_included.
    static let directories = [
        Golden(name: "golden-v1/log-only", lastSeq: 93, snapshotSeq: 0,
               digests: [1: "457ba551-16064", 2: "457ba551-16064", 3: "c099b2d4-16072", 4: "50d4a33f-16400",
                         5: "d5b47abe-16900", 6: "241f4044-16904", 7: "241f4044-16904", 8: "0e601588-17973", 9: "95631583-18471", 10: "2f0d7ad6-18703", 11: "fa8ed84e-18840", 12: "fa8ed84e-18840", 13: "42e5fe5f-18844", 14: "e8a27a27-18888", 15: "596b6505-18276", 16: "4fb94290-19720"]),
        Golden(name: "golden-v1/snapshot", lastSeq: 94, snapshotSeq: 62,
               digests: [1: "3b7da63a-16130", 2: "3b7da63a-16130", 3: "517857ec-16138", 4: "e6e43339-16466",
                         5: "b72d97aa-16966", 6: "d2dc7787-16970", 7: "d2dc7787-16970", 8: "55d3d4e2-18039", 9: "85676c9e-18537", 10: "ed52a9fa-18769", 11: "3b65f3f9-18906", 12: "3b65f3f9-18906", 13: "e7753ea7-18910", 14: "61b4d6a1-18954", 15: "d50f2a05-18324", 16: "38387bf4-19768"]),
        // Written by dcff7f8 (format 3): scoped users and `userScoped` records.
        Golden(name: "golden-v3/log-only", lastSeq: 99, snapshotSeq: 0,
               digests: [3: "f8a8a6c4-16746", 4: "d6d55dd1-17074", 5: "0d387715-17574", 6: "47659e77-17578", 7: "47659e77-17578", 8: "a7fd9f19-18647", 9: "75e473de-19145", 10: "7b4afedb-19377", 11: "91e4af2f-19514", 12: "91e4af2f-19514", 13: "03d293ac-19518", 14: "dcd9ac71-19562", 15: "f57de724-18776", 16: "8e39cdb9-20220"], writtenIn: 3),
        Golden(name: "golden-v3/snapshot", lastSeq: 100, snapshotSeq: 65,
               digests: [3: "8fad0a1a-16812", 4: "22c6283d-17140", 5: "c4609906-17640", 6: "6e3c6b1a-17644", 7: "6e3c6b1a-17644", 8: "7d6e7799-18713", 9: "245f1e25-19211", 10: "7f9c889d-19443", 11: "ffc88a3c-19580", 12: "ffc88a3c-19580", 13: "33e40bfb-19584", 14: "e9a0adfa-19628", 15: "ee0d7020-18824", 16: "cd4e066a-20268"], writtenIn: 3),
        // Written by 4ab38f0 (format 4): rules, two-step approvals, auto-approvals.
        Golden(name: "golden-v4/log-only", lastSeq: 127, snapshotSeq: 0,
               digests: [4: "47bf2779-22222", 5: "3a6ab133-22854", 6: "ca48b332-22858", 7: "ca48b332-22858", 8: "81280770-24431", 9: "a4731930-25069", 10: "d5e3389f-25321", 11: "2b61ea94-25462", 12: "2b61ea94-25462", 13: "78b3fae4-25466", 14: "a474df7c-25510", 15: "3efd9ab4-23985", 16: "f5ff7a16-25611"], writtenIn: 4),
        Golden(name: "golden-v4/snapshot", lastSeq: 128, snapshotSeq: 82,
               digests: [4: "95c3cb40-22288", 5: "7513af24-22920", 6: "8de9a14d-22924", 7: "8de9a14d-22924", 8: "5a47c720-24497", 9: "ff14d911-25135", 10: "6523d998-25387", 11: "58f9827b-25528", 12: "58f9827b-25528", 13: "9c7e89aa-25532", 14: "6000e7bc-25576", 15: "5a69fd4d-24033", 16: "465a7bb0-25659"], writtenIn: 4),
        // Written by the first release of format 5: fees, limits, exchanges, no receipt, overrides,
        // catalogue changes.
        Golden(name: "golden-v5/log-only", lastSeq: 155, snapshotSeq: 0, digests: [5: "6cc1e727-28588", 6: "64477759-28592", 7: "64477759-28592", 8: "15f28e05-30721", 9: "2af05bfa-31571", 10: "93576e09-31853", 11: "d03ba959-32000", 12: "d03ba959-32000", 13: "ecb9d4a6-32004", 14: "cf670a1c-32048", 15: "2bf86828-29779", 16: "b59ee4ae-31693"], writtenIn: 5),
        Golden(name: "golden-v5/snapshot", lastSeq: 156, snapshotSeq: 96, digests: [5: "a31776f1-28654", 6: "21e45cd7-28658", 7: "21e45cd7-28658", 8: "ded95f7b-30787", 9: "7c3895ad-31637", 10: "a4744308-31919", 11: "fdb762c1-32066", 12: "fdb762c1-32066", 13: "88cc5cfe-32070", 14: "55123878-32114", 15: "6fb194b3-29827", 16: "f0c0bf4f-31741"], writtenIn: 5),
        // Written by the first release of format 6: the business day (zones changed and kept),
        // an EPOCH, and the covered segment kept beside the snapshot (log keeping).
        Golden(name: "golden-v6/log-only", lastSeq: 165, snapshotSeq: 0, digests: [6: "0433d315-30768", 7: "0433d315-30768", 8: "9fd3137d-33067", 9: "0258f65c-33987", 10: "b0465fb7-34279", 11: "1676b22d-34428", 12: "1676b22d-34428", 13: "7aa6a103-34432", 14: "4ce4738e-34476", 15: "b0769725-32351", 16: "5f3820e6-34361"], writtenIn: 6),
        Golden(name: "golden-v6/snapshot", lastSeq: 166, snapshotSeq: 101, digests: [6: "01d54a38-30800", 7: "01d54a38-30800", 8: "0d031b96-33099", 9: "dd2d4c6b-34019", 10: "8536f418-34311", 11: "f1ba557e-34460", 12: "f1ba557e-34460", 13: "6300fc6f-34464", 14: "8bcbf4b1-34508", 15: "b5b5bd5c-31931", 16: "43b7e4a3-33941"], writtenIn: 6),
        // Written by the first release of format 7: two equal payments of one party in one second,
        // each record with its number.
        Golden(name: "golden-v7/log-only", lastSeq: 169, snapshotSeq: 0, digests: [7: "f54e42b0-31202", 8: "a24dbf4e-33501", 9: "3a10c70a-34421", 10: "0994ea8d-34713", 11: "2582eabe-34862", 12: "2582eabe-34862", 13: "05756649-34866", 14: "e00fcfe3-34910", 15: "2d614192-32223", 16: "ec11afc4-34233"], writtenIn: 7),
        Golden(name: "golden-v7/snapshot", lastSeq: 170, snapshotSeq: 103, digests: [7: "4787e43f-31286", 8: "d1a33391-33585", 9: "16bb1fd3-34505", 10: "ae418b48-34797", 11: "eec926c0-34946", 12: "eec926c0-34946", 13: "44bea013-34950", 14: "32952604-34994", 15: "c1be2e0e-32289", 16: "73328e2f-34299"], writtenIn: 7),
        // Written by issue 24's submission (format 8): tills, tenders, a split refund, store credit
        // issued and spent, the tender policy.
        Golden(name: "golden-v8/log-only", lastSeq: 189, snapshotSeq: 0, digests: [8: "d1e8e5c7-38781", 9: "cc2a8f1f-39841", 10: "be02adc7-40153", 11: "c7245e6e-40306", 12: "c7245e6e-40306", 13: "7e84844f-40310", 14: "ad030c0f-40354", 15: "5bf56b58-37100", 16: "95e44053-39238"], writtenIn: 8),
        Golden(name: "golden-v8/snapshot", lastSeq: 190, snapshotSeq: 113, digests: [8: "23db872a-38847", 9: "b9b7ac38-39907", 10: "f01d5159-40219", 11: "8378d81d-40372", 12: "8378d81d-40372", 13: "467a6931-40376", 14: "bce60f64-40420", 15: "8a146b64-37148", 16: "69e7453f-39286"], writtenIn: 8),
        // Written by issue 25's submission (format 9): tax on top and a discount, a partial return
        // at a fee, a VOID, period closes with Z totals; every document chained.
        Golden(name: "golden-v9/log-only", lastSeq: 209, snapshotSeq: 0, digests: [9: "479effe3-46113", 10: "a60a56cf-46455", 11: "52b7a3e6-46628", 12: "52b7a3e6-46628", 13: "53b21cd9-46632", 14: "02a10b3d-46676", 15: "8fa4062b-42852", 16: "b8551154-45172"], writtenIn: 9),
        Golden(name: "golden-v9/snapshot", lastSeq: 210, snapshotSeq: 123, digests: [9: "0ca53f85-46179", 10: "9ce4d7a1-46521", 11: "232cb374-46694", 12: "232cb374-46694", 13: "c9b58d87-46698", 14: "a274cee3-46742", 15: "ad0092d1-42900", 16: "5b8a4081-45220"], writtenIn: 9),
        // Written by issue 26's submission (format 10): held stock, split inspections, DISPOSE, a
        // supplier return from rtv with its RMA, and a short credit note.
        Golden(name: "golden-v10/log-only", lastSeq: 235, snapshotSeq: 0, digests: [10: "5795cf3a-52821", 11: "60877e97-53072", 12: "60877e97-53072", 13: "b5a8e544-53076", 14: "ebd3967d-53128", 15: "ac527938-48732", 16: "17c20ea4-51234"], writtenIn: 10),
        Golden(name: "golden-v10/snapshot", lastSeq: 236, snapshotSeq: 136, digests: [10: "afc17a79-52887", 11: "a3b21f3a-53138", 12: "a3b21f3a-53138", 13: "2ed517f6-53142", 14: "15ed0569-53194", 15: "2ff90eac-48780", 16: "864c8793-51282"], writtenIn: 10),
        // Written by issue 27's submission (format 11): sites and transfers (short, within a site,
        // called back), ADJUST and COUNT, categories and an override's waivers with fees at two
        // rates, a serial SKU sold, returned by its serial and moved.
        Golden(name: "golden-v11/log-only", lastSeq: 283, snapshotSeq: 0, digests: [11: "4ebe9c09-64528", 12: "4ebe9c09-64528", 13: "9c39cae4-64532", 14: "236fe2e9-64584", 15: "6ee904d6-58914", 16: "8a3b3d3d-61602"], writtenIn: 11),
        Golden(name: "golden-v11/snapshot", lastSeq: 284, snapshotSeq: 160, digests: [11: "69e53cfe-64628", 12: "69e53cfe-64628", 13: "b54b7b86-64632", 14: "45013ee0-64684", 15: "d7995092-59730", 16: "6ca29b2d-62418"], writtenIn: 11),
        // Written by issue 30's first submission with the format-12 server: `snapshot` is a
        // restored directory (BACKUP after round 1, `--restore`, a new epoch whose
        // `epoch.started` record comes first in the log, then round 2).
        Golden(name: "golden-v12/log-only", lastSeq: 283, snapshotSeq: 0, digests: [12: "7cb43d21-64528", 13: "19f369b0-64532", 14: "187940fa-64584", 15: "d168c746-58914", 16: "aa46ccd3-61602"], writtenIn: 12),
        Golden(name: "golden-v12/snapshot", lastSeq: 289, snapshotSeq: 160, digests: [12: "842c54b7-64880", 13: "fde62bcc-64884", 14: "543de9d0-64936", 15: "abf2932f-59210", 16: "417de395-61898"], writtenIn: 12),
        // Written by issue 30's ARCHIVE (format 13): two rounds of every kind, the day closed and
        // archived (log-only: its log ends with archive.written, resolved from the file beside it;
        // snapshot: purchases=all, then a SNAPSHOT holding the archives, then a refused SALE).
        Golden(name: "golden-v13/log-only", lastSeq: 285, snapshotSeq: 0, digests: [13: "4e465c6e-65977", 14: "82f874c7-66265", 15: "f53b07f2-60540", 16: "c3ccbee0-63228"], writtenIn: 13),
        Golden(name: "golden-v13/snapshot", lastSeq: 287, snapshotSeq: 286, digests: [13: "3ab9d245-66213", 14: "a94f4285-66501", 15: "0d0459d3-60737", 16: "f5cb534c-63425"], writtenIn: 13),
        // Written by issue 30's format 14: the rounds of golden-v13, then 1,100 payments of C95 and
        // 1,100 refused payments, so that the archive taking them releases two chunks of the audit
        // trail and one of C95's account (snapshot: the SNAPSHOT after ARCHIVE holds them released).
        Golden(name: "golden-v14/log-only", lastSeq: 2486, snapshotSeq: 0, digests: [14: "40dad930-84808", 15: "73a9c904-69949", 16: "efc9851d-72637"], writtenIn: 14),
        Golden(name: "golden-v14/snapshot", lastSeq: 2488, snapshotSeq: 2487, digests: [14: "73d5efbf-85044", 15: "26b4ec7c-70183", 16: "2d8f6217-72871"], writtenIn: 14),
        // Written by issue 30's format 15 (STATS and the returns per order and party kept in the
        // state): golden-v14's rounds and burst; snapshot: its SNAPSHOT holds them.
        Golden(name: "golden-v15/log-only", lastSeq: 2486, snapshotSeq: 0, digests: [15: "b84142e4-69949", 16: "7fc4e887-72637"], writtenIn: 15),
        Golden(name: "golden-v15/snapshot", lastSeq: 2488, snapshotSeq: 2487, digests: [15: "c5e5e248-70183", 16: "8e1d69c8-72871"], writtenIn: 15),
        // Written by issue 30's format 16 (archived returns leave memory): golden-v15's rounds and
        // burst, then 2,070 keyed returns approved, so the archive releases returns 1,025-2,048.
        Golden(name: "golden-v16/log-only", lastSeq: 6628, snapshotSeq: 0, digests: [16: "e6fb5c3c-562375"], writtenIn: 16),
        Golden(name: "golden-v16/snapshot", lastSeq: 6630, snapshotSeq: 6629, digests: [16: "628f18b3-562619"], writtenIn: 16),
    ]

    /// golden-v15 keeps STATS' buckets and the returns per order and per party (its snapshot holds
    /// them; the log-only directory makes them by replay): each equal to what a rebuild from the
    /// returns and orders makes.
    @Test(arguments: ["golden-v15/log-only", "golden-v15/snapshot"])
    func theFormat15GoldenKeepsWhatARebuildMakes(_ name: String) throws {
        let ledger = try Recovery.load(DataDirectory(GoldenDataTests.root + "/" + name), fs: PosixFileSystem(), repair: false).ledger
        #expect(ledger.stats.buckets.values.contains { $0.approved > 0 && $0.voided > 0 && !$0.approvalSeconds.isEmpty })
        #expect(ledger.orders.values.contains { $0.returnNumbers.count > 1 } && !ledger.returnsByParty.isEmpty)
        var rebuilt = ledger
        rebuilt.rebuildIndexes()
        #expect(rebuilt.stats == ledger.stats)
        #expect(rebuilt.returnsByParty == ledger.returnsByParty)
        #expect(rebuilt.orders == ledger.orders)
    }

    /// golden-v14 holds what format 14 is about: chunks of the audit trail and of an account that
    /// left memory for the archive (written so by the snapshot, released again by replay).
    @Test(arguments: ["golden-v14/log-only", "golden-v14/snapshot"])
    func theFormat14GoldenHoldsReleasedChunks(_ name: String) throws {
        let ledger = try Recovery.load(DataDirectory(GoldenDataTests.root + "/" + name), fs: PosixFileSystem(), repair: false).ledger
        #expect(ledger.audit.releasedChunks == IDRuns(runs: [0...1]) && ledger.audit.heldCount == ledger.audit.count - 2_048)
        let account = try #require(ledger.entries["C95"])
        #expect(account.count == 1_100 && account.releasedChunks == IDRuns(runs: [0...0]))
        // Payments in of 1.00 + i % 100 hundredths each: what C95 is owed.
        var paid: Int64 = 0
        for i in 0..<1_100 { paid += 100 + Int64(i % 100) }
        #expect(ledger.broughtForward["C95"]?.amount == -paid)
    }

    /// golden-v16 holds what format 16 is about: a chunk of returns (1,025 to 2,048) that left
    /// memory for the archive (written so by the snapshot, released again by replay), read back
    /// from it with its keys, and the chain's head kept.
    @Test(arguments: ["golden-v16/log-only", "golden-v16/snapshot"])
    func theFormat16GoldenReleasesAChunkOfReturns(_ name: String) throws {
        let directory = GoldenDataTests.root + "/" + name
        var ledger = try Recovery.load(DataDirectory(directory), fs: PosixFileSystem(), repair: false).ledger
        #expect(ledger.returns.count == 2_110 && ledger.returns.releasedChunks == IDRuns(runs: [1...1]))
        #expect(ledger.returns.heldCount == 2_110 - 1_024)
        // Without its archive a released return cannot be read: ERR ARCHIVE, never a trap.
        #expect(throws: DomainError.self) { try ledger.filedReturn(1_500) }
        ledger.archiveReach = ArchiveReach(ArchiveRecordSource(ArchiveReplay(directory: directory, fs: PosixFileSystem())))
        let read = try ledger.filedReturn(1_500)
        #expect(read.number == 1_500 && read.key == "b16-1459" && read.state == .approved && read.order == "S-B16")
        // A released return's key is found through its slot and the archive's copy.
        #expect(try ledger.returnNumber(forKey: "b16-1459") == 1_500)
        #expect(try ledger.returnNumber(forKey: "b16-9999") == nil)
        // The chain's head is the last document's hash, wherever its return is: VERIFY reads the
        // released documents back and ends on it.
        let verified = try ledger.verifyReply(from: nil).status
        #expect(verified.first { $0.key == "hash" }?.value == ledger.chainHead.description && ledger.chainHead != .zero)
        var documents = ledger.voids.count
        try ledger.forEachFiledReturn { if !$0.doc.isEmpty { documents += 1 } }
        #expect(verified.first { $0.key == "count" }?.value == String(documents) && documents > 2_048)
    }

    /// The event tags format 1 had: every one of them is in the golden log.
    static let format1Tags = Set(UInt8(1)...18)

    @Test(arguments: directories)
    func replaysToItsPinnedDigest(_ golden: Golden) throws {
        let result = try Recovery.load(DataDirectory(golden.path), fs: PosixFileSystem(), repair: false)
        #expect(result.lastSeq == golden.lastSeq)
        #expect(result.snapshotSeq == golden.snapshotSeq)
        #expect(result.ledger.digest == golden.digests[Format.current.rawValue])
        // Documents written before the chain are chained as they are loaded, and verify: one for
        // each return with a document and each VOID (golden-v16's released returns read back).
        var ledger = result.ledger
        ledger.archiveReach = ArchiveReach(ArchiveRecordSource(ArchiveReplay(directory: golden.path, fs: PosixFileSystem())))
        var documents = ledger.voids.count
        try ledger.forEachFiledReturn { if !$0.doc.isEmpty { documents += 1 } }
        #expect(try ledger.verifyReply(from: nil).status.first == Field("count", String(documents)))
        #expect(!result.notes.contains { $0.contains("torn") || $0.contains("skipped") })
        // The digest the server of that version printed for DIGEST, in the answers file.
        let answers = try String(contentsOfFile: golden.path + ".answers.txt", encoding: .utf8)
        #expect(answers.contains("OK seq=\(golden.lastSeq) digest=\(golden.digests[golden.writtenIn]!)"))
        // A format-1 segment is only read: appending goes to a new one of the current framing.
        // A segment of the current framing (format 2 on) takes new records where it ends.
        #expect(result.appendInNewSegment == (golden.writtenIn == 1))
        #expect((result.lastSegment == nil) == (golden.writtenIn == 1))
    }

    @Test(arguments: [(1, Format.v1, 62, GoldenDataTests.format1Tags), (3, Format.v2, 65, Set(UInt8(1)...19)),
                      (5, Format.v2, 82, Set(UInt8(1)...22)), (7, Format.v2, 96, Set(UInt8(1)...23)),
                      (9, Format.v2, 101, Set(UInt8(1)...24)), (11, Format.v2, 103, Set(UInt8(1)...24)),
                      (13, Format.v2, 113, Set(UInt8(1)...30)), (15, Format.v2, 123, Set(UInt8(1)...33)),
                      (19, Format.v2, 160, Set(UInt8(1)...42).subtracting([16])),
                      (21, Format.v2, 160, Set(UInt8(1)...43).subtracting([16]))])
    func theGoldenLogHoldsEveryEventKindAfterItsSnapshot(_ index: Int, _ framing: Format, _ snapshotSeq: UInt64,
                                                         _ kinds: Set<UInt8>) throws {
        let directory = DataDirectory(GoldenDataTests.directories[index].path)
        var tags = Set<UInt8>()
        for segment in try directory.contents(PosixFileSystem()).segments {
            let bytes = try PosixFileSystem().readFile(directory.file(segment.name))
            let (format, stop) = bytes.withUnsafeBytes { raw in
                LogSegment.walk(raw) { seq, entry, _ in
                    if seq > snapshotSeq { for event in entry.events { tags.insert(event.tag) } }
                    return true
                }
            }
            #expect(format == framing)
            #expect(stop == .end)
        }
        #expect(tags == kinds)
        #expect(kinds.isSubset(of: Set(Event.tags)))
    }

    /// The golden state, written in the current format and read back, is the same state; the
    /// upgraded directory (new records after the old segment) replays to the live state.
    @Test(arguments: directories)
    func anUpgradedDirectoryKeepsItsStateAndTakesNewRecords(_ golden: Golden) throws {
        let dir = TempDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: golden.path) {
            try FileManager.default.copyItem(atPath: golden.path + "/" + name, toPath: dir.path + "/" + name)
        }
        let first = try Recovery.load(dir.directory, fs: PosixFileSystem(), repair: true)
        let (_, reread) = try Snapshot.decode(Snapshot.encode(first.ledger, seq: first.lastSeq))
        #expect(reread == first.ledger)

        var ledger = first.ledger
        // After everything the directory holds (a golden-v9 has dates closed up to two days before it was written).
        // A golden-v13 or v14 closed the day it was written: the next day.
        let afterClose = first.ledger.closedThrough.map { ($0 + 1) * 86_400 + 9 * 3600 } ?? 0
        let now = Timestamp(seconds: max(Timestamp(parsing: "2026-12-02T09:00:00Z")!.seconds, (first.ledger.audit.last?.at.seconds ?? 0) + 60,
                                         afterClose))
        let context = Context(user: "supervisor1", role: .supervisor, peer: "test", now: now)
        let (events, result) = ledger.record(.fileReturn(ReturnFiling(order: "S-G2a", items: [ItemSpec(sku: "A100", quantity: 1)],
                                                                       reason: "DEFECTIVE", location: nil, note: "after upgrade",
                                                                       key: nil)), name: "RETURN", context)
        #expect((try? result.get()) != nil, "\(result)")
        ledger.apply(events)
        let log = try WriteAheadLog(directory: dir.directory, fs: PosixFileSystem(), policy: .always,
                                    lastSeq: first.lastSeq, segment: first.lastSegment)
        try log.append(LogEntry(at: now, actor: "supervisor1", events: events))
        log.flush()
        let second = try Recovery.load(dir.directory, fs: PosixFileSystem(), repair: true)
        #expect(second.lastSeq == golden.lastSeq + 1)
        #expect(second.ledger == ledger)
        #expect(!second.appendInNewSegment)
        #expect(dir.files().contains(DataDirectory.walName(golden.lastSeq + 1)) == (golden.writtenIn == 1))
    }

    /// A snapshot written by an older format loads to the state replaying its log from the start
    /// gives: what the loader derives for it (tenders, credit lots, charges) is what replay derives.
    @Test(arguments: ["golden-v6/snapshot", "golden-v7/snapshot"])
    func anOlderSnapshotLoadsToWhatItsLogReplaysTo(_ name: String) throws {
        let golden = try #require(GoldenDataTests.directories.first { $0.name == name })
        let dir = TempDirectory()
        for file in try FileManager.default.contentsOfDirectory(atPath: golden.path) {
            try FileManager.default.copyItem(atPath: golden.path + "/" + file, toPath: dir.path + "/" + file)
        }
        let withSnapshot = try Recovery.load(dir.directory, fs: PosixFileSystem(), repair: false)
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".snap") {
            try FileManager.default.removeItem(atPath: dir.path + "/" + file)
        }
        let replayed = try Recovery.load(dir.directory, fs: PosixFileSystem(), repair: false)
        #expect(replayed.snapshotSeq == 0 && replayed.lastSeq == withSnapshot.lastSeq)
        #expect(replayed.ledger == withSnapshot.ledger)
        #expect(!replayed.ledger.creditLots.isEmpty)  // the store credit these directories gave, as lots
    }
}
