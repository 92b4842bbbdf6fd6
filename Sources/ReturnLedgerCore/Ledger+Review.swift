/// APPROVE, REJECT, CANCEL and INSPECT: a return's review, and what an approval issues and moves.
extension Ledger {
    /// The checks of APPROVE in the contract's order: NOT_FOUND, DENIED (scope, then a role that
    /// only some states allow, then `override=yes`), SELF_APPROVAL, STATE, then the domain's own. A
    /// re-send by someone who gave one of the return's approvals answers that approval's reply, in
    /// any later state.
    func decideApproval(_ asked: ApprovalRequest, _ context: Context) throws(DomainError) -> Decision {
        let id = asked.id
        let request = try scopedReturn(id, context)
        let user = context.user
        if asked.rma != nil, request.kind != .purchase { throw .invalid("rma= is for supplier returns") }
        if request.firstApprovedBy == user {
            guard !asked.namesMoney, asked.rma == nil else {
                throw DomainError(.CONFLICT, "\(id) had its first approval from you, without refund=, fee=, tender= or override=")
            }
            return Decision(events: [], reply: firstApprovalReply(request).existed())
        }
        if request.state.isApproved, request.approvedBy == user {
            if let refund = asked.refund, !Ledger.sameRefund(refund, request) {
                throw DomainError(.CONFLICT, "\(id) was approved by you with refund=\(Tender.text(request.refundParts))")
            }
            if let tender = asked.tender, tender != request.dueTenders {
                throw DomainError(.CONFLICT, "\(id) was approved by you with tender=\(Tender.text(request.dueTenders))")
            }
            if let fee = asked.fee, fee != request.feeRate {
                throw DomainError(.CONFLICT, "\(id) was approved by you with fee=\(request.feeRate)")
            }
            if let rma = asked.rma, rma != request.rma {
                throw DomainError(.CONFLICT, "\(id) was approved by you with rma=\(request.rma)")
            }
            return Decision(events: [], reply: approvedReply(request, state: approvedState(request)).existed())
        }
        if !Review.reviewsFirst(context.role), request.state != .second_review {
            throw DomainError(.DENIED, "finance gives second approvals only; \(id) is \(request.state.rawValue)")
        }
        if request.state == .second_review { try checkSecondReviewer(request, context) }
        if asked.override, context.role != .supervisor, context.role != .admin {
            throw DomainError(.DENIED, "override=yes is for supervisors and admins")
        }
        guard request.filedBy != user else {
            throw DomainError(.SELF_APPROVAL, "\(id) was filed by you; another supervisor must review it")
        }
        if request.state.isApproved {
            if let rma = asked.rma, rma != request.rma {
                throw DomainError(.CONFLICT, "\(id) was approved with rma=\(request.rma)")
            }
            return Decision(events: [], reply: approvedReply(request, state: approvedState(request)).existed())
        }
        guard request.state.isOpen else { throw DomainError(.STATE, "\(id) is \(request.state.rawValue)") }
        let order = orders[request.order]
        guard order != nil || request.noReceipt else { throw DomainError(.INTERNAL, "order of \(id) missing") }

        if request.state == .pending, request.flow.secondRole != nil {
            if asked.rma != nil { throw .invalid("rma= is set on the approval that completes \(id), the second") }
            guard !asked.namesMoney else {
                throw .invalid("refund=, fee=, tender= and override= are taken on the approval that completes \(id), the second")
            }
            if request.kind == .purchase {
                try checkStockForSupplierReturn(request)
                try checkSupplierReturnSerials(request)
            }
            return Decision(events: [.returnFirstApproved(number: request.number, note: asked.note, by: user, at: context.now)],
                            reply: firstApprovalReply(request))
        }
        try refuseClosedToday(context, "the approval that completes \(id)")
        let approved = try approve(request, order: order, asked, as: context)
        var events: [Event] = [.returnApproved(approved.approval)]
        events += approved.credit
        if approved.approval.outcome?.tenders?.tenderOverride == true {
            events.append(auditEvent("OVERRIDE", target: id, outcome: "ok", context, after: 1))
        }
        return Decision(events: events,
                        reply: approvedReply(request, approved.tail, state: approved.state))
    }

