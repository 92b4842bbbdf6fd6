/// ADJUST and COUNT (protocol.md, Adjustments and counts): a location's on hand changed by what
/// was found or lost, or set to what was counted. Both are `StockMove`s numbered with DISPOSE's,
/// one line per slot, each valued at unit cost when decided.
extension Ledger {
    /// A re-send with its key (the original reply plus `existed=yes`, else CONFLICT); NOT_FOUND
    /// (location, SKUs), DENIED (scope), CLOSED; ADJUST out of more than on hand: STOCK (never
    /// below zero; a negative level is COUNT's to fix).
    func decideStockMove(_ asked: StockMoveRequest, kind: StockMove.Kind, _ context: Context) throws(DomainError) -> Decision {
        let word = kind == .count ? "COUNT" : "ADJUST"
        if let key = asked.key, let number = moveKeys[key] {
            let original = stockMoves[number - 1]
            let same = original.kind == kind && original.location == asked.location && original.adjustment == asked.adjustment
                && original.note == asked.note && original.lines.count == asked.items.count
                && zip(original.lines, asked.items).allSatisfy { line, item in
                    line.sku == item.sku && line.batch == item.batch && (kind == .count ? line.counted : abs(line.change)) == item.quantity
                        && (kind == .count ? sameCount(line, item.serials) : Ledger.sameSerials(Ledger.named(line), item.serials))
                }
            guard same else { throw DomainError(.CONFLICT, "key \(key) was used for \(original.id) with other content") }
            var decision = Decision(events: [], reply: Ledger.stockMoveReply(original).existed())
            decision.target = original.id  // the move, as when it was made
            return decision
        }
        guard locations[asked.location] != nil else { throw .notFound("location", asked.location) }
        for item in asked.items where products[item.sku] == nil { throw .notFound("sku", item.sku) }
        try checkSerialCounts(asked.items)
        try checkScope(asked.location, context, word)
        try refuseClosedToday(context, word)
        if asked.adjustment?.direction == .out { try checkOnHand(asked.items, at: asked.location) }
        for item in asked.items where !item.serials.isEmpty { try checkMovedSerials(item, asked, kind) }
        var lines: [StockMoveLine] = []
        var value = Money.zero
        // ADJUST may name a slot twice: each line starts where the one before left it.
        var after: [SkuBatch: Int64] = [:]
        for item in asked.items {
            let slot = SkuBatch(item.sku, item.batch)
            let before = after[slot] ?? level(item.sku, StockSlot(location: asked.location, batch: item.batch)).onHand
            let change = switch asked.adjustment?.direction {
            case nil: item.quantity - before
            case .in?: item.quantity
            case .out?: -item.quantity
            }
            guard let v = unitCost(item.sku).times(change), let sum = value.adding(v) else { throw .overflow }
            value = sum
            after[slot] = before + change
            var line = StockMoveLine(sku: item.sku, batch: item.batch, before: before, change: change, value: v)
            if products[item.sku]?.serial == true {
                let onHand = serials(item.sku, at: StockSlot(location: asked.location, batch: item.batch), .on_hand)
                Ledger.setSerials(&line, item, kind, onHand: onHand)
            }
            lines.append(line)
        }
        let move = StockMove(number: stockMoves.count + 1, kind: kind, location: asked.location, from: .on_hand, disposals: [],
                             note: asked.note, key: asked.key ?? "", by: context.user, at: context.now,
                             adjustment: asked.adjustment, lines: lines)
        var decision = Decision(events: [kind == .count ? .stockCounted(move) : .stockAdjusted(move)], reply: Ledger.stockMoveReply(move))
        decision.target = move.id
        return decision
    }

    /// SERIAL (protocol.md, Serial numbers): ADJUST out takes serials on hand in the slot; ADJUST
    /// in, and a COUNT's serials not on hand there, bring them from outside (not in stock anywhere).
    private func checkMovedSerials(_ item: ItemSpec, _ asked: StockMoveRequest, _ kind: StockMove.Kind) throws(DomainError) {
        let slot = StockSlot(location: asked.location, batch: item.batch)
        switch asked.adjustment?.direction {
        case .out?: try requireSerials(item.sku, item.serials, at: slot, .on_hand)
        case .in?: try requireSerialsOutOfStock(item.sku, item.serials)
        case nil:
            for serial in item.serials where serialPlace(item.sku, serial) != SerialPlace(slot: slot, state: .on_hand) {
                try requireSerialsOutOfStock(item.sku, [serial])
            }
        }
    }

