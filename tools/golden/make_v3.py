#!/usr/bin/env python3
"""Writes the golden data directories of log format 3 with the server of that format.

Run once, with the binary built from the last commit that wrote format 3 (dcff7f8):

    python3 tools/golden/make_v3.py --bin /tmp/base/.build/release/returnledger --out Tests/Fixtures/golden-v3

The same two directories and query answers as `make_v1.py`, with the events format 3 added on
top of every round: users created with locations, and `USER SCOPE` (event `userScoped`).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_v1  # noqa: E402

_every_kind_v1 = make_v1.every_kind


def every_kind(admin, clerk, sup, fin, round_):
    _every_kind_v1(admin, clerk, sup, fin, round_)
    r = str(round_)
    admin.call("USER", "ADD", "clerk8" + r, role="clerk", password="pw" + r, locations="STORE1,STORE9" + r)
    admin.call("USER", "SCOPE", "clerk9" + r, locations="STORE9" + r)              # userScoped
    admin.call("USER", "SCOPE", "clerk8" + r, locations="*")


make_v1.every_kind = every_kind
make_v1.QUERIES = make_v1.QUERIES + ["STATS location=STORE1", "LIST location=STORE1 limit=1000"]

if __name__ == "__main__":
    make_v1.main()
