/// RETURN: a return filed against an order (or without a receipt), checked in the contract's order.
extension Ledger {
    /// RETURN: checks, in the contract's order, then files a pending request. The record is
    /// found first (the order, or for a return without a receipt the customer and location),
    /// then DENIED (scope, `override=yes`), then the domain's own checks, the customer limit last.
    func decideFiling(_ filing: ReturnFiling, _ context: Context) throws(DomainError) -> Decision {
        guard reasons[filing.reason] != nil else {
            throw .invalid("unknown reason \(filing.reason); known: \(reasons.keys.sorted().joined(separator: ", "))")
        }
        if let key = filing.key, let number = try returnNumber(forKey: key) {
            let original = try filedReturn(number)
            guard sameFiling(original, filing) else {
                throw DomainError(.CONFLICT, "key \(key) was used for \(original.id) with other content")
            }
            return Decision(events: [], reply: filedReply(original).existed())
        }
        let order: Order?
        let kind: OrderKind, party: String, location: String
        if filing.noReceipt, let supplier = filing.supplier {
            // A supplier return without an order (protocol.md, Supplier returns).
            guard let known = parties[supplier], known.kind == .supplier else { throw .notFound("supplier", supplier) }
            (order, kind, party, location) = (nil, .purchase, supplier, filing.location ?? "")
        } else if filing.noReceipt {
            let customer = filing.customer ?? ""
            guard let known = parties[customer], known.kind == .customer else { throw .notFound("customer", customer) }
            (order, kind, party, location) = (nil, .sale, customer, filing.location ?? "")
        } else {
            guard let found = orders[filing.order] else { throw .notFound("order", filing.order) }
            (order, kind, party, location) = (found, found.kind, found.party, filing.location ?? found.location)
        }
        guard locations[location] != nil else { throw .notFound("location", location) }
        if let order, order.kind == .sale, location != order.location, !policy.crossStore {
            throw .invalid("\(order.id) was sold at \(order.location); returns at another store are off (POLICY cross_store=no)")
        }
        // Every record the request names is found before the scope is checked (NOT_FOUND, then DENIED).
        for spec in filing.items {
            if let order {
                _ = try linesOnOrder(order, spec)
            } else if products[spec.sku] == nil {
                throw .notFound("sku", spec.sku)
            }
        }
        for spec in filing.exchange where products[spec.sku] == nil { throw .notFound("sku", spec.sku) }
        // Section 21's terms belong to supplier returns, `supplier=` to one without an order: INVALID right after NOT_FOUND.
        if kind == .sale, filing.namesSupplierTerms || filing.supplier != nil {
            throw .invalid("rma=, source=, expected= and supplier= are for supplier returns")
        }
        if filing.supplier != nil, order != nil || filing.customer != nil {
            throw .invalid("supplier= names the supplier of a return without an order (RETURN - ... supplier=), not with an order or customer=")
        }
        if order == nil, kind == .purchase {
            for spec in filing.items {
                if let other = products[spec.sku]?.supplier, !other.isEmpty, other != party {
                    throw .invalid("\(spec.sku) goes back to \(other), not \(party)")
                }
            }
        }
        // Serial count, or a serial on a SKU without serials: INVALID needing the SKU (the items,
        // then the exchange's replacements), before DENIED.
        try checkSerialCounts(filing.items)
        try checkSerialCounts(filing.exchange)
        try checkScope(location, context, "the return")
        if filing.override, context.role != .supervisor, context.role != .admin {
            throw DomainError(.DENIED, "override=yes is for supervisors and admins")
        }
        if let till = filing.till { _ = try openSession(till, at: location) }
        // An offline return's `at=` dates nothing: what it moves is dated now.
        try refuseClosedToday(context, "RETURN")
        // An offline return is judged at the time it was taken (protocol.md, Offline returns).
        let taken = filing.takenAt ?? context.now
        if let at = filing.takenAt {
            guard at <= context.now else { throw .invalid("at= is in the future") }
            if let order, at < order.at { throw .invalid("at= is before \(order.id) was made") }
            guard context.now.seconds - at.seconds <= policy.offlineHours * 3600 else {
                throw .invalid("at= is more than \(policy.offlineHours) hours ago (POLICY offline_hours)")
            }
        }
        if !filing.exchange.isEmpty, kind == .purchase {
            throw .invalid("exchange= applies to customer returns; \(filing.order) is a purchase")
        }
        let exchange = try priceExchange(filing.exchange)

        var items: [ReturnItem] = []
        var amount = Money.zero, tax = Money.zero
        if let order {
            // A voided exchange's sale went back with its return: nothing of it is returnable.
            if order.voided { throw DomainError(.EXCEEDS, "\(order.id) was voided with its return: nothing returnable") }
            var claimed: [Int: Int64] = [:]
            for spec in filing.items {
                let line = try matchLine(order, spec)
                claimed[line, default: 0] += spec.quantity
                let orderLine = order.lines[line]
                guard claimed[line]! <= orderLine.returnable else {
                    throw DomainError(.EXCEEDS, "\(spec.sku): \(claimed[line]!) asked, \(orderLine.returnable) of \(orderLine.quantity) returnable"
                                      + " (\(orderLine.returned) returned, \(orderLine.pending) pending)")
                }
                let worth = try returnedWorth(spec.quantity, line: line, of: order, filing: items)
                guard let sum = amount.adding(worth.amount), let taxSum = tax.adding(worth.tax) else { throw .overflow }
                amount = sum
                tax = taxSum
                var item = ReturnItem(sku: spec.sku, quantity: spec.quantity, batch: orderLine.batch,
                                      price: orderLine.price, line: line, amount: worth.amount)
                item.taxRate = orderLine.taxRate
                item.tax = worth.tax
                item.serials = spec.serials
                items.append(item)
            }
        } else if kind == .purchase {
            // A supplier return without an order: unit cost at filing, batches allowed, no window or quantity check.
            for spec in filing.items {
                guard let cost = unitCost(spec.sku).times(spec.quantity), let sum = amount.adding(cost) else { throw .overflow }
                amount = sum
                var item = ReturnItem(sku: spec.sku, quantity: spec.quantity, batch: spec.batch, price: unitCost(spec.sku), line: 0,
                                      amount: cost)
                item.serials = spec.serials
                items.append(item)
            }
        } else {
            // Without a receipt: today's catalogue price and tax rate, no batch, no window or quantity check.
            for spec in filing.items {
                guard let product = products[spec.sku] else { throw .notFound("sku", spec.sku) }
                var priced = OrderLine(sku: spec.sku, quantity: spec.quantity, price: product.price, batch: "")
                guard let itemAmount = priced.taxed(at: product.tax, included: policy.taxIncluded), let sum = amount.adding(itemAmount),
                      let taxSum = tax.adding(priced.tax) else {
                    throw .overflow
                }
                amount = sum
                tax = taxSum
                var item = ReturnItem(sku: spec.sku, quantity: spec.quantity, batch: "", price: product.price, line: 0,
                                      amount: itemAmount)
                item.taxRate = product.tax
                item.tax = priced.tax
                item.serials = spec.serials
                items.append(item)
            }
        }
        // SERIAL, after EXCEEDS and before FINAL_SALE.
        if items.contains(where: { !$0.serials.isEmpty }) { try checkFiledSerials(items, kind: kind, order: order) }
        var waivers = kind == .sale ? try checkItemRules(items, sold: order, taken: taken, override: filing.override) : []
        // Section 23: an archived order takes nothing back, whatever the window or an override says.
        if let order, let archive = archive(ofOrder: order.id) {
            throw DomainError(.EXPIRED, "order \(order.id) is archived in \(archive.name): nothing on it can be returned")
        }
        if kind == .sale, !party.isEmpty, overCustomerLimit(party, at: taken) {
            guard filing.override else {
                throw DomainError(.OVER_LIMIT, "\(party) has filed \(policy.customerReturns) or more returns in the last"
                                  + " \(policy.customerDays) days; a supervisor may file it with override=yes")
            }
            waivers.insert(.limit)
        }
        var request = ReturnRequest(
            number: returns.count + 1, kind: kind, order: order?.id ?? "", party: party, location: location,
            items: items, amount: amount, reason: filing.reason, note: filing.note, key: filing.key ?? "",
            filedBy: context.user, filedAt: context.now, state: .pending)
        request.tax = tax
        request.exchange = exchange
        request.exchangeText = filing.exchangeText
        request.waivers = waivers
        request.override = !waivers.isEmpty
        request.till = filing.till ?? ""
        request.takenAt = filing.takenAt
        if kind == .purchase, filing.namesSupplierTerms {
            request.supplier = SupplierTerms(filedRma: filing.rma ?? "", source: filing.source ?? .on_hand,
                                             expected: filing.expected ?? amount)
        }
        request.flow = flow(for: request)
        // Never approved unseen: a customer's return without a receipt, or one filed over the customer's limit.
        if (request.noReceipt && kind == .sale) || request.override { request.flow.auto = false }
        let filed = Event.returnFiled(request)
        if request.flow.auto, let auto = try? approve(request, order: order, ApprovalRequest(id: request.id),
                                                          as: systemContext(context)) {
            // Filed and approved in one record: the return is never pending, so nobody is told of it.
            // Refused for its till or tenders, it stays pending for a supervisor, as for stock.
            let audit = auditEvent("APPROVE", target: request.id, outcome: "ok", systemContext(context), after: 1)
            return Decision(events: [filed, .returnApproved(auto.approval)] + auto.credit + [audit],
                            reply: autoApprovedReply(request, auto))
        }
        if request.override {
            // The override is its own line in the audit trail, after the RETURN's.
            return Decision(events: [filed, auditEvent("OVERRIDE", target: request.id, outcome: "ok", context, after: 1)],
                            reply: filedReply(request))
        }
        return Decision(events: [filed], reply: filedReply(request))
    }

