/// One session of a till (a cash drawer), from TILL OPEN to TILL CLOSE: the float it started
/// with, what each tender took and handed back through it, pay-ins and pay-outs, and at the close
/// what was counted (protocol.md, Till sessions).
public struct TillSession: Sendable, Equatable {
    /// 1-based sequence over all tills; printed as `T000001`.
    public var number: Int
    public var till: String
    public var location: String
    public var float: Money
    public var note: String
    public var openedBy: String
    public var openedAt: Timestamp
    /// Per tender kind (`TenderKind.index`), in minor units: taken by sales and exchange dues,
    /// handed back by refunds.
    public var taken: [Int64] = [0, 0, 0, 0]
    public var refunded: [Int64] = [0, 0, 0, 0]
    public var paidIn = Money.zero
    public var paidOut = Money.zero
    public var closing: Closing? = nil

    public struct Closing: Sendable, Equatable {
        public var counted: Money
        /// Expected cash when it was closed, kept so a later change of rules never recomputes it.
        public var expected: Money
        public var note: String
        public var by: String
        public var at: Timestamp
        public init(counted: Money, expected: Money, note: String, by: String, at: Timestamp) {
            self.counted = counted; self.expected = expected; self.note = note; self.by = by; self.at = at
        }
        public var variance: Money { Money(minor: counted.minor - expected.minor) }
    }

    public init(number: Int, till: String, location: String, float: Money, note: String, openedBy: String, openedAt: Timestamp) {
        self.number = number; self.till = till; self.location = location; self.float = float; self.note = note
        self.openedBy = openedBy; self.openedAt = openedAt
    }

    public var id: String { TillSession.id(number) }
    public static func id(_ number: Int) -> String { "T" + zeroPadded(number, width: 6) }
    public static func number(_ id: String) -> Int? {
        guard id.count >= 2, id.first == "T", let n = Int(id.dropFirst()), n > 0 else { return nil }
        return n
    }

    public var isOpen: Bool { closing == nil }

    /// Cash that should be in the drawer: float + cash taken + pay-ins − cash handed back − pay-outs.
    /// Every movement was checked to keep it within money's range and never below zero.
    public var expected: Money {
        if let closing { return closing.expected }
        return Money(minor: float.minor + taken[0] + paidIn.minor - refunded[0] - paidOut.minor)
    }

    /// What a cash movement of `delta` would leave expected at: nil past money's range.
    func expected(after delta: Int64) -> Money? { expected.adding(Money(minor: delta)) }
}

/// A pay-in or pay-out: cash put into or taken out of a drawer outside a sale (change, a supplier
/// paid from the till).
public enum TillMoveKind: String, Sendable, Equatable { case payin, payout }
