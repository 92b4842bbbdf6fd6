import ReturnLedgerWire
import Testing

@Suite struct TokenizerTests {
    func tokens(_ s: String) throws -> [Token] { try Tokenizer.tokenize(Array(s.utf8)) }

    @Test func splitsOnSpacesAndTabs() throws {
        #expect(try tokens("RETURN\tS1  A100:2 ").map(\.value) == ["RETURN", "S1", "A100:2"])
    }

    @Test func readsNamedArgumentsWithQuotedValues() throws {
        let t = try tokens(#"RETURN S1 A100:1 reason=DEFECTIVE NOTE="box torn, 包装破损" key=k-1"#)
        #expect(t[3] == Token(key: "reason", value: "DEFECTIVE"))
        #expect(t[4].key == "note")
        #expect(t[4].value == "box torn, 包装破损")
        #expect(t[5].key == "key")
    }

    @Test func unescapesQuotedStrings() throws {
        let t = try tokens(#""a \"q\" \\ \n \t \x41\xe5\x8c\x85""#)
        #expect(t.count == 1)
        #expect(t[0].value == "a \"q\" \\ \n \t A包")
        #expect(t[0].key == nil)
    }

    @Test func aBareKeyValueSplitsAtItsFirstEquals() throws {
        let t = try tokens("AUTH alice pa=s=s")
        #expect(t[2] == Token(key: "pa", value: "s=s"))
    }

    @Test(arguments: [#"NOTE "open"#, #"a"b"#, #""x"y"#, #"note="\q""#, #""\x4""#, "=v"])
    func malformedQuotingIsSyntax(line: String) {
        #expect(throws: Tokenizer.Failure.self) { try tokens(line) }
    }

    @Test func escapesThatMakeInvalidUtf8AreRejected() {
        #expect(throws: Tokenizer.Failure.encoding) { try tokens(#""\xff""#) }
    }
}
