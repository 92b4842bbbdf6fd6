"""export.py's tables for goods after the return (section 21), fed recorded FEED lines (no
server): four B777 headphones back, inspected a few at a time (two to the vendor shelf, one sold
as a second, one restocked); the two vendor-held ones returned to the supplier without an order
from rtv, approved with its RMA and credited short; one more back for repair and restocked by a
DISPOSE; one returned against the purchase with an RMA and a lower expected credit. And a target
an older export.py filled takes the new tables with its slots summed from its moves."""
import os
import shutil
import sqlite3
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
sys.path.insert(0, PYDIR)
sys.path.insert(0, HERE)
import export  # noqa: E402
from test_export_documents import feed  # noqa: E402

# Recorded from the server of commit 0a01e33 (protocol.md's "Goods after the return" story and
# DISPOSE's, on a demo server): sku.added, order.line and doc.* lines left out.
GOODS = """\
* seq=33 at=2026-12-06T15:28:23Z user=admin type=party.added id=S777 kind=supplier name="Sound Supply" rma_required=yes
* seq=36 at=2026-12-06T15:28:23Z user=admin type=party.added id=C777 kind=customer name="Dana Lee" rma_required=""
* seq=37 at=2026-12-06T15:28:23Z user=admin type=purchase.recorded order=PO-777 location=STORE1 party=S777 total=310.00 paid=no rec_at=2026-12-06T15:28:23Z discount=0.00 tax=0.00
* seq=37 at=2026-12-06T15:28:23Z user=admin type=stock.moved sku=B777 location=STORE1 batch="" on_hand=10 quarantine=0 doc=PO-777 rtv=0 refurbish=0 transit=0 serials=""
* seq=37 at=2026-12-06T15:28:23Z user=admin type=ledger.entry party=S777 kind=purchase doc=PO-777 amount=-310.00
* seq=38 at=2026-12-06T15:28:23Z user=admin type=sale.recorded order=S-777 location=STORE1 party=C777 total=236.00 paid=yes rec_at=2026-12-06T15:28:23Z tender=cash:236.00 till="" session="" discount=0.00 tax=0.00
* seq=38 at=2026-12-06T15:28:23Z user=admin type=stock.moved sku=B777 location=STORE1 batch="" on_hand=-4 quarantine=0 doc=S-777 rtv=0 refurbish=0 transit=0 serials=""
* seq=38 at=2026-12-06T15:28:23Z user=admin type=ledger.entry party=C777 kind=sale doc=S-777 amount=236.00
* seq=38 at=2026-12-06T15:28:23Z user=admin type=ledger.entry party=C777 kind=payment doc=S-777 amount=-236.00
* seq=39 at=2026-12-06T15:28:23Z user=admin type=return.filed id=R000001 order=S-777 party=C777 location=STORE1 kind=sale amount=236.00 reason=DEFECTIVE filed_by=admin note="" key="" exchange="" override=no taken_at=2026-12-06T15:28:23Z till="" rma="" source="" expected=""
* seq=39 at=2026-12-06T15:28:23Z user=admin type=return.item id=R000001 line=1 sku=B777 qty=4 batch="" price=59.00 amount=236.00
* seq=41 at=2026-12-06T15:28:23Z user=supervisor1 type=return.approved id=R000001 doc=RT-20261206-0001 amount=236.00 by=supervisor1 state=inspecting refund=cash fee=0.00 net=236.00 credited=236.00 refunded=236.00 due="" paid_in=0.00 exchange_order="" note="" refund_parts=cash:236.00 tender="" session="" tender_override=no tax=0.00 fee_tax=0.00 net_tax=0.00 hash=6234ab0281f22b4a9f5e9fb4d14a7ab0c820d9c78f77b41acfb2e2a2bc74dd98 rma=""
* seq=41 at=2026-12-06T15:28:23Z user=supervisor1 type=stock.moved sku=B777 location=STORE1 batch="" on_hand=0 quarantine=4 doc=RT-20261206-0001 rtv=0 refurbish=0 transit=0 serials=""
* seq=41 at=2026-12-06T15:28:23Z user=supervisor1 type=ledger.entry party=C777 kind=credit_note doc=RT-20261206-0001 amount=-236.00
* seq=41 at=2026-12-06T15:28:23Z user=supervisor1 type=ledger.entry party=C777 kind=payment doc=RT-20261206-0001 amount=236.00
* seq=42 at=2026-12-06T15:28:23Z user=supervisor1 type=return.inspected id=R000001 disposition=vendor,regrade by=supervisor1 note="two buzz, one scuffed" left=1 value=-11.00
* seq=42 at=2026-12-06T15:28:23Z user=supervisor1 type=disposition.line id=R000001 sku=B777 batch="" qty=2 disposition=vendor to_sku="" serials="" value=0.00
* seq=42 at=2026-12-06T15:28:23Z user=supervisor1 type=disposition.line id=R000001 sku=B777 batch="" qty=1 disposition=regrade to_sku=B777-B serials="" value=-11.00
* seq=42 at=2026-12-06T15:28:23Z user=supervisor1 type=stock.moved sku=B777 location=STORE1 batch="" on_hand=0 quarantine=-2 doc=RT-20261206-0001 rtv=2 refurbish=0 transit=0 serials=""
* seq=42 at=2026-12-06T15:28:23Z user=supervisor1 type=stock.moved sku=B777 location=STORE1 batch="" on_hand=0 quarantine=-1 doc=RT-20261206-0001 rtv=0 refurbish=0 transit=0 serials=""
* seq=42 at=2026-12-06T15:28:23Z user=supervisor1 type=stock.moved sku=B777-B location=STORE1 batch="" on_hand=1 quarantine=0 doc=RT-20261206-0001 rtv=0 refurbish=0 transit=0 serials=""
* seq=43 at=2026-12-06T15:28:23Z user=supervisor1 type=return.inspected id=R000001 disposition=restock by=supervisor1 note="" left=0 value=0.00
* seq=43 at=2026-12-06T15:28:23Z user=supervisor1 type=disposition.line id=R000001 sku=B777 batch="" qty=1 disposition=restock to_sku="" serials="" value=0.00
* seq=43 at=2026-12-06T15:28:23Z user=supervisor1 type=stock.moved sku=B777 location=STORE1 batch="" on_hand=1 quarantine=-1 doc=RT-20261206-0001 rtv=0 refurbish=0 transit=0 serials=""
* seq=44 at=2026-12-06T15:28:23Z user=supervisor1 type=return.filed id=R000002 order="" party=S777 location=STORE1 kind=purchase amount=62.00 reason=DEFECTIVE filed_by=supervisor1 note="" key=rtv-777 exchange="" override=no taken_at=2026-12-06T15:28:23Z till="" rma="" source=rtv expected=62.00
* seq=44 at=2026-12-06T15:28:23Z user=supervisor1 type=return.item id=R000002 line=1 sku=B777 qty=2 batch="" price=31.00 amount=62.00
* seq=46 at=2026-12-06T15:28:23Z user=admin type=return.approved id=R000002 doc=RT-20261206-0002 amount=62.00 by=admin state=approved refund=credit fee=0.00 net=62.00 credited=62.00 refunded=0.00 due="" paid_in=0.00 exchange_order="" note="" refund_parts="" tender="" session="" tender_override=no tax=0.00 fee_tax=0.00 net_tax=0.00 hash=200450acc877a740d1d3869fbc944ebd6e0f20278229ed4192efd8bc1a39cd4c rma=RMA-88
* seq=46 at=2026-12-06T15:28:23Z user=admin type=stock.moved sku=B777 location=STORE1 batch="" on_hand=0 quarantine=0 doc=RT-20261206-0002 rtv=-2 refurbish=0 transit=0 serials=""
* seq=46 at=2026-12-06T15:28:23Z user=admin type=ledger.entry party=S777 kind=debit_note doc=RT-20261206-0002 amount=62.00
* seq=48 at=2026-12-06T15:28:24Z user=finance1 type=return.vendor_credited id=R000002 expected=62.00 received=55.00 difference=-7.00 ref=CN-5512 note=""
* seq=48 at=2026-12-06T15:28:24Z user=finance1 type=ledger.entry party=S777 kind=credit_difference doc=RT-20261206-0002 amount=-7.00
* seq=50 at=2026-12-06T15:28:24Z user=admin type=sale.recorded order=S-778 location=STORE1 party=C777 total=59.00 paid=yes rec_at=2026-12-06T15:28:24Z tender=cash:59.00 till="" session="" discount=0.00 tax=0.00
* seq=50 at=2026-12-06T15:28:24Z user=admin type=stock.moved sku=B777 location=STORE1 batch="" on_hand=-1 quarantine=0 doc=S-778 rtv=0 refurbish=0 transit=0 serials=""
* seq=50 at=2026-12-06T15:28:24Z user=admin type=ledger.entry party=C777 kind=sale doc=S-778 amount=59.00
* seq=50 at=2026-12-06T15:28:24Z user=admin type=ledger.entry party=C777 kind=payment doc=S-778 amount=-59.00
* seq=51 at=2026-12-06T15:28:24Z user=admin type=return.filed id=R000003 order=S-778 party=C777 location=STORE1 kind=sale amount=59.00 reason=DEFECTIVE filed_by=admin note="" key="" exchange="" override=no taken_at=2026-12-06T15:28:24Z till="" rma="" source="" expected=""
* seq=51 at=2026-12-06T15:28:24Z user=admin type=return.item id=R000003 line=1 sku=B777 qty=1 batch="" price=59.00 amount=59.00
* seq=52 at=2026-12-06T15:28:24Z user=supervisor1 type=return.approved id=R000003 doc=RT-20261206-0003 amount=59.00 by=supervisor1 state=inspecting refund=cash fee=0.00 net=59.00 credited=59.00 refunded=59.00 due="" paid_in=0.00 exchange_order="" note="" refund_parts=cash:59.00 tender="" session="" tender_override=no tax=0.00 fee_tax=0.00 net_tax=0.00 hash=2beb4b2c336830e0d4c9a6638569333e6acf746b12a86e80063efe667a416a47 rma=""
* seq=52 at=2026-12-06T15:28:24Z user=supervisor1 type=stock.moved sku=B777 location=STORE1 batch="" on_hand=0 quarantine=1 doc=RT-20261206-0003 rtv=0 refurbish=0 transit=0 serials=""
* seq=52 at=2026-12-06T15:28:24Z user=supervisor1 type=ledger.entry party=C777 kind=credit_note doc=RT-20261206-0003 amount=-59.00
* seq=52 at=2026-12-06T15:28:24Z user=supervisor1 type=ledger.entry party=C777 kind=payment doc=RT-20261206-0003 amount=59.00
* seq=53 at=2026-12-06T15:28:24Z user=supervisor1 type=return.inspected id=R000003 disposition=refurbish by=supervisor1 note="cushion split" left=0 value=0.00
* seq=53 at=2026-12-06T15:28:24Z user=supervisor1 type=disposition.line id=R000003 sku=B777 batch="" qty=1 disposition=refurbish to_sku="" serials="" value=0.00
* seq=53 at=2026-12-06T15:28:24Z user=supervisor1 type=stock.moved sku=B777 location=STORE1 batch="" on_hand=0 quarantine=-1 doc=RT-20261206-0003 rtv=0 refurbish=1 transit=0 serials=""
* seq=54 at=2026-12-06T15:28:24Z user=supervisor1 type=stock.disposed move=M000001 location=STORE1 from=refurbish disposition=restock qty=1 value=0.00 note="new cushions" key=fix-1
* seq=54 at=2026-12-06T15:28:24Z user=supervisor1 type=disposition.line id=M000001 sku=B777 batch="" qty=1 disposition=restock to_sku="" serials="" value=0.00
* seq=54 at=2026-12-06T15:28:24Z user=supervisor1 type=stock.moved sku=B777 location=STORE1 batch="" on_hand=1 quarantine=0 doc=M000001 rtv=0 refurbish=-1 transit=0 serials=""
* seq=55 at=2026-12-06T15:28:24Z user=admin type=return.filed id=R000004 order=PO-777 party=S777 location=STORE1 kind=purchase amount=31.00 reason=DEFECTIVE filed_by=admin note="" key=k90 exchange="" override=no taken_at=2026-12-06T15:28:24Z till="" rma=RMA-90 source=on_hand expected=25.00
* seq=55 at=2026-12-06T15:28:24Z user=admin type=return.item id=R000004 line=1 sku=B777 qty=1 batch="" price=31.00 amount=31.00
* seq=56 at=2026-12-06T15:28:24Z user=supervisor1 type=return.approved id=R000004 doc=RT-20261206-0004 amount=31.00 by=supervisor1 state=approved refund=credit fee=0.00 net=31.00 credited=25.00 refunded=0.00 due="" paid_in=0.00 exchange_order="" note="" refund_parts="" tender="" session="" tender_override=no tax=0.00 fee_tax=0.00 net_tax=0.00 hash=5d47493a3362abb1a129f5ce116c14786c6584ccbce8748d737f64e20532197a rma=RMA-90
* seq=56 at=2026-12-06T15:28:24Z user=supervisor1 type=stock.moved sku=B777 location=STORE1 batch="" on_hand=-1 quarantine=0 doc=RT-20261206-0004 rtv=0 refurbish=0 transit=0 serials=""
* seq=56 at=2026-12-06T15:28:24Z user=supervisor1 type=ledger.entry party=S777 kind=debit_note doc=RT-20261206-0004 amount=25.00
"""

