/// Serial numbers (protocol.md, Serial numbers): the registry of where each serial of a SKU with
/// `serial=yes` is, kept by the moves that carry serials, and the checks commands share. A SKU
/// without serials never reaches this file: callers test `serials.isEmpty` or the product's flag.
extension Ledger {
    /// Where a serial of a SKU is in stock, if it is.
    public func serialPlace(_ sku: String, _ serial: String) -> SerialPlace? { serialRegistry[sku]?[serial]?.place }

    /// A move's serials carried into the registry: into the state it adds to, in its slot; a move
    /// only taking out removes those still in its slot (so the order of a step's moves does not
    /// matter: a transfer cancelled puts them home whichever move comes first).
    mutating func place(_ move: Effects.Move) {
        if let state = move.target {
            let place = SerialPlace(slot: move.slot, state: state)
            for serial in move.serials { serialRegistry[move.sku, default: [:]][serial, default: SerialRecord()].place = place }
        } else {
            for serial in move.serials where serialRegistry[move.sku]?[serial]?.place?.slot == move.slot {
                serialRegistry[move.sku]![serial]!.place = nil
                if serialRegistry[move.sku]![serial]!.isEmpty { serialRegistry[move.sku]![serial] = nil }
            }
            if serialRegistry[move.sku]?.isEmpty == true { serialRegistry[move.sku] = nil }
        }
    }

    /// A sale's serials remember it as their last sale (a customer return with a receipt names it).
    mutating func noteSale(_ order: Order) {
        for line in order.lines where !line.serials.isEmpty {
            for serial in line.serials { serialRegistry[line.sku, default: [:]][serial, default: SerialRecord()].lastSale = order.id }
        }
    }

    /// Whether a re-send names the same serials as the original: as sets, since the order they
    /// are named in means nothing (one shared rule for every command's re-send).
    static func sameSerials(_ a: [String], _ b: [String]) -> Bool {
        a.count == b.count && (a == b || Set(a) == Set(b))
    }

    /// Whether a re-sent RETURN's `exchange=` (kept as written, `ITEM,ITEM...`) names the same
    /// replacements: the same text, or the same once each item's serials are sorted.
    static func sameExchangeText(_ a: String, _ b: String) -> Bool {
        guard a != b else { return true }
        func normal(_ text: String) -> [String] {
            text.split(separator: ",", omittingEmptySubsequences: false).map { item in
                let parts = item.split(separator: "/", omittingEmptySubsequences: false)
                return ([parts[0]] + parts.dropFirst().sorted()).joined(separator: "/")
            }
        }
        return normal(a) == normal(b)
    }

    /// The serials in stock at a slot in one state, sorted.
    public func serials(_ sku: String, at slot: StockSlot, _ state: StockState) -> [String] {
        guard let registry = serialRegistry[sku] else { return [] }
        return registry.compactMap { $0.value.place == SerialPlace(slot: slot, state: state) ? $0.key : nil }.sorted()
    }

    // MARK: Checks

    /// INVALID (after NOT_FOUND): a SKU with `serial=yes` names exactly QTY distinct serials, one
    /// without names none; a serial named twice in one command (`seen`, per SKU) is INVALID too.
    func checkSerialCount(_ product: Product, quantity: Int64, serials: [String], seen: inout [String: Set<String>]) throws(DomainError) {
        guard product.serial else {
            if !serials.isEmpty { throw .invalid("\(product.sku) is not serial-tracked (serial=no): name no serials") }
            return
        }
        guard Int64(serials.count) == quantity else {
            throw .invalid("\(product.sku) is serial-tracked: \(quantity) units need \(quantity) serials, \(serials.count) given")
        }
        for serial in serials {
            guard seen[product.sku, default: []].insert(serial).inserted else {
                throw .invalid("\(product.sku) serial \(serial) is named twice")
            }
        }
    }

