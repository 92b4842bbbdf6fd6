#!/usr/bin/env python3
"""A cash-register simulator for ReturnLedger: rings up sales and files returns.

A shop can adapt it: it logs in as a clerk, then reads lines from a CSV file (or the keyboard)
and prints what the server answered, including the return document numbers once approved.

  python3 register.py --csv till.csv                 # batch: one action per CSV row
  python3 register.py                                # interactive: type `help`

CSV columns: action,order,items,extra,note[,tender,till]
Items are SKU:QTY[@PRICE][#BATCH][/SERIAL...]: a serial-tracked SKU (a phone) names one serial
per unit, e.g. P900:1/IMEI-3551 (sold, returned, sent and received by serial).
  sale,S-2101,A100:2 B300:1,C001,           extra = customer (empty: walk-in, paid)
  return,S-2101,A100:1,DEFECTIVE,box torn   extra = reason
  exchange,S-2101,B300:1,WRONG_ITEM,A200:1  extra = reason, note = the replacement items
  noreceipt,C001,C400:1,CHANGED_MIND,       order = the customer; store credit only
  send,T-41,A100:5 C400:2,STORE2,van 3       goods from this store; order = the transfer (its
                                            delivery note), extra = where to
  receive,T-41,A100:4,,one box missing      what arrived (items not named arrived as sent)
  count,,A100:10 C400:0,,year end           this store's shelf as counted (a supervisor's register)
  order,S-2101,,,                           what is returned, pending and still returnable
  status,,,,                                documents of the returns filed this session
The last two columns are optional. tender: how a sale was paid, e.g. card:60.00#4242,cash:40.00
(empty: cash, as before); till: the open till its money lands in (empty: --till, else none). A
return's till is the one its refund is paid from; its tenders are chosen at approval. A header row
(action,order,...) may name the columns in any order.

A till is opened and counted at the prompt: `till open POS1 STORE1 100.00` (it becomes this
register's till), `till close POS1 139.50` (the counted cash; the server answers the variance).

Every return carries an idempotency key, so a dropped connection is retried without ever filing
the same return twice.
"""
import argparse
import csv
import os
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from returnledger import Client, ReturnLedgerError, add_connection_arguments, connection_options, tls_options  # noqa: E402


COLUMNS = ("action", "order", "items", "extra", "note", "tender", "till")


def read_actions(rows):
    """CSV rows as dicts of COLUMNS ("" where a row has no such column). Without a header the
    columns are COLUMNS in order, so a file of five columns reads as it always did; a header row
    (first cell `action`) names them instead. Empty rows and rows starting with # are skipped."""
    names = COLUMNS
    actions = []
    for row in rows:
        if not row or row[0].startswith("#"):
            continue
        if row[0].strip().lower() == "action":
            names = tuple(cell.strip().lower() for cell in row)
            continue
        cells = dict(zip(names, row))
        actions.append({column: cells.get(column, "") for column in COLUMNS})
    return actions


