extension Ledger {
    /// Answers a read from the state, for the acting user in `context` (what a user may see is
    /// decided here, as what it may change is decided in `decide`).
    /// Records that left memory for their archives (section 23) are read back through
    /// `archiveReach`; with none, a read that needs one is `ERR ARCHIVE`.
    public func query(_ query: Query, _ context: Context) throws(DomainError) -> Reply {
        let archived = archiveReach.source
        switch query {
        case .userList:
            return Reply(lines: users.values.sorted { $0.name < $1.name }.map {
                [Field("user", $0.name), Field("role", $0.role.rawValue), Field("enabled", $0.enabled ? "yes" : "no"),
                 Field("locations", $0.locations.text),
                 Field("locked_until", lockedUntil[$0.name].flatMap { $0 > context.now ? $0.description : nil } ?? "")]
            })
        case .locationList:
            return Reply(lines: locations.values.sorted { $0.code < $1.code }.map(\.fields))
        case .skuList:
            return Reply(lines: products.values.sorted { $0.sku < $1.sku }.map(\.fields))
        case .categoryList:
            return Reply(lines: categories.values.sorted { $0.code < $1.code }.map(\.fields))
        case .partyList(let kind):
            return Reply(lines: parties.values.filter { kind == nil || $0.kind == kind }.sorted { $0.id < $1.id }.map {
                [Field("id", $0.id), Field("kind", $0.kind.rawValue), Field("name", $0.name),
                 Field("balance", (balances[$0.id] ?? .zero).description),
                 Field("rma_required", $0.kind == .supplier ? ($0.rmaRequired ? "yes" : "no") : "")]
            })
        case .reasonList:
            return Reply(lines: reasons.values.sorted { $0.code < $1.code }.map(\.fields))
        case .policyShow:
            return Reply(status: policy.fields)
        case .ruleList:
            return ruleList()
        case .show(let id):
            let request = try scopedReturn(id, context)
            // SHOW's items end with the rate and tax their lines recorded (protocol.md, Tax).
            // Section 21: the serials and the units still in quarantine per item; a line per decision.
            let inQuarantine = request.itemsInQuarantine
            let items = request.items.indices.map { i in
                let item = request.items[i]
                return itemFields(item) + [Field("tax_rate", item.taxRate.description), Field("tax", item.tax.description),
                                           Field("serials", item.serials.joined(separator: ",")), Field("quarantine", String(inQuarantine[i]))]
            }
            let history = request.events.map {
                [Field.word("event"), Field("at", $0.at.description), Field("user", $0.user), Field("action", $0.action),
                 Field("note", $0.note)]
            }
            let disposed = request.disposals.map {
                [Field.word("disposed"), Field("sku", $0.sku), Field("batch", $0.batch), Field("qty", String($0.quantity)),
                 Field("disposition", $0.disposition.rawValue), Field("to_sku", $0.toSku), Field("serials", $0.serials.joined(separator: ",")),
                 Field("value", $0.value.description), Field("at", $0.at.description), Field("user", $0.by)]
            }
            let supplier = request.kind == .purchase
            let credit = request.supplier?.credit
            return Reply(status: summary(request) + [Field("rules", request.flow.rules.joined(separator: ",")),
                                                     Field("exchange", request.exchangeText),
                                                     Field("override", request.override ? "yes" : "no"),
                                                     // Tills and offline returns, tax; void stays "" until VOID exists.
                                                     Field("late", request.late ? "yes" : "no"),
                                                     Field("taken_at", (request.takenAt ?? request.filedAt).description),
                                                     Field("till", request.till), Field("tax", request.tax.description), Field("void", voids[request.number]?.doc ?? ""),
                                                     Field("tender_override", request.tenderOverride ? "yes" : "no"),
                                                     Field("rma", request.rma), Field("source", supplier ? request.source.rawValue : ""),
                                                     Field("expected", supplier ? request.expected.description : ""),
                                                     Field("received", credit?.amount.description ?? ""),
                                                     Field("credit_ref", credit?.ref ?? ""),
                                                     // What an override waived (protocol.md, Return policy per product).
                                                     Field("overridden", request.overriddenText),
                                                     // Section 23: the archive holding it ("" while live).
                                                     archiveField(ofReturn: request.number)],
                         lines: items + history + disposed)
        case .order(let id):
            return try orderReply(id)
        case .list(let filter):
            try checkScopeFilter(filter.location, context)
            return try list(filter, context.scope)
        case .doc(let number):
            guard let n = documents[number] else { throw .notFound("document", number) }
            try checkScope(location(ofReturn: n), context, number)
            let r = try filedReturn(n)
            // Everything a printed slip needs, names included; an exchange adds its sale and
            // difference and one `* exchange` line per replacement item.
            let named = { (fields: [Field], sku: String) in fields + [Field("name", self.products[sku]?.name ?? "")] }
            // A void's document repeats the voided one's values under its own header.
            let (header, hash) = documentRecord(number, of: r)
            return Reply(
                status: [Field("doc", header.doc),
                         Field("date", Self.documentDay(header.doc).map { CivilDate(daysSinceEpoch: $0).description } ?? ""),
                         Field("return", r.id), Field("kind", r.kind.rawValue), Field("party", r.party), Field("order", r.order),
                         Field("location", r.location), Field("amount", r.amount.description),
                         Field("reason", header.reason), Field("filed_by", header.filedBy), Field("approved_by", header.approvedBy),
                         Field("fee", r.fee.description), Field("net", r.net.description),
                         Field("party_name", parties[r.party]?.name ?? ""), Field("location_name", locations[r.location]?.name ?? ""),
                         Field("exchange_order", r.exchangeOrder), Field("due", r.exchange.isEmpty ? "" : r.due.description),
                         // Sections 19-20: tax, the refund's parts and a due's tenders, and the chain.
                         Field("tax", r.tax.description), Field("fee_tax", r.feeTax.description),
                         Field("net_tax", r.netTax.description), Field("refund", header.refund), Field("tender", header.tender),
                         Field("doc_type", header.type), Field("voids", header.voids),
                         Field("voided", header.type == "return" ? voids[n]?.doc ?? "" : ""), Field("hash", hash.description),
                         Field("prev", try previousHash(number).description),
                         // Section 21: a supplier return's RMA and the credit it expects.
                         Field("rma", r.rma), Field("expected", r.kind == .purchase ? r.expected.description : ""),
                         archiveField(ofReturn: r.number)],
                // Section 22: each item's and replacement's serials (not part of the hashed canonical text).
                lines: r.items.map { named(itemFields($0), $0.sku) + [Field("tax_rate", $0.taxRate.description), Field("tax", $0.tax.description),
                                                                   Field("serials", $0.serials.joined(separator: ","))] }
                    + r.exchange.map { named(orderLineFields($0, word: "exchange"), $0.sku)
                        + [Field("tax_rate", $0.taxRate.description), Field("tax", $0.tax.description),
                           Field("serials", $0.serials.joined(separator: ","))] })
        case .notices(let party, let from):
            if let party, parties[party] == nil { throw .notFound("party", party) }
            var lines: [[Field]] = []
            var filed = FiledReturns()  // debit notes' archived returns, read back a block at a time
            for n in try noticesMatching(party: party, from: from, archived) {
                lines.append([Field("id", n.id), Field("at", n.at.description), Field("party", n.party),
                              Field("kind", n.kind.rawValue), Field("doc", n.doc), Field("amount", n.amount.description),
                              Field("text", try noticeText(n, &filed))])
            }
            return Reply(lines: lines)
        case .transfer(let id):
            return try transferShow(id)
        case .stock(let sku, let location, let serials):
            var reply = try stockReply(sku: sku, location: location)
            if serials { reply.lines += serialLines(sku: sku, location: location) }
            return reply
        case .stockSupplier(let party, let location):
            return try supplierStockReply(party, location: location)
        case .balance(let party):
            return try balanceReply(party, at: context.now)
        case .stats(let query):
            try checkScopeFilter(query.location, context)
            return try stats(query, context.scope)
        case .audit(let user, let from, let after, let limit):
            return try auditReply(user: user, from: from, after: after, limit: limit, archived)
        case .tillShow(let till, let session):
            return try tillShow(till: till, session: session, context)
        case .tillList(let location, let date, let state, let limit):
            return try tillList(location: location, date: date, state: state, limit: limit, context)
        case .credit(let party):
            return try creditReply(party, at: context.now)
        case .verify(let from):
            return try verifyReply(from: from)
        case .periodShow:
            return periodShowReply()
        case .periodZ(let date, let location):
            return try periodZReply(date, location: location, context)
        }
    }

