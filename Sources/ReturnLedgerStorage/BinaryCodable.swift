public import ReturnLedgerCore

/// A value the log or a snapshot can hold. Written field by field in declaration order; a new
/// field goes at the end of its type, behind a format version bump.
public protocol BinaryCodable {
    func write(to w: inout ByteWriter)
    init(from r: inout ByteReader) throws(CodecError)
}

extension ByteWriter {
    mutating func write<T: BinaryCodable>(_ value: T) { value.write(to: &self) }

    mutating func array<C: Collection>(_ values: C) where C.Element: BinaryCodable {
        u32(UInt32(values.count))
        for v in values {
            v.write(to: &self)
            spillIfNeeded()
        }
    }

    mutating func enumValue<E: RawRepresentable>(_ value: E) where E.RawValue == String { string(value.rawValue) }

    /// The head of a list kept in chunks (format 14; the audit trail too): its length, then the
    /// runs of its chunks released to archives.
    mutating func chunkedHead(count: Int, released: IDRuns) {
        u32(UInt32(count))
        write(released)
    }

    /// A chunked list whose archived chunks may have left memory (format 14): its head (length,
    /// released chunks), then the elements held.
    mutating func chunks<T: BinaryCodable>(_ values: ChunkedArray<T>) {
        chunkedHead(count: values.count, released: values.releasedChunks)
        for v in values.held {
            v.write(to: &self)
            spillIfNeeded()
        }
    }
}

extension ByteWriter {
    /// Return numbers, oldest first (format 15: an order's, a party's): the count, then 4 bytes each.
    mutating func numbers(_ values: ReturnNumbers) {
        u32(UInt32(values.count))
        for n in values { u32(UInt32(n)) }
    }

    /// A list of strings: its count, then each (location codes, rule codes).
    mutating func strings(_ values: [String]) {
        u32(UInt32(values.count))
        for value in values { string(value) }
    }
}

extension ByteReader {
    /// Return numbers as `ByteWriter.numbers` wrote them: each a return the state holds
    /// (1...`last`), strictly rising as they were filed.
    mutating func numbers(through last: Int) throws(CodecError) -> ReturnNumbers {
        var numbers = ReturnNumbers()
        let n = try count()
        numbers.reserveCapacity(n)
        var previous = 0
        for _ in 0..<n {
            let number = Int(try u32())
            guard number > previous, number <= last else { throw CodecError("return \(number) out of order or past \(last)") }
            numbers.append(number)
            previous = number
        }
        return numbers
    }

    mutating func strings() throws(CodecError) -> [String] {
        var values: [String] = []
        for _ in 0..<(try count()) { values.append(try string()) }
        return values
    }

    mutating func read<T: BinaryCodable>(_: T.Type = T.self) throws(CodecError) -> T { try T(from: &self) }

