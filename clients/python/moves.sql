-- Moving stock from ReturnLedger's change feed (export.py; the contract's sections 22.1 and
-- 22.2), beside goods.sql and read the same way (PostgreSQL; SQLite reads the same text). What
-- each step moved is in stock_moves and stock_move_states (doc: the transfer or the move), and
-- stock_slots sums them: these tables say why.

-- A transfer between locations, kept up to date through its steps. Between sites it is
-- in_transit until received (or cancelled); within one site it is received when sent.
--   lost / found  units short / over, line by line, at the receipt
--   value         (found - lost) at unit cost at the receipt (the SKU's cost, else its price)
CREATE TABLE IF NOT EXISTS transfers (
    transfer      text PRIMARY KEY,        -- the client's reference (a delivery note)
    seq           bigint NOT NULL,         -- the SEND's
    sent_at       timestamptz NOT NULL,
    sent_by       text NOT NULL,
    from_location text NOT NULL,
    to_location   text NOT NULL,
    state         text NOT NULL,           -- in_transit | received | cancelled
    qty           bigint NOT NULL,         -- units sent
    note          text NOT NULL,
    received_seq  bigint,                  -- the RECEIVE's (the SEND's within one site); NULL until received
    received_at   timestamptz,
    received_by   text,
    received      bigint,
    lost          bigint,
    found         bigint,
    value         numeric(14,2),
    received_note text,
    cancelled_seq bigint                   -- NULL unless cancelled
);

-- A transfer's lines: what was sent and, once received, what arrived.
CREATE TABLE IF NOT EXISTS transfer_lines (
    transfer text NOT NULL,
    line     integer NOT NULL,             -- 1, 2, ...
    sku      text NOT NULL,
    batch    text NOT NULL,
    qty      bigint NOT NULL,
    received bigint,                       -- NULL until received
    serials  text NOT NULL,
    PRIMARY KEY (transfer, line)
);

-- Each ADJUST and COUNT (numbered with DISPOSE: M000001, ...).
--   qty       ADJUST: units moved; COUNT: NULL
--   variance  COUNT: counted - before, summed; ADJUST: the signed change (in +, out -)
--   value     the change at unit cost (negative: written off)
CREATE TABLE IF NOT EXISTS stock_adjustments (
    move        text PRIMARY KEY,
    seq         bigint NOT NULL,
    at          timestamptz NOT NULL,
    kind        text NOT NULL,             -- adjust | count
    location    text NOT NULL,
    direction   text NOT NULL,             -- in | out (ADJUST), '' (COUNT)
    reason      text NOT NULL,             -- damage | theft | found | correction | other (ADJUST), '' (COUNT)
    qty         bigint,
    variance    bigint NOT NULL,
    value       numeric(14,2) NOT NULL,
    adjusted_by text NOT NULL,
    note        text NOT NULL,
    idem_key    text NOT NULL              -- the request's key=, '' when none
);

-- A COUNT's lines: what the books said, what was counted, and the difference at unit cost.
CREATE TABLE IF NOT EXISTS count_lines (
    move       text NOT NULL,
    n          integer NOT NULL,
    sku        text NOT NULL,
    batch      text NOT NULL,
    before_qty bigint NOT NULL,            -- what the books said; may be negative (sold beyond them)
    counted    bigint NOT NULL,
    variance   bigint NOT NULL,
    value      numeric(14,2) NOT NULL,
    PRIMARY KEY (move, n)
);

-- Return policy per product (the contract's section 22.4): categories, each SKU's own settings,
-- and what a supervisor's override waived. A setting not set is NULL (the feed's "").
CREATE TABLE IF NOT EXISTS categories (
    category    text PRIMARY KEY,
    name        text NOT NULL,
    return_days integer,                   -- NULL: the shop's window
    final_sale  text,                      -- yes | no | NULL
    fee         numeric(14,2),             -- a percentage; NULL: the reason's
    seq         bigint NOT NULL            -- the latest CATEGORY ADD or SET
);

-- A SKU's return rule as its latest SKU ADD or SET left it (what it does not set comes from its
-- category, then the shop).
CREATE TABLE IF NOT EXISTS sku_policies (
    sku         text PRIMARY KEY,
    category    text,                      -- NULL: none
    return_days integer,
    final_sale  text,
    fee         numeric(14,2),
    serial      text NOT NULL,             -- yes | no
    seq         bigint NOT NULL
);

-- One row per waiver of a return filed with override=yes: limit, final_sale or return_days.
CREATE TABLE IF NOT EXISTS return_waivers (
    return_id text NOT NULL,
    waived    text NOT NULL,
    PRIMARY KEY (return_id, waived)
);

-- The serial numbers (section 22.5) an order line or a return item names, a row each:
--   kind  order | return;  doc  the order or return id;  line  the order line, or the return's
--   item number (as return_items.item_no).
CREATE TABLE IF NOT EXISTS line_serials (
    kind   text NOT NULL,
    doc    text NOT NULL,
    line   integer NOT NULL,
    serial text NOT NULL,
    PRIMARY KEY (kind, doc, line, serial)
);
