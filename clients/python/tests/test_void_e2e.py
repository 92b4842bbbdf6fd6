"""Tax, discounts, VOID and the document chain against the real server (issue 25, section 20):
a taxed sale with a discount, two returns approved (one at a fee), one voided; then the library's
replies, export.py's tables (SQLite), slip.py for the returned document and its void, and
report.py's voids. Skipped, saying why, when the server binary is missing or knows no VOID."""
import decimal
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
sys.path.insert(0, PYDIR)
sys.path.insert(0, HERE)
import export  # noqa: E402
import report  # noqa: E402
import slip  # noqa: E402
from returnledger import ReturnLedgerError  # noqa: E402
from server import ServerTestCase  # noqa: E402


class VoidServerCase(ServerTestCase):
    """A demo server of the class's own, and the class's story() told on it once."""
    probe = "VOID R999999 reason=OTHER note=probe"
    probe_user = "supervisor1"

    @classmethod
    def prepare(cls):
        cls.story()


class VoidEndToEndTest(VoidServerCase):
    @classmethod
    def story(cls):
        """Three tea pots and two tins at 13% (tax included), 5.00 off the sale; one pot back at a
        10% fee and one tin back, both approved; the pot's approval voided by the admin."""
        with cls.client("admin") as admin, cls.client("clerk1") as clerk, cls.client("supervisor1") as sup:
            admin.call("SKU", "ADD", "PV1", name="Tea pot 茶壶", price="25.00", tax="13")
            admin.call("SKU", "ADD", "PV2", name="Tea tin", price="6.50", tax="13")
            admin.call("PARTY", "ADD", "customer", "PY-VC", name="Py Void")
            cls.sale = clerk.sale("PY-VS1", "STORE1", ["PV1:3", "PV2:2"], customer="PY-VC", discount="5.00")
            cls.order = clerk.order("PY-VS1")
            cls.pot = clerk.return_items("PY-VS1", ["PV1:1"], reason="DEFECTIVE", note="lid chipped")
            cls.tin = clerk.return_items("PY-VS1", ["PV2:1"], reason="DEFECTIVE")
            cls.pot_approved = sup.approve(cls.pot.id, fee="10")
            cls.tin_approved = sup.approve(cls.tin.id)
            try:  # never by one of its approvers
                sup.void(cls.pot.id, "WRONG_ITEM", "approved the wrong pot")
                cls.self_void = "OK"
            except ReturnLedgerError as e:
                cls.self_void = e.code
            cls.voided = admin.void(cls.pot.id, "WRONG_ITEM", "approved the wrong pot")
            cls.again = admin.void(cls.pot.id, "OTHER", "sent twice")

    def test_the_replies_carry_tax_discount_and_the_void(self):
        self.assertEqual((self.sale.total, self.sale["tax"], self.sale["discount"]), ("83.00", "9.55", "5.00"))
        self.assertEqual([(l["discount"], l["tax_rate"], l["tax"], l["amount"]) for l in self.order.data],
                         [("4.26", "13.00", "8.14", "70.74"), ("0.74", "13.00", "1.41", "12.26")])
        a = self.pot_approved
        self.assertEqual((a.amount, a.fee, a.net, a["tax"], a["net_tax"]), ("23.58", "2.36", "21.22", "2.71", "2.44"))
        self.assertEqual(self.self_void, "SELF_APPROVAL")
        v = self.voided
        self.assertEqual((v.id, v.state, v["voids"], v.amount, v.owed), (self.pot.id, "voided", a.doc, "23.58", "21.22"))
        self.assertNotEqual(v.doc, a.doc)
        self.assertTrue(self.again.existed)
        self.assertEqual(self.again.doc, v.doc)
        with self.client("auditor1") as auditor:
            self.assertEqual(auditor.show(self.pot.id)["void"], v.doc)
            self.assertEqual(auditor.call("DOC", a.doc)["voided"], v.doc)
            doc = auditor.call("DOC", v.doc)
            self.assertEqual((doc["doc_type"], doc["voids"], doc["reason"]), ("void", a.doc, "WRONG_ITEM"))
            chain = auditor.verify()
            self.assertEqual((chain.last, chain.hash), (v.doc, doc["hash"]))
            self.assertEqual(auditor.verify(from_doc=v.doc)["count"], "1")

    def test_export_carries_voids_tax_and_the_document_chain(self):
        scratch = tempfile.mkdtemp(prefix="rl-void-e2e-")
        try:
            target = export.Target(sqlite3.connect(os.path.join(scratch, "t.db")), "?", sqlite=True)
            with self.client("auditor1") as auditor:
                export.export(auditor, target, 1000, False, 0)
                docs = {d: auditor.call("DOC", d) for d in (self.pot_approved.doc, self.tin_approved.doc, self.voided.doc)}
                balance = auditor.balance("PY-VC")["balance"]
            rows = lambda sql, *p: target.execute(sql, p).fetchall()  # noqa: E731
            self.assertEqual(rows("SELECT doc, return_id, voids, voided_by, reason, note, owed, hash FROM voids"), [
                (self.voided.doc, self.pot.id, self.pot_approved.doc, "admin", "WRONG_ITEM", "approved the wrong pot",
                 "21.22", docs[self.voided.doc]["hash"])])
            self.assertEqual(rows("SELECT state FROM returns WHERE id IN (?, ?) ORDER BY id", self.pot.id, self.tin.id),
                             [("voided",), ("approved",)])
            # The void entry flows through ledger_entries, and the entries sum to BALANCE.
            self.assertEqual(rows("SELECT amount FROM ledger_entries WHERE kind = 'void' AND doc = ?", self.voided.doc),
                             [("21.22",)])
            total = sum(decimal.Decimal(a) for (a,) in rows("SELECT amount FROM ledger_entries WHERE party = 'PY-VC'"))
            self.assertEqual(str(total), balance)
            self.assertEqual(balance, "21.22")
            self.assertEqual(rows("SELECT discount, tax FROM order_taxes WHERE order_id = 'PY-VS1'"), [("5.00", "9.55")])
            self.assertEqual(rows("SELECT line, discount, tax_rate, tax, amount FROM order_lines WHERE order_id = 'PY-VS1'"
                                  " ORDER BY line"),
                             [(1, "4.26", "13.00", "8.14", "70.74"), (2, "0.74", "13.00", "1.41", "12.26")])
            self.assertEqual(rows("SELECT tax, fee_tax, net_tax, hash FROM return_taxes WHERE return_id = ?", self.pot.id),
                             [("2.71", "0.27", "2.44", docs[self.pot_approved.doc]["hash"])])
            # Every document with DOC's hash and prev, and each prev the hash of the one before.
            for number, doc in docs.items():
                self.assertEqual(rows("SELECT doc_type, voids, amount, tax, net, hash, prev FROM doc_chain WHERE doc = ?",
                                      number),
                                 [(doc["doc_type"], doc["voids"], doc["amount"], doc["tax"], doc["net"], doc["hash"],
                                   doc["prev"])])
            chain = rows("SELECT doc, hash, prev FROM doc_chain ORDER BY seq, doc")
            self.assertGreaterEqual(len(chain), 3)
            self.assertEqual(chain[0][2], "0" * 64)
            for (_, before, _), (number, _, prev) in zip(chain, chain[1:]):
                self.assertEqual(prev, before, number)
            self.assertEqual(chain[-1][0], self.voided.doc)
            self.assertEqual(rows("SELECT part, sku, qty, amount, tax_rate, tax FROM doc_chain_items WHERE doc = ?",
                                  self.voided.doc), [("item", "PV1", 1, "23.58", "13.00", "2.71")])
            self.assertEqual(export.verify_chain(target), [])  # recomputed from the exported fields alone
            target.close()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def run_slip(self, doc):
        env = dict(os.environ, RETURNLEDGER_PORT=str(self.server.port))
        out = subprocess.run([sys.executable, "slip.py", doc], capture_output=True, text=True, env=env, cwd=PYDIR,
                             timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.rstrip("\n").split("\n")
        self.assertTrue(all(slip.width(l) <= 42 for l in lines), [l for l in lines if slip.width(l) > 42])
        return lines

    def test_slips_of_the_returned_document_and_its_void(self):
        returned, void = self.pot_approved.doc, self.voided.doc
        lines = self.run_slip(returned)
        self.assertIn(slip.centre("RETURN SLIP", 42), lines)
        self.assertIn(slip.line("VOIDED by", void, 42), lines)
        for label, amount in (("Returned", "23.58"), ("Restocking fee", "-2.36"), ("Net", "21.22"),
                              ("Tax included", "2.71"), ("Tax kept with the fee", "-0.27"), ("Net tax", "2.44"),
                              ("Credit note", "21.22"), ("    tax 13.00%", "2.71")):
            self.assertIn(slip.line(label, amount, 42), lines)
        self.assertIn("Note: lid chipped", lines)

        lines = self.run_slip(void)
        self.assertIn(slip.centre("VOID of %s" % returned, 42), lines)
        self.assertIn(slip.line("Voids", returned, 42), lines)
        self.assertIn(slip.line("Void reason", "WRONG_ITEM", 42), lines)
        self.assertIn("Why: WRONG_ITEM: approved the wrong pot", lines)
        for label, amount in (("Voided", "23.58"), ("Net tax", "2.44"), ("Credit note reversed", "21.22")):
            self.assertIn(slip.line(label, amount, 42), lines)
        self.assertNotIn(slip.centre("RETURN SLIP", 42), lines)

    def test_report_shows_the_void(self):
        with self.client("auditor1") as auditor:
            data = report.collect(auditor)
            date = auditor.call("DOC", self.voided.doc)["date"]
        self.assertEqual(data["totals"]["voided"], "1")
        self.assertEqual(data["voids"], [(date, "STORE1", 1, decimal.Decimal("23.58"))])
        text = report.svg(data, "test")
        self.assertIn("Voids by day and location", text)
        self.assertIn('class="value">%s</text>' % date, text)
        self.assertIn('class="value">23.58</text>', text)
        self.assertIn("voided 1 · tax given back", text)


class ExchangeAndSupplierVoidTest(VoidServerCase):
    """A void of an exchange (its replacement goods in the chain as part=exchange, the exchange sale
    voided) and of a supplier return (no owed=): exported, chained and printed. A server of its
    own, so the voids above stay the only ones there."""

    @classmethod
    def story(cls):
        with cls.client("admin") as admin, cls.client("clerk1") as clerk, cls.client("supervisor1") as sup:
            # The toaster handed over must be on hand (section 22.3): the demo's STORE1 is at -3.
            clerk.purchase("PO-PYVX", "STORE1", "S001", ["A200:4"])
            clerk.sale("PY-VX1", "STORE1", ["A100:2"], customer="C001")
            cls.swap = clerk.exchange("PY-VX1", ["A100:1"], ["A200:1"], reason="CHANGED_MIND")
            cls.swap_approved = sup.approve(cls.swap.id)
            cls.swap_void = admin.void(cls.swap.id, "OTHER", "undo the exchange")
            clerk.purchase("PO-PYV1", "WH1", "S002", ["C400:10@3.00"])
            cls.back = clerk.return_items("PO-PYV1", ["C400:2"], reason="EXPIRED")
            cls.back_approved = sup.approve(cls.back.id)
            cls.back_void = admin.void(cls.back.id, "OTHER", "the supplier took them after all")

    def test_exported_chained_and_printed(self):
        self.assertEqual(self.swap_void.owed, "-14.90")  # 25.00 back, the 39.90 toaster's sale voided: we owe
        self.assertEqual(self.back_void.owed, "")
        scratch = tempfile.mkdtemp(prefix="rl-void-e2e-")
        try:
            target = export.Target(sqlite3.connect(os.path.join(scratch, "t.db")), "?", sqlite=True)
            with self.client("auditor1") as auditor:
                export.export(auditor, target, 1000, False, 0)
                void_slip = slip.text_slip(slip.collect(auditor, self.back_void.doc), 42).split("\n")
                swap_slip = slip.text_slip(slip.collect(auditor, self.swap_void.doc), 42).split("\n")
            self.assertEqual(target.execute("SELECT doc, voids, owed FROM voids ORDER BY doc").fetchall(), [
                (self.swap_void.doc, self.swap_approved.doc, "-14.90"), (self.back_void.doc, self.back_approved.doc, None)])
            self.assertEqual(target.execute("SELECT part, sku FROM doc_chain_items WHERE doc = ? ORDER BY item_no",
                                            (self.swap_void.doc,)).fetchall(), [("item", "A100"), ("exchange", "A200")])
            self.assertEqual(export.verify_chain(target), [])
            target.close()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        self.assertIn(slip.centre("VOID of %s" % self.back_approved.doc, 42), void_slip)
        self.assertIn(slip.line("Supplier", "Leaf & Co", 42), void_slip)
        self.assertIn(slip.line("Debit note reversed", "6.00", 42), void_slip)
        self.assertNotIn(slip.line("Net tax", "0.00", 42), void_slip)  # no tax: no tax lines
        self.assertIn(slip.line("Exchange sale voided", "X-%s" % self.swap.id, 42), swap_slip)


if __name__ == "__main__":
    unittest.main()
