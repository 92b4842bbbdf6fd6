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
