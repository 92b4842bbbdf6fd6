import Dispatch
import Glibc
import ReturnLedgerServer
import ReturnLedgerStorage

// The thin executable: flags, start-up, signals. Everything else lives in ReturnLedgerServer.

Runner.blockStopSignals()
Runner.tuneAllocator()
TimeZoneFiles.install()  // the business zones of the log (a restore's check replays one) and of POLICY SET

/// Whether two paths name one directory (`./d/` and `d`, a symlink and its target): its lock is
/// taken once.
func sameDirectory(_ a: String, _ b: String) -> Bool {
    guard let ra = realpath(a, nil) else { return a == b }
    defer { free(ra) }
    guard let rb = realpath(b, nil) else { return a == b }
    defer { free(rb) }
    return strcmp(ra, rb) == 0
}

func fail(_ message: String) -> Never {
    Runner.log(message)
    exit(2)
}

var environment: [String: String] = [:]
var entry = environ
while let pointer = entry.pointee {
    let pair = String(cString: pointer)
    if let eq = pair.firstIndex(of: "=") { environment[String(pair[..<eq])] = String(pair[pair.index(after: eq)...]) }
    entry += 1
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(Flags.help)
    exit(0)
}
if arguments.contains("--version") {
    print("returnledger \(Server.version)")
    exit(0)
}

let config: ServerConfig
do {
    config = try Flags.parse(arguments, environment: environment)
    if let folder = config.restore {
        // A refused restore touches nothing (protocol.md, Backups, restore and log keeping): the
        // directory and the backup are checked before the directory, or its LOCK, is made.
        let data = config.dataDirectory
        try Flags.prepareDataDirectory(data, create: false)
        var plan: Restore.Plan?
        try DirectoryLock.acquire(data) { () throws(Flags.Failure) in
            // The backup's archives (section 23) are checked here too, and go to `--archive-dir`.
            plan = try Restore.check(from: folder, into: data, archives: config.archiveDirectory)
            try Flags.prepareDataDirectory(data)
        }
        // A separate `--archive-dir` is made and locked before the archives are copied into it.
        if let archives = config.archiveDirectory {
            try Flags.prepareDataDirectory(archives)
            if !sameDirectory(archives, data) { try DirectoryLock.acquire(archives) }
        }
        for note in try Restore.run(plan!) { Runner.log(note) }
    } else {
        try Flags.prepareDataDirectory(config.dataDirectory)
        try DirectoryLock.acquire(config.dataDirectory)  // one process per data directory
    }
    // `--archive-dir` elsewhere: made if missing and locked like the data directory (a restore did so above).
    if config.restore == nil, let archives = config.archiveDirectory {
        try Flags.prepareDataDirectory(archives)
        if !sameDirectory(archives, config.dataDirectory) { try DirectoryLock.acquire(archives) }
    }
} catch {
    fail(error.message)
}

if let warning = Runner.raiseFileLimit(for: config.maxConnections) { Runner.log(warning) }
if !Server.seedStandbyIfEmpty(config) { exit(0) }
if let warning = config.tls?.warning { Runner.log(warning) }
let server: Server
do {
    server = try Server(config: config)
} catch {
    fail("cannot start from \(config.dataDirectory): \(error.message)")
}
for note in server.recoveryNotes { Runner.log(note) }
if config.resetAdmin {
    let (ok, notes) = server.resetAdmin()
    for note in notes { Runner.log(note) }
    exit(ok ? 0 : 2)
}
do {
    try server.listen()  // before the bootstrap: a start that cannot listen prints no password
} catch {
    fail("cannot listen on \(config.host): \(error)")
}
for note in server.bootstrap() { Runner.log(note) }
do {
    try server.start()
} catch {
    fail("cannot start: \(error)")
}

Runner.serveUntilSignalled(server)
