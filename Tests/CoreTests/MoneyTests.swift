import ReturnLedgerCore
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [("12", 1200), ("12.5", 1250), ("12.50", 1250), ("-3.00", -300), ("0.07", 7),
                      ("999999999999.99", 99_999_999_999_999)])
    func parsesDecimalText(text: String, minor: Int64) {
        #expect(Money(parsing: text)?.minor == minor)
    }

    @Test(arguments: ["12.505", "1e3", "", "-", "12.", ".5", "1,5", "12.5.0", "1000000000000.00", "abc", "+1", "--1", "-.5", "1-", "1 ", "١"])
    func rejectsMalformedOrOutOfRange(text: String) {
        #expect(Money(parsing: text) == nil)
    }

    @Test func printsTwoDecimals() {
        #expect(Money(minor: 1250).description == "12.50")
        #expect(Money(minor: -300).description == "-3.00")
        #expect(Money(minor: 5).description == "0.05")
        #expect(Money(minor: -5).description == "-0.05")
        #expect(Money.zero.description == "0.00")
        #expect(Money(minor: Money.limit).description == "999999999999.99")
        #expect(Money(minor: -Money.limit).description == "-999999999999.99")
        #expect(Money(minor: .min).description == "-92233720368547758.08")  // the buffer holds every Int64
        #expect(Money(minor: 100).description == "1.00")
    }

    /// Every number on the wire that is zero-padded (request ids, document numbers, log names).
    @Test func zeroPaddingWritesAtLeastTheWidth() {
        #expect(zeroPadded(42, width: 6) == "000042")
        #expect(zeroPadded(0, width: 4) == "0000")
        #expect(zeroPadded(0, width: 0) == "0")
        #expect(zeroPadded(1_234_567, width: 4) == "1234567")
        #expect(zeroPadded(UInt64.max, width: 20) == "18446744073709551615")
        #expect(zeroPadded(-7, width: 3) == "0-7")  // as before: the fallback pads the digits' text
        #expect(CivilDate(year: 2026, month: 3, day: 2).compact == "20260302")
        #expect(CivilDate(year: 12, month: 11, day: 9).compact == "00121109")
    }

    @Test func arithmeticIsCheckedAgainstTheLimit() {
        let top = Money(minor: Money.limit)
        #expect(top.adding(Money(minor: 1)) == nil)
        #expect(top.adding(Money(minor: -1))?.minor == Money.limit - 1)
        #expect(Money(minor: 100).times(1_000_000)?.minor == 100_000_000)
        #expect(Money(minor: Money.limit).times(2) == nil)
        #expect(Money(minor: .max).times(2) == nil)
    }
}

@Suite struct TimeTests {
    @Test func roundTripsIsoTimes() {
        let t = Timestamp(parsing: "2026-11-29T02:18:39Z")
        #expect(t?.description == "2026-11-29T02:18:39Z")
        #expect(t?.day.description == "2026-11-29")
        #expect(t?.day.compact == "20261129")
        #expect(Timestamp(parsing: "1970-01-01T00:00:00Z")?.seconds == 0)
        #expect(Timestamp(parsing: "2024-02-29T23:59:59Z")?.day.description == "2024-02-29")
    }

    @Test(arguments: ["2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-29 02:18:39", "2026-11-29T24:00:00Z",
                      "yesterday", "2026-11-29T02:18:39+01:00"])
    func rejectsImpossibleTimes(text: String) {
        #expect(Timestamp(parsing: text) == nil)
    }

    @Test func datesConvertBothWaysAcrossEras() {
        for days: Int64 in [-800_000, -1, 0, 1, 19_000, 20_421, 2_000_000] {
            #expect(CivilDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        #expect(CivilDate(parsing: "2026-02-29") == nil)
        #expect(CivilDate(parsing: "2028-02-29")?.daysSinceEpoch == CivilDate(parsing: "2028-03-01")!.daysSinceEpoch - 1)
    }

    @Test func identifiersFollowTheContract() {
        #expect(Identifier.isValid("A100"))
        #expect(Identifier.isValid("lot_7.b-2"))
        #expect(!Identifier.isValid(""))
        #expect(!Identifier.isValid("a b"))
        #expect(!Identifier.isValid("包装"))
        #expect(Identifier.isValid(String(repeating: "x", count: 64)))
        #expect(!Identifier.isValid(String(repeating: "x", count: 65)))
    }
}
