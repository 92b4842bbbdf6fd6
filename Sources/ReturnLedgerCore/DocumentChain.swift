internal import CSHA256

/// A document's place in the chain (protocol.md, Document chain): SHA-256 of the previous
/// document's hash in lowercase hex, LF, and the document's canonical text. Kept as four words
/// (32 bytes inline in the return, no allocation); printed as 64 hex digits.
public struct DocHash: Sendable, Hashable, CustomStringConvertible {
    public var words: (UInt64, UInt64, UInt64, UInt64)

    public init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

    /// The previous hash of the first document: 64 zeros.
    public static let zero = DocHash(words: (0, 0, 0, 0))

    public static func == (a: DocHash, b: DocHash) -> Bool { a.words == b.words }
    public func hash(into h: inout Hasher) { h.combine(words.0); h.combine(words.1); h.combine(words.2); h.combine(words.3) }

    /// The 32 digest bytes, big-endian word by word (the digest's own byte order).
    public init(digest: UnsafeRawBufferPointer) {
        func word(_ i: Int) -> UInt64 {
            var w: UInt64 = 0
            for k in 0..<8 { w = w << 8 | UInt64(digest[i * 8 + k]) }
            return w
        }
        words = (word(0), word(1), word(2), word(3))
    }

    /// 64 lowercase hex digits.
    public var description: String {
        String(unsafeUninitializedCapacity: 64) { buffer in
            writeHex(to: buffer.baseAddress!)
            return 64
        }
    }

    /// 64 hex digits (either case); nil for anything else.
    public init?(hex: some StringProtocol) {
        let bytes = Array(hex.utf8)
        guard bytes.count == 64 else { return nil }
        var parsed: [UInt64] = [0, 0, 0, 0]
        for (i, c) in bytes.enumerated() {
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x61...0x66: v = c - 0x57
            case 0x41...0x46: v = c - 0x37
            default: return nil
            }
            parsed[i / 16] = parsed[i / 16] << 4 | UInt64(v)
        }
        words = (parsed[0], parsed[1], parsed[2], parsed[3])
    }

    /// SHA-256 of the bytes, through libcrypto's EVP interface with the digest fetched once
    /// (the one-shot `SHA256()` looks the algorithm up by name on every call).
    static func digest(_ input: UnsafeBufferPointer<UInt8>) -> DocHash {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { out in
            var size: UInt32 = 0
            guard EVP_Digest(input.baseAddress, input.count, out.baseAddress, &size, SHA256Algorithm.fetched, nil) == 1, size == 32 else {
                preconditionFailure("SHA-256 from libcrypto failed")
            }
            return DocHash(digest: UnsafeRawBufferPointer(out))
        }
    }

    /// The 64 hex digits at `base`.
    func writeHex(to base: UnsafeMutablePointer<UInt8>) {
        // Word by word (a list of the four words was an allocation per hash written).
        Self.writeHex(words.0, to: base)
        Self.writeHex(words.1, to: base + 16)
        Self.writeHex(words.2, to: base + 32)
        Self.writeHex(words.3, to: base + 48)
    }

    /// One word's 16 hex digits, most significant first.
    private static func writeHex(_ word: UInt64, to base: UnsafeMutablePointer<UInt8>) {
        for i in 0..<16 {
            let nibble = UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * i)) & 15
            base[i] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
        }
    }
}

/// libcrypto's SHA-256, fetched once for the process and never freed.
private enum SHA256Algorithm {
    nonisolated(unsafe) static let fetched: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)
}

/// What sets one document's canonical text apart from its return's values: a return's own
/// document, or (with VOID) a void repeating the voided document's values with its own.
public struct DocumentHeader: Sendable {
    public var doc: String
    public var type: String
    public var voids: String
    public var issuedAt: Timestamp
    public var reason: String
    public var filedBy: String
    public var approvedBy: String
    public var refund: String
    public var tender: String

    /// A return's own document, from the approved return.
    public init(_ request: ReturnRequest) {
        doc = request.doc; type = "return"; voids = ""; issuedAt = request.approvedAt ?? request.filedAt
        reason = request.reason; filedBy = request.filedBy; approvedBy = request.approvedBy
        refund = Tender.text(request.refundParts); tender = Tender.text(request.dueTenders)
    }
}

