-- Goods after the return from ReturnLedger's change feed (export.py; the contract's section 21),
-- beside the tables of clients/sql/schema.sql, tills.sql and documents.sql and read the same way
-- (PostgreSQL; SQLite reads the same text). New facts go into tables of their own, so a target an
-- older export.py filled takes them on its next run without a migration. The money of section 21
-- is in ledger_entries: a supplier return's debit note is made for its expected credit, and a
-- credit note that differs from it adds an entry of kind 'credit_difference' (doc: the return's
-- document); BALANCE is still the sum.

-- What was decided for returned or held units, one row per decision: an INSPECT of a return's
-- quarantined units, or a DISPOSE of goods held in rtv or refurbish at a location.
--   disposition  restock (on hand) | scrap (written off) | vendor (held for the supplier, rtv) |
--                refurbish (held for repair) | regrade (on hand as to_sku, no batch)
--   value        at unit cost: scrap -qty x cost, regrade qty x (to_sku's cost - sku's), else 0.00
-- A return's rows are final (STATS by=disposition counts them, by the return's prices); a
-- DISPOSE's rows are not a return's decision and STATS does not count them.
CREATE TABLE IF NOT EXISTS dispositions (
    seq         bigint NOT NULL,
    n           integer NOT NULL,        -- 1, 2, ... within the sequence
    at          timestamptz NOT NULL,
    source      text NOT NULL,           -- inspect | dispose
    id          text NOT NULL,           -- the return (R000042) or the move (M000001)
    location    text NOT NULL,           -- where the units are: the return's location, the move's
    from_state  text NOT NULL,           -- quarantine (inspect) | rtv | refurbish (dispose)
    sku         text NOT NULL,
    batch       text NOT NULL,
    qty         bigint NOT NULL,
    disposition text NOT NULL,
    to_sku      text NOT NULL,           -- a regrade's new SKU, '' otherwise
    serials     text NOT NULL,           -- comma-joined, '' when the SKU has none
    value       numeric(14,2) NOT NULL,
    decided_by  text NOT NULL,
    PRIMARY KEY (seq, n)
);

-- Each INSPECT: the decisions it made (comma-joined, as the reply's disposition=), the units it
-- left in quarantine and the sum of its values. The returns table's state is 'inspecting' while
-- units are left, 'completed' when none are.
CREATE TABLE IF NOT EXISTS inspections (
    seq          bigint PRIMARY KEY,
    at           timestamptz NOT NULL,
    return_id    text NOT NULL,
    inspected_by text NOT NULL,
    disposition  text NOT NULL,
    left_qty     bigint,                 -- NULL from a server before per-unit inspection
    value        numeric(14,2),
    note         text NOT NULL
);

-- Each DISPOSE (its decisions are in dispositions, id = move).
CREATE TABLE IF NOT EXISTS disposals (
    move        text PRIMARY KEY,        -- M000001
    seq         bigint NOT NULL,
    at          timestamptz NOT NULL,
    location    text NOT NULL,
    from_state  text NOT NULL,           -- rtv | refurbish
    disposition text NOT NULL,
    qty         bigint NOT NULL,
    value       numeric(14,2) NOT NULL,
    disposed_by text NOT NULL,
    note        text NOT NULL,
    idem_key    text NOT NULL            -- the request's key=, '' when none
);

-- The states a stock move changed besides on_hand and quarantine (stock_moves has those), one row
-- per stock_moves row from a server with section 21: join on (seq, n).
CREATE TABLE IF NOT EXISTS stock_move_states (
    seq       bigint NOT NULL,
    n         integer NOT NULL,
    rtv       bigint NOT NULL,           -- held for the supplier
    refurbish bigint NOT NULL,           -- held for repair
    transit   bigint NOT NULL,           -- sent here, not yet received
    serials   text NOT NULL,
    PRIMARY KEY (seq, n)
);

-- Every slot's units in every state, kept up to date from each stock move: what STOCK shows
-- (STOCK supplier= is the rows with rtv above 0 of that supplier's SKUs). A target filled before
-- this table existed gets it summed from its stock_moves when first opened.
CREATE TABLE IF NOT EXISTS stock_slots (
    location   text NOT NULL,
    sku        text NOT NULL,
    batch      text NOT NULL,
    on_hand    bigint NOT NULL,
    quarantine bigint NOT NULL,
    rtv        bigint NOT NULL,
    refurbish  bigint NOT NULL,
    transit    bigint NOT NULL,
    PRIMARY KEY (location, sku, batch)
);

-- A supplier return's terms (a return of kind 'purchase' from a server with section 21), and its
-- credit note once booked. rma is the return's RMA now: as filed, or as the completing approval
-- set or replaced it (approved_rma). expected: the credit expected when filed (default the
-- amount); the debit note in ledger_entries is made for it.
CREATE TABLE IF NOT EXISTS supplier_returns (
    return_id    text PRIMARY KEY,
    seq          bigint NOT NULL,
    supplier     text NOT NULL,
    location     text NOT NULL,
    order_id     text NOT NULL,          -- '' for a return without an order (priced at unit cost)
    rma          text NOT NULL,          -- '' while none
    filed_rma    text NOT NULL,
    approved_rma text,                   -- NULL until approved
    source       text NOT NULL,          -- on_hand | rtv: what the goods left at approval
    expected     numeric(14,2) NOT NULL
);

-- The supplier's credit note against a supplier return (VENDOR CREDIT, one per return):
-- difference = received - expected, booked in the same step as a 'credit_difference' ledger entry
-- (none when 0.00).
CREATE TABLE IF NOT EXISTS vendor_credits (
    return_id   text PRIMARY KEY,
    seq         bigint NOT NULL,
    at          timestamptz NOT NULL,
    credited_by text NOT NULL,
    expected    numeric(14,2) NOT NULL,
    received    numeric(14,2) NOT NULL,
    difference  numeric(14,2) NOT NULL,
    ref         text NOT NULL,           -- the supplier's credit note number
    note        text NOT NULL
);