    /// Whether a re-sent `refund=` names what the approval was given or the parts it made.
    static func sameRefund(_ refund: RefundChoice, _ request: ReturnRequest) -> Bool {
        switch refund {
        case .original: return !request.tenderOverride
        case .cash: return request.refundParts.allSatisfy { $0.kind == .cash }
        case .credit: return request.refundParts.allSatisfy { $0.kind == .credit }
        case .parts(let parts): return parts == request.refundParts
        }
    }

    /// A second approval or a REJECT in second review: the rule's role (admin always qualifies),
    /// never the first approver.
    func checkSecondReviewer(_ request: ReturnRequest, _ context: Context) throws(DomainError) {
        guard Review.reviewsSecond(context.role, asked: request.flow.secondRole) else {
            let role = request.flow.secondRole ?? Review.defaultSecondRole
            throw DomainError(.DENIED, "\(request.id) needs its second approval from \(role.rawValue)")
        }
    }

    /// What an approval that completes a return issues and moves, worked out once here so that
    /// `apply` only carries it out; `credit`: the store credit it issues and draws, as events.
    /// `tail` and `state`: what the reply says, made where the outcome is a local (reading them
    /// back through `approval.outcome` copied the whole outcome each time).
    struct Approved {
        var approval: Approval
        var credit: [Event]
        var tail: ApprovalTail
        var state: ReturnState
    }

    func approve(_ request: ReturnRequest, order: Order?, _ asked: ApprovalRequest, as context: Context) throws(DomainError) -> Approved {
        try checkSerialFlags(request)
        let doc = nextDocument(at: context.now)
        let outcome: ApprovalOutcome
        let mode: RefundMode
        var credit: [Event] = []
        if request.kind == .sale {
            (mode, outcome) = try customerOutcome(request, order: order, asked, doc: doc, at: context.now)
            try checkReturnedSerials(request)
            try checkExchangeStock(request)  // the last checks (protocol.md, Return types: Exchange; Serial numbers)
            try checkExchangeSerials(request)
            if let lot = outcome.lot { credit.append(.creditIssued(party: request.party, lot: lot)) }
            if let drawn = outcome.dueTenders.first(where: { $0.kind == .credit }) {
                guard let draws = drawLots(request.party, drawn.amount, at: context.now) else { throw DomainError(.INTERNAL, "credit lots short") }
                credit.insert(.creditDrawn(party: request.party, doc: request.exchangeOrder, draws: draws), at: 0)
            }
        } else {
            guard asked.refund == nil, asked.tender == nil, !asked.override else {
                throw .invalid("refund=, tender= and override= apply to customer returns only")
            }
            guard asked.fee == nil else { throw .invalid("fee= applies to customer returns only") }
            mode = .credit
            if parties[request.party]?.rmaRequired == true, (asked.rma ?? request.rma).isEmpty {
                throw DomainError(.RMA_REQUIRED, "\(request.party) wants its RMA number: APPROVE \(request.id) rma=...")
            }
            try checkStockForSupplierReturn(request)
            try checkSupplierReturnSerials(request)
            guard (balances[request.party] ?? .zero).adding(request.expected) != nil else { throw .overflow }
            // The debit note is for what the supplier is expected to credit (protocol.md, Supplier returns).
            var supplier = ApprovalOutcome(quarantined: [], credited: request.expected, refunded: .zero)
            supplier.tenders = TenderMoves.none
            outcome = supplier
        }
        var approval = Approval(number: request.number, doc: doc, refund: mode, note: asked.note, by: context.user,
                                at: context.now, outcome: outcome)
        approval.rma = asked.rma
        // The document as it is issued, hashed once here and recorded with the approval.
        var issued = request
        Ledger.record(approval, outcome, in: &issued)
        approval.hash = Ledger.documentHash(after: chainHead, DocumentHeader(issued), issued)
        return Approved(approval: approval, credit: credit, tail: ApprovalTail(request, doc: doc, outcome), state: outcome.state)
    }

