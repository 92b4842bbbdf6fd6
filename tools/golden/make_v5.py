#!/usr/bin/env python3
"""Writes the golden data directories of log format 5 with the server of that format.

Run once, with the binary built from a commit that writes format 5 (the one after 2b7c9c7 up to
the last before format 6):

    python3 tools/golden/make_v5.py --bin .build/release/returnledger --out Tests/Fixtures/golden-v5

The same two directories and query answers as `make_v4.py`, with what format 5 added on top of
every round: reasons with fees (`REASON ADD fee=`, `REASON SET`), customer limits
(`customerLimitsChanged`), an exchange with a fee, a return without a receipt with a fee given at
approval, one filed over the limit with an override, and catalogue changes (SKU, PARTY, LOCATION
SET).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_v1  # noqa: E402
import make_v4  # noqa: E402

_every_kind_v4 = make_v4.every_kind
# Servers from format 11 on give an exchange only from stock on hand (the contract's 22.3): the
# scripts of those formats set this, and the replacement is bought first.
exchange_stock_first = False


def every_kind(admin, clerk, sup, fin, round_):
    _every_kind_v4(admin, clerk, sup, fin, round_)
    r = str(round_)
    admin.call("REASON", "ADD", "FEE" + r, label="Restocking " + r, fee="12.5")      # reason with a fee
    admin.call("REASON", "SET", "CHANGED_MIND", fee=str(5 * round_))
    admin.call("POLICY", "SET", customer_returns="50", customer_days="30")          # customerLimitsChanged
    if exchange_stock_first:
        clerk.call("PURCHASE", "PO-G%se" % r, "C400:5", location="STORE1", supplier="S9" + r)
    clerk.call("SALE", "S-G%se" % r, "A100:2", "C400:2", location="STORE1", customer="C9" + r)
    swap = clerk.call("RETURN", "S-G%se" % r, "A100:1", reason="FEE" + r, exchange="C400:1", key="g%s-x" % r).id
    sup.call("APPROVE", swap)                                                      # exchange, fee 3.13
    slip = clerk.call("RETURN", "-", "C400:1", location="STORE1", customer="C9" + r, reason="DEFECTIVE",
                      key="g%s-n" % r).id
    sup.call("APPROVE", slip, fee="50")                                            # no receipt, fee given
    admin.call("POLICY", "SET", customer_returns="1")
    sup.call("RETURN", "S-G%se" % r, "C400:1", reason="CHANGED_MIND", override="yes", key="g%s-o" % r)
    admin.call("POLICY", "SET", customer_returns="0")
    admin.call("SKU", "SET", "G" + r, price="13.00", name="Golden 金 %s v2" % r)      # catalogue changes
    admin.call("PARTY", "SET", "C9" + r, name="客户 %s (renamed)" % r)
    admin.call("LOCATION", "SET", "STORE9" + r, name="Golden store %s, moved" % r)


make_v1.every_kind = every_kind
make_v1.QUERIES = make_v1.QUERIES + ["SHOW R0000%d" % n for n in range(17, 23)] + [
    "ORDER S-G1e", "ORDER S-G2e", "ORDER X-R000009", "ORDER X-R000020", "LIST party=C91 limit=1000", "LIST order=S-G2e"]

if __name__ == "__main__":
    make_v1.main()
