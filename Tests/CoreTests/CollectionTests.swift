import ReturnLedgerCore
import Testing

@Suite struct ChunkedArrayTests {
    @Test func behavesLikeAnArrayAcrossChunkBoundaries() {
        var chunked = ChunkedArray<Int>()
        var plain: [Int] = []
        for i in 0..<3000 {
            chunked.append(i)
            plain.append(i)
        }
        #expect(chunked.count == 3000)
        #expect(Array(chunked) == plain)
        #expect(chunked[1023] == 1023 && chunked[1024] == 1024 && chunked.last == 2999)
        chunked[2048] = -1
        #expect(chunked[2048] == -1)
        #expect(Array(chunked.reversed().prefix(2)) == [2999, 2998])
    }

    @Test func aCopyIsIndependent() {
        var a: ChunkedArray<String> = ["x", "y"]
        let b = a
        a[0] = "changed"
        a.append("z")
        #expect(Array(b) == ["x", "y"])
        #expect(Array(a) == ["changed", "y", "z"])
        #expect(a != b)
        #expect(ChunkedArray(["x", "y"]) == b)
    }
}

@Suite struct ShardedDictionaryTests {
    @Test func countsInsertsUpdatesAndRemovals() {
        var map = ShardedDictionary<String, Int>()
        for i in 0..<1000 { map["k\(i)"] = i }
        #expect(map.count == 1000)
        map["k5"] = 50                      // update: count unchanged
        #expect(map.count == 1000 && map["k5"] == 50)
        map["k5"] = nil
        #expect(map.count == 999 && map["k5"] == nil)
        map["missing"] = nil
        #expect(map.count == 999)
        map["k7", default: 0] += 1
        map["new", default: 0] += 1
        #expect(map["k7"] == 8 && map["new"] == 1 && map.count == 1000)
        map["k9"]? += 100                   // in-place through the optional subscript
        #expect(map["k9"] == 109)
        #expect(Set(map.keys).count == 1000)
        let expected: Int = (0..<1000).reduce(0, +) - 5 + 1 + 1 + 100
        let total: Int = map.values.reduce(0, +)
        #expect(total == expected)
    }

    @Test func equalityAndCopies() {
        var a: ShardedDictionary<String, Int> = ["a": 1, "b": 2]
        let b = a
        a["a"] = 3
        #expect(b["a"] == 1)
        #expect(a != b)
        a["a"] = 1
        #expect(a == b)
        #expect(Dictionary(uniqueKeysWithValues: a.map { ($0.key, $0.value) }) == ["a": 1, "b": 2])
    }
}

/// Return numbers kept in 4 bytes each read back as the Ints appended, up to the largest a return
/// can have.
@Suite struct ReturnNumbersTests {
    @Test func readsBackWhatWasAppended() {
        var numbers: ReturnNumbers = [1, 7]
        let plain = [1, 7, 42, 1_000_000, Int(UInt32.max)]
        for n in plain.dropFirst(2) { numbers.append(n) }
        #expect(Array(numbers) == plain && numbers.count == 5 && numbers.last == Int(UInt32.max))
        #expect(numbers == [1, 7, 42, 1_000_000, Int(UInt32.max)] && numbers != [1, 7])
    }
}
