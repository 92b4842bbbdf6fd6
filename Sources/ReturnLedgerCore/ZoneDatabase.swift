import Glibc

/// The system's tzdata (`/usr/share/zoneinfo`, or `$TZDIR`): the one file the core reads. It is
/// read-only reference data, like a compiled-in table; the core still never reads a clock.
enum ZoneDatabase {
    static let directory: String = {
        if let dir = getenv("TZDIR"), dir[0] != 0 { return String(cString: dir) }
        return "/usr/share/zoneinfo"
    }()

    /// A zone file's bytes, for names such as `Asia/Shanghai`; nil for anything that is not a
    /// plain zone name (no `..`, no leading `/`) or not a TZif file of reasonable size.
    static func read(_ name: String) -> [UInt8]? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, name.utf8.count <= 64, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
              name.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
                  || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") })
        else { return nil }
        let fd = open(directory + "/" + name, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 4096) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += buffer[0..<n]
        }
        return bytes.count > 1 << 20 ? nil : bytes
    }
}
