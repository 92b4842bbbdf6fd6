public import ReturnLedgerStorage

/// Everything the server is started with (protocol.md, Running the server).
public struct ServerConfig: Sendable {
    public var host = "127.0.0.1"
    public var port = 7480
    /// `--plain no`: no plain-text listener (TLS only).
    public var plain = true
    /// `--tls-cert` and `--tls-key`, loaded (protocol.md, TLS): the TLS listener is on when set.
    public var tls: TLSContext?
    public var tlsPort = 7481
    public var dataDirectory = "./returnledger-data"
    public var fsync = FsyncPolicy.always
    public var snapshotEvery = 100_000
    /// `--snapshot-growth PERCENT`: after a snapshot of 64 MiB or more, an automatic one also
    /// waits until the log since it is this share of its size (0: every `snapshotEvery` events at
    /// any size). See `SnapshotPacing`.
    public var snapshotGrowth = SnapshotPacing.defaultGrowth
    public var maxLine = 8192
    public var maxConnections = 1024
    /// Seconds without a request before a connection is closed; 0 = never.
    public var idleTimeout = 0
    /// What one connection may hold queued (unparsed input, unsent replies and pushes), in bytes
    /// (protocol.md, Resource budgets): past it the server stops reading that connection until it
    /// drains.
    public var maxClientBuffer = 1 << 20
    /// Resident memory above which large reads are refused (`--max-memory`); 0 = no limit.
    public var maxMemory = 0
    /// `--backup-dir`, `--backup-every`, `--backup-keep`: where backups go (nil: the data
    /// directory's path + `-backups`), how often one is made when none is newer (seconds; 0 = only
    /// on BACKUP), and how many are kept.
    public var backupDirectory: String?
    /// `--archive-dir`: where ARCHIVE writes its archives (nil: the data directory).
    public var archiveDirectory: String?
    public var backupEvery: Int64 = 86_400
    public var backupKeep = 7
    /// What backups are written through; tests inject a failing backup disk here.
    /// Paced on the real disk (PacedFileSystem): a backup's writes leave the log's fsyncs room. A
    /// test or the simulation that sets its own file system gets it as it is.
    public var backupFileSystem: any FileSystem = PacedFileSystem(PosixFileSystem())
    /// `--restore FOLDER`: copy a backup into the (empty) data directory first (one-shot).
    public var restore: String?
    /// `--log-keep BYTES`: covered log segments kept for FEED up to this total (nil: all).
    public var logKeep: Int?
    public var demo = false
    /// `--reset-admin`: set the admin's password and exit (one-shot: never from the environment).
    public var resetAdmin = false
    /// `RETURNLEDGER_ADMIN_PASSWORD`, for the first start on an empty data directory.
    public var adminPassword: String?
    /// `--standby-of HOST:PORT --standby-user USER [--standby-ca FILE]` with the password from
    /// `RETURNLEDGER_STANDBY_PASSWORD` (protocol.md, A warm standby): follow that primary.
    public var standby: StandbyLink?
    /// `--standby-user` and its password (with `--standby-ca`), with or without `--standby-of`:
    /// also how a promoted server logs in at the primary it fences.
    public var standbyLogin: StandbyLink?
    /// `--sync-standby N`: a change's reply waits until N standbys have it durable (0: never).
    public var syncStandby = 0
    /// `--sync-timeout SECONDS`: how long a change waits for them before the primary degrades to
    /// asynchronous (0: for ever).
    public var syncTimeout = 10
    /// `--promote`: this standby's directory becomes a primary's, then the server starts (one-shot).
    public var promote = false
    /// Where the log and snapshots go through; tests inject failures here.
    public var fileSystem: any FileSystem = PosixFileSystem()

    public init() {}
}

/// Where a standby's primary is and how it logs in there.
public struct StandbyLink: Sendable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    /// `--standby-ca FILE`: speak TLS to HOST:PORT, trusting the certificates in FILE.
    public var caFile: String?
    /// HOST:PORT, as INFO, READONLY and the data directory name the primary.
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public init(host: String, port: Int, user: String, password: String, caFile: String?) {
        self.host = host; self.port = port; self.user = user; self.password = password; self.caFile = caFile
    }
}
