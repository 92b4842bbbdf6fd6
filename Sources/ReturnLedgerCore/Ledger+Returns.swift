extension Ledger {
    /// RETURN: checks, in the contract's order, then files a pending request.
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
        guard let order = orders[filing.order] else { throw .notFound("order", filing.order) }
        let location = filing.location ?? order.location
        guard locations[location] != nil else { throw .notFound("location", location) }
        try checkScope(location, context, "the return")

        var items: [ReturnItem] = []
        var claimed: [Int: Int64] = [:]
        var amount = Money.zero
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
                throw DomainError(.EXPIRED, "sold \(order.at.day), outside the \(policy.windowDays)-day return window")
            }
        }
        let request = ReturnRequest(
            number: returns.count + 1, kind: order.kind, order: order.id, party: order.party, location: location,
            items: items, amount: amount, reason: filing.reason, note: filing.note, key: filing.key ?? "",
            filedBy: context.user, filedAt: context.now, state: .pending)
        return Decision(events: [.returnFiled(request)], reply: filedReply(request))
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
        guard request.order == filing.order, request.reason == filing.reason, request.note == filing.note,
              filing.location == nil || filing.location == request.location,
              request.items.count == filing.items.count else { return false }
        return zip(request.items, filing.items).allSatisfy {
            $0.sku == $1.sku && $0.quantity == $1.quantity && ($1.batch.isEmpty || $0.batch == $1.batch)
        }
    }

    func filedReply(_ request: ReturnRequest) -> Reply {
        Reply(status: [Field("id", request.id), Field("state", ReturnState.pending.rawValue),
                       Field("kind", request.kind.rawValue), Field("amount", request.amount.description)])
    }

    func approvedReply(_ request: ReturnRequest, state: ReturnState) -> Reply {
        Reply(status: [Field("id", request.id), Field("state", state.rawValue), Field("doc", request.doc),
                       Field("amount", request.amount.description)])
    }

    private func reviewable(_ id: String, _ context: Context) throws(DomainError) -> ReturnRequest {
        let request = try scopedReturn(id, context)
        guard request.filedBy != context.user else {
            throw DomainError(.SELF_APPROVAL, "\(id) was filed by you; another supervisor must review it")
        }
        return request
    }

    func decideApproval(_ id: String, refund: RefundMode?, note: String, _ context: Context) throws(DomainError) -> Decision {
        var request = try reviewable(id, context)
        if request.state.isApproved {
            let first = request.items.contains { $0.quarantined } ? ReturnState.inspecting : .approved
            return Decision(events: [], reply: approvedReply(request, state: first).existed())
        }
        guard request.state == .pending else { throw DomainError(.STATE, "\(id) is \(request.state.rawValue)") }
        guard let order = orders[request.order] else { throw DomainError(.INTERNAL, "order of \(id) missing") }

        let mode: RefundMode
        if request.kind == .sale {
            if request.party.isEmpty, refund == .credit {
                throw .invalid("a walk-in sale has no account to hold store credit")
            }
            mode = refund ?? (order.paid ? .cash : .credit)
            let balance = balances[request.party] ?? .zero
            guard request.party.isEmpty || balance.adding(-request.amount) != nil else { throw .overflow }
        } else {
            guard refund == nil else { throw .invalid("refund= applies to customer returns only") }
            mode = .credit
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
            guard (balances[request.party] ?? .zero).adding(request.amount) != nil else { throw .overflow }
        }

        let day = context.now.day
        let serial = (documentsPerDay[day.daysSinceEpoch] ?? 0) + 1
        request.doc = "RT-" + day.compact + "-" + zeroPadded(serial, width: 4)
        let customer = request.kind == .sale
        let outcome = ApprovalOutcome(
            quarantined: customer ? request.items.indices.filter { products[request.items[$0].sku]?.inspect == true } : [],
            credited: request.amount,
            refunded: customer && mode == .cash ? request.amount : .zero)
        let approval = Approval(number: request.number, doc: request.doc, refund: mode, note: note, by: context.user,
                                at: context.now, outcome: outcome)
        return Decision(events: [.returnApproved(approval)], reply: approvedReply(request, state: outcome.state))
    }

    func decideRejection(_ id: String, note: String, _ context: Context) throws(DomainError) -> Decision {
        let request = try reviewable(id, context)
        guard request.state == .pending else { throw DomainError(.STATE, "\(id) is \(request.state.rawValue)") }
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
