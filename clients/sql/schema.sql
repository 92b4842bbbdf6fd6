-- ReturnLedger's change feed as tables (clients/python/export.py). PostgreSQL; SQLite reads the
-- same text (its type names map to its affinities, and it keeps the keys). Amounts are exact
-- decimals with two places, as on the wire; times are UTC (`...Z`).
--
-- One FEED page is one transaction together with export_state.last_seq: an export stopped at
-- any point resumes where the last committed page ended, never losing or repeating a row.

CREATE TABLE IF NOT EXISTS export_state (
    id       integer PRIMARY KEY CHECK (id = 1),
    epoch    text    NOT NULL,   -- the server's history (FEED's epoch=); another one stops the export
    last_seq bigint  NOT NULL    -- the last log sequence exported
);

CREATE TABLE IF NOT EXISTS parties (
    id   text PRIMARY KEY,
    kind text NOT NULL,          -- customer | supplier
    name text NOT NULL
);

CREATE TABLE IF NOT EXISTS orders (
    id       text PRIMARY KEY,   -- S-1001, PO-1002, X-R000012 (an exchange's sale)
    seq      bigint NOT NULL,
    kind     text NOT NULL,      -- sale | purchase
    location text NOT NULL,
    party    text NOT NULL,      -- '' for a walk-in sale
    total    numeric(14,2) NOT NULL,
    paid     text NOT NULL,      -- yes | no
    at       timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS returns (
    id          text PRIMARY KEY,     -- R000042
    seq         bigint NOT NULL,      -- when it was filed
    filed_at    timestamptz NOT NULL,
    filed_by    text NOT NULL,
    kind        text NOT NULL,        -- sale (a customer's) | purchase (to a supplier)
    order_id    text NOT NULL,        -- '' without a receipt
    party       text NOT NULL,
    location    text NOT NULL,
    amount      numeric(14,2) NOT NULL,
    reason      text NOT NULL,
    note        text NOT NULL,
    exchange    text NOT NULL,
    override    text NOT NULL,
    state       text NOT NULL,        -- pending | second_review | approved | inspecting | completed | rejected | cancelled | voided
    doc         text,
    approved_by text,
    approved_at timestamptz,
    fee         numeric(14,2),
    net         numeric(14,2),
    refund      text
);

CREATE TABLE IF NOT EXISTS return_items (
    return_id  text NOT NULL REFERENCES returns (id),
    item_no    integer NOT NULL,      -- 1, 2, ... within the return
    order_line integer NOT NULL,      -- the order's line, from 1
    sku        text NOT NULL,
    qty        bigint NOT NULL,
    batch      text NOT NULL,
    price      numeric(14,2) NOT NULL,
    amount     numeric(14,2) NOT NULL,
    PRIMARY KEY (return_id, item_no)
);

CREATE TABLE IF NOT EXISTS documents (
    doc            text PRIMARY KEY,  -- RT-20261201-0001
    return_id      text NOT NULL REFERENCES returns (id),
    seq            bigint NOT NULL,
    issued_at      timestamptz NOT NULL,
    approved_by    text NOT NULL,
    amount         numeric(14,2) NOT NULL,
    fee            numeric(14,2) NOT NULL,
    net            numeric(14,2) NOT NULL,
    credited       numeric(14,2) NOT NULL,
    refunded       numeric(14,2) NOT NULL,
    paid_in        numeric(14,2) NOT NULL,
    due            text NOT NULL,     -- '' unless an exchange
    exchange_order text NOT NULL,
    refund         text NOT NULL
);

CREATE TABLE IF NOT EXISTS ledger_entries (
    seq    bigint NOT NULL,
    n      integer NOT NULL,          -- 1, 2, ... within the sequence
    at     timestamptz NOT NULL,
    party  text NOT NULL REFERENCES parties (id),
    kind   text NOT NULL,             -- sale | purchase | payment | credit_note | debit_note | void (a VOID's: doc = the void document)
    doc    text NOT NULL,
    amount numeric(14,2) NOT NULL,    -- positive: the party owes more (BALANCE is the sum)
    PRIMARY KEY (seq, n)
);

CREATE TABLE IF NOT EXISTS stock_moves (
    seq        bigint NOT NULL,
    n          integer NOT NULL,
    at         timestamptz NOT NULL,
    sku        text NOT NULL,
    location   text NOT NULL,
    batch      text NOT NULL,
    on_hand    bigint NOT NULL,       -- the change in units (negative: out); STOCK is the sum
    quarantine bigint NOT NULL,
    doc        text NOT NULL,
    PRIMARY KEY (seq, n)
);
