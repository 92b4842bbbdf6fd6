import ReturnLedgerStorage

/// Reads flags and `RETURNLEDGER_<FLAG>` environment variables (the flag wins) into a config.
/// Any mistake is one line for the operator and exit status 2.
public enum Flags {
    public struct Failure: Error { public var message: String }

    public static let usage = """
        usage: returnledger [--host H] [--port P] [--data DIR] [--fsync always|everysec|no]
                            [--tls-cert FILE --tls-key FILE] [--tls-port P] [--plain yes|no]
                            [--snapshot-every N] [--snapshot-growth PERCENT] [--max-line BYTES] [--max-connections N]
                            [--idle-timeout SECONDS] [--max-client-buffer BYTES] [--max-memory BYTES]
                            [--backup-dir DIR] [--backup-every DURATION] [--backup-keep N] [--log-keep BYTES]
                            [--archive-dir DIR]
                            [--demo] [--restore BACKUP_FOLDER] [--sync-standby N] [--sync-timeout SECONDS]
               returnledger --data DIR --standby-of HOST:PORT --standby-user USER [--standby-ca FILE]
               returnledger --data DIR --promote [--standby-user USER]
               returnledger --data DIR --reset-admin
        """

    /// `--help`: every flag with its default and environment variable.
    public static let help = usage + """

        The returns desk over TCP. Every flag can also come from RETURNLEDGER_<FLAG> (dashes as
        underscores, e.g. RETURNLEDGER_SNAPSHOT_EVERY); the flag wins. --demo, --restore and
        --reset-admin are one-shot: never read from the environment.

          --host H               address to listen on (default 127.0.0.1; 0.0.0.0 for registers on the LAN)
          --port P               TCP port (default 7480; 0 picks a free one, named in the ready line)
          --tls-cert FILE        PEM certificate (chain): also listen for TLS 1.2+ (see README "TLS")
          --tls-key FILE         its PEM private key
          --tls-port P           TLS port (default 7481; 0 picks a free one, named in the ready line)
          --plain yes|no         the plain-text listener (default yes; no = TLS only)
          --data DIR             data directory: log and snapshots (default ./returnledger-data)
          --fsync POLICY         always (default): a reply waits for fdatasync; everysec; no
          --snapshot-every N     events between automatic snapshots, at least (default \(ServerConfig().snapshotEvery))
          --snapshot-growth P    after a snapshot of 64M or more, also log written since it of P percent
                                 of its size (default \(ServerConfig().snapshotGrowth); 0 = every N events at any size)
          --max-line BYTES       longest request line (default 8192)
          --max-connections N    open connections at most (default 1024)
          --idle-timeout S       close connections idle this long (default 0: never); also closes a
                                 connection whose unsent replies made no progress that long
          --max-client-buffer B  bytes one connection may hold queued: input, replies, pushes (default 1M;
                                 K, M, G suffixes); past it reading pauses, past 16 times it the
                                 connection is closed
          --max-memory B         resident memory above which large reads (LIST past 100 rows, DIGEST) get
                                 ERR LIMIT until it is 10% below (default 0: no limit)
          --backup-dir DIR       where backups go (default: the data directory's path followed by -backups)
          --backup-every D       make a backup when the newest is older than D: 30m, 6h, 24h (default), 0 = off
          --backup-keep N        backups kept; the oldest go after a new one (default 7)
          --log-keep B           log segments a snapshot covers kept for FEED, up to B bytes in all
                                 (default: all; 0 = drop them at once)
          --archive-dir DIR      where ARCHIVE keeps its archives (default: the data directory; locked
                                 like it)
          --demo                 fill an empty data directory with a demo shop
          --restore FOLDER       copy a backup into the empty (or missing) data directory, then start
          --reset-admin          with the server stopped: give user admin a new password (from
                                 RETURNLEDGER_ADMIN_PASSWORD, else a random one printed once),
                                 enable it, lift a lock, audit it, and exit
          --standby-of HOST:PORT run as a warm standby of that primary (its plain port, or its TLS port
                                 with --standby-ca): seeded when DIR is empty, then follows its log;
                                 serves reads only (see README "Running a standby")
          --standby-user USER    the standby's login at the primary (role replica); the password only
                                 from RETURNLEDGER_STANDBY_PASSWORD
          --standby-ca FILE      speak TLS to the primary, trusting the PEM certificates in FILE
          --sync-standby N       a change's reply waits until N standbys hold it durably (default 0)
          --sync-timeout S       after S seconds of waiting the primary goes on asynchronously until
                                 they catch up (default 10; 0 = wait for ever)
          --promote              make this standby's DIR a primary's (a new epoch), then serve
          --version              print the version and exit
          RETURNLEDGER_ADMIN_PASSWORD  the admin's password on first start (else a random one, printed once)
          RETURNLEDGER_STANDBY_PASSWORD  the --standby-user's password
        """

