import FuzzTargets
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
