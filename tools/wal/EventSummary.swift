import ReturnLedgerCore

/// One line per event for `wal dump`: what happened, in the shop's words.
func summary(_ event: Event) -> String {
    func items(_ items: [ReturnItem]) -> String {
        items.map { "\($0.sku):\($0.quantity)" + ($0.batch.isEmpty ? "" : "#\($0.batch)") }.joined(separator: " ")
    }
    func decisions(_ disposals: [Disposal]) -> String {
        disposals.map { "\($0.disposition.rawValue)=\($0.sku):\($0.quantity)" + ($0.batch.isEmpty ? "" : "#\($0.batch)")
            + ($0.toSku.isEmpty ? "" : ">\($0.toSku)") }.joined(separator: " ")
    }
    switch event {
    case .userAdded(let u): return "user added \(u.name) role=\(u.role.rawValue)"
    case .userRoleChanged(let name, let role): return "user \(name) role=\(role.rawValue)"
    case .userEnabledChanged(let name, let enabled): return "user \(name) \(enabled ? "enabled" : "disabled")"
    case .userPasswordChanged(let name, _): return "user \(name) password changed"
    case .locationAdded(let l):
        return "location added \(l.code) \"\(l.name)\" kind=\(l.kind.rawValue)" + (l.site == l.code ? "" : " site=\(l.site)")
    case .productAdded(let p): return "sku added \(p.sku) \"\(p.name)\" price=\(p.price) cost=\(p.cost) inspect=\(p.inspect)"
    case .partyAdded(let p): return "\(p.kind.rawValue) added \(p.id) \"\(p.name)\""
    case .categoryAdded(let c): return "category added \(c.code) \"\(c.name)\""
    case .epochStarted(let e): return "epoch \(e.epoch) started at seq \(e.since) by \(e.by) (parent \(e.parent))"
    case .archiveWritten(let a): return "archive \(a.name) through \(a.through) written: \(a.counts.returns) returns, \(a.bytes) bytes, checksum \(a.checksumText)"
    case .reasonAdded(let r): return "reason added \(r.code) \"\(r.label)\"" + (r.fee == .zero ? "" : " fee=\(r.fee)")
    case .policyChanged(let days): return "policy window_days=\(days)"
    case .orderRecorded(let o):
        let lines = o.lines.map { "\($0.sku):\($0.quantity)@\($0.price)" + ($0.batch.isEmpty ? "" : "#\($0.batch)") }
        return "\(o.kind.rawValue) \(o.id) at \(o.location) party=\(o.party.isEmpty ? "-" : o.party) paid=\(o.paid) total=\(o.total) \(lines.joined(separator: " "))"
    case .paymentRecorded(let party, let amount, let direction, let note, _, let number):
        return "payment" + (number > 0 ? " " + paymentId(number) : "") + " \(direction.rawValue) \(party) amount=\(amount)" + (note.isEmpty ? "" : " note=\"\(note)\"")
    case .returnFiled(let r):
        return "return filed \(r.id) \(r.kind.rawValue) order=\(r.order) \(items(r.items)) amount=\(r.amount) reason=\(r.reason) by \(r.filedBy)"
            + (r.key.isEmpty ? "" : " key=\(r.key)") + (r.flow.rules.isEmpty ? "" : " rules=\(r.flow.rules.joined(separator: ","))")
            + (r.exchangeText.isEmpty ? "" : " exchange=\(r.exchangeText)") + (r.override ? " override" : "")
            + (r.noReceipt ? " no-receipt customer=\(r.party)" : "")
    case .returnApproved(let a):
        let outcome = a.outcome.map {
            " credited=\($0.credited) refunded=\($0.refunded)" + ($0.quarantined.isEmpty ? "" : " quarantined=\($0.quarantined.count)")
                + ($0.fee == .zero ? "" : " fee=\($0.fee)") + ($0.exchange.map { " exchange=\($0.id) total=\($0.total)" } ?? "")
                + ($0.exchange == nil ? "" : " due=\($0.due)") + ($0.paidIn == .zero ? "" : " paid_in=\($0.paidIn)")
                + ($0.parts.map { $0.isEmpty ? "" : " parts=" + Tender.text($0) } ?? "")
                + ($0.dueTenders.isEmpty ? "" : " tender=" + Tender.text($0.dueTenders))
                + ($0.session > 0 ? " session=" + TillSession.id($0.session) : "") + ($0.tenderOverride ? " tender-override" : "")
        } ?? ""
        return "return approved \(ReturnRequest.id(a.number)) doc=\(a.doc) refund=\(a.refund.rawValue) by \(a.by)" + outcome
    case .returnRejected(let number, let note, let by, _): return "return rejected \(ReturnRequest.id(number)) by \(by): \(note)"
    case .returnCancelled(let number, let by, _): return "return cancelled \(ReturnRequest.id(number)) by \(by)"
    case .returnInspected(let number, let disposition, _, let by, _):
        return "return inspected \(ReturnRequest.id(number)) \(disposition.rawValue) by \(by)"
    case .returnVoided(let v):
        return "return voided \(ReturnRequest.id(v.number)) doc=\(v.doc) reason=\(v.reason) by \(v.by) owed=\(v.owed?.description ?? "")"
    case .periodClosed(let close, let writeOffs):
        return "period closed through \(close.date) by \(close.by): \(close.days.count) dates with Z totals, \(writeOffs.count) lots written off"
    case .loginFailed(let user, _): return "login failed for \(user)"
    case .audited(let a): return "audit #\(a.seq) \(a.user)@\(a.peer) \(a.command) \(a.target) -> \(a.outcome)"
    case .userScoped(let name, let locations): return "user \(name) locations=\(locations.text)"
    case .ruleAdded(let r): return "rule added \(r.code) then=\(r.then.rawValue)"
    case .ruleDropped(let code): return "rule dropped \(code)"
    case .returnFirstApproved(let number, _, let by, _): return "return first approval \(ReturnRequest.id(number)) by \(by)"
    case .customerLimitsChanged(let returns, let days): return "policy customer_returns=\(returns) customer_days=\(days)"
    case .timezoneChanged(let zone, let at): return "policy timezone=\(zone.name) from \(at)"
    case .tillOpened(let s): return "till \(s.till) opened \(s.id) at \(s.location) float=\(s.float) by \(s.openedBy)"
    case .tillMoved(let n, let kind, let amount, _, let by, _): return "till \(TillSession.id(n)) \(kind.rawValue) \(amount) by \(by)"
    case .tillClosed(let n, let counted, _, let by, _): return "till \(TillSession.id(n)) closed counted=\(counted) by \(by)"
    case .tenderPolicyChanged(let days, let hours, let cross):
        return "policy credit_days=\(days) offline_hours=\(hours) cross_store=\(cross ? "yes" : "no")"
    case .creditDrawn(let party, let doc, let draws):
        return "credit used by \(party) for \(doc): " + draws.map { "\($0.lot):\($0.amount)" }.joined(separator: " ")
    case .creditIssued(let party, let lot):
        return "credit issued to \(party) lot=\(lot.id) amount=\(lot.amount)" + (lot.expires.map { " expires=\($0)" } ?? "")
    case .taxPolicyChanged(let included): return "policy tax_included=\(included ? "yes" : "no")"
    case .returnDisposed(let i):
        return "return inspected \(ReturnRequest.id(i.number)) \(decisions(i.disposals)) left=\(i.left) by \(i.by)"
    case .stockDisposed(let m):
        return "stock \(m.id) disposed at \(m.location) from=\(m.from.rawValue) \(decisions(m.disposals)) by \(m.by)"
    case .transferSent(let t):
        return "transfer \(t.id) sent \(t.from)->\(t.to) " + t.lines.map { "\($0.sku):\($0.sent)" + ($0.batch.isEmpty ? "" : "#\($0.batch)") }
            .joined(separator: " ") + " state=\(t.state.rawValue) by \(t.sentBy)"
    case .transferReceived(let t):
        return "transfer \(t.id) received at \(t.to) " + t.lines.map { "\($0.sku):\($0.received)/\($0.sent)" }.joined(separator: " ")
            + " value=\(t.value) by \(t.receivedBy)"
    case .transferCancelled(let t): return "transfer \(t.id) cancelled"
    case .stockAdjusted(let m), .stockCounted(let m):
        return "stock \(m.id) \(m.kind.rawValue) at \(m.location)" + (m.adjustment.map { " \($0.direction.rawValue) reason=\($0.reason.rawValue)" } ?? "")
            + " " + m.lines.map { "\($0.sku)\($0.batch.isEmpty ? "" : "#" + $0.batch):\($0.change)" }.joined(separator: " ")
            + " value=\(m.value) by \(m.by)"
    case .vendorCredited(let number, let c):
        return "vendor credit \(ReturnRequest.id(number)) amount=\(c.amount) ref=\(c.ref) by \(c.by)"
    }
}
