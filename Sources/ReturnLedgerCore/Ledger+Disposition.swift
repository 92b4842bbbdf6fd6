/// INSPECT and DISPOSE (protocol.md, Disposition): decisions on units held in quarantine (a
/// return's), or in rtv or refurbish (a slot's), worked out here once; `apply` carries them out.
extension Ledger {
    /// A SKU's unit cost for moves: its cost, or its price when the cost is 0.00.
    func unitCost(_ sku: String) -> Money {
        guard let product = products[sku] else { return .zero }
        return product.cost == .zero ? product.price : product.cost
    }

    /// Lists (and INSPECT's bare word) as decisions on `holdings`, checked in the contract's
    /// order: NOT_FOUND (a SKU or batch not held; a new SKU unknown), INVALID (a SKU held in
    /// several batches named without one, a regrade into its own SKU), then `short` (EXCEEDS for a
    /// return's quarantine, STOCK for a slot) when the lists together ask for more than is held of
    /// a SKU and batch, then SERIAL (a serial not held there).
    /// `namedBatchOnly`: an item without `#BATCH` is the batch-less slot (DISPOSE).
    func decisions(_ lists: DispositionLists, word: Disposition?, holdings: [Holding], where what: String,
                   shortCode: DomainError.Code, namedBatchOnly: Bool, at: Timestamp, by: String) throws(DomainError) -> [Disposal] {
        var resolved: [(Disposition, UnitSpec)] = []
        for (disposition, given) in lists.named {
            var spec = given
            if !namedBatchOnly, spec.batch.isEmpty {
                let batches = holdings.filter { $0.sku == spec.sku }
                guard !batches.isEmpty else { throw DomainError(.NOT_FOUND, "\(spec.sku) is not in \(what)") }
                let holding = batches.filter { $0.units > 0 }
                if holding.count > 1 {
                    throw .invalid("\(spec.sku) is in \(what) in batches \(holding.map(\.batch).joined(separator: ",")); name one with #BATCH")
                }
                spec.batch = (holding.first ?? batches[0]).batch
            } else if !namedBatchOnly, !holdings.contains(where: { $0.sku == spec.sku && $0.batch == spec.batch }) {
                throw DomainError(.NOT_FOUND, "\(spec.sku) batch \(spec.batch) is not in \(what)")
            }
            if disposition == .regrade, products[spec.toSku] == nil { throw .notFound("sku", spec.toSku) }
            resolved.append((disposition, spec))
        }
        // The parser refuses this first; a command built in code is held to it too.
        for (disposition, spec) in resolved where disposition == .regrade && spec.toSku == spec.sku {
            throw .invalid("regrade turns \(spec.sku) into another SKU, not itself")
        }
        // Serial numbers: the count (INVALID), and a regrade keeps serials only between serial SKUs.
        var seen: [String: Set<String>] = [:]
        for (disposition, spec) in resolved {
            guard let product = products[spec.sku] else { continue }
            if disposition == .regrade, let to = products[spec.toSku], to.serial != product.serial {
                throw .invalid("regrade turns \(spec.sku) into \(spec.toSku), one serial-tracked and one not")
            }
            if product.serial || !spec.serials.isEmpty { try checkSerialCount(product, quantity: spec.quantity, serials: spec.serials, seen: &seen) }
        }
        var asked: [SkuBatch: Int64] = [:]
        for (_, spec) in resolved { asked[SkuBatch(spec.sku, spec.batch), default: 0] += spec.quantity }
        for (key, units) in asked {
            let held = holdings.first { $0.sku == key.sku && $0.batch == key.batch }?.units ?? 0
            if units > held {
                let named = key.batch.isEmpty ? key.sku : "\(key.sku) batch \(key.batch)"
                throw DomainError(shortCode, "\(named): \(units) asked, \(held) in \(what)")
            }
        }
        // SERIAL: each serial named is held there; a regrade's not in stock under the new SKU.
        for (disposition, spec) in resolved where !spec.serials.isEmpty {
            let held = holdings.first { $0.sku == spec.sku && $0.batch == spec.batch }?.serials ?? []
            for serial in spec.serials where !held.contains(serial) {
                throw DomainError(.SERIAL, "\(spec.sku) serial \(serial) is not in \(what)")
            }
            if disposition == .regrade { try requireSerialsOutOfStock(spec.toSku, spec.serials) }
        }
        var out: [Disposal] = []
        for disposition in Disposition.allCases {
            for (d, spec) in resolved where d == disposition {
                var decided = try disposal(spec.sku, spec.batch, spec.quantity, disposition, toSku: spec.toSku, at: at, by: by)
                decided.serials = spec.serials
                out.append(decided)
            }
            guard word == disposition else { continue }
            // The bare word: every unit held that no list names, SKU and batch in holding order (the rest of their serials).
            for holding in holdings {
                let left = holding.units - (asked[SkuBatch(holding.sku, holding.batch)] ?? 0)
                guard left > 0 else { continue }
                var decided = try disposal(holding.sku, holding.batch, left, disposition, at: at, by: by)
                if !holding.serials.isEmpty || products[holding.sku]?.serial == true {
                    let named = Set(resolved.filter { $0.1.sku == holding.sku && $0.1.batch == holding.batch }.flatMap(\.1.serials))
                    decided.serials = Array(holding.serials.filter { !named.contains($0) }.prefix(Int(left)))
                    // Every unit decided carries its serial: one no longer held there cannot be decided.
                    guard decided.serials.count == left else {
                        throw DomainError(.SERIAL, "\(holding.sku): \(left) units left in \(what), \(decided.serials.count) of their serials there")
                    }
                }
                out.append(decided)
            }
        }
        return out
    }

