/// The whole state of the returns desk, and the only place it changes: `decide` turns a command
/// into events (pure), `apply` folds them in. Everything the server knows, as plain values: copying it is O(1) (copy-on-write), which is
/// what lets a snapshot be taken on the writer queue and written elsewhere.
public struct Ledger: Sendable, Equatable {
    public var users: [String: User] = [:]
    public var locations: [String: Location] = [:]
    public var products: [String: Product] = [:]
    public var parties: [String: Party] = [:]
    public var balances: ShardedDictionary<String, Money> = [:]
    public var entries: ShardedDictionary<String, ChunkedArray<LedgerEntry>> = [:]
    public var reasons: [String: Reason] = [:]
    public var policy = Policy()
    /// Approval rules by code (protocol.md: RULE).
    public var rules: [String: Rule] = [:]
    public var orders: ShardedDictionary<String, Order> = [:]
    /// Return requests in filing order; `R000042` is `returns[41]`.
    public var returns: ChunkedArray<ReturnRequest> = []
    /// Each keyed return's number by its client key (`returnNumber(forKey:)`).
    public var returnKeys = ReturnKeyIndex()
    /// Return document number → return request number.
    public var documents = DocumentIndex()
    /// Documents issued per business date (days since 1970), for gapless `RT-YYYYMMDD-NNNN`.
    public var documentsPerDay: [Int64: Int] = [:]
    /// The latest document date (derived from `documentsPerDay`): document dates never go back
    /// (protocol.md, Business day).
    public internal(set) var lastDocumentDay: Int64?
    /// The last document's hash, which the next one chains from (derived: `rebuildIndexes`).
    public internal(set) var chainHead = DocHash.zero
    /// SKU → stock per location and batch.
    public var stock: ShardedDictionary<String, [StockSlot: StockLevel]> = [:]
    public var notices: ChunkedArray<Notice> = []
    public var audit = AuditLog()
    public var payments: Int = 0
    /// Recent login failures per user, for the lockout rule.
    public var loginFailures: [String: [Timestamp]] = [:]
    public var lockedUntil: [String: Timestamp] = [:]
    /// Derived from the returns and orders (see `rebuildIndexes`), kept current by `apply`.
    public var stats = StatsIndex()
    /// Returns pending or in second review, by number: WATCH's queue without a scan (derived).
    public var openReturns: Set<Int> = []
    /// Each customer's and supplier's returns by number, oldest first (derived): customer limits
    /// and `LIST party=` read one party's returns, not the history.
    public var returnsByParty: [String: ReturnNumbers] = [:]
    /// What LIST filters on, a small row per return (derived): its scans read these, not the returns.
    public internal(set) var listIndex = ReturnListIndex()
    /// Format 8 (protocol.md, Tills, tenders and store credit): every till session, oldest first
    /// (`T000001` is `tillSessions[0]`), and each customer's store-credit lots, oldest first.
    public var tillSessions: [TillSession] = []
    public var creditLots: [String: [CreditLot]] = [:]
    /// Each till's open session and its latest, by number (derived: `indexTills`).
    public var openTills: [String: Int] = [:]
    public var latestSessions: [String: Int] = [:]
    /// Credit lots with something left (derived: `countOpenCreditLots`), for INFO without a walk;
    /// an expired lot counts until the period close writes it off.
    public var openCreditLots = 0
    /// Format 9: each voided return's VOID, by return number (protocol.md, VOID).
    public var voids: [Int: VoidRecord] = [:]
    /// Format 9: the period closes, oldest first (protocol.md, PERIOD).
    public var closes: [PeriodClose] = []
    /// Format 10: DISPOSE's moves (and later ADJUST's and COUNT's), oldest first; `M000001` is
    /// `stockMoves[0]`. Their keys (derived: `rebuildIndexes`).
    public var stockMoves: [StockMove] = []
    public var moveKeys: [String: Int] = [:]
    /// Format 11: transfers by the client's id (protocol.md, Transfers).
    public var transfers: [String: Transfer] = [:]
    /// Format 11 (protocol.md, Return policy per product): categories by code.
    public var categories: [String: Category] = [:]
    /// SKUs in a category or with a return setting of their own (derived: `rebuildIndexes`): the
    /// others follow the shop, and a shop that sets none pays nothing per returned item.
    public internal(set) var skusWithRules: Set<String> = []
    /// Format 11 (protocol.md, Serial numbers): SKU → serial → where it is in stock and its last
    /// sale. Only SKUs that ever held a serial appear.
    public var serialRegistry: [String: [String: SerialRecord]] = [:]
    /// Format 13 (protocol.md, Years of history): the committed archives, oldest first.
    public var archives: [ArchiveEntry] = []
    /// Per party, its archived ledger entries' sum and newest time: BALANCE's first line once
    /// they have left memory (section 23).
    public var broughtForward: [String: BroughtForward] = [:]
    /// Where the returns that left memory are read back (not part of the state).
    public var archiveReach = ArchiveReach()
    /// SKUs with `serial=yes` (derived, kept by `apply`, rebuilt by `rebuildIndexes`): an item
    /// naming no serials is checked only when its SKU is among them, a set membership test
    /// instead of copying its product (RETURN's hot path); none at all skips even that.
    public internal(set) var serialSkus: Set<String> = []
    /// The serials open returns (pending or in second review) name: SKU → serial → return number
    /// (derived, kept with `openReturns`), so RETURN's "not on an open return" is one lookup.
    public internal(set) var openReturnSerials: [String: [String: Int]] = [:]