    mutating func array<T: BinaryCodable>(_: T.Type = T.self) throws(CodecError) -> [T] {
        let n = try count()
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try T(from: &self)) }
        return out
    }

    /// A head written by `chunkedHead`. A released chunk costs no bytes here but an empty array
    /// in memory: `budget` (the state's, shared by all its lists) bounds how many a crafted state
    /// can ask for. Released chunks are whole ones within the list.
    mutating func chunkedHead(elementsPerChunk size: Int, budget: inout Int) throws(CodecError) -> (count: Int, released: IDRuns) {
        let count = Int(try u32())  // released chunks cost no bytes: not `count()`
        let released: IDRuns = try read()
        // Runs are 4-byte numbers: no overflow.
        guard released.runs.last.map({ $0.upperBound < count / size }) ?? true else {
            throw CodecError("a list of \(count) releases chunks \(released.runs)")
        }
        budget -= released.count
        guard budget >= 0 else { throw CodecError("the state releases more chunks than its size allows") }
        return (count, released)
    }

    /// A list written by `chunks` (`budget`: see `chunkedHead`).
    mutating func chunks<T: BinaryCodable>(_: T.Type = T.self, budget: inout Int) throws(CodecError) -> ChunkedArray<T> {
        let size = ChunkedArray<T>.elementsPerChunk
        let (count, released) = try chunkedHead(elementsPerChunk: size, budget: &budget)
        // Each chunk sized to what it holds (a party's few ledger entries, not room for 1,024).
        var chunks: [[T]] = []
        var position = 0
        while position < count {
            if released.contains(chunks.count) {
                chunks.append([])
                position += size
                continue
            }
            let n = Swift.min(size, count - position)
            var chunk: [T] = []
            chunk.reserveCapacity(n)
            for _ in 0..<n { chunk.append(try T(from: &self)) }
            chunks.append(chunk)
            position += n
        }
        return ChunkedArray(chunks: chunks)
    }

    /// An array written by `array`, decoded into a `ChunkedArray`'s chunks as it is read; the
    /// last chunk sized to what it holds (a party's few ledger entries, not room for 1,024).
    mutating func chunkedArray<T: BinaryCodable>(_: T.Type = T.self) throws(CodecError) -> ChunkedArray<T> {
        var left = try count()
        var chunks: [[T]] = []
        chunks.reserveCapacity((left + ChunkedArray<T>.elementsPerChunk - 1) / ChunkedArray<T>.elementsPerChunk)
        while left > 0 {
            let n = min(left, ChunkedArray<T>.elementsPerChunk)
            var chunk: [T] = []
            chunk.reserveCapacity(n)
            for _ in 0..<n { chunk.append(try T(from: &self)) }
            chunks.append(chunk)
            left -= n
        }
        return ChunkedArray(chunks: chunks)
    }

    /// A count or position the state keeps in 4 bytes (a line of an order, a return's number):
    /// 0...UInt32.max, or the record is damage, not a trap.
    mutating func number(_ what: String) throws(CodecError) -> Int {
        let n = try int()
        guard n >= 0, n <= Int(UInt32.max) else { throw CodecError("\(what) \(n) out of range") }
        return n
    }

    mutating func enumValue<E: RawRepresentable>(_: E.Type = E.self) throws(CodecError) -> E where E.RawValue == String {
        let raw = try string()
        guard let value = E(rawValue: raw) else { throw CodecError("unknown \(E.self) \(raw)") }
        return value
    }

    /// The same for an enum read in every record (see `ByteMatchedEnum`).
    mutating func enumValue<E: ByteMatchedEnum>(_: E.Type = E.self) throws(CodecError) -> E {
        let (value, raw) = try stringBytes { utf8 in
            E.byBytes.value(utf8).map { ($0, "") } ?? (nil, String(decoding: utf8, as: UTF8.self))
        }
        guard let value else { throw CodecError("unknown \(E.self) \(raw)") }
        return value
    }
}

/// An enum read once or more in every return, ledger entry or notice of a snapshot: matched by
/// its raw value's bytes against a table made once (no String made, no string switch: a
/// quarter of what decoding such a record cost).
protocol ByteMatchedEnum: RawRepresentable, CaseIterable, Sendable where RawValue == String {
    static var byBytes: EnumByBytes<Self> { get }
}

struct EnumByBytes<E: RawRepresentable & CaseIterable & Sendable>: Sendable where E.RawValue == String {
    private let cases: [(low: UInt64, high: UInt64, value: E)]

    init() {
        cases = E.allCases.compactMap { value in
            var raw = value.rawValue
            return raw.withUTF8 { utf8 in
                guard !utf8.isEmpty, utf8.count <= StringInterner.inlineBytes else { return nil }
                let (low, high) = StringInterner.pack(utf8)
                return (low, high, value)
            }
        }
    }

    /// The case whose raw value these bytes are; a longer raw value goes the String way.
    @inline(__always)
    func value(_ utf8: UnsafeBufferPointer<UInt8>) -> E? {
        guard !utf8.isEmpty, utf8.count <= StringInterner.inlineBytes else { return E(rawValue: String(decoding: utf8, as: UTF8.self)) }
        let (low, high) = StringInterner.pack(utf8)
        for c in cases where c.low == low && c.high == high { return c.value }
        return nil
    }
}

extension EntryKind: ByteMatchedEnum { static let byBytes = EnumByBytes<EntryKind>() }
extension NoticeKind: ByteMatchedEnum { static let byBytes = EnumByBytes<NoticeKind>() }
extension ReturnState: ByteMatchedEnum { static let byBytes = EnumByBytes<ReturnState>() }
extension OrderKind: ByteMatchedEnum { static let byBytes = EnumByBytes<OrderKind>() }

extension Money: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.i64(minor) }
    public init(from r: inout ByteReader) throws(CodecError) { self.init(minor: try r.i64()) }
}