    /// `checkSerialCount` over items whose SKUs are known. A plain item (no serials, a SKU not
    /// in `serialSkus`) costs a set membership test, or nothing while no SKU has serials.
    func checkSerialCounts(_ items: [ItemSpec]) throws(DomainError) {
        var seen: [String: Set<String>] = [:]
        for item in items where !item.serials.isEmpty || (!serialSkus.isEmpty && serialSkus.contains(item.sku)) {
            guard let product = products[item.sku] else { continue }
            try checkSerialCount(product, quantity: item.quantity, serials: item.serials, seen: &seen)
        }
    }

    /// SERIAL unless each serial is at the slot in the state named.
    func requireSerials(_ sku: String, _ serials: [String], at slot: StockSlot, _ state: StockState) throws(DomainError) {
        for serial in serials where serialPlace(sku, serial) != SerialPlace(slot: slot, state: state) {
            throw DomainError(.SERIAL, "\(sku) serial \(serial) is not \(Ledger.words(state)) at \(Ledger.words(slot))" + whereIs(sku, serial))
        }
    }

    /// SERIAL when a serial is in stock anywhere (a unit coming in from outside).
    func requireSerialsOutOfStock(_ sku: String, _ serials: [String]) throws(DomainError) {
        for serial in serials where serialPlace(sku, serial) != nil {
            throw DomainError(.SERIAL, "\(sku) serial \(serial) is already in stock" + whereIs(sku, serial))
        }
    }

    /// `(on_hand at STORE1)`, for a message.
    func whereIs(_ sku: String, _ serial: String) -> String {
        guard let place = serialPlace(sku, serial) else { return " (not in stock)" }
        return " (\(Ledger.words(place.state)) at \(Ledger.words(place.slot)))"
    }

    static func words(_ state: StockState) -> String { state == .on_hand ? "on hand" : "in " + state.rawValue }
    static func words(_ slot: StockSlot) -> String { slot.batch.isEmpty ? slot.location : "\(slot.location) batch \(slot.batch)" }

    /// The open (pending or in second review) return holding a serial of a SKU, if any.
    func openReturn(holding sku: String, _ serial: String) -> Int? { openReturnSerials[sku]?[serial] }

    /// A return's serials into (filed) or out of (approved, rejected, cancelled) `openReturnSerials`.
    mutating func noteOpenSerials(_ request: ReturnRequest, open: Bool) {
        for item in request.items where !item.serials.isEmpty {
            for serial in item.serials {
                if open {
                    openReturnSerials[item.sku, default: [:]][serial] = min(openReturnSerials[item.sku]?[serial] ?? .max, request.number)
                } else if openReturnSerials[item.sku]?[serial] == request.number {
                    openReturnSerials[item.sku]![serial] = nil
                }
            }
            if openReturnSerials[item.sku]?.isEmpty == true { openReturnSerials[item.sku] = nil }
        }
    }

    /// The serials returned on an order's line by approved returns that stand (ORDER's `returned_serials=`).
    func returnedSerials(_ order: Order, line: Int) throws(DomainError) -> [String] {
        var out: [String] = []
        for r in try filedReturns(order.returnNumbers.filter { state(ofReturn: $0).isApproved }) {
            for item in r.items where item.line == line { out += item.serials }
        }
        return out
    }
}

extension Ledger {
    /// RETURN's SERIAL checks (protocol.md, Serial numbers), item by item. A customer return
    /// with a receipt on a line that recorded serials: sold on that line, the order its last sale,
    /// not returned on it; every customer return: not on an open return, not in stock. A supplier
    /// return on an order: bought on that line, if it recorded serials (where it is is checked at
    /// approval, against `source`).
    func checkFiledSerials(_ items: [ReturnItem], kind: OrderKind, order: Order?) throws(DomainError) {
        for item in items where !item.serials.isEmpty {
            let recorded = order?.lines[item.line].serials ?? []
            let returned = kind == .sale && !recorded.isEmpty ? Set(try returnedSerials(order!, line: item.line)) : []
            for serial in item.serials {
                let named = "\(item.sku) serial \(serial)"
                if let order, !recorded.isEmpty {
                    guard recorded.contains(serial) else {
                        throw DomainError(.SERIAL, "\(named) was not \(kind == .sale ? "sold" : "bought") on \(order.id)")
                    }
                }
                guard kind == .sale else { continue }
                if let order, !recorded.isEmpty {
                    let last = serialRegistry[item.sku]?[serial]?.lastSale ?? ""
                    guard last == order.id else { throw DomainError(.SERIAL, "\(named) was sold again since, on \(last)") }
                    guard !returned.contains(serial) else { throw DomainError(.SERIAL, "\(named) was already returned on \(order.id)") }
                }
                if let open = openReturn(holding: item.sku, serial) {
                    throw DomainError(.SERIAL, "\(named) is on open return \(ReturnRequest.id(open))")
                }
                try requireSerialsOutOfStock(item.sku, [serial])
            }
        }
    }

