import Simulation
import Testing

/// The durability simulation (tools/sim) on a short seed set: crashes, power cuts with torn
/// writes, a full disk and failing fsyncs, each followed by recovery and the checks
/// (acknowledged changes kept, digest equal to the live state's, keys never doubled, gapless
/// documents, balanced books). The long runs are in the issue notes (`swift run -c release sim --seeds 1-200`).
@Suite struct SimulationTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func aSeedRunsWithoutViolation(_ seed: UInt64) {
        var simulator = Simulator(seed: seed)
        let report = simulator.run(operations: 1_000, faults: 10)
        #expect(report.violations.isEmpty, "seed \(seed): \(report.violations); replay: swift run -c release sim --seed \(seed) --operations 1000 --faults 10")
        #expect(report.acknowledged > 500)
        #expect(report.crashes + report.powerCuts >= 10)
    }

    /// The same seed, the same run: a failure can be replayed from its seed alone.
    @Test func aSeedReplaysExactly() {
        var a = Simulator(seed: 9), b = Simulator(seed: 9)
        let first = a.run(operations: 400, faults: 5), second = b.run(operations: 400, faults: 5)
        #expect(first.operations == second.operations && first.acknowledged == second.acknowledged)
        #expect(first.powerCuts == second.powerCuts && first.retries == second.retries && first.snapshots == second.snapshots)
    }
}
