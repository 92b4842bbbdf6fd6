import Dispatch
import ReturnLedgerCore
import ReturnLedgerWire

/// The single writer: owns the ledger and runs every command on one serial queue, as in Redis.
/// No locks in the domain, a total order of events, deterministic replay. Parsing, hashing and
/// socket I/O stay on the connections' queues.
final class Engine: @unchecked Sendable {
    let queue = DispatchQueue(label: "returnledger.engine")
    private(set) var ledger = Ledger()
    private let clock: @Sendable () -> Timestamp
    let figures: Figures
    /// Per command word: calls and failures, for INFO.
    private var calls: [CommandWord: (calls: Int, failed: Int)] = [:]

    init(clock: @escaping @Sendable () -> Timestamp, figures: Figures) {
        self.clock = clock
        self.figures = figures
    }

    /// The outcome of one batch: reply bytes in request order, and whether the connection must
    /// close after sending them (QUIT).
    struct BatchResult: Sendable {
        var output: [UInt8] = []
        var close = false
    }

    /// Runs a batch of requests from one connection, in order.
    func run(_ batch: [Incoming], session: Session) -> BatchResult {
        dispatchPrecondition(condition: .onQueue(queue))
        var result = BatchResult()
        for item in batch {
            switch item {
            case .failed(let box):
                figures.failedUnparsed()
                // NOAUTH comes before UNKNOWN_COMMAND and SYNTAX; only framing errors come first.
                let framing = box.error.code == .TOO_LONG || box.error.code == .ENCODING
                let error = session.user == nil && !framing ? DomainError(.NOAUTH, "log in first: AUTH user password") : box.error
                ReplyEncoder.encode(error, into: &result.output)
            case .request(let box):
                let reply = execute(box.request, session: session)
                count(box.request.word, failed: { if case .failure = reply { return true } else { return false } }())
                ReplyEncoder.encode(reply, into: &result.output)
                if box.request.word == .QUIT, case .success = reply {
                    result.close = true
                    return result
                }
            }
        }
        return result
    }

    private func count(_ word: CommandWord, failed: Bool) {
        calls[word, default: (0, 0)].calls += 1
        if failed { calls[word, default: (0, 0)].failed += 1 }
    }

    /// The contract's order of checks: NOAUTH, DENIED (role only), SYNTAX/INVALID, then the
    /// domain. Mutations and denials leave audit entries.
    private func execute(_ request: Request, session: Session) -> Result<Reply, DomainError> {
        let word = request.word
        var context = Context(user: session.user ?? "", role: .clerk, peer: session.peer, now: clock())
        if !word.isOpen {
            guard let name = session.user else { return .failure(DomainError(.NOAUTH, "log in first: AUTH user password")) }
            guard let user = ledger.users[name], user.enabled else {
                return .failure(DomainError(.NOAUTH, "user \(name) is disabled; log in again"))
            }
            context.role = user.role
            guard Permissions.allows(user.role, word, sub: request.sub) else {
                commit([ledger.auditEvent(request.name, target: "", outcome: DomainError.Code.DENIED.rawValue, context)])
                return .failure(DomainError(.DENIED, "role \(user.role.rawValue) may not use \(request.name)"))
            }
        } else if let name = session.user, let user = ledger.users[name] {
            context.role = user.role
        }

        let parsed: ParsedCommand
        switch request.parsed {
        case .success(let p): parsed = p
        case .failure(let error):
            if word.isMutating { commit([ledger.auditEvent(request.name, target: "", outcome: error.code.rawValue, context)]) }
            return .failure(error)
        }

        switch parsed {
        case .ping: return .success(Reply(word: "pong"))
        case .quit: return .success(Reply(word: "bye"))
        case .help(let topic): return help(topic, session: session, role: context.role)
        case .whoami:
            guard let name = session.user else { return .failure(DomainError(.NOAUTH, "not logged in")) }
            return .success(Reply(status: [Field("user", name), Field("role", context.role.rawValue),
                                           Field("session", String(session.id))]))
        case .info: return .success(info())
        case .snapshot:
            commit([ledger.auditEvent(request.name, target: "", outcome: DomainError.Code.STORAGE.rawValue, context)])
            return .failure(DomainError(.STORAGE, "not yet: snapshots arrive with the write-ahead log"))
        case .auth, .userAdd, .userPassword:
            // The connection resolves these before the engine sees them.
            return .failure(DomainError(.INTERNAL, "unexpected \(request.name)"))
        case .ledger(let command):
            if command.isMutation {
                let (events, result) = ledger.record(command, name: request.name, context)
                commit(events)
                return result
            }
            do { return .success(try ledger.query(command)) } catch { return .failure(error) }
        }
    }

