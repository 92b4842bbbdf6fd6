#!/usr/bin/env python3
"""Export ReturnLedger's change feed (FEED) for head office: returns, their items, return
documents, ledger entries and stock moves (with the parties and orders they refer to), into
CSV files, an SQLite file or a PostgreSQL database; and with tills, the tenders that moved,
till sessions with their pay-ins, pay-outs and variances, and store credit lots; and with tax and
voids (section 20), order lines with their discount and tax, approvals' tax, voids, and the
document chain (every document with its hash and the hash it chains from, and its items); and
with goods after the return (section 21), what became of returned units (each INSPECT and DISPOSE
decision), every slot's units in every state (on hand, quarantine, held for the supplier or for
repair, in transit), supplier returns' RMA numbers and expected credits, and the credit notes
suppliers sent against them; and with moving stock (section 22), transfers between locations
with their lines and what arrived, each adjustment and count with a count's lines, categories and
each SKU's own return rule, what a supervisor's override waived on a return, and the serial
numbers each order line and return item names.

  python3 export.py --to sqlite:returns.db                  # everything so far, then stop
  python3 export.py --to csv:export/                         # one CSV per table, UTF-8
  python3 export.py --to postgresql://user:pw@host/db --follow   # and keep going, live

Incremental: the target remembers the last log sequence it holds and the server's epoch, and a
rerun starts after it. Each FEED page goes in as one transaction together with that sequence,
so an export stopped at any point (kill -9 included) resumes without losing or repeating a row.
It asks `FEED from=SEQ epoch=E` with the epoch it holds: a server whose history continues the
target's (a standby promoted at or after SEQ: README, "Failing over") answers, and the export
carries on into the new epoch, which the target then holds; a server whose history forked
before SEQ, or another history altogether (a restored backup, another shop), is refused, exit
3: export into a new target.

Several servers (a primary and its standbys): `--server HOST:PORT` as often as needed, or one
comma-separated list; a server that cannot be reached (or drops the connection) is left for the
next one, in order. A standby serves FEED from its own copy of the log, so any of them will do.
With --follow the export goes round the list until one answers (1 s between rounds, doubling up
to 30 s). The CSV target keeps its rows in `DIR/.export.sqlite` and writes the CSV
files from it after each run (each through a temporary name), with a BOM so that spreadsheets
read the UTF-8 (Chinese names intact).

Same connection flags and environment as the other tools (--host --port --user --password,
RETURNLEDGER_*). The user needs FEED: an auditor or an admin. PostgreSQL needs psycopg 3
(`python3 -m pip install "psycopg[binary]"`); the rest is the standard library. The schema is
clients/sql/schema.sql, for tills, tenders and credit clients/python/tills.sql, for tax,
voids and the document chain clients/python/documents.sql, for dispositions, held stock and
vendor credits clients/python/goods.sql, and for transfers, adjustments, counts and return
policies clients/python/moves.sql.
"""
import argparse
import csv
import datetime
import decimal
import faulthandler
import hashlib
import os
import signal
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from returnledger import Client, ConnectionLost, ReturnLedgerError, add_connection_arguments, connection_options, tls_options  # noqa: E402
from returnledger.client import parse_tenders, quote  # noqa: E402

SCHEMA = os.path.join(os.path.dirname(HERE), "sql", "schema.sql")
TILLS_SCHEMA = os.path.join(HERE, "tills.sql")
DOCUMENTS_SCHEMA = os.path.join(HERE, "documents.sql")
GOODS_SCHEMA = os.path.join(HERE, "goods.sql")
MOVES_SCHEMA = os.path.join(HERE, "moves.sql")
TABLES = ["parties", "orders", "returns", "return_items", "documents", "ledger_entries", "stock_moves",
          "tenders", "till_sessions", "till_moves", "return_tills", "credit_lots", "credit_moves", "policy_settings",
          "order_lines", "order_taxes", "return_taxes", "voids", "doc_chain", "doc_chain_items", "period_closes",
          "z_totals", "z_tenders", "dispositions", "inspections", "disposals", "stock_move_states", "stock_slots",
          "supplier_returns", "vendor_credits", "transfers", "transfer_lines", "stock_adjustments", "count_lines",
          "categories", "sku_policies", "return_waivers", "line_serials"]


class EpochChanged(Exception):
    pass


