/// Where a state reads back what left memory for its archives (section 23): the server's archive
/// files, a test's memory, or nowhere (a read that needs an archived record is `ERR ARCHIVE`).
/// Not part of the state: two states are equal whatever each reaches, and a copy taken for a read
/// off the writer reaches what the writer's does.
public struct ArchiveReach: Sendable, Equatable {
    public var source: (any ArchivedRecords)?
    /// What archives add to STATS `by=disposition|supplier`, kept once worked out.
    public let heldTotals: ArchivedHeldTotals

    public init(_ source: (any ArchivedRecords)? = nil) {
        self.source = source
        heldTotals = ArchivedHeldTotals()
    }

    public static func == (_: ArchiveReach, _: ArchiveReach) -> Bool { true }
}

/// Returns that left memory (section 23's memory model): a whole chunk of 1,024 returns that
/// archives took is released like the audit trail's; LIST's row of each stays (its location,
/// state, kind and filing date), so scope and most filters are answered without the return.
/// Anything else reads it back from its archive: a read off the writer (SHOW, DOC, ORDER, LIST,
/// STATS `by=disposition|supplier`, VERIFY; `readsArchivedReturns` says when one that would
/// otherwise run on the writer must go off it), or, for a change that names an archived return (a
/// re-sent APPROVE or RETURN `key=`, a refused REJECT), two preads on the writer.
extension Ledger {
    /// The number of return `id` if it was filed (in memory or archived).
    func filedNumber(_ id: String) -> Int? {
        guard let n = ReturnRequest.number(id), n >= 1, n <= returns.count else { return nil }
        return n
    }

    /// Return `number` (filed): from memory, or from the archive that took it (two preads).
    public func filedReturn(_ number: Int) throws(DomainError) -> ReturnRequest {
        if returns.isHeld(number - 1) { return returns[number - 1] }
        return try filedReturns([number])[0]
    }

    /// Returns `numbers`, in their order; those that left memory read back together, one batch an
    /// archive (an index read a block, a pread a run of neighbours): one return (`filedReturn`),
    /// or what a change on the writer reads of an order's archived returns (RETURN's worth of a
    /// line, its serial checks).
    func filedReturns(_ numbers: [Int]) throws(DomainError) -> [ReturnRequest] {
        let released = numbers.filter { !returns.isHeld($0 - 1) }
        guard !released.isEmpty else { return numbers.map { returns[$0 - 1] } }
        guard let source = archiveReach.source else {
            throw DomainError(.ARCHIVE, "return \(released[0]) is archived and this read cannot reach archives")
        }
        var read: [Int: ReturnRequest] = [:]
        for archive in archives {
            let mine = released.filter { archive.taken.returns.contains($0) }.sorted()
            guard !mine.isEmpty else { continue }
            for r in try source.returns(mine, in: archive) { read[r.number] = r }
        }
        var out: [ReturnRequest] = []
        out.reserveCapacity(numbers.count)
        for n in numbers {
            if returns.isHeld(n - 1) {
                out.append(returns[n - 1])
            } else {
                guard let r = read[n] else { throw DomainError(.ARCHIVE, "return \(n) is in no archive") }
                out.append(r)
            }
        }
        return out
    }

    /// Every return filed, oldest first, those that left memory read back a chunk at a time
    /// (a check over the whole history: the simulation's books).
    public func forEachFiledReturn(_ body: (ReturnRequest) -> Void) throws(DomainError) {
        var filed = FiledReturns()
        for number in 1..<(returns.count + 1) { body(try filed.at(number, of: self)) }
    }

    /// Return `id`, or nil when none was filed.
    public func returnRequest(_ id: String) throws(DomainError) -> ReturnRequest? {
        guard let n = filedNumber(id) else { return nil }
        return try filedReturn(n)
    }

    /// The location of return `number` (its LIST row: no archive read).
    func location(ofReturn number: Int) -> String {
        returns.isHeld(number - 1) ? returns[number - 1].location : listIndex.location(ofReturn: number)
    }

    /// The state of return `number` (its LIST row: no archive read).
    func state(ofReturn number: Int) -> ReturnState {
        returns.isHeld(number - 1) ? returns[number - 1].state : listIndex.state(ofReturn: number)
    }

    /// The released chunk of returns holding `position` (return `position + 1`), from its archives.
    func returnChunk(holding position: Int) throws(DomainError) -> [ReturnRequest] {
        try releasedChunk(holding: position, of: returns.count, chunkSize: ChunkedArray<ReturnRequest>.elementsPerChunk,
                          what: "return", taken: \.returns, idOffset: 1, archiveReach.source) { (source, ids, archive) throws(DomainError) in
            try source.returns(ids, in: archive)
        }
    }

    /// Whether `query` reads a return that left memory: the engine runs it off the writer.
    /// Asked of every read on the writer: a few comparisons, no walk.
    public func readsArchivedReturns(_ query: Query) -> Bool {
        guard !archives.isEmpty else { return false }
        switch query {
        case .show(let id):
            return filedNumber(id).map { !returns.isHeld($0 - 1) } ?? false
        case .doc(let doc):
            // DOC also prints the previous document's hash.
            guard let n = documents[doc] else { return false }
            if !returns.isHeld(n - 1) { return true }
            guard let previous = Self.previousDocument(doc, perDay: documentsPerDay), let p = documents[previous] else { return false }
            return !returns.isHeld(p - 1)
        case .order(let id):
            return orders[id]?.returnNumbers.contains { !returns.isHeld($0 - 1) } ?? false
        case .list(let filter):
            // The review queue: an open return is never archived.
            if let state = filter.state, state.isOpen, filter.order == nil, filter.party == nil { return false }
            if let order = filter.order, filter.party == nil, filter.before == nil {
                return orders[order]?.returnNumbers.contains { !returns.isHeld($0 - 1) } ?? false
            }
            // An older page, a party's returns or a filtered walk may reach anywhere in the history.
            guard filter.before == nil, filter.party == nil, filter.testsNothingElse else { return true }
            // The newest first: the page's rows and the one after it.
            return (max(0, returns.count - filter.limit - 1)..<returns.count).contains { !returns.isHeld($0) }
        default:
            return false
        }
    }
}

/// Returns by number for a walk that may reach released chunks: each is read back once, a
/// chunk at a time (one archive index read and one pread of neighbouring records). Holds only
/// the chunk read last; the state is lent to each call (copying it would retain all of it).
struct FiledReturns {
    private var chunkStart = -1
    private var chunk: [ReturnRequest] = []

    /// Return `number` (filed) of `ledger`.
    mutating func at(_ number: Int, of ledger: borrowing Ledger) throws(DomainError) -> ReturnRequest {
        let position = number - 1
        if ledger.returns.isHeld(position) { return ledger.returns[position] }
        let size = ChunkedArray<ReturnRequest>.elementsPerChunk
        let start = position / size * size
        if start != chunkStart {
            chunk = try ledger.returnChunk(holding: position)
            chunkStart = start
        }
        return chunk[position - start]
    }
}
