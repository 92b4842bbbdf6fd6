/// A request's arguments matched to its form's parameters: first their structure (counts, required
/// and unknown keys: SYNTAX), then each value by its kind (INVALID), in the order the contract
/// checks them. `build` reads the checked values by key.
///
/// On the request path: it keeps the tokens as the parser split them and only what checking built
/// (items, a zone, a scope); a money or a date is read again from its text when `build` asks.
public struct Arguments: Sendable {
    private let form: CommandForm
    private var parameters: [Parameter] { form.parameters }
    /// The form's usage text, for the SYNTAX messages of a form's own structural check.
    public let usage: String
    private let positional: [String]
    private let named: [(key: String, value: String)]
    /// What checking the values built, by parameter index.
    private var built: [(index: Int, value: Built)] = []
    /// Where the next look-up by key starts (see `index`).
    private var cursor = 0

    /// A value whose check builds something worth keeping.
    enum Built: Sendable {
        case items([ItemSpec])
        /// Boxed: a zone's rules are large.
        indirect case zone(BusinessZone)
        case scope(Scope)
        /// `tender=` and `refund=`: parsed once, by the check (a SALE paid two ways parsed its
        /// list twice, ~2.5k instructions each).
        case tenders([Tender])
        case refund(RefundChoice)
    }

    /// Matches tokens to the form's parameters; `usage` goes into the SYNTAX messages.
    init(_ form: CommandForm, positional: [String], named: [(key: String, value: String)], usage: String) throws(DomainError) {
        self.form = form
        self.usage = usage
        self.positional = positional
        self.named = named
        guard form.positionalRange.contains(positional.count) else { throw DomainError(.SYNTAX, "usage: \(usage)") }
        for pair in named where !form.parameters.contains(where: { $0.named && $0.key == pair.key }) {
            // A missing required key is named before an unknown one.
            if let missing = form.requiredNamedIndices.first(where: { i in !named.contains { $0.key == form.parameters[i].key } }) {
                throw DomainError(.SYNTAX, "\(form.parameters[missing].key)= is required; usage: \(usage)")
            }
            throw DomainError(.SYNTAX, "unknown key \(pair.key)=; usage: \(usage)")
        }
        for index in form.requiredNamedIndices where given(index) == nil {
            throw DomainError(.SYNTAX, "\(form.parameters[index].key)= is required; usage: \(usage)")
        }
    }

    /// The text given for a parameter, nil when left out (a repeating one: its first token).
    private func given(_ index: Int) -> String? {
        let parameter = parameters[index]
        if parameter.named {
            for pair in named where pair.key == parameter.key { return pair.value }
            return nil
        }
        let place = form.positionalPlaces[index]
        return place < positional.count ? positional[place] : nil
    }

    /// A repeating parameter's tokens: the rest of the positional ones from its place.
    private func rest(_ index: Int) -> ArraySlice<String> {
        positional[min(form.positionalPlaces[index], positional.count)...]
    }

    // MARK: Before the values are checked (a form's structural check)

    /// Whether the argument was given.
    public func has(_ key: String) -> Bool {
        parameters.firstIndex { $0.key == key }.map { given($0) != nil } ?? false
    }

    /// Whether a `key=value` argument was given: the pairs alone, no search of the form (on
    /// RETURN's path, for `at=`).
    public func hasNamed(_ key: String) -> Bool { named.contains { $0.key == key } }

    /// The text given, unchecked.
    public func raw(_ key: String) -> String? { parameters.firstIndex { $0.key == key }.flatMap { given($0) } }

    /// How many `key=value` arguments were given.
    public var namedCount: Int { named.count }

    // MARK: Checking the values

    /// Checks every value given by its parameter's kind, in the parameters' order.
    mutating func validate() throws(DomainError) {
        for (index, parameter) in parameters.enumerated() {
            if parameter.repeats {
                var items: [ItemSpec] = []
                items.reserveCapacity(positional.count)
                let zero = if case .countedItem = parameter.kind { true } else { false }
                for token in rest(index) { items.append(try ItemSpec(parsing: token, allowZero: zero)) }
                keep(index, .items(items))
            } else if let text = given(index), let value = try Arguments.check(text, parameter) {
                keep(index, value)
            }
        }
    }