class Target:
    """A DB-API connection with the schema, `?` placeholders whatever the driver's style."""

    def __init__(self, connection, placeholder, sqlite=False):
        self.db = connection
        self.placeholder = placeholder
        cur = self.db.cursor()
        for path in (SCHEMA, TILLS_SCHEMA, DOCUMENTS_SCHEMA, GOODS_SCHEMA, MOVES_SCHEMA):
            with open(path, encoding="utf-8") as f:
                text = "\n".join(line.split("--")[0] for line in f.read().split("\n"))  # no comments: they hold ';'
            if sqlite:
                # SQLite has no exact decimals: amounts stay the text the server sent ("25.00"), which
                # SUM() reads as numbers; round sums to two places.
                text = text.replace("numeric(14,2)", "text")
            for statement in text.split(";"):
                if statement.strip():
                    cur.execute(statement)
        if not self.execute("SELECT 1 FROM stock_slots").fetchone():
            # A target filled before stock_slots: its slots from the moves it holds (the held
            # states were not kept then: 0).
            self.execute("INSERT INTO stock_slots (location, sku, batch, on_hand, quarantine, rtv, refurbish, transit)"
                         " SELECT location, sku, batch, SUM(on_hand), SUM(quarantine), 0, 0, 0 FROM stock_moves"
                         " GROUP BY location, sku, batch")
        self.db.commit()

    def execute(self, sql, params=()):
        cur = self.db.cursor()
        cur.execute(sql if self.placeholder == "?" else sql.replace("?", self.placeholder), params)
        return cur

    def state(self):
        row = self.execute("SELECT epoch, last_seq FROM export_state WHERE id = 1").fetchone()
        return (row[0], int(row[1])) if row else (None, 0)

    def page(self, lines, next_seq, epoch, known_epoch):
        """One FEED page and the sequence it reached, in one transaction; `epoch` is the server's
        (a new one when its history continues the target's: a promoted standby)."""
        counter = {}
        for f in lines:
            apply_line(self, f, counter)
        if known_epoch is None:
            self.execute("INSERT INTO export_state (id, epoch, last_seq) VALUES (1, ?, ?)", (epoch, next_seq))
        else:
            self.execute("UPDATE export_state SET epoch = ?, last_seq = ? WHERE id = 1", (epoch, next_seq))
        self.db.commit()

    def close(self):
        self.db.close()


