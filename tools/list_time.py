#!/usr/bin/env python3
"""How long LIST takes on a big history: median and worst of N calls for each filter, as admin and
as a supervisor scoped to one store (issue 30: a filtered or store-scoped LIST on 1M returns under
10 ms). Against a running server on a `wal seed` directory (stores STORE1-3, admin password pw):

    .build/release/wal seed /tmp/big --returns 1000000 --per-order 100 --password pw --snapshot
    RETURNLEDGER_ADMIN_PASSWORD=pw .build/release/returnledger --data /tmp/big --port 7490 &
    python3 tools/list_time.py --port 7490

Creates the user `lead2` (supervisor of STORE2) when missing. Standard library only.
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
from returnledger import Client, ReturnLedgerError  # noqa: E402

CASES = [("admin", "PING"), ("admin", "LIST limit=20"), ("admin", "LIST location=STORE2 limit=20"),
         ("admin", "LIST state=approved limit=20"), ("admin", "LIST state=rejected limit=20"),
         ("admin", "LIST kind=sale location=STORE3 from=2000-01-01 to=2100-01-01 limit=20"),
         ("lead2", "LIST limit=20"), ("lead2", "LIST state=approved limit=20 before=R500000"),
         ("admin", "LIST party=C0 limit=20")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--password", default="pw")
    ap.add_argument("--calls", type=int, default=20)
    args = ap.parse_args()
    admin = Client("127.0.0.1", args.port, user="admin", password=args.password)
    try:
        admin.call_line("USER ADD lead2 role=supervisor password=%s locations=STORE2" % args.password)
    except ReturnLedgerError as e:
        if e.code != "EXISTS":
            raise
    lead = Client("127.0.0.1", args.port, user="lead2", password=args.password)
    for who, line in CASES:
        client = admin if who == "admin" else lead
        times = []
        for _ in range(args.calls):
            start = time.perf_counter()
            reply = client.call_line(line)
            times.append((time.perf_counter() - start) * 1000)
        extra = "" if line == "PING" else " total=%s count=%s" % (reply.get("total"), reply.get("count"))
        print("%-78s median %7.2f ms  max %7.2f ms%s" % (who + ": " + line, statistics.median(times), max(times), extra))


if __name__ == "__main__":
    main()
