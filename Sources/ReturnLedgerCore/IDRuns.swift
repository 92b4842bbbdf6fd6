/// Ascending whole numbers held as runs (`1...500_000`, `500_002...600_000`): what an archive took
/// of returns, notices, audit positions, till sessions and stock moves, and of each party's ledger
/// entries. An archive takes nearly everything of its dates, so a month is a few runs, not a
/// number per record: 16 bytes a run instead of 8 a record (protocol.md, Years of history: memory).
public struct IDRuns: Sendable, Equatable, Sequence, ExpressibleByArrayLiteral {
    public private(set) var runs: [ClosedRange<Int>] = []
    /// How many numbers (not runs).
    public private(set) var count = 0

    public init() {}

    public init(arrayLiteral ids: Int...) { self.init(ids) }

    /// From any numbers, in any order, repeats once.
    public init<S: Sequence>(_ ids: S) where S.Element == Int {
        for id in ids.sorted() { append(id) }
    }

    public init(runs: [ClosedRange<Int>]) {
        for run in runs { append(run) }
    }

    public var isEmpty: Bool { count == 0 }

    /// Adds `id`; at the end (the usual case) in O(1).
    public mutating func append(_ id: Int) { append(id...id) }

    public mutating func append(_ run: ClosedRange<Int>) {
        if let last = runs.last, run.lowerBound > last.upperBound {
            if run.lowerBound == last.upperBound + 1 {
                runs[runs.count - 1] = last.lowerBound...run.upperBound
            } else {
                runs.append(run)
            }
            count += run.count
        } else if runs.isEmpty {
            runs.append(run)
            count = run.count
        } else {
            self = IDRuns(merging: self, IDRuns(runs: [run]))
        }
    }

    /// Every number of both.
    public static func + (a: IDRuns, b: IDRuns) -> IDRuns { IDRuns(merging: a, b) }
    public static func += (a: inout IDRuns, b: IDRuns) { a = a + b }

    private init(merging a: IDRuns, _ b: IDRuns) {
        var all = (a.runs + b.runs).sorted { $0.lowerBound < $1.lowerBound }
        guard let first = all.first else { return }
        var merged: [ClosedRange<Int>] = [first]
        for run in all.dropFirst() {
            let last = merged[merged.count - 1]
            if run.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...Swift.max(last.upperBound, run.upperBound)
            } else {
                merged.append(run)
            }
        }
        all = []
        runs = merged
        count = merged.reduce(0) { $0 + $1.count }
    }

    /// The first run ending at or after `id` (binary search; nil: none).
    private func run(endingAtOrAfter id: Int) -> ClosedRange<Int>? {
        var low = 0, high = runs.count
        while low < high {
            let mid = (low + high) / 2
            if runs[mid].upperBound < id { low = mid + 1 } else { high = mid }
        }
        return low < runs.count ? runs[low] : nil
    }

    public func contains(_ id: Int) -> Bool { run(endingAtOrAfter: id)?.contains(id) ?? false }

    /// Whether every number of `range` is held (runs are merged, so one run holds them all).
    public func contains(_ range: ClosedRange<Int>) -> Bool {
        run(endingAtOrAfter: range.lowerBound).map { $0.lowerBound <= range.lowerBound && range.upperBound <= $0.upperBound } ?? false
    }

    /// Whether any number of `range` is held.
    public func overlaps(_ range: ClosedRange<Int>) -> Bool {
        run(endingAtOrAfter: range.lowerBound).map { $0.lowerBound <= range.upperBound } ?? false
    }

    public func makeIterator() -> FlattenSequence<[ClosedRange<Int>]>.Iterator { runs.joined().makeIterator() }
}