def apply_line(t, f, counter):
    """One feed line into the tables. `counter` numbers the movements within a sequence."""
    kind, seq, at = f["type"], int(f["seq"]), f["at"]
    if kind == "party.added":
        # PARTY SET sends the same change: the latest name wins.
        t.execute("INSERT INTO parties (id, kind, name) VALUES (?, ?, ?)"
                  " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name", (f["id"], f["kind"], f["name"]))
    elif kind in ("sale.recorded", "purchase.recorded"):
        t.execute("INSERT INTO orders (id, seq, kind, location, party, total, paid, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  (f["order"], seq, kind.split(".")[0], f["location"], f["party"], f["total"], f["paid"], f["rec_at"]))
        add_tenders(t, f, counter, "sale", f.get("tender"), doc=f["order"], till=f.get("till", ""),
                    session=f.get("session", ""))
        t.execute("INSERT INTO order_taxes (order_id, discount, tax) VALUES (?, ?, ?)",
                  (f["order"], f.get("discount", ZERO), f.get("tax", ZERO)))
    elif kind == "order.line":
        t.execute("INSERT INTO order_lines (order_id, line, seq, sku, qty, batch, price, amount, discount, tax_rate, tax)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (f["order"], int(f["line"]), seq, f["sku"], int(f["qty"]), f["batch"], f["price"], f["amount"],
                   f.get("discount", ZERO), f.get("tax_rate", ZERO), f.get("tax", ZERO)))
        line_serials(t, "order", f["order"], int(f["line"]), f.get("serials", ""))
    elif kind == "return.filed":
        t.execute("INSERT INTO returns (id, seq, filed_at, filed_by, kind, order_id, party, location, amount, reason, note,"
                  " exchange, override, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                  (f["id"], seq, at, f["filed_by"], f["kind"], f["order"], f["party"], f["location"], f["amount"],
                   f["reason"], f["note"], f["exchange"], f["override"]))
        if "taken_at" in f:  # a server with tills: where and when the return was taken
            t.execute("INSERT INTO return_tills (return_id, till, taken_at) VALUES (?, ?, ?)",
                      (f["id"], f.get("till", ""), f["taken_at"] or None))
        if f["kind"] == "purchase" and "expected" in f:  # a server with section 21
            supplier_return_filed(t, f)
        for waived in filter(None, f.get("overridden", "").split(",")):  # a server with section 22
            t.execute("INSERT INTO return_waivers (return_id, waived) VALUES (?, ?)", (f["id"], waived))
    elif kind == "return.item":
        # A return's items come in its own sequence, which a page never splits.
        n = counter[("item", f["id"])] = counter.get(("item", f["id"]), 0) + 1
        t.execute("INSERT INTO return_items (return_id, item_no, order_line, sku, qty, batch, price, amount)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  (f["id"], n, int(f["line"]), f["sku"], int(f["qty"]), f["batch"], f["price"], f["amount"]))
        line_serials(t, "return", f["id"], n, f.get("serials", ""))
    elif kind == "return.first_approved":
        t.execute("UPDATE returns SET state = 'second_review' WHERE id = ?", (f["id"],))
    elif kind == "return.approved":
        t.execute("UPDATE returns SET state = ?, doc = ?, approved_by = ?, approved_at = ?, fee = ?, net = ?, refund = ?"
                  " WHERE id = ?", (f["state"], f["doc"], f["by"], at, f["fee"], f["net"], f["refund"], f["id"]))
        t.execute("INSERT INTO documents (doc, return_id, seq, issued_at, approved_by, amount, fee, net, credited, refunded,"
                  " paid_in, due, exchange_order, refund) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (f["doc"], f["id"], seq, at, f["by"], f["amount"], f["fee"], f["net"], f["credited"], f["refunded"],
                   f["paid_in"], f["due"], f["exchange_order"], f["refund"]))
        if "refund_parts" in f:
            approval_tenders(t, f, counter)
        t.execute("INSERT INTO return_taxes (return_id, doc, tax, fee_tax, net_tax, hash) VALUES (?, ?, ?, ?, ?, ?)",
                  (f["id"], f["doc"], f.get("tax", ZERO), f.get("fee_tax", ZERO), f.get("net_tax", ZERO),
                   f.get("hash") or None))
        if "rma" in f:
            supplier_return_approved(t, f)
    elif kind == "return.voided":
        t.execute("UPDATE returns SET state = 'voided' WHERE id = ?", (f["id"],))
        t.execute("INSERT INTO voids (doc, return_id, voids, seq, at, voided_by, reason, note, owed, hash)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (f["doc"], f["id"], f["voids"], seq, at, f["by"], f["reason"], f.get("note", ""),
                   f.get("owed") or None, f["hash"]))
    elif kind == "doc.issued":
        t.execute("INSERT INTO doc_chain (doc, seq, doc_type, voids, date, issued_at, return_id, kind, party, order_id,"
                  " location, reason, filed_by, approved_by, amount, tax, fee, fee_tax, net, net_tax, refund, tender,"
                  " exchange_order, due, hash, prev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                  " ?, ?, ?, ?, ?, ?)",
                  (f["doc"], seq, f.get("doc_type", "return"), f.get("voids", ""), f["date"], f["issued_at"], f["return"],
                   f["kind"], f["party"], f["order"], f["location"], f["reason"], f["filed_by"], f["approved_by"],
                   f["amount"], f.get("tax", ZERO), f["fee"], f.get("fee_tax", ZERO), f["net"], f.get("net_tax", ZERO),
                   f.get("refund", ""), f.get("tender", ""), f.get("exchange_order", ""), f.get("due", ""), f["hash"],
                   f["prev"]))
    elif kind == "doc.item":
        # A document's items come in the sequence that issued it, which a page never splits.
        t.execute("INSERT INTO doc_chain_items (doc, item_no, part, sku, qty, batch, price, amount, tax_rate, tax)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (f["doc"], next_n(counter, "doc_chain_items", f["doc"]), f.get("part", "item"), f["sku"],
                   int(f["qty"]), f["batch"], f["price"], f["amount"], f.get("tax_rate", ZERO), f.get("tax", ZERO)))
    elif kind == "period.closed":
        t.execute("INSERT INTO period_closes (through, seq, at, closed_by, note) VALUES (?, ?, ?, ?, ?)",
                  (f["through"], seq, at, f["by"], f.get("note", "")))
    elif kind == "period.z":
        t.execute("INSERT INTO z_totals (date, location, seq, sales, sales_amount, sales_tax, discounts, returns,"
                  " refunds_amount, refunds_tax, fees, voids, voids_amount, paid_in, paid_out, variance)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (f["date"], f["location"], seq, int(f["sales"]), f["sales_amount"], f["sales_tax"], f["discounts"],
                   int(f["returns"]), f["refunds_amount"], f["refunds_tax"], f["fees"], int(f["voids"]), f["voids_amount"],
                   f["paid_in"], f["paid_out"], f["variance"]))
    elif kind == "period.tender":
        t.execute("INSERT INTO z_tenders (date, location, kind, taken, refunded) VALUES (?, ?, ?, ?, ?)",
                  (f["date"], f["location"], f["kind"], f["taken"], f["refunded"]))
    elif kind in ("return.rejected", "return.cancelled"):
        t.execute("UPDATE returns SET state = ? WHERE id = ?", (kind.split(".")[1], f["id"]))
    elif kind in GOODS_LINES:
        GOODS_LINES[kind](t, f, counter)
    elif kind in MOVES_LINES:
        MOVES_LINES[kind](t, f, counter)
    elif kind == "ledger.entry":
        n = counter[("move", seq)] = counter.get(("move", seq), 0) + 1
        t.execute("INSERT INTO ledger_entries (seq, n, at, party, kind, doc, amount) VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (seq, n, at, f["party"], f["kind"], f["doc"], f["amount"]))
    elif kind == "stock.moved":
        n = counter[("move", seq)] = counter.get(("move", seq), 0) + 1
        t.execute("INSERT INTO stock_moves (seq, n, at, sku, location, batch, on_hand, quarantine, doc)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (seq, n, at, f["sku"], f["location"], f["batch"], int(f["on_hand"]), int(f["quarantine"]), f["doc"]))
        stock_states(t, f, n)
    elif kind in TILL_LINES:
        TILL_LINES[kind](t, f, counter)
    elif kind in CREDIT_LINES:
        credit_line(t, f, counter)
    elif kind == "policy.set":
        n = counter[("policy", seq)] = counter.get(("policy", seq), 0) + 1
        t.execute("INSERT INTO policy_settings (seq, n, at, set_by, name, value) VALUES (?, ?, ?, ?, ?, ?)",
                  (seq, n, at, f["user"], f["name"], f["value"]))
    # Users, the catalogue, reasons, rules and the older policy lines are in the feed too; head
    # office gets them from the server's own lists, and these tables leave them out. So is any
    # type a newer server adds: skipped, not an error, so an older export.py keeps running.


# Tax and discount of an order or a return from a server before tax (section 20): none.
ZERO = "0.00"


# -- goods after the return (clients/python/goods.sql) ---------------------------------------

HELD = ("rtv", "refurbish", "transit")


def stock_states(t, f, n):
    """A stock move's held states (a server with section 21), and the slot's totals of every state."""
    held = [int(f.get(state) or 0) for state in HELD]
    if "rtv" in f:
        t.execute("INSERT INTO stock_move_states (seq, n, rtv, refurbish, transit, serials) VALUES (?, ?, ?, ?, ?, ?)",
                  (int(f["seq"]), n, held[0], held[1], held[2], f.get("serials", "")))
    t.execute("INSERT INTO stock_slots (location, sku, batch, on_hand, quarantine, rtv, refurbish, transit)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (location, sku, batch) DO UPDATE SET"
              " on_hand = stock_slots.on_hand + excluded.on_hand, quarantine = stock_slots.quarantine + excluded.quarantine,"
              " rtv = stock_slots.rtv + excluded.rtv, refurbish = stock_slots.refurbish + excluded.refurbish,"
              " transit = stock_slots.transit + excluded.transit",
              (f["location"], f["sku"], f["batch"], int(f["on_hand"]), int(f["quarantine"])) + tuple(held))


def supplier_return_filed(t, f):
    t.execute("INSERT INTO supplier_returns (return_id, seq, supplier, location, order_id, rma, filed_rma, source,"
              " expected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (f["id"], int(f["seq"]), f["party"], f["location"], f["order"], f.get("rma", ""), f.get("rma", ""),
               f.get("source") or "on_hand", f.get("expected") or f["amount"]))


def supplier_return_approved(t, f):
    """The approval that completes a supplier return: the RMA it carries (set, replaced, or the
    filed one) is the return's."""
    if f["rma"]:
        t.execute("UPDATE supplier_returns SET approved_rma = ?, rma = ? WHERE return_id = ?", (f["rma"], f["rma"], f["id"]))
    else:
        t.execute("UPDATE supplier_returns SET approved_rma = '' WHERE return_id = ?", (f["id"],))


def inspected(t, f, counter):
    """An INSPECT: the return stays inspecting while units are left (an older server's INSPECT
    decided them all). Its disposition lines follow in the same sequence."""
    left = f.get("left")
    t.execute("UPDATE returns SET state = ? WHERE id = ?", ("inspecting" if left not in (None, "", "0") else "completed", f["id"]))
    t.execute("INSERT INTO inspections (seq, at, return_id, inspected_by, disposition, left_qty, value, note)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              (int(f["seq"]), f["at"], f["id"], f.get("by") or f["user"], f.get("disposition", ""),
               None if left in (None, "") else int(left), f.get("value") or None, f.get("note", "")))
    row = t.execute("SELECT location FROM returns WHERE id = ?", (f["id"],)).fetchone()
    counter[("decided", int(f["seq"]))] = ("inspect", row[0] if row else "", "quarantine")


