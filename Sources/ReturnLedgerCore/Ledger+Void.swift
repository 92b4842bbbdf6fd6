/// VOID (protocol.md, VOID): a mistaken approval reversed by an adjusting document in the same
/// gapless daily sequence, deleting nothing. `decideVoid` works out where the units are now and
/// what the account, the store credit and the order take back; `applyVoid` carries it out.
extension Ledger {
    /// Checks in the contract's order: NOT_FOUND, DENIED (scope), a re-send of a void (its reply
    /// plus `existed=yes`, whoever sends it), INVALID for an unknown reason, SELF_APPROVAL (any of
    /// its approvers), STATE, CLOSED.
    func decideVoid(_ id: String, reason: String, note: String, _ context: Context) throws(DomainError) -> Decision {
        let request = try scopedReturn(id, context)
        if request.state == .voided, let record = voids[request.number] {
            return Decision(events: [], reply: voidReply(request, record).existed())
        }
        guard reasons[reason] != nil else { throw .invalid("unknown reason \(reason)") }
        guard request.approvedBy != context.user, request.firstApprovedBy != context.user else {
            throw DomainError(.SELF_APPROVAL, "\(id) was approved by you; another supervisor must void it")
        }
        try refuseIfArchived(request)
        guard request.state.isApproved else { throw DomainError(.STATE, "\(id) is \(request.state.rawValue); only approved returns are voided") }
        if let credit = request.supplier?.credit {
            throw DomainError(.STATE, "\(id) has the supplier's credit note \(credit.ref): it cannot be voided")
        }
        if let exchange = orders[request.exchangeOrder],
           let open = exchange.returnNumbers.first(where: { state(ofReturn: $0).stands }) {
            throw DomainError(.STATE, "\(request.exchangeOrder), the exchange's sale, has return \(ReturnRequest.id(open)) against it")
        }
        try refuseClosedToday(context, "VOID")

        let doc = nextDocument(at: context.now)
        var record = VoidRecord(number: request.number, doc: doc, reason: reason, note: note, by: context.user, at: context.now,
                                hash: .zero, effects: Effects(), owed: nil, lotGivenBack: .zero, lot: nil)
        record.effects.moves = voidMoves(request)
        if request.kind == .sale {
            try customerReversal(request, &record)
        } else {
            record.effects.postings = [Effects.Posting(party: request.party, kind: .void, doc: doc, amount: -request.expected)]
        }
        record.hash = Ledger.documentHash(after: chainHead, DocumentHeader(void: record, of: request), request)
        var events: [Event] = [.returnVoided(record)]
        if let lot = record.lot { events.append(.creditIssued(party: request.party, lot: lot)) }
        return Decision(events: events, reply: voidReply(request, record))
    }

    /// `OK id= state=voided doc= voids= amount= owed=`.
    func voidReply(_ request: ReturnRequest, _ record: VoidRecord) -> Reply {
        Reply(status: [Field("id", request.id), Field("state", ReturnState.voided.rawValue), Field("doc", record.doc),
                       Field("voids", request.doc), Field("amount", request.amount.description),
                       Field("owed", record.owed?.description ?? "")])
    }

