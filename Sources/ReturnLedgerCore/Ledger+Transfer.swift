/// TRANSFER SEND, RECEIVE, CANCEL and SHOW (protocol.md, Transfers). Everything a transfer moves
/// is decided here and recorded in its event as the whole transfer after the step, so `apply`
/// and FEED work the moves out of the record alone (`Effects.transfer`).
extension Ledger {
    /// SEND: a re-send (same from, to and lines) answers the original reply, else CONFLICT; then
    /// NOT_FOUND (locations, SKUs), DENIED (scope over `from`), CLOSED, STOCK (on hand at `from`).
    func decideTransferSend(_ asked: TransferRequest, _ context: Context) throws(DomainError) -> Decision {
        if let original = transfers[asked.id] {
            // The same lines in any order (a till may rebuild them from a map), serials in any order.
            struct SentLine: Hashable { let slot: SkuBatch, units: Int64, serials: Set<String> }
            let sentLines = { (lines: [(SkuBatch, Int64, [String])]) in Set(lines.map { SentLine(slot: $0.0, units: $0.1, serials: Set($0.2)) }) }
            let same = original.from == asked.from && original.to == asked.to && original.lines.count == asked.items.count
                && sentLines(original.lines.map { ($0.slot, $0.sent, $0.serials) })
                    == sentLines(asked.items.map { (SkuBatch($0.sku, $0.batch), $0.quantity, $0.serials) })
            guard same else { throw DomainError(.CONFLICT, "transfer \(asked.id) was sent with other locations or lines") }
            return Decision(events: [], reply: Ledger.sendReply(original).existed())
        }
        guard let from = locations[asked.from] else { throw .notFound("location", asked.from) }
        guard let to = locations[asked.to] else { throw .notFound("location", asked.to) }
        for item in asked.items where products[item.sku] == nil { throw .notFound("sku", item.sku) }
        try checkSerialCounts(asked.items)
        try checkScope(asked.from, context, "transfer \(asked.id)")
        try refuseClosedToday(context, "TRANSFER SEND")
        try checkOnHand(asked.items, at: asked.from)
        for item in asked.items where !item.serials.isEmpty {
            try requireSerials(item.sku, item.serials, at: StockSlot(location: asked.from, batch: item.batch), .on_hand)
        }
        // Within one building the goods arrive as they leave: no transit, nothing to receive.
        let direct = from.site == to.site
        let transfer = Transfer(id: asked.id, from: asked.from, to: asked.to,
                                lines: asked.items.map { TransferLine(sku: $0.sku, batch: $0.batch, sent: $0.quantity,
                                                                      received: direct ? $0.quantity : 0, serials: $0.serials,
                                                                      receivedSerials: direct ? $0.serials : []) },
                                note: asked.note, sentBy: context.user, sentAt: context.now, state: direct ? .received : .in_transit,
                                viaTransit: !direct, receivedBy: direct ? context.user : "", receivedAt: direct ? context.now : nil)
        return Decision(events: [.transferSent(transfer)], reply: Ledger.sendReply(transfer))
    }

    /// STOCK when an item asks for more than its slot has on hand at `location` (items of one
    /// slot together; a negative level has none).
    func checkOnHand(_ items: [ItemSpec], at location: String) throws(DomainError) {
        var asked: [SkuBatch: Int64] = [:]
        for item in items {
            let key = SkuBatch(item.sku, item.batch)
            asked[key, default: 0] += item.quantity
            let held = level(item.sku, StockSlot(location: location, batch: item.batch)).onHand
            if asked[key]! > held {
                let named = SkuBatch(item.sku, item.batch)
                throw DomainError(.STOCK, "\(named): \(asked[key]!) asked, \(held) on hand at \(location)")
            }
        }
    }

    /// `OK transfer= state= from= to= qty=`, the state as it was sent.
    static func sendReply(_ t: Transfer) -> Reply {
        Reply(status: [Field("transfer", t.id), Field("state", (t.viaTransit ? Transfer.State.in_transit : .received).rawValue),
                       Field("from", t.from), Field("to", t.to), Field("qty", String(t.sent))])
    }