    /// A line's serials: ADJUST's in or out; COUNT's finds in, and the slot's on-hand serials it
    /// did not name out (a serial SKU counted without any drops them all).
    static func setSerials(_ line: inout StockMoveLine, _ item: ItemSpec, _ kind: StockMove.Kind, onHand: [String]) {
        if kind == .count {
            let counted = Set(item.serials), held = Set(onHand)
            line.serialsIn = item.serials.filter { !held.contains($0) }
            line.serialsOut = onHand.filter { !counted.contains($0) }
        } else if line.change > 0 {
            line.serialsIn = item.serials
        } else {
            line.serialsOut = item.serials
        }
    }

    /// The serials an ADJUST named for a line (a re-send compares them).
    static func named(_ line: StockMoveLine) -> [String] { line.change > 0 ? line.serialsIn : line.serialsOut }

    /// Whether a re-sent COUNT line names what the original counted. The line keeps only its finds
    /// (`serialsIn`) and drops (`serialsOut`), not the serials that stayed (writing them would be
    /// a new format), so as far as it can tell: distinct serials, as many as counted, every find
    /// among them and no drop.
    func sameCount(_ line: StockMoveLine, _ serials: [String]) -> Bool {
        let named = Set(serials)
        let expected = products[line.sku]?.serial == true || !line.serialsIn.isEmpty || !line.serialsOut.isEmpty ? line.counted : 0
        return named.count == serials.count && Int64(serials.count) == expected
            && named.isSuperset(of: line.serialsIn) && named.isDisjoint(with: line.serialsOut)
    }

    /// ADJUST: `OK move= location= direction= reason= qty= value=`; COUNT: a `* line sku= batch=
    /// before= counted= variance= value=` per item, then `OK move= location= variance= value=`.
    static func stockMoveReply(_ move: StockMove) -> Reply {
        guard let adjustment = move.adjustment else {
            return Reply(status: [Field("move", move.id), Field("location", move.location), Field("variance", String(move.variance)),
                                  Field("value", move.value.description)],
                         lines: move.lines.map { [Field.word("line")] + $0.countFields })
        }
        return Reply(status: [Field("move", move.id), Field("location", move.location), Field("direction", adjustment.direction.rawValue),
                              Field("reason", adjustment.reason.rawValue), Field("qty", String(move.units)),
                              Field("value", move.value.description)])
    }

    mutating func applyStockMove(_ move: StockMove) {
        stockMoves.append(move)
        if !move.key.isEmpty { moveKeys[move.key] = move.number }
        carryOut(.stockMove(move), at: move.at)
    }
}

extension Effects {
    /// ADJUST's and COUNT's lines: each slot's on hand changed by its line. A slot counted as the
    /// books said moves nothing (and a slot never stocked is not made by counting it empty),
    /// unless serials change places: a COUNT naming a found serial for one it dropped changes 0.
    public static func stockMove(_ move: StockMove) -> Effects {
        var e = Effects()
        for line in move.lines where line.change != 0 || !line.serialsOut.isEmpty || !line.serialsIn.isEmpty {
            let slot = StockSlot(location: move.location, batch: line.batch)
            guard !line.serialsIn.isEmpty || !line.serialsOut.isEmpty else {
                e.moves.append(Move(sku: line.sku, slot: slot, .on_hand, line.change))
                continue
            }
            // Serials: those taken off, then those put on hand (a COUNT may do both in one slot).
            if !line.serialsOut.isEmpty { e.moves.append(Move(sku: line.sku, slot: slot, .on_hand, -Int64(line.serialsOut.count), serials: line.serialsOut)) }
            if !line.serialsIn.isEmpty { e.moves.append(Move(sku: line.sku, slot: slot, .on_hand, Int64(line.serialsIn.count), serials: line.serialsIn)) }
            // Units the serials do not account for (a slot holding units without their serials)
            // still move, so the slot ends at what was counted.
            let rest = line.change - Int64(line.serialsIn.count) + Int64(line.serialsOut.count)
            if rest != 0 { e.moves.append(Move(sku: line.sku, slot: slot, .on_hand, rest)) }
        }
        return e
    }
}
