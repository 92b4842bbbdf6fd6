#!/usr/bin/env python3
"""Writes the golden data directories of log format 14 with the server of that format.

Run once, with the binary built from a commit that writes format 14 (from issue 30's archived
records leaving memory up to the last before format 15):

    python3 tools/golden/make_v14.py --bin .build/debug/returnledger --out Tests/Fixtures/golden-v14

Format 14 writes the state's audit trail, notices and each party's ledger entries with the runs of
their chunks (1,024 records) that left memory for an archive, and ends the state with each party's
brought-forward sum. So after `make_v13.py`'s rounds each directory gets a burst big enough to
release chunks: 1,100 payments of one customer, C95 (its ledger entries, and audit entries), and
1,100 refused payments (audit entries only), before the day is closed and archived (`snapshot` with
`purchases=all`, then a SNAPSHOT, which holds released chunks, and a refused SALE after it).
Notices are written the same way as ledger entries; a thousand of them would need a thousand
approvals, and the fixture stays small without them.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_v1  # noqa: E402
import make_v11  # noqa: E402,F401  (sets make_v1.every_kind and the queries of format 11)
import make_v13  # noqa: E402  (the queries of format 13, and its directories' making)
import make_v9  # noqa: E402

BURST = 1_100

for q in ("BALANCE C95", "AUDIT after=0 limit=3", "AUDIT after=1500 limit=3", "AUDIT user=finance1 after=0 limit=3"):
    make_v9.query(q)
# The whole FEED would list every payment of the burst: its first records and its last instead.
make_v1.QUERIES.remove("FEED from=0 limit=100000")
make_v9.query("FEED from=0 limit=400")
make_v9.query("FEED from=2400 limit=100000")


def burst(admin, clerk, sup, fin):
    """Audit entries and one account's entries past a chunk's 1,024 each, pipelined: payments of
    C95, and as many refused payments (to a party that does not exist: audited, nothing else)."""
    admin.call("PARTY", "ADD", "customer", "C95", name="Burst")
    make_v1.pipelined(fin, ["PAYMENT C95 amount=1.%02d direction=in note=b%d" % (i % 100, i) for i in range(BURST)])
    make_v1.pipelined(fin, ["PAYMENT NOBODY amount=1.00 direction=in"] * BURST, refused=True)


def main():
    args = make_v1.arguments()
    for snapshot in (False, True):
        make_v13.make(args.bin, args.out, snapshot, before_close=burst, note="golden 14")


if __name__ == "__main__":
    main()
