#!/usr/bin/env python3
"""Writes the golden data directories of log format 11 with the server of that format.

Run once, with the binary built from a commit that writes format 11 (from issue 27's submission
up to the last before format 12):

    python3 tools/golden/make_v11.py --bin .build/debug/returnledger --out Tests/Fixtures/golden-v11

The same two directories and query answers as `make_v10.py`, with what format 11 added on top of
every round: a back room in a store's site and a second store, transfers through transit received
short, within the site at once, and one called back; an ADJUST and a COUNT; a category with a
window and a fee, a final-sale SKU, a return an override let through (final sale waived), and an
approval with fees at two rates; a serial-tracked SKU bought, sold, returned by its serial and
moved to the other store.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_v1  # noqa: E402
import make_v9  # noqa: E402
import make_v10  # noqa: E402
import make_v5  # noqa: E402

make_v5.exchange_stock_first = True

_every_kind_v10 = make_v10.every_kind


def every_kind(admin, clerk, sup, fin, round_):
    _every_kind_v10(admin, clerk, sup, fin, round_)
    r = str(round_)
    store, back, sku = "STORE9" + r, "BACK9" + r, "K11" + r
    admin.call("LOCATION", "ADD", back, name="Back room " + r, kind="warehouse", site="STORE1")      # locationAdded with a site
    admin.call("CATEGORY", "ADD", "CAT" + r, name="Kitchen " + r, return_days="14", fee="10")      # categoryAdded
    admin.call("CATEGORY", "ADD", "FIN" + r, name="Final " + r, final_sale="yes")
    admin.call("SKU", "ADD", sku, name="Kettle " + r, price="25.00", cost="14.00", category="CAT" + r)  # productAdded with terms
    admin.call("SKU", "ADD", sku + "-F", name="Socks " + r, price="6.50", cost="3.00", category="FIN" + r, fee="12.5")
    clerk.call("PURCHASE", "PO-G%sk" % r, "%s:10" % sku, "%s-F:10" % sku, location="STORE1", supplier="S9" + r)
    clerk.call("TRANSFER", "SEND", "TG%s-1" % r, "%s:5" % sku, **{"from": "STORE1"}, to=store)     # transferSent (transit)
    clerk.call("TRANSFER", "RECEIVE", "TG%s-1" % r, "%s:4" % sku, note="one missing")             # transferReceived
    clerk.call("TRANSFER", "SEND", "TG%s-2" % r, "%s:1" % sku, **{"from": "STORE1"}, to=back)      # within the site
    clerk.call("TRANSFER", "SEND", "TG%s-3" % r, "%s:1" % sku, **{"from": "STORE1"}, to=store)
    clerk.call("TRANSFER", "CANCEL", "TG%s-3" % r)                                                   # transferCancelled
    sup.call("ADJUST", "out", "%s:1" % sku, location="STORE1", reason="damage", key="g%s-adj" % r)  # stockAdjusted
    sup.call("COUNT", "%s:2" % sku, location=store, key="g%s-cnt" % r)                             # stockCounted
    clerk.call("SALE", "S-G%sk" % r, "%s:1" % sku, "%s-F:2" % sku, location="STORE1", customer="C9" + r)
    waived = sup.call("RETURN", "S-G%sk" % r, "%s:1" % sku, "%s-F:1" % sku, reason="DEFECTIVE", override="yes",
                      key="g%s-ovr" % r).id                                                          # waivers
    admin.call("APPROVE", waived)                                                                    # fees at 10 and 12.5
    phone, sn = "P11" + r, "SN%s-" % r
    admin.call("SKU", "ADD", phone, name="Phone " + r, price="30.00", cost="20.00", serial="yes")    # a serial SKU
    clerk.call("PURCHASE", "PO-G%sp" % r, "%s:3/%s1/%s2/%s3" % (phone, sn, sn, sn), location="STORE1", supplier="S9" + r)
    clerk.call("SALE", "S-G%sp" % r, "%s:1/%s1" % (phone, sn), location="STORE1", customer="C9" + r)
    back = clerk.call("RETURN", "S-G%sp" % r, "%s:1/%s1" % (phone, sn), reason="DEFECTIVE", key="g%s-sn" % r).id
    admin.call("APPROVE", back)                                                                      # the serial back on hand
    clerk.call("TRANSFER", "SEND", "TG%s-4" % r, "%s:1/%s2" % (phone, sn), **{"from": "STORE1"}, to=store)
    clerk.call("TRANSFER", "RECEIVE", "TG%s-4" % r)
    for q in ("TRANSFER SHOW TG%s-1" % r, "TRANSFER SHOW TG%s-2" % r, "TRANSFER SHOW TG%s-3" % r, "SHOW " + waived,
              "ORDER S-G%sk" % r, "STOCK " + sku, "STOCK %s serials=yes" % phone, "ORDER S-G%sp" % r, "SHOW " + back,
              "LIST serial=%s1" % sn, "TRANSFER SHOW TG%s-4" % r):
        make_v9.query(q)


make_v1.every_kind = every_kind
for q in ("CATEGORY LIST", "LOCATION LIST", "SKU LIST"):
    make_v9.query(q)

if __name__ == "__main__":
    make_v1.main()