    public init() {
        for reason in Reason.builtIn { reasons[reason.code] = reason }
    }

    /// The user an `auto` rule approves as; no account may take the name.
    public static let systemUser = "system"

    /// The return a RETURN with `key=` filed, if any. An archived return's key is compared with
    /// the one its archive holds (`ERR ARCHIVE` when that cannot be read).
    public func returnNumber(forKey key: String) throws(DomainError) -> Int? {
        try returnKeys.number(key, in: returns) { (number) throws(DomainError) in try filedReturn(number).key }
    }

    public func level(_ sku: String, _ slot: StockSlot) -> StockLevel { stock[sku]?[slot] ?? StockLevel() }
}

extension Ledger {
    /// Folds one event into the state. Never fails: `decide` already checked everything, and
    /// replaying the log must reach the same state.
    public mutating func apply(_ event: Event) {
        switch event {
        case .userAdded(let user):
            users[user.name] = user
        case .userRoleChanged(let name, let role):
            users[name]?.role = role
        case .userEnabledChanged(let name, let enabled):
            users[name]?.enabled = enabled
            if enabled { lockedUntil[name] = nil; loginFailures[name] = nil }
        case .userPasswordChanged(let name, let hash):
            users[name]?.passwordHash = hash
        case .userScoped(let name, let locations):
            users[name]?.locations = locations
        case .locationAdded(let location):
            locations[location.code] = location
        case .productAdded(let product):
            if product.serial { serialSkus.insert(product.sku) } else if !serialSkus.isEmpty { serialSkus.remove(product.sku) }
            products[product.sku] = product
            if product.hasOwnRules { skusWithRules.insert(product.sku) } else { skusWithRules.remove(product.sku) }
        case .categoryAdded(let category):
            categories[category.code] = category
        case .epochStarted:
            break
        case .archiveWritten(var archive):
            bringForward(archive)
            archive.taken.forward = [:]  // its sums are in the parties' totals now
            archives.append(archive)
            releaseArchivedRecords()
        case .partyAdded(let party):
            // Also PARTY SET's record: a known party keeps its balance.
            if parties[party.id] == nil { balances[party.id] = .zero }
            parties[party.id] = party
        case .reasonAdded(let reason):
            reasons[reason.code] = reason
        case .policyChanged(let days):
            policy.windowDays = days
        case .customerLimitsChanged(let returns, let days):
            policy.customerReturns = returns
            policy.customerDays = days
        case .timezoneChanged(let zone, let at):
            policy.calendar.change(to: zone, at: at)
        case .orderRecorded(let order):
            applyOrder(order)
        case .paymentRecorded(let party, let amount, let direction, _, let at, _):
            payments += 1
            carryOut(.payment(party: party, amount: amount, direction: direction, doc: paymentId(payments)), at: at)
        case .returnFiled(let request):
            returns.append(request)
            openReturns.insert(request.number)
            noteOpenSerials(request, open: true)
            let day = policy.calendar.day(of: request.filedAt)  // for STATS and LIST alike
            stats.filed(request, day: day)
            if !request.key.isEmpty { returnKeys.insert(request.key, request.number) }
            indexReturn(request)
            listIndex.filed(request, day: day)
            for item in request.items { orders[request.order]?.lines[item.line].pending += item.quantity }
        case .returnApproved(let approval):
            // Records before format 8 carry no tenders: derived as that version moved the money.
            if let outcome = approval.outcome, outcome.tenders != nil {
                applyApproval(approval, outcome, legacy: false)
            } else {
                applyApproval(approval, upgraded(approval.outcome ?? format1Outcome(approval), of: approval), legacy: true)
            }
        case .returnRejected(let number, let note, let by, let at):
            close(number, as: .rejected, action: "rejected", note: note, by: by, at: at)
        case .returnCancelled(let number, let by, let at):
            close(number, as: .cancelled, action: "cancelled", note: "", by: by, at: at)
        case .returnInspected(let number, let disposition, let note, let by, let at):
            applyInspection(Ledger.legacyInspection(returns[number - 1], disposition, note: note, by: by, at: at))
        case .returnDisposed(let inspection):
            applyInspection(inspection)
        case .stockDisposed(let move):
            applyDispose(move)
        case .stockAdjusted(let move), .stockCounted(let move):
            applyStockMove(move)
        case .transferSent(let t):
            applyTransfer(t, .transfer(t, .sent), at: t.sentAt)
        case .transferReceived(let t):
            applyTransfer(t, .transfer(t, .received), at: t.receivedAt ?? t.sentAt)
        case .transferCancelled(let t):
            applyTransfer(t, .transfer(t, .cancelled), at: t.cancelledAt ?? t.sentAt)
        case .vendorCredited(let number, let credit):
            applyVendorCredit(number, credit)
        case .loginFailed(let user, let at):
            var recent = recentFailures(user, at: at)
            recent.append(at)
            if recent.count >= Lockout.failures {
                lockedUntil[user] = Timestamp(seconds: at.seconds + Lockout.duration)
                recent = []
            }
            loginFailures[user] = recent
        case .audited(let entry):
            audit.append(entry)
        case .ruleAdded(let rule):
            rules[rule.code] = rule
        case .ruleDropped(let code):
            rules[code] = nil
        case .tillOpened, .tillMoved, .tillClosed:
            applyTill(event)
        case .tenderPolicyChanged(let creditDays, let offlineHours, let crossStore):
            policy.creditDays = creditDays
            policy.offlineHours = offlineHours
            policy.crossStore = crossStore
        case .taxPolicyChanged(let included):
            policy.taxIncluded = included
        case .creditDrawn(let party, let doc, let draws):
            spend(party, draws)
            if orders[doc] != nil { orders[doc]!.draws += draws }
        case .creditIssued(let party, let lot):
            issue(lot, to: party)
        case .returnVoided(let record):
            applyVoid(record)
        case .periodClosed(let close, let writeOffs):
            applyPeriodClose(close, writeOffs: writeOffs)
        case .returnFirstApproved(let number, let note, let by, let at):
            returns[number - 1].state = .second_review
            listIndex.stateChanged(number, to: .second_review)
            returns[number - 1].firstApprovedBy = by
            returns[number - 1].firstApprovedAt = at
            returns[number - 1].firstApprovalNote = note
        }
    }