    /// RECEIVE: NOT_FOUND (the transfer), then a re-send with the same items answers the
    /// original reply (else CONFLICT), DENIED (scope over `to`), STATE (`in_transit` only),
    /// CLOSED, and last the items inside the record: one matching none of its lines is NOT_FOUND.
    /// Lines not named arrived as sent.
    func decideTransferReceive(_ id: String, items: [ItemSpec], note: String, _ context: Context) throws(DomainError) -> Decision {
        guard var transfer = transfers[id] else { throw .notFound("transfer", id) }
        let sent = Set(transfer.lines.map(\.slot))
        let unknown = items.first { !sent.contains(SkuBatch($0.sku, $0.batch)) }
        // The parser refuses a slot named twice; a command built in code keeps the first.
        let named = Dictionary(items.map { (SkuBatch($0.sku, $0.batch), $0) }, uniquingKeysWith: { first, _ in first })
        let arrived = transfer.lines.map { named[$0.slot]?.quantity ?? $0.sent }
        let arrivedSerials = transfer.lines.map { named[$0.slot]?.serials ?? $0.serials }
        if transfer.state == .received, transfer.viaTransit {
            guard unknown == nil, arrived == transfer.lines.map(\.received), zip(arrivedSerials, transfer.lines).allSatisfy({ Ledger.sameSerials($0, $1.receivedSerials) }) else {
                throw DomainError(.CONFLICT, "transfer \(id) was received with other quantities")
            }
            return Decision(events: [], reply: Ledger.receiveReply(transfer).existed())
        }
        try checkSerialCounts(items)
        try checkScope(transfer.to, context, "transfer \(id)")
        guard transfer.state == .in_transit else {
            let why = transfer.state == .received ? "received when sent (within one site)" : transfer.state.rawValue
            throw DomainError(.STATE, "transfer \(id) is \(why), not in_transit")
        }
        try refuseClosedToday(context, "TRANSFER RECEIVE")
        if let unknown {
            throw DomainError(.NOT_FOUND, "transfer \(id) sent no \(SkuBatch(unknown.sku, unknown.batch))")
        }
        var value = Money.zero
        for (index, units) in arrived.enumerated() {
            let line = transfer.lines[index]
            guard let v = unitCost(line.sku).times(units - line.sent), let sum = value.adding(v) else { throw .overflow }
            value = sum
            transfer.lines[index].received = units
            transfer.lines[index].receivedSerials = arrivedSerials[index]
            // A serial found (not sent on the line) comes from outside: not in stock anywhere.
            for serial in arrivedSerials[index] where !line.serials.contains(serial) {
                try requireSerialsOutOfStock(line.sku, [serial])
            }
        }
        transfer.state = .received
        transfer.receivedBy = context.user
        transfer.receivedAt = context.now
        transfer.receivedNote = note
        transfer.value = value
        return Decision(events: [.transferReceived(transfer)], reply: Ledger.receiveReply(transfer))
    }

    /// `OK transfer= state=received sent= received= lost= found= value=`.
    static func receiveReply(_ t: Transfer) -> Reply {
        Reply(status: [Field("transfer", t.id), Field("state", t.state.rawValue), Field("sent", String(t.sent)),
                       Field("received", String(t.received)), Field("lost", String(t.lost)), Field("found", String(t.found)),
                       Field("value", t.value.description)])
    }

    /// CANCEL: NOT_FOUND; a cancelled transfer answers as it did plus `existed=yes` (a till's
    /// retry); DENIED (scope over `from`), STATE (`in_transit` only), CLOSED. The goods go back on
    /// hand at `from`.
    func decideTransferCancel(_ id: String, _ context: Context) throws(DomainError) -> Decision {
        guard var transfer = transfers[id] else { throw .notFound("transfer", id) }
        let reply = Reply(status: [Field("transfer", id), Field("state", Transfer.State.cancelled.rawValue)])
        if transfer.state == .cancelled { return Decision(events: [], reply: reply.existed()) }
        try checkScope(transfer.from, context, "transfer \(id)")
        guard transfer.state == .in_transit else { throw DomainError(.STATE, "transfer \(id) is \(transfer.state.rawValue), not in_transit") }
        try refuseClosedToday(context, "TRANSFER CANCEL")
        transfer.state = .cancelled
        transfer.cancelledBy = context.user
        transfer.cancelledAt = context.now
        return Decision(events: [.transferCancelled(transfer)], reply: reply)
    }

