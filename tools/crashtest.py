#!/usr/bin/env python3
"""Crash test: kill -9 the real server under load, restart it, prove nothing acknowledged was lost.

Each cycle starts returnledger on the same data directory, drives mixed load from many
connections (SALE, RETURN with an idempotency key, APPROVE, pipelined in bursts), kills it with
SIGKILL at a random moment, restarts it and checks:

  * every acknowledged SALE, RETURN and APPROVE is present (a re-sent RETURN key answers
    existed=yes with the same id);
  * nothing appears twice (one return per order and key);
  * stock and the customer's balance equal what the surviving history implies;
  * return document numbers have no gaps within a day;
  * the state digest from the live server equals an offline replay (`wal verify`).

  tools/crashtest.py --cycles 50                  # exit 0 when every cycle passes

Standard library only. Binaries default to .build/debug/{returnledger,wal}.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
from returnledger import Client, ConnectionLost, ReturnLedgerError, ServerProcess  # noqa: E402

ADMIN_PASSWORD = "crash-admin"
START_STOCK = 1_000_000


def connect(port, user, password):
    """A client that never re-sends: the test itself tracks what was acknowledged."""
    return Client("127.0.0.1", port, user=user, password=password, retries=0)


def ask(client, line):
    """One request; its reply, ERR included."""
    return client.pipeline([line])[0]


class Server(ServerProcess):
    def __init__(self, binary, data, fsync):
        super().__init__(binary=binary, data=data, fsync=fsync, admin_password=ADMIN_PASSWORD, capture_stderr=True)

    def login(self, user, password):
        return connect(self.port, user, password)


class Ledger:
    """What the clients were told, shared by the worker threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked_sales = set()
        self.acked_returns = {}     # key -> (order, id)
        self.acked_approvals = set()
        self.sent_returns = {}      # key -> order

    def add(self, attr, value, key=None):
        with self.lock:
            target = getattr(self, attr)
            if isinstance(target, set):
                target.add(value)
            else:
                target[key] = value


def worker(port, prefix, ledger, rng, stop):
    try:
        clerk = None
        sup = None
        clerk = connect(port, "clerk1", "clerk1")
        sup = connect(port, "sup1", "sup1")
        n = 0
        while not stop.is_set():
            burst = rng.randint(1, 6)
            lines, meta = [], []
            for _ in range(burst):
                n += 1
                order = "%s-%d" % (prefix, n)
                key = "k-" + order
                lines.append("SALE %s location=STORE1 customer=C1 paid=no A100:2" % order)
                meta.append(("sale", order, None))
                lines.append("RETURN %s A100:1 reason=DEFECTIVE key=%s" % (order, key))
                meta.append(("return", order, key))
                with ledger.lock:
                    ledger.sent_returns[key] = order
            clerk.send_lines(lines)
            to_approve = []
            for kind, order, key in meta:
                reply = clerk.read_reply()
                if kind == "sale" and reply.ok:
                    ledger.add("acked_sales", order)
                elif kind == "return" and reply.ok:
                    rid = reply["id"]
                    ledger.add("acked_returns", (order, rid), key)
                    if rng.random() < 0.7:
                        to_approve.append(rid)
            if to_approve:
                sup.send_lines(["APPROVE %s" % rid for rid in to_approve])
                for rid in to_approve:
                    if sup.read_reply().ok:
                        ledger.add("acked_approvals", rid)
    except ReturnLedgerError:
        pass  # the server was killed mid-conversation (ConnectionLost), or refused the login
    finally:
        for c in (clerk, sup):
            if c:
                c.close()