    public static func parse(_ arguments: [String], environment: [String: String]) throws(Failure) -> ServerConfig {
        var values: [String: String] = [:]
        let known = ["host", "port", "data", "fsync", "snapshot-every", "snapshot-growth", "max-line", "max-connections", "idle-timeout",
                     "max-client-buffer", "max-memory", "backup-dir", "backup-every", "backup-keep", "log-keep", "archive-dir",
                     "demo", "restore", "tls-cert", "tls-key", "tls-port", "plain", "standby-of", "standby-user", "standby-ca",
                     "sync-standby", "sync-timeout", "promote"]
        // One-shot flags (--demo, --reset-admin) are never read from the environment (the contract's
        // additions): a RETURNLEDGER_DEMO left in a service's environment must not fill a shop.
        for flag in known where flag != "demo" && flag != "restore" && flag != "promote" {
            let variable = "RETURNLEDGER_" + flag.uppercased().replacingDashes()
            if let value = environment[variable], !value.isEmpty { values[flag] = value }
        }
        var i = 0
        while i < arguments.count {
            var argument = arguments[i]
            guard argument.hasPrefix("--") else { throw Failure(message: "unexpected argument \(argument)") }
            argument.removeFirst(2)
            var inline: String?
            if let eq = argument.firstIndex(of: "=") {
                inline = String(argument[argument.index(after: eq)...])
                argument = String(argument[..<eq])
            }
            guard known.contains(argument) || argument == "reset-admin" else { throw Failure(message: "unknown flag --\(argument)") }
            if argument == "reset-admin" || argument == "promote" {
                values[argument] = "yes"
            } else if argument == "demo" {
                values["demo"] = inline ?? "yes"
            } else if let inline {
                values[argument] = inline
            } else {
                i += 1
                guard i < arguments.count else { throw Failure(message: "--\(argument) needs a value") }
                values[argument] = arguments[i]
            }
            i += 1
        }

        var config = ServerConfig()
        if let host = values["host"] { config.host = host }
        if let data = values["data"] { config.dataDirectory = data }
        config.port = try number(values, "port", 0...65535) ?? config.port
        config.tlsPort = try number(values, "tls-port", 0...65535) ?? config.tlsPort
        config.plain = try yesNo(values, "plain") ?? config.plain
        switch (values["tls-cert"], values["tls-key"]) {
        case (let cert?, let key?): config.tls = try TLSContext(certificate: cert, key: key)
        case (nil, nil): break
        case (_?, nil): throw Failure(message: "--tls-cert needs --tls-key (the certificate's private key)")
        case (nil, _?): throw Failure(message: "--tls-key needs --tls-cert (the certificate it belongs to)")
        }
        if !config.plain, config.tls == nil { throw Failure(message: "--plain no needs TLS on: give --tls-cert and --tls-key") }
        config.snapshotEvery = try number(values, "snapshot-every", 1...Int(Int32.max)) ?? config.snapshotEvery
        config.snapshotGrowth = try number(values, "snapshot-growth", 0...100_000) ?? config.snapshotGrowth
        config.maxLine = try number(values, "max-line", 64...(16 << 20)) ?? config.maxLine
        config.maxConnections = try number(values, "max-connections", 1...1_000_000) ?? config.maxConnections
        config.idleTimeout = try number(values, "idle-timeout", 0...(365 * 86_400)) ?? config.idleTimeout
        config.maxClientBuffer = try bytes(values, "max-client-buffer", (16 << 10)...(1 << 30)) ?? config.maxClientBuffer
        config.maxMemory = try bytes(values, "max-memory", 0...(1 << 50)) ?? config.maxMemory
        if let fsync = values["fsync"] {
            guard let policy = FsyncPolicy(rawValue: fsync) else {
                throw Failure(message: "--fsync takes always, everysec or no, not \(fsync)")
            }
            config.fsync = policy
        }
        config.demo = try yesNo(values, "demo") ?? config.demo
        config.resetAdmin = values["reset-admin"] != nil
        if let dir = values["backup-dir"] {
            guard !dir.isEmpty else { throw Failure(message: "--backup-dir needs a directory") }
            config.backupDirectory = dir
        }
        if let dir = values["archive-dir"] {
            guard !dir.isEmpty else { throw Failure(message: "--archive-dir needs a directory") }
            config.archiveDirectory = dir
        }
        if let every = values["backup-every"] {
            guard let seconds = duration(every) else {
                throw Failure(message: "--backup-every takes a duration such as 30m, 6h or 24h (0 = off), not \(every)")
            }
            config.backupEvery = seconds
        }
        config.backupKeep = try number(values, "backup-keep", 1...10_000) ?? config.backupKeep
        config.logKeep = try bytes(values, "log-keep", 0...(1 << 50))
        if let folder = values["restore"] {
            guard !folder.isEmpty else { throw Failure(message: "--restore needs a backup folder") }
            config.restore = folder
        }
        if let password = environment["RETURNLEDGER_ADMIN_PASSWORD"], !password.isEmpty { config.adminPassword = password }
        config.syncStandby = try number(values, "sync-standby", 0...16) ?? config.syncStandby
        config.syncTimeout = try number(values, "sync-timeout", 0...86_400) ?? config.syncTimeout
        config.promote = values["promote"] != nil
        config.standbyLogin = try standbyLogin(values, environment: environment)
        config.standby = try standbyOf(values, login: config.standbyLogin)
        if config.standby != nil, !config.promote {
            for (flag, set) in [("--demo", config.demo), ("--restore", config.restore != nil), ("--reset-admin", config.resetAdmin)] where set {
                throw Failure(message: "\(flag) cannot be used with --standby-of: a standby holds only its primary's history")
            }
        }
        if config.promote, config.standby != nil {
            throw Failure(message: "--promote makes this standby a primary: it cannot also follow --standby-of (give --standby-user alone to fence the old primary)")
        }
        if config.promote {
            for (flag, set) in [("--demo", config.demo), ("--restore", config.restore != nil), ("--reset-admin", config.resetAdmin)] where set {
                throw Failure(message: "\(flag) cannot be used with --promote")
            }
        }
        return config
    }