    /// NOTICES' notices, by number: those in memory, and those that left it for their archives read
    /// back (a party's through each archive's party index, everyone's a chunk at a time).
    private func noticesMatching(party: String?, from: CivilDate?, _ archived: (any ArchivedRecords)?) throws(DomainError) -> [Notice] {
        let start = from?.daysSinceEpoch ?? .min
        func admits(_ n: Notice) -> Bool { (party == nil || n.party == party) && policy.calendar.day(of: n.at) >= start }
        let size = ChunkedArray<Notice>.elementsPerChunk
        // Notices numbered within released chunks (number = position + 1).
        let released = notices.releasedChunks.runs.map { $0.lowerBound * size + 1...($0.upperBound + 1) * size }
        var ofParty: [Int: Notice]?
        if let party, !released.isEmpty {
            var byNumber: [Int: Notice] = [:]
            // Only archives whose notices left memory, and that hold some on or after `from=`.
            for archive in archives where archive.through.daysSinceEpoch >= start && released.contains(where: archive.taken.notices.overlaps) {
                guard let archived else { throw DomainError(.ARCHIVE, "\(party)'s notices are archived and this read cannot reach archives") }
                for n in try archived.notices(of: party, in: archive) { byNumber[n.number] = n }
            }
            ofParty = byNumber
        }
        var out: [Notice] = []
        var i = 0
        while i < notices.count {
            if notices.isHeld(i) {
                if admits(notices[i]) { out.append(notices[i]) }
                i += 1
                continue
            }
            let end = Swift.min(i / size * size + size, notices.count)
            if let ofParty {
                for p in i..<end { if let n = ofParty[p + 1], admits(n) { out.append(n) } }
            } else if newestDay(ofReleased: i + 1...end, taken: \.notices) >= start {  // else all before `from=`: unread
                out += try noticeChunk(holding: i, archived).filter(admits)
            }
            i = end
        }
        return out
    }

