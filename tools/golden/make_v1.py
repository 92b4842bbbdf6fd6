#!/usr/bin/env python3
"""Writes the golden data directories of log format 1 with the server of that format.

Run once, with the binary built from the commit before the versioned encoding (7d49517):

    python3 tools/golden/make_v1.py --bin .build/release/returnledger --out Tests/Fixtures/golden-v1

It makes two data directories, each with every event kind in it: `log-only` (every record from
the first, no snapshot) and `snapshot` (a snapshot with every kind folded in, then a log segment
with every kind again). Beside each, `answers.txt` holds the replies of a fixed list of queries,
which every later version must give for that directory forever (DIGEST's line is pinned per
state-encoding version in the test instead).
"""
import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "clients", "python"))
from returnledger import Client, ReturnLedgerError, ServerProcess  # noqa: E402

ADMIN = "golden-admin"
QUERIES = [
    "USER LIST", "LOCATION LIST", "SKU LIST", "PARTY LIST", "REASON LIST", "POLICY SHOW",
    "LIST limit=1000", "SHOW R000001", "SHOW R000002", "SHOW R000003", "SHOW R000004", "SHOW R000005",
    "SHOW R000006", "SHOW R000007", "SHOW R000008", "SHOW R000009", "SHOW R000010",
    "STOCK A100", "STOCK B300", "STOCK C400", "STOCK D500", "STOCK A200", "STOCK location=STORE1",
    "BALANCE", "BALANCE C001", "BALANCE C002", "BALANCE S001", "NOTICES", "STATS", "STATS by=reason",
    "STATS by=sku", "STATS by=location", "STATS by=clerk", "STATS by=party", "STATS by=day",
    "AUDIT limit=1000",
]


def every_kind(admin, clerk, sup, fin, round_):
    """One of each event kind; `round_` keeps names unique across the two rounds."""
    r = str(round_)
    admin.call("USER", "ADD", "clerk9" + r, role="clerk", password="pw" + r)     # userAdded
    admin.call("USER", "ROLE", "clerk9" + r, role="supervisor")                  # userRoleChanged
    admin.call("USER", "DISABLE", "clerk9" + r)                                  # userEnabledChanged
    admin.call("USER", "ENABLE", "clerk9" + r)
    admin.call("USER", "PASSWORD", "clerk9" + r, password="new" + r)             # userPasswordChanged
    admin.call("LOCATION", "ADD", "STORE9" + r, name="Golden store " + r, kind="store")
    admin.call("SKU", "ADD", "G" + r, name="Golden 金 " + r, price="12.34", cost="5.00", inspect="yes")
    admin.call("PARTY", "ADD", "customer", "C9" + r, name="客户 " + r)
    admin.call("PARTY", "ADD", "supplier", "S9" + r, name="Supplier " + r)
    admin.call("REASON", "ADD", "GOLD" + r, label="Golden reason " + r)
    admin.call("POLICY", "SET", window_days=str(30 + round_))                    # policyChanged
    clerk.call("PURCHASE", "PO-G" + r, "G%s:20" % r, "A100:10", location="STORE1", supplier="S9" + r)
    clerk.call("SALE", "S-G%sa" % r, "G%s:3" % r, "A100:2", location="STORE1", customer="C9" + r, paid="yes")
    clerk.call("SALE", "S-G%sb" % r, "G%s:2" % r, location="STORE1", customer="C9" + r, paid="no")
    clerk.call("SALE", "S-G%sc" % r, "A100:1", location="STORE1")
    fin.call("PAYMENT", "C9" + r, amount="7.50", direction="in", note="till 3 说明")   # paymentRecorded
    fin.call("PAYMENT", "S9" + r, amount="2.25", direction="out")
    ids = []
    ids.append(clerk.call("RETURN", "S-G%sa" % r, "G%s:1" % r, reason="DEFECTIVE", note="箱子破了", key="g%s-1" % r).id)
    ids.append(clerk.call("RETURN", "S-G%sa" % r, "A100:1", reason="GOLD" + r, key="g%s-2" % r).id)
    ids.append(clerk.call("RETURN", "S-G%sb" % r, "G%s:1" % r, reason="DAMAGED", location="STORE9" + r).id)
    ids.append(clerk.call("RETURN", "S-G%sc" % r, "A100:1", reason="DEFECTIVE", key="g%s-4" % r).id)
    ids.append(clerk.call("RETURN", "PO-G" + r, "G%s:2" % r, reason="DEFECTIVE", key="g%s-5" % r).id)
    sup.call("APPROVE", ids[0], note="ok")                                        # returnApproved, quarantine
    sup.call("APPROVE", ids[1], refund="credit")
    sup.call("INSPECT", ids[0], "restock", note="fine")                           # returnInspected
    sup.call("REJECT", ids[2], note="no proof")                                   # returnRejected
    sup.call("APPROVE", ids[3])                                                   # walk-in cash refund
    sup.call("APPROVE", ids[4])                                                   # supplier debit note
    extra = clerk.call("RETURN", "S-G%sb" % r, "G%s:1" % r, reason="DEFECTIVE").id
    clerk.call("CANCEL", extra)                                                   # returnCancelled
    try:
        Client("127.0.0.1", admin.port, user="clerk1", password="wrong" + r)      # loginFailed
    except ReturnLedgerError:
        pass
    # audited: every mutation above, and a refused one
    try:
        clerk.call("RETURN", "S-G%sa" % r, "G%s:9" % r, reason="DEFECTIVE")
    except ReturnLedgerError:
        pass


