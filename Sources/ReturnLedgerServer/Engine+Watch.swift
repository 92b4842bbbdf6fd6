import ReturnLedgerCore

/// WATCH and UNWATCH  on the writer queue, and the changes it hands to the
/// push stream as it commits. Only while a session watches: with none, a commit costs one check.
extension Engine {
    /// WATCH: the returns this user could act on now become what the session was told about;
    /// pushes follow for every change after this point of the log.
    func watch(session: Session, _ context: Context) -> Reply {
        var told: [Int: (state: ReturnState, location: String)] = [:]
        for number in ledger.openReturns {
            let r = ledger.returns[number - 1]
            if let step = Review.step(for: context.user, role: context.role, scope: context.scope, state: r.state,
                                      location: r.location, filedBy: r.filedBy, firstApprovedBy: r.firstApprovedBy,
                                      secondRole: r.flow.secondRole) {
                told[number] = (step, r.location)
            }
        }
        watching.insert(session.id)
        publish([.watch(session: session.id, PushStream.Watcher(user: context.user, role: context.role,
                                                               scope: context.scope, told: told))])
        wakeRouters()
        return Reply(status: [Field("watching", String(told.count))])
    }

    func unwatch(session: Session) -> Reply {
        stopWatching(session.id)
        return Reply(status: [Field("watching", "0")])
    }

    /// A connection that sent WATCH closed or logged in as someone else (from its loop): the
    /// stop goes into the stream after the WATCH, wherever that is on its way.
    func unwatch(_ session: Int) {
        queue.async { [self] in stopWatching(session) }
    }

    private func stopWatching(_ session: Int) {
        guard watching.remove(session) != nil else { return }
        publish([.unwatch(session: session)])
        wakeRouters()
    }

    /// After a commit: what the watchers may need to hear of, at the record's sequence.
    func publish(_ events: [Event], actor: String) {
        var items: [PushStream.Item] = []
        var seen: Set<Int> = []
        for event in events {
            let number: Int
            switch event {
            case .returnFiled(let r): number = r.number
            case .returnApproved(let a): number = a.number
            case .returnVoided(let v): number = v.number
            case .returnFirstApproved(let n, _, _, _), .returnRejected(let n, _, _, _), .returnCancelled(let n, _, _):
                number = n
            case .userScoped(let name, _), .userRoleChanged(let name, _), .userEnabledChanged(let name, _):
                if let user = ledger.users[name] {
                    items.append(.user(PushStream.UserChange(name: name, role: user.role, scope: user.locations,
                                                             enabled: user.enabled, by: actor)))
                }
                continue
            case .userAdded, .userPasswordChanged, .locationAdded, .productAdded, .partyAdded, .reasonAdded, .policyChanged,
                 .orderRecorded, .paymentRecorded, .returnInspected, .loginFailed, .audited, .ruleAdded, .ruleDropped,
                 .customerLimitsChanged, .timezoneChanged, .tillOpened, .tillMoved, .tillClosed, .tenderPolicyChanged, .taxPolicyChanged,
                 .creditDrawn, .creditIssued, .periodClosed, .returnDisposed, .stockDisposed, .vendorCredited,
                 .transferSent, .transferReceived, .transferCancelled, .stockAdjusted, .stockCounted, .categoryAdded,
                 .epochStarted, .archiveWritten:
                continue  // nothing a watcher is told about
            }
            guard seen.insert(number).inserted else { continue }
            let r = ledger.returns[number - 1]
            items.append(.change(PushStream.ReturnChange(
                number: number, state: r.state, location: r.location, kind: r.kind, order: r.order, amount: r.amount,
                reason: r.reason, filedBy: r.filedBy, firstApprovedBy: r.firstApprovedBy, secondRole: r.flow.secondRole,
                by: actor, voidDoc: ledger.voids[number]?.doc ?? "")))
        }
        publish(items)
    }

    /// Into every loop's stream, at the sequence the log has reached.
    private func publish(_ items: [PushStream.Item]) {
        guard !items.isEmpty else { return }
        for stream in pushStreams { stream.append(wal.lastSeq, items) }
    }
}
