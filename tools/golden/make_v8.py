#!/usr/bin/env python3
"""Writes the golden data directories of log format 8 with the server of that format.

Run once, with the binary built from a commit that writes format 8 (from issue 24's submission
up to the last before format 9):

    python3 tools/golden/make_v8.py --bin .build/release/returnledger --out Tests/Fixtures/golden-v8

The same two directories and query answers as `make_v7.py`, with what format 8 added on top of
every round: the tender policy set, a till opened, paid into, used by a card-and-cash sale and a
refund split over them, store credit issued by a return without a receipt and spent on a sale,
and the till closed short.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_v1  # noqa: E402
import make_v7  # noqa: E402

_every_kind_v7 = make_v7.every_kind


def every_kind(admin, clerk, sup, fin, round_):
    _every_kind_v7(admin, clerk, sup, fin, round_)
    r = str(round_)
    till = "POS9" + r
    admin.call("POLICY", "SET", credit_days="30", offline_hours="48")                       # tenderPolicyChanged
    clerk.call("TILL", "OPEN", till, location="STORE1", float="100.00", note="golden")       # tillOpened
    clerk.call("TILL", "PAYIN", till, amount="5.00", note="change")                          # tillMoved
    clerk.call("SALE", "S-G%st" % r, "A100:2@25.00", location="STORE1", customer="C9" + r,   # orderRecorded with tenders
               tender="card:30.00#4242,cash:20.00", till=till)
    sale_return = clerk.call("RETURN", "S-G%st" % r, "A100:1", reason="DEFECTIVE", key="g%s-t" % r, till=till).id
    sup.call("APPROVE", sale_return)                                                          # refund card:15.00, cash:10.00
    credit_return = clerk.call("RETURN", "-", "A100:1", location="STORE1", customer="C9" + r, reason="DEFECTIVE",
                               key="g%s-c" % r).id
    sup.call("APPROVE", credit_return)                                                        # creditIssued
    clerk.call("SALE", "S-G%su" % r, "C400:1@6.50", location="STORE1", customer="C9" + r,     # creditDrawn
               tender="credit:5.00,cash:1.50", till=till)
    clerk.call("TILL", "CLOSE", till, counted="116.00", note="short")                        # tillClosed: 116.50 expected


make_v1.every_kind = every_kind
make_v1.QUERIES = make_v1.QUERIES + ["TILL LIST limit=100", "TILL SHOW POS91", "TILL SHOW POS92", "CREDIT C91", "CREDIT C92",
                                     "ORDER S-G1t", "ORDER S-G2t", "ORDER S-G1u", "ORDER S-G2u"]

if __name__ == "__main__":
    make_v1.main()