    /// `--standby-user USER [--standby-ca FILE]`, the password from the environment only: how this
    /// server logs in at another (a standby at its primary, a promoted server at the primary it
    /// fences). Nil without `--standby-user`.
    private static func standbyLogin(_ values: [String: String], environment: [String: String]) throws(Failure) -> StandbyLink? {
        guard let user = values["standby-user"] else {
            if values["standby-ca"] != nil { throw Failure(message: "--standby-ca goes with --standby-user (and --standby-of HOST:PORT)") }
            return nil
        }
        guard !user.isEmpty else { throw Failure(message: "--standby-user needs a user name (a user of role replica at the primary)") }
        guard let password = environment["RETURNLEDGER_STANDBY_PASSWORD"], !password.isEmpty else {
            throw Failure(message: "--standby-user \(user) needs its password in RETURNLEDGER_STANDBY_PASSWORD (never on the command line)")
        }
        if let ca = values["standby-ca"], let reason = Syscalls.unreadable(ca) {
            throw Failure(message: "cannot read --standby-ca \(ca): \(reason)")
        }
        return StandbyLink(host: "", port: 0, user: user, password: password, caFile: values["standby-ca"])
    }

    /// `--standby-of HOST:PORT`: the primary to follow, logged in as `login`.
    private static func standbyOf(_ values: [String: String], login: StandbyLink?) throws(Failure) -> StandbyLink? {
        guard let address = values["standby-of"] else { return nil }
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port),
              colon != address.startIndex else {
            throw Failure(message: "--standby-of takes HOST:PORT (the primary's address), not \(address)")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard var link = login else {
            throw Failure(message: "--standby-of needs --standby-user USER (a user of role replica at the primary)")
        }
        link.host = host
        link.port = port
        return link
    }

