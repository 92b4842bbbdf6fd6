#!/usr/bin/env python3
"""Writes the golden data directories of log format 9 with the server of that format.

Run once, with the binary built from a commit that writes format 9 (from issue 25's submission
up to the last before format 10):

    python3 tools/golden/make_v9.py --bin .build/release/returnledger --out Tests/Fixtures/golden-v9

The same two directories and query answers as `make_v8.py`, with what format 9 added on top of
every round: a taxed SKU, tax added on top for one sale with a discount, a partial return at a
fee, a return voided (its document chained), and a period close (three days back in the first
round, two in the second: Z totals kept). Every document carries its hash; the answers include VERIFY.
"""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_v1  # noqa: E402
import make_v8  # noqa: E402

_every_kind_v8 = make_v8.every_kind
TODAY = datetime.datetime.now(datetime.timezone.utc).date()
CLOSED = {1: (TODAY - datetime.timedelta(days=3)).isoformat(), 2: (TODAY - datetime.timedelta(days=2)).isoformat()}


def query(q):
    if q not in make_v1.QUERIES:
        make_v1.QUERIES.append(q)


def every_kind(admin, clerk, sup, fin, round_):
    _every_kind_v8(admin, clerk, sup, fin, round_)
    r = str(round_)
    admin.call("SKU", "ADD", "T9" + r, name="Taxed " + r, price="25.00", cost="10.00", tax="13")   # productAdded with a rate
    admin.call("POLICY", "SET", tax_included="no")                                                   # taxPolicyChanged
    clerk.call("SALE", "S-G%sx" % r, "T9%s:3" % r, "C400:2", location="STORE1", customer="C9" + r,  # lines with tax, discount
               discount="5.00")
    admin.call("POLICY", "SET", tax_included="yes")
    taxed = clerk.call("RETURN", "S-G%sx" % r, "T9%s:1" % r, reason="DEFECTIVE", key="g%s-tax" % r).id
    sup.call("APPROVE", taxed, fee="10")                                                             # fee_tax, net_tax
    voided = clerk.call("RETURN", "S-G%sx" % r, "C400:1", reason="DEFECTIVE", key="g%s-void" % r).id
    sup.call("APPROVE", voided)
    admin.call("VOID", voided, reason="DEFECTIVE", note="golden void")                              # returnVoided
    admin.call_line("PERIOD CLOSE %s note=golden" % CLOSED[round_])                                 # periodClosed
    for q in ("SHOW " + taxed, "SHOW " + voided, "ORDER S-G%sx" % r):
        query(q)


make_v1.every_kind = every_kind
for q in ("PERIOD SHOW", "PERIOD Z " + CLOSED[2], "VERIFY", "STATS", "BALANCE C91", "BALANCE C92"):
    query(q)

if __name__ == "__main__":
    make_v1.main()
