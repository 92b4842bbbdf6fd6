extension Ledger {
    /// Answers a read-only command from the state, for the acting user in `context` (what a user
    /// may see is decided here, as what it may change is decided in `decide`).
    public func query(_ command: Command, _ context: Context) throws(DomainError) -> Reply {
        switch command {
        case .userList:
            return Reply(lines: users.values.sorted { $0.name < $1.name }.map {
                [Field("user", $0.name), Field("role", $0.role.rawValue), Field("enabled", $0.enabled ? "yes" : "no"),
                 Field("locations", $0.locations.text),
                 Field("locked_until", lockedUntil[$0.name].flatMap { $0 > context.now ? $0.description : nil } ?? "")]
            })
        case .locationList:
            return Reply(lines: locations.values.sorted { $0.code < $1.code }.map {
                [Field("code", $0.code), Field("name", $0.name), Field("kind", $0.kind.rawValue)]
            })
        case .skuList:
            return Reply(lines: products.values.sorted { $0.sku < $1.sku }.map {
                [Field("sku", $0.sku), Field("name", $0.name), Field("price", $0.price.description),
                 Field("cost", $0.cost.description), Field("inspect", $0.inspect ? "yes" : "no")]
            })
        case .partyList(let kind):
            return Reply(lines: parties.values.filter { kind == nil || $0.kind == kind }.sorted { $0.id < $1.id }.map {
                [Field("id", $0.id), Field("kind", $0.kind.rawValue), Field("name", $0.name),
                 Field("balance", (balances[$0.id] ?? .zero).description)]
            })
        case .reasonList:
            return Reply(lines: reasons.values.sorted { $0.code < $1.code }.map {
                [Field("code", $0.code), Field("label", $0.label)]
            })
        case .policyShow:
            return Reply(status: [Field("window_days", String(policy.windowDays))])
        case .ruleList:
            return ruleList()
        case .show(let id):
            let request = try scopedReturn(id, context)
            let items = request.items.map(itemFields)
            let history = request.events.map {
                [Field.word("event"), Field("at", $0.at.description), Field("user", $0.user), Field("action", $0.action),
                 Field("note", $0.note)]
            }
            return Reply(status: summary(request) + [Field("rules", request.flow.rules.joined(separator: ","))],
                         lines: items + history)
        case .list(let filter):
            try checkScopeFilter(filter.location, context)
            return list(filter, context.scope)
        case .doc(let number):
            guard let n = documents[number] else { throw .notFound("document", number) }
            let r = returns[n - 1]
            try checkScope(r.location, context, number)
            return Reply(
                status: [Field("doc", r.doc), Field("date", r.approvedAt?.day.description ?? ""), Field("return", r.id),
                         Field("kind", r.kind.rawValue), Field("party", r.party), Field("order", r.order),
                         Field("location", r.location), Field("amount", r.amount.description),
                         Field("reason", r.reason), Field("filed_by", r.filedBy), Field("approved_by", r.approvedBy)],
                lines: r.items.map(itemFields))
        case .notices(let party, let from):
            if let party, parties[party] == nil { throw .notFound("party", party) }
            let start = from?.startOfDay ?? Timestamp(seconds: .min)
            return Reply(lines: notices.filter { (party == nil || $0.party == party) && $0.at >= start }.map {
                [Field("id", $0.id), Field("at", $0.at.description), Field("party", $0.party),
                 Field("kind", $0.kind.rawValue), Field("doc", $0.doc), Field("amount", $0.amount.description),
                 Field("text", $0.text)]
            })
        case .stock(let sku, let location):
            return try stockReply(sku: sku, location: location)
        case .balance(let party):
            return try balanceReply(party)
        case .stats(let query):
            try checkScopeFilter(query.location, context)
            return stats(query, context.scope)
        case .audit(let user, let from, let limit):
            return auditReply(user: user, from: from, limit: limit)
        default:
            throw DomainError(.INTERNAL, "not a query")
        }
    }

    /// Item lines as the first field says: `* item sku= qty= batch= price= amount=`.
    private func itemFields(_ item: ReturnItem) -> [Field] {
        [Field.word("item"), Field("sku", item.sku), Field("qty", String(item.quantity)), Field("batch", item.batch),
         Field("price", item.price.description), Field("amount", item.amount.description)]
    }

    /// The fields LIST prints per return and SHOW prints on its status line.
    func summary(_ r: ReturnRequest) -> [Field] {
        [Field("id", r.id), Field("state", r.state.rawValue), Field("kind", r.kind.rawValue), Field("order", r.order),
         Field("party", r.party), Field("location", r.location), Field("amount", r.amount.description),
         Field("reason", r.reason), Field("filed_by", r.filedBy), Field("filed_at", r.filedAt.description),
         Field("doc", r.doc)]
    }

    /// `count=` the lines shown (newest first, up to `limit`), `total=` every return that matches.
    /// Without a filter or a scope the total is the number of returns and the walk stops at the
    /// limit; with one it walks them all (as a filter matching fewer than `limit` always did) to
    /// count them: LIST runs off the writer queue, on a copy of the state.
    private func list(_ filter: ReturnFilter, _ scope: Scope) -> Reply {
        var lines: [[Field]] = []
        var total = 0
        let unfiltered = scope == .everywhere && filter.state == nil && filter.kind == nil && filter.location == nil
            && filter.from == nil && filter.to == nil
        for request in returns.reversed() {
            if unfiltered, lines.count >= filter.limit { total = returns.count; break }
            if !scope.contains(request.location) { continue }
            if let state = filter.state, request.state != state { continue }
            if let kind = filter.kind, request.kind != kind { continue }
            if let location = filter.location, request.location != location { continue }
            let day = request.filedAt.day
            if let from = filter.from, day < from { continue }
            if let to = filter.to, day > to { continue }
            total += 1
            if lines.count < filter.limit { lines.append(summary(request)) }
        }
        return Reply(status: [Field("count", String(lines.count)), Field("total", String(total))], lines: lines)
    }

    private func stockReply(sku: String?, location: String?) throws(DomainError) -> Reply {
        if let location, locations[location] == nil { throw .notFound("location", location) }
        var rows: [(sku: String, slot: StockSlot, level: StockLevel)] = []
        if let sku {
            guard products[sku] != nil else { throw .notFound("sku", sku) }
            for (slot, level) in stock[sku] ?? [:] where location == nil || slot.location == location {
                rows.append((sku, slot, level))
            }
        } else if let location {
            for (sku, slots) in stock {
                for (slot, level) in slots where slot.location == location { rows.append((sku, slot, level)) }
            }
        }
        rows.sort { ($0.sku, $0.slot) < ($1.sku, $1.slot) }
        var onHand: Int64 = 0, quarantine: Int64 = 0
        let lines: [[Field]] = rows.map { row in
            onHand += row.level.onHand
            quarantine += row.level.quarantine
            var fields = [Field("sku", row.sku), Field("location", row.slot.location),
                          Field("on_hand", String(row.level.onHand)), Field("quarantine", String(row.level.quarantine))]
            if !row.slot.batch.isEmpty { fields.append(Field("batch", row.slot.batch)) }
            return fields
        }
        let head = sku.map { Field("sku", $0) } ?? Field("location", location ?? "")
        return Reply(status: [head, Field("on_hand", String(onHand)), Field("quarantine", String(quarantine))],
                     lines: lines)
    }

    private func balanceReply(_ party: String?) throws(DomainError) -> Reply {
        guard let party else {
            var receivable: Int64 = 0, payable: Int64 = 0
            for balance in balances.values {
                if balance.minor > 0 { receivable += balance.minor } else { payable -= balance.minor }
            }
            return Reply(status: [Field("receivable", Money(minor: receivable).description),
                                  Field("payable", Money(minor: payable).description)])
        }
        guard let known = parties[party] else { throw .notFound("party", party) }
        let lines = (entries[party] ?? []).map {
            [Field("at", $0.at.description), Field("kind", $0.kind.rawValue), Field("doc", $0.doc),
             Field("amount", $0.amount.description), Field("balance", $0.balance.description)]
        }
        return Reply(status: [Field("party", party), Field("kind", known.kind.rawValue),
                              Field("balance", (balances[party] ?? .zero).description)], lines: lines)
    }

    private func auditReply(user: String?, from: Timestamp?, limit: Int) -> Reply {
        let matching = audit.lazy.filter { (user == nil || $0.user == user) && (from == nil || $0.at >= from!) }
        // With from=: the first page from then on; without: the newest entries. Oldest first either way.
        let page = from == nil ? Array(matching.suffix(limit)) : Array(matching.prefix(limit))
        return Reply(status: [Field("count", String(page.count))], lines: page.map {
            [Field("seq", String($0.seq)), Field("at", $0.at.description), Field("user", $0.user),
             Field("peer", $0.peer), Field("command", $0.command), Field("target", $0.target),
             Field("outcome", $0.outcome)]
        })
    }
}