    /// A notice's text; a debit note names the supplier's RMA when the return has one.
    private func noticeText(_ notice: Notice, _ filed: inout FiledReturns) throws(DomainError) -> String {
        guard notice.kind == .debit_note, notice.returnNumber >= 1, notice.returnNumber <= returns.count else { return notice.text }
        let rma = try filed.at(notice.returnNumber, of: self).rma
        return rma.isEmpty ? notice.text : notice.text + " (RMA \(rma))"
    }

    /// Item lines as the first field says: `* item sku= qty= batch= price= amount=`.
    private func itemFields(_ item: ReturnItem) -> [Field] {
        [Field.word("item"), Field("sku", item.sku), Field("qty", String(item.quantity)), Field("batch", item.batch),
         Field("price", item.price.description), Field("amount", item.amount.description)]
    }

    /// `* exchange sku= qty= batch= price= amount=`, as an order line is priced.
    private func orderLineFields(_ line: OrderLine, word: String) -> [Field] {
        [Field.word(word), Field("sku", line.sku), Field("qty", String(line.quantity)), Field("batch", line.batch),
         Field("price", line.price.description), Field("amount", line.amount.description)]
    }

    /// ORDER: each line with what approved returns took back, what open ones hold
    /// and what is left, its amount, discount, tax rate and tax; `returned_amount` gross, before
    /// fees: what approved returns gave back of the lines (plain lines: price × units returned).
    private func orderReply(_ id: String) throws(DomainError) -> Reply {
        guard let order = orders[id] else { throw .notFound("order", id) }
        var returnedAmount: Int64 = 0
        if order.lines.allSatisfy(\.plain) {
            for line in order.lines { returnedAmount += line.price.minor * line.returned }
        } else {
            var filed = FiledReturns()
            for number in order.returnNumbers where state(ofReturn: number).isApproved {
                for item in try filed.at(number, of: self).items { returnedAmount += item.amount.minor }
            }
        }
        let sale = order.kind == .sale
        var lines: [[Field]] = []
        for index in order.lines.indices {
            let line = order.lines[index]
            // Serials (those returned: by approved returns that stand), and a sale line's rule under today's settings (protocol.md, ORDER).
            let returnedSerials = line.serials.isEmpty ? [] : try returnedSerials(order, line: index)
            let rule = sale ? itemRule(line.sku) : nil
            let until = rule.map { Timestamp(seconds: order.at.seconds + $0.returnDays * Timestamp.secondsPerDay).description }
            lines.append([Field.word("line"), Field("sku", line.sku), Field("qty", String(line.quantity)), Field("batch", line.batch),
             Field("price", line.price.description), Field("returned", String(line.returned)),
             Field("pending", String(line.pending)), Field("returnable", String(line.returnable)),
             Field("amount", line.amount.description), Field("discount", line.discount.description),
             Field("tax_rate", line.taxRate.description), Field("tax", line.tax.description),
             Field("serials", line.serials.joined(separator: ",")), Field("returned_serials", returnedSerials.joined(separator: ",")),
             Field("return_until", until ?? ""),
             Field("final_sale", rule.map { $0.finalSale ? "yes" : "no" } ?? "")])
        }
        return Reply(status: [Field("order", order.id), Field("kind", order.kind.rawValue), Field("location", order.location),
                              Field("party", order.party), Field("at", order.at.description),
                              Field("total", order.total.description),
                              Field("returned_amount", Money(minor: returnedAmount).description),
                              Field("status", order.status),
                              Field("discount", order.discount.description), Field("tax", order.tax.description),
                              Field("tender", Tender.text(order.tenders)),
                              Field("archive", archive(ofOrder: order.id)?.name ?? "")],
                     lines: lines)
    }

