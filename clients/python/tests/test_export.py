"""export.py against the real server: SQLite, CSV and a real PostgreSQL server agree with STATS,
BALANCE and STOCK; a kill -9 mid-export and a rerun equal a fresh full export; a new epoch stops."""
import csv
import decimal
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
sys.path.insert(0, PYDIR)
sys.path.insert(0, HERE)
import export  # noqa: E402
from returnledger import Client  # noqa: E402
from server import ADMIN_PASSWORD, ROOT, ServerProcess  # noqa: E402

EXPORT = os.path.join(PYDIR, "export.py")
TABLES = ["parties", "orders", "returns", "return_items", "documents", "ledger_entries", "stock_moves",
          # goods.sql: stock_slots is summed move by move, so a page applied twice would show here.
          "stock_slots", "stock_move_states", "dispositions", "inspections"]

# What the server says, and the same asked of the exported tables.
QUERIES = {
    "filed": "SELECT COUNT(*) FROM returns",
    "approved": "SELECT COUNT(*) FROM returns WHERE state IN ('approved', 'inspecting', 'completed')",
    "rejected": "SELECT COUNT(*) FROM returns WHERE state = 'rejected'",
    "cancelled": "SELECT COUNT(*) FROM returns WHERE state = 'cancelled'",
    "pending": "SELECT COUNT(*) FROM returns WHERE state IN ('pending', 'second_review')",
    "amount": "SELECT COALESCE(SUM(CAST(amount AS numeric)), 0) FROM returns WHERE state IN ('approved', 'inspecting', 'completed')",
    # A voided approval's document stays, and STATS no longer counts its fee.
    "fees": "SELECT COALESCE(SUM(CAST(fee AS numeric)), 0) FROM documents WHERE doc NOT IN (SELECT voids FROM voids)",
}
BALANCES = "SELECT party, SUM(CAST(amount AS numeric)) FROM ledger_entries GROUP BY party ORDER BY party"
STOCK = ("SELECT sku, location, SUM(on_hand), SUM(quarantine) FROM stock_moves GROUP BY sku, location"
         " HAVING SUM(on_hand) <> 0 OR SUM(quarantine) <> 0 ORDER BY sku, location")


def money(value):
    return "%.2f" % float(value)


def shop_activity(port, returns=0):
    """Every kind of return the tables hold: approved, exchanged, with a fee, inspected, rejected,
    cancelled, to a supplier, without a receipt, a payment; and `returns` more, pipelined."""
    clerk = Client("127.0.0.1", port, user="clerk1", password="clerk1")
    sup = Client("127.0.0.1", port, user="supervisor1", password="supervisor1")
    admin = Client("127.0.0.1", port, user="admin", password=ADMIN_PASSWORD)
    fin = Client("127.0.0.1", port, user="finance1", password="finance1")
    admin.call("REASON", "SET", "CHANGED_MIND", fee="10")
    admin.call("PARTY", "ADD", "customer", "C003", name="李伟 Li Wei")
    clerk.call("SALE", "S-7001", "A100:6", "B300:2", "C400:10", location="STORE1", customer="C003")
    r1 = clerk.call("RETURN", "S-7001", "A100:1", reason="DEFECTIVE", key="x-1")["id"]
    sup.call("APPROVE", r1, refund="cash")
    # The toaster handed over must be on hand at STORE1 (section 22.3): the demo's STORE1 is at -3
    # (S-1003 and S-0900 sold without stock), so 4 bring one onto the shelf.
    clerk.call("PURCHASE", "PO-7001", "A200:4", location="STORE1", supplier="S001")
    r2 = clerk.call("RETURN", "S-7001", "A100:1", reason="WRONG_ITEM", exchange="A200:1", key="x-2")["id"]
    sup.call("APPROVE", r2)
    r3 = clerk.call("RETURN", "S-7001", "C400:4", reason="CHANGED_MIND", key="x-3")["id"]
    sup.call("APPROVE", r3)
    r4 = clerk.call("RETURN", "S-7001", "B300:1", reason="DEFECTIVE", key="x-4")["id"]
    sup.call("APPROVE", r4)
    sup.call("INSPECT", r4, "restock")
    r5 = clerk.call("RETURN", "S-7001", "A100:1", reason="DEFECTIVE", key="x-5")["id"]
    sup.call("REJECT", r5, note="used")
    r6 = clerk.call("RETURN", "S-7001", "A100:1", reason="DEFECTIVE", key="x-6")["id"]
    clerk.call("CANCEL", r6)
    clerk.call("RETURN", "S-7001", "A100:1", reason="DEFECTIVE", key="x-7")  # left pending
    r8 = clerk.call("RETURN", "PO-1002", "C400:5#LOT7", reason="EXPIRED", key="x-8")["id"]
    sup.call("APPROVE", r8)
    r9 = clerk.call("RETURN", "-", "C400:1", location="STORE1", customer="C002", reason="DEFECTIVE", key="x-9")["id"]
    sup.call("APPROVE", r9)
    fin.call("PAYMENT", "C003", amount="12.50", direction="in", note="till")
    if returns:
        clerk.call("SALE", "S-BULK", "C400:%d" % returns, location="STORE1", customer="C001")
        lines = ["RETURN S-BULK C400:1 reason=DEFECTIVE key=bulk-%d" % i for i in range(returns)]
        for start in range(0, returns, 500):
            replies = clerk.pipeline(lines[start:start + 500])
            ids = [r["id"] for r in replies if r.ok]
            for reply in sup.pipeline(["APPROVE %s" % i for i in ids[::2]]):
                assert reply.ok, reply.status
    for c in (clerk, sup, admin, fin):
        c.close()