/// Where a document's canonical lines go (protocol.md, Document chain): straight into bytes for
/// its hash (`CanonicalWriter`, into memory `CanonicalBound` sized), or into fields for FEED's `doc.issued` and `doc.item` lines
/// (`DocumentFieldLines`). One routine, `Ledger.writeDocument`, says what the lines hold, so the
/// feed a head office recomputes the chain from is the text that was hashed.
protocol DocumentSink {
    mutating func field(_ key: StaticString, _ value: String)
    mutating func field(_ key: StaticString, _ value: Money)
    mutating func field(_ key: StaticString, rate: Percent)
    mutating func field(_ key: StaticString, _ value: Int64)
    mutating func field(_ key: StaticString, _ value: Timestamp)
    mutating func field(_ key: StaticString, date day: Int64)
    mutating func endLine()
}

/// What the canonical text can take at most, value by value: the scratch memory it is written
/// into is sized by a first pass over the document.
struct CanonicalBound: DocumentSink {
    var bytes = 0
    private mutating func add(_ key: StaticString, _ value: Int) { bytes += key.utf8CodeUnitCount + 2 + value }
    mutating func field(_ key: StaticString, _ value: String) { add(key, FieldText.bound(value.utf8.count)) }
    mutating func field(_ key: StaticString, _ value: Money) { add(key, Money.textBound) }
    mutating func field(_ key: StaticString, rate: Percent) { add(key, Money.textBound) }
    mutating func field(_ key: StaticString, _ value: Int64) { add(key, 20) }
    mutating func field(_ key: StaticString, _ value: Timestamp) { add(key, Timestamp.textBound) }
    mutating func field(_ key: StaticString, date day: Int64) { add(key, CivilDate.textBound) }
    mutating func endLine() { bytes += 1 }
}

/// The canonical text written through a pointer into scratch memory `CanonicalBound` sized, each
/// value as the wire writes it, no string made per value: it is hashed on every approval.
struct CanonicalWriter: DocumentSink {
    let base: UnsafeMutablePointer<UInt8>
    var count = 0
    private var lineStarted = false

    init(base: UnsafeMutablePointer<UInt8>) { self.base = base }

    private mutating func key(_ key: StaticString) {
        if lineStarted {
            base[count] = 0x20
            count += 1
        }
        lineStarted = true
        (base + count).update(from: key.utf8Start, count: key.utf8CodeUnitCount)
        count += key.utf8CodeUnitCount
        base[count] = UInt8(ascii: "=")
        count += 1
    }

    mutating func field(_ key: StaticString, _ value: String) {
        self.key(key)
        value.withUTF8InPlace { FieldText.write($0, to: base, count: &count) }
    }
    mutating func field(_ key: StaticString, _ value: Money) { self.key(key); count += value.write(to: base + count) }
    mutating func field(_ key: StaticString, rate: Percent) { self.key(key); count += Money(minor: rate.hundredths).write(to: base + count) }
    mutating func field(_ key: StaticString, _ value: Int64) {
        self.key(key)
        let start = count
        var digits = value.magnitude
        repeat {
            base[count] = UInt8(ascii: "0") + UInt8(digits % 10)
            count += 1
            digits /= 10
        } while digits > 0
        if value < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        var digitsWritten = UnsafeMutableBufferPointer(start: base + start, count: count - start)
        digitsWritten.reverse()
    }
    mutating func field(_ key: StaticString, _ value: Timestamp) { self.key(key); count += value.write(to: base + count) }
    mutating func field(_ key: StaticString, date day: Int64) { self.key(key); count += CivilDate(daysSinceEpoch: day).write(to: base + count) }
    mutating func endLine() {
        base[count] = 0x0A
        count += 1
        lineStarted = false
    }
}

/// The canonical lines as reply fields, for FEED.
struct DocumentFieldLines: DocumentSink {
    var lines: [[Field]] = [[]]

    private mutating func add(_ key: StaticString, _ value: String) { lines[lines.count - 1].append(Field(key.description, value)) }
    mutating func field(_ key: StaticString, _ value: String) { add(key, value) }
    mutating func field(_ key: StaticString, _ value: Money) { add(key, value.description) }
    mutating func field(_ key: StaticString, rate: Percent) { add(key, rate.description) }
    mutating func field(_ key: StaticString, _ value: Int64) { add(key, String(value)) }
    mutating func field(_ key: StaticString, _ value: Timestamp) { add(key, value.description) }
    mutating func field(_ key: StaticString, date day: Int64) { add(key, CivilDate(daysSinceEpoch: day).description) }
    mutating func endLine() { lines.append([]) }
}