# The same kinds of change from a server before section 21: no held states, an INSPECT decides
# every unit (no left=).
OLD = """\
* seq=3 at=2026-11-01T09:00:00Z user=admin type=purchase.recorded order=PO-9 location=WH1 party=S002 total=62.00 paid=no rec_at=2026-11-01T09:00:00Z
* seq=3 at=2026-11-01T09:00:00Z user=admin type=stock.moved sku=B300 location=WH1 batch="" on_hand=2 quarantine=0 doc=PO-9
* seq=4 at=2026-11-01T10:00:00Z user=clerk1 type=return.filed id=R000009 order=PO-9 party=S002 location=WH1 kind=purchase amount=31.00 reason=DEFECTIVE filed_by=clerk1 note="" key=k9 exchange="" override=no
* seq=5 at=2026-11-01T10:05:00Z user=supervisor1 type=return.inspected id=R000009 disposition=restock by=supervisor1 note=""
"""

# STATS by=supplier from the tables: supplier returns approved (not voided), their units, amount,
# the credit expected and received, the difference booked and those still without a credit note.
BY_SUPPLIER = """
SELECT s.supplier, COUNT(*), SUM(i.qty), SUM(CAST(r.amount AS numeric)), SUM(CAST(s.expected AS numeric)),
       COALESCE(SUM(CAST(v.received AS numeric)), 0), COALESCE(SUM(CAST(v.difference AS numeric)), 0),
       SUM(CASE WHEN v.return_id IS NULL THEN 1 ELSE 0 END)
FROM supplier_returns s JOIN returns r ON r.id = s.return_id
JOIN (SELECT return_id, SUM(qty) AS qty FROM return_items GROUP BY return_id) i ON i.return_id = s.return_id
LEFT JOIN vendor_credits v ON v.return_id = s.return_id
WHERE r.state IN ('approved', 'inspecting', 'completed')
GROUP BY s.supplier ORDER BY s.supplier"""


class GoodsExportTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="rl-export-goods-")
        self.path = os.path.join(self.dir, "t.db")
        self.target = export.Target(sqlite3.connect(self.path), "?", sqlite=True)

    def tearDown(self):
        self.target.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def rows(self, sql, params=()):
        return self.target.execute(sql, params).fetchall()

    def export(self, lines, upto=None):
        """The feed's lines after what the target holds, up to `upto`, as one page."""
        held = self.target.state()[1]
        lines = [f for f in feed(lines) if int(f["seq"]) > held and (upto is None or int(f["seq"]) <= upto)]
        self.target.page(lines, int(lines[-1]["seq"]), "E1", self.target.state()[0])

    def slot(self, sku, location="STORE1", batch=""):
        return self.rows("SELECT on_hand, quarantine, rtv, refurbish, transit FROM stock_slots"
                         " WHERE sku = ? AND location = ? AND batch = ?", (sku, location, batch))[0]

    def test_a_partial_inspection_leaves_the_return_inspecting_and_the_units_where_they_went(self):
        self.export(GOODS, upto=42)
        self.assertEqual(self.rows("SELECT state FROM returns WHERE id = 'R000001'"), [("inspecting",)])
        self.assertEqual(self.rows("SELECT return_id, disposition, left_qty, value, note FROM inspections"),
                         [("R000001", "vendor,regrade", 1, "-11.00", "two buzz, one scuffed")])
        # 10 bought, 4 sold and back into quarantine; 2 of them to rtv, 1 regraded to B777-B.
        self.assertEqual(self.slot("B777"), (6, 1, 2, 0, 0))
        self.assertEqual(self.slot("B777-B"), (1, 0, 0, 0, 0))

    def test_every_decision_is_a_row_with_its_value(self):
        self.export(GOODS)
        self.assertEqual(self.rows("SELECT source, id, location, from_state, sku, batch, qty, disposition, to_sku, value,"
                                   " decided_by FROM dispositions ORDER BY seq, n"), [
            ("inspect", "R000001", "STORE1", "quarantine", "B777", "", 2, "vendor", "", "0.00", "supervisor1"),
            ("inspect", "R000001", "STORE1", "quarantine", "B777", "", 1, "regrade", "B777-B", "-11.00", "supervisor1"),
            ("inspect", "R000001", "STORE1", "quarantine", "B777", "", 1, "restock", "", "0.00", "supervisor1"),
            ("inspect", "R000003", "STORE1", "quarantine", "B777", "", 1, "refurbish", "", "0.00", "supervisor1"),
            ("dispose", "M000001", "STORE1", "refurbish", "B777", "", 1, "restock", "", "0.00", "supervisor1"),
        ])
        self.assertEqual(self.rows("SELECT id, state FROM returns WHERE kind = 'sale' ORDER BY id"),
                         [("R000001", "completed"), ("R000003", "completed")])
        self.assertEqual(self.rows("SELECT move, location, from_state, disposition, qty, value, note, idem_key FROM disposals"),
                         [("M000001", "STORE1", "refurbish", "restock", 1, "0.00", "new cushions", "fix-1")])

    def test_slots_hold_every_state_as_stock_shows_it(self):
        self.export(GOODS, upto=43)
        # STOCK supplier=S777 then: on_hand=7 quarantine=0 rtv=2 (10 - 4 sold + 1 restocked).
        self.assertEqual(self.slot("B777"), (7, 0, 2, 0, 0))
        self.export(GOODS)
        # Then 2 leave rtv (R000002), 1 sold, back in quarantine, to refurbish and restocked by
        # M000001, 1 more to the supplier from on hand (R000004): 7 - 1 + 1 - 1 = 6.
        self.assertEqual(self.slot("B777"), (6, 0, 0, 0, 0))
        self.assertEqual(self.rows("SELECT SUM(rtv), SUM(refurbish) FROM stock_move_states"), [(0, 0)])
        self.assertEqual(self.rows("SELECT m.doc, s.rtv, s.refurbish FROM stock_moves m JOIN stock_move_states s"
                                   " ON s.seq = m.seq AND s.n = m.n WHERE s.rtv <> 0 OR s.refurbish <> 0 ORDER BY m.seq, m.n"),
                         [("RT-20261206-0001", 2, 0), ("RT-20261206-0002", -2, 0), ("RT-20261206-0003", 0, 1),
                          ("M000001", 0, -1)])

    def test_supplier_returns_their_rma_and_the_credit_note(self):
        self.export(GOODS)
        self.assertEqual(self.rows("SELECT return_id, supplier, order_id, rma, filed_rma, approved_rma, source, expected"
                                   " FROM supplier_returns ORDER BY return_id"), [
            ("R000002", "S777", "", "RMA-88", "", "RMA-88", "rtv", "62.00"),
            ("R000004", "S777", "PO-777", "RMA-90", "RMA-90", "RMA-90", "on_hand", "25.00"),
        ])
        self.assertEqual(self.rows("SELECT return_id, credited_by, expected, received, difference, ref, note FROM vendor_credits"),
                         [("R000002", "finance1", "62.00", "55.00", "-7.00", "CN-5512", "")])
        # S777: -310.00 purchase + 62.00 debit note - 7.00 credit difference + 25.00 debit note.
        self.assertEqual(self.rows("SELECT kind, doc, amount FROM ledger_entries WHERE party = 'S777' ORDER BY seq, n"),
                         [("purchase", "PO-777", "-310.00"), ("debit_note", "RT-20261206-0002", "62.00"),
                          ("credit_difference", "RT-20261206-0002", "-7.00"), ("debit_note", "RT-20261206-0004", "25.00")])
        self.assertEqual(self.rows("SELECT ROUND(SUM(amount), 2) FROM ledger_entries WHERE party = 'S777'"), [(-230.0,)])
        # The server's STATS by=supplier after this feed: S777 count=2 qty=3 amount=93.00
        # expected=87.00 received=55.00 difference=-7.00 open=1.
        self.assertEqual(self.rows(BY_SUPPLIER), [("S777", 2, 3, 93, 87, 55, -7, 1)])

    def test_an_older_servers_feed_still_goes_in(self):
        self.export(OLD)
        self.assertEqual(self.rows("SELECT state FROM returns"), [("completed",)])
        self.assertEqual(self.rows("SELECT return_id, disposition, left_qty, value FROM inspections"),
                         [("R000009", "restock", None, None)])
        self.assertEqual(self.slot("B300", "WH1"), (2, 0, 0, 0, 0))
        self.assertEqual(self.rows("SELECT COUNT(*) FROM stock_move_states"), [(0,)])
        self.assertEqual(self.rows("SELECT COUNT(*) FROM supplier_returns"), [(0,)])

    def test_a_target_an_older_export_filled_gets_its_slots_summed(self):
        old = os.path.join(self.dir, "old.db")
        db = sqlite3.connect(old)
        with open(export.SCHEMA, encoding="utf-8") as f:
            db.executescript(f.read().replace("numeric(14,2)", "text"))
        db.executemany("INSERT INTO stock_moves VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (3, 1, "2026-11-01T09:00:00Z", "B300", "WH1", "", 5, 0, "PO-9"),
            (4, 1, "2026-11-01T09:10:00Z", "B300", "WH1", "", -1, 1, "RT-20261101-0001"),
            (5, 1, "2026-11-01T09:20:00Z", "C400", "WH1", "LOT7", 40, 0, "PO-10")])
        db.commit()
        db.close()
        target = export.Target(sqlite3.connect(old), "?", sqlite=True)
        try:
            self.assertEqual(target.execute("SELECT location, sku, batch, on_hand, quarantine, rtv FROM stock_slots"
                                            " ORDER BY sku").fetchall(),
                             [("WH1", "B300", "", 4, 1, 0), ("WH1", "C400", "LOT7", 40, 0, 0)])
            target.close()
            target = export.Target(sqlite3.connect(old), "?", sqlite=True)  # opened again: not summed twice
            self.assertEqual(target.execute("SELECT SUM(on_hand) FROM stock_slots").fetchone(), (44,))
        finally:
            target.close()


if __name__ == "__main__":
    unittest.main()