    /// At the approval that completes a customer return: the returned serials still out of stock
    /// (a unit cannot come back twice; the contract checks at filing, this keeps the registry
    /// whole if one came into stock since).
    func checkReturnedSerials(_ request: ReturnRequest) throws(DomainError) {
        for item in request.items where !item.serials.isEmpty { try requireSerialsOutOfStock(item.sku, item.serials) }
    }

    /// At the approval that moves a return's units: its items and exchange lines still fit their
    /// SKUs' `serial=` (SKU SET refuses the switch while an open return names the SKU; this keeps
    /// the registry whole should one slip by: a unit on hand without its serial, or a serial of a
    /// SKU without them).
    func checkSerialFlags(_ request: ReturnRequest) throws(DomainError) {
        // No serial SKU and no serial named (most shops, every plain return): nothing to look up.
        guard !serialSkus.isEmpty || request.items.contains(where: { !$0.serials.isEmpty })
                || request.exchange.contains(where: { !$0.serials.isEmpty }) else { return }
        func check(_ sku: String, _ quantity: Int64, _ serials: [String]) throws(DomainError) {
            let serial = products[sku]?.serial ?? false
            guard serial ? Int64(serials.count) == quantity : serials.isEmpty else {
                throw .invalid("\(sku) is now serial=\(serial ? "yes" : "no"); \(request.id) was filed otherwise")
            }
        }
        for item in request.items { try check(item.sku, item.quantity, item.serials) }
        for line in request.exchange { try check(line.sku, line.quantity, line.serials) }
    }

    /// A supplier return's serials in its `source` at the return location (every approval, as STOCK).
    func checkSupplierReturnSerials(_ request: ReturnRequest) throws(DomainError) {
        for item in request.items where !item.serials.isEmpty {
            try requireSerials(item.sku, item.serials, at: StockSlot(location: request.location, batch: item.batch), request.source)
        }
    }

    /// An exchange's serial replacements on hand at the return location in their slot (after its STOCK).
    func checkExchangeSerials(_ request: ReturnRequest) throws(DomainError) {
        for line in request.exchange where !line.serials.isEmpty {
            try requireSerials(line.sku, line.serials, at: StockSlot(location: request.location, batch: line.batch), .on_hand)
        }
    }
}

extension Ledger {
    /// `STOCK ... serials=yes`: `* serial sku= serial= location= batch= state=` per serial in
    /// stock of the SKU and/or at the location, sorted so.
    func serialLines(sku: String?, location: String?) -> [[Field]] {
        var rows: [(sku: String, serial: String, place: SerialPlace)] = []
        for (code, records) in serialRegistry where sku == nil || code == sku {
            for (serial, record) in records {
                guard let place = record.place, location == nil || place.slot.location == location else { continue }
                rows.append((code, serial, place))
            }
        }
        rows.sort { ($0.sku, $0.serial, $0.place.slot.location, $0.place.slot.batch) < ($1.sku, $1.serial, $1.place.slot.location, $1.place.slot.batch) }
        return rows.map {
            [Field.word("serial"), Field("sku", $0.sku), Field("serial", $0.serial), Field("location", $0.place.slot.location),
             Field("batch", $0.place.slot.batch), Field("state", $0.place.state.rawValue)]
        }
    }
}