extension Timestamp: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.i64(seconds) }
    public init(from r: inout ByteReader) throws(CodecError) { self.init(seconds: try r.i64()) }
}

/// By name only: the rules come from tzdata on replay (format 6).
extension BusinessZone: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.string(name) }
    public init(from r: inout ByteReader) throws(CodecError) { self = .replaying(try r.string()) }
}

extension User: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.string(name); w.enumValue(role); w.string(passwordHash); w.bool(enabled)
        w.write(locations)  // since format 3
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(name: try r.string(), role: try r.enumValue(), passwordHash: try r.string(), enabled: try r.bool())
        if r.format >= .v3 { locations = try r.read() }  // older users work everywhere
    }
}

/// `*` as an empty flag byte 1; a list as 0 and its codes.
extension Scope: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        switch self {
        case .everywhere: w.bool(true)
        case .only(let codes):
            w.bool(false)
            w.strings(codes)
        }
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        if try r.bool() { self = .everywhere; return }
        self = .only(try r.strings())
    }
}

extension Location: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.string(code); w.string(name); w.enumValue(kind); w.string(site) }  // site: format 11
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(code: try r.string(), name: try r.string(), kind: try r.enumValue())
        if r.format >= .v11 { site = try r.string() }  // older locations: each its own site
    }
}

extension Product: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.string(sku); w.string(name); w.write(price); w.write(cost); w.bool(inspect)
        w.i64(tax.hundredths)  // since format 9
        w.string(supplier)  // since format 10
        w.string(category); w.write(terms); w.bool(serial)  // since format 11
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(sku: try r.string(), name: try r.string(), price: try r.read(), cost: try r.read(), inspect: try r.bool())
        if r.format >= .v9 { tax = Percent(hundredths: try r.i64()) }  // older SKUs: no tax
        if r.format >= .v10 { supplier = try r.string() }  // older SKUs: no supplier
        if r.format >= .v11 { category = try r.string(); terms = try r.read(); serial = try r.bool() }
    }
}

/// Each setting as a presence flag and its value (format 11).
extension ReturnTerms: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.bool(returnDays != nil); if let returnDays { w.i64(returnDays) }
        w.bool(finalSale != nil); if let finalSale { w.bool(finalSale) }
        w.bool(fee != nil); if let fee { w.i64(fee.hundredths) }
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init()
        if try r.bool() { returnDays = try r.i64() }
        if try r.bool() { finalSale = try r.bool() }
        if try r.bool() { fee = Percent(hundredths: try r.i64()) }
    }
}

extension Category: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.string(code); w.string(name); w.write(terms) }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(code: try r.string(), name: try r.string(), terms: try r.read())
    }
}

extension Party: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.string(id); w.enumValue(kind); w.string(name); w.bool(rmaRequired) }  // rma: format 10
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(id: try r.string(), kind: try r.enumValue(), name: try r.string())
        if r.format >= .v10 { rmaRequired = try r.bool() }
    }
}

extension Reason: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.string(code); w.string(label); w.i64(fee.hundredths) }  // fee: format 5
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(code: try r.string(), label: try r.string())
        if r.format >= .v5 { fee = Percent(hundredths: try r.i64()) }  // older reasons cost no fee
    }
}

extension OrderLine: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.string(sku); w.i64(quantity); w.write(price); w.string(batch); w.i64(returned); w.i64(pending)
        // Since format 9: one byte saying what follows (most lines carry no tax and no discount:
        // nothing more): 1 the tax rate and tax, 2 the discount share, 4 tax added on top.
        // Since format 11: 8, the serials follow.
        let taxed = taxRate.hundredths != 0 || tax.minor != 0, discounted = discount.minor != 0
        w.u8((taxed ? 1 : 0) | (discounted ? 2 : 0) | (taxExcluded ? 4 : 0) | (serials.isEmpty ? 0 : 8))
        if taxed { w.i64(taxRate.hundredths); w.write(tax) }
        if discounted { w.write(discount) }
        if !serials.isEmpty { w.strings(serials) }
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(sku: try r.string(), quantity: try r.i64(), price: try r.read(), batch: try r.string())
        returned = try r.i64()
        pending = try r.i64()
        guard r.format >= .v9 else { return }  // older lines: no tax, no discount
        let flags = try r.u8()
        guard flags < (r.format >= .v11 ? 16 : 8) else { throw CodecError("order line tax flags \(flags)") }
        if flags & 1 != 0 {
            taxRate = Percent(hundredths: try r.i64())
            tax = try r.read()
        }
        if flags & 2 != 0 { discount = try r.read() }
        taxExcluded = flags & 4 != 0
        if flags & 8 != 0 { serials = try r.strings() }
    }
}

