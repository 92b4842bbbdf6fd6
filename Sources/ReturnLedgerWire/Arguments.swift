import ReturnLedgerCore

/// The tokens after the command word, with the checks every command needs. Structure is
/// checked first (SYNTAX), values after (INVALID), as section 8 orders them.
struct Arguments {
    var positional: [Token]
    var named: Named

    /// The `key=value` tokens of one request: a handful at most, so a list searched in order
    /// beats hashing every key into a dictionary.
    struct Named {
        private(set) var pairs: [(key: String, value: String)] = []

        subscript(key: String) -> String? {
            for pair in pairs where pair.key == key { return pair.value }
            return nil
        }

        var keys: some Sequence<String> { pairs.lazy.map(\.key) }

        mutating func add(_ key: String, _ value: String) { pairs.append((key, value)) }
    }

    init(_ tokens: ArraySlice<Token>) throws(DomainError) {
        positional = []
        named = Named()
        for token in tokens {
            if let key = token.key {
                guard named[key] == nil else { throw DomainError(.SYNTAX, "\(key)= given twice") }
                named.add(key, token.value)
            } else {
                positional.append(token)
            }
        }
    }

    /// Checks counts and keys: too few or too many positional tokens, a missing required key or
    /// an unknown key are SYNTAX.
    func expect(_ usage: @autoclosure () -> String, positional range: ClosedRange<Int>, required: [String] = [],
                optional: [String] = []) throws(DomainError) {
        guard range.contains(positional.count) else { throw DomainError(.SYNTAX, "usage: \(usage())") }
        for key in required where named[key] == nil { throw DomainError(.SYNTAX, "\(key)= is required; usage: \(usage())") }
        for key in named.keys where !required.contains(key) && !optional.contains(key) {
            throw DomainError(.SYNTAX, "unknown key \(key)=; usage: \(usage())")
        }
    }

    func id(_ index: Int, _ what: String) throws(DomainError) -> String {
        try Arguments.identifier(positional[index].value, what)
    }

    func id(_ key: String) throws(DomainError) -> String? {
        guard let value = named[key] else { return nil }
        return try Arguments.identifier(value, key)
    }

    static func identifier(_ value: String, _ what: String) throws(DomainError) -> String {
        guard Identifier.isValid(value) else {
            throw DomainError(.INVALID, "\(what) must be 1-64 characters of A-Z a-z 0-9 . _ -")
        }
        return value
    }

    func text(_ key: String) -> String { named[key] ?? "" }

    func nonEmpty(_ key: String) throws(DomainError) -> String {
        let value = named[key] ?? ""
        guard !value.isEmpty else { throw DomainError(.INVALID, "\(key)= must not be empty") }
        return value
    }

    /// A text that may be left out, but not given empty.
    func optionalNonEmpty(_ key: String) throws(DomainError) -> String? {
        named[key] == nil ? nil : try nonEmpty(key)
    }

    /// A SET names at least one thing to change.
    func expectSomething(_ usage: @autoclosure () -> String) throws(DomainError) {
        guard !named.pairs.isEmpty else { throw DomainError(.SYNTAX, "name something to change; usage: \(usage())") }
    }

    func money(_ key: String) throws(DomainError) -> Money? {
        guard let value = named[key] else { return nil }
        guard let money = Money(parsing: value) else {
            throw DomainError(.INVALID, "\(key)=\(value) is not money (up to 2 decimals, at most 999999999999.99)")
        }
        return money
    }

    func keyword<T: RawRepresentable>(_ key: String, _ type: T.Type) throws(DomainError) -> T? where T.RawValue == String {
        guard let value = named[key] else { return nil }
        return try Arguments.keyword(value, key, type)
    }

    static func keyword<T: RawRepresentable>(_ value: String, _ what: String, _: T.Type) throws(DomainError) -> T
    where T.RawValue == String {
        guard let parsed = T(rawValue: value.lowercased()) else { throw DomainError(.INVALID, "unknown \(what) \(value)") }
        return parsed
    }

    func yesNo(_ key: String) throws(DomainError) -> Bool? {
        guard let value = named[key] else { return nil }
        switch value.lowercased() {
        case "yes": return true
        case "no": return false
        default: throw DomainError(.INVALID, "\(key)= takes yes or no")
        }
    }

    func date(_ key: String) throws(DomainError) -> CivilDate? {
        guard let value = named[key] else { return nil }
        guard let date = CivilDate(parsing: value) else { throw DomainError(.INVALID, "\(key)= takes a date YYYY-MM-DD") }
        return date
    }

    func time(_ key: String) throws(DomainError) -> Timestamp? {
        guard let value = named[key] else { return nil }
        guard let time = Timestamp(parsing: value) else {
            throw DomainError(.INVALID, "\(key)= takes a time YYYY-MM-DDTHH:MM:SSZ")
        }
        return time
    }

    /// A time, or a date alone meaning the start of that business date (AUDIT from=).
    func timeBound(_ key: String) throws(DomainError) -> TimeBound? {
        guard let value = named[key] else { return nil }
        if let date = CivilDate(parsing: value) { return .date(date) }
        guard let time = Timestamp(parsing: value) else {
            throw DomainError(.INVALID, "\(key)= takes a time YYYY-MM-DDTHH:MM:SSZ or a date YYYY-MM-DD")
        }
        return .time(time)
    }

    /// An IANA zone from the system's tzdata or a fixed offset (section 17).
    func zone(_ key: String) throws(DomainError) -> BusinessZone? {
        guard let value = named[key] else { return nil }
        guard let zone = BusinessZone.named(value) else {
            throw DomainError(.INVALID, "\(key)=\(value) is not a time zone: give an IANA name such as Asia/Shanghai, UTC, or an offset such as +08:00")
        }
        return zone
    }

    func integer(_ key: String, in range: ClosedRange<Int64>) throws(DomainError) -> Int64? {
        guard let value = named[key] else { return nil }
        guard let n = Int64(value), range.contains(n) else {
            throw DomainError(.INVALID, "\(key)= takes a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    /// `SKU:QTY[@PRICE][#BATCH]` tokens from `index` on.
    func items(from index: Int) throws(DomainError) -> [ItemSpec] {
        var items: [ItemSpec] = []
        for token in positional[index...] { items.append(try Arguments.item(token.value)) }
        return items
    }

    /// Searched on the UTF-8 bytes: the separators are ASCII, and Character-by-Character
    /// searching and slicing cost more than the rest of a RETURN line's parsing.
    static func item(_ text: String) throws(DomainError) -> ItemSpec {
        let utf8 = text.utf8
        var end = utf8.endIndex
        var batch = ""
        if let hash = utf8.firstIndex(of: UInt8(ascii: "#")) {
            batch = try identifier(String(text[utf8.index(after: hash)...]), "batch")
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
        let sku = try identifier(String(text[..<colon]), "sku")
        guard let qty = Int64(text[utf8.index(after: colon)..<end]), Quantity.range.contains(qty) else {
            throw DomainError(.INVALID, "quantity in \(text) must be a whole number from 1 to 1000000")
        }
        return ItemSpec(sku: sku, quantity: qty, price: price, batch: batch)
    }
}
