#!/usr/bin/env python3
"""Writes the golden data directories of log format 4 with the server of that format.

Run once, with the binary built from the last commit that wrote format 4 (4ab38f0):

    python3 tools/golden/make_v4.py --bin .build/release/returnledger --out Tests/Fixtures/golden-v4

The same two directories and query answers as `make_v3.py`, with the events format 4 added on
top of every round: rules added and dropped (`ruleAdded`, `ruleDropped`), a return that a
`then=second` rule sends through a first approval (`returnFirstApproved`) and a second one, and
an auto-approved return.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_v1  # noqa: E402
import make_v3  # noqa: E402

_every_kind_v3 = make_v3.every_kind


def every_kind(admin, clerk, sup, fin, round_):
    _every_kind_v3(admin, clerk, sup, fin, round_)
    r = str(round_)
    admin.call("RULE", "ADD", "BIG" + r, then="second", min_amount="20.00", role="finance",
               location="STORE1", note="two words " + r)                          # ruleAdded
    admin.call("RULE", "ADD", "TINY" + r, then="auto", max_amount="1.00", kind="sale", location="STORE1")
    admin.call("RULE", "ADD", "GONE" + r, then="inspect", reason="DAMAGED")
    admin.call("RULE", "DROP", "GONE" + r)                                        # ruleDropped
    clerk.call("SALE", "S-G%sd" % r, "A100:3@10.00", "A200:2@0.50", location="STORE1", customer="C9" + r)
    big = clerk.call("RETURN", "S-G%sd" % r, "A100:3", reason="DEFECTIVE", key="g%s-big" % r).id
    sup.call("APPROVE", big, note="first")                                        # returnFirstApproved
    fin.call("APPROVE", big, refund="credit", note="second")
    clerk.call("RETURN", "S-G%sd" % r, "A200:1", reason="CHANGED_MIND", key="g%s-tiny" % r)   # auto
    admin.call("RULE", "DROP", "BIG" + r)
    admin.call("RULE", "DROP", "TINY" + r)


make_v1.every_kind = every_kind
make_v1.QUERIES = make_v1.QUERIES + ["RULE LIST"] + ["SHOW R0000%d" % n for n in range(11, 17)]

if __name__ == "__main__":
    make_v1.main()