class Register:
    def __init__(self, client, location, out=sys.stdout, till=None):
        self.client, self.location, self.out = client, location, out
        self.till = till or None  # the till this register rings up at; `till open` sets it
        self.filed = []  # return ids filed in this session

    def say(self, text):
        print(text, file=self.out, flush=True)

    def sale(self, order, items, customer=None, tender=None, till=None):
        till = till or self.till
        r = self.client.sale(order, self.location, items, customer=customer or None, tender=tender or None, till=till)
        paid = " paid %s" % tender if tender else ""
        at = " at till %s" % till if till else ""
        self.say("sale %s: total %s%s%s%s" % (r.order, r.total, paid, at, " (already recorded)" if r.existed else ""))

    def file_return(self, order, items, reason, note=None, exchange=None, till=None):
        r = self.client.return_items(order, items, reason=reason, note=note or None, location=self.location,
                                     exchange=exchange, till=till or self.till)
        self.filed_reply(r, "exchange for %s" % ",".join(exchange) if exchange else "return")

    def no_receipt(self, customer, items, reason, note=None, till=None):
        r = self.client.return_without_receipt(items, customer=customer, location=self.location, reason=reason,
                                               note=note or None, till=till or self.till)
        self.filed_reply(r, "return without receipt")

    def till_open(self, till, location, opening_float):
        """Opens a till with its float; from now on this register's sales and returns use it."""
        r = self.client.till_open(till, location, opening_float)
        self.till = r.till
        self.say("till %s open: session %s at %s, float %s" % (r.till, r.session, r.location, r["float"]))

    def till_close(self, till, counted, note=None):
        """Closes a till with the cash counted; the server says what it expected and the variance."""
        r = self.client.till_close(till, counted, note=note or None)
        if self.till == till:
            self.till = None
        self.say("till %s closed: session %s, expected %s, counted %s, variance %s"
                 % (r.till, r.session, r.expected, r.counted, r.variance))

    def send(self, transfer, items, to, note=None):
        """Goods from this register's store to another location (a TRANSFER SEND)."""
        r = self.client.transfer_send(transfer, self.location, to, items, note=note or None)
        where = "on its way to" if r["state"] == "in_transit" else "arrived at"
        self.say("transfer %s: %s units %s %s%s" % (r["transfer"], r["qty"], where, r["to"],
                                                     " (already sent)" if r.existed else ""))

    def receive(self, transfer, items, note=None):
        """A transfer sent here, received: the items say what arrived, the rest arrived as sent."""
        r = self.client.transfer_receive(transfer, items, note=note or None)
        self.say("transfer %s received: %s of %s units, %s lost, %s found, value %s%s"
                 % (r["transfer"], r["received"], r["sent"], r["lost"], r["found"], r["value"],
                    " (already received)" if r.existed else ""))

    def count(self, items, note=None):
        """This store's shelf as counted (a COUNT: supervisors and admins): each slot set to what was
        counted, the variance and its value said."""
        r = self.client.count(self.location, items, note=note or None)
        for line in r.data:
            self.say("  %s%s: %s on the books, %s counted, variance %s (%s)"
                     % (line["sku"], "#" + line["batch"] if line["batch"] else "", line["before"], line["counted"],
                        line["variance"], line["value"]))
        self.say("count %s: variance %s, value %s" % (r["move"], r["variance"], r["value"]))

    def filed_reply(self, r, what):
        if r.id not in self.filed:
            self.filed.append(r.id)
        self.say("%s %s filed: %s, %s %s" % (what, r.id, r.state, r.kind, r.amount))

    def order(self, order):
        r = self.client.order(order)
        self.say("order %s (%s, %s): %s" % (r.order, r.kind, r.party or "walk-in", r["status"]))
        for line in r.data:
            serials = ""
            if line.get("serials"):
                serials = " serials %s" % line["serials"]
                if line.get("returned_serials"):
                    serials += " (returned %s)" % line["returned_serials"]
            self.say("  %s x%s @ %s: %s returned, %s pending, %s returnable%s"
                     % (line["sku"], line["qty"], line["price"], line["returned"], line["pending"], line["returnable"], serials))

    def run_till(self, step, *args):
        """A till step, its refusal said as run() says one; whether it went through."""
        try:
            step(*args)
            return True
        except ReturnLedgerError as e:
            self.say("refused: %s %s" % (e.code, e.message))
            return False

    def status(self):
        if not self.filed:
            self.say("no returns filed in this session")
        for rid in self.filed:
            r = self.client.show(rid)
            doc = r.get("doc") or "-"
            extra = ""
            if r.get("exchange"):
                extra = " exchange %s" % r["exchange"]
            self.say("%s %s doc %s amount %s%s" % (rid, r.state, doc, r.amount, extra))

    def run(self, action, order="", items="", extra="", note="", tender="", till=""):
        action = action.strip().lower()
        tender, till = tender.strip(), till.strip()
        if tender and action != "sale":
            self.say("refused: a tender is for a sale; a return's refund tenders are chosen at approval")
            return False
        try:
            if action == "sale":
                self.sale(order, items.split(), customer=extra, tender=tender, till=till)
            elif action == "return":
                self.file_return(order, items.split(), reason=extra or "OTHER", note=note, till=till)
            elif action == "exchange":
                self.file_return(order, items.split(), reason=extra or "OTHER", exchange=note.split(), till=till)
            elif action == "noreceipt":
                self.no_receipt(order, items.split(), reason=extra or "OTHER", note=note, till=till)
            elif action == "send":
                self.send(order, items.split(), to=extra, note=note)
            elif action == "receive":
                self.receive(order, items.split(), note=note)
            elif action == "count":
                self.count(items.split(), note=note)
            elif action == "order":
                self.order(order)
            elif action == "status":
                self.status()
            else:
                self.say("unknown action %r (sale, return, exchange, noreceipt, send, receive, count, order, status)" % action)
                return False
            return True
        except ReturnLedgerError as e:
            self.say("refused: %s %s" % (e.code, e.message))
            return False


