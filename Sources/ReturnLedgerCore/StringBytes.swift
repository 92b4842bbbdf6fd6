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
