public import ReturnLedgerCore

/// The whole ledger as bytes, for snapshots. Dictionaries are written in key order, so the same
/// state always gives the same bytes: that is what makes the state digest meaningful.
extension Ledger: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.array(users.keys.sorted().map { users[$0]! })
        w.array(locations.keys.sorted().map { locations[$0]! })
        w.array(products.keys.sorted().map { products[$0]! })
        w.array(parties.keys.sorted().map { parties[$0]! })
        writeMap(balances, &w) { $0.write($1) }
        writeMap(entries, &w) { $0.chunks($1) }  // since format 14: with the chunks released to archives
        w.array(reasons.keys.sorted().map { reasons[$0]! })
        w.i64(policy.windowDays)
        let orderIDs = orders.keys.sorted()
        w.array(orderIDs.map { orders[$0]! })
        // Since format 16: with the chunks released to archives (before, every return), then the
        // key index as held: per shard its slots (a key's tag and return number, 8 bytes; a key
        // of a return that left memory is not in memory to write), then the keys kept apart.
        w.chunks(returns)
        for slots in returnKeys.shardSlots {
            w.u32(UInt32(slots.count))
            for slot in slots { w.u64(slot) }
            w.spillIfNeeded()
        }
        writeMap(returnKeys.keysApart, &w) { $0.int($1) }
        // Since format 15: each date's document list as held (date, then the return of each
        // serial, 4 bytes, 0 for none), then any other document by name; before, every
        // document by its number.
        let lists = documents.dayLists
        w.u32(UInt32(lists.count))
        for (day, numbers) in lists {
            w.i64(day)
            w.u32(UInt32(numbers.count))
            for number in numbers { w.u32(number) }
            w.spillIfNeeded()
        }
        writeMap(documents.otherDocuments, &w) { $0.int($1) }
        let days = documentsPerDay.keys.sorted()
        w.u32(UInt32(days.count))
        for day in days { w.i64(day); w.int(documentsPerDay[day]!) }
        let skus = stock.keys.sorted()
        w.u32(UInt32(skus.count))
        for sku in skus {
            w.string(sku)
            let slots = stock[sku]!.keys.sorted()
            w.u32(UInt32(slots.count))
            for slot in slots {
                let level = stock[sku]![slot]!
                w.string(slot.location); w.string(slot.batch); w.i64(level.onHand); w.i64(level.quarantine)
            }
        }
        w.chunks(notices)  // since format 14: with the chunks released to archives
        // Since format 14: the trail as the lists above (its head, then the entries held); since
        // format 15 the words its held entries name, then each with its words as numbers.
        w.chunkedHead(count: audit.count, released: audit.releasedChunks)
        audit.packed(words: { w.strings($0) }, row: { row in
            w.int(row.seq); w.write(row.at); w.u32(row.user); w.u32(row.peer); w.u32(row.command); w.u32(row.outcome)
            w.string(row.target)
            w.spillIfNeeded()
        })
        w.int(payments)
        writeMap(loginFailures, &w) { $0.array($1) }
        writeMap(lockedUntil, &w) { $0.write($1) }
        w.array(rules.keys.sorted().map { rules[$0]! })  // since format 4
        w.i64(policy.customerReturns); w.i64(policy.customerDays)  // since format 5
        w.u32(UInt32(policy.calendar.periods.count))  // since format 6
        for period in policy.calendar.periods { w.write(period.since); w.write(period.zone) }
        w.array(tillSessions)  // since format 8
        writeMap(creditLots, &w) { $0.array($1) }
        w.i64(policy.creditDays); w.i64(policy.offlineHours); w.bool(policy.crossStore)
        w.bool(policy.taxIncluded)  // since format 9
        w.array(voids.keys.sorted().map { voids[$0]! })  // since format 9
        w.array(closes)
        // Since format 10: slots holding rtv, refurbish or transit units (most hold none), then DISPOSE's moves.
        var held: [(sku: String, slot: StockSlot, level: StockLevel)] = []
        for sku in skus {
            for (slot, level) in stock[sku]! where level.holdsMore { held.append((sku, slot, level)) }
        }
        held.sort { ($0.sku, $0.slot) < ($1.sku, $1.slot) }
        w.u32(UInt32(held.count))
        for h in held {
            w.string(h.sku); w.string(h.slot.location); w.string(h.slot.batch)
            w.i64(h.level.rtv); w.i64(h.level.refurbish); w.i64(h.level.transit)
        }
        w.array(stockMoves)
        w.array(transfers.keys.sorted().map { transfers[$0]! })  // since format 11
        w.array(categories.keys.sorted().map { categories[$0]! })  // since format 11
        // Since format 11: the serial registry, SKU by SKU, serial by serial: a flag and the place
        // (location, batch, state) when in stock, then the last sale ("" none).
        let serialSkus = serialRegistry.keys.sorted()
        w.u32(UInt32(serialSkus.count))
        for sku in serialSkus {
            w.string(sku)
            let records = serialRegistry[sku]!
            let serials = records.keys.sorted()
            w.u32(UInt32(serials.count))
            for serial in serials {
                let record = records[serial]!
                w.string(serial)
                w.bool(record.place != nil)
                if let place = record.place { w.string(place.slot.location); w.string(place.slot.batch); w.enumValue(place.state) }
                w.string(record.lastSale)
            }
        }
        w.array(archives)  // since format 13
        // Since format 14: each party's brought-forward line (its archived entries' sum, newest time).
        w.u32(UInt32(broughtForward.count))
        for party in broughtForward.keys.sorted() {
            let line = broughtForward[party]!
            w.string(party); w.write(line.at); w.i64(line.amount)
        }
        w.write(stats)  // since format 15: STATS' buckets and units sold, kept rather than rebuilt
        // Since format 15: the returns filed against each order that has any (its place among the
        // orders written above, then the numbers), then each party's.
        let withReturns = orderIDs.indices.filter { !orders[orderIDs[$0]]!.returnNumbers.isEmpty }
        w.u32(UInt32(withReturns.count))
        for i in withReturns {
            w.u32(UInt32(i))
            w.numbers(orders[orderIDs[i]]!.returnNumbers)
            w.spillIfNeeded()
        }
        writeMap(returnsByParty, &w) { $0.numbers($1) }
        // Since format 15: LIST's rows, the location codes by number, then each return's row.
        w.strings(listIndex.locationCodes)
        w.u32(UInt32(listIndex.rows.count))
        for row in listIndex.rows {
            w.u32(UInt32(bitPattern: row.day)); w.u32(row.location); w.u8(row.state); w.u8(row.kind)
            w.spillIfNeeded()
        }
        w.write(chainHead)  // since format 16: its last document's return may have left memory
    }

    /// Entries in key order, whatever container holds them.
    private func writeMap<M: Sequence, V>(_ map: M, _ w: inout ByteWriter, _ value: (inout ByteWriter, V) -> Void)
    where M.Element == (key: String, value: V) {
        let sorted = map.sorted { $0.key < $1.key }
        w.u32(UInt32(sorted.count))
        for (key, v) in sorted {
            w.string(key)
            value(&w, v)
            w.spillIfNeeded()
        }
    }

    /// A list keyed by each item's name. Two items with one name cannot come from this writer:
    /// such a snapshot is damaged, and says so (`Dictionary(uniqueKeysWithValues:)` traps:
    /// found by the storage fuzz target, a crash at start-up instead of a refusal).
    static func keyed<T>(_ items: [T], _ what: String, _ key: (T) -> String) throws(CodecError) -> [String: T] {
        var keyed: [String: T] = [:]
        keyed.reserveCapacity(items.count)
        for item in items {
            let name = key(item)
            guard keyed.updateValue(item, forKey: name) == nil else { throw CodecError("\(what) \(name) appears twice") }
        }
        return keyed
    }

    public init(from r: inout ByteReader) throws(CodecError) {
        self.init()
        users = try Ledger.keyed(try r.array(User.self), "user") { $0.name }
        locations = try Ledger.keyed(try r.array(Location.self), "location") { $0.code }
        products = try Ledger.keyed(try r.array(Product.self), "SKU") { $0.sku }
        parties = try Ledger.keyed(try r.array(Party.self), "party") { $0.id }
        balances = try Ledger.readMap(&r) { (r: inout ByteReader) throws(CodecError) in try r.read(Money.self) }
        // Released chunks (format 14) cost an empty array each: at most one a byte of the state.
        var released = r.remaining
        entries = try Ledger.readMap(&r) { (r: inout ByteReader) throws(CodecError) in
            r.format >= .v14 ? try r.chunks(LedgerEntry.self, budget: &released) : try r.chunkedArray(LedgerEntry.self)
        }
        reasons = try Ledger.keyed(try r.array(Reason.self), "reason") { $0.code }
        policy = Policy(windowDays: try r.i64())
        let orderIDs = try r.array(Order.self).map { order in
            orders[order.id] = order
            return order.id
        }
        if r.format >= .v16 {
            returns = try r.chunks(ReturnRequest.self, budget: &released)
            try readReturnKeys(&r)
        } else {
            returns = try r.chunkedArray(ReturnRequest.self)
            for _ in 0..<(try r.count()) {
                let key = try r.string(), number = try r.int()
                // As applying the records made it: each keyed return once, under its own key.
                guard !key.isEmpty, number > 0, number <= returns.count, sameBytes(returns[number - 1].key, key),
                      returnKeys.number(key, inHeld: returns) == nil else {
                    throw CodecError("return key \(key) names return \(number), which has another key, or twice")
                }
                returnKeys.insert(key, number)
            }
        }
        if r.format >= .v15 {
            var previous = Int64.min
            for _ in 0..<(try r.count()) {
                let day = try r.i64()
                let n = try r.count()
                guard day > previous, StatsIndex.days.contains(day), n > 0, n <= DocumentIndex.maxSerial else {
                    throw CodecError("documents of day \(day): \(n), or the day twice or out of range")
                }
                previous = day
                var numbers = [UInt32]()
                numbers.reserveCapacity(n)
                for _ in 0..<n {
                    let number = try r.u32()
                    guard number <= returns.count else { throw CodecError("a document of day \(day) names return \(number)") }
                    numbers.append(number)
                }
                guard numbers.last != 0 else { throw CodecError("documents of day \(day) end in a gap") }
                documents.restore(day: day, numbers)
                guard documents.places <= 2 * documents.count + (1 << 20) else { throw CodecError("documents of day \(day) leave gaps") }
            }
        }
        for _ in 0..<(try r.count()) {
            let doc = try r.string(), number = try r.int()
            // A document names a return filed (DOC and the chain read it).
            guard number >= 1, number <= returns.count else { throw CodecError("document \(doc) names return \(number)") }
            documents[doc] = number
            // Issued without gaps, in byte order `-10000` comes before `-1001`: a date's array may
            // run ahead, never by much (a crafted serial would ask for megabytes a document).
            guard documents.places <= 2 * documents.count + (1 << 20) else { throw CodecError("document \(doc) leaves a gap") }
        }
        for _ in 0..<(try r.count()) { documentsPerDay[try r.i64()] = try r.int() }
        for _ in 0..<(try r.count()) {
            let sku = try r.string()
            var slots: [StockSlot: StockLevel] = [:]
            for _ in 0..<(try r.count()) {
                let slot = StockSlot(location: try r.string(), batch: try r.string())
                slots[slot] = StockLevel(onHand: try r.i64(), quarantine: try r.i64())
            }
            stock[sku] = slots
        }
        notices = r.format >= .v14 ? try r.chunks(Notice.self, budget: &released) : try r.chunkedArray(Notice.self)
        if r.format >= .v14 {
            let (count, releasedChunks) = try r.chunkedHead(elementsPerChunk: AuditLog.entriesPerChunk, budget: &released)
            let words = r.format >= .v15 ? try r.strings() : []
            guard audit.restore(words: words) else { throw CodecError("audit words: one appears twice") }
            while audit.count < count {
                if releasedChunks.contains(audit.count / AuditLog.entriesPerChunk) {
                    audit.appendReleasedChunk()
                } else if r.format >= .v15 {
                    let row = AuditLog.PackedRow(seq: try r.int(), at: try r.read(), user: try r.u32(), peer: try r.u32(),
                                                 command: try r.u32(), outcome: try r.u32(), target: try r.string())
                    guard max(row.user, row.peer, row.command, row.outcome) < words.count else {
                        throw CodecError("audit entry \(audit.count + 1) names a word past \(words.count)")
                    }
                    audit.append(row)
                } else {
                    audit.append(try AuditEntry(from: &r))
                }
            }
        } else {
            for _ in 0..<(try r.count()) { audit.append(try AuditEntry(from: &r)) }
        }
        payments = try r.int()
        for (user, times) in try Ledger.readMap(&r, { (r: inout ByteReader) throws(CodecError) in try r.array(Timestamp.self) }) {
            loginFailures[user] = times
        }
        for (user, until) in try Ledger.readMap(&r, { (r: inout ByteReader) throws(CodecError) in try r.read(Timestamp.self) }) {
            lockedUntil[user] = until
        }
        if r.format >= .v4 { rules = try Ledger.keyed(try r.array(Rule.self), "rule") { $0.code } }
        if r.format >= .v5 {
            policy.customerReturns = try r.i64()
            policy.customerDays = try r.i64()
        }
        if r.format >= .v6 {  // older states: UTC throughout
            var periods: [BusinessCalendar.Period] = []
            for _ in 0..<(try r.count()) { periods.append(BusinessCalendar.Period(since: try r.read(), zone: try r.read())) }
            policy.calendar = BusinessCalendar(periods: periods)
        }
        if r.format >= .v8 {
            tillSessions = try r.array()
            for (party, lots) in try Ledger.readMap(&r, { (r: inout ByteReader) throws(CodecError) in try r.array(CreditLot.self) }) {
                creditLots[party] = lots
            }
            policy.creditDays = try r.i64()
            policy.offlineHours = try r.i64()
            policy.crossStore = try r.bool()
        } else {
            upgradeTenders()  // what replaying the older records derives
        }
        if r.format >= .v9 {
            policy.taxIncluded = try r.bool()  // older states: prices include tax
            for record in try r.array(VoidRecord.self) {
                guard record.number >= 1, record.number <= returns.count else { throw CodecError("a VOID names return \(record.number)") }
                voids[record.number] = record
            }
            closes = try r.array()
        } else {
            chainDocuments()  // older documents are chained as first loaded
        }
        if r.format >= .v10 {
            for _ in 0..<(try r.count()) {
                let sku = try r.string()
                let slot = StockSlot(location: try r.string(), batch: try r.string())
                var level = stock[sku]?[slot] ?? StockLevel()
                level.rtv = try r.i64(); level.refurbish = try r.i64(); level.transit = try r.i64()
                stock[sku, default: [:]][slot] = level
            }
            stockMoves = try r.array()
        }
        if r.format >= .v11 {
            for transfer in try r.array(Transfer.self) { transfers[transfer.id] = transfer }
        }
        if r.format >= .v11 { categories = try Ledger.keyed(try r.array(Category.self), "category") { $0.code } }
        if r.format >= .v11 {
            for _ in 0..<(try r.count()) {
                let sku = try r.string()
                var records: [String: SerialRecord] = [:]
                for _ in 0..<(try r.count()) {
                    let serial = try r.string()
                    var record = SerialRecord()
                    if try r.bool() {
                        record.place = SerialPlace(slot: StockSlot(location: try r.string(), batch: try r.string()), state: try r.enumValue())
                    }
                    record.lastSale = try r.string()
                    // Replay drops an empty record (`Ledger.place`): a snapshot holding one would differ from its log.
                    guard !record.isEmpty else { throw CodecError("\(sku) serial \(serial) has an empty record") }
                    guard records.updateValue(record, forKey: serial) == nil else { throw CodecError("\(sku) serial \(serial) appears twice") }
                }
                // One entry per SKU, never an empty one (replay drops a SKU whose last record goes).
                guard !records.isEmpty else { throw CodecError("serial registry: \(sku) has no serials") }
                guard serialRegistry.updateValue(records, forKey: sku) == nil else { throw CodecError("serial registry: \(sku) appears twice") }
            }
        }
        if r.format >= .v13 { archives = try r.array() }
        try checkArchivesTake()
        try checkReleased()
        if r.format >= .v14 {
            for _ in 0..<(try r.count()) {
                let party = try r.string()
                broughtForward[party] = BroughtForward(at: try r.read(), amount: try r.i64())
            }
        }
        if r.format >= .v15 {
            stats = try r.read()
            // Every return filed is counted once, in its filing date's bucket.
            guard stats.buckets.values.reduce(0, { $0 + $1.filed }) == returns.count else {
                throw CodecError("stats count other than the \(returns.count) returns filed")
            }
            var previous = -1
            for _ in 0..<(try r.count()) {
                let i = Int(try r.u32())
                guard i > previous, i < orderIDs.count else { throw CodecError("returns of order \(i) out of order or range") }
                previous = i
                orders[orderIDs[i]]!.returnNumbers = try r.numbers(through: returns.count)
            }
            for _ in 0..<(try r.count()) {
                let party = try r.string()
                guard returnsByParty.updateValue(try r.numbers(through: returns.count), forKey: party) == nil else {
                    throw CodecError("returns of party \(party) appear twice")
                }
            }
            let codes = try r.strings()
            guard Set(codes).count == codes.count else { throw CodecError("list rows: a location twice") }
            guard try r.count() == returns.count else { throw CodecError("list rows: not one a return") }
            var rows = ChunkedArray<ReturnListIndex.Row>()
            for i in 0..<returns.count {
                let row = ReturnListIndex.Row(day: Int32(bitPattern: try r.u32()), location: try r.u32(), state: try r.u8(), kind: try r.u8())
                guard row.location < codes.count, row.state <= ReturnListIndex.lastStateCode, row.kind <= 1 else {
                    throw CodecError("list row of return \(i + 1) out of range")
                }
                // The rows say which returns are open (only those are read when loaded): at least
                // those must be.
                guard !row.isOpen || (returns.isHeld(i) && returns[i].state.isOpen) else {
                    throw CodecError("list row of return \(i + 1): open, the return is not")
                }
                rows.append(row)
            }
            restore(listIndex: ReturnListIndex(locations: codes, rows: rows))
        }
        if r.format >= .v16 { restore(chainHead: try r.read()) }
        rebuildIndexes(kept: r.format >= .v15, chainKept: r.format >= .v16)
        // An archive takes finished returns only: a state whose archive took an open one is damaged
        // (releasing it would leave the review queue naming a return no longer in memory).
        if !archives.isEmpty, let open = openReturns.first(where: { n in archives.contains { $0.taken.returns.contains(n) } }) {
            throw CodecError("return \(open) is open, and archived")
        }
        guard chainHeadMatchesLastDocument else { throw CodecError("the chain's head is not its last document's hash") }
        // What the archives took leaves memory once the indexes are made (an older state's are
        // rebuilt from every return).
        if r.format >= .v14 {
            releaseArchivedRecords()
        } else {
            adoptArchivesHeld()  // a format 13 state still held what its archives took
        }
    }

    /// A format 16 state's key index as held: every slot checked where it can be (its number
    /// filed, once; a held return's key hashes to it), so a crafted one throws, never traps.
    private mutating func readReturnKeys(_ r: inout ByteReader) throws(CodecError) {
        var shards: [[UInt64]] = []
        shards.reserveCapacity(256)
        // The numbers indexed, a bit each (a set of a million numbers cost a tenth of a second).
        var seen = [UInt64](repeating: 0, count: returns.count / 64 + 1)
        func first(_ number: Int) -> Bool {
            let (word, bit) = (number >> 6, UInt64(1) << UInt64(number & 63))
            defer { seen[word] |= bit }
            return seen[word] & bit == 0
        }
        for shard in 0..<256 {
            let n = try r.count()
            // An open-addressing table: a power of two, at least 8 slots, at most half full.
            guard n == 0 || (n >= 8 && n & (n - 1) == 0) else { throw CodecError("return key shard \(shard) of \(n) slots") }
            var slots = [UInt64]()
            slots.reserveCapacity(n)
            var used = 0
            for _ in 0..<n {
                let slot = try r.u64()
                slots.append(slot)
                guard slot != 0 else { continue }
                used += 1
                let number = Int(slot & 0xFFFF_FFFF)
                guard number >= 1, number <= returns.count, first(number) else {
                    throw CodecError("return key slot names return \(number), unfiled or twice")
                }
                if returns.isHeld(number - 1) {
                    guard let place = ReturnKeyIndex.slot(returns[number - 1].key, number), place.shard == shard, place.tag == slot >> 32 else {
                        throw CodecError("return key slot of return \(number) is not its key's")
                    }
                }
            }
            guard 2 * used <= n else { throw CodecError("return key shard \(shard) over half full") }
            // Each slot where a lookup finds it: no empty slot between its tag's place and it.
            for (i, slot) in slots.enumerated() where slot != 0 {
                var j = Int(truncatingIfNeeded: slot >> 32) & (n - 1)
                while j != i {
                    guard slots[j] != 0 else { throw CodecError("return key slot \(i) of shard \(shard) is out of its place") }
                    j = (j + 1) & (n - 1)
                }
            }
            shards.append(slots)
        }
        var apart: [String: Int] = [:]
        for _ in 0..<(try r.count()) {
            let key = try r.string(), number = try r.int()
            guard !key.isEmpty, number >= 1, number <= returns.count, first(number),
                  !returns.isHeld(number - 1) || sameBytes(returns[number - 1].key, key),
                  apart.updateValue(number, forKey: key) == nil else {
                throw CodecError("return key \(key) names return \(number), which has another key, or twice")
            }
        }
        // Every keyed return in memory is indexed (one missing would let its key file a second return).
        for i in returns.indices where returns.isHeld(i) && !returns[i].key.isEmpty && first(i + 1) {
            throw CodecError("return \(i + 1)'s key is not indexed")
        }
        returnKeys = ReturnKeyIndex(shardSlots: shards, keysApart: apart)
    }

    /// What the archives took of the audit trail, the notices and the accounts lies within them
    /// (loading releases and sums it: a crafted state must throw, not trap or run for hours).
    private func checkArchivesTake() throws(CodecError) {
        for archive in archives {
            let taken = archive.taken
            // Returns filed and finished: an open one (its LIST row says so, format 15 on) is never taken.
            if let first = taken.returns.runs.first?.lowerBound, first < 1 || taken.returns.runs.last!.upperBound > returns.count {
                throw CodecError("\(archive.name) took returns outside 1...\(returns.count)")
            }
            if let last = taken.audit.runs.last?.upperBound, last >= audit.count {
                throw CodecError("\(archive.name) took audit entry \(last + 1) of \(audit.count)")
            }
            if let first = taken.notices.runs.first?.lowerBound, first < 1 || taken.notices.runs.last!.upperBound > notices.count {
                throw CodecError("\(archive.name) took notices outside 1...\(notices.count)")
            }
            for (party, positions) in taken.entries {
                guard let last = positions.runs.last?.upperBound else { continue }
                guard last < entries[party]?.count ?? 0 else { throw CodecError("\(archive.name) took \(party)'s entry \(last) it does not have") }
            }
        }
    }

    /// Only what the archives took is ever released (replay releases nothing else): a state that
    /// released more is damaged.
    private func checkReleased() throws(CodecError) {
        let releasedAudit = audit.releasedChunks, releasedNotices = notices.releasedChunks, releasedReturns = returns.releasedChunks
        let accounts = entries.map { ($0.key, $0.value.releasedChunks) }.filter { !$0.1.isEmpty }
        guard !releasedAudit.isEmpty || !releasedNotices.isEmpty || !releasedReturns.isEmpty || !accounts.isEmpty else { return }
        let archived = ArchiveSelection.union(archives.map(\.taken))
        let size = AuditLog.entriesPerChunk
        for chunk in releasedAudit where !archived.audit.contains(chunk * size...(chunk + 1) * size - 1) {
            throw CodecError("audit chunk \(chunk) is released but no archive took it")
        }
        // Notices are taken by number: position + 1.
        for chunk in releasedNotices where !archived.notices.contains(chunk * size + 1...(chunk + 1) * size) {
            throw CodecError("notice chunk \(chunk) is released but no archive took it")
        }
        // Returns too (format 16).
        let returnsPerChunk = ChunkedArray<ReturnRequest>.elementsPerChunk
        for chunk in releasedReturns where !archived.returns.contains(chunk * returnsPerChunk + 1...(chunk + 1) * returnsPerChunk) {
            throw CodecError("return chunk \(chunk) is released but no archive took it")
        }
        for (party, chunks) in accounts {
            for chunk in chunks where !(archived.entries[party]?.contains(chunk * size...(chunk + 1) * size - 1) ?? false) {
                throw CodecError("\(party)'s ledger entry chunk \(chunk) is released but no archive took it")
            }
        }
    }

    private static func readMap<V>(_ r: inout ByteReader,
                                   _ value: (inout ByteReader) throws(CodecError) -> V) throws(CodecError) -> ShardedDictionary<String, V> {
        var map = ShardedDictionary<String, V>()
        let n = try r.count()
        map.reserveCapacity(n)
        for _ in 0..<n {
            let key = try r.string()
            map[key] = try value(&r)
        }
        return map
    }

    /// A fingerprint of the whole state (CRC-32C of its canonical bytes, and their length):
    /// equal states give equal digests, so replay can be checked against the live server.
    public var digest: String {
        var w = ByteWriter(capacity: 1 << 16)
        write(to: &w)
        let crc = CRC32C.checksum(w.bytes)
        let hex = String(crc, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex + "-" + String(w.bytes.count)  // hex: not zeroPadded
    }
}
