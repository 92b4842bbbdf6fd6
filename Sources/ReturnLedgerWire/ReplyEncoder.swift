public import ReturnLedgerCore

/// Turns replies into bytes (protocol.md, Replies): `* ` data lines, then one `OK`/`ERR` line,
/// each ending in LF (CR LF with `crlf`, for telnet sessions that agreed BINARY; protocol.md,
/// Framing). Values with blanks, quotes, control bytes or nothing in them are quoted.
public enum ReplyEncoder {
    public static func encode(_ reply: Reply, into out: inout [UInt8], crlf: Bool = false) {
        if reply.lines.count >= 8 {
            // Room for the lines up front, as written unquoted: a LIST page grew its buffer a
            // line at a time (~1.6k instructions a row of copies, callgrind). A one-line reply,
            // the request path's, is not counted twice. At least doubled, as appending would:
            // a connection's output holding pipelined replies is not copied once per reply.
            var size = out.count + 256
            for line in reply.lines { size += 3 + length(line, bytesPerValueByte: 1, quotes: 0) }
            if size > out.capacity { out.reserveCapacity(max(size, 2 * out.capacity)) }
        }
        for line in reply.lines {
            writeLine(into: &out, bound: 3 + bound(line)) { w in
                w.byte(UInt8(ascii: "*"))
                for field in line { w.field(field) }
                w.lineEnd(crlf)
            }
        }
        writeLine(into: &out, bound: 5 + (reply.word?.utf8.count ?? 0) + bound(reply.status)) { w in
            w.byte(UInt8(ascii: "O"))
            w.byte(UInt8(ascii: "K"))
            if let word = reply.word {
                w.byte(0x20)
                w.text(word)
            }
            for field in reply.status { w.field(field) }
            w.lineEnd(crlf)
        }
    }

    /// A push line (protocol.md: WATCH): `! KIND key=value...`.
    public static func encodePush(_ kind: String, _ fields: [Field], into out: inout [UInt8], crlf: Bool = false) {
        writeLine(into: &out, bound: 5 + kind.utf8.count + bound(fields)) { w in
            w.byte(UInt8(ascii: "!"))
            w.byte(0x20)
            w.text(kind)
            for field in fields { w.field(field) }
            w.lineEnd(crlf)
        }
    }

    public static func encode(_ error: DomainError, into out: inout [UInt8], crlf: Bool = false) {
        out.append(contentsOf: "ERR ".utf8)
        out.append(contentsOf: error.code.rawValue.utf8)
        out.append(0x20)
        for byte in error.message.utf8 { out.append(byte < 0x20 ? 0x20 : byte) }
        if crlf { out.append(0x0D) }
        out.append(0x0A)
    }

    public static func encode(_ result: Result<Reply, DomainError>, into out: inout [UInt8], crlf: Bool = false) {
        switch result {
        case .success(let reply): encode(reply, into: &out, crlf: crlf)
        case .failure(let error): encode(error, into: &out, crlf: crlf)
        }
    }

    /// The whole reply as a string, for tests and tools.
    public static func text(_ result: Result<Reply, DomainError>) -> String {
        var out: [UInt8] = []
        encode(result, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes a value bare when it can be, else quoted with the escapes of protocol.md, Tokens.
    public static func appendValue(_ value: String, to out: inout [UInt8]) {
        writeLine(into: &out, bound: 2 + 4 * value.utf8.count) { $0.value(value) }
    }

    /// At most this many bytes for the fields: a blank, the key, `=`, and a value that may be
    /// quoted with every byte escaped as `\xHH`.
    private static func bound(_ fields: [Field]) -> Int { length(fields, bytesPerValueByte: 4, quotes: 2) }

    /// The fields' length written with `bytesPerValueByte` for each byte of a value and `quotes`
    /// around it: 4 and 2 at most (`\xHH`, quoted), 1 and 0 as most values are written.
    private static func length(_ fields: [Field], bytesPerValueByte: Int, quotes: Int) -> Int {
        var n = 0
        for field in fields { n += 2 + quotes + field.key.utf8.count + bytesPerValueByte * field.value.utf8.count }
        return n
    }

    /// One line written through a pointer into scratch memory of a size known up front (on the
    /// stack for any usual line), then appended in one copy: no per-byte capacity checks.
    private static func writeLine(into out: inout [UInt8], bound: Int, _ body: (inout Writer) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { buffer in
            var writer = Writer(base: buffer.baseAddress!)
            body(&writer)
            out.append(contentsOf: UnsafeBufferPointer(start: buffer.baseAddress!, count: writer.count))
        }
    }

    private struct Writer {
        let base: UnsafeMutablePointer<UInt8>
        var count = 0

        init(base: UnsafeMutablePointer<UInt8>) { self.base = base }

        mutating func byte(_ byte: UInt8) {
            base[count] = byte
            count += 1
        }

        mutating func lineEnd(_ crlf: Bool) {
            if crlf { byte(0x0D) }
            byte(0x0A)
        }

        mutating func bytes(_ utf8: UnsafeBufferPointer<UInt8>) {
            guard let from = utf8.baseAddress else { return }
            (base + count).update(from: from, count: utf8.count)
            count += utf8.count
        }

        mutating func text(_ text: String) {
            text.withUTF8InPlace { bytes($0) }
        }

        /// ` key=value`, or ` word` for a field without a key (`* item sku=...`).
        mutating func field(_ field: Field) {
            byte(0x20)
            if field.key.isEmpty {
                text(field.value)
                return
            }
            text(field.key)
            byte(UInt8(ascii: "="))
            value(field.value)
        }

        mutating func value(_ value: String) {
            value.withUTF8InPlace { FieldText.write($0, to: base, count: &count) }
        }
    }
}
