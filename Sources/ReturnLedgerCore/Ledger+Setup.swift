extension Ledger {
    func decideSetup(_ command: Command, _ context: Context) throws(DomainError) -> Decision {
        switch command {
        case .userAdd(let name, let role, let hash, let given):
            guard users[name] == nil else { throw .exists("user", name) }
            guard name != Ledger.systemUser else { throw .invalid("\(name) is reserved: auto-approvals are made in its name") }
            let scope = given.normalized
            try checkLocations(scope)
            return Decision(events: [.userAdded(User(name: name, role: role, passwordHash: hash, locations: scope))],
                            reply: Reply(status: [Field("user", name), Field("role", role.rawValue),
                                                  Field("locations", scope.text)]))
        case .userScope(let name, let given):
            guard users[name] != nil else { throw .notFound("user", name) }
            let scope = given.normalized
            try checkLocations(scope)
            return Decision(events: [.userScoped(name: name, locations: scope)],
                            reply: Reply(status: [Field("user", name), Field("locations", scope.text)]))
        case .userRole(let name, let role):
            guard users[name] != nil else { throw .notFound("user", name) }
            return Decision(events: [.userRoleChanged(name: name, role: role)],
                            reply: Reply(status: [Field("user", name), Field("role", role.rawValue)]))
        case .userEnable(let name, let enabled):
            guard users[name] != nil else { throw .notFound("user", name) }
            if !enabled, name == context.user { throw DomainError(.INVALID, "you cannot disable yourself") }
            return Decision(events: [.userEnabledChanged(name: name, enabled: enabled)],
                            reply: Reply(status: [Field("user", name), Field("enabled", enabled ? "yes" : "no")]))
        case .userPassword(let name, let hash):
            guard context.role == .admin || name == context.user else {
                throw DomainError(.DENIED, "only an admin may change another user's password")
            }
            guard users[name] != nil else { throw .notFound("user", name) }
            return Decision(events: [.userPasswordChanged(name: name, passwordHash: hash)],
                            reply: Reply(status: [Field("user", name)]))
        case .locationAdd(let location):
            guard locations[location.code] == nil else { throw .exists("location", location.code) }
            return Decision(events: [.locationAdded(location)],
                            reply: Reply(status: [Field("code", location.code), Field("kind", location.kind.rawValue)]))
        case .skuAdd(let product):
            guard products[product.sku] == nil else { throw .exists("sku", product.sku) }
            try checkSupplier(product.supplier)
            try checkCategory(product.category)
            return Decision(events: [.productAdded(product)], reply: Reply(status: [Field("sku", product.sku)]))
        case .partyAdd(let party):
            guard parties[party.id] == nil else { throw .exists("party", party.id) }
            return Decision(events: [.partyAdded(party)],
                            reply: Reply(status: [Field("id", party.id), Field("kind", party.kind.rawValue)]))
        case .reasonAdd(let reason):
            guard reasons[reason.code] == nil else { throw .exists("reason", reason.code) }
            return Decision(events: [.reasonAdded(reason)], reply: Reply(status: [Field("code", reason.code)]))
        case .reasonSet(let code, let label, let fee):
            guard var reason = reasons[code] else { throw .notFound("reason", code) }
            if let label { reason.label = label }
            if let fee { reason.fee = fee }
            // The whole reason again: `apply` of reasonAdded puts it in place.
            return Decision(events: [.reasonAdded(reason)], reply: Reply(status: [Field("code", code)]))
        case .skuSet(let sku, let name, let price, let cost, let inspect, let tax, let supplier, let policy):
            // The whole record again (`apply` of the ADD event puts it in place); recorded orders
            // and returns keep the prices they were made with.
            guard var product = products[sku] else { throw .notFound("sku", sku) }
            if let name { product.name = name }
            if let price { product.price = price }
            if let cost { product.cost = cost }
            if let inspect { product.inspect = inspect }
            if let tax { product.tax = tax }
            if let supplier {
                try checkSupplier(supplier)
                product.supplier = supplier
            }
            if let category = policy.category {
                try checkCategory(category)
                product.category = category
            }
            product.terms = policy.terms.applied(to: product.terms)
            if let serial = policy.serial, serial != product.serial {
                // Every unit of a serial SKU in stock has its serial: the switch waits for empty stock.
                if let held = stock[sku]?.first(where: { $0.value != StockLevel() }) {
                    throw .invalid("serial= changes only while \(sku) holds no stock; \(Ledger.words(held.key)) holds some"
                                   + " (COUNT it to 0 first)")
                }
                // An open return naming it would later move units filed under the other setting
                // (a unit on hand without its serial, or a serial of a SKU without them).
                if let open = openReturns.sorted().first(where: { number in
                    let r = returns[number - 1]
                    return r.items.contains { $0.sku == sku } || r.exchange.contains { $0.sku == sku }
                }) {
                    throw .invalid("serial= changes only while no open return names \(sku); \(ReturnRequest.id(open)) does")
                }
                product.serial = serial
            }
            return Decision(events: [.productAdded(product)], reply: Reply(status: [Field("sku", sku)]))
        case .categoryAdd(let category):
            guard categories[category.code] == nil else { throw .exists("category", category.code) }
            return Decision(events: [.categoryAdded(category)], reply: Reply(status: [Field("category", category.code)]))
        case .categorySet(let code, let name, let terms):
            guard var category = categories[code] else { throw .notFound("category", code) }
            if let name { category.name = name }
            category.terms = terms.applied(to: category.terms)
            // The whole category again: `apply` of categoryAdded puts it in place.
            return Decision(events: [.categoryAdded(category)], reply: Reply(status: [Field("category", code)]))
        case .partySet(let id, let name, let rmaRequired):
            guard var party = parties[id] else { throw .notFound("party", id) }
            if rmaRequired != nil, party.kind == .customer { throw .invalid("rma_required= is for suppliers; \(id) is a customer") }
            if let name { party.name = name }
            if let rmaRequired { party.rmaRequired = rmaRequired }
            return Decision(events: [.partyAdded(party)],
                            reply: Reply(status: [Field("id", id), Field("kind", party.kind.rawValue)]))
        case .locationSet(let code, let name, let site):
            guard var location = locations[code] else { throw .notFound("location", code) }
            if let name { location.name = name }
            if let site { location.site = site }
            return Decision(events: [.locationAdded(location)],
                            reply: Reply(status: [Field("code", code), Field("kind", location.kind.rawValue)]))
        case .policySet(let change):
            var events: [Event] = []
            var after = policy
            if let days = change.windowDays {
                events.append(.policyChanged(windowDays: days))
                after.windowDays = days
            }
            if change.customerReturns != nil || change.customerDays != nil {
                after.customerReturns = change.customerReturns ?? policy.customerReturns
                after.customerDays = change.customerDays ?? policy.customerDays
                events.append(.customerLimitsChanged(returns: after.customerReturns, days: after.customerDays))
            }
            if let zone = change.timezone {
                events.append(.timezoneChanged(zone: zone, at: context.now))
                after.calendar.change(to: zone, at: context.now)
            }
            if change.creditDays != nil || change.offlineHours != nil || change.crossStore != nil {
                after.creditDays = change.creditDays ?? policy.creditDays
                after.offlineHours = change.offlineHours ?? policy.offlineHours
                after.crossStore = change.crossStore ?? policy.crossStore
                events.append(.tenderPolicyChanged(creditDays: after.creditDays, offlineHours: after.offlineHours,
                                                   crossStore: after.crossStore))
            }
            if let included = change.taxIncluded {
                after.taxIncluded = included
                events.append(.taxPolicyChanged(taxIncluded: included))
            }
            return Decision(events: events, reply: Reply(status: after.fields))
        default:
            throw DomainError(.INTERNAL, "not a setup command")
        }
    }

    /// A SKU's `supplier=`: "" (none) or a known supplier.
    private func checkSupplier(_ supplier: String) throws(DomainError) {
        guard !supplier.isEmpty else { return }
        guard parties[supplier]?.kind == .supplier else { throw .notFound("supplier", supplier) }
    }

    /// A SKU's `category=`: "" (none) or a known category.
    private func checkCategory(_ code: String) throws(DomainError) {
        guard !code.isEmpty, categories[code] == nil else { return }
        throw .notFound("category", code)
    }

    private func checkLocations(_ scope: Scope) throws(DomainError) {
        for code in scope.codes where locations[code] == nil { throw .notFound("location", code) }
    }
}