    /// `90s`, `30m`, `6h`, `24h`, `7d`, or whole seconds; at most a year.
    static func duration(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var digits = Substring(text), unit: Int64 = 1
        if let last = text.last, let u = units[last] { unit = u; digits = text.dropLast() }
        guard let n = Int64(digits), n >= 0, n <= 366 * 86_400 / unit else { return nil }
        return n * unit
    }

    /// `yes`/`no` (also `1`/`0`, `true`/`false`, `on`/`off`).
    private static func yesNo(_ values: [String: String], _ flag: String) throws(Failure) -> Bool? {
        guard let text = values[flag] else { return nil }
        switch text.lowercased() {
        case "1", "yes", "true", "on": return true
        case "0", "no", "false", "off": return false
        default: throw Failure(message: "--\(flag) takes yes or no, not \(text)")
        }
    }

    private static func number(_ values: [String: String], _ flag: String, _ range: ClosedRange<Int>) throws(Failure) -> Int? {
        guard let text = values[flag] else { return nil }
        guard let n = Int(text), range.contains(n) else {
            throw Failure(message: "--\(flag) takes a whole number from \(range.lowerBound) to \(range.upperBound), not \(text)")
        }
        return n
    }

    /// A size in bytes: a whole number, or one with K, M or G (powers of 1024; `KiB`, `MB` alike).
    private static func bytes(_ values: [String: String], _ flag: String, _ range: ClosedRange<Int>) throws(Failure) -> Int? {
        guard let text = values[flag] else { return nil }
        var digits = Substring(text)
        var unit = 1
        let suffix = text.drop { $0.isNumber }.uppercased()
        if !suffix.isEmpty {
            switch suffix {
            case "K", "KB", "KIB": unit = 1 << 10
            case "M", "MB", "MIB": unit = 1 << 20
            case "G", "GB", "GIB": unit = 1 << 30
            default: unit = 0
            }
            digits = text.prefix { $0.isNumber }
        }
        guard unit > 0, let n = Int(digits), n <= range.upperBound / unit, range.contains(n * unit) else {
            throw Failure(message: "--\(flag) takes a size in bytes from \(range.lowerBound) to \(range.upperBound)"
                          + " (K, M, G allowed), not \(text)")
        }
        return n * unit
    }

    /// Creates the data directory if missing and checks it can be read and written. Without
    /// `create`, a missing directory is left missing and passes (a restore checks first).
    public static func prepareDataDirectory(_ path: String, create: Bool = true) throws(Failure) {
        if !create, !Syscalls.exists(path) { return }
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") where create {
            current += "/" + part
            if let reason = Syscalls.makeDirectory(current) {
                throw Failure(message: "cannot create data directory \(path): \(reason)")
            }
        }
        guard Syscalls.isDirectory(path) else {
            throw Failure(message: "data directory \(path) is not a directory")
        }
        guard Syscalls.isReadWritable(path) else {
            throw Failure(message: "data directory \(path) is not readable and writable")
        }
    }
}

extension String {
    fileprivate func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}
