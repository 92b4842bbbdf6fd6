public import ReturnLedgerCore

/// Turns a framed line into a `Request`: the command word first (UNKNOWN_COMMAND), then the
/// arguments (SYNTAX, then INVALID), by the command's row in `CommandTable`: nothing here is
/// particular to one command. Runs on the connection's queue, never on the writer.
public enum RequestParser {
    /// Nil for a line that is empty or only blanks (no reply at all).
    public static func parse(_ line: [UInt8]) -> Result<Request, DomainError>? {
        line.withUnsafeBufferPointer { parse($0) }
    }

    /// Parses the line in place (the connection's queue of frames).
    public static func parse(_ line: UnsafeBufferPointer<UInt8>) -> Result<Request, DomainError>? {
        let tokens: [Token]
        do {
            tokens = try Tokenizer.tokenize(line)
        } catch {
            switch error {
            case .encoding:
                return .failure(DomainError(.ENCODING, "request is not valid UTF-8"))
            case .syntax(let message):
                // Still a request: its first word decides UNKNOWN_COMMAND, NOAUTH and DENIED first.
                let firstWord = line.prefix { $0 != 0x20 && $0 != 0x09 }
                let text = String(decoding: firstWord, as: UTF8.self)
                guard let word = CommandWord.named(text) else {
                    return .failure(DomainError(.UNKNOWN_COMMAND, "unknown command \(text.prefix(64))"))
                }
                return .success(Request(word: word, sub: nil, parsed: .failure(RefusedRequest(DomainError(.SYNTAX, message)))))
            }
        }
        guard let first = tokens.first else { return nil }
        guard first.key == nil, let word = CommandWord.named(first.value) else {
            return .failure(DomainError(.UNKNOWN_COMMAND, "unknown command \(first.text.prefix(64))"))
        }
        var rest = tokens.dropFirst()
        let spec = word.spec
        var sub: String?
        if spec.hasSubcommands, let next = rest.first, next.key == nil {
            sub = next.value.uppercased()
            rest = rest.dropFirst()
        }
        do {
            let (positional, named) = try split(rest)
            return .success(Request(word: word, sub: sub, parsed: .success(try spec.parse(sub: sub, positional: positional, named: named))))
        } catch {
            let aim = rest.first { $0.key == "location" } ?? rest.first { $0.key == nil }
            return .success(Request(word: word, sub: sub, parsed: .failure(RefusedRequest(error, target: String((aim?.value ?? "").prefix(64))))))
        }
    }

    /// Positional values and `key=value` pairs, in the order given; a key given twice is SYNTAX.
    private static func split(_ tokens: ArraySlice<Token>) throws(DomainError)
        -> (positional: [String], named: [(key: String, value: String)]) {
        var positional: [String] = []
        var named: [(key: String, value: String)] = []
        positional.reserveCapacity(tokens.count)
        for token in tokens {
            if let key = token.key {
                // Room at the first pair (grown one at a time they were copied twice a RETURN).
                if named.isEmpty { named.reserveCapacity(tokens.count) }
                guard !named.contains(where: { $0.key == key }) else { throw DomainError(.SYNTAX, "\(key)= given twice") }
                named.append((key, token.value))
            } else {
                positional.append(token.value)
            }
        }
        return (positional, named)
    }
}
