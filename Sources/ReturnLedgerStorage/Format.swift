/// The version of the bytes in log records and snapshots. One number for both, because both
/// hold the same types (a `User` in a `userAdded` record and in a snapshot is written alike).
///
/// Every log record and every snapshot says the version it was written in; a reader decodes
/// each with the rules of its version, so a data directory written by any earlier version still
/// starts and replays to the same state. To change the encoding:
/// 1. add a case below, with what it changed, and make it `current`;
/// 2. write new fields at the end of their type or event, and read them only
///    `if r.format >= .vN` (an older record gets the default);
/// 3. a new event kind takes the next free tag in `EventCodec`; tags are never reused;
/// 4. keep `Tests/Fixtures/golden-v1`, `golden-v3` ... `golden-v16` (written by those versions)
///    replaying: `GoldenDataTests`, `GoldenAnswersTests`; before changing the encoding again,
///    write a golden directory with the last build of the current version (`tools/golden/make_v12.py`
///    shows how; golden-v16 is written by `tools/golden/make_v16.py`, so format 17 may come next; golden-v17 before format 18).
///
/// | version | since | what changed |
/// |---|---|---|
/// | 1 | first release | segments `RLWAL001` (records carry no version), snapshots `RLSNAP02` |
/// | 2 | issue 9 | segments `RLWAL002`: each record starts with its version byte; snapshots `RLSNAP03` with a version byte after the sequence; `returnApproved` records its outcome (units into quarantine, credit, refund paid) |
/// | 3 | issue 10 | `User` ends with its locations (`Scope`: `*` or codes; older users are `*`); event `userScoped` (tag 19) |
/// | 4 | issue 10 | approval rules: `ReturnRequest` ends with its `ReturnFlow` and first approval; the state ends with the rules; events `ruleAdded` (20), `ruleDropped` (21), `returnFirstApproved` (22) |
/// | 5 | issue 11 | return types: `Reason` ends with its fee; `ReturnRequest` ends with its exchange (lines, text), override, fee rate, fee and due; `ApprovalOutcome` ends with the fee, the exchange sale, due and cash paid in; the state ends with the customer limits; event `customerLimitsChanged` (23) |
/// | 6 | issue 14 | the business day: the state ends with the time-zone periods (since, zone name); event `timezoneChanged` (24). A zone is stored by name and read from tzdata again on replay |
/// | 8 | issue 24 | tills, tenders and store credit: `Order` ends with the tenders `tender=` named beyond the default `cash:TOTAL` (a tender's kind as one byte), what returns charged to them, its till session and the credit it drew (older paid sales: `cash:TOTAL`); `ReturnRequest` ends with its till, offline time and the completing approval's `TenderMoves` (parts, due tenders, charges, session, override, credit lot), which `ApprovalOutcome` also ends with (older ones: derived by `Ledger.upgraded`, and for a snapshot by `upgradeTenders`); the state ends with the till sessions, credit lots and the policy's credit_days, offline_hours, cross_store; events `tillOpened` (25), `tillMoved` (26), `tillClosed` (27), `tenderPolicyChanged` (28), `creditDrawn` (29), `creditIssued` (30) |
/// | 9 | issue 25 | documents you can trust: the completing approval records its document's `hash` (SHA-256 chain, computed once when issued; older documents are chained when first loaded: by replay, and for a snapshot by `chainDocuments`), which `ReturnRequest` also ends with. VOID: event `returnVoided` (32) with its `VoidRecord` (document, reason, note, voider, time, hash, the `Effects` it decided, owed, the lot given back, store credit made); the state ends with the voids. Period close: event `periodClosed` (33) with the close (through, by, at, note, each date's `ZRow`s) and the lots written off; the state ends with the closes. Tax and discount: `Product` ends with its tax rate; `OrderLine` ends with a flags byte (1: tax rate and tax follow, 2: discount share follows, 4: tax added on top); `ReturnItem` ends with a flag and, when set, its tax rate and tax; `ReturnRequest` with a flag and its tax and fee tax, `ApprovalOutcome` with a flag and the fee tax (an untaxed record adds one byte per line, item, return or approval); the state ends with the policy's tax_included (older records: 0.00 tax, no discount, tax included); event `taxPolicyChanged` (31) |
/// | 10 | issue 26 | goods after the return: `StockLevel` gains rtv, refurbish and transit, written in the state's held-stock section after the closes (slots holding any); an `Effects.Move` ends with a flag and, when set, those three; `ReturnRequest` ends with its INSPECT decisions (`Disposal`s) and a flag with its `SupplierTerms` (RMA, source, expected, the vendor's credit note); `Approval` ends with a flag and the RMA an APPROVE set; `Product` ends with its supplier, `Party` with rma_required; the state ends with the held stock and DISPOSE's `StockMove`s; events `returnDisposed` (34: an INSPECT's decisions; older `returnInspected` records read as one decision per SKU and batch worth 0.00), `stockDisposed` (35), `vendorCredited` (36) |
/// | 11 | issue 27 | stock moves and policy per product: `Location` ends with its site (older: its own code); `StockMove` ends with a flag and, when set, ADJUST's direction and reason, then its lines (`StockMoveLine`: sku, batch, before, change, value; none for DISPOSE); `Product` ends with its category, its own `ReturnTerms` (return days, final sale, fee: each a presence flag and its value) and its serial flag; `ReturnRequest` ends with its `Waivers` byte (what an override waived; older overridden returns: the customer limit); the state ends with the transfers in id order (`Transfer`: id, from, to, lines (sku, batch, sent, received), note, sent_by, sent_at, state, via_transit, received_by, a flag and received_at, received_note, value), then the categories by code; events `transferSent` (37), `transferReceived` (38), `transferCancelled` (39), each carrying the whole transfer after its step (which ends with who cancelled it and when), `stockAdjusted` (40), `stockCounted` (41), `categoryAdded` (42: CATEGORY ADD and SET alike). Serial numbers: `OrderLine`'s flags byte gains 8 (its serials follow, a string list); `ReturnItem`'s tax byte becomes a flags byte (1: tax follows, 2: serials follow); `Effects.Move`'s held-states byte becomes a flags byte (1: rtv, refurbish and transit follow, 2: serials follow); `Disposal` ends with its serials; `TransferLine` with the serials sent and received; `StockMoveLine` with the serials put on hand and taken off; the state ends with the serial registry (per SKU, per serial: a flag and, in stock, its location, batch and state, then its last sale). Older records carry no serials. golden-v11 is written by `tools/golden/make_v11.py` |
/// | 12 | issue 28 | a warm standby: event `epochStarted` (43: epoch, parent, since, by), logged where a promotion or a restore forks the history; nothing else changed; golden-v12 (its `snapshot` a restored directory) is written by `tools/golden/make_v12.py` |
/// | 13 | issue 30 | years of history: event `archiveWritten` (44: name, through, number, T, purchases=all, the seven counts, bytes, checksum, seq; the records it took are read from the archive itself on replay); golden-v13 (each directory with its archive file; `snapshot` holds the archives in the state) is written by `tools/golden/make_v13.py`; the state ends with the archives (each that summary, then the ids it took: returns, orders, per party entry positions and lots, notices, audit positions, till sessions, transfers, stock moves; numbers as runs, a count then each run's first and last) |
/// | 14 | issue 30 | archived records leave memory: each party's ledger entries, the notices and the audit trail are each written as its length (4 bytes), the runs of its chunks (1,024 records each) released to archives, then the records held; the state ends with each party's brought-forward line (party, newest time, sum of its archived entries in minor units) (older states: every record held; their archives' sums are worked out and what they took released when loaded); golden-v14 (a burst of payments, so that its archive releases chunks of the audit trail and of an account) is written by `tools/golden/make_v14.py` |
/// | 15 | issue 30 | what a load rebuilt or parsed is kept as held (a load reads only the open returns for it): the state ends with `StatsIndex` (`StatsCodec`: each bucket by filing date, kind and location with its counts, sums, refunds per tender, approval times sorted, its reason, clerk, party and SKU groups by name; then the units sold per sale date and location), then the returns filed against each order that has any (its place among the orders written, the numbers, 4 bytes each) and against each party, then LIST's rows (the location codes by number; per return its filing date (4 bytes), location number (4), state code and kind (1 each)); the audit trail's held entries are written after the words they name (a list of strings, numbered in the order those entries first name them), each entry as seq, time, its user, peer, command and outcome as 4-byte numbers into that list, and target; the documents are written as held, per business date its list of return numbers by serial (4 bytes, 0 none), then any other by name (older states: documents by number, and the rest rebuilt from their returns and orders when loaded, as before); golden-v15 is written by `tools/golden/make_v15.py` |
/// | 16 | issue 30 | archived returns leave memory: the returns are written as the lists of format 14 (length, released chunks, the returns held); the key index as held (per shard of 256 its slot count, then each slot: the high half of the key's hash and the return's number, 8 bytes, 0 empty), then the keys kept apart by name; the state ends with the document chain's head (32 bytes), since the last document's return may have left memory; golden-v16 is written by `tools/golden/make_v16.py` |
/// | 7 | issue 12 | `paymentRecorded` ends with the payment's number (FEED found it on the account by time and amount, so two equal payments of one party in one second got one number) |
public struct Format: RawRepresentable, Comparable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let v1 = Format(rawValue: 1)
    public static let v2 = Format(rawValue: 2)
    public static let v3 = Format(rawValue: 3)
    public static let v4 = Format(rawValue: 4)
    public static let v5 = Format(rawValue: 5)
    public static let v6 = Format(rawValue: 6)
    public static let v7 = Format(rawValue: 7)
    public static let v8 = Format(rawValue: 8)
    public static let v9 = Format(rawValue: 9)
    public static let v10 = Format(rawValue: 10)
    public static let v11 = Format(rawValue: 11)
    public static let v12 = Format(rawValue: 12)
    public static let v13 = Format(rawValue: 13)
    public static let v14 = Format(rawValue: 14)
    public static let v15 = Format(rawValue: 15)
    public static let v16 = Format(rawValue: 16)
    /// What this build writes.
    public static let current = v16

    /// Whether this build can read bytes of version `raw`.
    public static func readable(_ raw: UInt8) -> Format? {
        raw >= v1.rawValue && raw <= current.rawValue ? Format(rawValue: raw) : nil
    }

    public static func < (a: Format, b: Format) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "format \(rawValue)" }
}