    /// SHOW (unscoped): `* line sku= batch= sent= received= serials=` per line, then the status
    /// line; what a receipt sets is `""` until received.
    func transferShow(_ id: String) throws(DomainError) -> Reply {
        guard let t = transfers[id] else { throw .notFound("transfer", id) }
        let received = t.state == .received
        func after(_ text: @autoclosure () -> String) -> String { received ? text() : "" }
        let lines = t.lines.map {
            [Field.word("line"), Field("sku", $0.sku), Field("batch", $0.batch), Field("sent", String($0.sent)),
             Field("received", after(String($0.received))), Field("serials", $0.serials.joined(separator: ","))]
        }
        return Reply(status: [Field("transfer", t.id), Field("state", t.state.rawValue), Field("from", t.from), Field("to", t.to),
                              Field("sent", String(t.sent)), Field("received", after(String(t.received))),
                              Field("lost", after(String(t.lost))), Field("found", after(String(t.found))),
                              Field("value", after(t.value.description)), Field("note", t.note), Field("sent_by", t.sentBy),
                              Field("sent_at", t.sentAt.description), Field("received_by", t.receivedBy),
                              Field("received_at", t.receivedAt?.description ?? ""), Field("received_note", t.receivedNote),
                              Field("cancelled_by", t.cancelledBy), Field("cancelled_at", t.cancelledAt?.description ?? "")],
                     lines: lines)
    }

    /// A transfer as sent, received or cancelled: recorded, and its moves carried out.
    mutating func applyTransfer(_ transfer: Transfer, _ effects: Effects, at: Timestamp) {
        transfers[transfer.id] = transfer
        carryOut(effects, at: at)
    }
}

extension Effects {
    /// What a transfer's step moves (protocol.md, Transfers): sent, out of `from`'s on hand into
    /// `to`'s transit (within one site: its on hand); received, out of `to`'s transit into its on
    /// hand as arrived; cancelled, out of transit back on hand at `from`.
    public static func transfer(_ t: Transfer, _ step: Transfer.Step) -> Effects {
        var e = Effects()
        for line in t.lines {
            let at = StockSlot(location: t.to, batch: line.batch), home = StockSlot(location: t.from, batch: line.batch)
            switch step {
            case .sent:
                e.moves.append(Move(sku: line.sku, slot: home, .on_hand, -line.sent, serials: line.serials))
                e.moves.append(Move(sku: line.sku, slot: at, t.viaTransit ? .transit : .on_hand, line.sent, serials: line.serials))
            case .received:
                // Serials sent that did not arrive leave transit on a move of their own (out of stock).
                let lost = line.serials.isEmpty ? [] : line.serials.filter { !line.receivedSerials.contains($0) }
                var change = StockLevel()
                change.transit = -line.sent + Int64(lost.count)
                change.onHand = line.received
                // (A serial line of which nothing arrived moves only its lost units.)
                if line.serials.isEmpty || change != StockLevel() {
                    e.moves.append(Move(sku: line.sku, slot: at, change: change, serials: line.receivedSerials))
                }
                if !lost.isEmpty { e.moves.append(Move(sku: line.sku, slot: at, .transit, -Int64(lost.count), serials: lost)) }
            case .cancelled:
                e.moves.append(Move(sku: line.sku, slot: at, .transit, -line.sent, serials: line.serials))
                e.moves.append(Move(sku: line.sku, slot: home, .on_hand, line.sent, serials: line.serials))
            }
        }
        return e
    }
}
