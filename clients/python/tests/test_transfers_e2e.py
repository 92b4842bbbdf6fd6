"""Moving stock against the real server (section 22.1-22.2): the library's TRANSFER, ADJUST and
COUNT calls, the contract's worked example (A100 at cost 14.00: 5 sent from STORE1 to STORE2, 4
arrive: lost=1 value=-14.00), a transfer within one site, a cancelled one, re-sends and refusals,
and STOCK checked after each step; then export.py's tables (moves.sql) and its stock_slots against
the server's STOCK. Skipped, saying why, when the server binary is missing or
knows no TRANSFER."""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from returnledger import ReturnLedgerError, item  # noqa: E402
from server import ADMIN_PASSWORD, ServerTestCase  # noqa: E402

PYDIR = os.path.dirname(HERE)


class TransferTest(ServerTestCase):
    probe = "TRANSFER SHOW NOPE"

    @classmethod
    def prepare(cls):
        with cls.client("admin") as admin:
            admin.call_line('LOCATION ADD PY-B name="Back room" kind=warehouse site=STORE1')
            admin.purchase("PY-PO1", "STORE1", "S001", [item("A100", 30, price="14.00")])

    def level(self, client, sku, location, batch=""):
        """A slot's states as ints, from STOCK."""
        for line in client.stock(sku, location=location).data:
            if line["location"] == location and line.get("batch", "") == batch:
                return {k: int(line[k]) for k in ("on_hand", "quarantine", "rtv", "refurbish", "transit")}
        return {k: 0 for k in ("on_hand", "quarantine", "rtv", "refurbish", "transit")}

    def test_the_worked_example_through_transit(self):
        with self.client("clerk1") as clerk:
            start1 = self.level(clerk, "A100", "STORE1")["on_hand"]
            start2 = self.level(clerk, "A100", "STORE2")
            sent = clerk.transfer_send("PY-T1", "STORE1", "STORE2", [item("A100", 5)], note="van")
            self.assertEqual((sent["state"], sent["qty"]), ("in_transit", "5"))
            self.assertEqual(self.level(clerk, "A100", "STORE1")["on_hand"], start1 - 5)
            self.assertEqual(self.level(clerk, "A100", "STORE2")["transit"], start2["transit"] + 5)
            again = clerk.transfer_send("PY-T1", "STORE1", "STORE2", [item("A100", 5)])
            self.assertEqual(again["existed"], "yes")
            got = clerk.transfer_receive("PY-T1", [item("A100", 4)], note="one missing")
            self.assertEqual((got["sent"], got["received"], got["lost"], got["found"], got["value"]),
                             ("5", "4", "1", "0", "-14.00"))
            after = self.level(clerk, "A100", "STORE2")
            self.assertEqual((after["transit"], after["on_hand"]), (start2["transit"], start2["on_hand"] + 4))
            self.assertEqual(clerk.transfer_receive("PY-T1", [item("A100", 4)])["existed"], "yes")
            with self.assertRaises(ReturnLedgerError) as refused:
                clerk.transfer_receive("PY-T1")
            self.assertEqual(refused.exception.code, "CONFLICT")
            shown = clerk.transfer_show("PY-T1")
            self.assertEqual([(l["sku"], l["sent"], l["received"]) for l in shown.data], [("A100", "5", "4")])
            self.assertEqual((shown["received_note"], shown["note"]), ("one missing", "van"))

    def test_within_a_site_and_cancelled(self):
        with self.client("clerk1") as clerk:
            self.assertEqual(clerk.transfer_send("PY-T2", "STORE1", "PY-B", [item("A100", 2)])["state"], "received")
            self.assertEqual(self.level(clerk, "A100", "PY-B")["on_hand"], 2)
            before = self.level(clerk, "A100", "STORE1")["on_hand"]
            clerk.transfer_send("PY-T3", "STORE1", "WH1", [item("A100", 1)])
            self.assertEqual(clerk.transfer_cancel("PY-T3")["state"], "cancelled")
            self.assertEqual(self.level(clerk, "A100", "STORE1")["on_hand"], before)
            # A retried cancel answers as the first did and moves nothing again.
            self.assertTrue(clerk.transfer_cancel("PY-T3").existed)
            self.assertEqual(self.level(clerk, "A100", "STORE1")["on_hand"], before)
            for call, code in [(lambda: clerk.transfer_cancel("PY-T2"), "STATE"),
                               (lambda: clerk.transfer_send("PY-T4", "STORE1", "WH1", [item("A100", 999)]), "STOCK"),
                               (lambda: clerk.transfer_send("PY-T4", "STORE1", "STORE1", [item("A100", 1)]), "INVALID"),
                               (lambda: clerk.adjust("in", "STORE1", "found", [item("A100", 1)]), "DENIED")]:
                with self.assertRaises(ReturnLedgerError) as refused:
                    call()
                self.assertEqual(refused.exception.code, code)

    def test_adjust_and_count(self):
        with self.client("supervisor1") as sup:
            before = self.level(sup, "C400", "STORE2")["on_hand"]
            added = sup.adjust("in", "STORE2", "found", [item("C400", 3)], note="behind the shelf", key="py-adj-1")
            self.assertEqual((added["qty"], added["value"]), ("3", "9.30"))  # cost 3.10
            self.assertEqual(sup.adjust("in", "STORE2", "found", [item("C400", 3)], note="behind the shelf",
                                        key="py-adj-1")["existed"], "yes")
            self.assertEqual(self.level(sup, "C400", "STORE2")["on_hand"], before + 3)
            with self.assertRaises(ReturnLedgerError) as refused:
                sup.adjust("out", "STORE2", "damage", [item("C400", before + 4)])
            self.assertEqual(refused.exception.code, "STOCK")
            counted = sup.count("STORE2", [item("C400", 1)], note="spot check")
            self.assertEqual([(l["before"], l["counted"], l["variance"]) for l in counted.data],
                             [(str(before + 3), "1", str(1 - before - 3))])
            self.assertTrue(counted["move"].startswith("M"))
            self.assertEqual(self.level(sup, "C400", "STORE2")["on_hand"], 1)

    def test_zz_export_holds_the_transfers_and_the_moves(self):
        """Runs after the others (unittest sorts by name): export.py into SQLite, then its rows."""
        with self.client("supervisor1") as sup:
            sup.count("STORE1", [item("B300", 3), item("A100", 0, batch="PY-NONE")], note="export check")
        directory = tempfile.mkdtemp(prefix="rl-py-moves-")
        self.addCleanup(shutil.rmtree, directory, True)
        path = os.path.join(directory, "moves.db")
        env = dict(os.environ, RETURNLEDGER_PORT=str(self.server.port), RETURNLEDGER_USER="admin",
                   RETURNLEDGER_PASSWORD=ADMIN_PASSWORD)
        out = subprocess.run([sys.executable, os.path.join(PYDIR, "export.py"), "--to", "sqlite:" + path],
                             env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        db = sqlite3.connect(path)
        self.addCleanup(db.close)
        rows = dict((r[0], r[1:]) for r in db.execute(
            "SELECT transfer, state, from_location, to_location, qty, received, lost, found, value FROM transfers"))
        self.assertEqual(rows["PY-T1"], ("received", "STORE1", "STORE2", 5, 4, 1, 0, "-14.00"))
        self.assertEqual(rows["PY-T2"], ("received", "STORE1", "PY-B", 2, 2, 0, 0, "0.00"))
        self.assertEqual(rows["PY-T3"][0], "cancelled")
        self.assertEqual(db.execute("SELECT sku, qty, received FROM transfer_lines WHERE transfer = 'PY-T1'").fetchall(),
                         [("A100", 5, 4)])
        kinds = db.execute("SELECT kind, COUNT(*) FROM stock_adjustments GROUP BY kind ORDER BY kind").fetchall()
        self.assertEqual([k for k, _ in kinds], ["adjust", "count"])
        lines = db.execute("SELECT sku, batch, before_qty, counted FROM count_lines c JOIN stock_adjustments a USING (move)"
                           " WHERE a.note = 'export check' ORDER BY n").fetchall()
        self.assertEqual([(sku, batch, counted) for sku, batch, _, counted in lines], [("B300", "", 3), ("A100", "PY-NONE", 0)])
        # The slots summed from the feed are STOCK's figures, transit included.
        with self.client("auditor1") as auditor:
            for sku in ("A100", "C400", "B300"):
                for line in auditor.stock(sku).data:
                    got = db.execute("SELECT on_hand, quarantine, rtv, refurbish, transit FROM stock_slots"
                                     " WHERE location = ? AND sku = ? AND batch = ?",
                                     (line["location"], sku, line.get("batch", ""))).fetchone()
                    want = tuple(int(line[k]) for k in ("on_hand", "quarantine", "rtv", "refurbish", "transit"))
                    self.assertEqual(got, want, "%s at %s" % (sku, line["location"]))


if __name__ == "__main__":
    unittest.main()