    /// A customer return's money (protocol.md, Refund tender): the fee (the APPROVE's or the
    /// reason's) kept; the net shared over the sale's tenders (or as `refund=` says, within the
    /// tender policy); an exchange's goods absorbing the parts, its change handed back from them
    /// in proportion and a positive due paid by `tender=`; cash through the till named; credit
    /// parts as a store-credit lot.
    func customerOutcome(_ request: ReturnRequest, order: Order?, _ asked: ApprovalRequest, doc: String,
                         at now: Timestamp) throws(DomainError) -> (RefundMode, ApprovalOutcome) {
        let walkIn = request.party.isEmpty
        let paid = order?.paid ?? false
        let choice = asked.refund ?? .original
        let namesCredit: Bool
        switch choice {
        case .credit: namesCredit = true
        case .parts(let parts): namesCredit = parts.contains { $0.kind == .credit }
        case .original, .cash: namesCredit = false
        }
        if walkIn, namesCredit { throw .invalid("a walk-in sale has no account to hold store credit") }
        if request.noReceipt {
            if case .cash = choice { throw .invalid("a return without a receipt is refunded as store credit only") }
            if case .parts(let parts) = choice, !parts.allSatisfy({ $0.kind == .credit }) {
                throw .invalid("a return without a receipt is refunded as store credit only")
            }
        } else if !paid {
            switch choice {
            case .original, .credit: break
            case .cash, .parts: throw .invalid("\(request.order) was sold with paid=no: nothing was paid to hand back")
            }
        }
        if !request.exchange.isEmpty, !paid, asked.tender != nil {
            throw .invalid("\(request.order) was sold with paid=no: the exchange's difference stays on the account")
        }
        // A till named on the APPROVE must be open before any tender is worked out (STATE first).
        if let till = asked.till, paid { _ = try openSession(till, at: request.location) }

        let (rate, fee, feeTax) = restockingFee(request, asked: asked.fee)
        let net = Money(minor: request.amount.minor - fee.minor)
        let quarantined = request.items.indices.filter { request.flow.inspect || products[request.items[$0].sku]?.inspect == true }
        var outcome = ApprovalOutcome(quarantined: quarantined, credited: net, refunded: .zero, feeRate: rate, fee: fee)
        outcome.feeTax = feeTax

        // The net's parts, and what each takes from the sale's tenders.
        let (parts, charges, overridden) = try netParts(request, order: paid ? order : nil, choice, net: net, override: asked.override)
        var dueTenders: [Tender] = []

        // An exchange: its goods absorb the parts; change comes back from them in proportion, a
        // positive due is paid by tender=.
        var handedBack = parts
        var total = Money.zero
        if !request.exchange.isEmpty {
            guard let sum = OrderLine.total(request.exchange), let due = sum.adding(-net) else { throw .overflow }
            total = sum
            var absorbed = parts
            if due < .zero, !parts.isEmpty {
                let back = TenderSplit.proportional(-due.minor, weights: parts.map(\.amount.minor)).map { Money(minor: $0) }
                handedBack = Tender.withAmounts(parts, back)
                absorbed = Tender.withAmounts(parts, parts.indices.map { Money(minor: parts[$0].amount.minor - back[$0].minor) },
                                              keepingZero: true)
            } else {
                handedBack = []
            }
            if due > .zero, paid {
                let tenders = asked.tender ?? [Tender(.cash, due)]
                guard Tender.total(tenders) == due else {
                    throw DomainError(.TENDER, "tender= adds up to \(Tender.total(tenders) ?? .zero), the due is \(due)")
                }
                if walkIn, tenders.contains(where: { $0.kind == .credit }) {
                    throw .invalid("a walk-in sale has no store credit to pay with")
                }
                dueTenders = tenders
            } else if asked.tender != nil {
                throw .invalid("tender= pays an exchange's positive due; \(request.id) has none")
            }
            var exchange = Order(id: request.exchangeOrder, kind: .sale, location: request.location, party: request.party,
                                 paid: paid, at: now, lines: request.exchange, total: total)
            if paid { exchange.tenders = Tender.merged(absorbed + dueTenders) }
            outcome.exchange = exchange
            outcome.due = due
        } else if asked.tender != nil {
            throw .invalid("tender= pays an exchange's positive due; \(request.id) is not an exchange")
        }
        outcome.refunded = Money(minor: Tender.sum(handedBack, otherThan: .credit))
        outcome.paidIn = Money(minor: Tender.sum(dueTenders, otherThan: .credit))

        // The till: only when cash, a card or other moves through it.
        let movesMoney = outcome.refunded > .zero || outcome.paidIn > .zero
        var sessionNumber = 0
        if movesMoney, let till = asked.till ?? (request.till.isEmpty ? nil : request.till) {
            let session = try openSession(till, at: request.location)
            let cashIn = Tender.sum(dueTenders, of: .cash), cashOut = Tender.sum(handedBack, of: .cash)
            guard let after = session.expected(after: cashIn - cashOut) else { throw .overflow }
            if after < .zero {
                throw DomainError(.TENDER, "till \(till) expects \(session.expected) in cash, less than the \(Money(minor: cashOut)) to hand back")
            }
            sessionNumber = session.number
        }
        // Store credit used to pay the due, and the lot the credit parts make.
        if let drawn = dueTenders.first(where: { $0.kind == .credit }) {
            let available = availableCredit(request.party, at: now)
            if drawn.amount > available {
                throw DomainError(.CREDIT, "\(request.party) has \(available) of store credit available, \(drawn.amount) asked")
            }
        }
        let creditBack = Tender.sum(handedBack, of: .credit)
        let lot = creditBack > 0 && !walkIn
            ? CreditLot(id: doc, at: now, amount: Money(minor: creditBack), expires: lotExpiry(order: order, charges: charges, at: now))
            : nil
        outcome.tenders = TenderMoves(parts: handedBack, dueTenders: dueTenders, charges: charges, session: sessionNumber,
                                      tenderOverride: overridden, lot: lot)
        if !walkIn {
            // Every balance the approval passes through stays in range, in the order apply posts.
            var balance = balances[request.party] ?? .zero
            for step in [-net, total, outcome.refunded, -outcome.paidIn] {
                guard let next = balance.adding(step) else { throw .overflow }
                balance = next
            }
        }
        let mode: RefundMode = paid && !parts.contains { $0.kind == .credit } ? .cash : .credit
        return (mode, outcome)
    }