    /// One decision, valued at unit cost: scrapped units written off, regraded ones at the
    /// difference of the two SKUs' costs.
    func disposal(_ sku: String, _ batch: String, _ quantity: Int64, _ disposition: Disposition, toSku: String = "",
                  at: Timestamp, by: String) throws(DomainError) -> Disposal {
        var value = Money.zero
        switch disposition {
        case .scrap:
            guard let v = unitCost(sku).times(quantity) else { throw .overflow }
            value = -v
        case .regrade:
            guard let to = unitCost(toSku).times(quantity), let from = unitCost(sku).times(quantity), let v = to.adding(-from) else {
                throw .overflow
            }
            value = v
        case .restock, .vendor, .refurbish:
            break
        }
        return Disposal(sku: sku, batch: batch, quantity: quantity, disposition: disposition, toSku: toSku, value: value, at: at, by: by)
    }

    /// A return's quarantine holdings, their serials those the registry still has in quarantine
    /// in their slot (a serial moved away since is not there to decide on: SERIAL if named).
    func serialsStillHeld(_ request: ReturnRequest) -> [Holding] {
        request.quarantineHoldings.map { holding in
            guard !holding.serials.isEmpty else { return holding }
            var kept = holding
            let slot = StockSlot(location: request.location, batch: holding.batch)
            kept.serials = holding.serials.filter { serialPlace(holding.sku, $0) == SerialPlace(slot: slot, state: .quarantine) }
            return kept
        }
    }

    /// INSPECT: STATE (inspecting), CLOSED, then the items; the units decided leave quarantine,
    /// and the return is completed when none are left.
    func decideInspection(_ id: String, disposition word: Disposition?, lists: DispositionLists, note: String,
                          _ context: Context) throws(DomainError) -> Decision {
        guard let number = filedNumber(id) else { throw .notFound("return", id) }
        // One that left memory is archived (never inspected again): no read back out of scope.
        if !returns.isHeld(number - 1) { try checkScope(location(ofReturn: number), context, id) }
        let request = try filedReturn(number)
        if let again = resentInspection(request, word: word, lists: lists, note: note) { return Decision(events: [], reply: again) }
        try checkScope(request.location, context, id)
        guard request.state == .inspecting else {
            throw DomainError(.STATE, "\(id) is \(request.state.rawValue), not inspecting")
        }
        try refuseClosedToday(context, "INSPECT")
        let decided = try decisions(lists, word: word, holdings: serialsStillHeld(request), where: "\(id)'s quarantine",
                                    shortCode: .EXCEEDS, namedBatchOnly: false, at: context.now, by: context.user)
        try checkValue(decided)
        let left = request.quarantineLeft - Disposal.units(decided)
        let state: ReturnState = left == 0 ? .completed : .inspecting
        return Decision(
            events: [.returnDisposed(Inspection(number: request.number, disposals: decided, note: note, by: context.user, at: context.now,
                                                left: left))],
            reply: Reply(status: [Field("id", id), Field("state", state.rawValue), Field("disposition", Disposal.names(decided)),
                                  Field("left", String(left)), Field("value", Disposal.value(decided).description)]))
    }

