import Synchronization

/// Where IANA zones' rules come from: the system's tzdata, read by whoever runs the core (the
/// core reads no file and no environment). The server, the tools and the tests install a loader
/// at start-up (`TimeZoneFiles.install()` in Storage); until one is, only `UTC` and fixed offsets
/// are known and every IANA name is missing, as on a machine without tzdata.
public enum ZoneDatabase {
    /// A zone file's bytes by name (`Asia/Shanghai`); nil when there is no such zone.
    public typealias Loader = @Sendable (_ name: String) -> [UInt8]?

    private static let loader = Mutex<Loader?>(nil)

    /// Installs where zone files come from, for the process (the last one installed wins).
    public static func install(_ loader: @escaping Loader) { self.loader.withLock { $0 = loader } }

    /// A zone file's bytes, for names such as `Asia/Shanghai`; nil for anything that is not a
    /// plain zone name (no `..`, no leading `/`), not known to the loader, or not of reasonable
    /// size for a TZif file.
    static func read(_ name: String) -> [UInt8]? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, name.utf8.count <= 64, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
              name.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
                  || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }),
              let load = loader.withLock({ $0 }), let bytes = load(name)
        else { return nil }
        return bytes.count > maxFileSize ? nil : bytes
    }

    /// Larger than any TZif file: something else.
    public static let maxFileSize = 1 << 20
}