def check(server, ledger, wal_binary, data):
    """Every promise, against the restarted server. Returns a list of problems."""
    problems = []
    aud = server.login("aud1", "aud1")
    clerk = server.login("clerk1", "clerk1")

    balance = ask(aud, "BALANCE C1")
    sales = {row["doc"] for row in balance.data if row.get("kind") == "sale"}
    missing = ledger.acked_sales - sales
    if missing:
        problems.append("%d acknowledged sales lost, e.g. %s" % (len(missing), sorted(missing)[:3]))

    listed = ask(aud, "LIST limit=100000")
    returns = [(r.get("id"), r.get("order"), r.get("state"), r.get("doc"), r.get("filed_at")) for r in listed.data]
    by_order = {}
    for rid, order, state, doc, _ in returns:
        by_order.setdefault(order, []).append(rid)
    doubles = {o: ids for o, ids in by_order.items() if len(ids) > 1}
    if doubles:
        problems.append("returns filed twice: %s" % list(doubles.items())[:3])
    ids = {rid: (order, state) for rid, order, state, _, _ in returns}
    for key, (order, rid) in list(ledger.acked_returns.items()):
        if rid not in ids:
            problems.append("acknowledged return %s (key %s) lost" % (rid, key))
    for rid in ledger.acked_approvals:
        if ids.get(rid, (None, None))[1] != "approved":
            problems.append("acknowledged approval of %s lost (state %s)" % (rid, ids.get(rid)))
    for order in by_order:
        if order not in sales:
            problems.append("return against %s whose sale is missing" % order)

    # A sample of acknowledged keys re-sent: the same id, existed=yes.
    sample = random.sample(sorted(ledger.acked_returns.items()), min(20, len(ledger.acked_returns)))
    for key, (order, rid) in sample:
        again = ask(clerk, "RETURN %s A100:1 reason=DEFECTIVE key=%s" % (order, key))
        if again.get("id") != rid or again.get("existed") != "yes":
            problems.append("re-sent key %s answered %s, expected %s existed=yes" % (key, again.status, rid))

    approved = [r for r in returns if r[2] == "approved"]
    stock = ask(aud, "STOCK A100 location=STORE1")
    expected_stock = START_STOCK - 2 * len(sales) + len(approved)
    if stock.get("on_hand") != str(expected_stock):
        problems.append("stock %s, history implies %d" % (stock.get("on_hand"), expected_stock))
    expected_balance = 50 * len(sales) - 25 * len(approved)
    if balance.get("balance") != "%d.00" % expected_balance:
        problems.append("balance %s, history implies %d.00" % (balance.get("balance"), expected_balance))

    numbers = {}
    for r in approved:
        _, day, serial = r[3].split("-")
        numbers.setdefault(day, []).append(int(serial))
    for day, serials in numbers.items():
        if sorted(serials) != list(range(1, len(serials) + 1)):
            problems.append("document numbers of %s have gaps" % day)

    digest = ask(aud, "DIGEST").get("digest")
    aud.close()
    clerk.close()
    server.stop()
    out = subprocess.run([wal_binary, "verify", data], capture_output=True, text=True)
    offline = [line.split(" ", 1)[1] for line in out.stdout.splitlines() if line.startswith("digest ")]
    # The live digest was taken after every mutation of this check, so an offline replay of the
    # files must give the same one.
    if not offline or offline[0] != digest:
        problems.append("offline replay digest %s differs from live %s" % (offline and offline[0], digest))
    return problems, len(sales), len(returns), len(approved)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cycles", type=int, default=50)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--fsync", default="always")
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "returnledger"))
    ap.add_argument("--wal", default=os.path.join(ROOT, ".build", "debug", "wal"))
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    random.seed(seed)
    data = tempfile.mkdtemp(prefix="rl-crash-")
    print("crashtest: seed %d, %d clients, fsync %s" % (seed, args.clients, args.fsync), flush=True)
    ledger = Ledger()
    failures = 0
    started = time.time()
    try:
        server = Server(args.binary, data, args.fsync)
        admin = server.login("admin", ADMIN_PASSWORD)
        for line in ["USER ADD clerk1 role=clerk password=clerk1", "USER ADD sup1 role=supervisor password=sup1",
                     "USER ADD aud1 role=auditor password=aud1", "LOCATION ADD STORE1 name=Main",
                     "SKU ADD A100 name=Kettle price=25", "PARTY ADD customer C1 name=Ana",
                     "PARTY ADD supplier S1 name=Supplier",
                     "PURCHASE P0 location=STORE1 supplier=S1 A100:%d@0" % START_STOCK]:
            reply = ask(admin, line)
            if not reply.ok:
                sys.exit("setup failed: %s -> %s" % (line, reply.status))
        admin.close()
        expected = {"sale": 0}
        for cycle in range(1, args.cycles + 1):
            stop = threading.Event()
            threads = [threading.Thread(target=worker, args=(server.port, "c%dw%d" % (cycle, i), ledger,
                                                             random.Random(rng.random()), stop))
                       for i in range(args.clients)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.05, 0.8))
            server.kill()
            stop.set()
            for t in threads:
                t.join()
            server = Server(args.binary, data, args.fsync)
            try:
                problems, sales, returns, approved = check(server, ledger, args.wal, data)
            except (OSError, ConnectionLost) as e:
                code = server.proc.poll()
                server.kill()
                print("cycle %d: the server went away during the check (%s); exit status %s; its stderr:\n%s" % (
                    cycle, e, code, server.stderr_text()[-4000:]), flush=True)
                failures += 1
                break
            status = "ok" if not problems else "FAILED"
            print("cycle %d/%d %s: %d sales, %d returns, %d approved; acknowledged %d/%d/%d" % (
                cycle, args.cycles, status, sales, returns, approved, len(ledger.acked_sales),
                len(ledger.acked_returns), len(ledger.acked_approvals)), flush=True)
            for p in problems:
                print("  " + p, flush=True)
            failures += bool(problems)
            server = Server(args.binary, data, args.fsync)
        server.stop()
    finally:
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(data.rstrip("/") + "-backups", ignore_errors=True)
    print("crashtest: %d cycles, %d failed, seed %d, %.1f s" % (args.cycles, failures, seed, time.time() - started))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
