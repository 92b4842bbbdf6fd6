#!/usr/bin/env python3
"""Writes the golden data directories of log format 15 with the server of that format.

Run once, with the binary built from a commit that writes format 15 (from issue 30's STATS kept in
the state up to the last before format 16):

    python3 tools/golden/make_v15.py --bin .build/debug/returnledger --out Tests/Fixtures/golden-v15

Format 15 ends the state with STATS' buckets (per filing date, kind and location: counts, sums,
refunds per tender, approval times, the reason, clerk, party and SKU groups) and the units sold per
sale date and location, which a loaded state keeps instead of rebuilding them from its returns.
The rounds are golden-v14's (make_v13's two rounds of every kind of record, then make_v14's burst
that releases chunks of the audit trail and of an account, then PERIOD CLOSE and ARCHIVE), so the
`snapshot` directory's SNAPSHOT holds buckets with approvals, rejections, voids, fees, tax and every
tender, and STATS' answers (every grouping, by location, by day) are compared after upgrade.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_v1  # noqa: E402
import make_v13  # noqa: E402
import make_v14  # noqa: E402  (golden-v14's queries and its burst)
import make_v9  # noqa: E402

for q in ("STATS by=day from=2000-01-01", "STATS kind=purchase by=party", "STATS kind=sale by=sku"):
    make_v9.query(q)


def main():
    args = make_v1.arguments()
    for snapshot in (False, True):
        make_v13.make(args.bin, args.out, snapshot, before_close=make_v14.burst, note="golden 15")


if __name__ == "__main__":
    main()
