/// A read after parsing: `Ledger.query` answers it for the acting user.
public enum Query: Sendable, Equatable {
    case userList
    case locationList
    case skuList
    case categoryList
    case partyList(PartyKind?)
    case reasonList
    case policyShow
    case ruleList
    case show(id: String)
    /// An order's lines with what was returned, is pending and is left.
    case order(id: String)
    case list(ReturnFilter)
    case doc(number: String)
    case notices(party: String?, from: CivilDate?)
    /// `serials`: `serials=yes`, a line per serial in stock after the slots (protocol.md, Serial numbers).
    case stock(sku: String?, location: String?, serials: Bool = false)
    /// `STOCK supplier=`: a supplier's SKUs held for it (protocol.md, Stock states).
    case stockSupplier(party: String, location: String?)
    case balance(party: String?)
    /// TRANSFER SHOW: a transfer's lines and state (protocol.md, Transfers).
    case transfer(id: String)
    case stats(StatsQuery)
    case audit(user: String?, from: TimeBound?, after: Int? = nil, limit: Int)
    /// The business dates closed so far.
    case periodShow
    /// Till sessions (protocol.md, Till sessions): one till's latest or a session by id; a page.
    case tillShow(till: String?, session: String?)
    case tillList(location: String?, date: CivilDate?, state: String?, limit: Int)
    /// A customer's store-credit lots.
    case credit(party: String)
    /// The document chain recomputed from the first document or from one (protocol.md, VERIFY).
    case verify(from: String?)
    /// A closed date's Z totals (protocol.md, PERIOD).
    case periodZ(date: CivilDate, location: String?)

    /// A read whose cost grows with the state (it walks returns, the audit trail, notices or
    /// every party): the server answers it from a copy, off the writer queue.
    public var scansState: Bool {
        switch self {
        case .list, .audit, .notices, .balance(party: nil), .verify, .stockSupplier: return true
        case .stats(let query): return query.by == .disposition || query.by == .supplier
        case .userList, .locationList, .skuList, .categoryList, .partyList, .reasonList, .policyShow, .ruleList, .show, .order, .doc,
             .stock, .balance, .transfer, .periodShow, .periodZ, .tillShow, .tillList, .credit:
            return false
        }
    }
}

extension Query {
    /// A LIST that costs about its page whatever the history (`ReturnFilter.costsThePage`): the
    /// server answers it on the writer like a small read (unless it reads a return that left
    /// memory). From a copy it cost the writer more than the read: while a reader held the copy,
    /// each change after it copied every array and shard it touched (RETURN+APPROVE on a million
    /// returns with a LIST every 10-50 ms: 0.70-0.91x of the rate).
    public func costsThePage(in scope: Scope, openReturns: Int) -> Bool {
        guard case .list(let filter) = self else { return false }
        return filter.costsThePage(in: scope, openReturns: openReturns)
    }
}

public struct ReturnFilter: Sendable, Equatable {
    public var state: ReturnState?
    public var kind: OrderKind?
    public var location: String?
    public var from: CivilDate?
    public var to: CivilDate?
    public var limit: Int
    /// One customer's or supplier's returns, one order's, and the page before a return (LIST).
    public var party: String?
    public var order: String?
    public var before: String?
    /// A supplier return's RMA (protocol.md, Supplier returns).
    public var rma: String?
    /// Returns naming a serial number (protocol.md, Serial numbers), of any SKU.
    public var serial: String?
    /// Whether LIST walks about `limit` candidates whatever the history (at most 100 rows): the
    /// newest returns, or an order's (a few), when every candidate matches (nothing else to
    /// test, every store in scope); or the review queue, which walks only the open returns (up to
    /// `ReturnFilter.fewOpen` of them). Not a party's: its list is copied whole to be walked.
    public func costsThePage(in scope: Scope, openReturns: Int) -> Bool {
        guard limit <= ReturnFilter.smallPage, party == nil else { return false }
        if let state, state.isOpen, order == nil { return openReturns <= ReturnFilter.fewOpen }
        return scope == .everywhere && testsNothingElse
    }

    /// Nothing to test on a candidate but an order or a party: every return the walk meets (the
    /// newest, an order's or a party's) is a row of the page.
    public var testsNothingElse: Bool {
        state == nil && kind == nil && location == nil && from == nil && to == nil && rma == nil && serial == nil
    }

    /// A page served whatever memory says (protocol.md, Resource budgets), and the largest a
    /// LIST on the writer may be.
    public static let smallPage = 100

    /// The review queue's size up to which a LIST of it runs on the writer (sorting it costs
    /// about a millisecond there).
    public static let fewOpen = 10_000

    public init(state: ReturnState? = nil, kind: OrderKind? = nil, location: String? = nil, from: CivilDate? = nil,
                to: CivilDate? = nil, limit: Int = 100, party: String? = nil, order: String? = nil, before: String? = nil,
                rma: String? = nil, serial: String? = nil) {
        self.state = state; self.kind = kind; self.location = location; self.from = from; self.to = to
        self.limit = limit; self.party = party; self.order = order; self.before = before; self.rma = rma; self.serial = serial
    }
}

public enum StatsGrouping: String, Sendable, Equatable, CaseIterable {
    case reason, sku, location, clerk, party, day
    /// Section 21: worked out from the returns in the window, not kept per day.
    case disposition, supplier
}

public struct StatsQuery: Sendable, Equatable {
    public var from: CivilDate?
    public var to: CivilDate?
    public var kind: OrderKind?
    public var by: StatsGrouping?
    /// Only returns at this location (`STATS location=`).
    public var location: String?
    public init(from: CivilDate? = nil, to: CivilDate? = nil, kind: OrderKind? = nil, by: StatsGrouping? = nil,
                location: String? = nil) {
        self.from = from; self.to = to; self.kind = kind; self.by = by; self.location = location
    }
}
