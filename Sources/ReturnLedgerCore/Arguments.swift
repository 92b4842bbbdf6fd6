/// A request's arguments matched to its form's parameters: first their structure (counts, required
/// and unknown keys: SYNTAX), then each value by its kind (INVALID), in the order the contract
/// checks them. `build` reads the checked values by key.
public struct Arguments: Sendable {
    let parameters: [Parameter]
    /// The form's usage text, for the SYNTAX messages of a form's own structural check.
    public let usage: String
    /// The text given for each parameter (by index), nil where left out; a repeating one's tokens
    /// are in `rest`.
    private var given: [String?]
    private var rest: ArraySlice<String> = []
    /// Each parameter's checked value, after `validate`.
    private var values: [Value?]

    /// A checked value.
    enum Value: Sendable {
        case text(String)
        case money(Money)
        case integer(Int64)
        case flag(Bool)
        case date(CivilDate)
        case time(Timestamp)
        case timeBound(TimeBound)
        case zone(BusinessZone)
        case percent(Percent)
        case items([ItemSpec])
        case scope(Scope)
    }

    /// Matches tokens to the parameters; `usage` goes into the SYNTAX messages.
    init(_ parameters: [Parameter], positional: [String], named: [(key: String, value: String)],
         usage: String) throws(DomainError) {
        self.parameters = parameters
        self.usage = usage
        given = [String?](repeating: nil, count: parameters.count)
        values = [Value?](repeating: nil, count: parameters.count)
        var next = 0
        for (index, parameter) in parameters.enumerated() where !parameter.named {
            if parameter.repeats {
                rest = positional[next...]
                next = positional.count
            } else if next < positional.count {
                given[index] = positional[next]
                next += 1
            }
        }
        let least = parameters.count { !$0.named && $0.required && !$0.repeats } + (parameters.contains { $0.repeats } ? 1 : 0)
        guard positional.count >= least, next == positional.count else { throw DomainError(.SYNTAX, "usage: \(usage)") }
        for pair in named {
            guard let index = parameters.firstIndex(where: { $0.named && $0.key == pair.key }) else {
                // A missing required key is named before an unknown one.
                if let missing = parameters.first(where: { p in p.named && p.required && !named.contains { $0.key == p.key } }) {
                    throw DomainError(.SYNTAX, "\(missing.key)= is required; usage: \(usage)")
                }
                throw DomainError(.SYNTAX, "unknown key \(pair.key)=; usage: \(usage)")
            }
            given[index] = pair.value
        }
        for (index, parameter) in parameters.enumerated() where parameter.named && parameter.required && given[index] == nil {
            throw DomainError(.SYNTAX, "\(parameter.key)= is required; usage: \(usage)")
        }
    }

    // MARK: Before the values are checked (a form's structural check)

    /// Whether the argument was given.
    public func has(_ key: String) -> Bool { given[index(key)] != nil || (parameters[index(key)].repeats && !rest.isEmpty) }

    /// The text given, unchecked.
    public func raw(_ key: String) -> String? { given[index(key)] }

    /// How many `key=value` arguments were given.
    public var namedCount: Int { parameters.indices.count { parameters[$0].named && given[$0] != nil } }

    // MARK: Checking the values

    /// Checks every value given by its parameter's kind, in the parameters' order.
    mutating func validate() throws(DomainError) {
        for (index, parameter) in parameters.enumerated() {
            if parameter.repeats {
                var items: [ItemSpec] = []
                items.reserveCapacity(rest.count)
                for token in rest { items.append(try ItemSpec(parsing: token)) }
                values[index] = .items(items)
            } else if let text = given[index] {
                values[index] = try Arguments.value(text, parameter)
            }
        }
    }

