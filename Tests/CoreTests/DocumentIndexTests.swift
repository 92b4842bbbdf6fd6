@testable import ReturnLedgerCore
import Testing
import TestSupport

/// Document number → return, kept as an array per business date: it answers as the dictionary it
/// replaced, for issued numbers and for any other string a client may ask about.
@Suite struct DocumentIndexTests {
    @Test func answersAsADictionaryWould() {
        let seed = testSeed("DocumentIndexTests")
        var random = SeededGenerator(seed: seed)
        let days: [Int64] = [20_000, 20_001, 20_400]
        func number() -> String {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: return ["RT-20260231-0001", "RT-2026011-0001", "RT-20260101-001", "RT-20260101-00001", "rt-20260101-0001",
                            "RT-20261301-0001", "RT-20260101-0000", "RT-20260101-0001x", "", "R000001", "RT-20260101-01234"]
                .randomElement(using: &random)!
            case 1: return Ledger.documentNumber(day: days.randomElement(using: &random)!, serial: Int.random(in: 9_990...10_010, using: &random))
            default: return Ledger.documentNumber(day: days.randomElement(using: &random)!, serial: Int.random(in: 1...40, using: &random))
            }
        }
        for _ in 0..<50 {
            var index = DocumentIndex(), model: [String: Int] = [:]
            for _ in 0..<300 {
                let doc = number()
                let value: Int? = switch Int.random(in: 0..<8, using: &random) {
                case 0: nil
                case 1: [0, -3, Int(UInt32.max) + 1].randomElement(using: &random)!
                default: Int.random(in: 1...1_000_000, using: &random)
                }
                index[doc] = value; model[doc] = value
                #expect(index[doc] == value, "seed \(seed) \(doc)")
                #expect(index.count == model.count, "seed \(seed)")
            }
            for (doc, value) in model { #expect(index[doc] == value, "seed \(seed) \(doc)") }
            #expect(Dictionary(uniqueKeysWithValues: index.map { ($0.key, $0.value) }) == model, "seed \(seed)")
            #expect(Set(index.keys) == Set(model.keys))
            for _ in 0..<50 { let doc = number(); #expect(index[doc] == model[doc], "seed \(seed) \(doc)") }
            // Built again in another order: equal.
            var again = DocumentIndex()
            for (doc, value) in model.shuffled(using: &random) { again[doc] = value }
            #expect(again == index, "seed \(seed)")
            // And unequal when anything differs: a value, a key kept apart, a value kept apart.
            if let (doc, value) = model.first(where: { DocumentIndex.parse($0.key) != nil && $0.value > 0 }) {
                var changed = index
                changed[doc] = value + 1
                #expect(changed != index)
                changed[doc] = -value
                #expect(changed != index && changed[doc] == -value)
                changed[doc] = value
                #expect(changed == index)
            }
            var extra = index
            extra["RT-20260231-0001"] = (index["RT-20260231-0001"] ?? 0) + 7
            #expect(extra != index)
        }
    }

    @Test func onlyTheIssuedSpellingIsADocumentNumber() {
        let day = CivilDate(year: 2026, month: 12, day: 7).daysSinceEpoch
        #expect(DocumentIndex.parse("RT-20261207-0042")! == (day, 42))
        #expect(DocumentIndex.parse("RT-20261207-12345")! == (day, 12345))
        for other in ["RT-20261207-042", "RT-20261207-00042", "RT-20260230-0001", "RT-20261207-0000", "RT-2026127-0001",
                      "RT-20261207_0001", "RT-20261207-0001 ", "XX-20261207-0001", "RT-20261207-"] {
            #expect(DocumentIndex.parse(other) == nil, "\(other)")
        }
        // A serial beyond any day's documents is kept apart, not as an array that long.
        #expect(DocumentIndex.parse("RT-20261207-99999999") == nil && DocumentIndex.parse("RT-20261207-999999999999999999") == nil)
        var index = DocumentIndex()
        index["RT-20261207-99999999"] = 3
        #expect(index["RT-20261207-99999999"] == 3 && index.count == 1)
        // The parse agrees with the numbers the ledger writes, across dates and serials.
        for d in stride(from: Int64(-800), through: 40_000, by: 97) {
            for serial in [1, 9, 10, 999, 9_999, 10_000, 123_456] {
                #expect(DocumentIndex.parse(Ledger.documentNumber(day: d, serial: serial))! == (d, serial))
            }
        }
    }
}
