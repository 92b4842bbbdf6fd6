"""export.py's tables for tax, discounts, voids and the document chain (section 20), fed recorded
FEED lines (no server): a discounted sale with tax, a return approved at a fee and then voided,
both documents chained; and the same kinds of change from a server before tax and the chain
still go in, with 0.00 tax and discount."""
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

H1 = "e76dad2fd5c412e1975917fb8a797121a66176123f7dc9cdcbde1c232b8a1071"
H2 = "8a654df5e26bf0271781bb64b168853583b6f7aa683bb381c903766919c826df"

# Recorded from a server with tax and VOID: two tea pots and two tins at 13%, tax included, 5.00
# off the sale; one pot back at a 10% fee, approved and then voided by the admin.
VOIDED = """\
* seq=38 at=2026-12-06T13:16:48Z user=admin type=party.added id=PY-C9 kind=customer name="Py Void"
* seq=39 at=2026-12-06T13:16:48Z user=clerk1 type=sale.recorded order=PY-V1 location=STORE1 party=PY-C9 total=83.00 paid=yes rec_at=2026-12-06T13:16:48Z tender=cash:83.00 till="" session="" discount=5.00 tax=9.55
* seq=39 at=2026-12-06T13:16:48Z user=clerk1 type=order.line order=PY-V1 line=1 sku=PT1 qty=3 batch="" price=25.00 amount=70.74 discount=4.26 tax_rate=13.00 tax=8.14
* seq=39 at=2026-12-06T13:16:48Z user=clerk1 type=order.line order=PY-V1 line=2 sku=PT2 qty=2 batch="" price=6.50 amount=12.26 discount=0.74 tax_rate=13.00 tax=1.41
* seq=39 at=2026-12-06T13:16:48Z user=clerk1 type=stock.moved sku=PT1 location=STORE1 batch="" on_hand=-3 quarantine=0 doc=PY-V1
* seq=39 at=2026-12-06T13:16:48Z user=clerk1 type=stock.moved sku=PT2 location=STORE1 batch="" on_hand=-2 quarantine=0 doc=PY-V1
* seq=39 at=2026-12-06T13:16:48Z user=clerk1 type=ledger.entry party=PY-C9 kind=sale doc=PY-V1 amount=83.00
* seq=39 at=2026-12-06T13:16:48Z user=clerk1 type=ledger.entry party=PY-C9 kind=payment doc=PY-V1 amount=-83.00
* seq=40 at=2026-12-06T13:16:48Z user=clerk1 type=return.filed id=R000001 order=PY-V1 party=PY-C9 location=STORE1 kind=sale amount=23.58 reason=DEFECTIVE filed_by=clerk1 note="" key=py-5bde-7ffc02-1 exchange="" override=no taken_at=2026-12-06T13:16:48Z till=""
* seq=40 at=2026-12-06T13:16:48Z user=clerk1 type=return.item id=R000001 line=1 sku=PT1 qty=1 batch="" price=25.00 amount=23.58
* seq=41 at=2026-12-06T13:16:48Z user=supervisor1 type=return.approved id=R000001 doc=RT-20261206-0001 amount=23.58 by=supervisor1 state=approved refund=cash fee=2.36 net=21.22 credited=21.22 refunded=21.22 due="" paid_in=0.00 exchange_order="" note="" refund_parts=cash:21.22 tender="" session="" tender_override=no tax=2.71 fee_tax=0.27 net_tax=2.44 hash=e76dad2fd5c412e1975917fb8a797121a66176123f7dc9cdcbde1c232b8a1071
* seq=41 at=2026-12-06T13:16:48Z user=supervisor1 type=stock.moved sku=PT1 location=STORE1 batch="" on_hand=1 quarantine=0 doc=RT-20261206-0001
* seq=41 at=2026-12-06T13:16:48Z user=supervisor1 type=ledger.entry party=PY-C9 kind=credit_note doc=RT-20261206-0001 amount=-21.22
* seq=41 at=2026-12-06T13:16:48Z user=supervisor1 type=ledger.entry party=PY-C9 kind=payment doc=RT-20261206-0001 amount=21.22
* seq=41 at=2026-12-06T13:16:48Z user=supervisor1 type=doc.issued doc=RT-20261206-0001 doc_type=return voids="" date=2026-12-06 issued_at=2026-12-06T13:16:48Z return=R000001 kind=sale party=PY-C9 order=PY-V1 location=STORE1 reason=DEFECTIVE filed_by=clerk1 approved_by=supervisor1 amount=23.58 tax=2.71 fee=2.36 fee_tax=0.27 net=21.22 net_tax=2.44 refund=cash:21.22 tender="" exchange_order="" due="" hash=e76dad2fd5c412e1975917fb8a797121a66176123f7dc9cdcbde1c232b8a1071 prev=0000000000000000000000000000000000000000000000000000000000000000
* seq=41 at=2026-12-06T13:16:48Z user=supervisor1 type=doc.item doc=RT-20261206-0001 part=item sku=PT1 qty=1 batch="" price=25.00 amount=23.58 tax_rate=13.00 tax=2.71
* seq=42 at=2026-12-06T13:16:48Z user=admin type=return.voided id=R000001 doc=RT-20261206-0002 voids=RT-20261206-0001 by=admin reason=DEFECTIVE note="wrong one" owed=21.22 hash=8a654df5e26bf0271781bb64b168853583b6f7aa683bb381c903766919c826df
* seq=42 at=2026-12-06T13:16:48Z user=admin type=stock.moved sku=PT1 location=STORE1 batch="" on_hand=-1 quarantine=0 doc=RT-20261206-0002
* seq=42 at=2026-12-06T13:16:48Z user=admin type=ledger.entry party=PY-C9 kind=void doc=RT-20261206-0002 amount=21.22
* seq=42 at=2026-12-06T13:16:48Z user=admin type=doc.issued doc=RT-20261206-0002 doc_type=void voids=RT-20261206-0001 date=2026-12-06 issued_at=2026-12-06T13:16:48Z return=R000001 kind=sale party=PY-C9 order=PY-V1 location=STORE1 reason=DEFECTIVE filed_by=admin approved_by=admin amount=23.58 tax=2.71 fee=2.36 fee_tax=0.27 net=21.22 net_tax=2.44 refund="" tender="" exchange_order="" due="" hash=8a654df5e26bf0271781bb64b168853583b6f7aa683bb381c903766919c826df prev=e76dad2fd5c412e1975917fb8a797121a66176123f7dc9cdcbde1c232b8a1071
* seq=42 at=2026-12-06T13:16:48Z user=admin type=doc.item doc=RT-20261206-0002 part=item sku=PT1 qty=1 batch="" price=25.00 amount=23.58 tax_rate=13.00 tax=2.71
"""