    /// Applies events to the state. The next issue logs them here, before applying.
    func commit(_ events: [Event]) {
        dispatchPrecondition(condition: .onQueue(queue))
        ledger.apply(events)
    }

    /// Runs an already-parsed ledger command (hashed password commands, start-up, demo data).
    func perform(_ command: Command, name: String, context: Context) -> Result<Reply, DomainError> {
        dispatchPrecondition(condition: .onQueue(queue))
        let (events, result) = ledger.record(command, name: name, context)
        commit(events)
        count(CommandWord(rawValue: String(name.prefix { $0 != " " })) ?? .USER, failed: { if case .failure = result { return true } else { return false } }())
        return result
    }

    func now() -> Timestamp { clock() }

    private func help(_ topic: String?, session: Session, role: Role) -> Result<Reply, DomainError> {
        if let topic {
            guard let word = CommandWord(rawValue: topic.uppercased()) else {
                return .failure(DomainError(.UNKNOWN_COMMAND, "unknown command \(topic.prefix(64))"))
            }
            return .success(Reply(lines: (Usage.lines[word] ?? []).map { [Field("usage", $0)] }))
        }
        let words = CommandWord.allCases.filter { word in
            word.isOpen || (session.user != nil && (Permissions.allows(role, word, sub: nil) || word == .USER))
        }
        return .success(Reply(lines: words.map { [Field("command", $0.rawValue), Field("usage", Usage.lines[$0]?.first ?? $0.rawValue)] }))
    }

    private func info() -> Reply {
        var lines: [[Field]] = []
        let f = figures.read()
        lines.append([Field("section", "server"), Field("version", Figures.version), Field("uptime_s", String(clock().seconds - f.startedAt)),
                      Field("pid", String(f.pid))])
        lines.append([Field("section", "connections"), Field("now", String(f.connectionsNow)),
                      Field("total", String(f.connectionsTotal)), Field("rejected", String(f.connectionsRejected))])
        let processed = calls.values.reduce(0) { $0 + $1.calls } + f.unparsed
        let failed = calls.values.reduce(0) { $0 + $1.failed } + f.unparsed
        lines.append([Field("section", "commands"), Field("processed", String(processed)), Field("failed", String(failed))])
        for word in CommandWord.allCases {
            guard let c = calls[word] else { continue }
            lines.append([Field("section", "command"), Field("name", word.rawValue), Field("calls", String(c.calls)),
                          Field("failed", String(c.failed))])
        }
        lines.append([Field("section", "wal"), Field("seq", "0"), Field("bytes", "0"), Field("fsync", f.fsyncPolicy),
                      Field("last_fsync_us", "0")])
        lines.append([Field("section", "snapshot"), Field("seq", "0"), Field("at", ""), Field("bytes", "0"),
                      Field("duration_ms", "0")])
        lines.append([Field("section", "state"), Field("returns", String(ledger.returns.count)),
                      Field("orders", String(ledger.orders.count)), Field("audit", String(ledger.audit.count))])
        lines.append([Field("section", "memory"), Field("rss_bytes", String(Syscalls.residentBytes()))])
        return Reply(lines: lines)
    }
}
