#!/usr/bin/env python3
"""Writes the golden data directories of log format 10 with the server of that format.

Run once, with the binary built from a commit that writes format 10 (from issue 26's submission
up to the last before format 11):

    python3 tools/golden/make_v10.py --bin .build/debug/returnledger --out Tests/Fixtures/golden-v10

The same two directories and query answers as `make_v9.py`, with what format 10 added on top of
every round: a supplier that wants RMAs and a SKU that names it, a customer return inspected in
two steps (to the vendor shelf and for repair, then a regrade), the repaired unit restocked with
DISPOSE, the vendor-held unit sent back from rtv without an order (its RMA given at approval), and
the supplier's short credit note.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_v1  # noqa: E402
import make_v9  # noqa: E402

_every_kind_v9 = make_v9.every_kind


def every_kind(admin, clerk, sup, fin, round_):
    _every_kind_v9(admin, clerk, sup, fin, round_)
    r = str(round_)
    supplier, sku = "S10" + r, "V10" + r
    admin.call("PARTY", "ADD", "supplier", supplier, name="Vendor " + r, rma_required="yes")       # partyAdded with rma_required
    admin.call("SKU", "ADD", sku, name="Vendor goods " + r, price="40.00", cost="20.00", inspect="yes", supplier=supplier)
    admin.call("SKU", "ADD", sku + "-B", name="Seconds " + r, price="25.00", cost="12.00")
    clerk.call("PURCHASE", "PO-G%sv" % r, "%s:6" % sku, location="STORE1", supplier=supplier)
    clerk.call("SALE", "S-G%sv" % r, "%s:3" % sku, location="STORE1")
    inspected = clerk.call("RETURN", "S-G%sv" % r, "%s:3" % sku, reason="DEFECTIVE", key="g%s-insp" % r).id
    sup.call("APPROVE", inspected)
    sup.call("INSPECT", inspected, vendor="%s:1" % sku, refurbish="%s:1" % sku, note="split")       # returnDisposed
    sup.call("INSPECT", inspected, regrade="%s:1>%s-B" % (sku, sku))
    sup.call("DISPOSE", location="STORE1", **{"from": "refurbish"}, restock="%s:1" % sku, key="g%s-d" % r)  # stockDisposed
    back = clerk.call("RETURN", "-", "%s:1" % sku, supplier=supplier, location="STORE1", reason="DEFECTIVE", source="rtv",
                      expected="18.00", key="g%s-rtv" % r).id
    admin.call("APPROVE", back, rma="RMA-G" + r)
    fin.call("VENDOR", "CREDIT", back, amount="15.00", ref="CN-G" + r)                               # vendorCredited
    for q in ("SHOW " + inspected, "SHOW " + back, "STOCK " + sku, "STOCK supplier=" + supplier):
        make_v9.query(q)


make_v1.every_kind = every_kind
for q in ("STATS by=disposition", "STATS by=supplier", "PARTY LIST"):
    make_v9.query(q)

if __name__ == "__main__":
    make_v1.main()