def disposed(t, f, counter):
    """A DISPOSE of held goods: its row; its disposition lines follow in the same sequence."""
    t.execute("INSERT INTO disposals (move, seq, at, location, from_state, disposition, qty, value, disposed_by, note,"
              " idem_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (f["move"], int(f["seq"]), f["at"], f["location"], f["from"], f["disposition"], int(f["qty"]), f["value"],
               f["user"], f.get("note", ""), f.get("key", "")))
    counter[("decided", int(f["seq"]))] = ("dispose", f["location"], f["from"])


def disposition_line(t, f, counter):
    """One decision, under the INSPECT or DISPOSE line before it (a page never splits a sequence)."""
    seq = int(f["seq"])
    source, location, from_state = counter.get(("decided", seq), ("inspect" if f["id"].startswith("R") else "dispose", "", ""))
    t.execute("INSERT INTO dispositions (seq, n, at, source, id, location, from_state, sku, batch, qty, disposition,"
              " to_sku, serials, value, decided_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (seq, next_n(counter, "dispositions", seq), f["at"], source, f["id"], location, from_state, f["sku"],
               f["batch"], int(f["qty"]), f["disposition"], f.get("to_sku", ""), f.get("serials", ""), f["value"],
               f["user"]))


def vendor_credited(t, f, counter):
    """A supplier's credit note; its credit_difference entry comes as a ledger.entry line."""
    t.execute("INSERT INTO vendor_credits (return_id, seq, at, credited_by, expected, received, difference, ref, note)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (f["id"], int(f["seq"]), f["at"], f["user"], f["expected"], f["received"], f["difference"], f["ref"],
               f.get("note", "")))


GOODS_LINES = {"return.inspected": inspected, "stock.disposed": disposed, "disposition.line": disposition_line,
               "return.vendor_credited": vendor_credited}


# -- moving stock (clients/python/moves.sql) -------------------------------------------------

def transfer_sent(t, f, counter):
    """A transfer as sent; within one site it is received at once (state=received, as sent)."""
    received = f["state"] == "received"
    t.execute("INSERT INTO transfers (transfer, seq, sent_at, sent_by, from_location, to_location, state, qty, note,"
              " received_seq, received_at, received_by, received, lost, found, value, received_note)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (f["transfer"], int(f["seq"]), f["at"], f["user"], f["from"], f["to"], f["state"], int(f["qty"]),
               f.get("note", ""), int(f["seq"]) if received else None, f["at"] if received else None, f["user"] if received else None,
               int(f["qty"]) if received else None, 0 if received else None, 0 if received else None,
               ZERO if received else None, "" if received else None))
    counter[("sent", f["transfer"])] = received


