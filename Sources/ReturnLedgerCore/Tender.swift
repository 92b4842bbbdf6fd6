/// How money changed hands at the till (protocol.md, Tenders): cash, a card, the customer's store
/// credit, or anything else (a voucher, a transfer).
public enum TenderKind: String, Sendable, Equatable, CaseIterable {
    case cash, card, credit, other

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

    /// Appended into one string (three `+` built two strings on the way: ~1.7k instructions an
    /// APPROVE reply, callgrind).
    public var description: String {
        var text = kind.rawValue
        text.append(":")
        text.append(amount.description)
        if !ref.isEmpty {
            text.append("#")
            text.append(ref)
        }
        return text
    }

    /// Whether two tenders are the same instrument (the same kind and reference).
    public func sameInstrument(as other: Tender) -> Bool { kind == other.kind && ref == other.ref }

    /// A list as the wire writes it: `card:60.00#4242,cash:40.00`; `""` when empty.
    public static func text(_ tenders: [Tender]) -> String {
        switch tenders.count {
        case 0: return ""
        case 1: return tenders[0].description  // most replies: one part
        default: return tenders.map(\.description).joined(separator: ",")
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
        var body = Substring(text)
        var ref = ""
        if let hash = body.firstIndex(of: "#") {
            ref = String(body[body.index(after: hash)...])
            body = body[..<hash]
            guard Identifier.isValid(ref) else {
                throw DomainError(.INVALID, "tender \(text.prefix(64)): the reference after # must be 1-64 of A-Z a-z 0-9 . _ -")
            }
        }
        guard let colon = body.firstIndex(of: ":"), let kind = TenderKind(rawValue: body[..<colon].lowercased()) else {
            throw DomainError(.INVALID, "tender \(text.prefix(64)) must be KIND:AMOUNT[#REF], KIND one of cash, card, credit, other")
        }
        guard let amount = Money(parsing: body[body.index(after: colon)...]), amount > .zero else {
            throw DomainError(.INVALID, "tender \(text.prefix(64)): the amount must be money above 0.00")
        }
        if !ref.isEmpty, kind == .cash || kind == .credit {
            throw DomainError(.INVALID, "tender \(text.prefix(64)): only card and other take a #REF")
        }
        self.init(kind, amount, ref: ref)
    }

    /// A comma-joined list: `cash` or `credit` twice, or one KIND#REF twice, is INVALID.
    public static func list(parsing text: String) throws(DomainError) -> [Tender] {
        var tenders: [Tender] = []
        for token in text.split(separator: ",", omittingEmptySubsequences: false) {
            let tender = try Tender(parsing: String(token))
            if tenders.contains(where: { $0.sameInstrument(as: tender) }) {
                throw DomainError(.INVALID, "tender \(tender.kind.rawValue)\(tender.ref.isEmpty ? "" : "#" + tender.ref) is named twice")
            }
            tenders.append(tender)
        }
        return tenders
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
