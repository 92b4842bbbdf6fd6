import FuzzTargets
import ReturnLedgerStorage
import Foundation
import Testing

/// Every input under tools/fuzz/corpus/TARGET (the seeds, and each crash the fuzzer found, kept
/// as a regression) runs through its target: a broken property stops the test process, so this
/// passes only if none is broken.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tools/fuzz/corpus")

    @Test(arguments: FuzzTarget.allCases)
    func corpusInputsHoldEveryProperty(_ target: FuzzTarget) throws {
        let directory = FuzzCorpusTests.corpus.appendingPathComponent(target.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(names.count >= 5, "the seed corpus of \(target) is there")
        for name in names {
            target.run(Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }
}

/// The storage target's first find, as a promise of protocol.md ("Start-up and damage"): a
/// snapshot naming a user twice is refused as damage, not a crash.
@Suite struct DuplicateNameSnapshotTests {
    @Test func aSnapshotWithANameTwiceIsDamage() throws {
        let input = try Data(contentsOf: FuzzCorpusTests.corpus.appendingPathComponent("storage/crash-snapshot-duplicate-key-1"))
        #expect(input.first == 2, "a snapshot body (storage mode 2)")
        let error = #expect(throws: CodecError.self) { try Snapshot.decode(Snapshot.file(body: Array(input.dropFirst()), seq: 7)) }
        #expect(error?.message.contains("appears twice") == true, "\(String(describing: error))")
    }
}