def transfer_line(t, f, counter):
    """A line of a transfer just sent (received as sent when it went within one site)."""
    received = counter.get(("sent", f["transfer"]), False)
    t.execute("INSERT INTO transfer_lines (transfer, line, sku, batch, qty, received, serials) VALUES (?, ?, ?, ?, ?, ?, ?)",
              (f["transfer"], int(f["line"]), f["sku"], f["batch"], int(f["qty"]), int(f["qty"]) if received else None,
               f.get("serials", "")))


def transfer_received(t, f, counter):
    t.execute("UPDATE transfers SET state = 'received', received_seq = ?, received_at = ?, received_by = ?, received = ?,"
              " lost = ?, found = ?, value = ?, received_note = ? WHERE transfer = ?",
              (int(f["seq"]), f["at"], f["user"], int(f["received"]), int(f["lost"]), int(f["found"]), f["value"],
               f.get("note", ""), f["transfer"]))


def transfer_receipt(t, f, counter):
    t.execute("UPDATE transfer_lines SET received = ?, serials = ? WHERE transfer = ? AND line = ?",
              (int(f["received"]), f.get("serials", ""), f["transfer"], int(f["line"])))


def transfer_cancelled(t, f, counter):
    t.execute("UPDATE transfers SET state = 'cancelled', cancelled_seq = ? WHERE transfer = ?", (int(f["seq"]), f["transfer"]))


def stock_adjusted(t, f, counter, kind="adjust"):
    """An ADJUST (its stock.moved lines follow) or a COUNT (its count.line lines first)."""
    adjust = kind == "adjust"
    qty = int(f["qty"]) if adjust else None
    variance = (qty if f["direction"] == "in" else -qty) if adjust else int(f["variance"])
    t.execute("INSERT INTO stock_adjustments (move, seq, at, kind, location, direction, reason, qty, variance, value,"
              " adjusted_by, note, idem_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (f["move"], int(f["seq"]), f["at"], kind, f["location"], f.get("direction", ""), f.get("reason", ""), qty,
               variance, f["value"], f["user"], f.get("note", ""), f.get("key", "")))


def count_line(t, f, counter):
    t.execute("INSERT INTO count_lines (move, n, sku, batch, before_qty, counted, variance, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              (f["move"], next_n(counter, "count_lines", f["move"]), f["sku"], f["batch"], int(f["before"]),
               int(f["counted"]), int(f["variance"]), f["value"]))


def category_added(t, f, counter):
    """CATEGORY ADD or SET: the whole category again, the latest wins."""
    t.execute("INSERT INTO categories (category, name, return_days, final_sale, fee, seq) VALUES (?, ?, ?, ?, ?, ?)"
              " ON CONFLICT (category) DO UPDATE SET name = excluded.name, return_days = excluded.return_days,"
              " final_sale = excluded.final_sale, fee = excluded.fee, seq = excluded.seq",
              (f["category"], f["name"], unset_int(f["return_days"]), f["final_sale"] or None, f["fee"] or None, int(f["seq"])))


def sku_policy(t, f, counter):
    """SKU ADD or SET from a server with section 22: the SKU's own return rule, the latest wins."""
    if "serial" not in f:
        return
    t.execute("INSERT INTO sku_policies (sku, category, return_days, final_sale, fee, serial, seq) VALUES (?, ?, ?, ?, ?, ?, ?)"
              " ON CONFLICT (sku) DO UPDATE SET category = excluded.category, return_days = excluded.return_days,"
              " final_sale = excluded.final_sale, fee = excluded.fee, serial = excluded.serial, seq = excluded.seq",
              (f["sku"], f["category"] or None, unset_int(f["return_days"]), f["final_sale"] or None, f["fee"] or None,
               f["serial"], int(f["seq"])))


def line_serials(t, kind, doc, line, serials):
    """The serial numbers an order line or a return item names (a server with section 22), a row each."""
    for serial in filter(None, serials.split(",")):
        t.execute("INSERT INTO line_serials (kind, doc, line, serial) VALUES (?, ?, ?, ?)", (kind, doc, line, serial))


def unset_int(text):
    return int(text) if text else None


MOVES_LINES = {"transfer.sent": transfer_sent, "transfer.line": transfer_line, "transfer.received": transfer_received,
               "transfer.receipt": transfer_receipt, "transfer.cancelled": transfer_cancelled,
               "stock.adjusted": stock_adjusted, "stock.counted": lambda t, f, c: stock_adjusted(t, f, c, kind="count"),
               "count.line": count_line, "category.added": category_added, "sku.added": sku_policy}


# -- tills, tenders and store credit (clients/python/tills.sql) ------------------------------

def money(value):
    """A stored amount as an exact Decimal: SQLite hands back the text, PostgreSQL a Decimal."""
    return decimal.Decimal(str(value))


def money_text(value):
    return str(value.quantize(decimal.Decimal("0.01")))


def next_n(counter, table, seq):
    """The next row number of a table within one sequence (a page never splits a sequence)."""
    n = counter[(table, seq)] = counter.get((table, seq), 0) + 1
    return n