    /// The fields LIST prints per return and SHOW prints on its status line.
    func summary(_ r: ReturnRequest, room extra: Int = 0) -> [Field] {
        // One array with room for what the caller adds (`summary + [...]` made a second one and
        // grew it: a LIST page spent ~1.3k instructions a row on that, callgrind).
        var fields: [Field] = []
        fields.reserveCapacity(11 + extra)
        fields.append(Field("id", r.id)); fields.append(Field("state", r.state.rawValue))
        fields.append(Field("kind", r.kind.rawValue)); fields.append(Field("order", r.order))
        fields.append(Field("party", r.party)); fields.append(Field("location", r.location))
        fields.append(Field("amount", r.amount.description)); fields.append(Field("reason", r.reason))
        fields.append(Field("filed_by", r.filedBy)); fields.append(Field("filed_at", r.filedAt.description))
        fields.append(Field("doc", r.doc))
        return fields
    }

    /// `count=` the lines shown (newest first, up to `limit`), `next=` the last one shown when
    /// another match follows (`""` exactly when none does), `total=` every return that matches
    /// (whatever `before=` says).
    ///
    /// The walk starts where the page does: at `before=`'s position, in one order's or one
    /// party's returns where the filter names one, else in the whole history. The total is the
    /// index's length where the filter is that alone; otherwise the walk goes on to count it.
    /// LIST runs off the writer queue, on a copy of the state, unless it costs its page
    /// (`ReturnFilter.costsThePage`) and reads no return that left memory.
    private func list(_ filter: ReturnFilter, _ scope: Scope) throws(DomainError) -> Reply {
        var end = returns.count + 1  // numbers below this
        if let before = filter.before {
            guard let number = filedNumber(before) else { throw .notFound("return", before) }
            end = number
        }
        // Candidates newest first: the smallest index the filter names.
        let source: [Int]?
        if let order = filter.order {
            source = Array(orders[order]?.returnNumbers ?? [])
        } else if let party = filter.party {
            source = Array(returnsByParty[party] ?? [])
        } else if let state = filter.state, state.isOpen {
            // The review queue: the few open returns, not the history.
            source = openReturns.sorted()
        } else {
            source = nil
        }
        let onlyIndex = scope == .everywhere && filter.state == nil && filter.kind == nil && filter.location == nil
            && filter.from == nil && filter.to == nil && (filter.order == nil || filter.party == nil) && filter.rma == nil
            && filter.serial == nil
        // A return that left memory (section 23) is tested on its LIST row, then, for what rows
        // do not hold, read back a chunk at a time.
        var rowFilter = filter
        (rowFilter.party, rowFilter.order, rowFilter.rma, rowFilter.serial) = (nil, nil, nil, nil)
        let rowMatcher = listIndex.matcher(rowFilter, scope)!
        let fieldsNeeded = filter.party != nil || filter.order != nil || filter.rma != nil || filter.serial != nil
        var filed = FiledReturns()
        var failed: DomainError?
        func archivedMatches(_ number: Int) -> Bool {
            guard rowMatcher.matches(listIndex.rows[number - 1]) else { return false }
            guard fieldsNeeded else { return true }
            let r: ReturnRequest
            do throws(DomainError) { r = try filed.at(number, of: self) } catch {
                failed = failed ?? error
                return false
            }
            if let party = filter.party, r.party != party { return false }
            if let order = filter.order, r.order != order { return false }
            if let rma = filter.rma, r.supplier?.rma != rma { return false }
            if let serial = filter.serial, !r.items.contains(where: { $0.serials.contains(serial) }) { return false }
            return true
        }
        // Field by field through the array's borrow: passing the request itself would copy it
        // (retaining every string and array in it), which was nine tenths of a 1M-return walk.
        func matches(_ number: Int) -> Bool {
            let i = number - 1
            guard returns.isHeld(i) else { return archivedMatches(number) }
            if !scope.contains(returns[i].location) { return false }
            if let state = filter.state, returns[i].state != state { return false }
            if let kind = filter.kind, returns[i].kind != kind { return false }
            if let location = filter.location, returns[i].location != location { return false }
            if let party = filter.party, returns[i].party != party { return false }
            if let order = filter.order, returns[i].order != order { return false }
            if let rma = filter.rma, returns[i].supplier?.rma != rma { return false }
            if let serial = filter.serial, !returns[i].items.contains(where: { $0.serials.contains(serial) }) { return false }
            if filter.from != nil || filter.to != nil {
                let day = policy.calendar.day(of: returns[i].filedAt)
                if let from = filter.from, day < from.daysSinceEpoch { return false }
                if let to = filter.to, day > to.daysSinceEpoch { return false }
            }
            return true
        }
        var lines: [[Field]] = []
        var last = 0
        var more = false
        var walked = 0  // matches seen at or after `end`'s position, for the total
        // A match on the page, or the one after it (false: the page is full).
        func page(_ number: Int) -> Bool {
            if lines.count < filter.limit {
                let r: ReturnRequest
                do throws(DomainError) { r = try filed.at(number, of: self) } catch {
                    failed = failed ?? error
                    return false
                }
                var line = summary(r, room: 3)
                line.append(Field("exchange", r.exchangeText))
                line.append(Field("late", r.late ? "yes" : "no"))
                line.append(archiveField(ofReturn: r.number))
                lines.append(line)
                last = number
                return true
            }
            more = true
            return false
        }
        // The page: matches below `end`, newest first, and whether one more follows.
        func visit(_ number: Int) -> Bool {
            guard matches(number) else { return true }
            walked += 1
            return page(number) || !onlyIndex  // the total still needs counting
        }
        let total: Int
        if source == nil, let matcher = listIndex.matcher(filter, scope) {
            // The whole history by its LIST rows: the page, then the total counted on them.
            listIndex.walk(matcher, below: end, page)
            total = onlyIndex ? returns.count : listIndex.count(matcher)
        } else if let source {
            let start = lowerBound(source, end)
            var i = start - 1
            while i >= 0, visit(source[i]) { i -= 1 }
            if onlyIndex {
                total = source.count
            } else {
                total = walked + source[start...].reduce(0) { $0 + (matches($1) ? 1 : 0) }
            }
        } else {
            var n = end - 1
            while n >= 1, visit(n) { n -= 1 }
            if onlyIndex {
                total = returns.count
            } else {
                var newer = 0
                for number in end..<(returns.count + 1) where matches(number) { newer += 1 }
                total = walked + newer
            }
        }
        if let failed { throw failed }
        return Reply(status: [Field("count", String(lines.count)), Field("next", more ? ReturnRequest.id(last) : ""),
                              Field("total", String(total))], lines: lines)
    }