extension Order: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.string(id); w.enumValue(kind); w.string(location); w.string(party); w.bool(paid); w.write(at)
        w.array(lines); w.write(total)
        // Since format 8: tenders, what returns charged to them, the till and session, credit drawn.
        w.array(givenTenders); w.array(refunded); w.int(session); w.array(draws)
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(id: try r.string(), kind: try r.enumValue(), location: try r.string(), party: try r.string(),
                  paid: try r.bool(), at: try r.read(), lines: try r.array(), total: try r.read())
        guard r.format >= .v8 else { return }  // before tenders every paid sale was cash: the default
        givenTenders = try r.array()
        refunded = try r.array()
        session = try r.int()
        draws = try r.array()
    }
}

/// The kind as one byte (its `index`): a tender is on most sales and approvals.
extension Tender: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.u8(UInt8(kind.index)); w.write(amount); w.string(ref) }
    public init(from r: inout ByteReader) throws(CodecError) {
        let index = Int(try r.u8())
        guard index < TenderKind.allCases.count else { throw CodecError("unknown tender kind \(index)") }
        self.init(TenderKind.allCases[index], try r.read(), ref: try r.string())
    }
}

/// An approval's tenders, as its outcome and its return keep them (format 8).
extension TenderMoves: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.array(parts); w.array(dueTenders); w.array(chargeAmounts); w.int(session); w.bool(tenderOverride)
        w.bool(lot != nil)
        lot?.write(to: &w)
    }
    public convenience init(from r: inout ByteReader) throws(CodecError) {
        let parts: [Tender] = try r.array(), dueTenders: [Tender] = try r.array(), charges: [Money] = try r.array()
        let session = try r.int(), tenderOverride = try r.bool()
        let lot: CreditLot? = try r.bool() ? try r.read() : nil
        self.init(parts: parts, dueTenders: dueTenders, charges: charges, session: session, tenderOverride: tenderOverride, lot: lot)
    }
}

extension LotDraw: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.string(lot); w.write(amount) }
    public init(from r: inout ByteReader) throws(CodecError) { self.init(lot: try r.string(), amount: try r.read()) }
}

extension CreditLot: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.string(id); w.write(at); w.write(amount); w.write(remaining); w.bool(expires != nil); w.write(expires ?? Timestamp(seconds: 0))
        w.bool(voided); w.bool(writtenOff)
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(id: try r.string(), at: try r.read(), amount: try r.read(), expires: nil)
        remaining = try r.read()
        let expires = try r.bool()
        let when: Timestamp = try r.read()
        self.expires = expires ? when : nil
        voided = try r.bool()
        writtenOff = try r.bool()
    }
}

extension TillSession: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.int(number); w.string(till); w.string(location); w.write(float); w.string(note); w.string(openedBy); w.write(openedAt)
        for k in 0..<4 { w.i64(taken[k]); w.i64(refunded[k]) }
        w.write(paidIn); w.write(paidOut)
        w.bool(closing != nil)
        if let c = closing { w.write(c.counted); w.write(c.expected); w.string(c.note); w.string(c.by); w.write(c.at) }
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(number: try r.int(), till: try r.string(), location: try r.string(), float: try r.read(), note: try r.string(),
                  openedBy: try r.string(), openedAt: try r.read())
        for k in 0..<4 { taken[k] = try r.i64(); refunded[k] = try r.i64() }
        paidIn = try r.read()
        paidOut = try r.read()
        if try r.bool() {
            closing = Closing(counted: try r.read(), expected: try r.read(), note: try r.string(), by: try r.string(), at: try r.read())
        }
    }
}