def add_tenders(t, f, counter, direction, text, doc, till, session, return_id=""):
    """One `tenders` row per tender of a `KIND:AMOUNT[#REF],...` list; none for "" or absent."""
    seq = int(f["seq"])
    for tender in parse_tenders(text or ""):
        t.execute("INSERT INTO tenders (seq, n, at, direction, doc, return_id, kind, amount, ref, till, session)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (seq, next_n(counter, "tenders", seq), f["at"], direction, doc, return_id, tender.kind, tender.amount,
                   tender.ref, till, session))


def approval_tenders(t, f, counter):
    """A completing approval's parts handed back and due paid in, and its till facts on the return."""
    session = f.get("session", "")
    row = t.execute("SELECT till FROM till_sessions WHERE session = ?", (session,)).fetchone() if session else None
    till = row[0] if row else ""
    add_tenders(t, f, counter, "refund", f["refund_parts"], doc=f["doc"], till=till, session=session, return_id=f["id"])
    add_tenders(t, f, counter, "due", f.get("tender"), doc=f["doc"], till=till, session=session, return_id=f["id"])
    values = (session, f["refund_parts"], f.get("tender", ""), f.get("tender_override", "no"))
    if t.execute("SELECT 1 FROM return_tills WHERE return_id = ?", (f["id"],)).fetchone():
        t.execute("UPDATE return_tills SET session = ?, refund_parts = ?, due_tender = ?, tender_override = ?"
                  " WHERE return_id = ?", values + (f["id"],))
    else:  # filed before the server had tills
        t.execute("INSERT INTO return_tills (return_id, till, session, refund_parts, due_tender, tender_override)"
                  " VALUES (?, '', ?, ?, ?, ?)", (f["id"],) + values)


def till_opened(t, f, counter):
    t.execute("INSERT INTO till_sessions (session, seq, till, location, state, opening_float, opened_by, opened_at,"
              " open_note, paid_in, paid_out) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, '0.00', '0.00')",
              (f["session"], int(f["seq"]), f["till"], f["location"], f["float"], f["user"], f["at"], f.get("note", "")))


def till_moved(t, f, counter):
    """A pay-in or pay-out: its row, and the session's running sum of that kind."""
    seq = int(f["seq"])
    t.execute("INSERT INTO till_moves (seq, n, at, session, till, kind, amount, note, moved_by)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (seq, next_n(counter, "till_moves", seq), f["at"], f["session"], f["till"], f["kind"], f["amount"],
               f.get("note", ""), f["user"]))
    column = {"payin": "paid_in", "payout": "paid_out"}.get(f["kind"])
    row = t.execute("SELECT %s FROM till_sessions WHERE session = ?" % column, (f["session"],)).fetchone() if column else None
    if row:
        t.execute("UPDATE till_sessions SET %s = ? WHERE session = ?" % column,
                  (money_text(money(row[0]) + money(f["amount"])), f["session"]))


def till_closed(t, f, counter):
    t.execute("UPDATE till_sessions SET state = 'closed', expected = ?, counted = ?, variance = ?, closed_by = ?,"
              " closed_at = ?, close_note = ? WHERE session = ?",
              (f["expected"], f["counted"], f["variance"], f["user"], f["at"], f.get("note", ""), f["session"]))


TILL_LINES = {"till.opened": till_opened, "till.moved": till_moved, "till.closed": till_closed}
CREDIT_LINES = {"credit.issued": "issued", "credit.used": "used", "credit.expired": "expired", "credit.voided": "voided"}


def credit_line(t, f, counter):
    """A lot issued, drawn, written off or voided: a `credit_moves` row, and the lot's remaining
    and state. A write-off leaves the lot at 0.00 even when it wrote off less (the account owed
    the customer less than the lot held), as CREDIT shows it."""
    seq, kind = int(f["seq"]), CREDIT_LINES[f["type"]]
    t.execute("INSERT INTO credit_moves (seq, n, at, party, lot, kind, amount, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              (seq, next_n(counter, "credit_moves", seq), f["at"], f["party"], f["lot"], kind, f["amount"],
               f.get("doc", f["lot"] if kind == "issued" else "")))
    if kind == "issued":
        t.execute("INSERT INTO credit_lots (party, lot, seq, issued_at, amount, remaining, expires, state)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, 'active')",
                  (f["party"], f["lot"], seq, f["at"], f["amount"], f["amount"], f.get("expires") or None))
        return
    row = t.execute("SELECT remaining FROM credit_lots WHERE party = ? AND lot = ?", (f["party"], f["lot"])).fetchone()
    if row is None:  # a lot kept from before tills: no issued line, its moves only
        return
    remaining = decimal.Decimal(0) if kind == "expired" else max(money(row[0]) - money(f["amount"]), decimal.Decimal(0))
    state = {"used": "spent" if remaining == 0 else "active", "expired": "expired", "voided": "voided"}[kind]
    t.execute("UPDATE credit_lots SET remaining = ?, state = ? WHERE party = ? AND lot = ?",
              (money_text(remaining), state, f["party"], f["lot"]))


# -- the document chain (clients/python/documents.sql) ---------------------------------------

# The canonical text's fields, in order (protocol.md, VERIFY), and the doc_chain columns they are.
CANONICAL_HEAD = ("doc", "doc_type", "voids", "date", "issued_at", "return", "kind", "party", "order", "location",
                  "reason", "filed_by", "approved_by", "amount", "tax", "fee", "fee_tax", "net", "net_tax", "refund",
                  "tender", "exchange_order", "due")
