/// One movement on a party's account. Balance > 0: the party owes us; < 0: we owe the party.
public enum EntryKind: String, Sendable, Equatable, CaseIterable { case sale, purchase, payment, credit_note, debit_note, void, credit_expired, credit_difference }

public struct LedgerEntry: Sendable, Equatable {
    public var at: Timestamp
    public var kind: EntryKind
    public var doc: String
    /// Signed effect on the balance.
    public var amount: Money
    public var balance: Money

    public init(at: Timestamp, kind: EntryKind, doc: String, amount: Money, balance: Money) {
        self.at = at; self.kind = kind; self.doc = doc; self.amount = amount; self.balance = balance
    }
}

public enum PaymentDirection: String, Sendable, Equatable { case `in`, out }

/// What the party is told about an approved return.
public enum NoticeKind: String, Sendable, Equatable, CaseIterable { case credit_note, debit_note, refund, void }

public struct Notice: Sendable, Equatable {
    public var number: Int
    public var at: Timestamp
    public var party: String
    public var doc: String
    public var amount: Money
    /// The return and order it is about; the text is written from them when shown.
    public var order: String
    public var returnNumber: Int {
        get { Int(returnIndex) }
        set { returnIndex = UInt32(newValue) }
    }
    /// 4 bytes beside the kind's one: a notice takes 80 bytes, not 88.
    private var returnIndex: UInt32
    public var kind: NoticeKind

    public init(number: Int, at: Timestamp, party: String, kind: NoticeKind, doc: String, amount: Money,
                returnNumber: Int, order: String) {
        self.number = number; self.at = at; self.party = party; self.kind = kind; self.doc = doc; self.amount = amount
        self.returnIndex = UInt32(returnNumber); self.order = order
    }

    public var id: String { "N" + zeroPadded(number, width: 6) }

    /// What the party is told.
    public var text: String {
        switch kind {
        case .refund: return "Refund of \(amount) for return \(ReturnRequest.id(returnNumber)) of order \(order)"
        case .credit_note: return "Credit note of \(amount) for return \(ReturnRequest.id(returnNumber)) of order \(order)"
        case .debit_note:
            // A supplier return without an order (protocol.md, Supplier returns) names its return.
            return order.isEmpty ? "Debit note of \(amount) for goods returned with \(ReturnRequest.id(returnNumber))"
                                 : "Debit note of \(amount) for goods returned from order \(order)"
        case .void:
            return "Return \(ReturnRequest.id(returnNumber))" + (order.isEmpty ? "" : " of order \(order)") + " voided (\(amount)) by document \(doc)"
        }
    }
}

/// One line of the audit trail: every mutation attempt, login, login failure and denial.
public struct AuditEntry: Sendable, Equatable {
    public var seq: Int
    public var at: Timestamp
    public var user: String
    public var peer: String
    public var command: String
    public var target: String
    /// `ok` or an error code.
    public var outcome: String

    public init(seq: Int, at: Timestamp, user: String, peer: String, command: String, target: String, outcome: String) {
        self.seq = seq; self.at = at; self.user = user; self.peer = peer; self.command = command
        self.target = target; self.outcome = outcome
    }
}
