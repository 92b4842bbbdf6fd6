#!/usr/bin/env python3
"""Writes the golden data directories of log format 6 with the server of that format.

Run once, with the binary built from a commit that writes format 6 (dccf745 up to the last
before format 7):

    python3 tools/golden/make_v6.py --bin .build/release/returnledger --out Tests/Fixtures/golden-v6

The same two directories and query answers as `make_v5.py`, with what format 6 added on top of
every round: the business day moved to Shanghai (`timezoneChanged`) and a return approved after
it (its document dated by the Shanghai date), then to a fixed offset. The server runs with
`--backup-every 0` (format 6 also brought backups: none next to the fixtures) and the directories
keep their `EPOCH`, so FEED's answers are fixed too.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_v1  # noqa: E402
import make_v5  # noqa: E402

_every_kind_v5 = make_v5.every_kind


def every_kind(admin, clerk, sup, fin, round_):
    _every_kind_v5(admin, clerk, sup, fin, round_)
    r = str(round_)
    admin.call("POLICY", "SET", timezone="Asia/Shanghai")                          # timezoneChanged
    clerk.call("SALE", "S-G%sz" % r, "A100:2", location="STORE1", customer="C9" + r)
    late = clerk.call("RETURN", "S-G%sz" % r, "A100:1", reason="DEFECTIVE", key="g%s-z" % r).id
    sup.call("APPROVE", late)                                                      # a document on Shanghai's date
    admin.call("POLICY", "SET", timezone="+05:30")                                 # a fixed offset


class Launcher(make_v1.ServerProcess):
    """The library's launcher with no automatic backups beside the fixture."""

    def __init__(self, *a, **k):
        k["args"] = list(k.get("args", ())) + ["--backup-every", "0"]
        super().__init__(*a, **k)


make_v1.ServerProcess = Launcher
make_v1.every_kind = every_kind
make_v1.QUERIES = make_v1.QUERIES + ["FEED from=0 limit=100000"]

if __name__ == "__main__":
    make_v1.main()
