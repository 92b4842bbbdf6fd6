/// A list of return numbers, oldest first, 4 bytes each (issue 30, a compact state): each return
/// is in its order's list and its party's (`Order.returnNumbers`, `Ledger.returnsByParty`), so
/// 8-byte Ints cost every return 16 bytes more than it needs, growth's slack included.
public struct ReturnNumbers: RandomAccessCollection, ExpressibleByArrayLiteral, Sendable, Equatable {
    private var numbers: [UInt32] = []

    public init() {}
    public init(arrayLiteral elements: Int...) { for n in elements { append(n) } }

    public var startIndex: Int { 0 }
    public var endIndex: Int { numbers.count }
    public subscript(position: Int) -> Int { Int(numbers[position]) }

    public mutating func reserveCapacity(_ n: Int) { numbers.reserveCapacity(n) }

    public mutating func append(_ number: Int) {
        // Return numbers come from the ledger's own count: past 4 billion returns this traps.
        numbers.append(UInt32(number))
    }
}
