/// How money changed hands at the till (protocol.md, Tenders): cash, a card, the customer's store
/// credit, or anything else (a voucher, a transfer).
public enum TenderKind: String, Sendable, Equatable, CaseIterable {
    case cash, card, credit, other

    /// The kind a word names, in any case of ASCII letters (`CASH`, `Card`); nil for anything
    /// else. The names are ASCII lowercase letters, so no other character can fold onto one.
    init?(word: Slice<UnsafeBufferPointer<UInt8>>) {
        for kind in Self.allCases {
            let name = kind.rawValue.utf8
            guard name.count == word.count else { continue }
            var same = true
            for (letter, byte) in zip(name, word) where letter != byte {
                // Only an upper-case ASCII letter folds onto its lower case.
                if byte < UInt8(ascii: "A") || byte > UInt8(ascii: "Z") || byte | 0x20 != letter { same = false; break }
            }
            if same { self = kind; return }
        }
        return nil
    }

    /// The order TILL SHOW lists the kinds in, and the index of a kind's figures in a session.
    public var index: Int {
        switch self {
        case .cash: return 0
        case .card: return 1
        case .credit: return 2
        case .other: return 3
        }
    }
}

/// One tender: `KIND:AMOUNT[#REF]` (`card:60.00#4242`). REF (a card token or its last four
/// digits, a voucher number) only on `card` and `other`, and it tells two cards apart.
public struct Tender: Sendable, Equatable, CustomStringConvertible {
    public var kind: TenderKind
    public var amount: Money
    public var ref: String

    public init(_ kind: TenderKind, _ amount: Money, ref: String = "") {
        self.kind = kind; self.amount = amount; self.ref = ref
    }

    public var description: String { Tender.text(CollectionOfOne(self)) }

    /// Whether two tenders are the same instrument (the same kind and reference).
    public func sameInstrument(as other: Tender) -> Bool { kind == other.kind && ref == other.ref }

    /// A list as the wire writes it: `card:60.00#4242,cash:40.00`; `""` when empty.
    public static func text(_ tenders: [Tender]) -> String {
        tenders.isEmpty ? "" : text(tenders[...])
    }