    /// A re-sent INSPECT (protocol.md: a request whose id and content match one carried out
    /// answers the original reply plus `existed=yes`): the same word, lists and note as the
    /// return's last inspection, deciding the same units from what was in quarantine before it.
    /// (Deciding more of the same later takes another request: `vendor=B300:2`, or a new note.)
    func resentInspection(_ request: ReturnRequest, word: Disposition?, lists: DispositionLists, note: String) -> Reply? {
        guard let last = request.disposals.last,
              let event = request.history.last(where: { $0.action == "inspected" }), event.at == last.at, event.user == last.by
        else { return nil }
        let names = request.disposals.reversed().prefix { $0.at == last.at && $0.by == last.by }.reversed()
        let previous = Array(names)
        guard event.note == Disposal.names(previous) + (note.isEmpty ? "" : ": " + note) else { return nil }
        var before = request
        before.disposals.removeLast(previous.count)
        guard let again = try? decisions(lists, word: word, holdings: before.quarantineHoldings, where: "",
                                         shortCode: .EXCEEDS, namedBatchOnly: false, at: last.at, by: last.by),
              again == previous else { return nil }
        let left = request.quarantineLeft
        return Reply(status: [Field("id", request.id), Field("state", (left == 0 ? ReturnState.completed : .inspecting).rawValue),
                              Field("disposition", Disposal.names(previous)), Field("left", String(left)),
                              Field("value", Disposal.value(previous).description)]).existed()
    }

    /// Decisions' values add up within money's range.
    private func checkValue(_ decided: [Disposal]) throws(DomainError) {
        var sum = Money.zero
        for d in decided {
            guard let next = sum.adding(d.value) else { throw .overflow }
            sum = next
        }
    }

    /// DISPOSE: NOT_FOUND (location, SKUs), INVALID, DENIED (scope), CLOSED, STOCK; a re-send
    /// with its key answers the original reply plus `existed=yes`.
    func decideDispose(_ asked: DisposeRequest, _ context: Context) throws(DomainError) -> Decision {
        if let key = asked.key, let number = moveKeys[key] {
            let original = stockMoves[number - 1]
            guard original.kind == .dispose, original.location == asked.location, original.from == asked.from, original.note == asked.note,
                  sameLists(original.disposals, asked.lists) else {
                throw DomainError(.CONFLICT, "key \(key) was used for \(original.id) with other content")
            }
            return Decision(events: [], reply: disposeReply(original).existed())
        }
        guard locations[asked.location] != nil else { throw .notFound("location", asked.location) }
        for (_, spec) in asked.lists.named {
            guard products[spec.sku] != nil else { throw .notFound("sku", spec.sku) }
            if !spec.toSku.isEmpty, products[spec.toSku] == nil { throw .notFound("sku", spec.toSku) }
        }
        // The serial count: INVALID needing the SKU, before the scope (checked again with the rest in `decisions`).
        var seen: [String: Set<String>] = [:]
        for (_, spec) in asked.lists.named {
            guard let product = products[spec.sku], product.serial || !spec.serials.isEmpty else { continue }
            try checkSerialCount(product, quantity: spec.quantity, serials: spec.serials, seen: &seen)
        }
        try checkScope(asked.location, context, "DISPOSE")
        try refuseClosedToday(context, "DISPOSE")
        var holdings: [Holding] = []
        for (_, spec) in asked.lists.named
        where !holdings.contains(where: { $0.sku == spec.sku && $0.batch == spec.batch }) {
            let slot = StockSlot(location: asked.location, batch: spec.batch)
            holdings.append(Holding(sku: spec.sku, batch: spec.batch, units: level(spec.sku, slot)[asked.from],
                                    serials: products[spec.sku]?.serial == true ? serials(spec.sku, at: slot, asked.from) : []))
        }
        let decided: [Disposal]
        do {
            decided = try decisions(asked.lists, word: nil, holdings: holdings, where: "\(asked.from.rawValue) at \(asked.location)",
                                    shortCode: .STOCK, namedBatchOnly: true, at: context.now, by: context.user)
        } catch where error.code == .STOCK {
            // An item without #BATCH is the batch-less slot: say where the units are when they are in batches.
            let held = asked.lists.lists.flatMap(\.1).flatMap { spec in
                (stock[spec.sku] ?? [:]).filter { $0.key.location == asked.location && !$0.key.batch.isEmpty && $0.value[asked.from] > 0 }
                    .map { "\(spec.sku)#\($0.key.batch): \($0.value[asked.from])" }
            }
            throw held.isEmpty ? error : DomainError(.STOCK, error.message + " (held in batches: \(held.sorted().joined(separator: ", ")))")
        }
        try checkValue(decided)
        let move = StockMove(number: stockMoves.count + 1, kind: .dispose, location: asked.location, from: asked.from,
                             disposals: decided, note: asked.note, key: asked.key ?? "", by: context.user, at: context.now)
        var decision = Decision(events: [.stockDisposed(move)], reply: disposeReply(move))
        decision.target = move.id
        return decision
    }

