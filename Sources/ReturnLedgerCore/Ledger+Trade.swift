extension Ledger {
    /// SALE and PURCHASE: the records returns are later checked against. Checks: INVALID (no
    /// lookup), NOT_FOUND (location, party, SKUs), a re-send (before anything that follows:
    /// the original reply plus `existed=yes`, else CONFLICT), the serial count (INVALID needing
    /// the SKU), DENIED, the till (STATE), CLOSED, TENDER, CREDIT, SERIAL.
    func decideTrade(_ request: TradeRequest, kind: OrderKind, _ context: Context) throws(DomainError) -> Decision {
        let partyKind: PartyKind = kind == .sale ? .customer : .supplier
        let party = request.party ?? ""
        if kind == .sale, party.isEmpty, request.paid == false {
            throw .invalid("a walk-in sale (no customer) is paid at once")
        }
        if let at = request.at, at > context.now { throw .invalid("at= is in the future") }
        if let tenders = request.tenders {
            if request.paid == false { throw .invalid("paid=no (on account) takes no tender=") }
            if party.isEmpty, tenders.contains(where: { $0.kind == .credit }) {
                throw .invalid("a walk-in sale (no customer) has no store credit to pay with")
            }
        }
        guard locations[request.location] != nil else { throw .notFound("location", request.location) }
        if !party.isEmpty {
            guard let known = parties[party], known.kind == partyKind else { throw .notFound(partyKind.rawValue, party) }
        }
        for item in request.items where products[item.sku] == nil { throw .notFound("sku", item.sku) }

        var lines: [OrderLine] = []
        var value = Money.zero
        for item in request.items {
            guard let product = products[item.sku] else { throw .notFound("sku", item.sku) }
            let catalogue = kind == .sale || product.cost == .zero ? product.price : product.cost
            let price = item.price ?? catalogue
            guard price >= .zero else { throw .invalid("price must not be negative") }
            guard let amount = price.times(item.quantity), let sum = value.adding(amount) else { throw .overflow }
            value = sum
            var line = OrderLine(sku: item.sku, quantity: item.quantity, price: price, batch: item.batch)
            line.taxRate = product.tax
            line.serials = item.serials
            lines.append(line)
        }
        // Protocol.md, Discount and Tax: the discount shared over the lines by value, then each
        // line's tax on what is left of it; the total sums the lines' amounts.
        if let discount = request.discount, discount != .zero {
            guard discount > .zero, discount <= value else {
                throw .invalid("discount= \(discount) must lie between 0.00 and the lines' value, \(value)")
            }
            let shares = TaxRule.discountShares(discount.minor, values: lines.map { $0.price.minor * $0.quantity })
            for i in lines.indices { lines[i].discount = Money(minor: shares[i]) }
        }
        var total = Money.zero
        for i in lines.indices {
            guard let amount = lines[i].taxed(at: lines[i].taxRate, included: policy.taxIncluded),
                  let sum = total.adding(amount) else { throw .overflow }
            total = sum
        }
        var order = Order(id: request.order, kind: kind, location: request.location, party: party,
                          paid: kind == .sale ? (request.paid ?? true) : false, at: request.at ?? context.now,
                          lines: lines, total: total)
        if let tenders = request.tenders { order.tenders = tenders }
        let reply = tradeReply(order)

        if let existing = orders[request.order] {
            guard existing.sameContent(as: order) else {
                throw DomainError(.CONFLICT, "order \(request.order) exists with other content")
            }
            return Decision(events: [], reply: tradeReply(existing).existed())
        }
        try checkSerialCounts(request.items)
        try checkScope(request.location, context, "order \(request.order)")
        // Protocol.md, Tenders: the till (STATE), then the tenders adding up (TENDER), then credit (CREDIT).
        if let till = request.till {
            order.session = try openSession(till, at: request.location).number
        }
        try refuseClosed(at: order.at, "order \(order.id)")
        if let tenders = request.tenders, Tender.total(tenders) != total {
            throw DomainError(.TENDER, "the tenders add up to \(Tender.total(tenders) ?? .zero), the sale is \(total)")
        }
        var events: [Event] = [.orderRecorded(order)]
        if let credit = order.givenTenders.first(where: { $0.kind == .credit }) {
            let available = availableCredit(party, at: context.now)
            guard credit.amount <= available, let draws = drawLots(party, credit.amount, at: context.now) else {
                throw DomainError(.CREDIT, "\(party) has \(available) of store credit available, \(credit.amount) asked")
            }
            events.append(.creditDrawn(party: party, doc: order.id, draws: draws))
        }
        // Serial numbers (protocol.md): a sale's on hand in its slot (so never below zero), a purchase's not in stock.
        for line in lines where !line.serials.isEmpty {
            if kind == .sale {
                try requireSerials(line.sku, line.serials, at: StockSlot(location: order.location, batch: line.batch), .on_hand)
            } else {
                try requireSerialsOutOfStock(line.sku, line.serials)
            }
        }
        if !party.isEmpty {
            let change = kind == .sale ? total : -total
            guard (balances[party] ?? .zero).adding(change) != nil else { throw .overflow }
        }
        return Decision(events: events, reply: reply)
    }

    /// SALE's reply `OK order= total= tax= discount=`; PURCHASE's `OK order= total=`.
    func tradeReply(_ order: Order) -> Reply {
        guard order.kind == .sale else { return Reply(status: [Field("order", order.id), Field("total", order.total.description)]) }
        return Reply(status: [Field("order", order.id), Field("total", order.total.description), Field("tax", order.tax.description),
                              Field("discount", order.discount.description)])
    }

    func decidePayment(party: String, amount: Money, direction: PaymentDirection, note: String,
                       _ context: Context) throws(DomainError) -> Decision {
        guard amount > .zero else { throw .invalid("amount must be above zero") }
        guard parties[party] != nil else { throw .notFound("party", party) }
        try refuseClosedToday(context, "PAYMENT")
        guard let balance = (balances[party] ?? .zero).adding(direction == .in ? -amount : amount) else { throw .overflow }
        var events: [Event] = [.paymentRecorded(party: party, amount: amount, direction: direction, note: note, at: context.now,
                                                number: payments + 1)]
        // Money paid out to a customer uses up their store credit, up to what the lots hold.
        if direction == .out, parties[party]?.kind == .customer {
            let held = (creditLots[party] ?? []).reduce(Int64(0)) { $0 + ($1.isActive(at: context.now) ? $1.remaining.minor : 0) }
            let drawn = Money(minor: min(held, amount.minor))
            if drawn > .zero, let draws = drawLots(party, drawn, at: context.now) {
                events.append(.creditDrawn(party: party, doc: paymentId(payments + 1), draws: draws))
            }
        }
        return Decision(events: events, reply: Reply(status: [Field("party", party), Field("balance", balance.description)]))
    }
}
