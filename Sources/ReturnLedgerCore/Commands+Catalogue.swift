/// Catalogue and users: who works here, where, what is sold, to and from whom, why goods come
/// back, and the shop's policy.
extension CommandTable {
    static let catalogue: [CommandSpec] = [
        CommandSpec("USER", roles: admin, forms: [
            .change("USER", "ADD", [user, .required("role", .keyword(Role.self), "ROLE"), .required("password", .password, "PW"),
                                    .optional("locations", .scope, "LIST")]) { a in
                .server(.userAdd(name: a.required("name"), role: a.keyword("role")!, password: a.required("password"),
                                 locations: a.scope("locations") ?? .everywhere))
            },
            .change("USER", "ROLE", [user, .required("role", .keyword(Role.self), "ROLE")]) { a in
                .change(.userRole(name: a.required("name"), role: a.keyword("role")!))
            },
            .change("USER", "DISABLE", [user]) { a in .change(.userEnable(name: a.required("name"), enabled: false)) },
            .change("USER", "ENABLE", [user]) { a in .change(.userEnable(name: a.required("name"), enabled: true)) },
            .change("USER", "PASSWORD", [user, .required("password", .password, "PW")], roles: anySession) { a in
                .server(.userPassword(name: a.required("name"), password: a.required("password")))
            },
            .read("USER", "LIST") { _ in .query(.userList) },
            .change("USER", "SCOPE", [user, .required("locations", .scope, "LIST")]) { a in
                .change(.userScope(name: a.required("name"), locations: a.scope("locations")!))
            },
        ]),
        CommandSpec("LOCATION", roles: admin, forms: [
            .change("LOCATION", "ADD", [location, .required("name", .nonEmpty, "TEXT"),
                                        .optional("kind", .keyword(LocationKind.self), "store|warehouse"), site]) { a in
                .change(.locationAdd(Location(code: a.required("code"), name: a.required("name"),
                                              kind: a.keyword("kind") ?? .store, site: a.string("site"))))
            },
            .read("LOCATION", "LIST", roles: everyone) { _ in .query(.locationList) },
            .change("LOCATION", "SET", [location, .optional("name", .nonEmpty, "TEXT"), site], resend: .always,
                    check: nameSomething("name name= or site=")) { a in
                .change(.locationSet(code: a.required("code"), name: a.string("name"), site: a.string("site")))
            },
        ]),
        CommandSpec("SKU", roles: admin, forms: [
            .change("SKU", "ADD", [sku, .required("name", .nonEmpty, "TEXT"), .required("price", .money, "MONEY"),
                                   .optional("cost", .money, "MONEY"), .optional("inspect", .yesNo, "yes|no"),
                                   .optional("tax", .percent, "PCT"), supplier] + productPolicy) { a throws(DomainError) in
                let price = a.money("price")!, cost = a.money("cost") ?? .zero
                try notNegative(price, cost)
                var product = Product(sku: a.required("sku"), name: a.required("name"), price: price, cost: cost,
                                      inspect: a.flag("inspect") ?? false, tax: a.percent("tax") ?? .zero)
                product.supplier = try supplierValue(&a) ?? ""
                let policy = try productPolicyChange(&a)
                product.category = policy.category ?? ""
                product.terms = policy.terms.values
                product.serial = policy.serial ?? false
                return .change(.skuAdd(product))
            },
            .read("SKU", "LIST", roles: everyone) { _ in .query(.skuList) },
            .change("SKU", "SET", [sku, .optional("name", .nonEmpty, "TEXT"), .optional("price", .money, "MONEY"),
                                   .optional("cost", .money, "MONEY"), .optional("inspect", .yesNo, "yes|no"),
                                   .optional("tax", .percent, "PCT"), supplier] + productPolicy,
                    resend: .always, check: nameSomething("name something to change")) { a throws(DomainError) in
                try notNegative(a.money("price") ?? .zero, a.money("cost") ?? .zero)
                return .change(.skuSet(sku: a.required("sku"), name: a.string("name"), price: a.money("price"),
                                       cost: a.money("cost"), inspect: a.flag("inspect"), tax: a.percent("tax"),
                                       supplier: try supplierValue(&a), policy: try productPolicyChange(&a)))
            },
        ]),
        CommandSpec("CATEGORY", roles: admin, forms: [
            .change("CATEGORY", "ADD", [category, .required("name", .nonEmpty, "TEXT")] + returnTerms) { a in
                .change(.categoryAdd(Category(code: a.required("code"), name: a.required("name"), terms: termsChange(&a).values)))
            },
            .change("CATEGORY", "SET", [category, .optional("name", .nonEmpty, "TEXT")] + returnTerms,
                    resend: .always, check: nameSomething("name name=, return_days=, final_sale= or fee=")) { a in
                .change(.categorySet(code: a.required("code"), name: a.string("name"), terms: termsChange(&a)))
            },
            .read("CATEGORY", "LIST", roles: everyone) { _ in .query(.categoryList) },
        ]),
        CommandSpec("PARTY", roles: admin, forms: [
            .change("PARTY", "ADD", [partyKind(optional: false), .positional("id", .identifier, what: "party"),
                                     .required("name", .nonEmpty, "TEXT"), rmaRequired]) { a throws(DomainError) in
                let kind: PartyKind = a.keyword("kind")!
                let rma = a.flag("rma_required")
                if rma != nil, kind == .customer { throw .invalid("rma_required= is for suppliers") }
                return .change(.partyAdd(Party(id: a.required("id"), kind: kind, name: a.required("name"), rmaRequired: rma ?? false)))
            },
            .read("PARTY", "LIST", [partyKind(optional: true)]) { a in .query(.partyList(a.keyword("kind"))) },
            .change("PARTY", "SET", [.positional("id", .identifier, what: "party"), .optional("name", .nonEmpty, "TEXT"), rmaRequired],
                    resend: .always, check: nameSomething("name name= or rma_required=")) { a in
                .change(.partySet(id: a.required("id"), name: a.string("name"), rmaRequired: a.flag("rma_required")))
            },
        ]),
        CommandSpec("REASON", roles: admin, forms: [
            .change("REASON", "ADD", [reason, .required("label", .nonEmpty, "TEXT"), .optional("fee", .percent, "PCT")]) { a in
                .change(.reasonAdd(Reason(code: a.required("code"), label: a.required("label"), fee: a.percent("fee") ?? .zero)))
            },
            .read("REASON", "LIST", roles: everyone) { _ in .query(.reasonList) },
            .change("REASON", "SET", [reason, .optional("label", .nonEmpty, "TEXT"), .optional("fee", .percent, "PCT")],
                    resend: .always, check: nameSomething("name label= or fee=")) { a in
                .change(.reasonSet(code: a.required("code"), label: a.string("label"), fee: a.percent("fee")))
            },
        ]),
        CommandSpec("POLICY", roles: admin, forms: [
            .read("POLICY", "SHOW", roles: everyone) { _ in .query(.policyShow) },
            .change("POLICY", "SET", [.optional("window_days", .integer(0...3650), "N"),
                                      .optional("customer_returns", .integer(0...1_000_000), "N"),
                                      .optional("customer_days", .integer(0...3650), "D"), .optional("timezone", .zone, "ZONE"),
                                      .optional("credit_days", .integer(0...3650), "N"), .optional("offline_hours", .integer(1...720), "N"),
                                      .optional("cross_store", .yesNo, "yes|no"), .optional("tax_included", .yesNo, "yes|no")],
                    resend: .always, check: nameSomething("name a setting")) { a in
                .change(.policySet(PolicyChange(windowDays: a.integer("window_days"), customerReturns: a.integer("customer_returns"),
                                                customerDays: a.integer("customer_days"), timezone: a.zone("timezone"),
                                                creditDays: a.integer("credit_days"), offlineHours: a.integer("offline_hours"),
                                                crossStore: a.flag("cross_store"), taxIncluded: a.flag("tax_included"))))
            },
        ]),
    ]