    /// `OK move= location= from= disposition= qty= value=`.
    func disposeReply(_ move: StockMove) -> Reply {
        Reply(status: [Field("move", move.id), Field("location", move.location), Field("from", move.from.rawValue),
                       Field("disposition", Disposal.names(move.disposals)), Field("qty", String(Disposal.units(move.disposals))),
                       Field("value", Disposal.value(move.disposals).description)])
    }

    /// Whether a re-sent DISPOSE's lists are the decisions it made (SKU, batch, quantity, where to).
    private func sameLists(_ decided: [Disposal], _ lists: DispositionLists) -> Bool {
        let named = lists.named
        return decided.count == named.count && zip(decided, named).allSatisfy { d, n in
            d.disposition == n.0 && d.sku == n.1.sku && d.batch == n.1.batch && d.quantity == n.1.quantity && d.toSku == n.1.toSku
                && Ledger.sameSerials(d.serials, n.1.serials)
        }
    }

    // MARK: Apply

    /// INSPECT's decisions carried out: out of quarantine, into their states; the return is
    /// completed when nothing is left there. Its history note starts with what was decided.
    mutating func applyInspection(_ inspection: Inspection) {
        let index = inspection.number - 1
        carryOut(.disposals(inspection.disposals, at: returns[index].location, from: .quarantine), at: inspection.at)
        returns[index].disposals += inspection.disposals
        returns[index].state = returns[index].quarantineLeft == 0 ? .completed : .inspecting
        listIndex.stateChanged(inspection.number, to: returns[index].state)
        let names = Disposal.names(inspection.disposals)
        returns[index].history.append(ReturnEvent(at: inspection.at, user: inspection.by, action: "inspected",
                                                  note: names + (inspection.note.isEmpty ? "" : ": " + inspection.note)))
    }

    /// An INSPECT logged before format 10: every quarantined unit to one disposition, worth 0.00
    /// (protocol.md: INSPECTs logged before this version show `value=0.00`).
    public static func legacyInspection(_ request: ReturnRequest, _ disposition: Disposition, note: String, by: String,
                                 at: Timestamp) -> Inspection {
        // Every unit the approval quarantined: FEED reads this long after, from a return that
        // already holds these very decisions.
        var approved = request
        approved.disposals = []
        let disposals = approved.quarantineHoldings.map {
            Disposal(sku: $0.sku, batch: $0.batch, quantity: $0.units, disposition: disposition, at: at, by: by)
        }
        return Inspection(number: request.number, disposals: disposals, note: note, by: by, at: at, left: 0)
    }

    mutating func applyDispose(_ move: StockMove) {
        stockMoves.append(move)
        if !move.key.isEmpty { moveKeys[move.key] = move.number }
        carryOut(.disposals(move.disposals, at: move.location, from: move.from), at: move.at)
    }
}
