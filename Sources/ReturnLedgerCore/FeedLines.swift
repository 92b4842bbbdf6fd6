/// FEED's lines: each logged change as `* seq= at= user= type= ...`, the fields
/// after `type` named as on the matching list lines, and with each change what it moved
/// (`stock.moved`, `ledger.entry`), worked out by `Effects` as `apply` works it out. A field
/// whose name is one of `seq at user type` is written `rec_<name>`.
///
/// Facts a record does not carry (a return's items at its approval, a payment's number) come
/// from `FeedFacts`, a few collections of the current state: they never change once written.
/// Audit entries and failed logins have no line: AUDIT pages through the audit trail.
public struct FeedFacts: Sendable {
    public var returns: ChunkedArray<ReturnRequest>
    public var products: [String: Product]
    /// The accounts (a payment's number is on its entry): sharded by party, so the writer's next
    /// entry after a page copies one shard of them, not all.
    public var entries: ShardedDictionary<String, ChunkedArray<LedgerEntry>>
    /// Till sessions (a pay-in's line names its till; a close's, what was expected).
    public var sessions: [TillSession]
    /// Documents by number and per date: a document's line names the hash it chains from.
    public var documents: DocumentIndex
    public var documentsPerDay: [Int64: Int]
    public var voids: [Int: VoidRecord]
    /// Section 23: where returns that left memory are read back, and which archive took each.
    public var archives: [ArchiveEntry]
    public var reach: ArchiveReach

    /// Return `number`, read back from its archive if it left memory; nil when none was filed.
    /// An archive that cannot be read is `ERR ARCHIVE` for the page.
    func request(_ number: Int) throws(DomainError) -> ReturnRequest? {
        guard number >= 1, number <= returns.count else { return nil }
        if returns.isHeld(number - 1) { return returns[number - 1] }
        guard let source = reach.source else { throw DomainError(.ARCHIVE, "return \(number) is archived and this read cannot reach archives") }
        guard let archive = archives.first(where: { $0.taken.returns.contains(number) }) else {
            throw DomainError(.ARCHIVE, "return \(number) is in no archive")
        }
        return try source.returns([number], in: archive).first
    }

    /// The till of a session; "" for none.
    func till(of session: Int) -> String { sessions.indices.contains(session - 1) ? sessions[session - 1].till : "" }
}

extension Ledger {
    /// What `feedLines` reads, taken in O(1) and small: copying the whole ledger for each page
    /// would make the writer copy-on-write its large derived indexes after every page.
    public var feedFacts: FeedFacts {
        FeedFacts(returns: returns, products: products, entries: entries, sessions: tillSessions, documents: documents,
                  documentsPerDay: documentsPerDay, voids: voids, archives: archives, reach: archiveReach)
    }

    /// Whether a record has a FEED line: all but audit entries and failed logins do.
    public static func showsInFeed(_ events: [Event]) -> Bool {
        events.contains { event in
            switch event {
            case .loginFailed, .audited: return false
            case .userAdded, .userRoleChanged, .userEnabledChanged, .userPasswordChanged, .locationAdded, .productAdded,
                 .partyAdded, .reasonAdded, .policyChanged, .orderRecorded, .paymentRecorded, .returnFiled, .returnApproved,
                 .returnRejected, .returnCancelled, .returnInspected, .userScoped, .ruleAdded, .ruleDropped,
                 .returnFirstApproved, .customerLimitsChanged, .timezoneChanged, .tillOpened, .tillMoved, .tillClosed,
                 .tenderPolicyChanged, .creditDrawn, .creditIssued, .taxPolicyChanged, .returnVoided, .periodClosed,
                 .returnDisposed, .stockDisposed, .vendorCredited, .transferSent, .transferReceived, .transferCancelled,
                 .stockAdjusted, .stockCounted, .categoryAdded, .epochStarted, .archiveWritten:
                return true
            }
        }
    }

    /// The lines of records whose returns are all in memory (tests, the fuzz target).
    public func feedLines(seq: UInt64, at: Timestamp, actor: String, events: [Event]) -> [[Field]] {
        (try? Ledger.feedLines(seq: seq, at: at, actor: actor, events: events, facts: feedFacts)) ?? []
    }