    public mutating func apply(_ events: [Event]) {
        for event in events { apply(event) }
    }

    /// The derived per-party and per-order lists of a filed return.
    mutating func indexReturn(_ request: ReturnRequest) {
        if !request.party.isEmpty { returnsByParty[request.party, default: []].append(request.number) }
        if !request.noReceipt { orders[request.order]?.returnNumbers.append(request.number) }
    }

    /// Records a sale or purchase and carries out what it moves.
    private mutating func applyOrder(_ order: Order) {
        keep(order)
        if order.session > 0 { passThroughTill(order.session, taken: order.tenders, handedBack: []) }
        var effects = Effects()
        effects.add(order)
        carryOut(effects, at: order.at)
    }

    /// An order in the books and in the units sold per day: a SALE, a PURCHASE, or an exchange's
    /// sale (whose stock and money move with the approval that made it).
    private mutating func keep(_ order: Order) {
        orders[order.id] = order
        stats.sold(order, policy.calendar)
        if order.kind == .sale { noteSale(order) }  // a line without serials: one emptiness test
    }

    private mutating func applyApproval(_ approval: Approval, _ outcome: ApprovalOutcome, legacy: Bool) {
        let number = approval.number, doc = approval.doc, at = approval.at
        // Changed where it is kept: a copy taken out and written back copied its items too.
        Ledger.record(approval, outcome, in: &returns[number - 1])
        listIndex.stateChanged(number, to: outcome.state)
        // A document of an older record is chained here, as it is first loaded.
        let hash = approval.hash ?? Ledger.documentHash(after: chainHead, DocumentHeader(returns[number - 1]), returns[number - 1])
        returns[number - 1].docHash = hash
        chainHead = hash
        let request = returns[number - 1]
        let customer = request.kind == .sale
        // Changed in place (a method called through the optional): reading `order!` copied the order.
        let paid = orders[request.order]?.settle(request.items, charges: outcome.tenders?.chargeAmounts ?? TenderMoves.none.chargeAmounts) ?? false
        if outcome.session > 0 { passThroughTill(outcome.session, taken: outcome.dueTenders, handedBack: outcome.parts ?? []) }
        // Lots of older records are made here; a new approval's comes as its own event.
        if legacy, let lot = outcome.lot { issue(lot, to: request.party) }
        openReturns.remove(number)
        noteOpenSerials(request, open: false)
        stats.approved(request, at: at, policy.calendar)
        documents[doc] = number
        let day = Self.documentDay(doc) ?? policy.calendar.day(of: at)
        documentsPerDay[day, default: 0] += 1
        lastDocumentDay = max(lastDocumentDay ?? day, day)
        // Stock, the notes, the exchange sale and the money, in that order on the account.
        if let exchange = outcome.exchange { keep(exchange) }
        carryOut(Effects.approval(request, doc: doc, outcome), at: at)

        let noticeKind: NoticeKind
        if customer, !legacy {
            // Any credit part, or a sale on account: a credit note; else a refund.
            noticeKind = !paid || outcome.parts!.contains { $0.kind == .credit } ? .credit_note : .refund
        } else if customer {
            // A refund notice for money handed back in full; a fee, an exchange or store credit
            // make it a credit note (a 0.00 return refunded in cash stays a refund, as before).
            let fullRefund = outcome.exchange == nil && (outcome.refunded > .zero || (outcome.credited == .zero && outcome.fee == .zero))
            noticeKind = approval.refund == .cash && fullRefund ? .refund : .credit_note
        } else {
            noticeKind = .debit_note
        }
        notices.append(Notice(number: notices.count + 1, at: at, party: request.party, kind: noticeKind, doc: doc,
                              amount: outcome.credited, returnNumber: request.number, order: request.order))
    }

