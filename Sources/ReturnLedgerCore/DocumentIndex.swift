/// Document number → the return it is about (its approval's document, or its VOID's): what DOC,
/// VERIFY and the chain look documents up by (issue 30, a compact state).
///
/// Every document is `RT-YYYYMMDD-NNNN`, numbered without gaps per business date, so a date's
/// documents are an array by serial: 4 bytes a document, where a dictionary keyed by the number
/// held a 16-byte key and a value in a hash table (about 45 bytes a document), and hashed the
/// number's 16 bytes at every approval. Reads and writes take the number as a string, as the
/// dictionary did; a string that is not a canonical document number (no document was ever issued
/// under one, but a client may ask) is kept or looked up apart.
public struct DocumentIndex: Sendable, Equatable, Sequence {
    /// Per business date (days since 1970), the return number of each serial's document at
    /// `serial - 1`; 0: no document of that serial (none is issued out of order, but a gap is
    /// representable).
    private var byDay: [Int64: [UInt32]] = [:]
    /// Anything else set through the subscript (not issued by this server; kept for equality with
    /// what was set), and return numbers over `UInt32.max`.
    private var others: [String: Int] = [:]
    public private(set) var count = 0
    public var isEmpty: Bool { count == 0 }
    /// Array places held, used or not: as many as documents when dates have no gaps, as the
    /// ledger issues them (a snapshot's decoder refuses an index far beyond that).
    public private(set) var places = 0

    public init() {}

    public subscript(doc: String) -> Int? {
        get {
            if let (day, serial) = Self.parse(doc), let list = byDay[day], serial <= list.count, list[serial - 1] != 0 {
                return Int(list[serial - 1])
            }
            return others.isEmpty ? nil : others[doc]
        }
        set {
            if !others.isEmpty, others.removeValue(forKey: doc) != nil { count -= 1 }
            guard let (day, serial) = Self.parse(doc) else {
                if let newValue { others[doc] = newValue; count += 1 }
                return
            }
            let small = newValue.flatMap { $0 > 0 ? UInt32(exactly: $0) : nil }
            if small != nil || byDay[day] != nil {
                Self.place(small, at: serial, in: &byDay[day, default: []], count: &count, places: &places)
                if small == nil, byDay[day]!.isEmpty { byDay[day] = nil }
            }
            if let newValue, small == nil { others[doc] = newValue; count += 1 }
        }
    }

    /// Writes one serial's return number (nil: none) into its date's list, in place.
    private static func place(_ number: UInt32?, at serial: Int, in list: inout [UInt32], count: inout Int, places: inout Int) {
        let before = list.count
        defer { places += list.count - before }
        if serial <= list.count, list[serial - 1] != 0 {
            list[serial - 1] = 0
            count -= 1
        }
        guard let number else {
            while list.last == 0 { list.removeLast() }
            return
        }
        if list.count < serial { list.append(contentsOf: repeatElement(0, count: serial - list.count)) }
        list[serial - 1] = number
        count += 1
    }

    /// Each date's list as it is held, dates in order (how a format 15 state writes the index:
    /// no number is formatted or parsed).
    public var dayLists: [(day: Int64, numbers: [UInt32])] {
        byDay.keys.sorted().map { ($0, byDay[$0]!) }
    }

    /// What is kept apart from the dates' lists (written by name).
    public var otherDocuments: [String: Int] { others }

    /// A date's list put back as `dayLists` gave it. The caller (a snapshot's decoder) has checked
    /// it is what `place` makes: the date new, the list not empty, not ending in 0, no longer than
    /// `maxSerial`.
    public mutating func restore(day: Int64, _ numbers: [UInt32]) {
        byDay[day] = numbers
        places += numbers.count
        for number in numbers where number != 0 { count += 1 }
    }

    /// Every document number held; unordered.
    public var keys: [String] { map(\.key) }

    /// Every (number, return) pair; unordered, as a dictionary's (the snapshot sorts them).
    public func makeIterator() -> AnyIterator<(key: String, value: Int)> {
        var pairs: [(key: String, value: Int)] = []
        pairs.reserveCapacity(count)
        for (day, list) in byDay {
            for (i, number) in list.enumerated() where number != 0 {
                pairs.append((Ledger.documentNumber(day: day, serial: i + 1), Int(number)))
            }
        }
        for (doc, number) in others { pairs.append((doc, number)) }
        return AnyIterator(pairs.makeIterator())
    }

    /// Equal when they map the same numbers to the same returns (a date's list never ends in a
    /// 0 and none is empty, so equal contents are equal lists).
    public static func == (a: DocumentIndex, b: DocumentIndex) -> Bool {
        a.count == b.count && a.byDay == b.byDay && a.others == b.others
    }

    /// Serials above this are kept apart (`others`), as any other string: a date's array is as
    /// long as its highest serial, and a crafted snapshot key `RT-20260101-99999999` would ask for
    /// 400 MB (a million documents on one date is beyond any chain's day).
    public static let maxSerial = 1 << 20

    /// `RT-YYYYMMDD-NNNN` → (day, serial), only for the very string `Ledger.documentNumber` writes
    /// for them (a real date, the serial zero-padded to four digits and no more): another spelling
    /// of the same date or serial is another key, as it was in a dictionary.
    static func parse(_ doc: String) -> (day: Int64, serial: Int)? {
        var utf8 = doc.utf8.makeIterator()
        var n = 0, y: Int64 = 0, m: Int64 = 0, d: Int64 = 0, serial = 0, serialDigits = 0, leadingZero = false
        while let b = utf8.next() {
            switch n {
            case 0: guard b == UInt8(ascii: "R") else { return nil }
            case 1: guard b == UInt8(ascii: "T") else { return nil }
            case 2, 11: guard b == UInt8(ascii: "-") else { return nil }
            default:
                guard b >= 0x30, b <= 0x39 else { return nil }
                let digit = Int64(b - 0x30)
                switch n {
                case 3...6: y = y * 10 + digit
                case 7...8: m = m * 10 + digit
                case 9...10: d = d * 10 + digit
                default:
                    if serialDigits == 0 { leadingZero = digit == 0 }
                    serialDigits += 1
                    guard serialDigits <= 18 else { return nil }
                    serial = serial * 10 + Int(digit)
                }
            }
            n += 1
        }
        guard serialDigits >= 4, serial > 0, serialDigits == 4 || !leadingZero, serial <= maxSerial,
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        let day = CivilDate(year: y, month: m, day: d).daysSinceEpoch
        let back = CivilDate(daysSinceEpoch: day)
        guard back.year == y, back.month == m, back.day == d else { return nil }  // 2026-02-31 is no date
        return (day, serial)
    }
}
