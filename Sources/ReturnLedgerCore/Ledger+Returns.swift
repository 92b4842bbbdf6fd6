extension Ledger {
    /// RETURN: checks, in the contract's order, then files a pending request. The record is
    /// found first (the order, or for a return without a receipt the customer and location),
    /// then DENIED (scope, `override=yes`), then the domain's own checks, the customer limit last.
    func decideFiling(_ filing: ReturnFiling, _ context: Context) throws(DomainError) -> Decision {
        guard reasons[filing.reason] != nil else {
            throw .invalid("unknown reason \(filing.reason); known: \(reasons.keys.sorted().joined(separator: ", "))")
        }
        if let key = filing.key, let number = returnKeys[key] {
            let original = returns[number - 1]
            guard sameFiling(original, filing) else {
                throw DomainError(.CONFLICT, "key \(key) was used for \(original.id) with other content")
            }
            return Decision(events: [], reply: filedReply(original).existed())
        }
        let order: Order?
        let kind: OrderKind, party: String, location: String
        if filing.noReceipt {
            let customer = filing.customer ?? ""
            guard let known = parties[customer], known.kind == .customer else { throw .notFound("customer", customer) }
            (order, kind, party, location) = (nil, .sale, customer, filing.location ?? "")
        } else {
            guard let found = orders[filing.order] else { throw .notFound("order", filing.order) }
            (order, kind, party, location) = (found, found.kind, found.party, filing.location ?? found.location)
        }
        guard locations[location] != nil else { throw .notFound("location", location) }
        try checkScope(location, context, "the return")
        if filing.override, context.role != .supervisor, context.role != .admin {
            throw DomainError(.DENIED, "override=yes is for supervisors and admins")
        }
        if !filing.exchange.isEmpty, kind == .purchase {
            throw .invalid("exchange= applies to customer returns; \(filing.order) is a purchase")
        }
        let exchange = try priceExchange(filing.exchange)

        var items: [ReturnItem] = []
        var amount = Money.zero
        if let order {
            var claimed: [Int: Int64] = [:]
            for spec in filing.items {
                let line = try matchLine(order, spec)
                claimed[line, default: 0] += spec.quantity
                let orderLine = order.lines[line]
                guard claimed[line]! <= orderLine.returnable else {
                    throw DomainError(.EXCEEDS, "\(spec.sku): \(claimed[line]!) asked, \(orderLine.returnable) of \(orderLine.quantity) returnable"
                                      + " (\(orderLine.returned) returned, \(orderLine.pending) pending)")
                }
                guard let itemAmount = orderLine.price.times(spec.quantity), let sum = amount.adding(itemAmount) else {
                    throw .overflow
                }
                amount = sum
                items.append(ReturnItem(sku: spec.sku, quantity: spec.quantity, batch: orderLine.batch,
                                        price: orderLine.price, line: line, amount: itemAmount))
            }
            if order.kind == .sale {
                let window = policy.windowDays * Timestamp.secondsPerDay
                guard context.now.seconds - order.at.seconds <= window else {
                    throw DomainError(.EXPIRED, "sold \(policy.calendar.date(of: order.at)), outside the \(policy.windowDays)-day return window")
                }
            }
        } else {
            // Without a receipt: today's catalogue price, no batch, no window or quantity check.
            for spec in filing.items {
                guard let product = products[spec.sku] else { throw .notFound("sku", spec.sku) }
                guard let itemAmount = product.price.times(spec.quantity), let sum = amount.adding(itemAmount) else {
                    throw .overflow
                }
                amount = sum
                items.append(ReturnItem(sku: spec.sku, quantity: spec.quantity, batch: "", price: product.price, line: 0,
                                        amount: itemAmount))
            }
        }
        let overLimit = kind == .sale && !party.isEmpty && overCustomerLimit(party, at: context.now)
        if overLimit, !filing.override {
            throw DomainError(.OVER_LIMIT, "\(party) has filed \(policy.customerReturns) or more returns in the last"
                              + " \(policy.customerDays) days; a supervisor may file it with override=yes")
        }
        var request = ReturnRequest(
            number: returns.count + 1, kind: kind, order: order?.id ?? "", party: party, location: location,
            items: items, amount: amount, reason: filing.reason, note: filing.note, key: filing.key ?? "",
            filedBy: context.user, filedAt: context.now, state: .pending)
        request.exchange = exchange
        request.exchangeText = filing.exchangeText
        request.override = overLimit
        request.flow = flow(for: request)
        // Never approved unseen: a return without a receipt, or one filed over the customer's limit.
        if request.noReceipt || request.override { request.flow.auto = false }
        let filed = Event.returnFiled(request)
        if request.flow.auto, let auto = try? approve(request, order: order, refund: nil, fee: nil, note: "",
                                                          as: systemContext(context)) {
            // Filed and approved in one record: the return is never pending, so nobody is told of it.
            let audit = auditEvent("APPROVE", target: request.id, outcome: "ok", systemContext(context), after: 1)
            return Decision(events: [filed, .returnApproved(auto.approval), audit], reply: autoApprovedReply(request, auto))
        }
        if request.override {
            // The override is its own line in the audit trail, after the RETURN's.
            return Decision(events: [filed, auditEvent("OVERRIDE", target: request.id, outcome: "ok", context, after: 1)],
                            reply: filedReply(request))
        }
        return Decision(events: [filed], reply: filedReply(request))
    }

    /// Replacement goods priced as SALE prices them: the catalogue unless `@PRICE`.
    private func priceExchange(_ specs: [ItemSpec]) throws(DomainError) -> [OrderLine] {
        var lines: [OrderLine] = []
        for spec in specs {
            guard let product = products[spec.sku] else { throw .notFound("sku", spec.sku) }
            lines.append(OrderLine(sku: spec.sku, quantity: spec.quantity, price: spec.price ?? product.price, batch: spec.batch))
        }
        guard OrderLine.total(lines) != nil else { throw .overflow }  // checked now, added up at approval
        return lines
    }

    /// Whether a customer has `customer_returns` or more returns filed within the last
    /// `customer_days` × 24 hours (a return filed exactly that long ago is outside), rejected and
    /// cancelled ones not counted. Walks the customer's returns from the newest, so it costs the
    /// window, not the history.
    func overCustomerLimit(_ party: String, at now: Timestamp) -> Bool {
        guard policy.limitsCustomers, let numbers = returnsByParty[party] else { return false }
        let since = now.seconds - policy.customerDays * Timestamp.secondsPerDay
        var counted: Int64 = 0
        for number in numbers.reversed() {
            let r = returns[number - 1]
            guard r.filedAt.seconds > since else { break }
            if r.state == .rejected || r.state == .cancelled { continue }
            counted += 1
            if counted >= policy.customerReturns { return true }
        }
        return false
    }

    /// The user an `auto` rule approves as, at the filer's time and peer.
    func systemContext(_ context: Context) -> Context {
        Context(user: Ledger.systemUser, role: .admin, peer: context.peer, now: context.now)
    }

    /// The order line a returned item refers to: same SKU and, where given, the same batch. An item
    /// without a batch matches when the order holds that SKU in a single batch.
    private func matchLine(_ order: Order, _ spec: ItemSpec) throws(DomainError) -> Int {
        let candidates = order.lines.indices.filter { order.lines[$0].sku == spec.sku }
        guard !candidates.isEmpty else { throw DomainError(.NOT_FOUND, "\(spec.sku) is not on order \(order.id)") }
        if !spec.batch.isEmpty {
            guard let line = candidates.first(where: { order.lines[$0].batch == spec.batch }) else {
                throw DomainError(.NOT_FOUND, "\(spec.sku) batch \(spec.batch) is not on order \(order.id)")
            }
            return line
        }
        let batches = Set(candidates.map { order.lines[$0].batch })
        guard batches.count == 1 else {
            throw .invalid("\(spec.sku) was sold in batches \(batches.sorted().joined(separator: ",")); name one with #BATCH")
        }
        // Several lines of one SKU and batch: take the first with units left.
        return candidates.first { order.lines[$0].returnable >= spec.quantity } ?? candidates[0]
    }

    private func sameFiling(_ request: ReturnRequest, _ filing: ReturnFiling) -> Bool {
        let sameOrder = filing.noReceipt ? request.noReceipt && request.party == filing.customer : request.order == filing.order
        guard sameOrder, request.reason == filing.reason, request.note == filing.note,
              request.exchangeText == filing.exchangeText,
              filing.location == nil || filing.location == request.location,
              request.items.count == filing.items.count else { return false }
        return zip(request.items, filing.items).allSatisfy {
            $0.sku == $1.sku && $0.quantity == $1.quantity && ($1.batch.isEmpty || $0.batch == $1.batch)
        }
    }

    /// RETURN's reply; a re-sent RETURN of an auto-approved return answers as the filing did.
    func filedReply(_ request: ReturnRequest) -> Reply {
        if request.flow.auto, request.approvedBy == Ledger.systemUser, request.approvedAt == request.filedAt {
            return autoApprovedReply(request, nil)
        }
        return Reply(status: [Field("id", request.id), Field("state", ReturnState.pending.rawValue),
                              Field("kind", request.kind.rawValue), Field("amount", request.amount.description),
                              Field("doc", "")])
    }

    /// `OK id= state=approved|inspecting kind= amount= doc= fee= net= exchange_order= due=`.
    private func autoApprovedReply(_ request: ReturnRequest, _ auto: Approved?) -> Reply {
        // A re-send names the state the filing answered with, whatever came after (as APPROVE's).
        let state = auto?.approval.outcome?.state ?? approvedState(request)
        let view = auto.map { approvedView(request, $0.approval) } ?? request
        return Reply(status: [Field("id", request.id), Field("state", state.rawValue),
                              Field("kind", request.kind.rawValue), Field("amount", request.amount.description),
                              Field("doc", view.doc)] + approvalTail(view))
    }

    /// Section 13's tail of an approval that completes a return: the fee kept, the net credited,
    /// and for an exchange its sale and the difference (`""` both without one).
    private func approvalTail(_ request: ReturnRequest) -> [Field] {
        let exchange = !request.exchange.isEmpty
        return [Field("fee", request.fee.description), Field("net", request.net.description),
                Field("exchange_order", request.exchangeOrder), Field("due", exchange ? request.due.description : "")]
    }

    /// The request as the approval leaves it, for the reply sent before `apply` runs.
    private func approvedView(_ request: ReturnRequest, _ approval: Approval) -> ReturnRequest {
        var view = request
        view.doc = approval.doc
        view.fee = approval.outcome?.fee ?? .zero
        view.feeRate = approval.outcome?.feeRate ?? .zero
        view.due = approval.outcome?.due ?? .zero
        return view
    }

    func approvedReply(_ request: ReturnRequest, state: ReturnState) -> Reply {
        Reply(status: [Field("id", request.id), Field("state", state.rawValue), Field("doc", request.doc),
                       Field("amount", request.amount.description)] + approvalTail(request))
    }

    /// The reply of a first approval: nothing has moved, so no document and no money yet.
    private func firstApprovalReply(_ request: ReturnRequest) -> Reply {
        Reply(status: [Field("id", request.id), Field("state", ReturnState.second_review.rawValue), Field("doc", ""),
                       Field("amount", request.amount.description), Field("fee", ""), Field("net", ""),
                       Field("exchange_order", ""), Field("due", "")])
    }

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
        if context.role == .finance, request.state != .second_review {
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

    /// The state the first approval reply of an approved return named.
    private func approvedState(_ request: ReturnRequest) -> ReturnState {
        request.items.contains { $0.quarantined } ? .inspecting : .approved
    }

    /// A second approval or a REJECT in second review: the rule's role (admin always qualifies),
    /// never the first approver.
    private func checkSecondReviewer(_ request: ReturnRequest, _ context: Context) throws(DomainError) {
        let role = request.flow.secondRole ?? .finance
        guard context.role == .admin || context.role == role else {
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
    private func customerOutcome(_ request: ReturnRequest, order: Order?, refund: RefundMode?, fee given: Percent?,
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
    private func checkStockForSupplierReturn(_ request: ReturnRequest) throws(DomainError) {
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
        } else if context.role == .finance {
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
        let reviewer = context.role == .supervisor || context.role == .admin
        guard reviewer || request.filedBy == context.user else {
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
