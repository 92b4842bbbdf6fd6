/// The shop's return policy: the window, customer limits and the business day's zone.
public struct Policy: Sendable, Equatable {
    public var windowDays: Int64 = 30
    /// Customer limits (format 5): a customer with `customerReturns` or more returns
    /// filed in the last `customerDays` days may file no more without a supervisor's override.
    /// 0 in either is no limit.
    public var customerReturns: Int64 = 0
    public var customerDays: Int64 = 0
    /// The shop's time zones (format 6; protocol.md, Business day): what day a document, a filter and
    /// `STATS by=day` mean.
    public var calendar = BusinessCalendar()
    /// Format 8 (protocol.md, Store credit, Offline returns, Cross-store): days a credit lot lasts
    /// (0: for ever), how late an offline return may be filed, and whether a customer may return
    /// at another store.
    public var creditDays: Int64 = 0
    public var offlineHours: Int64 = 72
    public var crossStore = true
    /// Format 9 (protocol.md, Tax): whether prices include tax (`yes`: a rate never changes a
    /// total) or tax is added on top.
    public var taxIncluded = true
    public init(windowDays: Int64 = 30, customerReturns: Int64 = 0, customerDays: Int64 = 0) {
        self.windowDays = windowDays; self.customerReturns = customerReturns; self.customerDays = customerDays
    }

    public var limitsCustomers: Bool { customerReturns > 0 && customerDays > 0 }

    /// POLICY SHOW's and POLICY SET's status line.
    public var fields: [Field] {
        [Field("window_days", String(windowDays)), Field("customer_returns", String(customerReturns)),
         Field("customer_days", String(customerDays)), Field("timezone", calendar.zone.name),
         Field("credit_days", String(creditDays)), Field("offline_hours", String(offlineHours)),
         Field("cross_store", crossStore ? "yes" : "no"), Field("tax_included", taxIncluded ? "yes" : "no")]
    }
}
