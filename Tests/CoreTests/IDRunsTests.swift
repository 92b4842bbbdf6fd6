import ReturnLedgerCore
import Testing
import TestSupport

/// The runs an archive keeps its numbers in: the same numbers as a set would hold, in few runs.
@Suite struct IDRunsTests {
    /// 0..<n from `random`.
    static func below(_ n: Int, _ random: inout SeededGenerator) -> Int { Int.random(in: 0..<n, using: &random) }

    @Test func runsHoldTheSameNumbersAsASet() {
        let seed = testSeed("IDRunsTests")
        var random = SeededGenerator(seed: seed)
        for _ in 0..<200 {
            var runs = IDRuns(), set = Set<Int>()
            var other = IDRuns()
            for _ in 0..<Self.below(60, &random) {
                let n = Self.below(80, &random)
                // Mostly ascending appends (as a selection makes them), at times out of order.
                let id = Self.below(4, &random) == 0 ? n : (set.max() ?? 0) + 1 + Self.below(3, &random)
                runs.append(id); set.insert(id)
                if Self.below(3, &random) == 0 { other.append(id + 100) }
            }
            #expect(Array(runs) == set.sorted(), "seed \(seed)")
            #expect(runs.count == set.count && runs.isEmpty == set.isEmpty)
            for probe in -1...200 { #expect(runs.contains(probe) == set.contains(probe), "seed \(seed) \(probe)") }
            // Runs are apart: two that touch are one.
            for (a, b) in zip(runs.runs, runs.runs.dropFirst()) { #expect(a.upperBound + 1 < b.lowerBound) }
            #expect(Array(runs + other) == (set.union(other)).sorted())
            #expect(IDRuns(set.shuffled(using: &random)) == runs)
        }
        #expect(IDRuns(1...500_000).runs == [1...500_000])
    }
}