    /// Replacement goods priced as SALE prices them: the catalogue unless `@PRICE`, taxed at the
    /// SKU's rate as the policy says now. (Its SKUs were found and its serial counts checked
    /// before DENIED, in `decideFiling`.)
    func priceExchange(_ specs: [ItemSpec]) throws(DomainError) -> [OrderLine] {
        var lines: [OrderLine] = []
        for spec in specs {
            guard let product = products[spec.sku] else { throw .notFound("sku", spec.sku) }
            var line = OrderLine(sku: spec.sku, quantity: spec.quantity, price: spec.price ?? product.price, batch: spec.batch)
            line.serials = spec.serials
            guard line.taxed(at: product.tax, included: policy.taxIncluded) != nil else { throw .overflow }
            lines.append(line)
        }
        guard OrderLine.total(lines) != nil else { throw .overflow }  // checked now, added up at approval
        return lines
    }

    /// What q units of an order's line give back (protocol.md, Tax): worth(u + q) − G and
    /// tax(u + q) − H, u the units standing returns (not rejected, cancelled or voided) hold of the line (those filed
    /// before and the items of this filing so far) worth G with tax H. A line without tax or
    /// discount (every line before section 20): q × price, no walk over earlier returns.
    func returnedWorth(_ q: Int64, line index: Int, of order: Order,
                       filing items: [ReturnItem]) throws(DomainError) -> (amount: Money, tax: Money) {
        let line = order.lines[index]
        if line.plain {
            guard let amount = line.price.times(q) else { throw .overflow }
            return (amount, .zero)
        }
        var units = line.returned + line.pending
        var held: (amount: Int64, tax: Int64) = (0, 0)
        // Archived returns read back together (section 23).
        for r in try filedReturns(order.returnNumbers.filter { state(ofReturn: $0).stands }) {
            for item in r.items where item.line == index {
                held.amount += item.amount.minor
                held.tax += item.tax.minor
            }
        }
        for item in items where item.line == index {
            units += item.quantity
            held.amount += item.amount.minor
            held.tax += item.tax.minor
        }
        let worth = TaxRule.returned(q, of: line, holding: units, worth: held)
        return (Money(minor: worth.amount), Money(minor: worth.tax))
    }