extension Ledger {
    /// A document's canonical lines (protocol.md, Document chain): line 1 with the document's
    /// fields, then one line per item and per replacement item, in that order.
    static func writeDocument<Sink: DocumentSink>(_ header: DocumentHeader, _ request: ReturnRequest, into sink: inout Sink) {
        sink.field("doc", header.doc)
        sink.field("doc_type", header.type)
        sink.field("voids", header.voids)
        if let day = documentDay(header.doc) { sink.field("date", date: day) } else { sink.field("date", "") }
        sink.field("issued_at", header.issuedAt)
        sink.field("return", request.id)
        sink.field("kind", request.kind.rawValue)
        sink.field("party", request.party)
        sink.field("order", request.order)
        sink.field("location", request.location)
        sink.field("reason", header.reason)
        sink.field("filed_by", header.filedBy)
        sink.field("approved_by", header.approvedBy)
        sink.field("amount", request.amount)
        sink.field("tax", request.tax)
        sink.field("fee", request.fee)
        sink.field("fee_tax", request.feeTax)
        sink.field("net", request.net)
        sink.field("net_tax", request.netTax)
        sink.field("refund", header.refund)
        sink.field("tender", header.tender)
        sink.field("exchange_order", request.exchangeOrder)
        if request.exchange.isEmpty { sink.field("due", "") } else { sink.field("due", request.due) }
        sink.endLine()
        for item in request.items {
            writeItem(part: "item", item.sku, item.quantity, item.batch, item.price, item.amount, item.taxRate, item.tax, into: &sink)
        }
        for line in request.exchange {
            writeItem(part: "exchange", line.sku, line.quantity, line.batch, line.price, line.amount, line.taxRate, line.tax, into: &sink)
        }
    }

    /// `part=item|exchange sku= qty= batch= price= amount= tax_rate= tax=`: a returned item or a
    /// replacement item, alike.
    private static func writeItem<Sink: DocumentSink>(part: String, _ sku: String, _ quantity: Int64, _ batch: String, _ price: Money,
                                                      _ amount: Money, _ taxRate: Percent, _ tax: Money, into sink: inout Sink) {
        sink.field("part", part)
        sink.field("sku", sku)
        sink.field("qty", quantity)
        sink.field("batch", batch)
        sink.field("price", price)
        sink.field("amount", amount)
        sink.field("tax_rate", rate: taxRate)
        sink.field("tax", tax)
        sink.endLine()
    }

    /// The canonical lines as fields: line 1, then the item lines (FEED's `doc.issued`, `doc.item`).
    public static func documentFields(_ header: DocumentHeader, _ request: ReturnRequest) -> (head: [Field], items: [[Field]]) {
        var sink = DocumentFieldLines()
        writeDocument(header, request, into: &sink)
        sink.lines.removeLast()  // after the last line's end
        return (sink.lines[0], Array(sink.lines.dropFirst()))
    }

    /// A document's hash: SHA-256 of the previous hash in hex, LF and the canonical text, written
    /// into one piece of scratch memory.
    public static func documentHash(after previous: DocHash, _ header: DocumentHeader, _ request: ReturnRequest) -> DocHash {
        withCanonicalText(header, request, after: previous) { DocHash.digest($0) }
    }

    /// The canonical text: the canonical lines, `key=value` as on the wire, each ending in LF.
    public static func canonicalText(_ header: DocumentHeader, _ request: ReturnRequest) -> [UInt8] {
        withCanonicalText(header, request, after: nil) { Array($0) }
    }

    /// The canonical text in scratch memory for `body`, after the previous hash in hex and LF
    /// when one is given: sized by a first pass, written by a second.
    private static func withCanonicalText<R>(_ header: DocumentHeader, _ request: ReturnRequest, after previous: DocHash?,
                                             _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var bound = CanonicalBound()
        writeDocument(header, request, into: &bound)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 65 + bound.bytes) { buffer in
            var writer = CanonicalWriter(base: buffer.baseAddress!)
            if let previous {
                previous.writeHex(to: buffer.baseAddress!)
                buffer[64] = 0x0A
                writer.count = 65
            }
            writeDocument(header, request, into: &writer)
            return body(UnsafeBufferPointer(start: buffer.baseAddress!, count: writer.count))
        }
    }
}
