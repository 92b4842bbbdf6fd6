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
        var reading = Reading()
        do {
            try Tokenizer.forEach(line) { reading.take($0, $1) }
        } catch {
            switch error {
            case .encoding:
                return .failure(DomainError(.ENCODING, "request is not valid UTF-8"))
            case .syntax(let message):
                // Still a request: its first word decides UNKNOWN_COMMAND, NOAUTH and DENIED first.
                let text = firstWord(line)
                guard let word = CommandWord.named(text) else {
                    return .failure(DomainError(.UNKNOWN_COMMAND, "unknown command \(text.prefix(64))"))
                }
                return .success(Request(word: word, sub: nil, parsed: .failure(RefusedRequest(DomainError(.SYNTAX, message)))))
            }
        }
        guard let first = reading.first else { return nil }
        guard let word = reading.word else {
            // A `key=value` first is named as it was typed.
            let text = first.key == nil ? first.value : firstWord(line)
            return .failure(DomainError(.UNKNOWN_COMMAND, "unknown command \(text.prefix(64))"))
        }
        do throws(DomainError) {
            if let key = reading.givenTwice { throw DomainError(.SYNTAX, "\(key)= given twice") }
            return .success(Request(word: word, sub: reading.sub,
                                    parsed: .success(try word.spec.parse(sub: reading.sub, positional: reading.positional, named: reading.named))))
        } catch {
            let aim = reading.named.first { $0.key == "location" }?.value ?? reading.positional.first
            return .success(Request(word: word, sub: reading.sub, parsed: .failure(RefusedRequest(error, target: String((aim ?? "").prefix(64))))))
        }
    }

    /// The line's first token as typed: from its first byte that is not a blank to the next
    /// blank outside quotes (`note="box torn"`).
    private static func firstWord(_ line: UnsafeBufferPointer<UInt8>) -> String {
        var start = 0
        while start < line.count, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        var end = start, quoted = false
        while end < line.count {
            let byte = line[end]
            if quoted, byte == UInt8(ascii: "\\") { end = min(end + 2, line.count); continue }
            if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if !quoted, byte == 0x20 || byte == 0x09 {
                break
            }
            end += 1
        }
        return String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
    }

    /// The tokens as they arrive: the command word (and a sub-command, for words that take one),
    /// then positional values and `key=value` pairs, in the order given. A key given twice is
    /// SYNTAX, reported once the whole line has tokenized (a malformed token is reported first).
    private struct Reading {
        var first: Token?
        var word: CommandWord?
        var sub: String?
        var positional: [String] = []
        var named: [(key: String, value: String)] = []
        var givenTwice: String?

        mutating func take(_ key: String?, _ value: String) {
            guard first != nil else {
                first = Token(key: key, value: value)
                if key == nil { word = CommandWord.named(value) }
                return
            }
            if let key {
                guard !named.contains(where: { $0.key == key }) else {
                    if givenTwice == nil { givenTwice = key }
                    return
                }
                // Room for a RETURN's pairs at once (grown one at a time they were copied twice).
                if named.isEmpty { named.reserveCapacity(8) }
                named.append((key, value))
                return
            }
            if sub == nil, positional.isEmpty, named.isEmpty, let word, word.spec.hasSubcommands {
                sub = value.uppercased()
                return
            }
            if positional.isEmpty { positional.reserveCapacity(4) }
            positional.append(value)
        }
    }
}
