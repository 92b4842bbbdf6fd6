@testable import ReturnLedgerCore
import Testing
import TestSupport

/// Client keys → returns, kept as hash tags and numbers and checked against the returns' own keys:
/// the same answers as a dictionary, for keys filed and keys never seen.
@Suite struct ReturnKeyIndexTests {
    static func request(_ number: Int, key: String) -> ReturnRequest {
        ReturnRequest(number: number, kind: .sale, order: "S1", party: "C1", location: "STORE1", items: [], amount: .zero,
                      reason: "DEFECTIVE", note: "", key: key, filedBy: "clerk1", filedAt: Timestamp(seconds: 1))
    }

    @Test func answersAsADictionaryWould() {
        let seed = testSeed("ReturnKeyIndexTests")
        var random = SeededGenerator(seed: seed)
        var returns = ChunkedArray<ReturnRequest>()
        var index = ReturnKeyIndex(), model: [String: Int] = [:]
        for number in 1...20_000 {
            // Most returns keyed the way tills key them, some not at all, some in Chinese.
            let key: String = switch Int.random(in: 0..<10, using: &random) {
            case 0: ""
            case 1: "退货-\(number)"
            default: "till\(Int.random(in: 1...40, using: &random))-\(String(number, radix: 16))"
            }
            returns.append(Self.request(number, key: key))
            if !key.isEmpty, model[key] == nil {
                index.insert(key, number)
                model[key] = number
            }
        }
        #expect(index.count == model.count, "seed \(seed)")
        for (key, number) in model { #expect(index.number(key, inHeld: returns) == number, "seed \(seed) \(key)") }
        for probe in ["", "till1-0", "till41-1", "退货-0", "till1-ffffff", "x"] where model[probe] == nil {
            #expect(index.number(probe, inHeld: returns) == nil, "seed \(seed) \(probe)")
        }
        #expect(Set(index.numbers) == Set(model.values))
        // Built in another order: equal; one return fewer: not.
        var again = ReturnKeyIndex()
        for (key, number) in model.shuffled(using: &random) { again.insert(key, number) }
        #expect(again == index)
        var fewer = ReturnKeyIndex()
        for (key, number) in model.dropFirst() { fewer.insert(key, number) }
        #expect(fewer != index)
        // A key with other characters matches as Swift strings do: composed or not, one key.
        var unicode = ReturnKeyIndex()
        returns.append(Self.request(returns.count + 1, key: "caf\u{E9}"))
        unicode.insert("caf\u{E9}", returns.count)
        #expect(unicode.number("cafe\u{301}", inHeld: returns) == returns.count && unicode.number("cafe", inHeld: returns) == nil)
        // A tag that matches but a key that differs is not found: only the return's own key counts.
        // (An ASCII key: the others are kept whole, as a dictionary's, and never read the return.)
        let tagged = model.first { $0.key.utf8.allSatisfy { $0 < 0x80 } }!
        returns[tagged.value - 1].key = "changed"
        #expect(index.number(tagged.key, inHeld: returns) == nil, "seed \(seed) \(tagged.key)")
    }

    /// A key of a return that left memory (section 23) is compared with its archived copy, read
    /// only when its tag matches; a failed read is the lookup's error, never a wrong answer.
    @Test func aReleasedReturnsKeyIsReadBackOnlyWhenItsTagMatches() throws {
        var returns = ChunkedArray<ReturnRequest>()
        var index = ReturnKeyIndex()
        for number in 1...2_100 {
            returns.append(Self.request(number, key: "till1-\(number)"))
            index.insert("till1-\(number)", number)
        }
        let archived = Dictionary(uniqueKeysWithValues: returns.map { ($0.number, $0.key) })
        returns.release(IDRuns(runs: [0...2_047]))
        #expect(!returns.isHeld(5) && returns.isHeld(2_048))
        var reads: [Int] = []
        let lookup = { (key: String) throws(DomainError) -> Int? in
            try index.number(key, in: returns) { (n: Int) throws(DomainError) -> String in reads.append(n); return archived[n]! }
        }
        #expect(try lookup("till1-6") == 6 && reads == [6], "one read, of the return whose tag matched")
        reads = []
        #expect(try lookup("till1-2099") == 2_099 && reads.isEmpty, "a held return is compared in memory")
        #expect(try lookup("till1-99999") == nil)
        // The archive cannot be read: the lookup says so.
        #expect(throws: DomainError.self) {
            try index.number("till1-7", in: returns) { (_: Int) throws(DomainError) -> String in throw DomainError(.ARCHIVE, "gone") }
        }
        // The index as a format 16 state writes it (per shard, its slots) makes the same index.
        #expect(ReturnKeyIndex(shardSlots: index.shardSlots, keysApart: index.keysApart) == index)
    }
}