    /// Stock by the return's own decisions (protocol.md, VOID): units put on hand (at approval,
    /// restocked, or regraded: the new SKU's, without a batch) leave on hand, below zero if need
    /// be, as on a sale; units in quarantine, rtv or refurbish leave that state up to what the slot
    /// holds there now (the rest moved on: nothing); scrapped units nothing. A supplier return's
    /// units come back on hand, and so do an exchange's goods (`comingBack`: of a serial SKU only
    /// the serials out of stock; VOID never answers SERIAL).
    func voidMoves(_ request: ReturnRequest) -> [Effects.Move] {
        var moves: [Effects.Move] = []
        let location = request.location
        guard request.kind == .sale else {
            return request.items.compactMap { comingBack($0.sku, StockSlot(location: location, batch: $0.batch), $0.quantity, $0.serials) }
        }
        // Serial SKUs' units leave from wherever each serial is now at the location (`serialVoidMoves`).
        let serialSkus = Set(request.items.lazy.filter { !$0.serials.isEmpty }.map(\.sku))
        var held: [StockState: [SkuBatch: Int64]] = [:]  // what a held state of a slot has left as decisions take from it
        func takeHeld(_ sku: String, _ batch: String, _ state: StockState, _ units: Int64) {
            let slot = StockSlot(location: location, batch: batch)
            let key = SkuBatch(sku, batch)
            let there = held[state]?[key] ?? level(sku, slot)[state]
            let take = max(0, min(units, there))
            held[state, default: [:]][key] = there - take
            if take > 0 { moves.append(Effects.Move(sku: sku, slot: slot, state, -take)) }
        }
        for item in request.items where !item.quarantined && !serialSkus.contains(item.sku) {
            moves.append(Effects.Move(sku: item.sku, slot: StockSlot(location: location, batch: item.batch), onHand: -item.quantity))
        }
        for holding in request.quarantineHoldings where holding.units > 0 && !serialSkus.contains(holding.sku) {
            takeHeld(holding.sku, holding.batch, .quarantine, holding.units)
        }
        if !serialSkus.isEmpty { moves += serialVoidMoves(request) }
        for d in request.disposals where !serialSkus.contains(d.sku) {
            switch d.disposition {
            case .restock: moves.append(Effects.Move(sku: d.sku, slot: StockSlot(location: location, batch: d.batch), onHand: -d.quantity))
            case .regrade: moves.append(Effects.Move(sku: d.toSku, slot: StockSlot(location: location, batch: ""), onHand: -d.quantity))
            case .vendor: takeHeld(d.sku, d.batch, .rtv, d.quantity)
            case .refurbish: takeHeld(d.sku, d.batch, .refurbish, d.quantity)
            case .scrap: break
            }
        }
        for line in request.exchange {
            if let move = comingBack(line.sku, StockSlot(location: location, batch: line.batch), line.quantity, line.serials) {
                moves.append(move)
            }
        }
        return moves
    }

    /// Units a void brings back on hand: all of them, or of a serial SKU the serials out of stock
    /// (one in stock again came back some other way: it stays where it is, and its unit with it).
    func comingBack(_ sku: String, _ slot: StockSlot, _ quantity: Int64, _ serials: [String]) -> Effects.Move? {
        guard !serials.isEmpty else { return Effects.Move(sku: sku, slot: slot, onHand: quantity) }
        let out = serials.filter { serialPlace(sku, $0) == nil }
        return out.isEmpty ? nil : Effects.Move(sku: sku, slot: slot, onHand: Int64(out.count), serials: out)
    }

    /// A voided customer return's serial units: each of its serials (a regraded one under its new
    /// SKU) leaves the state it is in now at the return location; one that left the location (sold,
    /// sent, scrapped) moves nothing, and so does one in transit there (a transfer coming in: its
    /// RECEIVE or CANCEL moves it) or in quarantine not held by this return (a later return's: its
    /// INSPECT moves it). One move per SKU, slot and state.
    func serialVoidMoves(_ request: ReturnRequest) -> [Effects.Move] {
        var regraded: [String: String] = [:]
        for d in request.disposals where d.disposition == .regrade { for serial in d.serials { regraded[serial] = d.toSku } }
        var held: [String: Set<String>] = [:]  // the serials this return still holds in quarantine, per SKU
        for holding in request.quarantineHoldings { held[holding.sku, default: []].formUnion(holding.serials) }
        var groups: [(sku: String, place: SerialPlace, serials: [String])] = []
        for item in request.items {
            for serial in item.serials {
                let sku = regraded[serial] ?? item.sku
                guard let place = serialPlace(sku, serial), place.slot.location == request.location, place.state != .transit else { continue }
                if place.state == .quarantine, held[sku]?.contains(serial) != true { continue }
                if let i = groups.firstIndex(where: { $0.sku == sku && $0.place == place }) {
                    groups[i].serials.append(serial)
                } else {
                    groups.append((sku, place, [serial]))
                }
            }
        }
        return groups.map { Effects.Move(sku: $0.sku, slot: $0.place.slot, $0.place.state, -Int64($0.serials.count), serials: $0.serials) }
    }

