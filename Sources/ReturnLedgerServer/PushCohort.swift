import ReturnLedgerCore

/// Watching sessions that hear exactly the same lines (`PushRouting`): the same role and
/// locations, told of exactly the same returns in the same states. WATCH's rule (Review.step)
/// depends on the user only through "not filed by it" and "not first-approved by it", so a change
/// that names none of them as filer or first approver is decided once for all of them, its lines
/// kept in the cohort's round and handed to every member at the round's end as one block. 100
/// supervisors watching every store are one cohort: a change costs one decision and one append,
/// a round one block per member, instead of a decision and a line per change and member.
///
/// A member leaves (becomes a session routed on its own, for good) before anything that could
/// set it apart: a change it filed or first-approved, a change of its user. A session joins at
/// WATCH only when it was told of exactly what the cohort was told of.
final class PushCohort<Sink: PushSink> {
    struct Key: Hashable {
        let role: Role
        let scope: Scope
    }

    /// What every member was told of a return, and where the return is.
    struct Told: Equatable {
        var state: ReturnState
        var location: String
    }

    let key: Key
    private(set) var members: [PushRouting<Sink>.Entry] = []
    /// Return number → what every member was told.
    var told: [Int: Told]
    /// Lines of this round not yet handed to the members.
    private var round: [EncodedPush] = []

    init(key: Key, told: [Int: Told]) {
        self.key = key
        self.told = told
    }

    var isEmpty: Bool { members.isEmpty }
    var hasRound: Bool { !round.isEmpty }

    func add(_ entry: PushRouting<Sink>.Entry) { members.append(entry) }

    func remove(_ entry: PushRouting<Sink>.Entry) { members.removeAll { $0 === entry } }

    /// Routes one change for every member; the caller has taken out the members it names.
    /// Returns whether a line was added to the round.
    @discardableResult
    func route(_ c: PushStream.ReturnChange, _ lines: inout ChangeLines) -> Bool {
        guard let first = members.first else { return false }
        let before = round.count
        let previous = told[c.number]
        if let previous {
            if previous.state == c.state { return false }
            told[c.number] = nil
            round.append(lines.closed)
        }
        if c.state == .voided {
            // Every watcher whose locations hold it hears of a void (protocol.md, VOID).
            round.append(lines.voided)
            return true
        }
        switch Review.step(for: first.user, role: key.role, scope: key.scope, state: c.state, location: c.location,
                           filedBy: c.filedBy, firstApprovedBy: c.firstApprovedBy, secondRole: c.secondRole) {
        case .pending?:
            told[c.number] = Told(state: .pending, location: c.location)
            round.append(lines.pending)
        case .second_review?:
            told[c.number] = Told(state: .second_review, location: c.location)
            round.append(lines.secondReview)
        case nil, .approved?, .inspecting?, .completed?, .rejected?, .cancelled?, .voided?:
            break  // nothing these watchers could do about it now
        }
        return round.count > before
    }

    /// Hands the round's lines to every member, encoded once; returns the lines that went
    /// straight into outputs.
    func deliver() -> Int {
        guard !round.isEmpty else { return 0 }
        let block = PushBlock(round)
        round.removeAll(keepingCapacity: true)
        var pushed = 0
        for member in members { pushed += member.sink.push(block) }
        return pushed
    }
}