extension ReturnItem: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.string(sku); w.i64(quantity); w.string(batch); w.write(price); w.int(line); w.write(amount); w.bool(quarantined)
        // Since format 9: whether it carries tax (most items do not: nothing more), then the rate and tax.
        // Since format 11 the byte is a set of flags: 1 tax, 2 serials follow.
        let taxed = taxRate.hundredths != 0 || tax.minor != 0
        w.u8((taxed ? 1 : 0) | (serials.isEmpty ? 0 : 2))
        if taxed { w.i64(taxRate.hundredths); w.write(tax) }
        if !serials.isEmpty { w.strings(serials) }
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(sku: try r.string(), quantity: try r.i64(), batch: try r.string(), price: try r.read(),
                  line: try r.number("an item's line"), amount: try r.read(), quarantined: try r.bool())
        guard r.format >= .v9 else { return }  // older items: no tax
        guard r.format >= .v11 else {
            guard try r.bool() else { return }  // untaxed: no tax
            taxRate = Percent(hundredths: try r.i64())
            tax = try r.read()
            return
        }
        let flags = try r.u8()
        guard flags < 4 else { throw CodecError("return item flags \(flags)") }
        if flags & 1 != 0 {
            taxRate = Percent(hundredths: try r.i64())
            tax = try r.read()
        }
        if flags & 2 != 0 { serials = try r.strings() }
    }
}

extension ReturnEvent: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.write(at); w.string(user); w.string(action); w.string(note) }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(at: try r.read(), user: try r.string(), action: try r.string(), note: try r.string())
    }
}

extension ReturnRequest: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.int(number); w.enumValue(kind); w.string(order); w.string(party); w.string(location); w.array(items)
        w.write(amount); w.string(reason); w.string(note); w.string(key); w.string(filedBy); w.write(filedAt)
        w.enumValue(state); w.string(doc); w.string(approvedBy)
        w.bool(approvedAt != nil); w.write(approvedAt ?? Timestamp(seconds: 0))
        w.string(refund?.rawValue ?? ""); w.string(approvalNote); w.array(history)
        // Since format 4: what the rules decided, and the first of two approvals.
        w.write(flow); w.string(firstApprovedBy); w.bool(firstApprovedAt != nil)
        w.write(firstApprovedAt ?? Timestamp(seconds: 0)); w.string(firstApprovalNote)
        // Since format 5: the exchange, the override, and what the completing approval kept.
        w.array(exchange); w.string(exchangeText); w.bool(override); w.i64(feeRate.hundredths); w.write(fee); w.write(due)
        // Since format 8: the till, an offline return's time, and the completing approval's tenders.
        w.string(till); w.bool(takenAt != nil); w.write(takenAt ?? Timestamp(seconds: 0))
        w.bool(tenders != nil); tenders?.write(to: &w)
        // Since format 9: the document's hash; then whether it carries tax (most do not: nothing
        // more), then the tax in the amount and the part of it the fee carries.
        w.write(docHash)
        let taxed = tax.minor != 0 || feeTax.minor != 0
        w.bool(taxed)
        if taxed { w.write(tax); w.write(feeTax) }
        // Since format 10: INSPECT's decisions; whether it has supplier terms (most returns: no), then them.
        w.array(disposals)
        w.bool(supplier != nil)
        supplier?.write(to: &w)
        w.u8(waivers.rawValue)  // since format 11
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(number: try r.number("a return's number"), kind: try r.enumValue(), order: try r.string(), party: try r.string(),
                  location: try r.string(), items: try r.array(), amount: try r.read(), reason: try r.string(),
                  note: try r.string(), key: try r.string(), filedBy: try r.string(), filedAt: try r.read())
        state = try r.enumValue()
        doc = try r.string()
        approvedBy = try r.string()
        let hasApproval = try r.bool()
        let approvedAt: Timestamp = try r.read()
        self.approvedAt = hasApproval ? approvedAt : nil
        let refund = try r.string()
        self.refund = refund.isEmpty ? nil : RefundMode(rawValue: refund)
        approvalNote = try r.string()
        history = try r.array()
        guard r.format >= .v4 else { legacyDisposals(); return }  // filed before rules existed: none matched
        flow = try r.read()
        firstApprovedBy = try r.string()
        let hasFirst = try r.bool()
        let firstAt: Timestamp = try r.read()
        firstApprovedAt = hasFirst ? firstAt : nil
        firstApprovalNote = try r.string()
        guard r.format >= .v5 else { legacyDisposals(); return }  // filed before exchanges and fees: none
        exchange = try r.array()
        exchangeText = try r.string()
        override = try r.bool()
        if override { waivers = .limit }  // before format 11 an override waived the customer limit
        feeRate = Percent(hundredths: try r.i64())
        fee = try r.read()
        due = try r.read()
        guard r.format >= .v8 else { legacyDisposals(); return }  // filed before tills: the snapshot's loader derives the tenders
        till = try r.string()
        let late = try r.bool()
        let at: Timestamp = try r.read()
        takenAt = late ? at : nil
        if try r.bool() { tenders = try r.read() }
        guard r.format >= .v9 else { legacyDisposals(); return }  // issued before the chain: the snapshot's loader chains it
        docHash = try r.read()
        if try r.bool() {  // filed before tax, or untaxed: none
            tax = try r.read()
            feeTax = try r.read()
        }
        guard r.format >= .v10 else { legacyDisposals(); return }
        disposals = try r.array()
        if try r.bool() { supplier = try SupplierTerms.read(&r) }
        guard r.format >= .v11 else { return }
        waivers = Waivers(rawValue: try r.u8())
    }

    /// A return inspected before format 10, as replaying its `returnInspected` record makes it:
    /// its history's disposition for every quarantined unit, worth 0.00.
    private mutating func legacyDisposals() {
        guard let event = history.first(where: { $0.action == "inspected" }),
              let disposition = Disposition(rawValue: String(event.note.prefix { $0 != ":" })) else { return }
        disposals = Ledger.legacyInspection(self, disposition, note: "", by: event.user, at: event.at).disposals
    }
}

