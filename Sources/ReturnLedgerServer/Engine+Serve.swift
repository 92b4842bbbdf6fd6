import ReturnLedgerCore
import ReturnLedgerWire

/// What the server answers itself: the session's own commands, and the operations whose work
/// runs off the writer (DIGEST, SNAPSHOT, BACKUP, FEED). Logins and password changes reach the
/// engine only after their hashing (`Authenticator`), as ledger changes.
extension Engine {
    func serve(_ command: ServerCommand, _ request: Request, session: Session, _ context: Context) -> Execution {
        switch command {
        case .ping: return .reply(.success(Reply(word: "pong")))
        case .quit: return .reply(.success(Reply(word: "bye")))
        case .help(let topic): return .reply(help(topic, loggedIn: session.user != nil, role: context.role))
        case .whoami:
            guard let name = session.user else { return .reply(.failure(DomainError(.NOAUTH, "not logged in"))) }
            return .reply(.success(Reply(status: [Field("user", name), Field("role", context.role.rawValue),
                                                  Field("session", String(session.id)),
                                                  Field("locations", context.scope.text)])))
        case .info: return .reply(.success(info()))
        case .watch: return .reply(.success(watch(session: session, context)))
        case .unwatch: return .reply(.success(unwatch(session: session)))
        case .digest: return digest()
        case .snapshot:
            if let refused = storageRefusal() ?? audited(request, context) { return .reply(.failure(refused)) }
            return snapshot()
        case .backup:
            if let refused = storageRefusal() ?? audited(request, context) { return .reply(.failure(refused)) }
            return backup()
        case .feed(let from, let limit, let wait, let epoch):
            return feed(from: from, limit: limit, wait: wait, epoch: epoch, context)
        case .replicate(let from, let epoch, let history):
            return replicate(from: from, epoch: epoch, history: history, request, session: session, context)
        case .promote:
            return promote(context)
        case .archive(let through, let purchasesAll):
            return archive(through: through, purchasesAll: purchasesAll, request, context)
        case .archiveList:
            return .reply(.success(shelf.list(ledger)))
        case .auth, .userAdd, .userPassword:
            // The connection hands these to the Authenticator before the engine sees them.
            return .reply(.failure(DomainError(.INTERNAL, "unexpected \(request.name)")))
        }
    }

    /// The state a restart would rebuild: replay must reproduce this exactly. Encoding the whole
    /// state takes time proportional to it, so it runs on the copy, off this queue.
    private func digest() -> Execution {
        if let refused = memoryRefusal("DIGEST") { return .reply(.failure(refused)) }
        let seq = wal.lastSeq
        if let reload {
            return afterReload(reload) { .success(Reply(status: [Field("seq", String(seq)), Field("digest", $0.digest)])) }
        }
        let copy = ledger
        return .deferred(DeferredReply(queue: readQueue) {
            .success(Reply(status: [Field("seq", String(seq)), Field("digest", copy.digest)]))
        })
    }

    private func snapshot() -> Execution {
        let job = snapshots.begin(ledger, wal: wal)
        return .deferred(DeferredReply(queue: snapshots.queue) { [snapshots, wal, queue] in
            switch snapshots.write(job, wal: wal, engineQueue: queue) {
            case .success(let written):
                return .success(Reply(status: [Field("seq", String(written.seq)), Field("bytes", String(written.bytes))]))
            case .failure(let error):
                return .failure(DomainError(.STORAGE, "snapshot failed: \(error.message)"))
            }
        })
    }

    private func backup() -> Execution {
        let work = backups.begin(self)
        return .deferred(DeferredReply(queue: backups.queue) { [directory = backups.directory] in
            switch work() {
            case .success(let written):
                return .success(Reply(status: [Field("backup", written.entry.name), Field("seq", String(written.entry.seq)),
                                               Field("bytes", String(written.bytes)), Field("archives", String(written.archives))]))
            case .failure(let error):
                return .failure(DomainError(.BACKUP, "backup to \(directory) failed: \(error.message); changes go on"))
            }
        })
    }
}
