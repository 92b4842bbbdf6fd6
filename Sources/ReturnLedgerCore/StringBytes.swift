extension String {
    /// Calls `body` with the string's UTF-8 bytes, read in place. `withUTF8` is mutating, so a
    /// caller holding a `let` made a copy first: a retain and a release for every field written
    /// (callgrind: ~600 instructions of a SALE's log record and reply). Native and small strings
    /// are contiguous; anything else (a bridged string) is read through a copy, as before.
    @inlinable @inline(__always)
    public func withUTF8InPlace<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return copy.withUTF8(body)
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Calls `body` with each part between `separator` bytes, in order, empty parts too (`a,,b`
    /// has three); stops at the first part `body` refuses and returns that refusal. The lists of a
    /// request (an exchange's items, an item's serials; a tender list on the hot path has its own
    /// loop) are split this way, on their bytes: splitting the String walked Characters.
    func forEachPart(separatedBy separator: UInt8, _ body: (UnsafeBufferPointer<UInt8>) -> DomainError?) -> DomainError? {
        var from = 0
        while true {
            let to = self[from...].firstIndex(of: separator) ?? count
            if let refused = body(UnsafeBufferPointer(rebasing: self[from..<to])) { return refused }
            if to == count { return nil }
            from = to + 1
        }
    }
}