    /// The first index of an ascending list whose value is not below `value`.
    private func lowerBound(_ sorted: [Int], _ value: Int) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// A STOCK line (and its totals line's figures): `[head] on_hand= quarantine= [batch=] rtv=
    /// refurbish= transit=`, made in one array of its final size (joining arrays, and formatting
    /// the zeros most slots hold, were a quarter of a STOCK request: callgrind).
    static func stockFields(_ first: Field, _ second: Field? = nil, level: StockLevel, batch: String = "") -> [Field] {
        var fields = [Field]()
        fields.reserveCapacity(8)
        fields.append(first)
        if let second { fields.append(second) }
        fields.append(Field("on_hand", units(level.onHand)))
        fields.append(Field("quarantine", units(level.quarantine)))
        if !batch.isEmpty { fields.append(Field("batch", batch)) }
        fields.append(Field("rtv", units(level.rtv)))
        fields.append(Field("refurbish", units(level.refurbish)))
        fields.append(Field("transit", units(level.transit)))
        return fields
    }

    /// A count as text; 0 without formatting it.
    @inline(__always)
    static func units(_ n: Int64) -> String { n == 0 ? "0" : String(n) }

    /// Adds a slot's levels to a total.
    static func add(_ level: StockLevel, to total: inout StockLevel) {
        total.onHand += level.onHand
        total.quarantine += level.quarantine
        total.rtv += level.rtv
        total.refurbish += level.refurbish
        total.transit += level.transit
    }