def server_figures(port):
    with Client("127.0.0.1", port, user="auditor1", password="auditor1") as auditor:
        stats = auditor.call("STATS")
        figures = {k: stats[k] for k in QUERIES}
        balances = []
        for party in ["C001", "C002", "C003", "S001", "S002"]:
            balance = auditor.call("BALANCE", party)["balance"]
            if balance != "0.00":
                balances.append((party, balance))
        totals = {}
        for location in ["STORE1", "STORE2", "WH1"]:
            for row in auditor.call("STOCK", location=location).data:  # one line per SKU and batch
                h, q = totals.get((row["sku"], location), (0, 0))
                totals[(row["sku"], location)] = (h + int(row["on_hand"]), q + int(row["quarantine"]))
        stock = [(sku, loc, h, q) for (sku, loc), (h, q) in totals.items() if h != 0 or q != 0]
    return figures, sorted(balances), sorted(stock)


def table_figures(cursor):
    figures = {}
    for key, sql in QUERIES.items():
        cursor.execute(sql)
        value = cursor.fetchone()[0]
        figures[key] = money(value) if key in ("amount", "fees") else str(value)
    cursor.execute(BALANCES)
    balances = sorted((party, money(total)) for party, total in cursor.fetchall() if money(total) != "0.00")
    cursor.execute(STOCK)
    stock = sorted((sku, loc, int(h), int(q)) for sku, loc, h, q in cursor.fetchall())
    return figures, balances, stock


def run_export(port, target, *extra, check=True):
    env = dict(os.environ, RETURNLEDGER_PORT=str(port))
    out = subprocess.run([sys.executable, EXPORT, "--to", target] + list(extra), capture_output=True, text=True,
                         env=env, timeout=300)
    if check and out.returncode != 0:
        raise AssertionError("export.py exited %d: %s%s" % (out.returncode, out.stdout, out.stderr))
    return out


def rows(path):
    db = sqlite3.connect(path)
    try:
        return {t: db.execute("SELECT * FROM %s ORDER BY 1, 2" % t).fetchall() for t in TABLES + ["export_state"]}
    finally:
        db.close()


class ExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess()
        shop_activity(cls.server.port)
        cls.scratch = tempfile.mkdtemp(prefix="rl-export-")

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def test_sqlite_totals_equal_stats_balance_and_stock(self):
        path = os.path.join(self.scratch, "shop.db")
        out = run_export(self.server.port, "sqlite:" + path)
        self.assertRegex(out.stdout, r"exported up to seq \d+: \d+ feed lines")
        db = sqlite3.connect(path)
        try:
            self.assertEqual(table_figures(db.cursor()), server_figures(self.server.port))
            # Rerun with nothing new: nothing doubled.
            before = rows(path)
            run_export(self.server.port, "sqlite:" + path)
            after = rows(path)
            self.assertEqual({t: v for t, v in before.items() if t != "export_state"},
                             {t: v for t, v in after.items() if t != "export_state"})
            self.assertEqual(db.execute("SELECT COUNT(*) FROM documents").fetchone()[0], 6)
            self.assertEqual(db.execute("SELECT name FROM parties WHERE id = 'C003'").fetchone()[0], "李伟 Li Wei")
        finally:
            db.close()

    def test_csv_files_with_headers_open_with_chinese_intact(self):
        directory = os.path.join(self.scratch, "csv")
        run_export(self.server.port, "csv:" + directory)
        for table in ["returns", "return_items", "documents", "ledger_entries", "stock_moves"]:
            with open(os.path.join(directory, table + ".csv"), "rb") as f:
                self.assertTrue(f.read(3) == b"\xef\xbb\xbf", "%s.csv starts with a BOM for spreadsheets" % table)
        with open(os.path.join(directory, "parties.csv"), encoding="utf-8-sig", newline="") as f:
            parties = list(csv.DictReader(f))
        self.assertIn({"id": "C003", "kind": "customer", "name": "李伟 Li Wei"}, parties)
        with open(os.path.join(directory, "ledger_entries.csv"), encoding="utf-8-sig", newline="") as f:
            entries = list(csv.DictReader(f))
        self.assertEqual(list(entries[0].keys()), ["seq", "n", "at", "party", "kind", "doc", "amount"])
        total = sum(float(e["amount"]) for e in entries if e["party"] == "C003")
        balances = dict(server_figures(self.server.port)[1])
        self.assertEqual(money(total), balances["C003"])

    def test_follow_picks_up_a_new_change(self):
        path = os.path.join(self.scratch, "follow.db")
        run_export(self.server.port, "sqlite:" + path)
        env = dict(os.environ, RETURNLEDGER_PORT=str(self.server.port))
        follower = subprocess.Popen([sys.executable, EXPORT, "--to", "sqlite:" + path, "--follow", "--wait", "5"],
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            with Client("127.0.0.1", self.server.port, user="clerk1", password="clerk1") as clerk:
                clerk.call("SALE", "S-FOLLOW", "A100:1", location="STORE1")
            deadline = time.monotonic() + 30
            found = False
            while time.monotonic() < deadline and not found:
                db = sqlite3.connect(path)
                found = db.execute("SELECT 1 FROM orders WHERE id = 'S-FOLLOW'").fetchone() is not None
                db.close()
                if not found:
                    time.sleep(0.05)
            self.assertTrue(found, "the following export never took the new sale")
        finally:
            # SIGTERM, as systemd stops it (and Ctrl-C raises the same KeyboardInterrupt). Not
            # SIGINT: a test run started in the background of a non-interactive shell inherits
            # SIGINT ignored, and so does the follower, which then never stops (what failed twice).
            follower.send_signal(signal.SIGTERM)
            try:
                follower.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                follower.send_signal(signal.SIGUSR1)
                time.sleep(1)
                follower.kill()
                out, err = follower.communicate(timeout=30)
                self.fail("the follower did not stop on SIGTERM within 30 s; it was at:\n%s" % err.decode("utf-8", "replace"))

    def test_another_history_is_refused(self):
        path = os.path.join(self.scratch, "epoch.db")
        run_export(self.server.port, "sqlite:" + path)
        other = ServerProcess()
        try:
            out = run_export(other.port, "sqlite:" + path, check=False)
            self.assertEqual(out.returncode, 3, out.stdout + out.stderr)
            self.assertIn("epoch", out.stderr)
        finally:
            other.close()


class CrashedExportTest(unittest.TestCase):
    def test_a_killed_export_resumes_to_what_a_fresh_export_gives(self):
        server = ServerProcess()
        scratch = tempfile.mkdtemp(prefix="rl-export-kill-")
        try:
            shop_activity(server.port, returns=3000)
            resumed = os.path.join(scratch, "resumed.db")
            env = dict(os.environ, RETURNLEDGER_PORT=str(server.port))
            victim = subprocess.Popen([sys.executable, EXPORT, "--to", "sqlite:" + resumed, "--limit", "20"],
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 60
            killed_at = None
            while time.monotonic() < deadline and victim.poll() is None:
                try:
                    db = sqlite3.connect(resumed, timeout=0.1)
                    row = db.execute("SELECT last_seq FROM export_state").fetchone()
                    db.close()
                except sqlite3.Error:
                    row = None
                if row and row[0] > 100:
                    victim.send_signal(signal.SIGKILL)
                    killed_at = row[0]
                    break
                time.sleep(0.01)
            victim.communicate(timeout=30)
            self.assertIsNotNone(killed_at, "the export finished before it could be killed")
            run_export(server.port, "sqlite:" + resumed)
            fresh = os.path.join(scratch, "fresh.db")
            run_export(server.port, "sqlite:" + fresh)
            got, want = rows(resumed), rows(fresh)
            # The fresh export ran later: its own login's audit entry may have moved last_seq on.
            self.assertEqual(got.pop("export_state")[0][1], want.pop("export_state")[0][1])
            self.assertEqual(got, want)
            self.assertGreater(len(want["returns"]), 3000)
            print("killed at seq %d, resumed; %d returns, %d ledger entries equal a fresh export"
                  % (killed_at, len(want["returns"]), len(want["ledger_entries"])))
        finally:
            server.close()
            shutil.rmtree(scratch, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_binaries():
    for base in sorted(os.listdir("/usr/lib/postgresql"), reverse=True) if os.path.isdir("/usr/lib/postgresql") else []:
        bin_dir = os.path.join("/usr/lib/postgresql", base, "bin")
        if os.path.exists(os.path.join(bin_dir, "initdb")):
            return bin_dir
    return None


class PostgresExportTest(unittest.TestCase):
    """A throwaway PostgreSQL cluster in a temporary directory, stopped at the end. CI installs
    PostgreSQL and psycopg; elsewhere the test is skipped when either is missing."""

    def setUp(self):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            psycopg = None
        self.bin = postgres_binaries()
        if psycopg is None or self.bin is None:
            if os.environ.get("RL_REQUIRE_POSTGRES"):
                self.fail("RL_REQUIRE_POSTGRES is set (.ci/run): PostgreSQL's binaries and psycopg must be there")
            self.skipTest("needs PostgreSQL's binaries and psycopg 3")
        self.dir = tempfile.mkdtemp(prefix="rl-pg-")
        self.port = free_port()
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.as_postgres = as_postgres
        data = os.path.join(self.dir, "data")
        subprocess.run(as_postgres + [os.path.join(self.bin, "initdb"), "-D", data, "-U", "rl", "--auth=trust", "-E", "UTF8"],
                       check=True, capture_output=True, timeout=120)
        subprocess.run(as_postgres + [os.path.join(self.bin, "pg_ctl"), "-D", data, "-l", os.path.join(self.dir, "log"), "-w",
                                      "-o", "-p %d -k %s -c listen_addresses=127.0.0.1" % (self.port, self.dir), "start"],
                       check=True, capture_output=True, timeout=120)
        self.data = data

    def tearDown(self):
        if getattr(self, "data", None):
            subprocess.run(self.as_postgres + [os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop"],
                           capture_output=True, timeout=120)
        if getattr(self, "dir", None):
            shutil.rmtree(self.dir, ignore_errors=True)

    def test_postgresql_totals_equal_stats_balance_and_stock(self):
        import psycopg
        server = ServerProcess()
        try:
            shop_activity(server.port, returns=200)
            url = "postgresql://rl@127.0.0.1:%d/postgres" % self.port
            run_export(server.port, url, "--limit", "50")
            with psycopg.connect(url) as db:
                with db.cursor() as cur:
                    self.assertEqual(table_figures(cur), server_figures(server.port))
                    cur.execute("SELECT COUNT(*) FROM documents")
                    documents = cur.fetchone()[0]
                    cur.execute("SELECT COUNT(*) FROM doc_chain")
                    self.assertEqual(cur.fetchone()[0], documents)  # every approval's document is in the chain
                    cur.execute("SELECT name FROM parties WHERE id = 'C003'")
                    self.assertEqual(cur.fetchone()[0], "李伟 Li Wei")
                    # Keys hold: the schema's foreign keys are enforced.
                    with self.assertRaises(psycopg.errors.ForeignKeyViolation):
                        cur.execute("INSERT INTO return_items VALUES ('R999999', 1, 1, 'A100', 1, '', 1.00, 1.00)")
            # More changes, then a rerun takes only those.
            with Client("127.0.0.1", server.port, user="clerk1", password="clerk1") as clerk:
                clerk.call("SALE", "S-PG", "C400:1", location="STORE1", customer="C003")
                r = clerk.call("RETURN", "S-PG", "C400:1", reason="DEFECTIVE", key="pg-more")["id"]
            with Client("127.0.0.1", server.port, user="supervisor1", password="supervisor1") as sup:
                approved = sup.call("APPROVE", r)
            with Client("127.0.0.1", server.port, user="admin", password=ADMIN_PASSWORD) as admin:
                void = admin.call("VOID", r, reason="DEFECTIVE", note="approved by mistake")
            # Goods after the return: expired tea back to S002 without an order, credited short.
            with Client("127.0.0.1", server.port, user="clerk1", password="clerk1") as clerk:
                tea = clerk.return_to_supplier(["C400:3#LOT7"], "S002", "WH1", "EXPIRED", rma="PG-RMA", expected="9.00")
            with Client("127.0.0.1", server.port, user="supervisor1", password="supervisor1") as sup:
                sup.approve(tea.id)
            with Client("127.0.0.1", server.port, user="finance1", password="finance1") as fin:
                fin.vendor_credit(tea.id, "8.00", "CN-PG")
            run_export(server.port, url)
            with psycopg.connect(url) as db:
                with db.cursor() as cur:
                    self.assertEqual(table_figures(cur), server_figures(server.port))
                    cur.execute("SELECT COUNT(*) FROM documents")
                    self.assertEqual(cur.fetchone()[0], documents + 2)  # S-PG's return and the tea's
                    cur.execute("SELECT COUNT(*) FROM doc_chain")
                    self.assertEqual(cur.fetchone()[0], documents + 3)  # and the void's
                    cur.execute("SELECT doc, voids, owed FROM voids")
                    self.assertEqual(cur.fetchall(), [(void["doc"], approved["doc"], decimal.Decimal(void["owed"]))])
                    cur.execute("SELECT rma, source, expected FROM supplier_returns WHERE return_id = %s", (tea.id,))
                    self.assertEqual(cur.fetchall(), [("PG-RMA", "on_hand", decimal.Decimal("9.00"))])
                    cur.execute("SELECT received, difference, ref FROM vendor_credits")
                    self.assertEqual(cur.fetchall(), [(decimal.Decimal("8.00"), decimal.Decimal("-1.00"), "CN-PG")])
                    cur.execute("SELECT sku, location, batch, on_hand, quarantine, rtv, refurbish, transit FROM stock_slots"
                                " WHERE on_hand <> 0 OR quarantine <> 0 OR rtv <> 0 OR refurbish <> 0 OR transit <> 0")
                    slots = sorted(cur.fetchall())
            with Client("127.0.0.1", server.port, user="auditor1", password="auditor1") as auditor:
                shown = sorted((l["sku"], l["location"], l.get("batch", ""), int(l["on_hand"]), int(l["quarantine"]),
                                int(l["rtv"]), int(l["refurbish"]), int(l["transit"]))
                               for loc in ("STORE1", "STORE2", "WH1") for l in auditor.call("STOCK", location=loc).data)
            self.assertEqual(slots, [row for row in shown if any(row[3:])])
            target = export.Target(psycopg.connect(url), "%s")
            try:
                self.assertEqual(export.verify_chain(target), [])  # Decimals and datetimes read back as on the wire
            finally:
                target.close()
        finally:
            server.close()


if __name__ == "__main__":
    unittest.main()
