-- Tax, discounts, voids and the document chain from ReturnLedger's change feed (export.py; the
-- contract's section 20), beside the tables of clients/sql/schema.sql and tills.sql and read the
-- same way (PostgreSQL; SQLite reads the same text). New facts go into tables of their own, so
-- that a target an older export.py filled takes them on its next run without a migration; rows
-- exported before have none here. A feed from a server before tax gives 0.00 tax and discount,
-- as the server itself reports for such orders and returns.

-- Every order line (sales, purchases, an exchange's sale X-R...), as FEED's order.line.
CREATE TABLE IF NOT EXISTS order_lines (
    order_id text NOT NULL,
    line     integer NOT NULL,        -- from 1, as RETURN's items name it
    seq      bigint NOT NULL,
    sku      text NOT NULL,
    qty      bigint NOT NULL,
    batch    text NOT NULL,
    price    numeric(14,2) NOT NULL,
    amount   numeric(14,2) NOT NULL,  -- what the line adds to the total: less its discount, plus tax added on top
    discount numeric(14,2) NOT NULL,  -- its share of the sale's discount
    tax_rate numeric(14,2) NOT NULL,  -- percent, as recorded at the sale
    tax      numeric(14,2) NOT NULL,  -- the tax in (or on) amount
    PRIMARY KEY (order_id, line)
);

-- An order's discount and tax (the sums of its lines'), one row per order of the orders table.
CREATE TABLE IF NOT EXISTS order_taxes (
    order_id text PRIMARY KEY,
    discount numeric(14,2) NOT NULL,
    tax      numeric(14,2) NOT NULL
);

-- An approval's tax: tax is the tax in the returned amount, fee_tax the part the restocking fee
-- keeps, net_tax = tax - fee_tax what the credit note gives back. hash: the document's place in
-- the chain (NULL from a server before the chain).
CREATE TABLE IF NOT EXISTS return_taxes (
    return_id text PRIMARY KEY,
    doc       text NOT NULL,
    tax       numeric(14,2) NOT NULL,
    fee_tax   numeric(14,2) NOT NULL,
    net_tax   numeric(14,2) NOT NULL,
    hash      text
);

-- Voids: an approval reversed by an adjusting document (VOID). The returns table shows the return
-- 'voided'; the void's money is in ledger_entries (kind 'void', doc = the void document) and
-- credit_moves ('voided'), its stock in stock_moves. The approval's row in documents stays (nothing
-- is deleted): leave it out of fees and refunds with `WHERE doc NOT IN (SELECT voids FROM voids)`,
-- as STATS does.
CREATE TABLE IF NOT EXISTS voids (
    doc       text PRIMARY KEY,       -- the void's document, RT-20261206-0002
    return_id text NOT NULL,
    voids     text NOT NULL,          -- the approval's document it reverses
    seq       bigint NOT NULL,
    at        timestamptz NOT NULL,
    voided_by text NOT NULL,
    reason    text NOT NULL,          -- the VOID's reason code
    note      text NOT NULL,
    owed      numeric(14,2),          -- above 0 the customer owes it, below 0 we do; NULL for a supplier return
    hash      text NOT NULL
);

-- The document chain: every document issued (approvals' and voids'), with the canonical fields of
-- FEED's doc.issued. hash = SHA-256 of prev, a line feed and the canonical text (VERIFY); the
-- first document's prev is 64 zeros, and each document's prev is the hash of the one before it.
CREATE TABLE IF NOT EXISTS doc_chain (
    doc            text PRIMARY KEY,
    seq            bigint NOT NULL,
    doc_type       text NOT NULL,     -- return | void
    voids          text NOT NULL,     -- a void's: the document it reverses; '' for a return's
    date           text NOT NULL,     -- the business date, YYYY-MM-DD
    issued_at      timestamptz NOT NULL,
    return_id      text NOT NULL,
    kind           text NOT NULL,     -- sale | purchase
    party          text NOT NULL,
    order_id       text NOT NULL,
    location       text NOT NULL,
    reason         text NOT NULL,
    filed_by       text NOT NULL,
    approved_by    text NOT NULL,
    amount         numeric(14,2) NOT NULL,
    tax            numeric(14,2) NOT NULL,
    fee            numeric(14,2) NOT NULL,
    fee_tax        numeric(14,2) NOT NULL,
    net            numeric(14,2) NOT NULL,
    net_tax        numeric(14,2) NOT NULL,
    refund         text NOT NULL,
    tender         text NOT NULL,
    exchange_order text NOT NULL,
    due            text NOT NULL,
    hash           text NOT NULL,
    prev           text NOT NULL
);

-- A document's items (part 'item') and an exchange's replacement goods (part 'exchange'), in the
-- document's order: with doc_chain, every canonical line, so the chain can be recomputed here.
CREATE TABLE IF NOT EXISTS doc_chain_items (
    doc      text NOT NULL,
    item_no  integer NOT NULL,        -- 1, 2, ... within the document
    part     text NOT NULL,           -- item | exchange
    sku      text NOT NULL,
    qty      bigint NOT NULL,
    batch    text NOT NULL,
    price    numeric(14,2) NOT NULL,
    amount   numeric(14,2) NOT NULL,
    tax_rate numeric(14,2) NOT NULL,
    tax      numeric(14,2) NOT NULL,
    PRIMARY KEY (doc, item_no)
);

-- Period closes (PERIOD CLOSE): each closed date's Z totals per location and tender, as the server
-- kept them at the close (never recomputed; a later VOID counts on its own date).
CREATE TABLE IF NOT EXISTS period_closes (
    through   date PRIMARY KEY,
    seq       bigint NOT NULL,
    at        timestamptz NOT NULL,
    closed_by text NOT NULL,
    note      text NOT NULL
);

CREATE TABLE IF NOT EXISTS z_totals (
    date           date NOT NULL,
    location       text NOT NULL,
    seq            bigint NOT NULL,       -- the close that kept them
    sales          bigint NOT NULL,
    sales_amount   numeric(14,2) NOT NULL,
    sales_tax      numeric(14,2) NOT NULL,
    discounts      numeric(14,2) NOT NULL,
    returns        bigint NOT NULL,
    refunds_amount numeric(14,2) NOT NULL,
    refunds_tax    numeric(14,2) NOT NULL,
    fees           numeric(14,2) NOT NULL,
    voids          bigint NOT NULL,
    voids_amount   numeric(14,2) NOT NULL,
    paid_in        numeric(14,2) NOT NULL,
    paid_out       numeric(14,2) NOT NULL,
    variance       numeric(14,2) NOT NULL,
    PRIMARY KEY (date, location)
);

CREATE TABLE IF NOT EXISTS z_tenders (
    date     date NOT NULL,
    location text NOT NULL,
    kind     text NOT NULL,               -- cash, card, credit, other, account
    taken    numeric(14,2) NOT NULL,
    refunded numeric(14,2) NOT NULL,
    PRIMARY KEY (date, location, kind)
);
