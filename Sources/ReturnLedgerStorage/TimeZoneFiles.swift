import Glibc
import ReturnLedgerCore

/// The system's tzdata (`/usr/share/zoneinfo`, or `$TZDIR`), read for the core's business zones
/// (protocol.md, Business day): read-only reference data, like a compiled-in table. Whoever runs
/// the core installs it once at start-up (the server, `wal`, `sim`, `fuzz`, the tests).
public enum TimeZoneFiles {
    public static let directory: String = {
        if let dir = getenv("TZDIR"), dir[0] != 0 { return String(cString: dir) }
        return "/usr/share/zoneinfo"
    }()

    /// A zone file's bytes (the core has checked the name is a plain zone name); nil when it
    /// cannot be read or is larger than any zone file.
    public static func read(_ name: String, fs: any FileSystem = PosixFileSystem()) -> [UInt8]? {
        let path = directory + "/" + name
        guard let size = try? fs.readFileSize(path), size <= ZoneDatabase.maxFileSize else { return nil }
        return try? fs.readFile(path)
    }

    /// Makes these files what `BusinessZone.named` reads.
    public static func install(fs: any FileSystem = PosixFileSystem()) {
        ZoneDatabase.install { name in read(name, fs: fs) }
    }
}
