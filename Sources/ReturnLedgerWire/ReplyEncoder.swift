public import ReturnLedgerCore

/// Turns replies into the bytes of section 3: `* ` data lines, then one `OK`/`ERR` line, each
/// ending in LF. Values with blanks, quotes, control bytes or nothing in them are quoted.
public enum ReplyEncoder {
    public static func encode(_ reply: Reply, into out: inout [UInt8]) {
        for line in reply.lines {
            out.append(UInt8(ascii: "*"))
            for field in line { appendField(field, to: &out) }
            out.append(0x0A)
        }
        out.append(contentsOf: "OK".utf8)
        if let word = reply.word {
            out.append(0x20)
            out.append(contentsOf: word.utf8)
        }
        for field in reply.status { appendField(field, to: &out) }
        out.append(0x0A)
    }

    public static func encode(_ error: DomainError, into out: inout [UInt8]) {
        out.append(contentsOf: "ERR ".utf8)
        out.append(contentsOf: error.code.rawValue.utf8)
        out.append(0x20)
        for byte in error.message.utf8 { out.append(byte < 0x20 ? 0x20 : byte) }
        out.append(0x0A)
    }

    public static func encode(_ result: Result<Reply, DomainError>, into out: inout [UInt8]) {
        switch result {
        case .success(let reply): encode(reply, into: &out)
        case .failure(let error): encode(error, into: &out)
        }
    }

    /// The whole reply as a string, for tests and tools.
    public static func text(_ result: Result<Reply, DomainError>) -> String {
        var out: [UInt8] = []
        encode(result, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendField(_ field: Field, to out: inout [UInt8]) {
        out.append(0x20)
        if field.key.isEmpty {
            appendText(field.value, to: &out)  // a bare word: `* item sku=...`
            return
        }
        appendText(field.key, to: &out)
        out.append(UInt8(ascii: "="))
        appendValue(field.value, to: &out)
    }

    /// Writes a value bare when it can be, else quoted with the escapes of section 2.
    public static func appendValue(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { utf8 in
            var needsQuotes = utf8.isEmpty
            for byte in utf8 where byte <= 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F {
                needsQuotes = true
                break
            }
            guard needsQuotes else {
                out.append(contentsOf: utf8)
                return
            }
            out.append(UInt8(ascii: "\""))
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0..<0x20, 0x7F:
                    out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "x"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]])
                default: out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends a string's bytes without going through a generic sequence.
    static func appendText(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { out.append(contentsOf: $0) }
    }
}
