"""export.py's tables for tills, tenders and store credit, fed recorded FEED lines (no server):
each line type lands in the rows head office reads, and a feed from an older server or with
types this export does not know still goes in."""
import os
import shutil
import sqlite3
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
sys.path.insert(0, PYDIR)
import export  # noqa: E402
from returnledger.client import parse_fields  # noqa: E402

T0 = "2026-12-01T08:00:00Z"

# A day at till POS1, as FEED prints it (the `* ` of each line included). The sale is paid by
# card and cash; one unit comes back at a 12.5% fee, refunded to the original tenders (the
# contract's own example); a later return is kept as store credit, part of it spent on a sale,
# part written off at a period close; another lot is voided.
DAY = """\
* seq=9 at=2026-12-01T07:00:00Z user=admin type=party.added id=C001 kind=customer name="Li Wei"
* seq=9 at=2026-12-01T07:00:00Z user=admin type=party.added id=C002 kind=customer name="Ana Sousa"
* seq=10 at=2026-12-01T08:00:00Z user=clerk1 type=till.opened session=T000001 till=POS1 location=STORE1 float=100.00 note="morning float"
* seq=11 at=2026-12-01T09:00:00Z user=clerk1 type=sale.recorded order=S-1 location=STORE1 party=C001 total=100.00 paid=yes rec_at=2026-12-01T09:00:00Z tender=card:60.00#4242,cash:40.00 till=POS1 session=T000001
* seq=11 at=2026-12-01T09:00:00Z user=clerk1 type=order.line order=S-1 line=1 sku=A100 qty=4 batch="" price=25.00 amount=100.00
* seq=11 at=2026-12-01T09:00:00Z user=clerk1 type=ledger.entry party=C001 kind=sale doc=S-1 amount=100.00
* seq=11 at=2026-12-01T09:00:00Z user=clerk1 type=ledger.entry party=C001 kind=payment doc=P000001 amount=-100.00
* seq=12 at=2026-12-01T11:00:00Z user=clerk1 type=return.filed id=R000001 order=S-1 party=C001 location=STORE1 kind=sale amount=25.00 reason=CHANGED_MIND filed_by=clerk1 note="" key=k1 exchange="" override=no taken_at=2026-12-01T10:30:00Z till=POS1
* seq=12 at=2026-12-01T11:00:00Z user=clerk1 type=return.item id=R000001 line=1 sku=A100 qty=1 batch="" price=25.00 amount=25.00
* seq=13 at=2026-12-01T11:05:00Z user=supervisor1 type=return.approved id=R000001 doc=RT-20261201-0001 amount=25.00 by=supervisor1 state=approved refund=cash fee=3.13 net=21.87 credited=21.87 refunded=21.87 due="" paid_in=0.00 exchange_order="" note="" refund_parts=card:13.12#4242,cash:8.75 tender="" session=T000001 tender_override=no
* seq=14 at=2026-12-01T12:00:00Z user=supervisor1 type=till.moved session=T000001 till=POS1 kind=payout amount=50.00 note="banking run"
* seq=15 at=2026-12-01T13:00:00Z user=clerk1 type=till.moved session=T000001 till=POS1 kind=payin amount=5.00 note=change
* seq=16 at=2026-12-01T13:30:00Z user=clerk1 type=till.moved session=T000001 till=POS1 kind=payin amount=2.50 note=change
* seq=17 at=2026-12-01T18:00:00Z user=clerk1 type=till.closed session=T000001 till=POS1 expected=88.75 counted=88.50 variance=-0.25 note="a coin short"
* seq=18 at=2026-12-01T18:01:00Z user=admin type=policy.set name=credit_days value=365
* seq=19 at=2026-12-02T09:00:00Z user=clerk1 type=return.filed id=R000002 order=S-1 party=C001 location=STORE1 kind=sale amount=25.00 reason=DEFECTIVE filed_by=clerk1 note="" key=k2 exchange="" override=no taken_at=2026-12-02T09:00:00Z till=""
* seq=20 at=2026-12-02T09:10:00Z user=supervisor1 type=return.approved id=R000002 doc=RT-20261202-0001 amount=25.00 by=supervisor1 state=approved refund=credit fee=0.00 net=25.00 credited=25.00 refunded=0.00 due="" paid_in=0.00 exchange_order="" note="" refund_parts=credit:25.00 tender="" session="" tender_override=yes
* seq=20 at=2026-12-02T09:10:00Z user=supervisor1 type=credit.issued party=C001 lot=RT-20261202-0001 amount=25.00 expires=2027-12-02T09:10:00Z
* seq=21 at=2026-12-02T10:00:00Z user=clerk1 type=sale.recorded order=S-2 location=STORE1 party=C001 total=30.00 paid=yes rec_at=2026-12-02T10:00:00Z tender=credit:20.00,other:10.00#V-9 till="" session=""
* seq=21 at=2026-12-02T10:00:00Z user=clerk1 type=credit.used party=C001 lot=RT-20261202-0001 amount=20.00 doc=S-2
* seq=22 at=2026-12-02T11:00:00Z user=admin type=credit.issued party=C002 lot=RT-20261202-0002 amount=7.00 expires=""
* seq=23 at=2026-12-02T11:30:00Z user=supervisor1 type=credit.voided party=C002 lot=RT-20261202-0002 amount=7.00 doc=RT-20261202-0003
* seq=24 at=2028-01-05T00:00:00Z user=finance1 type=credit.expired party=C001 lot=RT-20261202-0001 amount=3.00
* seq=25 at=2028-01-05T00:00:00Z user=admin type=widget.frobbed widget=W1
"""