def make(binary, out, snapshot):
    data = os.path.join(out, "snapshot" if snapshot else "log-only")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data)
    server = ServerProcess(binary=binary, data=data, demo=True, admin_password=ADMIN)
    port = server.port
    try:
        admin, clerk, sup, fin = clients(port)
        every_kind(admin, clerk, sup, fin, 1)
        if snapshot:
            admin.call("SNAPSHOT")
        every_kind(admin, clerk, sup, fin, 2)
        write_answers(admin, os.path.join(out, ("snapshot" if snapshot else "log-only") + ".answers.txt"))
        for c in (admin, clerk, sup, fin):
            c.close()
    finally:
        server.close()
    remove_lock(data)


def clients(port):
    """admin, clerk1, supervisor1 and finance1, logged in: who every_kind runs as."""
    return (Client("127.0.0.1", port, user="admin", password=ADMIN),
            Client("127.0.0.1", port, user="clerk1", password="clerk1"),
            Client("127.0.0.1", port, user="supervisor1", password="supervisor1"),
            Client("127.0.0.1", port, user="finance1", password="finance1"))


def write_answers(admin, path):
    """Every query's reply, then DIGEST's, as the golden answers file holds them."""
    with open(path, "w") as f:
        for q in QUERIES:
            f.write("> " + q + "\n")
            reply = admin.pipeline([q])[0]
            for reply_line in reply.lines + [reply.status]:
                f.write(reply_line + "\n")
        f.write("> DIGEST\n")
        f.write(admin.pipeline(["DIGEST"])[0].status + "\n")


def pipelined(client, lines, refused=False):
    """The replies of `lines` sent together (the bursts of make_v14 and make_v16); any reply
    other than expected (refused, or not when `refused`) ends the run."""
    replies = client.pipeline(lines)
    wrong = [r.status for r in replies if r.ok == refused]
    if wrong:
        raise SystemExit("burst: %s" % wrong[:3])
    return replies


def remove_lock(data):
    """The directory as a stopped server leaves it, without its LOCK file."""
    lock = os.path.join(data, "LOCK")
    if os.path.exists(lock):
        os.remove(lock)


def arguments():
    """--bin and --out, the output folder made."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    return args


def main():
    args = arguments()
    make(args.bin, args.out, snapshot=False)
    make(args.bin, args.out, snapshot=True)


if __name__ == "__main__":
    main()