extension LedgerEntry: BinaryCodable {
    public func write(to w: inout ByteWriter) { w.write(at); w.enumValue(kind); w.string(doc); w.write(amount); w.write(balance) }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(at: try r.read(), kind: try r.enumValue(), doc: try r.string(), amount: try r.read(), balance: try r.read())
    }
}

extension Notice: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.int(number); w.write(at); w.string(party); w.enumValue(kind); w.string(doc); w.write(amount); w.int(returnNumber)
        w.string(order)
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(number: try r.int(), at: try r.read(), party: try r.string(), kind: try r.enumValue(), doc: try r.string(),
                  amount: try r.read(), returnNumber: try r.number("a notice's return"), order: try r.string())
    }
}

extension AuditEntry: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.int(seq); w.write(at); w.string(user); w.string(peer); w.string(command); w.string(target); w.string(outcome)
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(seq: try r.int(), at: try r.read(), user: try r.string(), peer: try r.string(), command: try r.string(),
                  target: try r.string(), outcome: try r.string())
    }
}

extension ReturnFlow: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.strings(rules); w.string(secondRole?.rawValue ?? ""); w.bool(inspect); w.bool(auto)
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(rules: try r.strings())
        let role = try r.string()
        if !role.isEmpty {
            guard let known = Role(rawValue: role) else { throw CodecError("unknown role \(role)") }
            secondRole = known
        }
        inspect = try r.bool()
        auto = try r.bool()
    }
}

/// Optional conditions as a presence flag and the value.
extension Rule: BinaryCodable {
    public func write(to w: inout ByteWriter) {
        w.string(code); w.enumValue(then); w.string(kind?.rawValue ?? ""); w.string(location ?? "")
        w.string(reason ?? ""); w.string(sku ?? "")
        w.bool(minAmount != nil); w.write(minAmount ?? .zero); w.bool(maxAmount != nil); w.write(maxAmount ?? .zero)
        w.bool(noReceipt); w.string(role?.rawValue ?? ""); w.string(note)
    }
    public init(from r: inout ByteReader) throws(CodecError) {
        self.init(code: try r.string(), then: try r.enumValue())
        let kind = try r.string()
        if !kind.isEmpty {
            guard let k = OrderKind(rawValue: kind) else { throw CodecError("unknown kind \(kind)") }
            self.kind = k
        }
        let location = try r.string(), reason = try r.string(), sku = try r.string()
        self.location = location.isEmpty ? nil : location
        self.reason = reason.isEmpty ? nil : reason
        self.sku = sku.isEmpty ? nil : sku
        let hasMin = try r.bool(), min: Money = try r.read(), hasMax = try r.bool(), max: Money = try r.read()
        minAmount = hasMin ? min : nil
        maxAmount = hasMax ? max : nil
        noReceipt = try r.bool()
        let role = try r.string()
        if !role.isEmpty {
            guard let known = Role(rawValue: role) else { throw CodecError("unknown role \(role)") }
            self.role = known
        }
        note = try r.string()
    }
}