    /// What an approval sets on its return.
    static func record(_ approval: Approval, _ outcome: ApprovalOutcome, in request: inout ReturnRequest) {
        for index in outcome.quarantined { request.items[index].quarantined = true }
        request.state = outcome.state
        request.doc = approval.doc
        request.approvedBy = approval.by
        request.approvedAt = approval.at
        request.refund = approval.refund
        request.approvalNote = approval.note
        request.feeRate = outcome.feeRate
        request.fee = outcome.fee
        request.feeTax = outcome.feeTax
        request.due = outcome.due
        request.tenders = outcome.tenders
        if let rma = approval.rma {
            request.supplier = (request.supplier ?? SupplierTerms(filedRma: "", source: .on_hand, expected: request.amount))
                .with(approvedRma: rma)
        }
    }

    private mutating func close(_ number: Int, as state: ReturnState, action: String, note: String, by: String,
                                at: Timestamp) {
        let request = returns[number - 1]
        for item in request.items { orders[request.order]?.lines[item.line].pending -= item.quantity }
        stats.closed(request, as: state, policy.calendar)
        openReturns.remove(number)
        noteOpenSerials(request, open: false)
        returns[number - 1].state = state
        listIndex.stateChanged(number, to: state)
        returns[number - 1].history.append(ReturnEvent(at: at, user: by, action: action, note: note))
    }

    /// One look-up of the slot for both of a move's quantities.
    private static func add(_ move: Effects.Move, to level: inout StockLevel) {
        level.onHand += move.onHand
        level.quarantine += move.quarantine
        if move.movesHeld {
            level.rtv += move.rtv
            level.refurbish += move.refurbish
            level.transit += move.transit
        }
    }

    /// Moves the stock and posts the entries a change works out to.
    mutating func carryOut(_ effects: Effects, at: Timestamp) {
        for move in effects.moves {
            Ledger.add(move, to: &stock[move.sku, default: [:]][move.slot, default: StockLevel()])
            if !move.serials.isEmpty { place(move) }
        }
        for p in effects.postings { post(p.party, at: at, kind: p.kind, doc: p.doc, amount: p.amount) }
    }

    /// Adds an entry to a party's account and moves its running balance.
    private mutating func post(_ party: String, at: Timestamp, kind: EntryKind, doc: String, amount: Money) {
        // The balance changed where it is kept: one look-up of the party, not a read and a write.
        let balance = Ledger.add(amount, to: &balances[party, default: .zero])
        entries[party, default: []].append(LedgerEntry(at: at, kind: kind, doc: doc, amount: amount, balance: balance))
    }
}

extension Ledger {
    /// Adds to a balance in place and returns the new balance.
    @inline(__always)
    static func add(_ amount: Money, to balance: inout Money) -> Money {
        balance = Money(minor: balance.minor + amount.minor)
        return balance
    }
}

/// A payment's number as documents and FEED print it: 12 is P000012.
public func paymentId(_ n: Int) -> String { "P" + zeroPadded(n, width: 6) }