    /// The net of a customer return in parts (protocol.md, Refund tender), what each part takes
    /// from the sale's tenders, and whether a supervisor's override placed some of it. A return
    /// without a receipt: all store credit. Nothing paid (`order` nil for `paid=no`) or a net of
    /// 0.00: no parts.
    func netParts(_ request: ReturnRequest, order: Order?, _ choice: RefundChoice, net: Money,
                  override: Bool) throws(DomainError) -> (parts: [Tender], charges: [Money], overridden: Bool) {
        if request.noReceipt { return (net > .zero ? [Tender(.credit, net)] : [], [], false) }
        guard let order, net > .zero else { return ([], [], false) }
        let tenders = order.tenders
        let parts: [Tender]
        switch choice {
        case .original:
            guard let charges = TenderSplit.mirror(net, over: tenders, refunded: order.refunded) else {
                throw DomainError(.TENDER, "\(request.order)'s tenders have less than \(net) left to refund")
            }
            return (Tender.withAmounts(tenders, charges), charges, false)
        case .cash: parts = [Tender(.cash, net)]
        case .credit: parts = [Tender(.credit, net)]
        case .parts(let given):
            guard Tender.total(given) == net else {
                throw DomainError(.TENDER, "the parts add up to \(Tender.total(given) ?? .zero), the net is \(net)")
            }
            parts = given
        }
        switch TenderSplit.charge(parts, to: tenders, unrefunded: order.unrefunded, override: override) {
        case .success(let charged):
            return (parts, charged.charges.map { Money(minor: $0) }, charged.overridden)
        case .failure(let misfit):
            throw DomainError(.TENDER, "\(misfit.part) does not fit what is left to refund of \(request.order)'s tenders"
                              + " (\(Money(minor: misfit.short)) short); a supervisor may approve it with override=yes")
        }
    }

    /// A new lot's expiry: `credit_days` from now (never, when 0), except a lot returning what a
    /// sale's `credit` tender paid, which lasts as long as the latest lot that sale drew.
    func lotExpiry(order: Order?, charges: [Money], at now: Timestamp) -> Timestamp? {
        if let order, let i = order.tenders.firstIndex(where: { $0.kind == .credit }), i < charges.count, charges[i] > .zero {
            let lots = creditLots[order.party] ?? []
            var latest: Timestamp? = nil
            for draw in order.draws {
                guard let lot = lots.first(where: { $0.id == draw.lot }) else { continue }
                guard let expires = lot.expires else { return nil }
                latest = max(latest ?? expires, expires)
            }
            return latest
        }
        return policy.creditDays > 0 ? Timestamp(seconds: now.seconds + policy.creditDays * Timestamp.secondsPerDay) : nil
    }

