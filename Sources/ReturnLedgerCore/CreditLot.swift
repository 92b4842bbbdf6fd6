/// Store credit given to a customer, one lot per document (a refund, an exchange's change, a
/// return without a receipt), each with its own expiry (protocol.md, Store credit). Spent soonest
/// expiring first; what a lot may give is also capped by what the account owes the customer.
public struct CreditLot: Sendable, Equatable {
    /// The document that issued it (`RT-20261206-0001`).
    public var id: String
    public var at: Timestamp
    public var amount: Money
    public var remaining: Money
    /// Nil: never expires.
    public var expires: Timestamp?
    /// Set by a void (section 20); a voided lot gives nothing and is never written off.
    public var voided = false
    /// Set when a period close wrote off what was left of it.
    public var writtenOff = false

    public init(id: String, at: Timestamp, amount: Money, expires: Timestamp?) {
        self.id = id; self.at = at; self.amount = amount; self.remaining = amount; self.expires = expires
    }

    public func isExpired(at now: Timestamp) -> Bool { expires.map { now >= $0 } ?? false }

    /// Whether it can still be spent at `now`.
    public func isActive(at now: Timestamp) -> Bool { !voided && !writtenOff && remaining > .zero && !isExpired(at: now) }

    /// CREDIT's `state=`.
    public func state(at now: Timestamp) -> String {
        if voided { return "voided" }
        if writtenOff || (remaining > .zero && isExpired(at: now)) { return "expired" }
        return remaining > .zero ? "active" : "spent"
    }
}

extension Ledger {
    /// A customer's spendable credit at `now`: the remaining of unexpired lots, never above what
    /// the account owes the customer (−balance, else 0).
    public func availableCredit(_ party: String, at now: Timestamp) -> Money {
        let lots = creditLots[party] ?? []
        let held = lots.reduce(Int64(0)) { $0 + ($1.isActive(at: now) ? $1.remaining.minor : 0) }
        let owed = max(0, -(balances[party] ?? .zero).minor)
        return Money(minor: min(held, owed))
    }

    /// The lots `amount` is drawn from: soonest expiry first, never-expiring last, ties the
    /// oldest. Nil when the lots hold less (the caller checks `availableCredit` first).
    func drawLots(_ party: String, _ amount: Money, at now: Timestamp) -> [LotDraw]? {
        let lots = (creditLots[party] ?? []).enumerated().filter { $0.element.isActive(at: now) }
        let ordered = lots.sorted { a, b in
            switch (a.element.expires, b.element.expires) {
            case let (x?, y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.offset < b.offset
            }
        }
        var rest = amount.minor
        var draws: [LotDraw] = []
        for (_, lot) in ordered where rest > 0 {
            let take = min(lot.remaining.minor, rest)
            draws.append(LotDraw(lot: lot.id, amount: Money(minor: take)))
            rest -= take
        }
        return rest == 0 ? draws : nil
    }

    /// A lot given to a customer.
    mutating func issue(_ lot: CreditLot, to party: String) {
        creditLots[party, default: []].append(lot)
        if lot.remaining > .zero { openCreditLots += 1 }
    }

    /// Derived after a snapshot is loaded: the lots with something left.
    mutating func countOpenCreditLots() {
        openCreditLots = creditLots.values.reduce(0) { $0 + $1.filter { $0.remaining > .zero && !$0.voided && !$0.writtenOff }.count }
    }

    /// Takes drawn amounts off their lots.
    mutating func spend(_ party: String, _ draws: [LotDraw]) {
        guard !draws.isEmpty else { return }
        for draw in draws {
            guard let i = creditLots[party]?.firstIndex(where: { $0.id == draw.lot }) else { continue }
            creditLots[party]![i].remaining = Money(minor: creditLots[party]![i].remaining.minor - draw.amount.minor)
            if creditLots[party]![i].remaining == .zero { openCreditLots -= 1 }
        }
    }
}
