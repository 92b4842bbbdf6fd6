import ReturnLedgerCore
import ReturnLedgerWire
import Testing

@Suite struct ReplyEncoderTests {
    @Test func quotesOnlyWhatNeedsIt() {
        let reply = Reply(status: [Field("a", "plain"), Field("b", ""), Field("c", "two words"), Field("d", "say \"hi\""),
                                   Field("e", "包装破损"), Field("f", "x\ny\u{1}")],
                          lines: [[Field.word("item"), Field("sku", "A100")]])
        #expect(ReplyEncoder.text(.success(reply)) ==
            "* item sku=A100\nOK a=plain b=\"\" c=\"two words\" d=\"say \\\"hi\\\"\" e=包装破损 f=\"x\\ny\\x01\"\n")
    }

    /// BINARY telnet sessions: every line ends in CR LF, a value's quoted `\n` stays two characters.
    @Test func crlfLineEnds() {
        var out: [UInt8] = []
        ReplyEncoder.encode(.success(Reply(status: [Field("n", "a\nb")], lines: [[Field("x", "1")], [Field("y", "2")]])),
                            into: &out, crlf: true)
        ReplyEncoder.encode(.failure(DomainError(.STATE, "R1 is rejected")), into: &out, crlf: true)
        #expect(String(decoding: out, as: UTF8.self) == "* x=1\r\n* y=2\r\nOK n=\"a\\nb\"\r\nERR STATE R1 is rejected\r\n")
    }

    @Test func encodesWordsAndErrors() {
        #expect(ReplyEncoder.text(.success(Reply(word: "pong"))) == "OK pong\n")
        #expect(ReplyEncoder.text(.failure(DomainError(.EXCEEDS, "only 2\nleft"))) == "ERR EXCEEDS only 2 left\n")
    }

    @Test func quotedValuesTokenizeBackToTheSameText() throws {
        for value in ["", "a b", "q\"uote", "back\\slash", "tab\there", "多 字节", "\u{7f}"] {
            var out = Array("x=".utf8)
            ReplyEncoder.appendValue(value, to: &out)
            #expect(try Tokenizer.tokenize(out).first?.value == value)
        }
    }
}
