import Glibc
import ReturnLedgerStorage
import Simulation

TimeZoneFiles.install()  // POLICY SET timezone= and replay resolve zones as the server does

// sim: the seeded durability simulation (issue 13).
//
//   sim --seed 42 [--operations 5000] [--faults 50]     # one run; prints its report
//   sim --seeds 1-200 [--operations 5000] [--faults 50]  # many; stops at the first violation
//
// A failing run prints its seed and the one command that replays it.
var seeds: ClosedRange<UInt64> = 1...1
var operations = 5_000, faults = 50
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let flag = args.removeFirst()
    let value = args.isEmpty ? "" : args.removeFirst()
    switch flag {
    case "--seed": if let n = UInt64(value) { seeds = n...n }
    case "--seeds":
        let parts = value.split(separator: "-").compactMap { UInt64($0) }
        if parts.count == 2, parts[0] <= parts[1] { seeds = parts[0]...parts[1] }
    case "--operations": operations = Int(value) ?? operations
    case "--faults": faults = Int(value) ?? faults
    default:
        print("usage: sim --seed N | --seeds A-B [--operations N] [--faults N]")
        exit(2)
    }
}
var total = Simulator.Report()
for seed in seeds {
    var simulator = Simulator(seed: seed)
    let report = simulator.run(operations: operations, faults: faults)
    total.add(report)
    if !report.violations.isEmpty {
        print("sim: seed \(seed) VIOLATED:")
        for v in report.violations { print("  \(v)") }
        print("last faults:")
        for line in report.trace { print("  \(line)") }
        print("replay: swift run -c release sim --seed \(seed) --operations \(operations) --faults \(faults)")
        exit(1)
    }
}
print("sim: seeds \(seeds.lowerBound)-\(seeds.upperBound): \(total.operations) operations, \(total.acknowledged) acknowledged, "
      + "\(total.crashes) crashes, \(total.powerCuts) power cuts, \(total.diskFull) disk-full and \(total.syncFailures) fsync faults "
      + "(\(total.readOnly) served read-only after), \(total.snapshots) snapshots, \(total.retries) retries, "
      + "\(total.pipelined) pipelined batches, \(total.voids) voids, \(total.inspections) decisions on returned goods, \(total.vendorCredits) credit notes, "
      + "\(total.exchanges) exchanges approved and \(total.exchangesShort) refused for want of stock, "
      + "\(total.transfers) transfers, \(total.stockMoves) adjustments and counts, \(total.serialReturns) phones returned by serial, "
      + "\(total.archives) days closed and archived (\(total.archiveCrashes) ARCHIVEs stopped dead after the file or the record, then a crash), "
      + "\(total.releasedReturns) returns out of memory at the end; "
      + "a standby took \(total.shipped) records through \(total.standbyFaults) crashes and power cuts and \(total.standbySeeds) seeds "
      + "(\(total.syncRuns) runs in sync mode): no violation")