    /// Whether a customer has `customer_returns` or more returns filed within the last
    /// `customer_days` × 24 hours (a return filed exactly that long ago is outside), rejected,
    /// cancelled and voided ones not counted. Walks the customer's returns from the newest, so it costs the
    /// window, not the history.
    func overCustomerLimit(_ party: String, at now: Timestamp) -> Bool {
        guard policy.limitsCustomers, let numbers = returnsByParty[party] else { return false }
        let since = now.seconds - policy.customerDays * Timestamp.secondsPerDay
        var counted: Int64 = 0
        let sinceDay = policy.calendar.day(of: Timestamp(seconds: since))
        for number in numbers.reversed() {
            // An archived return counts toward no limit (section 23); one that left memory is
            // passed on its LIST row, and its filing date before the window's ends the walk.
            guard returns.isHeld(number - 1) else {
                if Int64(listIndex.rows[number - 1].day) < sinceDay { break }
                continue
            }
            let r = returns[number - 1]
            // Filed in order, and taken no later than filed: nothing older can count.
            guard r.filedAt.seconds > since else { break }
            // Archived returns count toward no limit (section 23).
            if !r.state.stands || (r.takenAt ?? r.filedAt).seconds <= since || archive(ofReturn: number) != nil { continue }
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
    /// The order's lines of the item's SKU (and batch, when named); NOT_FOUND when it has none.
    func linesOnOrder(_ order: Order, _ spec: ItemSpec) throws(DomainError) -> [Int] {
        let candidates = order.lines.indices.filter { order.lines[$0].sku == spec.sku }
        guard !candidates.isEmpty else { throw DomainError(.NOT_FOUND, "\(spec.sku) is not on order \(order.id)") }
        guard !spec.batch.isEmpty else { return candidates }
        guard let line = candidates.first(where: { order.lines[$0].batch == spec.batch }) else {
            throw DomainError(.NOT_FOUND, "\(spec.sku) batch \(spec.batch) is not on order \(order.id)")
        }
        return [line]
    }

    func matchLine(_ order: Order, _ spec: ItemSpec) throws(DomainError) -> Int {
        let candidates = try linesOnOrder(order, spec)
        if !spec.batch.isEmpty { return candidates[0] }
        // Serials name their line: the one that recorded the first of them.
        if let first = spec.serials.first, let line = candidates.first(where: { order.lines[$0].serials.contains(first) }) { return line }
        let batches = Set(candidates.map { order.lines[$0].batch })
        guard batches.count == 1 else {
            throw .invalid("\(spec.sku) was sold in batches \(batches.sorted().joined(separator: ",")); name one with #BATCH")
        }
        // Several lines of one SKU and batch: take the first with units left.
        return candidates.first { order.lines[$0].returnable >= spec.quantity } ?? candidates[0]
    }

    func sameFiling(_ request: ReturnRequest, _ filing: ReturnFiling) -> Bool {
        let sameOrder = filing.noReceipt ? request.noReceipt && request.party == (filing.customer ?? filing.supplier)
                                         : request.order == filing.order
        guard sameOrder, request.reason == filing.reason, request.note == filing.note,
              request.filedRma == (filing.rma ?? ""), request.source == (filing.source ?? .on_hand),
              (filing.expected ?? request.amount) == request.expected,
              Ledger.sameExchangeText(request.exchangeText, filing.exchangeText),
              filing.location == nil || filing.location == request.location,
              request.items.count == filing.items.count else { return false }
        return zip(request.items, filing.items).allSatisfy {
            $0.sku == $1.sku && $0.quantity == $1.quantity && ($1.batch.isEmpty || $0.batch == $1.batch)
                && Ledger.sameSerials($0.serials, $1.serials)
        }
    }
}