# The same kinds of change from a server before tills: no tender, till or session fields.
OLD = """\
* seq=3 at=2026-11-01T09:00:00Z user=clerk1 type=sale.recorded order=S-OLD location=STORE1 party="" total=25.00 paid=yes rec_at=2026-11-01T09:00:00Z
* seq=4 at=2026-11-01T10:00:00Z user=clerk1 type=return.filed id=R000009 order=S-OLD party="" location=STORE1 kind=sale amount=25.00 reason=DEFECTIVE filed_by=clerk1 note="" key=k9 exchange="" override=no
* seq=5 at=2026-11-01T10:05:00Z user=supervisor1 type=return.approved id=R000009 doc=RT-20261101-0001 amount=25.00 by=supervisor1 state=approved refund=cash fee=0.00 net=25.00 credited=25.00 refunded=25.00 due="" paid_in=0.00 exchange_order="" note=""
"""


def feed(text):
    """Recorded FEED lines as the dicts a reply's `data` holds."""
    return [parse_fields(line[2:]) for line in text.splitlines() if line.startswith("* ")]


class TillExportTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="rl-export-tills-")
        self.target = export.Target(sqlite3.connect(os.path.join(self.dir, "t.db")), "?", sqlite=True)

    def tearDown(self):
        self.target.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def rows(self, sql, params=()):
        return self.target.execute(sql, params).fetchall()

    def export_day(self):
        self.target.page(feed(DAY), 25, "E1", self.target.state()[0])

    def test_every_tender_that_moved_with_its_direction(self):
        self.export_day()
        self.assertEqual(self.rows("SELECT seq, direction, doc, return_id, kind, amount, ref, till, session FROM tenders"
                                   " ORDER BY seq, n"), [
            (11, "sale", "S-1", "", "card", "60.00", "4242", "POS1", "T000001"),
            (11, "sale", "S-1", "", "cash", "40.00", "", "POS1", "T000001"),
            (13, "refund", "RT-20261201-0001", "R000001", "card", "13.12", "4242", "POS1", "T000001"),
            (13, "refund", "RT-20261201-0001", "R000001", "cash", "8.75", "", "POS1", "T000001"),
            (20, "refund", "RT-20261202-0001", "R000002", "credit", "25.00", "", "", ""),
            (21, "sale", "S-2", "", "credit", "20.00", "", "", ""),
            (21, "sale", "S-2", "", "other", "10.00", "V-9", "", ""),
        ])
        # The refund's parts add up to the approval's net.
        net = self.rows("SELECT net FROM documents WHERE doc = 'RT-20261201-0001'")[0][0]
        parts = self.rows("SELECT ROUND(SUM(amount), 2) FROM tenders WHERE direction = 'refund' AND return_id = 'R000001'")
        self.assertEqual("%.2f" % parts[0][0], net)

    def test_a_till_session_from_float_to_variance(self):
        self.export_day()
        self.assertEqual(self.rows("SELECT session, till, location, state, opening_float, opened_by, opened_at, open_note,"
                                   " paid_in, paid_out, expected, counted, variance, closed_by, closed_at, close_note"
                                   " FROM till_sessions"), [
            ("T000001", "POS1", "STORE1", "closed", "100.00", "clerk1", T0, "morning float", "7.50", "50.00", "88.75",
             "88.50", "-0.25", "clerk1", "2026-12-01T18:00:00Z", "a coin short"),
        ])
        self.assertEqual(self.rows("SELECT kind, amount, note, moved_by FROM till_moves ORDER BY seq, n"), [
            ("payout", "50.00", "banking run", "supervisor1"), ("payin", "5.00", "change", "clerk1"),
            ("payin", "2.50", "change", "clerk1")])

    def test_an_open_session_has_no_count_yet(self):
        self.target.page([f for f in feed(DAY) if f["type"] == "till.opened"], 10, "E1", None)
        self.assertEqual(self.rows("SELECT state, paid_in, expected, counted, variance, closed_at FROM till_sessions"),
                         [("open", "0.00", None, None, None, None)])

    def test_a_returns_till_facts(self):
        self.export_day()
        self.assertEqual(self.rows("SELECT return_id, till, taken_at, session, refund_parts, due_tender, tender_override"
                                   " FROM return_tills ORDER BY return_id"), [
            ("R000001", "POS1", "2026-12-01T10:30:00Z", "T000001", "card:13.12#4242,cash:8.75", "", "no"),
            ("R000002", "", "2026-12-02T09:00:00Z", "", "credit:25.00", "", "yes"),
        ])

    def test_credit_lots_follow_their_moves(self):
        self.export_day()
        self.assertEqual(self.rows("SELECT party, lot, amount, remaining, expires, state FROM credit_lots ORDER BY lot"), [
            ("C001", "RT-20261202-0001", "25.00", "0.00", "2027-12-02T09:10:00Z", "expired"),
            ("C002", "RT-20261202-0002", "7.00", "0.00", None, "voided"),
        ])
        self.assertEqual(self.rows("SELECT seq, party, lot, kind, amount, doc FROM credit_moves ORDER BY seq, n"), [
            (20, "C001", "RT-20261202-0001", "issued", "25.00", "RT-20261202-0001"),
            (21, "C001", "RT-20261202-0001", "used", "20.00", "S-2"),
            (22, "C002", "RT-20261202-0002", "issued", "7.00", "RT-20261202-0002"),
            (23, "C002", "RT-20261202-0002", "voided", "7.00", "RT-20261202-0003"),
            (24, "C001", "RT-20261202-0001", "expired", "3.00", ""),
        ])

    def test_a_lot_drawn_in_full_is_spent(self):
        lines = feed(DAY)
        issued = [f for f in lines if f["type"] == "credit.issued" and f["party"] == "C001"]
        used = dict(issued[0], type="credit.used", seq="30", amount="25.00", doc="P000009")
        del used["expires"]
        self.target.page(issued + [used], 30, "E1", None)
        self.assertEqual(self.rows("SELECT remaining, state FROM credit_lots"), [("0.00", "spent")])

    def test_policy_settings_are_kept_in_order(self):
        self.export_day()
        self.assertEqual(self.rows("SELECT seq, set_by, name, value FROM policy_settings"), [(18, "admin", "credit_days", "365")])

    def test_an_older_servers_feed_and_unknown_types_still_go_in(self):
        self.target.page(feed(OLD), 5, "E1", self.target.state()[0])
        self.assertEqual(self.rows("SELECT id, total FROM orders"), [("S-OLD", "25.00")])
        self.assertEqual(self.rows("SELECT state, refund FROM returns"), [("approved", "cash")])
        for table in ("tenders", "return_tills", "till_sessions", "credit_lots"):
            self.assertEqual(self.rows("SELECT COUNT(*) FROM %s" % table), [(0,)], table)
        self.export_day()  # widget.frobbed at seq 25 is skipped, not an error
        self.assertEqual(self.target.state(), ("E1", 25))

    def test_csv_target_writes_the_new_tables(self):
        self.export_day()
        export.write_csv(self.target, self.dir)
        with open(os.path.join(self.dir, "tenders.csv"), encoding="utf-8-sig") as f:
            header = f.readline().strip()
            body = f.read()
        self.assertEqual(header, "seq,n,at,direction,doc,return_id,kind,amount,ref,till,session")
        self.assertIn("refund,RT-20261201-0001,R000001,card,13.12,4242,POS1,T000001", body)
        for table in ("till_sessions", "till_moves", "return_tills", "credit_lots", "credit_moves", "policy_settings"):
            self.assertTrue(os.path.exists(os.path.join(self.dir, table + ".csv")), table)


if __name__ == "__main__":
    unittest.main()