CANONICAL_ITEM = ("part", "sku", "qty", "batch", "price", "amount", "tax_rate", "tax")
COLUMN = {"return": "return_id", "order": "order_id"}
ZERO_HASH = "0" * 64


def wire(value):
    """A stored value as the wire wrote it: PostgreSQL hands back Decimals, ints and datetimes."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, decimal.Decimal):
        return money_text(value)
    return str(value)


def document_hash(prev, document, items):
    """A document's hash recomputed from its fields (dicts keyed by the canonical names): the
    SHA-256 of the previous hash, a line feed, and the canonical text, one line each ending in a
    line feed: the document's, then its items'."""
    lines = [" ".join("%s=%s" % (k, quote(wire(document[k]))) for k in CANONICAL_HEAD)]
    lines += [" ".join("%s=%s" % (k, quote(wire(item[k]))) for k in CANONICAL_ITEM) for item in items]
    return hashlib.sha256((prev + "\n" + "".join(l + "\n" for l in lines)).encode("utf-8")).hexdigest()


def verify_chain(target):
    """Recomputes the exported chain, oldest first: [(doc, problem)] for every document whose hash
    is not what its fields give, or whose prev is not the hash of the document before it (the
    first exported one may start anywhere: an export from a later FEED position). [] when it holds."""
    head = ", ".join(COLUMN.get(k, k) for k in CANONICAL_HEAD)
    rows = target.execute("SELECT %s, hash, prev FROM doc_chain ORDER BY seq, doc" % head).fetchall()
    problems, before = [], None
    for row in rows:
        document = dict(zip(CANONICAL_HEAD, row))
        stored, prev = row[-2], row[-1]
        items = [dict(zip(CANONICAL_ITEM, r)) for r in target.execute(
            "SELECT %s FROM doc_chain_items WHERE doc = ? ORDER BY item_no" % ", ".join(CANONICAL_ITEM),
            (document["doc"],)).fetchall()]
        if before is not None and prev != before:
            problems.append((document["doc"], "prev %s is not the hash of the document before it, %s" % (prev, before)))
        if document_hash(prev, document, items) != stored:
            problems.append((document["doc"], "hash %s is not what its fields give" % stored))
        before = stored
    return problems


def open_target(spec):
    if spec.startswith("sqlite:"):
        return Target(sqlite3.connect(spec[len("sqlite:"):]), "?", sqlite=True), None
    if spec.startswith("csv:"):
        directory = spec[len("csv:"):] or "."
        os.makedirs(directory, exist_ok=True)
        return Target(sqlite3.connect(os.path.join(directory, ".export.sqlite")), "?", sqlite=True), directory
    if spec.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg
        except ImportError:
            sys.exit('export to PostgreSQL needs psycopg 3: python3 -m pip install "psycopg[binary]"')
        return Target(psycopg.connect(spec), "%s"), None
    sys.exit("--to takes csv:DIR, sqlite:FILE or postgresql://..., not %s" % spec)


def write_csv(target, directory):
    """Every table as DIR/<table>.csv, each written whole under a temporary name and renamed."""
    for table in TABLES:
        cur = target.execute("SELECT * FROM %s ORDER BY 1, 2" % table)
        header = [d[0] for d in cur.description]
        path = os.path.join(directory, table + ".csv")
        with open(path + ".tmp", "w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow(header)
            for row in cur:
                out.writerow(["" if v is None else v for v in row])
        os.replace(path + ".tmp", path)


def export(client, target, limit, follow, wait, on_page=None, progress=None):
    """Pages through FEED from where the target stands; returns (pages, lines, last seq).
    `progress`, a dict, is kept up to date with "pages" and "lines" as they go in (what was done
    before a connection failed)."""
    epoch, last = target.state()
    pages = lines = 0
    ask_epoch = epoch is not None  # FEED epoch= (section 24); off again for a server without it
    while True:
        try:
            reply = client.call("FEED", from_=last, limit=limit, wait=wait if follow else None,
                                epoch=epoch if ask_epoch else None)
        except ConnectionLost:
            raise
        except ReturnLedgerError as e:
            if ask_epoch and e.code == "STATE" and e.message.startswith("epoch"):
                raise EpochChanged("the server's history does not continue the one this target holds (epoch %s up to"
                                   " seq %d): %s. A standby promoted before that seq, a restored backup, or another"
                                   " server; export into a new target" % (epoch, last, e.message))
            if ask_epoch and e.code in ("SYNTAX", "INVALID") and "epoch" in e.message:
                ask_epoch = False  # a server from before standbys: its epoch must be ours, as before
                check_epoch_by_info(client, epoch)
                continue
            raise
        if epoch is not None and reply["epoch"] != epoch:
            if not ask_epoch:
                raise EpochChanged("the server's history changed (epoch %s, the target holds %s: a restored backup?);"
                                   " export into a new target" % (reply["epoch"], epoch))
            # Answered with epoch= ours: the server's history holds ours up to at least `last`
            # (a promoted standby): carry on into its epoch.
            print("export: the server's history continues the target's: epoch %s follows %s at or after seq %d;"
                  " carrying on" % (reply["epoch"], epoch, last), file=sys.stderr)
        next_seq = int(reply["next"])
        if next_seq != last or (epoch is not None and reply["epoch"] != epoch):
            target.page(reply.data, next_seq, reply["epoch"], epoch)
            epoch = reply["epoch"]
            if next_seq != last:
                pages += 1
                lines += len(reply.data)
                if progress is not None:
                    progress["pages"] = progress.get("pages", 0) + 1
                    progress["lines"] = progress.get("lines", 0) + len(reply.data)
            if on_page:
                on_page(next_seq)
        last = next_seq
        if not reply.data and not follow:  # an empty page: nothing more is durable yet
            return pages, lines, last


def check_epoch_by_info(client, epoch):
    """A server without FEED's epoch=: INFO names its epoch, which must be the target's."""
    server = next((row.get("epoch") for row in client.call("INFO").data if row.get("section") == "server"), None)
    if server is not None and server != epoch:
        raise EpochChanged("the server's history changed (epoch %s, the target holds %s: a restored backup, or"
                           " another server?); export into a new target" % (server, epoch))


def parse_servers(values, default_port):
    """`--server` values (each HOST:PORT, HOST, or a comma-separated list of them) as [(host, port)]."""
    servers = []
    for value in values or []:
        for item in filter(None, (part.strip() for part in value.split(","))):
            host, port = item, default_port
            if item.startswith("["):  # [::1]:7480
                host, _, rest = item[1:].partition("]")
                if rest.startswith(":"):
                    port = rest[1:]
            elif item.count(":") == 1:
                host, port = item.split(":")
            try:
                servers.append((host, int(port)))
            except ValueError:
                sys.exit("--server takes HOST:PORT, not %s" % item)
    return servers


def export_from(servers, connect, target, limit, follow, wait, on_page=None, progress=None):
    """`export` from the first of `servers` that answers; when one cannot be reached or drops the
    connection, the next (a primary and its standbys, in order). Without --follow it gives up,
    raising the last ConnectionLost, once every server failed in a row; with it, it goes round
    again after 1 s, doubling to 30 s."""
    failed, pause, at = 0, 1.0, 0
    progress = {} if progress is None else progress
    while True:
        host, port = servers[at % len(servers)]
        before = progress.get("pages", 0)
        try:
            with connect(host, port) as client:
                return export(client, target, limit, follow, wait, on_page, progress)
        except (ConnectionLost, OSError) as e:
            if progress.get("pages", 0) != before:
                failed, pause = 0, 1.0  # it got somewhere: every server gets its chance again
            failed += 1
            at += 1
            if len(servers) > 1:
                print("export: %s:%d: %s; trying %s:%d" % ((host, port, e) + servers[at % len(servers)]), file=sys.stderr)
            if failed >= len(servers):
                if not follow:
                    raise ConnectionLost("no server answered (%s): %s" % (
                        ", ".join("%s:%d" % s for s in servers), e))
                time.sleep(pause)
                failed, pause = 0, min(pause * 2, 30.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_connection_arguments(ap, user="auditor1")
    ap.add_argument("--to", required=True, help="csv:DIR, sqlite:FILE or postgresql://user:pw@host:port/db")
    ap.add_argument("--follow", action="store_true", help="keep going: wait for new changes (Ctrl-C to stop)")
    ap.add_argument("--limit", type=int, default=1000, help="feed lines per page (default 1000)")
    ap.add_argument("--wait", type=int, default=30, help="with --follow: seconds each long poll waits (default 30)")
    ap.add_argument("--server", action="append", metavar="HOST:PORT",
                    help="a server to export from, instead of --host/--port; as often as needed, or a comma-separated"
                         " list (a primary and its standbys): when one cannot be reached, the next")
    args = connection_options(ap.parse_args())
    servers = parse_servers(args.server, args.port) or [(args.host, args.port)]

    def stop(*_):
        raise KeyboardInterrupt  # SIGTERM (systemd, kill) ends a --follow like Ctrl-C: the CSVs are written

    signal.signal(signal.SIGTERM, stop)
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1` prints where a stuck export is
    target, csv_dir = open_target(args.to)
    started = time.monotonic()
    progress = {}
    try:
        def connect(host, port):
            return Client(host, port, user=args.user, password=args.password, **tls_options(args),
                          timeout=max(60, args.wait + 30))

        on_page = None
        if csv_dir and args.follow:
            # The CSV files are rewritten whole from the local copy: at most every 10 seconds.
            last_written = [0.0]

            def on_page(seq):
                if time.monotonic() - last_written[0] >= 10:
                    write_csv(target, csv_dir)
                    last_written[0] = time.monotonic()
        pages, lines, last = export_from(servers, connect, target, args.limit, args.follow, args.wait, on_page, progress)
    except EpochChanged as e:
        print("export stopped: %s" % e, file=sys.stderr)
        sys.exit(3)
    except (ReturnLedgerError, ConnectionLost, OSError) as e:
        print("export failed: %s" % e, file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        pages, lines = progress.get("pages", 0), progress.get("lines", 0)
        last = target.state()[1]
    if csv_dir:
        write_csv(target, csv_dir)
    seconds = time.monotonic() - started
    print("exported up to seq %d: %d feed lines in %d pages, %.1f s (%d lines/s)"
          % (last, lines, pages, seconds, lines / seconds if seconds > 0 else 0))
    target.close()


if __name__ == "__main__":
    main()
