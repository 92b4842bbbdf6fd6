import ReturnLedgerCore

/// INFO: the server's counters, the log, snapshots, the state's size and memory. O(1): figures
/// kept up to date as things happen, nothing counted on demand.
extension Engine {
    func info() -> Reply {
        var lines: [[Field]] = []
        let f = counters.read()
        lines.append([Field("section", "server"), Field("version", ServerCounters.version),
                      Field("uptime_s", String(now().seconds - f.startedAt)), Field("pid", String(f.pid)),
                      Field("epoch", replication.epoch), Field("epoch_parent", replication.history.parent),
                      Field("epoch_since", String(replication.history.entries.last?.firstSeq ?? 0))])
        lines.append([Field("section", "connections"), Field("now", String(f.connectionsNow)),
                      Field("total", String(f.connectionsTotal)), Field("rejected", String(f.connectionsRejected)),
                      Field("out_of_fds", String(f.outOfDescriptors))])
        lines.append([Field("section", "push"), Field("watchers", String(watching.count)), Field("pushed", String(f.pushed)),
                      Field("overflows", String(f.pushOverflows))])
        let processed = calls.reduce(0) { $0 + $1.calls } + f.unparsed
        let failed = calls.reduce(0) { $0 + $1.failed } + f.unparsed
        lines.append([Field("section", "commands"), Field("processed", String(processed)), Field("failed", String(failed))])
        for word in CommandWord.allCases {
            let c = calls[word.ordinal]
            guard c.calls > 0 else { continue }
            lines.append([Field("section", "command"), Field("name", word.name), Field("calls", String(c.calls)),
                          Field("failed", String(c.failed))])
        }
        let w = wal.status
        lines.append([Field("section", "wal"), Field("seq", String(w.lastSeq)), Field("durable_seq", String(w.durableSeq)),
                      Field("bytes", String(w.diskBytes)), Field("fsync", wal.policy.rawValue),
                      Field("fsyncs", String(w.syncs)), Field("last_fsync_us", String(w.lastSyncMicros)),
                      Field("max_fsync_us", String(w.maxSyncMicros)), Field("status", w.failure == nil ? "ok" : "failed"),
                      Field("error", w.failure ?? "")])
        let s = snapshots.last
        lines.append([Field("section", "snapshot"), Field("seq", String(s.seq)), Field("at", s.at),
                      Field("bytes", String(s.bytes)), Field("duration_ms", String(s.millis)),
                      Field("in_progress", snapshots.inFlight ? "yes" : "no"),
                      Field("events_since", String(snapshots.eventsSince)), Field("error", s.failure ?? "")])
        lines.append(backups.fields)
        // Live records (section 23): what the archives hold is counted on the memory line.
        let archived = ledger.archivedCounts
        lines.append([Field("section", "state"), Field("returns", String(ledger.returns.count - archived.returns)),
                      Field("orders", String(ledger.orders.count - archived.orders)), Field("audit", String(ledger.audit.count - archived.audit)),
                      Field("tills_open", String(ledger.openTills.count)), Field("credit_lots", String(ledger.openCreditLots))])
        // Resource budgets: what the connections hold (sampled every second), the budgets, and whether
        // large reads are refused for memory.
        let q = f.queues
        lines.append([Field("section", "memory"), Field("rss_bytes", String(Syscalls.residentBytes())),
                      Field("queued_input", String(q.input)), Field("queued_output", String(q.output)),
                      Field("queued_pushes", String(q.pushes)), Field("largest_queue", String(q.largestQueue)),
                      Field("largest_held", String(q.largestHeld)), Field("closed_for_buffers", String(f.closedForBuffers)),
                      Field("max_client_buffer", String(setting.maxClientBuffer)), Field("max_memory", String(maxMemory)),
                      Field("memory_high", f.memoryHigh ? "yes" : "no"), Field("state_bytes", String(ledger.estimatedBytes))]
                     + shelf.infoFields(ledger))
        // Whether TLS is on, its handshakes, and the certificate's end (an expired one warns).
        lines.append([Field("section", "tls"), Field("enabled", setting.tls == nil ? "no" : "yes"),
                      Field("handshakes", String(f.tlsHandshakes)), Field("failures", String(f.tlsFailures)),
                      Field("not_after", setting.tls?.notAfter ?? ""), Field("expired", setting.tls?.expired == true ? "yes" : "no")])
        // A standby's durable_seq is what it has fsynced (what it acknowledges and is promoted on).
        let durable = replication.role == .standby ? wal.syncedSequence : w.durableSeq
        lines += replication.infoLines(applied: wal.lastSeq, localDurable: durable, fenced: replication.history.fence)
        return Reply(lines: lines)
    }
}

extension Engine {
    /// LIST up to this many rows is served whatever memory says (protocol.md, Resource budgets).
    static let smallRead = ReturnFilter.smallPage

    /// `ERR LIMIT memory ...` while resident memory is above `--max-memory`; the connection stays.
    func memoryRefusal(_ what: String) -> DomainError? {
        guard maxMemory > 0, counters.memoryHigh else { return nil }
        return DomainError(.LIMIT, "memory: resident memory is above --max-memory (\(maxMemory) bytes); \(what) waits"
                           + " until it is 10% below, smaller reads and every change go on")
    }
}
