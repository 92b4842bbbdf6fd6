@testable import ReturnLedgerServer
import Testing

/// When an automatic snapshot is due (`SnapshotPacing`): every `--snapshot-every` events; after a
/// snapshot of 64 MiB or more, also not before the log since it is `--snapshot-growth` percent of
/// its size.
@Suite struct SnapshotPacingTests {
    @Test func aSmallStateIsSnapshottedEveryNEventsWhateverTheLog() {
        let pacing = SnapshotPacing(every: 100_000, growth: 50)
        #expect(!pacing.waitsForLog(after: 0))
        #expect(!pacing.waitsForLog(after: SnapshotPacing.paced - 1))
        #expect(!SnapshotPacing(every: 100_000, growth: 0).waitsForLog(after: 1 << 40))
    }

    @Test func aLargeStateWaitsForTheLogToGrowByItsShare() {
        let pacing = SnapshotPacing(every: 100_000, growth: 50)
        let last = 141_000_000  // 200k returns
        #expect(pacing.waitsForLog(after: last) && pacing.waitsForLog(after: SnapshotPacing.paced))
        #expect(!pacing.grown(last / 2 - 1, after: last))
        #expect(pacing.grown(last / 2, after: last))
        #expect(!pacing.grown(-5_000, after: last))  // a start-up's baseline, before the log replayed is counted
        let double = SnapshotPacing(every: 1, growth: 200)
        #expect(!double.grown(2 * last - 1, after: last) && double.grown(2 * last, after: last))
        // A terabyte snapshot at the largest percent the flag takes: no overflow.
        #expect(!SnapshotPacing(every: 1, growth: 100_000).grown(1 << 40, after: 1 << 40))
    }
}
