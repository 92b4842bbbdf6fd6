#!/usr/bin/env python3
"""Writes the golden data directories of log format 7 with the server of that format.

Run once, with the binary built from a commit that writes format 7 (7deca6c up to the last
before format 8):

    python3 tools/golden/make_v7.py --bin .build/release/returnledger --out Tests/Fixtures/golden-v7

The same two directories and query answers as `make_v6.py`, with what format 7 changed on top of
every round: two equal payments of one party one after the other (most often in one second),
whose `paymentRecorded` records carry their own numbers, so FEED's answer shows both.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_v1  # noqa: E402
import make_v6  # noqa: E402

_every_kind_v6 = make_v6.every_kind


def every_kind(admin, clerk, sup, fin, round_):
    _every_kind_v6(admin, clerk, sup, fin, round_)
    r = str(round_)
    for _ in range(2):                                                             # paymentRecorded with its number
        fin.call("PAYMENT", "C9" + r, amount="3.00", direction="in", note="twice")


make_v1.every_kind = every_kind

if __name__ == "__main__":
    make_v1.main()