    /// A customer return's money: the credit note (net − w) and the exchange sale (−its total)
    /// come off the account as `void` entries; the return's lot gives back what is left of it (g,
    /// up to the credit available just before); owed = net − w − g − exchange total. What we owe
    /// a named customer beyond what it owed us becomes store credit. Tenders handed out or paid
    /// in stay where they are.
    private func customerReversal(_ request: ReturnRequest, _ record: inout VoidRecord) throws(DomainError) {
        let party = request.party, doc = record.doc
        let exchangeTotal = orders[request.exchangeOrder]?.total ?? .zero
        let lot = party.isEmpty ? nil : creditLots[party]?.first { $0.id == request.doc && !$0.voided }
        // w: nothing of a lot is written off until periods close.
        let writtenOff = Money.zero
        let back = Money(minor: request.net.minor - writtenOff.minor)
        if let lot { record.lotGivenBack = min(lot.remaining, availableCredit(party, at: record.at)) }
        guard let owed = back.adding(-record.lotGivenBack)?.adding(-exchangeTotal) else { throw .overflow }
        record.owed = owed
        guard !party.isEmpty else { return }  // a walk-in's: on the document only, settled at the till
        if back != .zero { record.effects.postings.append(Effects.Posting(party: party, kind: .void, doc: doc, amount: back)) }
        if exchangeTotal != .zero {
            record.effects.postings.append(Effects.Posting(party: party, kind: .void, doc: doc, amount: -exchangeTotal))
        }
        guard owed < .zero, let after = (balances[party] ?? .zero).adding(back)?.adding(-exchangeTotal) else { return }
        let credit = min(-owed, -after)
        if credit > .zero {
            let expires = policy.creditDays > 0 ? Timestamp(seconds: record.at.seconds + policy.creditDays * Timestamp.secondsPerDay) : nil
            record.lot = CreditLot(id: doc, at: record.at, amount: credit, expires: expires)
        }
    }

    mutating func applyVoid(_ record: VoidRecord) {
        let number = record.number
        let request = returns[number - 1]
        stats.voided(request, policy.calendar)
        returns[number - 1].state = .voided
        listIndex.stateChanged(number, to: .voided)
        returns[number - 1].history.append(ReturnEvent(at: record.at, user: record.by, action: "voided",
                                                       note: record.reason + (record.note.isEmpty ? "" : ": " + record.note)))
        // The units are returnable again; the sale's tenders take back what the refund charged them.
        if !request.noReceipt, orders[request.order] != nil {
            for item in request.items { orders[request.order]!.lines[item.line].returned -= item.quantity }
            let charges = request.tenders?.charges ?? []
            for (i, charge) in charges.enumerated() where i < orders[request.order]!.refunded.count {
                orders[request.order]!.refunded[i] = Money(minor: orders[request.order]!.refunded[i].minor - charge.minor)
            }
        }
        if !request.exchange.isEmpty { orders[request.exchangeOrder]?.voided = true }
        if let i = creditLots[request.party]?.firstIndex(where: { $0.id == request.doc && !$0.voided }) {
            let lot = creditLots[request.party]![i]
            if lot.remaining > .zero, !lot.writtenOff { openCreditLots -= 1 }  // counted while it had something left
            creditLots[request.party]![i].voided = true
        }
        carryOut(record.effects, at: record.at)
        voids[number] = record
        documents[record.doc] = number
        let day = Self.documentDay(record.doc) ?? policy.calendar.day(of: record.at)
        documentsPerDay[day, default: 0] += 1
        lastDocumentDay = max(lastDocumentDay ?? day, day)
        chainHead = record.hash
        let amount = request.kind == .sale ? request.net : request.expected  // a supplier return's debit note was for its expected credit
        notices.append(Notice(number: notices.count + 1, at: record.at, party: request.party, kind: .void, doc: record.doc,
                              amount: amount, returnNumber: number, order: request.order))
    }

    /// A document's canonical header and stored hash: a return's own, or its void's.
    func documentRecord(_ doc: String, of request: ReturnRequest) -> (header: DocumentHeader, hash: DocHash) {
        if request.doc != doc, let record = voids[request.number], record.doc == doc {
            return (DocumentHeader(void: record, of: request), record.hash)
        }
        return (DocumentHeader(request), request.docHash)
    }
}