    /// `STOCK supplier=`: slots of the supplier's SKUs holding goods for it (rtv > 0), and the totals of those slots.
    private func supplierStockReply(_ party: String, location: String?) throws(DomainError) -> Reply {
        guard parties[party]?.kind == .supplier else { throw .notFound("supplier", party) }
        if let location, locations[location] == nil { throw .notFound("location", location) }
        var rows: [(sku: String, slot: StockSlot, level: StockLevel)] = []
        for product in products.values where product.supplier == party {
            for (slot, level) in stock[product.sku] ?? [:] where level.rtv > 0 && (location == nil || slot.location == location) {
                rows.append((product.sku, slot, level))
            }
        }
        return Ledger.stockReply(Field("supplier", party), &rows)
    }

    /// STOCK's reply: a line per slot sorted by SKU, location, batch, and their totals after `head`.
    private static func stockReply(_ head: Field, _ rows: inout [(sku: String, slot: StockSlot, level: StockLevel)]) -> Reply {
        rows.sort { ($0.sku, $0.slot) < ($1.sku, $1.slot) }  // in place: a sorted copy cost an allocation per STOCK
        var total = StockLevel()
        let lines: [[Field]] = rows.map { row in
            Ledger.add(row.level, to: &total)
            return Ledger.stockFields(Field("sku", row.sku), Field("location", row.slot.location), level: row.level, batch: row.slot.batch)
        }
        return Reply(status: Ledger.stockFields(head, level: total), lines: lines)
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
        return Ledger.stockReply(sku.map { Field("sku", $0) } ?? Field("location", location ?? ""), &rows)
    }

    private func balanceReply(_ party: String?, at now: Timestamp) throws(DomainError) -> Reply {
        guard let party else {
            var receivable: Int64 = 0, payable: Int64 = 0
            for balance in balances.values {
                if balance.minor > 0 { receivable += balance.minor } else { payable -= balance.minor }
            }
            return Reply(status: [Field("receivable", Money(minor: receivable).description),
                                  Field("payable", Money(minor: payable).description)])
        }
        guard let known = parties[party] else { throw .notFound("party", party) }
        // In the order of (at, log sequence), the running balance in that order (protocol.md: BALANCE): a
        // sale back-dated with `at=` takes its place in time. Entries are kept in log order, so a
        // stable sort by time is that order; most accounts are already in it.
        // Section 23: archived entries are one first line, their sum brought forward (kept in
        // memory: the entries themselves may have left it); the live ones follow.
        let broughtForward = self.broughtForward[party]
        var rows = liveEntries(party)
        if broughtForward != nil || zip(rows, rows.dropFirst()).contains(where: { $0.at > $1.at }) {
            rows = rows.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
            var running: Int64 = broughtForward?.amount ?? 0
            for i in rows.indices {
                running += rows[i].amount.minor
                rows[i].balance = Money(minor: running)
            }
        }
        var lines = rows.map {
            [Field("at", $0.at.description), Field("kind", $0.kind.rawValue), Field("doc", $0.doc),
             Field("amount", $0.amount.description), Field("balance", $0.balance.description)]
        }
        if let broughtForward {
            let amount = Money(minor: broughtForward.amount).description
            lines.insert([Field("at", broughtForward.at.description), Field("kind", "brought_forward"), Field("doc", ""),
                          Field("amount", amount), Field("balance", amount)], at: 0)
        }
        return Reply(status: [Field("party", party), Field("kind", known.kind.rawValue),
                              Field("balance", (balances[party] ?? .zero).description),
                              Field("credit", known.kind == .customer ? availableCredit(party, at: now).description : "")], lines: lines)
    }