HELP = """commands:
  sale ORDER ITEM... [customer=ID] [tender=LIST] [till=TILL]
                                              e.g. sale S-2301 A100:2 customer=C001 tender=card:30.00#4242,cash:20.00
  return ORDER ITEM... REASON [note...]       e.g. return S-2301 A100:1 DEFECTIVE lid broken
      (a serial-tracked SKU names its units: sale S-2302 P900:1/IMEI-3551, return S-2302 P900:1/IMEI-3551 DEFECTIVE)
  exchange ORDER ITEM... REASON for ITEM...   e.g. exchange S-2301 A100:1 WRONG_ITEM for A200:1
  noreceipt CUSTOMER ITEM... REASON [note...] e.g. noreceipt C001 C400:1 CHANGED_MIND
      (returns take till=TILL too: the till their refund is paid from)
  send TRANSFER TO ITEM... [note...]          e.g. send T-41 STORE2 A100:5 van 3 (from this store)
  receive TRANSFER [ITEM...] [note...]        e.g. receive T-41 A100:4 one box missing
  count ITEM... [note...]                     e.g. count A100:10 C400:0 year end (a supervisor's register)
  order ORDER                                 what is returned, pending, still returnable
  status                                      return ids and their documents
  till open TILL LOCATION FLOAT               e.g. till open POS1 STORE1 100.00 (then this register's till)
  till close TILL COUNTED [note...]           e.g. till close POS1 139.50: the expected cash and the variance
  quit"""

NAMED = ("customer", "tender", "till")  # key=value words at the prompt; the others are positional


def named_words(words):
    """({key: value} of the NAMED words, the other words in order): `tender=card:60.00` holds a
    colon but is not an item."""
    named, rest = {}, []
    for w in words:
        key, eq, value = w.partition("=")
        if eq and key.lower() in NAMED:
            named[key.lower()] = value
        else:
            rest.append(w)
    return named, rest


def till_command(register, words):
    """`till open TILL LOCATION FLOAT` or `till close TILL COUNTED [note...]`; False if neither."""
    if len(words) == 5 and words[1] == "open":
        register.run_till(register.till_open, words[2], words[3], words[4])
    elif len(words) >= 4 and words[1] == "close":
        register.run_till(register.till_close, words[2], words[3], " ".join(words[4:]))
    else:
        return False
    return True


def interactive(register):
    register.say(HELP)
    while True:
        try:
            line = input("till> ")
        except EOFError:
            return
        words = shlex.split(line)
        if not words:
            continue
        if words[0] in ("quit", "exit"):
            return
        named, words = named_words(words)
        tender, till = named.get("tender", ""), named.get("till", "")
        if words[0] == "help":
            register.say(HELP)
        elif words[0] == "till":
            if not till_command(register, words):
                register.say("? till open TILL LOCATION FLOAT, or till close TILL COUNTED")
        elif words[0] == "sale" and len(words) >= 3:
            items = [w for w in words[2:] if ":" in w]
            register.run("sale", words[1], " ".join(items), named.get("customer", ""), "", tender, till)
        elif words[0] in ("return", "noreceipt") and len(words) >= 4:
            items = [w for w in words[2:] if ":" in w]
            rest = [w for w in words[2:] if ":" not in w]
            register.run(words[0], words[1], " ".join(items), rest[0] if rest else "OTHER", " ".join(rest[1:]),
                         tender, till)
        elif words[0] == "exchange" and "for" in words[3:]:
            cut = words.index("for", 3)
            items = [w for w in words[2:cut] if ":" in w]
            rest = [w for w in words[2:cut] if ":" not in w]
            register.run("exchange", words[1], " ".join(items), rest[0] if rest else "OTHER", " ".join(words[cut + 1:]),
                         tender, till)
        elif words[0] == "send" and len(words) >= 4:
            items = [w for w in words[3:] if ":" in w]
            register.run("send", words[1], " ".join(items), words[2], " ".join(w for w in words[3:] if ":" not in w))
        elif words[0] == "receive" and len(words) >= 2:
            items = [w for w in words[2:] if ":" in w]
            register.run("receive", words[1], " ".join(items), "", " ".join(w for w in words[2:] if ":" not in w))
        elif words[0] == "count" and len(words) >= 2:
            items = [w for w in words[1:] if ":" in w]
            register.run("count", "", " ".join(items), "", " ".join(w for w in words[1:] if ":" not in w))
        elif words[0] == "order" and len(words) == 2:
            register.run("order", words[1])
        elif words[0] == "status":
            register.run("status")
        else:
            register.say("? type help")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_connection_arguments(ap, user="clerk1")
    ap.add_argument("--location", default="STORE1", help="this till's store")
    ap.add_argument("--csv", help="CSV file of actions (action,order,items,extra,note[,tender,till])")
    ap.add_argument("--till", help="the open till this register's sales and refunds go through (default: none)")
    args = connection_options(ap.parse_args())
    try:
        client = Client(args.host, args.port, user=args.user, password=args.password, **tls_options(args),
                        key_prefix="till-%s-%s-%d" % (args.user, args.location, os.getpid()))
    except ReturnLedgerError as e:
        sys.exit("cannot log in: %s %s" % (e.code, e.message))
    register = Register(client, args.location, till=args.till)
    ok = True
    if args.csv:
        with open(args.csv, newline="", encoding="utf-8") as f:
            for action in read_actions(csv.reader(f)):
                ok &= register.run(**action)
    else:
        interactive(register)
    client.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