    /// Written into one buffer and made a String once: each part's description appended and the
    /// parts joined cost ~2.5k instructions of an APPROVE refunding two tenders (callgrind). Made
    /// by `String(decoding:)`, so a list of up to 15 bytes (`card:6.00#4242`) allocates nothing.
    static func text<C: Collection<Tender>>(_ tenders: C) -> String {
        // A kind (at most 6), `:`, money, `#` and the ref, `,`.
        let capacity = tenders.reduce(0) { $0 + 9 + Money.textBound + $1.ref.utf8.count }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            let base = buffer.baseAddress!
            var count = 0
            func put(_ bytes: UnsafeBufferPointer<UInt8>) {
                (base + count).update(from: bytes.baseAddress!, count: bytes.count)
                count += bytes.count
            }
            for tender in tenders {
                if count > 0 { base[count] = UInt8(ascii: ","); count += 1 }
                tender.kind.rawValue.withUTF8InPlace(put)
                base[count] = UInt8(ascii: ":"); count += 1
                count += tender.amount.write(to: base + count)
                if !tender.ref.isEmpty {
                    base[count] = UInt8(ascii: "#"); count += 1
                    tender.ref.withUTF8InPlace(put)
                }
            }
            return String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
        }
    }

    /// The amounts added up, checked (nil past money's range).
    public static func total(_ tenders: [Tender]) -> Money? {
        var sum = Money.zero
        for t in tenders {
            guard let next = sum.adding(t.amount) else { return nil }
            sum = next
        }
        return sum
    }

    /// Minor units of the tenders of one kind, or of every kind but one: one pass, no list built
    /// (on the approval path).
    static func sum(_ tenders: [Tender], of kind: TenderKind) -> Int64 {
        var sum: Int64 = 0
        for t in tenders where t.kind == kind { sum += t.amount.minor }
        return sum
    }

    static func sum(_ tenders: [Tender], otherThan kind: TenderKind) -> Int64 {
        var sum: Int64 = 0
        for t in tenders where t.kind != kind { sum += t.amount.minor }
        return sum
    }

    /// The same instruments with the amounts given (in order); those left at 0.00 dropped unless
    /// `keepingZero`.
    static func withAmounts(_ tenders: [Tender], _ amounts: [Money], keepingZero: Bool = false) -> [Tender] {
        var out: [Tender] = []
        out.reserveCapacity(tenders.count)
        for i in tenders.indices where keepingZero || amounts[i] > .zero {
            out.append(Tender(tenders[i].kind, amounts[i], ref: tenders[i].ref))
        }
        return out
    }

    /// One tender token; INVALID with what is wrong.
    public init(parsing text: String) throws(DomainError) {
        self = try text.withUTF8InPlace { Tender.parse($0[...]) }.get()
    }

    /// A comma-joined list: `cash` or `credit` twice, or one KIND#REF twice, is INVALID. An empty
    /// part (`cash:1.00,`) is a tender that is not one: INVALID.
    public static func list(parsing text: String) throws(DomainError) -> [Tender] {
        try text.withUTF8InPlace { bytes -> Result<[Tender], DomainError> in
            var tenders: [Tender] = []
            // As many as there are parts (one allocation; a sale keeps its list).
            tenders.reserveCapacity(1 + bytes.reduce(0) { $0 + ($1 == UInt8(ascii: ",") ? 1 : 0) })
            // Its own loop, not `forEachPart`: through that closure a SALE paid two ways cost ~300
            // instructions more (callgrind).
            var start = 0
            while true {
                let comma = bytes[start...].firstIndex(of: UInt8(ascii: ","))
                let tender: Tender
                switch parse(bytes[start..<(comma ?? bytes.count)]) {
                case .success(let parsed): tender = parsed
                case .failure(let error): return .failure(error)
                }
                if tenders.contains(where: { $0.sameInstrument(as: tender) }) {
                    return .failure(DomainError(.INVALID, "tender \(tender.kind.rawValue)\(tender.ref.isEmpty ? "" : "#" + tender.ref) is named twice"))
                }
                tenders.append(tender)
                guard let comma else { return .success(tenders) }
                start = comma + 1
            }
        }.get()
    }

    /// One token's UTF-8 bytes (`KIND:AMOUNT[#REF]`). Read on bytes: `#`, `:` and the kinds are
    /// ASCII, and walking Characters (grapheme breaking) made a SALE's `tender=` of two parts
    /// cost ~55k instructions, nearly doubling the SALE (callgrind).
    private static func parse(_ token: Slice<UnsafeBufferPointer<UInt8>>) -> Result<Tender, DomainError> {
        func invalid(_ why: String) -> Result<Tender, DomainError> {
            let text = String(decoding: UnsafeBufferPointer(rebasing: token), as: UTF8.self)
            return .failure(DomainError(.INVALID, "tender \(text.prefix(64))\(why)"))
        }
        var body = token
        var ref = ""
        if let hash = token.firstIndex(of: UInt8(ascii: "#")) {
            let refBytes = UnsafeBufferPointer(rebasing: token[(hash + 1)...])
            guard Identifier.isValid(utf8: refBytes) else {
                return invalid(": the reference after # must be 1-64 of A-Z a-z 0-9 . _ -")
            }
            ref = String(decoding: refBytes, as: UTF8.self)
            body = token[..<hash]
        }
        guard let colon = body.firstIndex(of: UInt8(ascii: ":")), let kind = TenderKind(word: body[..<colon]) else {
            return invalid(" must be KIND:AMOUNT[#REF], KIND one of cash, card, credit, other")
        }
        guard let amount = Money(utf8: body[(colon + 1)...]), amount > .zero else {
            return invalid(": the amount must be money above 0.00")
        }
        if !ref.isEmpty, kind == .cash || kind == .credit {
            return invalid(": only card and other take a #REF")
        }
        return .success(Tender(kind, amount, ref: ref))
    }

    /// Several tenders' amounts merged per instrument, in first-seen order (an exchange sale's
    /// tenders: the parts absorbed plus the due's).
    static func merged(_ tenders: [Tender]) -> [Tender] {
        var out: [Tender] = []
        for t in tenders where t.amount > .zero {
            if let i = out.firstIndex(where: { $0.sameInstrument(as: t) }) {
                out[i].amount = Money(minor: out[i].amount.minor + t.amount.minor)
            } else {
                out.append(t)
            }
        }
        return out
    }
}

/// APPROVE's `refund=`: the sale's tenders mirrored (the default), all in cash or store credit,
/// or the parts named.
public enum RefundChoice: Sendable, Equatable {
    case original, cash, credit
    case parts([Tender])

    public init(parsing text: String) throws(DomainError) {
        switch text.lowercased() {
        case "original": self = .original
        case "cash": self = .cash
        case "credit": self = .credit
        default: self = .parts(try Tender.list(parsing: text))
        }
    }

    /// The refund mode of records before tenders (and of FEED's `refund=`).
    var legacyMode: RefundMode? {
        switch self {
        case .cash: return .cash
        case .credit: return .credit
        case .original, .parts: return nil
        }
    }
}

/// Amounts taken from one store-credit lot.
public struct LotDraw: Sendable, Equatable {
    public var lot: String
    public var amount: Money
    public init(lot: String, amount: Money) { self.lot = lot; self.amount = amount }
}
