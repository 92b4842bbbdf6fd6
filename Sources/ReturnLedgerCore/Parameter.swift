/// One argument of a command form: where it stands (a positional token or `key=value`), whether
/// it must be given, and the kind of value it takes. The form's usage text is made from these, and
/// the parser checks a request against them: structure first (SYNTAX), values after (INVALID).
/// A class: the parser passes them around per request, and a copy of a class is one retain.
public final class Parameter: Sendable {
    /// The key of a named argument; for a positional one, the name `build` reads it by.
    public let key: String
    /// Positional: the text usage shows (`order|-`, `ITEM...`); named: the value's placeholder
    /// (`LOC` in `location=LOC`).
    public let label: String
    public let kind: Kind
    public let named: Bool
    public let required: Bool
    /// Takes every positional token left (items).
    public let repeats: Bool
    /// What an INVALID message calls the value (`order`, `document number`).
    let what: String

    init(key: String, label: String, kind: Kind, named: Bool, required: Bool, repeats: Bool, what: String) {
        self.key = key; self.label = label; self.kind = kind; self.named = named; self.required = required
        self.repeats = repeats; self.what = what
    }

    /// A positional argument, required unless `optional`.
    public static func positional(_ key: String, _ kind: Kind, label: String? = nil, what: String? = nil,
                                  optional: Bool = false, repeats: Bool = false) -> Parameter {
        Parameter(key: key, label: label ?? key, kind: kind, named: false, required: !optional, repeats: repeats,
                  what: what ?? key)
    }

    /// A `key=value` argument that must be given.
    public static func required(_ key: String, _ kind: Kind, _ placeholder: String) -> Parameter {
        Parameter(key: key, label: placeholder, kind: kind, named: true, required: true, repeats: false, what: key)
    }

    /// A `key=value` argument that may be left out.
    public static func optional(_ key: String, _ kind: Kind, _ placeholder: String) -> Parameter {
        Parameter(key: key, label: placeholder, kind: kind, named: true, required: false, repeats: false, what: key)
    }

    /// As HELP prints it: `order|-`, `ITEM...`, `location=LOC`, `[note=TEXT]`.
    var usage: String {
        let text = named ? "\(key)=\(label)" : label
        return required ? text : "[\(text)]"
    }

    /// The kinds of value, each with its check and its INVALID message.
    public enum Kind: Sendable {
        /// Any text, as given (a note).
        case text
        /// Text that must not be empty when given (a name).
        case nonEmpty
        /// An identifier: 1–64 of A-Z a-z 0-9 . _ -
        case identifier
        /// An order id of SALE and PURCHASE: not `-` (a return without a receipt) nor `X-R…` (an
        /// exchange sale, which the server names).
        case orderID
        /// RETURN's order: an identifier, or `-` for a return without a receipt.
        case orderOrNoReceipt
        case money
        /// A rate from 0 to 100 percent with up to 2 decimals.
        case percent
        case integer(ClosedRange<Int64>)
        case yesNo
        case date
        case time
        /// A time, or a date meaning the start of that business date.
        case timeBound
        case zone
        /// One of a fixed set of words, in any case (`cash|credit`).
        case keyword(@Sendable (String) -> Bool)
        /// `SKU:QTY[@PRICE][#BATCH]`, one per token.
        case item
        /// `SKU:QTY[#BATCH]` where QTY may be 0: what arrived or was counted (TRANSFER RECEIVE, COUNT).
        case countedItem
        /// `SKU:QTY[@PRICE][#BATCH]` joined by commas in one value (`exchange=`).
        case itemList
        /// `*` or location codes joined by commas.
        case scope
        /// `KIND:AMOUNT[#REF]` joined by commas (protocol.md, Tenders).
        case tenders
        /// APPROVE's `refund=`: `original`, `cash`, `credit` or a tender list.
        case refund
        /// 1–256 bytes, kept as given until the server hashes it.
        case password
        /// `""` (a SET clearing a setting) or a value of the inner kind.
        indirect case orEmpty(Kind)

        /// The words of a String-backed enum, in any case.
        public static func keyword<T: RawRepresentable & Sendable>(_: T.Type) -> Kind where T.RawValue == String {
            .keyword { T(rawValue: $0.lowercased()) != nil }
        }
    }
}
