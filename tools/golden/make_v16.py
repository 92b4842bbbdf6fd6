#!/usr/bin/env python3
"""Writes the golden data directories of log format 16 with the server of that format.

Run once, with the binary built from a commit that writes format 16 (from issue 30's archived
returns leaving memory up to the last before format 17):

    python3 tools/golden/make_v16.py --bin .build/debug/returnledger --out Tests/Fixtures/golden-v16

Format 16 writes the returns with the runs of their chunks (1,024 returns) that left memory for an
archive, the return-key index as held (a key of a released return is not in memory) and the
document chain's head. So after golden-v15's rounds and burst, each directory gets a second burst
big enough to release a chunk of returns: a walk-in sale of 2,070 units, 2,070 keyed returns of one
unit each, all approved (documents, refunds), before the day is closed and archived (`snapshot`:
then a SNAPSHOT, which holds the released chunk). The answers read released returns back: SHOW,
ORDER, LIST by order, FEED of their approvals, VERIFY through their documents, STATS by disposition.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_v1  # noqa: E402
import make_v13  # noqa: E402
import make_v14  # noqa: E402  (golden-v14's queries and its burst)
import make_v15  # noqa: E402,F401  (golden-v15's queries)
import make_v9  # noqa: E402

# Returns 41 to 2,110: the second chunk (returns 1,025 to 2,048) is all finished and archived (the
# first holds the rounds' open returns and unspent credit).
RETURNS = 2_070

# A thousand newest returns, every notice and a thousand audit entries would be most of the
# answers (golden-v14 and v15 answer them): a page of each instead.
for q in ("LIST limit=1000", "LIST location=STORE1 limit=1000", "NOTICES", "AUDIT limit=1000"):
    make_v1.QUERIES.remove(q)
make_v1.QUERIES.remove("FEED from=2400 limit=100000")
for q in ("LIST limit=60", "LIST location=STORE1 limit=60", "LIST order=S-B16 limit=5", "LIST order=S-B16 before=R001100 limit=5",
          "LIST order=S-B16 before=R001030 limit=8", "ORDER S-B16", "SHOW R000041", "SHOW R001024", "SHOW R001025", "SHOW R002048",
          "SHOW R002049", "AUDIT limit=20", "NOTICES party=C92", "STATS by=disposition", "STATS by=reason",
          "FEED from=2400 limit=40", "FEED from=3400 limit=40", "FEED from=4500 limit=40"):
    make_v9.query(q)


def burst(admin, clerk, sup, fin):
    """golden-v15's burst, then returns past a chunk's 1,024, pipelined and approved."""
    make_v14.burst(admin, clerk, sup, fin)
    clerk.call("PURCHASE", "PO-B16", "A100:%d" % RETURNS, location="STORE1", supplier="S91")
    clerk.call("SALE", "S-B16", "A100:%d" % RETURNS, location="STORE1")
    filed = make_v1.pipelined(clerk, ["RETURN S-B16 A100:1 reason=DEFECTIVE key=b16-%d" % i for i in range(RETURNS)])
    make_v1.pipelined(sup, ["APPROVE %s" % r.id for r in filed])


def main():
    args = make_v1.arguments()
    for snapshot in (False, True):
        make_v13.make(args.bin, args.out, snapshot, before_close=burst, note="golden 16")


if __name__ == "__main__":
    main()