    private static let user = Parameter.positional("name", .identifier, what: "user")
    private static let location = Parameter.positional("code", .identifier, what: "location")
    private static let sku = Parameter.positional("sku", .identifier)
    /// The building a location is in (protocol.md, Transfers).
    private static let site = Parameter.optional("site", .identifier, "ID")
    private static let reason = Parameter.positional("code", .identifier, what: "reason")
    private static let category = Parameter.positional("code", .identifier, what: "category")

    /// A SKU's or category's return rule (protocol.md, Return policy per product); `""` is "not set".
    private static let returnTerms: [Parameter] = [
        .optional("return_days", .orEmpty(.integer(0...3650)), "N"), .optional("final_sale", .orEmpty(.yesNo), "yes|no"),
        .optional("fee", .orEmpty(.percent), "PCT"),
    ]
    /// SKU ADD and SET: the category, the SKU's own rule, serial tracking.
    private static let productPolicy: [Parameter] = [.optional("category", .text, "CATEGORY")] + returnTerms
        + [.optional("serial", .yesNo, "yes|no")]

    /// The return settings named, each `""` (cleared) or its value; the arguments were checked.
    private static func termsChange(_ a: inout Arguments) -> ReturnTermsChange {
        var change = ReturnTermsChange()
        if let days = a.string("return_days") {
            change.named.insert(.returnDays)
            change.values.returnDays = Int64(days)
        }
        if let final = a.string("final_sale") {
            change.named.insert(.finalSale)
            change.values.finalSale = final.isEmpty ? nil : final.lowercased() == "yes"
        }
        if let fee = a.string("fee") {
            change.named.insert(.fee)
            change.values.fee = Percent(parsing: fee)
        }
        return change
    }

    private static func productPolicyChange(_ a: inout Arguments) throws(DomainError) -> ProductPolicyChange {
        var change = ProductPolicyChange(terms: termsChange(&a), serial: a.flag("serial"))
        if let category = a.string("category") {
            change.category = category.isEmpty ? "" : try Arguments.identifier(category, "category")
        }
        return change
    }

    private static func partyKind(optional: Bool) -> Parameter {
        .positional("kind", .keyword(PartyKind.self), label: "customer|supplier", what: "party kind", optional: optional)
    }

    /// A SET names at least one thing to change.
    private static func nameSomething(_ message: String) -> CommandForm.Check {
        { a throws(DomainError) in
            guard a.namedCount > 0 else { throw DomainError(.SYNTAX, "\(message); usage: \(a.usage)") }
        }
    }

    private static func notNegative(_ price: Money, _ cost: Money) throws(DomainError) {
        guard price >= .zero, cost >= .zero else { throw DomainError(.INVALID, "price and cost must not be negative") }
    }

    /// `supplier=PARTY` on SKU ADD and SET (protocol.md, Supplier returns); `""` clears it.
    static let supplier = Parameter.optional("supplier", .text, "PARTY")
    static let rmaRequired = Parameter.optional("rma_required", .yesNo, "yes|no")

    /// The supplier named: nil when left out, "" to clear, else an identifier (INVALID otherwise).
    static func supplierValue(_ a: inout Arguments) throws(DomainError) -> String? {
        guard let text = a.string("supplier") else { return nil }
        return text.isEmpty ? "" : try Arguments.identifier(text, "supplier")
    }
}
