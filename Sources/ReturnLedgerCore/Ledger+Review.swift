/// APPROVE, REJECT, CANCEL and INSPECT: a return's review, and what an approval issues and moves.
extension Ledger {
    /// The checks of APPROVE in the contract's order: NOT_FOUND, DENIED (scope, then a role that
    /// only some states allow), SELF_APPROVAL, STATE, then the domain's own. A re-send by someone
    /// who gave one of the return's approvals answers that approval's reply, in any later state.
    func decideApproval(_ id: String, refund: RefundMode?, fee: Percent?, note: String,
                        _ context: Context) throws(DomainError) -> Decision {
        let request = try scopedReturn(id, context)
        let user = context.user
        if request.firstApprovedBy == user {
            guard refund == nil, fee == nil else {
                throw DomainError(.CONFLICT, "\(id) had its first approval from you, without refund= or fee=")
            }
            return Decision(events: [], reply: firstApprovalReply(request).existed())
        }
        if request.state.isApproved, request.approvedBy == user {
            if let refund, refund != request.refund {
                throw DomainError(.CONFLICT, "\(id) was approved by you with refund=\(request.refund?.rawValue ?? "")")
            }
            if let fee, fee != request.feeRate {
                throw DomainError(.CONFLICT, "\(id) was approved by you with fee=\(request.feeRate)")
            }
            return Decision(events: [], reply: approvedReply(request, state: approvedState(request)).existed())
        }
        if !Review.reviewsFirst(context.role), request.state != .second_review {
            throw DomainError(.DENIED, "finance gives second approvals only; \(id) is \(request.state.rawValue)")
        }
        if request.state == .second_review { try checkSecondReviewer(request, context) }
        guard request.filedBy != user else {
            throw DomainError(.SELF_APPROVAL, "\(id) was filed by you; another supervisor must review it")
        }
        if request.state.isApproved {
            return Decision(events: [], reply: approvedReply(request, state: approvedState(request)).existed())
        }
        guard request.state.isOpen else { throw DomainError(.STATE, "\(id) is \(request.state.rawValue)") }
        let order = orders[request.order]
        guard order != nil || request.noReceipt else { throw DomainError(.INTERNAL, "order of \(id) missing") }

        if request.state == .pending, request.flow.secondRole != nil {
            guard refund == nil, fee == nil else {
                throw .invalid("refund= and fee= are taken on the approval that completes \(id), the second")
            }
            if request.kind == .purchase { try checkStockForSupplierReturn(request) }
            return Decision(events: [.returnFirstApproved(number: request.number, note: note, by: user, at: context.now)],
                            reply: firstApprovalReply(request))
        }
        let approved = try approve(request, order: order, refund: refund, fee: fee, note: note, as: context)
        return Decision(events: [.returnApproved(approved.approval)],
                        reply: approvedReply(approvedView(request, approved.approval), state: approved.approval.outcome!.state))
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
    /// `apply` only carries it out.
    struct Approved { var approval: Approval }

    func approve(_ request: ReturnRequest, order: Order?, refund: RefundMode?, fee given: Percent?, note: String,
                 as context: Context) throws(DomainError) -> Approved {
        // The business date, never before the last document's (a zone moved west keeps the
        // numbering going on the date it had reached).
        let day = max(policy.calendar.day(of: context.now), lastDocumentDay ?? .min)
        let serial = (documentsPerDay[day] ?? 0) + 1
        let doc = "RT-" + CivilDate(daysSinceEpoch: day).compact + "-" + zeroPadded(serial, width: 4)
        let outcome: ApprovalOutcome
        let mode: RefundMode
        if request.kind == .sale {
            (mode, outcome) = try customerOutcome(request, order: order, refund: refund, fee: given, at: context.now)
        } else {
            guard refund == nil else { throw .invalid("refund= applies to customer returns only") }
            guard given == nil else { throw .invalid("fee= applies to customer returns only") }
            mode = .credit
            try checkStockForSupplierReturn(request)
            guard (balances[request.party] ?? .zero).adding(request.amount) != nil else { throw .overflow }
            outcome = ApprovalOutcome(quarantined: [], credited: request.amount, refunded: .zero)
        }
        return Approved(approval: Approval(number: request.number, doc: doc, refund: mode, note: note, by: context.user,
                                           at: context.now, outcome: outcome))
    }

    /// A customer return's money: the fee (the APPROVE's or the reason's) kept, the net credited,
    /// then refunded in cash (a paid sale, unless `refund=credit`), kept as credit, or set against
    /// the replacement goods of an exchange, whose difference is paid in or handed back at once.
    func customerOutcome(_ request: ReturnRequest, order: Order?, refund: RefundMode?, fee given: Percent?,
                                 at now: Timestamp) throws(DomainError) -> (RefundMode, ApprovalOutcome) {
        let walkIn = request.party.isEmpty
        if walkIn, refund == .credit { throw .invalid("a walk-in sale has no account to hold store credit") }
        let paid = order?.paid ?? false
        if refund == .cash {
            if request.noReceipt { throw .invalid("a return without a receipt is refunded as store credit only") }
            if !paid { throw .invalid("\(request.order) was sold with paid=no: nothing was paid to hand back") }
        }
        let mode = refund ?? (paid ? .cash : .credit)
        let rate = given ?? reasons[request.reason]?.fee ?? .zero
        let fee = rate.of(request.amount)
        let net = Money(minor: request.amount.minor - fee.minor)
        let quarantined = request.items.indices.filter { request.flow.inspect || products[request.items[$0].sku]?.inspect == true }
        var outcome = ApprovalOutcome(quarantined: quarantined, credited: net, refunded: mode == .cash ? net : .zero,
                                      feeRate: rate, fee: fee)
        var total = Money.zero
        if !request.exchange.isEmpty {
            guard let sum = OrderLine.total(request.exchange), let due = sum.adding(-net) else { throw .overflow }
            total = sum
            outcome.exchange = Order(id: request.exchangeOrder, kind: .sale, location: request.location, party: request.party,
                                     paid: paid, at: now, lines: request.exchange, total: total)
            outcome.due = due
            // A paid sale settles the difference at the till; on account (paid=no) it stays there.
            outcome.paidIn = paid && due > .zero ? due : .zero
            outcome.refunded = paid && due < .zero && mode == .cash ? -due : .zero
        }
        if !walkIn {
            // Every balance the approval passes through stays in range, in the order apply posts.
            var balance = balances[request.party] ?? .zero
            for step in [-net, total, outcome.refunded, -outcome.paidIn] {
                guard let next = balance.adding(step) else { throw .overflow }
                balance = next
            }
        }
        return (mode, outcome)
    }

    /// A supplier return sends goods back: they must be on hand at the return location.
    func checkStockForSupplierReturn(_ request: ReturnRequest) throws(DomainError) {
        var needed: [StockSlot: [String: Int64]] = [:]
        for item in request.items {
            needed[StockSlot(location: request.location, batch: item.batch), default: [:]][item.sku, default: 0] += item.quantity
        }
        for (slot, perSku) in needed {
            for (sku, quantity) in perSku where level(sku, slot).onHand < quantity {
                let batch = slot.batch.isEmpty ? "" : " batch \(slot.batch)"
                throw DomainError(.STOCK, "\(sku)\(batch) at \(slot.location): \(level(sku, slot).onHand) on hand, \(quantity) to return")
            }
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

    func decideInspection(_ id: String, disposition: Disposition, note: String,
                          _ context: Context) throws(DomainError) -> Decision {
        let request = try scopedReturn(id, context)
        guard request.state == .inspecting else {
            throw DomainError(.STATE, "\(id) is \(request.state.rawValue), not inspecting")
        }
        return Decision(
            events: [.returnInspected(number: request.number, disposition: disposition, note: note, by: context.user,
                                      at: context.now)],
            reply: Reply(status: [Field("id", id), Field("state", ReturnState.completed.rawValue),
                                  Field("disposition", disposition.rawValue)]))
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