    private static func value(_ text: String, _ p: Parameter) throws(DomainError) -> Value {
        switch p.kind {
        case .text:
            return .text(text)
        case .password:
            guard (1...256).contains(text.utf8.count) else { throw DomainError(.INVALID, "password must be 1-256 bytes") }
            return .text(text)
        case .nonEmpty:
            guard !text.isEmpty else { throw DomainError(.INVALID, "\(p.key)= must not be empty") }
            return .text(text)
        case .identifier:
            return .text(try identifier(text, p.what))
        case .orderID:
            let id = try identifier(text, p.what)
            if id == ReturnFiling.noReceiptOrder {
                throw DomainError(.INVALID, "- is not an order id: RETURN - files a return without a receipt")
            }
            if id.hasPrefix("X-"), ReturnRequest.number(String(id.dropFirst(2))) != nil {
                throw DomainError(.INVALID, "\(id) is the name of an exchange sale, which the server records at approval")
            }
            return .text(id)
        case .orderOrNoReceipt:
            return .text(text == ReturnFiling.noReceiptOrder ? text : try identifier(text, p.what))
        case .money:
            guard let money = Money(parsing: text) else {
                throw DomainError(.INVALID, "\(p.key)=\(text) is not money (up to 2 decimals, at most 999999999999.99)")
            }
            return .money(money)
        case .percent:
            guard let rate = Percent(parsing: text) else {
                throw DomainError(.INVALID, "\(p.key)=\(text.prefix(32)) is not a percentage from 0 to 100 with up to 2 decimals")
            }
            return .percent(rate)
        case .integer(let range):
            guard let n = Int64(text), range.contains(n) else {
                throw DomainError(.INVALID, "\(p.key)= takes a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return .integer(n)
        case .yesNo:
            switch text.lowercased() {
            case "yes": return .flag(true)
            case "no": return .flag(false)
            default: throw DomainError(.INVALID, "\(p.key)= takes yes or no")
            }
        case .date:
            guard let date = CivilDate(parsing: text) else { throw DomainError(.INVALID, "\(p.key)= takes a date YYYY-MM-DD") }
            return .date(date)
        case .time:
            guard let time = Timestamp(parsing: text) else {
                throw DomainError(.INVALID, "\(p.key)= takes a time YYYY-MM-DDTHH:MM:SSZ")
            }
            return .time(time)
        case .timeBound:
            if let date = CivilDate(parsing: text) { return .timeBound(.date(date)) }
            guard let time = Timestamp(parsing: text) else {
                throw DomainError(.INVALID, "\(p.key)= takes a time YYYY-MM-DDTHH:MM:SSZ or a date YYYY-MM-DD")
            }
            return .timeBound(.time(time))
        case .zone:
            guard let zone = BusinessZone.named(text) else {
                throw DomainError(.INVALID, "\(p.key)=\(text) is not a time zone: give an IANA name such as Asia/Shanghai, UTC, or an offset such as +08:00")
            }
            return .zone(zone)
        case .keyword(let known):
            guard known(text) else { throw DomainError(.INVALID, "unknown \(p.what) \(text)") }
            return .text(text)
        case .item:
            return .items([try ItemSpec(parsing: text)])
        case .itemList:
            var items: [ItemSpec] = []
            for token in text.split(separator: ",", omittingEmptySubsequences: false) {
                items.append(try ItemSpec(parsing: String(token)))
            }
            return .items(items)
        case .scope:
            guard let scope = Scope(parsing: text), scope.codes.allSatisfy({ Identifier.isValid($0) }) else {
                throw DomainError(.INVALID, "locations= takes * or location codes joined by commas, not \(text.prefix(64))")
            }
            return .scope(scope)
        }
    }

    static func identifier(_ value: String, _ what: String) throws(DomainError) -> String {
        guard Identifier.isValid(value) else {
            throw DomainError(.INVALID, "\(what) must be 1-64 characters of A-Z a-z 0-9 . _ -")
        }
        return value
    }

    // MARK: The checked values, for `build`

    private func index(_ key: String) -> Int {
        guard let index = parameters.firstIndex(where: { $0.key == key }) else {
            preconditionFailure("no parameter \(key) in this form")  // a row reads a key it does not declare
        }
        return index
    }

    private func value(_ key: String) -> Value? { values[index(key)] }

    /// A text or identifier argument; "" when left out.
    public func text(_ key: String) -> String { string(key) ?? "" }

    /// A text or identifier argument; nil when left out.
    public func string(_ key: String) -> String? {
        if case .text(let text)? = value(key) { return text }
        return nil
    }

    /// A required text or identifier argument.
    public func required(_ key: String) -> String { string(key)! }

    public func money(_ key: String) -> Money? {
        if case .money(let money)? = value(key) { return money }
        return nil
    }

    public func percent(_ key: String) -> Percent? {
        if case .percent(let rate)? = value(key) { return rate }
        return nil
    }

    public func integer(_ key: String) -> Int64? {
        if case .integer(let n)? = value(key) { return n }
        return nil
    }

    public func flag(_ key: String) -> Bool? {
        if case .flag(let flag)? = value(key) { return flag }
        return nil
    }

    public func date(_ key: String) -> CivilDate? {
        if case .date(let date)? = value(key) { return date }
        return nil
    }

    public func time(_ key: String) -> Timestamp? {
        if case .time(let time)? = value(key) { return time }
        return nil
    }

    public func timeBound(_ key: String) -> TimeBound? {
        if case .timeBound(let bound)? = value(key) { return bound }
        return nil
    }

    public func zone(_ key: String) -> BusinessZone? {
        if case .zone(let zone)? = value(key) { return zone }
        return nil
    }

    public func items(_ key: String) -> [ItemSpec] {
        if case .items(let items)? = value(key) { return items }
        return []
    }

    public func scope(_ key: String) -> Scope? {
        if case .scope(let scope)? = value(key) { return scope }
        return nil
    }

    /// A keyword argument as its enum (checked by `validate`).
    public func keyword<T: RawRepresentable>(_ key: String, _: T.Type = T.self) -> T? where T.RawValue == String {
        string(key).flatMap { T(rawValue: $0.lowercased()) }
    }
}

extension ItemSpec {
    /// `SKU:QTY[@PRICE][#BATCH]`. Searched on the UTF-8 bytes: the separators are ASCII, and
    /// Character-by-Character searching and slicing cost more than the rest of a RETURN line's parsing.
    init(parsing text: String) throws(DomainError) {
        let utf8 = text.utf8
        var end = utf8.endIndex
        var batch = ""
        if let hash = utf8.firstIndex(of: UInt8(ascii: "#")) {
            batch = try Arguments.identifier(String(text[utf8.index(after: hash)...]), "batch")
            end = hash
        }
        var price: Money?
        if let at = utf8[..<end].firstIndex(of: UInt8(ascii: "@")) {
            let priceText = text[utf8.index(after: at)..<end]
            guard let parsed = Money(parsing: priceText), parsed >= .zero else {
                throw DomainError(.INVALID, "price \(priceText) in \(text) is not money")
            }
            price = parsed
            end = at
        }
        guard let colon = utf8[..<end].firstIndex(of: UInt8(ascii: ":")) else {
            throw DomainError(.INVALID, "item \(text) must be SKU:QTY[@PRICE][#BATCH]")
        }
        let sku = try Arguments.identifier(String(text[..<colon]), "sku")
        guard let qty = Int64(text[utf8.index(after: colon)..<end]), Quantity.range.contains(qty) else {
            throw DomainError(.INVALID, "quantity in \(text) must be a whole number from 1 to 1000000")
        }
        self.init(sku: sku, quantity: qty, price: price, batch: batch)
    }
}