    public static func feedLines(seq: UInt64, at: Timestamp, actor: String, events: [Event],
                                 facts: FeedFacts) throws(DomainError) -> [[Field]] {
        let entries = facts.entries
        var lines: [[Field]] = []
        let head = [Field("seq", String(seq)), Field("at", at.description), Field("user", actor)]
        func line(_ type: String, _ fields: [Field]) {
            lines.append(head + [Field("type", type)] + fields.map { f in
                ["seq", "at", "user", "type"].contains(f.key) ? Field("rec_" + f.key, f.value) : f
            })
        }
        func moved(_ effects: Effects, doc: String) {
            for m in effects.moves {
                line("stock.moved", [Field("sku", m.sku), Field("location", m.slot.location), Field("batch", m.slot.batch),
                                     Field("on_hand", String(m.onHand)), Field("quarantine", String(m.quarantine)), Field("doc", doc),
                                     Field("rtv", String(m.rtv)), Field("refurbish", String(m.refurbish)),
                                     Field("transit", String(m.transit)), Field("serials", m.serials.joined(separator: ","))])
            }
            postings(effects)
        }
        func postings(_ effects: Effects) {
            for p in effects.postings {
                line("ledger.entry", [Field("party", p.party), Field("kind", p.kind.rawValue), Field("doc", p.doc),
                                      Field("amount", p.amount.description)])
            }
        }
        /// INSPECT's line, a line per decision, then what each moved.
        func inspected(_ inspection: Inspection) throws(DomainError) {
            guard let request = try facts.request(inspection.number) else { return }
            line("return.inspected", [Field("id", request.id), Field("disposition", Disposal.names(inspection.disposals)),
                                      Field("by", inspection.by), Field("note", inspection.note), Field("left", String(inspection.left)),
                                      Field("value", Disposal.value(inspection.disposals).description)])
            for d in inspection.disposals { line("disposition.line", [Field("id", request.id)] + d.lineFields) }
            moved(.disposals(inspection.disposals, at: request.location, from: .quarantine), doc: request.doc)
        }
        /// An order and its lines (what it moved comes with the change that made it).
        func described(_ order: Order) {
            line(order.kind == .sale ? "sale.recorded" : "purchase.recorded",
                 [Field("order", order.id), Field("location", order.location), Field("party", order.party),
                  Field("total", order.total.description), Field("paid", order.paid ? "yes" : "no"), Field("at", order.at.description)]
                 + (order.kind == .purchase ? [] : [Field("tender", Tender.text(order.tenders)), Field("till", facts.till(of: order.session)),
                                                    Field("session", order.session > 0 ? TillSession.id(order.session) : "")])
                 + [Field("discount", order.discount.description), Field("tax", order.tax.description)])
            for (index, l) in order.lines.enumerated() {
                line("order.line", [Field("order", order.id), Field("line", String(index + 1)), Field("sku", l.sku),
                                    Field("qty", String(l.quantity)), Field("batch", l.batch), Field("price", l.price.description),
                                    Field("amount", l.amount.description), Field("discount", l.discount.description),
                                    Field("tax_rate", l.taxRate.description), Field("tax", l.tax.description),
                                    Field("serials", l.serials.joined(separator: ","))])
            }
        }
        // A document's lines come after everything else its change moved.
        var documentLines: [(type: String, fields: [Field])] = []
        for event in events {
            switch event {
            case .userAdded(let u):
                line("user.added", [Field("name", u.name), Field("role", u.role.rawValue), Field("locations", u.locations.text),
                                    Field("enabled", u.enabled ? "yes" : "no")])
            case .userRoleChanged(let name, let role): line("user.role_changed", [Field("name", name), Field("role", role.rawValue)])
            case .userEnabledChanged(let name, let enabled):
                line("user.enabled_changed", [Field("name", name), Field("enabled", enabled ? "yes" : "no")])
            case .userPasswordChanged(let name, _): line("user.password_changed", [Field("name", name)])
            case .userScoped(let name, let scope): line("user.scoped", [Field("name", name), Field("locations", scope.text)])
            case .locationAdded(let l): line("location.added", l.fields)
            case .productAdded(let p): line("sku.added", p.fields)
            case .categoryAdded(let c): line("category.added", c.fields)
            case .epochStarted(let e):
                line("epoch.started", [Field("epoch", e.epoch), Field("parent", e.parent), Field("since", String(e.since)),
                                       Field("by", e.by)])
            case .archiveWritten(let a):
                line("archive.written", [Field("archive", a.name), Field("through", a.through.description)] + a.counts.fields
                     + [Field("bytes", String(a.bytes)), Field("checksum", a.checksumText)])
            case .partyAdded(let p):
                line("party.added", [Field("id", p.id), Field("kind", p.kind.rawValue), Field("name", p.name),
                                     Field("rma_required", p.kind == .supplier ? (p.rmaRequired ? "yes" : "no") : "")])
            case .reasonAdded(let r): line("reason.added", r.fields)
            case .policyChanged(let days): line("policy.changed", [Field("window_days", String(days))])
            case .customerLimitsChanged(let returns, let days):
                line("policy.limits_changed", [Field("customer_returns", String(returns)), Field("customer_days", String(days))])
            case .timezoneChanged(let zone, _):  // in effect from the second after the line's at=
                line("policy.timezone_changed", [Field("timezone", zone.name)])
            case .orderRecorded(let order):
                described(order)
                var effects = Effects()
                effects.add(order)
                moved(effects, doc: order.id)
            case .paymentRecorded(let party, let amount, let direction, let note, let when, let number):
                // Records before format 7 do not carry the number: found on the party's account by
                // time and amount (two equal payments in one second would share the first's).
                let signed = direction == .in ? -amount : amount
                let doc = number > 0 ? paymentId(number)
                    : entries[party]?.held.first { $0.kind == .payment && $0.at == when && $0.amount == signed && $0.doc.hasPrefix("P") }?.doc ?? ""
                line("payment.recorded", [Field("payment", doc), Field("party", party), Field("amount", amount.description),
                                          Field("direction", direction.rawValue), Field("note", note)])
                moved(.payment(party: party, amount: amount, direction: direction, doc: doc), doc: doc)
            case .returnFiled(let r):
                line("return.filed", [Field("id", r.id), Field("order", r.order), Field("party", r.party), Field("location", r.location),
                                      Field("kind", r.kind.rawValue), Field("amount", r.amount.description), Field("reason", r.reason),
                                      Field("filed_by", r.filedBy), Field("note", r.note), Field("key", r.key),
                                      Field("exchange", r.exchangeText), Field("override", r.override ? "yes" : "no"),
                                      Field("taken_at", (r.takenAt ?? r.filedAt).description), Field("till", r.till),
                                      Field("rma", r.rma), Field("source", r.kind == .purchase ? r.source.rawValue : ""),
                                      Field("expected", r.kind == .purchase ? r.expected.description : ""),
                                      Field("overridden", r.overriddenText)])
                for item in r.items {
                    line("return.item", [Field("id", r.id), Field("line", String(item.line + 1)), Field("sku", item.sku),
                                         Field("qty", String(item.quantity)), Field("batch", item.batch),
                                         Field("price", item.price.description), Field("amount", item.amount.description),
                                         Field("serials", item.serials.joined(separator: ","))])
                }
            case .returnApproved(let approval):
                guard var request = try facts.request(approval.number) else { continue }
                let outcome = approval.outcome ?? Ledger.format1Outcome(approval, request: request, products: facts.products)
                for index in request.items.indices { request.items[index].quarantined = outcome.quarantined.contains(index) }
                line("return.approved", [Field("id", request.id), Field("doc", approval.doc), Field("amount", request.amount.description),
                                         Field("by", approval.by), Field("state", outcome.state.rawValue),
                                         Field("refund", approval.refund.rawValue), Field("fee", outcome.fee.description),
                                         Field("net", Money(minor: request.amount.minor - outcome.fee.minor).description),
                                         Field("credited", outcome.credited.description), Field("refunded", outcome.refunded.description),
                                         Field("due", outcome.exchange == nil ? "" : outcome.due.description),
                                         Field("paid_in", outcome.paidIn.description), Field("exchange_order", outcome.exchange?.id ?? ""),
                                         Field("note", approval.note),
                                         Field("refund_parts", outcome.parts.map(Tender.text) ?? ""),
                                         Field("tender", Tender.text(outcome.dueTenders)),
                                         Field("session", outcome.session > 0 ? TillSession.id(outcome.session) : ""),
                                         Field("tender_override", outcome.tenderOverride ? "yes" : "no"),
                                         Field("tax", request.tax.description), Field("fee_tax", outcome.feeTax.description),
                                         Field("net_tax", Money(minor: request.tax.minor - outcome.feeTax.minor).description),
                                         Field("hash", (approval.hash ?? request.docHash).description),
                                         Field("rma", approval.rma ?? request.rma)])
                if let exchange = outcome.exchange { described(exchange) }
                moved(Effects.approval(request, doc: approval.doc, outcome), doc: approval.doc)
                // The document as issued, with what it chains from: enough to recompute the chain.
                let document = Ledger.documentFields(DocumentHeader(request), request)
                let prev = try Ledger.previousHash(approval.doc, documents: facts.documents, perDay: facts.documentsPerDay,
                                               voids: facts.voids) { (n) throws(DomainError) in try facts.request(n) }
                documentLines.append(("doc.issued", document.head + [Field("hash", (approval.hash ?? request.docHash).description),
                                                                     Field("prev", prev.description)]))
                for item in document.items { documentLines.append(("doc.item", [Field("doc", approval.doc)] + item)) }
            case .returnRejected(let number, let note, let by, _):
                line("return.rejected", [Field("id", ReturnRequest.id(number)), Field("by", by), Field("note", note)])
            case .returnCancelled(let number, let by, _):
                line("return.cancelled", [Field("id", ReturnRequest.id(number)), Field("by", by)])
            case .returnInspected(let number, let disposition, let note, let by, let at):
                guard let request = try facts.request(number) else { continue }
                try inspected(Ledger.legacyInspection(request, disposition, note: note, by: by, at: at))
            case .returnDisposed(let inspection):
                try inspected(inspection)
            case .stockDisposed(let move):
                line("stock.disposed", [Field("move", move.id), Field("location", move.location), Field("from", move.from.rawValue),
                                        Field("disposition", Disposal.names(move.disposals)),
                                        Field("qty", String(Disposal.units(move.disposals))),
                                        Field("value", Disposal.value(move.disposals).description), Field("note", move.note),
                                        Field("key", move.key)])
                for d in move.disposals { line("disposition.line", [Field("id", move.id)] + d.lineFields) }
                moved(.disposals(move.disposals, at: move.location, from: move.from), doc: move.id)
            case .transferSent(let t):
                line("transfer.sent", Ledger.sendReply(t).status + [Field("note", t.note)])
                for (index, l) in t.lines.enumerated() {
                    line("transfer.line", [Field("transfer", t.id), Field("line", String(index + 1)), Field("sku", l.sku),
                                           Field("batch", l.batch), Field("qty", String(l.sent)), Field("serials", l.serials.joined(separator: ","))])
                }
                moved(.transfer(t, .sent), doc: t.id)
            case .transferReceived(let t):
                line("transfer.received", Ledger.receiveReply(t).status + [Field("note", t.receivedNote)])
                for (index, l) in t.lines.enumerated() {
                    line("transfer.receipt", [Field("transfer", t.id), Field("line", String(index + 1)),
                                              Field("received", String(l.received)), Field("serials", l.receivedSerials.joined(separator: ","))])
                }
                moved(.transfer(t, .received), doc: t.id)
            case .transferCancelled(let t):
                line("transfer.cancelled", [Field("transfer", t.id), Field("state", t.state.rawValue)])
                moved(.transfer(t, .cancelled), doc: t.id)
            case .stockAdjusted(let move):
                line("stock.adjusted", Ledger.stockMoveReply(move).status + [Field("note", move.note), Field("key", move.key)])
                moved(.stockMove(move), doc: move.id)
            case .stockCounted(let move):
                line("stock.counted", Ledger.stockMoveReply(move).status + [Field("note", move.note), Field("key", move.key)])
                for l in move.lines { line("count.line", [Field("move", move.id)] + l.countFields) }
                moved(.stockMove(move), doc: move.id)
            case .vendorCredited(let number, let credit):
                guard let request = try facts.request(number) else { continue }
                line("return.vendor_credited", [Field("id", request.id), Field("expected", request.expected.description),
                                                Field("received", credit.amount.description),
                                                Field("difference", Money(minor: credit.amount.minor - request.expected.minor).description),
                                                Field("ref", credit.ref), Field("note", credit.note)])
                moved(.vendorCredit(request, credit), doc: request.doc)
            case .returnFirstApproved(let number, let note, let by, _):
                line("return.first_approved", [Field("id", ReturnRequest.id(number)), Field("by", by), Field("note", note)])
            case .tillOpened(let s):
                line("till.opened", [Field("session", s.id), Field("till", s.till), Field("location", s.location),
                                     Field("float", s.float.description), Field("note", s.note)])
            case .tillMoved(let number, let kind, let amount, let note, _, _):
                line("till.moved", [Field("session", TillSession.id(number)), Field("till", facts.till(of: number)),
                                    Field("kind", kind.rawValue), Field("amount", amount.description), Field("note", note)])
            case .tillClosed(let number, let counted, let note, _, _):
                let s = facts.sessions.indices.contains(number - 1) ? facts.sessions[number - 1] : nil
                let expected = s?.closing?.expected ?? .zero
                line("till.closed", [Field("session", TillSession.id(number)), Field("till", s?.till ?? ""),
                                     Field("expected", expected.description), Field("counted", counted.description),
                                     Field("variance", Money(minor: counted.minor - expected.minor).description), Field("note", note)])
            case .tenderPolicyChanged(let creditDays, let offlineHours, let crossStore):
                for (name, value) in [("credit_days", String(creditDays)), ("offline_hours", String(offlineHours)),
                                      ("cross_store", crossStore ? "yes" : "no")] {
                    line("policy.set", [Field("name", name), Field("value", value)])
                }
            case .taxPolicyChanged(let included):
                line("policy.set", [Field("name", "tax_included"), Field("value", included ? "yes" : "no")])
            case .creditDrawn(let party, let doc, let draws):
                for d in draws {
                    line("credit.used", [Field("party", party), Field("lot", d.lot), Field("amount", d.amount.description), Field("doc", doc)])
                }
            case .creditIssued(let party, let lot):
                line("credit.issued", [Field("party", party), Field("lot", lot.id), Field("amount", lot.amount.description),
                                       Field("expires", lot.expires?.description ?? "")])
            case .returnVoided(let record):
                guard let request = try facts.request(record.number) else { continue }
                line("return.voided", [Field("id", request.id), Field("doc", record.doc), Field("voids", request.doc),
                                       Field("by", record.by), Field("reason", record.reason), Field("note", record.note),
                                       Field("owed", record.owed?.description ?? ""), Field("hash", record.hash.description)])
                moved(record.effects, doc: record.doc)
                if record.lotGivenBack > .zero {
                    line("credit.voided", [Field("party", request.party), Field("lot", request.doc),
                                           Field("amount", record.lotGivenBack.description), Field("doc", record.doc)])
                }
                let document = Ledger.documentFields(DocumentHeader(void: record, of: request), request)
                let prev = try Ledger.previousHash(record.doc, documents: facts.documents, perDay: facts.documentsPerDay,
                                               voids: facts.voids) { (n) throws(DomainError) in try facts.request(n) }
                documentLines.append(("doc.issued", document.head + [Field("hash", record.hash.description), Field("prev", prev.description)]))
                for item in document.items { documentLines.append(("doc.item", [Field("doc", record.doc)] + item)) }
            case .periodClosed(let close, let writeOffs):
                line("period.closed", [Field("through", close.date.description), Field("by", close.by), Field("note", close.note)])
                for day in close.days {
                    let date = Field("date", CivilDate(daysSinceEpoch: day.day).description)
                    for row in day.rows {
                        line("period.z", [date] + row.fields)
                        for tender in row.tenderFields { line("period.tender", [date] + tender) }
                    }
                }
                for off in writeOffs {
                    line("credit.expired", [Field("party", off.party), Field("lot", off.lot), Field("amount", off.amount.description)])
                    if off.amount > .zero {
                        moved(Effects(postings: [Effects.Posting(party: off.party, kind: .credit_expired, doc: off.lot, amount: off.amount)]),
                              doc: off.lot)
                    }
                }
            case .ruleAdded(let rule): line("rule.added", rule.fields)
            case .ruleDropped(let code): line("rule.dropped", [Field("rule", code)])
            case .loginFailed, .audited:
                continue
            }
        }
        for document in documentLines { line(document.type, document.fields) }
        return lines
    }
}
