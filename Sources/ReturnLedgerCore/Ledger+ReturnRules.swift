/// A customer return's items against their own rules (protocol.md, Return policy per product).
extension Ledger {
    /// FINAL_SALE, then EXPIRED, item by item: each against its SKU's, its category's or the
    /// shop's rule. A supervisor's `override=yes` waives final sale and windows a SKU or category
    /// set (that item then has no window), never the shop's own window; what it waived is returned.
    func checkItemRules(_ items: [ReturnItem], sold order: Order?, taken: Timestamp,
                        override: Bool) throws(DomainError) -> Waivers {
        guard !skusWithRules.isEmpty else {
            // No SKU sets a rule: every item has the shop's window and none is final sale.
            if let order, taken.seconds - order.at.seconds > policy.windowDays * Timestamp.secondsPerDay {
                throw outsideShopWindow(order)
            }
            return []
        }
        var waived: Waivers = []
        let rules = items.map { itemRule($0.sku) }
        for (item, rule) in zip(items, rules) where rule.finalSale {
            guard override else {
                throw DomainError(.FINAL_SALE, "\(item.sku) is final sale (\(rule.finalSaleSetBy?.text ?? "shop")); a supervisor may file it with override=yes")
            }
            waived.insert(.finalSale)
        }
        guard let order else { return waived }  // without a receipt: no sale time, no window
        let age = taken.seconds - order.at.seconds
        for (item, rule) in zip(items, rules) where age > rule.returnDays * Timestamp.secondsPerDay {
            guard let setBy = rule.daysSetBy else {
                throw outsideShopWindow(order)
            }
            guard override else {
                throw DomainError(.EXPIRED, "\(item.sku): outside its \(rule.returnDays)-day return window (\(setBy.text))")
            }
            waived.insert(.returnDays)
        }
        return waived
    }

    /// The shop's own window's refusal, worded as it always was.
    private func outsideShopWindow(_ order: Order) -> DomainError {
        DomainError(.EXPIRED, "sold \(policy.calendar.date(of: order.at)), outside the \(policy.windowDays)-day return window")
    }
}

extension Ledger {
    /// The restocking fee of a customer return's completing approval, and the tax it carries:
    /// each item's rate is APPROVE's `fee=`, else its SKU's or category's, else the reason's;
    /// the fee is Σ over distinct rates of round-half-up(amounts at that rate × rate / 100), the
    /// same rounding for the tax. With one rate that is the rate of the whole amount, as before.
    /// `rate` is what the approval records (APPROVE's, else the reason's).
    func restockingFee(_ request: ReturnRequest, asked: Percent?) -> (rate: Percent, fee: Money, tax: Money) {
        let rate = asked ?? reasons[request.reason]?.fee ?? .zero
        // One rate unless APPROVE named none and an item's SKU or category sets its own.
        guard asked == nil, !skusWithRules.isEmpty, request.items.contains(where: { skusWithRules.contains($0.sku) }),
              case let own = request.items.map({ itemRule($0.sku).fee }), own.contains(where: { $0 != nil && $0 != rate }) else {
            return (rate, rate.of(request.amount), ReturnRequest.feeTax(request.tax, rate: rate))
        }
        var groups: [(rate: Percent, amount: Int64, tax: Int64)] = []
        for (item, itemRate) in zip(request.items, own.map { $0 ?? rate }) {
            if let i = groups.firstIndex(where: { $0.rate == itemRate }) {
                groups[i].amount += item.amount.minor
                groups[i].tax += item.tax.minor
            } else {
                groups.append((itemRate, item.amount.minor, item.tax.minor))
            }
        }
        var fee: Int64 = 0, tax: Int64 = 0
        for group in groups {
            fee += group.rate.of(Money(minor: group.amount)).minor
            tax += ReturnRequest.feeTax(Money(minor: group.tax), rate: group.rate).minor
        }
        return (rate, Money(minor: fee), Money(minor: tax))
    }
}
