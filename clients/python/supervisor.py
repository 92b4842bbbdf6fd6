#!/usr/bin/env python3
"""A supervisor's console for ReturnLedger: the review queue, live.

It logs in, watches the queue (WATCH), prints every return that needs this user the moment a
till files it, and takes commands at its prompt:

  queue                 what waits for you now (pending, and second review for finance)
  show ID               one return: items and history
  approve ID [note]     approve (the first of two where a rule asks for a second approval)
  reject ID note        reject, with the reason the customer will hear
  help, quit

  python3 supervisor.py --user supervisor1            # the demo's supervisor (every store)
  python3 supervisor.py --user lead2                  # the demo's supervisor of STORE2
  python3 supervisor.py --user finance1               # second approvals of big returns

It works in any terminal (no curses): lines from the server are printed above the prompt.
"""
import argparse
import os
import shlex
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from returnledger import Client, ConnectionLost, ReturnLedgerError, add_connection_arguments, connection_options, tls_options  # noqa: E402

PROMPT = "review> "
HELP = """commands:
  queue                 what waits for you now
  show ID               one return: items and history
  approve ID [note]     approve (the first of two where a rule asks for a second approval)
  reject ID note        reject, with the reason the customer will hear
  quit"""


class Console:
    def __init__(self, client, out=sys.stdout):
        self.client, self.out = client, out
        self.lock = threading.Lock()  # pushes come from the client's reader thread

    def say(self, text, prompt=False):
        with self.lock:
            # A push arrives while the prompt waits: put it on its own line, then the prompt again.
            self.out.write(("\r" if prompt else "") + text + "\n" + (PROMPT if prompt else ""))
            self.out.flush()

    def on_push(self, push):
        f = push.fields
        if push.kind == "pending":
            text = "NEW      %s  %-7s %10s  %-16s filed by %s (order %s)" % (
                f.get("id"), f.get("location"), f.get("amount"), f.get("reason"), f.get("filed_by"), f.get("order") or "-")
        elif push.kind == "second_review":
            text = "SECOND   %s  %-7s %10s  first approval by %s: yours to approve or reject" % (
                f.get("id"), f.get("location"), f.get("amount"), f.get("approved_by"))
        elif push.kind == "closed" and f.get("by") == self.client.user:
            return  # this console's own approval or rejection: its reply says so
        elif push.kind == "closed":
            text = "closed   %s  now %s (by %s)" % (f.get("id"), f.get("state"), f.get("by"))
        elif push.kind == "overflow":
            text = "(missed %s updates; type queue to see what waits)" % f.get("dropped")
        elif push.kind == "disconnected":
            text = "(connection lost; the next command reconnects)"
        elif push.kind == "reconnected":
            text = "(reconnected: %s waiting; type queue)" % f.get("watching")
        else:
            text = push.line
        self.say(text, prompt=True)

    def queue(self):
        rows = self.client.call("LIST", state="pending").data + self.client.call("LIST", state="second_review").data
        if not rows:
            self.say("nothing waits")
        for row in sorted(rows, key=lambda r: r["id"]):
            self.say("%-8s %s  %-7s %10s  %-16s filed by %s" % (
                "pending" if row["state"] == "pending" else "second", row["id"], row["location"], row["amount"],
                row["reason"], row["filed_by"]))

    def show(self, rid):
        r = self.client.show(rid)
        self.say("%s %s %s order %s party %s at %s: %s (%s)%s" % (
            r["id"], r["state"], r["kind"], r["order"] or "-", r["party"] or "walk-in", r["location"], r["amount"],
            r["reason"], "  rules " + r["rules"] if r.get("rules") else ""))
        for row in r.data:
            if row.get("") == "item":
                self.say("  item  %s x%s %s @ %s = %s" % (row["sku"], row["qty"], row["batch"] or "", row["price"], row["amount"]))
            elif row.get("") == "event":
                self.say("  %s  %-14s %s %s" % (row["at"], row["action"], row["user"], row["note"]))

    def command(self, line):
        try:
            words = shlex.split(line)
        except ValueError as e:
            self.say("cannot read that: %s" % e)
            return True
        if not words:
            return True
        verb, args = words[0].lower(), words[1:]
        try:
            if verb in ("quit", "exit"):
                return False
            elif verb == "queue":
                self.queue()
            elif verb == "show" and len(args) == 1:
                self.show(args[0].upper())
            elif verb == "approve" and args:
                r = self.client.approve(args[0].upper(), note=" ".join(args[1:]) or None)
                if r["state"] == "second_review":
                    self.say("%s: first approval given; it now waits for the second" % r["id"])
                else:
                    self.say("%s %s, document %s" % (r["id"], r["state"], r["doc"]))
            elif verb == "reject" and len(args) >= 2:
                r = self.client.reject(args[0].upper(), " ".join(args[1:]))
                self.say("%s %s" % (r["id"], r["state"]))
            else:
                self.say(HELP)
        except ReturnLedgerError as e:
            self.say("refused: %s %s" % (e.code, e.message))
        except ConnectionLost as e:
            self.say("connection lost: %s" % e)
        return True


def main(argv=None):
    parser = argparse.ArgumentParser(description="ReturnLedger review queue, live")
    add_connection_arguments(parser, user="supervisor1")
    args = connection_options(parser.parse_args(argv))
    try:
        client = Client(args.host, args.port, user=args.user, password=args.password, **tls_options(args))
    except (ReturnLedgerError, ConnectionLost) as e:
        print("cannot log in as %s: %s" % (args.user, e), file=sys.stderr)
        return 2
    console = Console(client)
    try:
        waiting = client.watch(console.on_push)
    except ReturnLedgerError as e:
        print("cannot watch as %s: %s %s" % (args.user, e.code, e.message), file=sys.stderr)
        return 2
    who = client.call("WHOAMI")
    console.say("%s (%s, stores %s): %d waiting for you; type help" % (who["user"], who["role"], who["locations"], waiting))
    if waiting:
        console.queue()
    try:
        while True:
            with console.lock:
                sys.stdout.write(PROMPT)
                sys.stdout.flush()
            line = sys.stdin.readline()
            if not line or not console.command(line):
                break
    except KeyboardInterrupt:
        pass
    with client:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