# The same kinds of change from a server before tax, voids and the chain.
OLD = """\
* seq=3 at=2026-11-01T09:00:00Z user=clerk1 type=sale.recorded order=S-OLD location=STORE1 party="" total=25.00 paid=yes rec_at=2026-11-01T09:00:00Z
* seq=3 at=2026-11-01T09:00:00Z user=clerk1 type=order.line order=S-OLD line=1 sku=A100 qty=1 batch="" price=25.00 amount=25.00
* seq=4 at=2026-11-01T10:00:00Z user=clerk1 type=return.filed id=R000009 order=S-OLD party="" location=STORE1 kind=sale amount=25.00 reason=DEFECTIVE filed_by=clerk1 note="" key=k9 exchange="" override=no
* seq=4 at=2026-11-01T10:00:00Z user=clerk1 type=return.item id=R000009 line=1 sku=A100 qty=1 batch="" price=25.00 amount=25.00
* seq=5 at=2026-11-01T10:05:00Z user=supervisor1 type=return.approved id=R000009 doc=RT-20261101-0001 amount=25.00 by=supervisor1 state=approved refund=cash fee=0.00 net=25.00 credited=25.00 refunded=25.00 due="" paid_in=0.00 exchange_order="" note=""
"""


def feed(text):
    """Recorded FEED lines as the dicts a reply's `data` holds."""
    return [parse_fields(line[2:]) for line in text.splitlines() if line.startswith("* ")]


class DocumentExportTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="rl-export-docs-")
        self.target = export.Target(sqlite3.connect(os.path.join(self.dir, "t.db")), "?", sqlite=True)

    def tearDown(self):
        self.target.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def rows(self, sql, params=()):
        return self.target.execute(sql, params).fetchall()

    def export_voided(self):
        self.target.page(feed(VOIDED), 42, "E1", self.target.state()[0])

    def test_order_lines_carry_their_discount_and_tax(self):
        self.export_voided()
        self.assertEqual(self.rows("SELECT order_id, line, sku, qty, price, amount, discount, tax_rate, tax FROM order_lines"
                                   " ORDER BY line"), [
            ("PY-V1", 1, "PT1", 3, "25.00", "70.74", "4.26", "13.00", "8.14"),
            ("PY-V1", 2, "PT2", 2, "6.50", "12.26", "0.74", "13.00", "1.41")])
        self.assertEqual(self.rows("SELECT order_id, discount, tax FROM order_taxes"), [("PY-V1", "5.00", "9.55")])
        # The lines' shares add up to the order's.
        self.assertEqual(self.rows("SELECT printf('%.2f', SUM(discount)), printf('%.2f', SUM(tax)), printf('%.2f', SUM(amount))"
                                   " FROM order_lines WHERE order_id = 'PY-V1'"), [("5.00", "9.55", "83.00")])

    def test_an_approvals_tax_and_hash(self):
        self.export_voided()
        self.assertEqual(self.rows("SELECT return_id, doc, tax, fee_tax, net_tax, hash FROM return_taxes"),
                         [("R000001", "RT-20261206-0001", "2.71", "0.27", "2.44", H1)])

    def test_a_void_its_return_and_its_ledger_entry(self):
        self.export_voided()
        self.assertEqual(self.rows("SELECT doc, return_id, voids, seq, voided_by, reason, note, owed, hash FROM voids"), [
            ("RT-20261206-0002", "R000001", "RT-20261206-0001", 42, "admin", "DEFECTIVE", "wrong one", "21.22", H2)])
        self.assertEqual(self.rows("SELECT state, doc FROM returns"), [("voided", "RT-20261206-0001")])
        self.assertEqual(self.rows("SELECT kind, doc, amount FROM ledger_entries WHERE kind = 'void'"),
                         [("void", "RT-20261206-0002", "21.22")])
        # BALANCE is the sum of the entries: after the void the customer owes what was refunded.
        self.assertEqual(self.rows("SELECT printf('%.2f', SUM(amount)) FROM ledger_entries WHERE party = 'PY-C9'"),
                         [("21.22",)])

    def test_the_document_chain_and_its_items(self):
        self.export_voided()
        self.assertEqual(self.rows("SELECT doc, doc_type, voids, date, return_id, amount, tax, net, net_tax, hash, prev"
                                   " FROM doc_chain ORDER BY seq"), [
            ("RT-20261206-0001", "return", "", "2026-12-06", "R000001", "23.58", "2.71", "21.22", "2.44", H1, "0" * 64),
            ("RT-20261206-0002", "void", "RT-20261206-0001", "2026-12-06", "R000001", "23.58", "2.71", "21.22", "2.44",
             H2, H1)])
        self.assertEqual(self.rows("SELECT doc, item_no, part, sku, qty, amount, tax_rate, tax FROM doc_chain_items"
                                   " ORDER BY doc, item_no"), [
            ("RT-20261206-0001", 1, "item", "PT1", 1, "23.58", "13.00", "2.71"),
            ("RT-20261206-0002", 1, "item", "PT1", 1, "23.58", "13.00", "2.71")])
        self.assertEqual(export.verify_chain(self.target), [])

    def test_an_altered_document_or_a_broken_link_is_found(self):
        self.export_voided()
        self.target.execute("UPDATE doc_chain_items SET tax = '2.70' WHERE doc = 'RT-20261206-0001'")
        self.assertEqual([doc for doc, _ in export.verify_chain(self.target)], ["RT-20261206-0001"])
        self.target.execute("UPDATE doc_chain_items SET tax = '2.71'")
        self.target.execute("UPDATE doc_chain SET prev = ? WHERE doc = 'RT-20261206-0002'", ("1" * 64,))
        problems = export.verify_chain(self.target)
        self.assertEqual([doc for doc, _ in problems], ["RT-20261206-0002", "RT-20261206-0002"])  # the link and its hash
        self.assertIn("before it", problems[0][1])

    def test_an_older_servers_feed_gets_no_tax_and_no_chain(self):
        self.target.page(feed(OLD), 5, "E1", None)
        self.assertEqual(self.rows("SELECT order_id, discount, tax FROM order_taxes"), [("S-OLD", "0.00", "0.00")])
        self.assertEqual(self.rows("SELECT sku, amount, discount, tax_rate, tax FROM order_lines"),
                         [("A100", "25.00", "0.00", "0.00", "0.00")])
        self.assertEqual(self.rows("SELECT return_id, tax, fee_tax, net_tax, hash FROM return_taxes"),
                         [("R000009", "0.00", "0.00", "0.00", None)])
        self.assertEqual(self.rows("SELECT state FROM returns"), [("approved",)])
        for table in ("voids", "doc_chain", "doc_chain_items"):
            self.assertEqual(self.rows("SELECT COUNT(*) FROM %s" % table), [(0,)], table)
        self.assertEqual(export.verify_chain(self.target), [])
        self.export_voided()  # and the newer server's lines on top
        self.assertEqual(self.target.state(), ("E1", 42))
        self.assertEqual(self.rows("SELECT COUNT(*) FROM doc_chain"), [(2,)])

    def test_a_target_an_older_export_made_takes_the_new_tables(self):
        path = os.path.join(self.dir, "old.db")
        db = sqlite3.connect(path)
        for schema in (export.SCHEMA, export.TILLS_SCHEMA):  # what export.py created before section 20
            with open(schema, encoding="utf-8") as f:
                text = "\n".join(line.split("--")[0] for line in f.read().split("\n")).replace("numeric(14,2)", "text")
            for statement in text.split(";"):
                if statement.strip():
                    db.execute(statement)
        # An older export's rows: where it stood, and a return it exported.
        db.execute("INSERT INTO export_state (id, epoch, last_seq) VALUES (1, 'E1', 5)")
        db.execute("INSERT INTO returns (id, seq, filed_at, filed_by, kind, order_id, party, location, amount, reason,"
                   " note, exchange, override, state) VALUES ('R000009', 4, '2026-11-01T10:00:00Z', 'clerk1', 'sale',"
                   " 'S-OLD', '', 'STORE1', '25.00', 'DEFECTIVE', '', '', 'no', 'approved')")
        db.commit()
        self.assertEqual(db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'voids'").fetchall(), [(0,)])
        db.close()
        target = export.Target(sqlite3.connect(path), "?", sqlite=True)
        self.assertEqual(target.state(), ("E1", 5))
        target.page(feed(VOIDED), 42, "E1", "E1")
        self.assertEqual(target.execute("SELECT COUNT(*) FROM voids").fetchall(), [(1,)])
        self.assertEqual(target.execute("SELECT id, state FROM returns ORDER BY id").fetchall(),
                         [("R000001", "voided"), ("R000009", "approved")])
        target.close()

    def test_csv_target_writes_the_new_tables(self):
        self.export_voided()
        export.write_csv(self.target, self.dir)
        with open(os.path.join(self.dir, "voids.csv"), encoding="utf-8-sig") as f:
            self.assertEqual(f.readline().strip(), "doc,return_id,voids,seq,at,voided_by,reason,note,owed,hash")
            self.assertIn("RT-20261206-0002,R000001,RT-20261206-0001,42", f.read())
        for table in ("order_lines", "order_taxes", "return_taxes", "doc_chain", "doc_chain_items"):
            self.assertTrue(os.path.exists(os.path.join(self.dir, table + ".csv")), table)


if __name__ == "__main__":
    unittest.main()
