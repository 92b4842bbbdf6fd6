extension Ledger {
    /// About how many bytes the state takes in memory (INFO's `state_bytes`), from
    /// counts that cost nothing to read: walking millions of records for an exact figure would
    /// hold up the writer. The constants were measured (`wal seed` directories of 200,000 returns
    /// with 1 and 8 returns per order, loaded from their snapshots, RSS minus an empty server's),
    /// and each covers what a record brings with it: a return its document, notice, ledger entry
    /// and index entries; an order its lines and its sale's stock and statistics.
    /// Records an archive took that left memory (section 23) are taken off: the returns, the
    /// notices and ledger entries a return brings, and audit entries (counted held).
    public var estimatedBytes: Int {
        let releasedEntries = entries.values.reduce(0) { $0 + $1.count - $1.heldCount }
        return returns.count * Ledger.bytesPerReturn + orders.count * Ledger.bytesPerOrder
            + audit.heldCount * Ledger.bytesPerAuditEntry
            - (notices.count - notices.heldCount) * Ledger.bytesPerNotice - releasedEntries * Ledger.bytesPerEntry
            - (returns.count - returns.heldCount) * Ledger.bytesPerReleasedReturn
    }

    /// Measured again for the compact state (issue 30; release, 200,000 returns with 100 and 8 per
    /// order: 1,075 and 1,161 B of RSS a return over an empty server's 15 MB, each with two audit
    /// rows of about 50 B).
    static let bytesPerReturn = 960, bytesPerOrder = 750, bytesPerAuditEntry = 50
    /// A notice's and a ledger entry's share of that: what an archive frees of them (a million
    /// archived returns freed 272 B each: two audit rows, a notice, two entries).
    static let bytesPerNotice = 80, bytesPerEntry = 48
    /// What a return that left memory frees besides (a million archived: 704 → 71 MB of RSS after
    /// a restart, the notices' and entries' share above taken off): all but its row, key slot,
    /// document number and index places.
    static let bytesPerReleasedReturn = 710
}
