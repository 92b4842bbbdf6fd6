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
            appendHex(to: buffer.baseAddress!)
            return 64
        }
    }

    func appendHex(to base: UnsafeMutablePointer<UInt8>) {
        var i = 0
        for w in [words.0, words.1, words.2, words.3] {
            for shift in stride(from: 60, through: 0, by: -4) {
                let nibble = UInt8(truncatingIfNeeded: w >> UInt64(shift)) & 15
                base[i] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
                i += 1
            }
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

    /// The next link: SHA-256 of `previous` in hex, LF, `text`.
    public static func chain(_ previous: DocHash, _ text: [UInt8]) -> DocHash {
        var input = [UInt8](repeating: 0x0A, count: 65 + text.count)
        input.withUnsafeMutableBufferPointer { buffer in
            previous.appendHex(to: buffer.baseAddress!)
            (buffer.baseAddress! + 65).update(from: text, count: text.count)
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            input.withUnsafeBufferPointer { _ = SHA256($0.baseAddress, $0.count, digest.baseAddress) }
            return DocHash(digest: UnsafeRawBufferPointer(digest))
        }
    }
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

extension Ledger {
    /// A document's canonical lines (protocol.md, Document chain): line 1's fields, then one
    /// line per item and per replacement item. FEED's `doc.issued` and `doc.item` lines carry
    /// the same fields, so head office can recompute the chain from the feed alone.
    public static func documentFields(_ header: DocumentHeader, _ request: ReturnRequest) -> (head: [Field], items: [[Field]]) {
        let date = documentDay(header.doc).map { CivilDate(daysSinceEpoch: $0).description } ?? ""
        let head = [
            Field("doc", header.doc), Field("doc_type", header.type), Field("voids", header.voids), Field("date", date),
            Field("issued_at", header.issuedAt.description), Field("return", request.id), Field("kind", request.kind.rawValue),
            Field("party", request.party), Field("order", request.order), Field("location", request.location),
            Field("reason", header.reason), Field("filed_by", header.filedBy), Field("approved_by", header.approvedBy),
            Field("amount", request.amount.description), Field("tax", request.tax.description),
            Field("fee", request.fee.description), Field("fee_tax", request.feeTax.description),
            Field("net", request.net.description), Field("net_tax", request.netTax.description),
            Field("refund", header.refund), Field("tender", header.tender), Field("exchange_order", request.exchangeOrder),
            Field("due", request.exchange.isEmpty ? "" : request.due.description),
        ]
        var items: [[Field]] = []
        items.reserveCapacity(request.items.count + request.exchange.count)
        for item in request.items {
            items.append([Field("part", "item"), Field("sku", item.sku), Field("qty", String(item.quantity)), Field("batch", item.batch),
                          Field("price", item.price.description), Field("amount", item.amount.description),
                          Field("tax_rate", item.taxRate.description), Field("tax", item.tax.description)])
        }
        for line in request.exchange {
            items.append([Field("part", "exchange"), Field("sku", line.sku), Field("qty", String(line.quantity)), Field("batch", line.batch),
                          Field("price", line.price.description), Field("amount", line.amount.description),
                          Field("tax_rate", line.taxRate.description), Field("tax", line.tax.description)])
        }
        return (head, items)
    }

    /// The canonical text: the canonical lines, `key=value` as on the wire, each ending in LF.
    public static func canonicalText(_ header: DocumentHeader, _ request: ReturnRequest) -> [UInt8] {
        let fields = documentFields(header, request)
        var out: [UInt8] = []
        out.reserveCapacity(400 + 120 * fields.items.count)
        FieldText.appendLine(fields.head, to: &out)
        for item in fields.items { FieldText.appendLine(item, to: &out) }
        return out
    }
}