    /// A supplier return sends goods back: they must be at the return location in its source
    /// state (on hand, or held for the supplier: `source=rtv`).
    func checkStockForSupplierReturn(_ request: ReturnRequest) throws(DomainError) {
        var needed: [StockSlot: [String: Int64]] = [:]
        for item in request.items {
            needed[StockSlot(location: request.location, batch: item.batch), default: [:]][item.sku, default: 0] += item.quantity
        }
        let source = request.source
        let words = source == .on_hand ? "on hand" : "in " + source.rawValue
        for (slot, perSku) in needed {
            for (sku, quantity) in perSku where level(sku, slot)[source] < quantity {
                let batch = slot.batch.isEmpty ? "" : " batch \(slot.batch)"
                throw DomainError(.STOCK, "\(sku)\(batch) at \(slot.location): \(level(sku, slot)[source]) \(words), \(quantity) to return")
            }
        }
    }

    /// An exchange's replacement goods leave from stock on hand (protocol.md, Return types: exchanges): at the
    /// approval that completes it, each replacement SKU must be on hand at the return location in
    /// its slot (the line's batch, else the batch-less slot), as levels stand before the
    /// approval's own moves, so the units coming back do not count; lines of one slot add up.
    /// The first short slot, in the order the lines were given, is named.
    func checkExchangeStock(_ request: ReturnRequest) throws(DomainError) {
        guard !request.exchange.isEmpty else { return }
        var needed: [SkuBatch: Int64] = [:]
        for line in request.exchange { needed[SkuBatch(line.sku, line.batch), default: 0] += line.quantity }
        for line in request.exchange {
            let key = SkuBatch(line.sku, line.batch)
            guard let quantity = needed.removeValue(forKey: key) else { continue }  // checked with an earlier line
            let onHand = level(line.sku, StockSlot(location: request.location, batch: line.batch)).onHand
            guard onHand < quantity else { continue }
            throw DomainError(.STOCK, "\(key) at \(request.location): \(onHand) on hand, \(quantity) needed for the exchange")
        }
    }

    func decideRejection(_ id: String, note: String, _ context: Context) throws(DomainError) -> Decision {
        let request = try scopedReturn(id, context)
        if request.state == .second_review {
            guard request.firstApprovedBy != context.user else {
                throw DomainError(.SELF_APPROVAL, "\(id) had its first approval from you; another must give the second word")
            }
            try checkSecondReviewer(request, context)
        } else if !Review.reviewsFirst(context.role) {
            throw DomainError(.DENIED, "finance rejects in second review only; \(id) is \(request.state.rawValue)")
        }
        guard request.filedBy != context.user else {
            throw DomainError(.SELF_APPROVAL, "\(id) was filed by you; another supervisor must review it")
        }
        guard request.state.isOpen else { throw DomainError(.STATE, "\(id) is \(request.state.rawValue)") }
        return Decision(events: [.returnRejected(number: request.number, note: note, by: context.user, at: context.now)],
                        reply: Reply(status: [Field("id", id), Field("state", ReturnState.rejected.rawValue)]))
    }

    func decideCancel(_ id: String, _ context: Context) throws(DomainError) -> Decision {
        let request = try scopedReturn(id, context)
        guard Review.reviewsFirst(context.role) || request.filedBy == context.user else {
            throw DomainError(.DENIED, "only its filer or a supervisor may cancel \(id)")
        }
        guard request.state == .pending else { throw DomainError(.STATE, "\(id) is \(request.state.rawValue)") }
        return Decision(events: [.returnCancelled(number: request.number, by: context.user, at: context.now)],
                        reply: Reply(status: [Field("id", id), Field("state", ReturnState.cancelled.rawValue)]))
    }
}

extension Ledger {
    /// The business date in a document number (`RT-20260302-0001` → 2026-03-02), as days since
    /// 1970: the one place a document's date is kept, so DOC's `date=` and the number agree.
    public static func documentDay(_ doc: String) -> Int64? {
        let b = Array(doc.utf8)
        guard b.count >= 12, b[0] == UInt8(ascii: "R"), b[1] == UInt8(ascii: "T"), b[2] == UInt8(ascii: "-"), b[11] == UInt8(ascii: "-"),
              let y = digits(b[3..<7]), let m = digits(b[7..<9]), let d = digits(b[9..<11]), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        return CivilDate(year: y, month: m, day: d).daysSinceEpoch
    }
}
