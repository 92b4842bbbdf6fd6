#!/usr/bin/env python3
"""A cash-register simulator for ReturnLedger: rings up sales and files returns.

A shop can adapt it: it logs in as a clerk, then reads lines from a CSV file (or the keyboard)
and prints what the server answered, including the return document numbers once approved.

  python3 register.py --csv till.csv                 # batch: one action per CSV row
  python3 register.py                                # interactive: type `help`

CSV columns: action,order,items,extra,note
  sale,S-2101,A100:2 B300:1,C001,           extra = customer (empty: walk-in, paid)
  return,S-2101,A100:1,DEFECTIVE,box torn   extra = reason
  exchange,S-2101,B300:1,WRONG_ITEM,A200:1  extra = reason, note = the replacement items
  noreceipt,C001,C400:1,CHANGED_MIND,       order = the customer; store credit only
  order,S-2101,,,                           what is returned, pending and still returnable
  status,,,,                                documents of the returns filed this session

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


class Register:
    def __init__(self, client, location, out=sys.stdout):
        self.client, self.location, self.out = client, location, out
        self.filed = []  # return ids filed in this session

    def say(self, text):
        print(text, file=self.out, flush=True)

    def sale(self, order, items, customer=None):
        r = self.client.sale(order, self.location, items, customer=customer or None)
        self.say("sale %s: total %s%s" % (r.order, r.total, " (already recorded)" if r.existed else ""))

    def file_return(self, order, items, reason, note=None, exchange=None):
        r = self.client.return_items(order, items, reason=reason, note=note or None, location=self.location,
                                     exchange=exchange)
        self.filed_reply(r, "exchange for %s" % ",".join(exchange) if exchange else "return")

    def no_receipt(self, customer, items, reason, note=None):
        r = self.client.return_without_receipt(items, customer=customer, location=self.location, reason=reason,
                                               note=note or None)
        self.filed_reply(r, "return without receipt")

    def filed_reply(self, r, what):
        if r.id not in self.filed:
            self.filed.append(r.id)
        self.say("%s %s filed: %s, %s %s" % (what, r.id, r.state, r.kind, r.amount))

    def order(self, order):
        r = self.client.order(order)
        self.say("order %s (%s, %s): %s" % (r.order, r.kind, r.party or "walk-in", r["status"]))
        for line in r.data:
            self.say("  %s x%s @ %s: %s returned, %s pending, %s returnable"
                     % (line["sku"], line["qty"], line["price"], line["returned"], line["pending"], line["returnable"]))

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

    def run(self, action, order="", items="", extra="", note=""):
        action = action.strip().lower()
        try:
            if action == "sale":
                self.sale(order, items.split(), customer=extra)
            elif action == "return":
                self.file_return(order, items.split(), reason=extra or "OTHER", note=note)
            elif action == "exchange":
                self.file_return(order, items.split(), reason=extra or "OTHER", exchange=note.split())
            elif action == "noreceipt":
                self.no_receipt(order, items.split(), reason=extra or "OTHER", note=note)
            elif action == "order":
                self.order(order)
            elif action == "status":
                self.status()
            else:
                self.say("unknown action %r (sale, return, exchange, noreceipt, order, status)" % action)
                return False
            return True
        except ReturnLedgerError as e:
            self.say("refused: %s %s" % (e.code, e.message))
            return False


HELP = """commands:
  sale ORDER ITEM... [customer=ID]            e.g. sale S-2301 A100:2 customer=C001
  return ORDER ITEM... REASON [note...]       e.g. return S-2301 A100:1 DEFECTIVE lid broken
  exchange ORDER ITEM... REASON for ITEM...   e.g. exchange S-2301 A100:1 WRONG_ITEM for A200:1
  noreceipt CUSTOMER ITEM... REASON [note...] e.g. noreceipt C001 C400:1 CHANGED_MIND
  order ORDER                                 what is returned, pending, still returnable
  status                                      return ids and their documents
  quit"""


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
        if words[0] == "help":
            register.say(HELP)
        elif words[0] == "sale" and len(words) >= 3:
            customer = next((w.split("=", 1)[1] for w in words[2:] if w.startswith("customer=")), "")
            items = [w for w in words[2:] if ":" in w]
            register.run("sale", words[1], " ".join(items), customer)
        elif words[0] in ("return", "noreceipt") and len(words) >= 4:
            items = [w for w in words[2:] if ":" in w]
            rest = [w for w in words[2:] if ":" not in w]
            register.run(words[0], words[1], " ".join(items), rest[0] if rest else "OTHER", " ".join(rest[1:]))
        elif words[0] == "exchange" and "for" in words[3:]:
            cut = words.index("for", 3)
            items = [w for w in words[2:cut] if ":" in w]
            rest = [w for w in words[2:cut] if ":" not in w]
            register.run("exchange", words[1], " ".join(items), rest[0] if rest else "OTHER", " ".join(words[cut + 1:]))
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
    ap.add_argument("--csv", help="CSV file of actions (action,order,items,extra,note)")
    args = connection_options(ap.parse_args())
    try:
        client = Client(args.host, args.port, user=args.user, password=args.password, **tls_options(args),
                        key_prefix="till-%s-%s-%d" % (args.user, args.location, os.getpid()))
    except ReturnLedgerError as e:
        sys.exit("cannot log in: %s %s" % (e.code, e.message))
    register = Register(client, args.location)
    ok = True
    if args.csv:
        with open(args.csv, newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                if not row or row[0].startswith("#") or row[0] == "action":
                    continue
                row += [""] * (5 - len(row))
                ok &= register.run(*row[:5])
    else:
        interactive(register)
    client.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