    private mutating func keep(_ index: Int, _ value: Built) {
        // Room for items, tenders and a refund at once: a SALE paid two ways grew the list twice.
        if built.isEmpty { built.reserveCapacity(3) }
        built.append((index, value))
    }

    /// Checks one value by its parameter's kind: INVALID with the contract's message when it is not
    /// one. What building it made (items, a zone, a scope) comes back to be kept; the rest is read
    /// again from its text by `build`, cheaply.
    private static func check(_ text: String, _ p: Parameter) throws(DomainError) -> Built? {
        var kind = p.kind
        if case .orEmpty(let inner) = kind {
            guard !text.isEmpty else { return nil }  // "": clears the setting
            kind = inner
        }
        switch kind {
        case .text:
            break
        case .password:
            guard (1...256).contains(text.utf8.count) else { throw DomainError(.INVALID, "password must be 1-256 bytes") }
        case .nonEmpty:
            guard !text.isEmpty else { throw DomainError(.INVALID, "\(p.key)= must not be empty") }
        case .identifier:
            _ = try identifier(text, p.what)
        case .orderID:
            let id = try identifier(text, p.what)
            if id == ReturnFiling.noReceiptOrder {
                throw DomainError(.INVALID, "- is not an order id: RETURN - files a return without a receipt")
            }
            if id.hasPrefix("X-"), ReturnRequest.number(String(id.dropFirst(2))) != nil {
                throw DomainError(.INVALID, "\(id) is the name of an exchange sale, which the server records at approval")
            }
        case .orderOrNoReceipt:
            if text != ReturnFiling.noReceiptOrder { _ = try identifier(text, p.what) }
        case .money:
            guard Money(parsing: text) != nil else {
                throw DomainError(.INVALID, "\(p.key)=\(text) is not money (up to 2 decimals, at most 999999999999.99)")
            }
        case .percent:
            guard Percent(parsing: text) != nil else {
                throw DomainError(.INVALID, "\(p.key)=\(text.prefix(32)) is not a percentage from 0 to 100 with up to 2 decimals")
            }
        case .integer(let range):
            guard let n = Int64(text), range.contains(n) else {
                throw DomainError(.INVALID, "\(p.key)= takes a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
        case .yesNo:
            let word = text.lowercased()
            guard word == "yes" || word == "no" else { throw DomainError(.INVALID, "\(p.key)= takes yes or no") }
        case .date:
            guard CivilDate(parsing: text) != nil else { throw DomainError(.INVALID, "\(p.key)= takes a date YYYY-MM-DD") }
        case .time:
            guard Timestamp(parsing: text) != nil else { throw DomainError(.INVALID, "\(p.key)= takes a time YYYY-MM-DDTHH:MM:SSZ") }
        case .timeBound:
            guard CivilDate(parsing: text) != nil || Timestamp(parsing: text) != nil else {
                throw DomainError(.INVALID, "\(p.key)= takes a time YYYY-MM-DDTHH:MM:SSZ or a date YYYY-MM-DD")
            }
        case .keyword(let known):
            guard known(text) else { throw DomainError(.INVALID, "unknown \(p.what) \(text)") }
        case .zone:
            guard let zone = BusinessZone.named(text) else {
                throw DomainError(.INVALID, "\(p.key)=\(text) is not a time zone: give an IANA name such as Asia/Shanghai, UTC, or an offset such as +08:00")
            }
            return .zone(zone)
        case .item:
            return .items([try ItemSpec(parsing: text)])
        case .countedItem:
            return .items([try ItemSpec(parsing: text, allowZero: true)])
        case .itemList:
            return .items(try ItemSpec.list(parsing: text))
        case .tenders:
            return .tenders(try Tender.list(parsing: text))
        case .refund:
            return .refund(try RefundChoice(parsing: text))
        case .orEmpty:
            break  // taken off above; never nested
        case .scope:
            guard let scope = Scope(parsing: text), scope.codes.allSatisfy({ Identifier.isValid($0) }) else {
                throw DomainError(.INVALID, "locations= takes * or location codes joined by commas, not \(text.prefix(64))")
            }
            return .scope(scope)
        }
        return nil
    }

    static func identifier(_ value: String, _ what: String) throws(DomainError) -> String {
        guard Identifier.isValid(value) else { throw Identifier.refusal(what) }
        return value
    }

    // MARK: The checked values, for `build`

    /// The parameter's place. `build` mostly reads in the parameters' order and a string compare
    /// that fails costs a call, so the search starts where the last one ended.
    private mutating func index(_ key: String) -> Int {
        for offset in parameters.indices {
            let i = (cursor + offset) % parameters.count
            if parameters[i].key == key {
                cursor = i + 1 == parameters.count ? 0 : i + 1
                return i
            }
        }
        preconditionFailure("no parameter \(key) in this form")  // a row reads a key it does not declare
    }

    private mutating func text(of key: String) -> String? { given(index(key)) }

    private mutating func built(_ key: String) -> Built? {
        let i = index(key)
        return built.first { $0.index == i }?.value
    }

    /// A text or identifier argument; "" when left out.
    public mutating func text(_ key: String) -> String { text(of: key) ?? "" }

    /// A text or identifier argument; nil when left out.
    public mutating func string(_ key: String) -> String? { text(of: key) }

    /// A required text or identifier argument.
    public mutating func required(_ key: String) -> String { text(of: key)! }

    public mutating func money(_ key: String) -> Money? { text(of: key).flatMap { Money(parsing: $0) } }

    public mutating func percent(_ key: String) -> Percent? { text(of: key).flatMap { Percent(parsing: $0) } }

    public mutating func integer(_ key: String) -> Int64? { text(of: key).flatMap { Int64($0) } }

    public mutating func flag(_ key: String) -> Bool? { text(of: key).map { $0.lowercased() == "yes" } }

    public mutating func date(_ key: String) -> CivilDate? { text(of: key).flatMap { CivilDate(parsing: $0) } }

    public mutating func time(_ key: String) -> Timestamp? { text(of: key).flatMap { Timestamp(parsing: $0) } }

    public mutating func timeBound(_ key: String) -> TimeBound? {
        guard let text = text(of: key) else { return nil }
        if let date = CivilDate(parsing: text) { return .date(date) }
        return Timestamp(parsing: text).map { .time($0) }
    }

    public mutating func zone(_ key: String) -> BusinessZone? {
        if case .zone(let zone)? = built(key) { return zone }
        return nil
    }

    public mutating func items(_ key: String) -> [ItemSpec] {
        if case .items(let items)? = built(key) { return items }
        return []
    }

    public mutating func scope(_ key: String) -> Scope? {
        if case .scope(let scope)? = built(key) { return scope }
        return nil
    }

    /// A tender list (as `validate` built it); nil when left out.
    public mutating func tenders(_ key: String) -> [Tender]? {
        if case .tenders(let tenders)? = built(key) { return tenders }
        return nil
    }

    /// APPROVE's `refund=` (as `validate` built it); nil when left out.
    public mutating func refund(_ key: String) -> RefundChoice? {
        if case .refund(let choice)? = built(key) { return choice }
        return nil
    }

    /// A keyword argument as its enum (checked by `validate`).
    public mutating func keyword<T: RawRepresentable>(_ key: String, _: T.Type = T.self) -> T? where T.RawValue == String {
        text(of: key).flatMap { T(rawValue: $0.lowercased()) }
    }
}

extension ItemSpec {
    /// `SKU:QTY[@PRICE][#BATCH][/SERIAL...]`. Searched on the UTF-8 bytes: the separators are ASCII, and
    /// Character-by-Character searching and slicing cost more than the rest of a RETURN line's parsing.
    /// `allowZero`: QTY may be 0 (what arrived or was counted).
    init(parsing text: String, allowZero: Bool = false) throws(DomainError) {
        self = try text.withUTF8InPlace { ItemSpec.parse($0, text, allowZero: allowZero) }.get()
    }

    /// `ITEM,ITEM...` (an exchange's goods), split at its commas' bytes as the items are read;
    /// an empty part is an item that is not one.
    static func list(parsing text: String) throws(DomainError) -> [ItemSpec] {
        var items: [ItemSpec] = []
        let refused = text.withUTF8InPlace { utf8 in
            utf8.forEachPart(separatedBy: UInt8(ascii: ",")) { part in
                switch parse(part, String(decoding: part, as: UTF8.self), allowZero: false) {
                case .success(let item): items.append(item); return nil
                case .failure(let error): return error
                }
            }
        }
        if let refused { throw refused }
        return items
    }

    /// Read on the token's bytes in place: slicing the String by its indices and making a String
    /// of each part cost ~1.5k instructions an item (callgrind).
    private static func parse(_ utf8: UnsafeBufferPointer<UInt8>, _ text: String, allowZero: Bool) -> Result<ItemSpec, DomainError> {
        // One pass finds each separator's first place up to the serials (an identifier holds none
        // of them): a search per separator cost a scan each.
        var slashAt = -1, hashAt = -1, atAt = -1, colonAt = -1
        scan: for i in utf8.indices {
            switch utf8[i] {
            case UInt8(ascii: "/"): slashAt = i; break scan
            case UInt8(ascii: "#"): if hashAt < 0 { hashAt = i }
            case UInt8(ascii: "@"): if atAt < 0 { atAt = i }
            case UInt8(ascii: ":"): if colonAt < 0 { colonAt = i }
            default: break
            }
        }
        func part(_ from: Int, _ to: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: utf8[from..<to]) }
        /// An identifier's text, or INVALID naming `what`.
        func identifier(_ bytes: UnsafeBufferPointer<UInt8>, _ what: String) -> Result<String, DomainError> {
            guard Identifier.isValid(utf8: bytes) else { return .failure(Identifier.refusal(what)) }
            return .success(String(decoding: bytes, as: UTF8.self))
        }
        var end = utf8.count
        var serials: [String] = []
        if slashAt >= 0 {
            // Serial numbers (protocol.md, Serial numbers): identifiers after the first slash.
            let refused = part(slashAt + 1, utf8.count).forEachPart(separatedBy: UInt8(ascii: "/")) { serial in
                switch identifier(serial, "serial") {
                case .success(let text): serials.append(text); return nil
                case .failure(let error): return error
                }
            }
            if let refused { return .failure(refused) }
            end = slashAt
        }
        var batch = ""
        if hashAt >= 0 {
            switch identifier(part(hashAt + 1, end), "batch") {
            case .success(let text): batch = text
            case .failure(let error): return .failure(error)
            }
            end = hashAt
        }
        var price: Money?
        if atAt >= 0, atAt < end {
            guard let parsed = Money(utf8: utf8[(atAt + 1)..<end]), parsed >= .zero else {
                let priceText = String(decoding: part(atAt + 1, end), as: UTF8.self)
                return .failure(DomainError(.INVALID, "price \(priceText) in \(text) is not money"))
            }
            price = parsed
            end = atAt
        }
        guard colonAt >= 0, colonAt < end else {
            return .failure(DomainError(.INVALID, "item \(text) must be SKU:QTY[@PRICE][#BATCH][/SERIAL...]"))
        }
        let sku: String
        switch identifier(part(0, colonAt), "sku") {
        case .success(let text): sku = text
        case .failure(let error): return .failure(error)
        }
        guard let qty = wholeNumber(part(colonAt + 1, end)), Quantity.range.contains(qty) || (allowZero && qty == 0) else {
            return .failure(DomainError(.INVALID, "quantity in \(text) must be a whole number from \(allowZero ? 0 : 1) to 1000000"))
        }
        return .success(ItemSpec(sku: sku, quantity: qty, price: price, batch: batch, serials: serials))
    }

    /// `Int64(text)` on bytes: an optional sign, then decimal digits; nil past Int64's range.
    static func wholeNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var digits = bytes[...]
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = next
        }
        return value
    }
}
