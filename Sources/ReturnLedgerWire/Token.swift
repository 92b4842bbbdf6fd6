/// One token of a request line: positional (`A100:2`, `"a name"`) or named (`note="box torn"`).
public struct Token: Equatable, Sendable {
    /// Lower-cased key of a `key=value` token; nil for a positional token.
    public var key: String?
    /// The value, unquoted and unescaped.
    public var value: String

    public init(key: String?, value: String) { self.key = key; self.value = value }
}

/// Splits a line into tokens (protocol.md, Tokens): blanks separate; a token is bare or a
/// double-quoted string with `\" \\ \n \t \xHH`; `key=value` may quote its value.
public enum Tokenizer {
    public enum Failure: Error, Equatable { case syntax(String), encoding }

    public static func tokenize(_ line: [UInt8]) throws(Failure) -> [Token] {
        try line.withUnsafeBufferPointer { (buffer) throws(Failure) -> [Token] in try tokenize(buffer) }
    }

    public static func tokenize(_ line: UnsafeBufferPointer<UInt8>) throws(Failure) -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(8)
        try forEach(line) { tokens.append(Token(key: $0, value: $1)) }
        return tokens
    }

    /// Hands each token to `body` in order, its key (nil for a positional token) and its value,
    /// reading the line in place (the connection's queue of frames) and copying only the tokens'
    /// text. The request parser takes them this way: a list of tokens built and torn down for every
    /// request cost ~2k instructions of a SALE (callgrind). A failure comes after the tokens before it.
    public static func forEach(_ line: UnsafeBufferPointer<UInt8>, _ body: (_ key: String?, _ value: String) -> Void) throws(Failure) {
        var i = 0
        let n = line.count
        while i < n {
            let b = line[i]
            if b == 0x20 || b == 0x09 { i += 1; continue }
            if b == UInt8(ascii: "\"") {
                body(nil, try quoted(line, &i))
                continue
            }
            let start = i
            var equals = -1
            while i < n {
                let c = line[i]
                // Letters and most punctuation sort after `=`, `"` and the blanks: one compare.
                if c > UInt8(ascii: "=") { i += 1; continue }
                if c == 0x20 || c == 0x09 { break }
                if c == UInt8(ascii: "=") && equals < 0 {
                    equals = i
                    if i + 1 < n, line[i + 1] == UInt8(ascii: "\"") { break }
                } else if c == UInt8(ascii: "\"") {
                    throw .syntax("unexpected quote")
                }
                i += 1
            }
            if equals == start { throw .syntax("missing key before =") }
            if equals < 0 {
                body(nil, try string(UnsafeBufferPointer(rebasing: line[start..<i])))
                continue
            }
            let key = try lowercasedKey(UnsafeBufferPointer(rebasing: line[start..<equals]))
            if i < n, line[i] == UInt8(ascii: "=") {
                i += 1
                body(key, try quoted(line, &i))
            } else {
                body(key, try string(UnsafeBufferPointer(rebasing: line[(equals + 1)..<i])))
            }
        }
    }

    /// Reads a quoted string starting at the opening quote; leaves `i` after the closing quote.
    private static func quoted(_ line: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws(Failure) -> String {
        var bytes: [UInt8] = []
        i += 1
        while i < line.count {
            let c = line[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                if i < line.count, line[i] != 0x20, line[i] != 0x09 { throw .syntax("text after closing quote") }
                return try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> String in try string(buffer) }
            }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < line.count else { break }
                switch line[i + 1] {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "x"):
                    guard i + 3 < line.count, let hi = hex(line[i + 2]), let lo = hex(line[i + 3]) else {
                        throw .syntax("\\x needs two hex digits")
                    }
                    bytes.append(hi << 4 | lo)
                    i += 2
                default:
                    throw .syntax("unknown escape")
                }
                i += 2
                continue
            }
            bytes.append(c)
            i += 1
        }
        throw .syntax("unbalanced quotes")
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Keys arrive lower-case nearly always: only a key with an upper-case letter is converted.
    private static func lowercasedKey(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> String {
        let key = try string(bytes)
        return bytes.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") || $0 >= 0x80 }) ? key.lowercased() : key
    }

    /// ASCII (nearly every token) needs no validation; anything else is validated once.
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> String {
        var any: UInt8 = 0
        for byte in bytes { any |= byte }
        if any < 0x80 { return String(decoding: bytes, as: UTF8.self) }
        guard let s = String(validating: bytes, as: UTF8.self) else { throw .encoding }
        return s
    }
}
