/// What happened, as the state records it. `decide` produces events, `apply` folds them; the
/// write-ahead log will store exactly these, so every case carries its own time and actor and
/// `apply` never consults a clock.
public indirect enum Event: Sendable, Equatable {
    case userAdded(User)
    case userRoleChanged(name: String, role: Role)
    case userEnabledChanged(name: String, enabled: Bool)
    case userPasswordChanged(name: String, passwordHash: String)
    case locationAdded(Location)
    case productAdded(Product)
    case partyAdded(Party)
    case reasonAdded(Reason)
    case policyChanged(windowDays: Int64)
    case orderRecorded(Order)
    /// `number`: the payment's (P000012 is 12), as `apply` numbers it; 0 in records written before
    /// format 7, which did not carry it.
    case paymentRecorded(party: String, amount: Money, direction: PaymentDirection, note: String, at: Timestamp, number: Int)
    case returnFiled(ReturnRequest)
    case returnApproved(Approval)
    case returnRejected(number: Int, note: String, by: String, at: Timestamp)
    case returnCancelled(number: Int, by: String, at: Timestamp)
    case returnInspected(number: Int, disposition: Disposition, note: String, by: String, at: Timestamp)
    case loginFailed(user: String, at: Timestamp)
    case audited(AuditEntry)
    /// Since format 3: a user's locations changed.
    case userScoped(name: String, locations: Scope)
    /// Since format 4: approval rules, and the first of two approvals.
    case ruleAdded(Rule)
    case ruleDropped(code: String)
    case returnFirstApproved(number: Int, note: String, by: String, at: Timestamp)
    /// Since format 5: the customer limits of `POLICY SET customer_returns= customer_days=`.
    case customerLimitsChanged(returns: Int64, days: Int64)
    /// Since format 6: `POLICY SET timezone=`, in effect from `at` (protocol.md, Business day).
    case timezoneChanged(zone: BusinessZone, at: Timestamp)
    /// Since format 8 (protocol.md, Tills, tenders and store credit): till sessions, the policy
    /// keys of that section, and store credit drawn (by a sale's or a due's `credit` tender, or a
    /// payment out; `doc` the order or payment) and issued (by an approval).
    case tillOpened(TillSession)
    case tillMoved(session: Int, kind: TillMoveKind, amount: Money, note: String, by: String, at: Timestamp)
    case tillClosed(session: Int, counted: Money, note: String, by: String, at: Timestamp)
    case tenderPolicyChanged(creditDays: Int64, offlineHours: Int64, crossStore: Bool)
    case creditDrawn(party: String, doc: String, draws: [LotDraw])
    case creditIssued(party: String, lot: CreditLot)
    /// Since format 9 (protocol.md, Tax): `POLICY SET tax_included=`.
    case taxPolicyChanged(taxIncluded: Bool)
    /// Format 9: a VOID's adjusting document and what it reversed (protocol.md, VOID).
    case returnVoided(VoidRecord)
    /// Format 9: business dates closed, their Z totals, and store credit written off (protocol.md, PERIOD).
    case periodClosed(PeriodClose, writeOffs: [CreditWriteOff])
    /// Format 10 (protocol.md, Disposition): INSPECT's decisions (older inspections are
    /// `returnInspected`), and DISPOSE's.
    case returnDisposed(Inspection)
    case stockDisposed(StockMove)
    /// Format 10 (protocol.md, Supplier returns): the supplier's credit note for a return, and
    /// the RMA an approval set.
    case vendorCredited(number: Int, credit: VendorCredit)
    /// Format 11 (protocol.md, Transfers): a transfer as sent, as received, as cancelled; and
    /// ADJUST's and COUNT's moves (protocol.md, Adjustments and counts).
    case transferSent(Transfer)
    case transferReceived(Transfer)
    case transferCancelled(Transfer)
    case stockAdjusted(StockMove)
    case stockCounted(StockMove)
    /// Format 11 (protocol.md, Return policy per product): a category added or changed (the
    /// whole record, CATEGORY ADD and SET alike).
    case categoryAdded(Category)
    /// Format 12 (protocol.md, A warm standby): a new epoch begins at this record, by a
    /// promotion or a restore. It changes no state: the history itself is the data directory's
    /// (`EPOCHS`); this record tells FEED readers and standbys where it forked.
    case epochStarted(EpochStart)
    /// Format 13 (protocol.md, Years of history): an archive committed (`archive.written`). Its
    /// log record carries the summary; the records taken are read from the archive on replay.
    case archiveWritten(ArchiveEntry)
}

/// Where a history forked (`epoch.started`): the new epoch, the one it forked from, its first
/// sequence and how it began (`promote` or `restore`).
public struct EpochStart: Sendable, Equatable {
    public var epoch: String
    public var parent: String
    public var since: UInt64
    public var by: String
    public init(epoch: String, parent: String, since: UInt64, by: String) {
        self.epoch = epoch; self.parent = parent; self.since = since; self.by = by
    }
}
