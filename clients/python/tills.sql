-- Tills, tenders and store credit from ReturnLedger's change feed (export.py), beside the tables
-- of clients/sql/schema.sql and read the same way (PostgreSQL; SQLite reads the same text).
-- Amounts are exact decimals, always positive: a row's kind or direction says which way the
-- money went. Times are UTC; a time the feed leaves empty is NULL.

-- Every tender that moved: how a sale was paid, how a return's net went back, how an exchange's
-- due was paid in.
--   direction 'sale':   the sale's tenders (doc = the order). An exchange's sale (X-R...) is paid
--                       by the parts of the return it absorbed plus the due's tenders, so its
--                       'sale' rows repeat the 'due' rows of its return: sum one or the other.
--   direction 'refund': the parts handed back by an approval (doc = the return document),
--                       'credit' ones as store credit.
--   direction 'due':    what the customer paid in on an exchange with a positive due.
CREATE TABLE IF NOT EXISTS tenders (
    seq       bigint NOT NULL,
    n         integer NOT NULL,       -- 1, 2, ... within the sequence
    at        timestamptz NOT NULL,
    direction text NOT NULL,          -- sale | refund | due
    doc       text NOT NULL,          -- the order (sale) or the return document (refund, due)
    return_id text NOT NULL,          -- '' for a sale
    kind      text NOT NULL,          -- cash | card | credit | other
    amount    numeric(14,2) NOT NULL,
    ref       text NOT NULL,          -- card token or voucher number, '' when none
    till      text NOT NULL,          -- '' when no till was named
    session   text NOT NULL,          -- the till session the money landed in, '' when none
    PRIMARY KEY (seq, n)
);

-- One row per till session, from opening to close. expected, counted and variance are NULL
-- while it is open (TILL SHOW gives the running expected figure).
CREATE TABLE IF NOT EXISTS till_sessions (
    session       text PRIMARY KEY,   -- T000001
    seq           bigint NOT NULL,    -- when it was opened
    till          text NOT NULL,
    location      text NOT NULL,
    state         text NOT NULL,      -- open | closed
    opening_float numeric(14,2) NOT NULL,
    opened_by     text NOT NULL,
    opened_at     timestamptz NOT NULL,
    open_note     text NOT NULL,
    paid_in       numeric(14,2) NOT NULL,   -- the sum of its pay-ins (till_moves)
    paid_out      numeric(14,2) NOT NULL,
    expected      numeric(14,2),
    counted       numeric(14,2),
    variance      numeric(14,2),      -- counted - expected: negative, the drawer was short
    closed_by     text,
    closed_at     timestamptz,
    close_note    text
);

-- Pay-ins and pay-outs: cash put into or taken out of a drawer by hand.
CREATE TABLE IF NOT EXISTS till_moves (
    seq      bigint NOT NULL,
    n        integer NOT NULL,
    at       timestamptz NOT NULL,
    session  text NOT NULL,
    till     text NOT NULL,
    kind     text NOT NULL,           -- payin | payout
    amount   numeric(14,2) NOT NULL,
    note     text NOT NULL,
    moved_by text NOT NULL,
    PRIMARY KEY (seq, n)
);

-- A return's till facts: where it was taken and when (an offline return's taken_at is before the
-- returns table's filed_at), and how its approval paid out.
CREATE TABLE IF NOT EXISTS return_tills (
    return_id       text PRIMARY KEY,
    till            text NOT NULL,    -- the till named at filing, '' when none
    taken_at        timestamptz,
    session         text,             -- the session the approval's tenders moved through
    refund_parts    text,             -- as on the wire: card:13.12#4242,cash:8.75
    due_tender      text,             -- an exchange's positive due, as paid
    tender_override text              -- yes: a part was charged past the tender policy
);

-- Store credit lots: each credit part given to a customer, named after its document. remaining
-- follows credit_moves; a lot kept from before tills existed has no 'issued' line and shows in
-- credit_moves only. A lot past its expiry stays 'active' here until a period close writes it off
-- ('expired'): CREDIT party tells the state at this moment.
CREATE TABLE IF NOT EXISTS credit_lots (
    party     text NOT NULL,
    lot       text NOT NULL,          -- the document that made it
    seq       bigint NOT NULL,
    issued_at timestamptz NOT NULL,
    amount    numeric(14,2) NOT NULL,
    remaining numeric(14,2) NOT NULL,
    expires   timestamptz,            -- NULL: never
    state     text NOT NULL,          -- active | spent | expired | voided
    PRIMARY KEY (party, lot)
);

CREATE TABLE IF NOT EXISTS credit_moves (
    seq    bigint NOT NULL,
    n      integer NOT NULL,
    at     timestamptz NOT NULL,
    party  text NOT NULL,
    lot    text NOT NULL,
    kind   text NOT NULL,             -- issued | used | expired | voided
    amount numeric(14,2) NOT NULL,    -- always positive; all but 'issued' take it off the lot
    doc    text NOT NULL,             -- used: the sale, payment or document drawing it; voided: the void
    PRIMARY KEY (seq, n)
);

-- Policy keys set (credit_days, offline_hours, cross_store, ...), oldest first.
CREATE TABLE IF NOT EXISTS policy_settings (
    seq    bigint NOT NULL,
    n      integer NOT NULL,
    at     timestamptz NOT NULL,
    set_by text NOT NULL,
    name   text NOT NULL,
    value  text NOT NULL,
    PRIMARY KEY (seq, n)
);
