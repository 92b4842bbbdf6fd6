extension Ledger {
    /// SALE and PURCHASE: the records returns are later checked against.
    func decideTrade(_ request: TradeRequest, kind: OrderKind, _ context: Context) throws(DomainError) -> Decision {
        let partyKind: PartyKind = kind == .sale ? .customer : .supplier
        let party = request.party ?? ""
        if kind == .sale, party.isEmpty, request.paid == false {
            throw .invalid("a walk-in sale (no customer) is paid at once")
        }
        if let at = request.at, at > context.now { throw .invalid("at= is in the future") }
        guard locations[request.location] != nil else { throw .notFound("location", request.location) }
        if !party.isEmpty {
            guard let known = parties[party], known.kind == partyKind else { throw .notFound(partyKind.rawValue, party) }
        }
        try checkScope(request.location, context, "order \(request.order)")

        var lines: [OrderLine] = []
        var total = Money.zero
        for item in request.items {
            guard let product = products[item.sku] else { throw .notFound("sku", item.sku) }
            let catalogue = kind == .sale || product.cost == .zero ? product.price : product.cost
            let price = item.price ?? catalogue
            guard price >= .zero else { throw .invalid("price must not be negative") }
            guard let amount = price.times(item.quantity), let sum = total.adding(amount) else { throw .overflow }
            total = sum
            lines.append(OrderLine(sku: item.sku, quantity: item.quantity, price: price, batch: item.batch))
        }
        let order = Order(id: request.order, kind: kind, location: request.location, party: party,
                          paid: kind == .sale ? (request.paid ?? true) : false, at: request.at ?? context.now,
                          lines: lines, total: total)
        let reply = Reply(status: [Field("order", order.id), Field("total", total.description)])

        if let existing = orders[request.order] {
            guard existing.sameContent(as: order) else {
                throw DomainError(.CONFLICT, "order \(request.order) exists with other content")
            }
            return Decision(events: [], reply: Reply(status: [Field("order", existing.id),
                                                              Field("total", existing.total.description)]).existed())
        }
        if !party.isEmpty {
            let change = kind == .sale ? total : -total
            guard (balances[party] ?? .zero).adding(change) != nil else { throw .overflow }
        }
        return Decision(events: [.orderRecorded(order)], reply: reply)
    }

    func decidePayment(party: String, amount: Money, direction: PaymentDirection, note: String,
                       _ context: Context) throws(DomainError) -> Decision {
        guard amount > .zero else { throw .invalid("amount must be above zero") }
        guard parties[party] != nil else { throw .notFound("party", party) }
        guard let balance = (balances[party] ?? .zero).adding(direction == .in ? -amount : amount) else { throw .overflow }
        return Decision(
            events: [.paymentRecorded(party: party, amount: amount, direction: direction, note: note, at: context.now, number: payments + 1)],
            reply: Reply(status: [Field("party", party), Field("balance", balance.description)]))
    }
}
