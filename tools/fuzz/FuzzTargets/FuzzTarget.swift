/// The fuzz targets (issue 13), one function of bytes each. A target that finds its code broken
/// stops the process (`fatalError`, or a trap the sanitizer reports): libFuzzer keeps the input
/// as a crash, and `FuzzCorpusTests` replays every file under `tools/fuzz/corpus/` so a crash
/// once found stays a regression test.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The line framer, the tokenizer and the request parser.
    case wire
    /// Log records, snapshots and recovery from arbitrary bytes: damage is reported, never a crash.
    case storage
    /// Random request lines against a shop's ledger, the books checked after each.
    case engine

    public func run(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .wire: WireTarget.run(bytes)
        case .storage: StorageTarget.run(bytes)
        case .engine: EngineTarget.run(bytes)
        }
    }

    public func run(_ bytes: [UInt8]) { bytes.withUnsafeBytes { run($0) } }
}

/// Violations stop the process with a message that says which property broke.
func violated(_ property: String) -> Never {
    fatalError("fuzz property violated: \(property)")
}