    /// Without `after=` or `from=`: the newest entries; with either, the first page from there
    /// on. Oldest first either way; `next=` is the last seq listed while a further matching
    /// entry exists, `""` exactly when none does. An entry's seq is its place in the trail.
    /// Entries archived (section 23) are read back a chunk at a time when the walk reaches them.
    private func auditReply(user: String?, from: TimeBound?, after: Int?, limit: Int,
                            _ archived: (any ArchivedRecords)?) throws(DomainError) -> Reply {
        // Read through one reader: an entry is made only when it is listed.
        let trail = audit.reader()
        // A released chunk read back (entries nil: it holds nothing on or after `from`, unread).
        var chunk: (first: Int, entries: [AuditEntry]?)?
        let fromDay = from?.firstDay(policy.calendar)
        /// The entry at `i` when it matches, made (or read back) only then.
        func match(_ i: Int) throws(DomainError) -> AuditEntry? {
            if trail.isHeld(i) {
                guard user.map({ trail.isBy($0, i) }) ?? true, from?.admits(trail.at(i), policy.calendar) ?? true else { return nil }
                return trail[i]
            }
            let size = AuditLog.entriesPerChunk, first = i / size * size
            if chunk?.first != first {
                let before = fromDay.map { newestDay(ofReleased: first...first + size - 1, taken: \.audit) < $0 } ?? false
                chunk = (first, before ? nil : try auditChunk(holding: i, archived))
            }
            guard let entries = chunk!.entries else { return nil }
            let entry = entries[i - first]
            guard user.map({ entry.user == $0 }) ?? true, from?.admits(entry.at, policy.calendar) ?? true else { return nil }
            return entry
        }
        var page: [AuditEntry] = []
        var more = false
        if after == nil, from == nil {
            var i = trail.count - 1
            while i >= 0, page.count < limit {
                if let entry = try match(i) { page.append(entry) }
                i -= 1
            }
            page.reverse()
        } else {
            var i = min(max(after ?? 0, 0), trail.count)
            while i < trail.count {
                if let entry = try match(i) {
                    if page.count == limit { more = true; break }
                    page.append(entry)
                }
                i += 1
            }
        }
        return Reply(status: [Field("count", String(page.count)),
                              Field("next", more ? String(page.last!.seq) : "")], lines: page.map {
            [Field("seq", String($0.seq)), Field("at", $0.at.description), Field("user", $0.user),
             Field("peer", $0.peer), Field("command", $0.command), Field("target", $0.target),
             Field("outcome", $0.outcome)]
        })
    }
}

extension Ledger {
    /// CREDIT: a customer's lots, oldest first, and what is available now.
    func creditReply(_ party: String, at now: Timestamp) throws(DomainError) -> Reply {
        guard parties[party]?.kind == .customer else { throw .notFound("customer", party) }
        // Section 23: archived lots (spent, voided or written off) are left out; the OK line is unchanged.
        let archived = archivedLots(party)
        let lots = (creditLots[party] ?? []).filter { !archived.contains($0.id) }
        var expired: Int64 = 0
        let lines = lots.map { lot in
            if !lot.voided, !lot.writtenOff, lot.isExpired(at: now) { expired += lot.remaining.minor }
            return [Field("lot", lot.id), Field("at", lot.at.description), Field("amount", lot.amount.description),
                    Field("remaining", lot.remaining.description), Field("expires", lot.expires?.description ?? ""),
                    Field("state", lot.state(at: now))]
        }
        return Reply(status: [Field("party", party), Field("available", availableCredit(party, at: now).description),
                              Field("expired", Money(minor: expired).description),
                              Field("balance", (balances[party] ?? .zero).description)], lines: lines)
    }
}
