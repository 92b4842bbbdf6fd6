"""The client library, the register, the report and the shell clients against the real server."""
import csv
import contextlib
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
sys.path.insert(0, PYDIR)
sys.path.insert(0, HERE)
from returnledger import Client, ConnectionLost, ReturnLedgerError, item  # noqa: E402
from server import ADMIN_PASSWORD, ROOT, ServerProcess, ServerTestCase  # noqa: E402

SHELL_DIR = os.path.join(ROOT, "clients", "shell")


@contextlib.contextmanager
def in_pty(test, argv, env=None, cwd=None):
    """A program in a pseudo-terminal, as a person runs it: yields (write, expect); expect waits,
    with a deadline, until the screen shows a text, and returns all it has shown."""
    pid, fd = pty.fork()
    if pid == 0:
        if cwd:
            os.chdir(cwd)
        os.execvpe(argv[0], argv, env or os.environ)
    seen = b""

    def expect(pattern, timeout=15.0):
        nonlocal seen
        deadline = time.time() + timeout
        while pattern.encode() not in seen:
            remaining = deadline - time.time()
            if remaining <= 0:
                test.fail("%s never showed %r; saw %r" % (argv[0], pattern, seen[-800:]))
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break
        return seen

    try:
        yield (lambda data: os.write(fd, data)), expect
    finally:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)


class LibraryTest(ServerTestCase):
    def test_a_return_from_sale_to_document(self):
        with self.client("clerk1") as clerk, self.client("supervisor1") as sup, self.client("finance1") as fin:
            sale = clerk.sale("PY-1", "STORE1", [item("A100", 2)], customer="C001")
            self.assertEqual(sale.total, "50.00")
            filed = clerk.return_items("PY-1", [item("A100", 1)], reason="DEFECTIVE", note="lid 盖子", location="STORE2")
            self.assertEqual(filed.state, "pending")
            self.assertEqual(filed.kind, "sale")
            self.assertTrue(any(row["id"] == filed.id for row in sup.pending()))
            approved = sup.approve(filed.id, note="ok")
            self.assertTrue(approved.doc.startswith("RT-"))
            doc = clerk.call("DOC", approved.doc)
            self.assertEqual(doc["return"], filed.id)
            self.assertEqual(doc.data[0]["sku"], "A100")
            self.assertEqual(doc.data[0][""], "item")
            stock = clerk.stock("A100", location="STORE2")
            self.assertEqual(stock.on_hand, "1")
            balance = fin.balance("C001")
            self.assertEqual([e["kind"] for e in balance.data][-2:], ["credit_note", "payment"])
            show = clerk.show(filed.id)
            self.assertIn("lid 盖子", [e.get("note") for e in show.data])
            stats = fin.stats(by="reason")
            self.assertTrue(any(row["reason"] == "DEFECTIVE" for row in stats.data))

    def test_errors_carry_the_protocol_code(self):
        with self.client("clerk1") as clerk:
            with self.assertRaises(ReturnLedgerError) as caught:
                clerk.return_items("S-0900", ["A200:1"], reason="CHANGED_MIND")
            self.assertEqual(caught.exception.code, "EXPIRED")
            with self.assertRaises(ReturnLedgerError) as caught:
                clerk.approve("R000001")
            self.assertEqual(caught.exception.code, "DENIED")
            with self.assertRaises(ReturnLedgerError) as caught:
                Client("127.0.0.1", self.server.port, user="clerk1", password="wrong")
            self.assertEqual(caught.exception.code, "AUTH")

    def test_a_password_with_an_equals_sign_logs_in(self):
        # The client quotes it as AUTH's positional token; bare, the server read it as key=value.
        with self.client("admin", ADMIN_PASSWORD) as admin:
            admin.pipeline(["USER ADD eqpw role=clerk password=pa=ss"])
        with self.client("eqpw", "pa=ss") as clerk:
            self.assertEqual(clerk.call("WHOAMI")["user"], "eqpw")

    def test_a_resent_key_is_not_filed_twice(self):
        with self.client("clerk1") as clerk:
            clerk.sale("PY-2", "STORE1", ["A100:3"])
            first = clerk.return_items("PY-2", ["A100:1"], reason="DAMAGED", key="till9-0001")
            again = clerk.return_items("PY-2", ["A100:1"], reason="DAMAGED", key="till9-0001")
            self.assertEqual(first.id, again.id)
            self.assertTrue(again.existed)

    def test_pipelining_keeps_order(self):
        with self.client("clerk1") as clerk:
            lines = ["SALE PY-P%d location=STORE1 A100:1" % i for i in range(200)] + ["PING"]
            replies = clerk.pipeline(lines)
            self.assertEqual([r.order for r in replies[:-1]], ["PY-P%d" % i for i in range(200)])
            self.assertEqual(replies[-1].word, "pong")

    def test_quoting_round_trips_awkward_text(self):
        with self.client("admin", ADMIN_PASSWORD) as admin:
            name = 'Café "Zur Post" \\ 东方 \t tab'
            admin.call("PARTY", "ADD", "customer", "PYQ1", name=name)
            rows = {r["id"]: r for r in admin.call("PARTY", "LIST", "customer").data}
            self.assertEqual(rows["PYQ1"]["name"], name)


class ReturnTypesTest(ServerTestCase):
    def test_exchange_no_receipt_fee_order_and_paging_through_the_library(self):
        with Client("127.0.0.1", self.server.port, user="clerk1", password="clerk1") as clerk, \
                Client("127.0.0.1", self.server.port, user="supervisor1", password="supervisor1") as sup:
            # The toaster handed over must be on hand (section 22.3): the demo's STORE1 is at -3
            # (S-1003 and S-0900 sold without stock), so 4 bring one onto the shelf.
            clerk.purchase("PY-XP1", "STORE1", "S001", ["A200:4"])
            clerk.sale("PY-X1", "STORE1", ["A100:2"], customer="C001")
            swap = clerk.exchange("PY-X1", ["A100:1"], ["A200:1"], reason="WRONG_ITEM")
            approved = sup.approve(swap.id, fee="10")
            self.assertEqual((approved.fee, approved.net, approved.exchange_order, approved.due),
                             ("2.50", "22.50", "X-" + swap.id, "17.40"))
            order = clerk.order("PY-X1")
            self.assertEqual(order["status"], "partially_returned")
            self.assertEqual([(l["sku"], l["returned"], l["returnable"]) for l in order.data], [("A100", "1", "1")])
            self.assertEqual(clerk.order("X-" + swap.id).total, "39.90")
            slip = clerk.return_without_receipt(["C400:1"], customer="C001", location="STORE1", reason="CHANGED_MIND")
            with self.assertRaises(ReturnLedgerError) as refused:
                sup.approve(slip.id, refund="cash")
            self.assertEqual(refused.exception.code, "INVALID")
            self.assertEqual(sup.approve(slip.id).net, "6.50")
            # Every return of C001, page by page: each once, newest first.
            seen = [r["id"] for r in sup.returns(page=1, party="C001")]
            self.assertEqual(len(seen), len(set(seen)))
            self.assertEqual(seen[:2], [slip.id, swap.id])
            self.assertEqual(seen, sorted(seen, reverse=True))
        with Client("127.0.0.1", self.server.port, user="auditor1", password="auditor1") as auditor:
            trail = list(auditor.audit_trail(page=7))
            self.assertEqual([int(e["seq"]) for e in trail], list(range(1, len(trail) + 1)))


class ScopeTest(ServerTestCase):
    def test_a_scoped_clerk_works_only_at_its_store(self):
        with Client("127.0.0.1", self.server.port, user="admin", password=ADMIN_PASSWORD) as admin:
            self.assertEqual(admin.add_user("py-scoped", "clerk", "pw", locations=["STORE2"]).locations, "STORE2")
            with Client("127.0.0.1", self.server.port, user="py-scoped", password="pw") as clerk:
                with self.assertRaises(ReturnLedgerError) as denied:
                    clerk.sale("PY-SC1", "STORE1", ["A100:1"])
                self.assertEqual(denied.exception.code, "DENIED")
                self.assertEqual(clerk.call("WHOAMI").locations, "STORE2")
                admin.scope_user("py-scoped")
                self.assertEqual(clerk.sale("PY-SC1", "STORE1", ["A100:1"]).order, "PY-SC1")
            self.assertIn("filed", admin.stats(location="STORE2").fields)


class WatchTest(ServerTestCase):
    """WATCH from Python: the library's watch(), the supervisor console in a terminal,
    and the netcat one-liner."""

    def client(self, user):
        return Client("127.0.0.1", self.server.port, user=user, password=user)

    def test_watch_hands_pushes_to_the_callback_while_calls_go_on(self):
        heard = []
        arrived = threading.Event()

        def on_push(push):
            heard.append(push)
            if push.kind == "pending" and push["location"] == "STORE2":
                arrived.set()

        with self.client("lead1") as lead, self.client("till1") as till1, self.client("till2") as till2:
            self.assertIsInstance(lead.watch(on_push), int)
            till1.sale("PYW-1", "STORE1", ["A100:2"])
            till2.sale("PYW-2", "STORE2", ["A100:2"])
            first = till1.return_items("PYW-1", ["A100:1"], reason="DEFECTIVE")
            self.assertEqual(lead.call("PING").word, "pong")            # calls go on while watching
            till2.return_items("PYW-2", ["A100:1"], reason="DEFECTIVE")  # STORE2: not lead1's
            last = till1.return_items("PYW-1", ["A100:1"], reason="DAMAGED")
            deadline = time.time() + 15
            while len([p for p in heard if p.kind == "pending"]) < 2 and time.time() < deadline:
                time.sleep(0.01)
            pending = [p for p in heard if p.kind == "pending"]
            self.assertEqual([p["id"] for p in pending], [first.id, last.id])
            self.assertEqual(pending[0]["filed_by"], "till1")
            self.assertEqual(pending[0]["amount"], "25.00")
            self.assertFalse(arrived.is_set())
            # The second approval of a big return goes to finance, live.
            fin_heard = []
            with self.client("finance1") as fin:
                fin.watch(fin_heard.append)
                till1.sale("PYW-3", "STORE1", ["D500:6"])             # 534.00: the demo's rule BIG
                big = till1.return_items("PYW-3", ["D500:6"], reason="DEFECTIVE")
                self.assertEqual(lead.approve(big.id)["state"], "second_review")
                deadline = time.time() + 15
                while not fin_heard and time.time() < deadline:
                    time.sleep(0.01)
                self.assertEqual([(p.kind, p["id"], p["approved_by"]) for p in fin_heard], [("second_review", big.id, "lead1")])
                self.assertEqual(fin.approve(big.id)["state"], "inspecting")   # D500 goes to inspection
                self.assertEqual(lead.unwatch()["watching"], "0")

    def test_a_small_return_is_approved_at_once_by_the_demo_rule(self):
        with self.client("till1") as till:
            till.sale("PYW-4", "STORE1", ["C400:1@4.00"])
            r = till.return_items("PYW-4", ["C400:1"], reason="CHANGED_MIND")
            self.assertEqual(r.state, "approved")
            self.assertTrue(r.doc.startswith("RT-"))
            self.assertEqual(till.show(r.id)["rules"], "SMALL")

    def test_supervisor_console_in_a_terminal(self):
        argv = [sys.executable, os.path.join(PYDIR, "supervisor.py"), "--port", str(self.server.port), "--user", "lead1"]
        with self.client("till1") as till1, self.client("till2") as till2:
            till1.sale("PYC-1", "STORE1", ["A200:2"])
            till2.sale("PYC-2", "STORE2", ["A200:1"])
            early = till1.return_items("PYC-1", ["A200:1"], reason="DAMAGED", note="dented")
            with in_pty(self, argv) as (write, expect):
                shown = expect("type help").decode()
                self.assertIn(early.id, expect(PROMPT_TEXT).decode())      # the queue at start
                self.assertRegex(shown, r"lead1 \(supervisor, stores STORE1\): \d+ waiting")
                other = till2.return_items("PYC-2", ["A200:1"], reason="DEFECTIVE")
                new = till1.return_items("PYC-1", ["A200:1"], reason="WRONG_ITEM")
                screen = expect("NEW      %s" % new.id).decode()
                self.assertIn("WRONG_ITEM", screen)
                self.assertIn("filed by till1", screen)
                self.assertNotIn(other.id, screen)                       # STORE2 is not lead1's
                write(b"show %s\n" % new.id.encode())
                expect("filed          till1")
                write(b"approve %s looks fine\n" % new.id.encode())
                expect("%s approved, document RT-" % new.id)
                write(b"reject %s\n" % early.id.encode())                # a reject needs its note
                expect("reject ID note")
                write(b"reject %s no proof of purchase\n" % early.id.encode())
                expect("%s rejected" % early.id)
                write(b"approve %s\n" % other.id.encode())
                expect("refused: DENIED")
                write(b"quit\n")

    def test_netcat_one_liner_watches_a_store(self):
        env = dict(os.environ, RL_USER="lead2")
        watcher = subprocess.Popen([os.path.join(SHELL_DIR, "watch.sh"), "127.0.0.1", str(self.server.port)],
                                   stdout=subprocess.PIPE, text=True, env=env, start_new_session=True)
        try:
            with self.client("till2") as till2:
                deadline = time.time() + 15
                # WATCH takes effect once nc has logged in; until the first push arrives, file again.
                till2.sale("PYN-1", "STORE2", ["A100:5"])
                ready, line = False, ""
                while not ready and time.time() < deadline:
                    till2.return_items("PYN-1", ["A100:1"], reason="DEFECTIVE")
                    ready = bool(select.select([watcher.stdout], [], [], 1.0)[0])
                self.assertTrue(ready, "watch.sh printed nothing")
                line = watcher.stdout.readline()
                self.assertRegex(line, r"^! pending id=R\d{6} location=STORE2 kind=sale order=PYN-1 amount=25.00 ")
        finally:
            os.killpg(watcher.pid, 9)
            watcher.wait()
            watcher.stdout.close()


PROMPT_TEXT = "review> "


class ReconnectTest(unittest.TestCase):
    def test_the_client_reconnects_and_retries_safely_after_a_restart(self):
        server = ServerProcess()
        try:
            client = Client("127.0.0.1", server.port, user="clerk1", password="clerk1", retries=20)
            client.sale("PY-R", "STORE1", ["A100:2"])
            server.stop()
            restarter = threading.Thread(target=server.start)
            restarter.start()
            # The connection is gone; return_items reconnects, logs in again and re-sends with its key.
            filed = client.return_items("PY-R", ["A100:1"], reason="DEFECTIVE")
            restarter.join()
            self.assertEqual(filed.state, "pending")
            listed = [r for r in client.call("LIST", limit=1000).data if r["order"] == "PY-R"]
            self.assertEqual(len(listed), 1)
            with self.assertRaises(ConnectionLost):
                server.stop()
                client.call("PAYMENT", "C001", amount="1", direction="in")  # not idempotent: not retried
            client.close()
        finally:
            server.close()


class ToolsTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = dict(os.environ, RETURNLEDGER_PORT=str(cls.server.port))

    def run_tool(self, args, stdin=None):
        return subprocess.run([sys.executable] + args, input=stdin, capture_output=True, text=True, env=self.env,
                              cwd=PYDIR, timeout=60)

    def run_register_csv(self, rows):
        """register.py --csv on a file of these rows; the finished process."""
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as f:
            csv.writer(f).writerows(rows)
            path = f.name
        try:
            return self.run_tool(["register.py", "--csv", path])
        finally:
            os.unlink(path)

    def test_register_rings_up_and_files_from_csv(self):
        out = self.run_register_csv([
            ["action", "order", "items", "extra", "note"],
            ["sale", "TILL-1", "A100:2 C400:1#LOT7", "C001", ""],
            ["return", "TILL-1", "A100:1", "DEFECTIVE", "lid broken"],
            ["return", "TILL-1", "A100:5", "DEFECTIVE", "too many"],
        ])
        self.assertIn("sale TILL-1: total 56.50", out.stdout)
        self.assertRegex(out.stdout, r"return R\d{6} filed: pending, sale 25.00")
        self.assertIn("refused: EXCEEDS", out.stdout)
        self.assertEqual(out.returncode, 1)  # one row was refused

    def test_register_exchanges_and_takes_returns_without_a_receipt(self):
        out = self.run_register_csv([
            ["sale", "TILL-X1", "A100:2", "C002", ""],
            ["exchange", "TILL-X1", "A100:1", "WRONG_ITEM", "A200:1"],
            ["noreceipt", "C002", "C400:1", "CHANGED_MIND", "no slip"],
            ["noreceipt", "NOBODY", "C400:1", "CHANGED_MIND", ""],
            ["order", "TILL-X1", "", "", ""],
            ["status", "", "", "", ""],
        ])
        self.assertRegex(out.stdout, r"exchange for A200:1 R\d{6} filed: pending, sale 25.00")
        self.assertRegex(out.stdout, r"return without receipt R\d{6} filed: pending, sale 6.50")
        self.assertIn("refused: NOT_FOUND", out.stdout)
        self.assertIn("order TILL-X1 (sale, C002): open", out.stdout)
        self.assertIn("A100 x2 @ 25.00: 0 returned, 1 pending, 1 returnable", out.stdout)
        self.assertRegex(out.stdout, r"R\d{6} pending doc - amount 25.00 exchange A200:1")
        self.assertEqual(out.returncode, 1)  # the unknown customer's row

    def test_register_interactive_prints_the_document_once_approved(self):
        with Client("127.0.0.1", self.server.port, user="clerk1", password="clerk1") as clerk:
            clerk.sale("TILL-2", "STORE1", ["A100:1"])
        till = subprocess.Popen([sys.executable, "register.py", "--user", "clerk2", "--password", "clerk2"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=self.env, cwd=PYDIR)
        watchdog = threading.Timer(60, till.kill)  # never hang the suite on a silent till
        watchdog.start()
        try:
            def until(pattern):
                for line in till.stdout:
                    match = re.search(pattern, line)
                    if match:
                        return match
                self.fail("the register never printed %r" % pattern)

            till.stdin.write("return TILL-2 A100:1 CHANGED_MIND wrong colour\n")
            till.stdin.flush()
            rid = until(r"return (R\d{6}) filed: pending").group(1)
            with Client("127.0.0.1", self.server.port, user="supervisor1", password="supervisor1") as sup:
                doc = sup.approve(rid).doc
            till.stdin.write("status\n")  # the same till session, after the approval
            till.stdin.flush()
            shown = until(r"%s (\S+) doc (\S+)" % rid)
            self.assertEqual(shown.group(1), "approved")
            self.assertEqual(shown.group(2), doc)
            till.stdin.write("quit\n")
            till.stdin.flush()
            self.assertEqual(till.wait(timeout=30), 0)
        finally:
            watchdog.cancel()
            if till.poll() is None:
                till.kill()
            till.stdout.close()
            till.stdin.close()

    def test_report_writes_an_svg(self):
        with Client("127.0.0.1", self.server.port, user="clerk1", password="clerk1") as clerk, \
                Client("127.0.0.1", self.server.port, user="supervisor1", password="supervisor1") as sup:
            clerk.sale("REP-1", "STORE1", ["A100:3"])
            for reason in ("DEFECTIVE", "DAMAGED"):
                sup.approve(clerk.return_items("REP-1", ["A100:1"], reason=reason).id)
        out_dir = tempfile.mkdtemp()
        try:
            svg = os.path.join(out_dir, "r.svg")
            # --user without --password: the password defaults to the user name, as --help says.
            out = self.run_tool(["report.py", "--user", "finance1", "--out", svg])
            self.assertEqual(out.returncode, 0, out.stderr)
            with open(svg, encoding="utf-8") as f:
                text = f.read()
            self.assertTrue(text.startswith("<svg"))
            self.assertIn("Returns by reason", text)
            self.assertIn(">DEFECTIVE<", text)
            self.assertIn(">DAMAGED<", text)
            self.assertIn("Time to approval", text)
            self.assertIn("Exchanges by reason", text)
            self.assertIn("Refunds and credit by reason", text)
            self.assertRegex(text, r"cancelled \d+ · pending \d+ · returned [\d.]+ · fees kept [\d.]+")
        finally:
            shutil.rmtree(out_dir)


class SlipTest(ServerTestCase):
    def test_a_slip_for_the_counter_and_a_page_for_a4(self):
        with Client("127.0.0.1", self.server.port, user="clerk1", password="clerk1") as clerk, \
                Client("127.0.0.1", self.server.port, user="supervisor1", password="supervisor1") as sup:
            # The toaster handed over must be on hand (section 22.3): the demo's STORE1 is at -3.
            clerk.purchase("SLIP-P1", "STORE1", "S001", ["A200:4"])
            clerk.sale("SLIP-1", "STORE1", ["D500:1", "C400:2"], customer="C002")
            filed = clerk.exchange("SLIP-1", ["D500:1"], ["A200:1"], reason="CHANGED_MIND", note="嫌太大, too big")
            doc = sup.approve(filed.id, fee="10").doc
        env = dict(os.environ, RETURNLEDGER_PORT=str(self.server.port))
        page = os.path.join(tempfile.mkdtemp(), "slip.html")
        try:
            out = subprocess.run([sys.executable, "slip.py", doc, "--html", page], capture_output=True, text=True,
                                 env=env, cwd=PYDIR, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
            sys.path.insert(0, PYDIR)
            import slip
            lines = out.stdout.rstrip("\n").split("\n")
            self.assertTrue(all(slip.width(l) <= 42 for l in lines), [l for l in lines if slip.width(l) > 42])
            self.assertIn(slip.line("Document", doc, 42), lines)
            self.assertIn(slip.line("Customer", "王芳", 42), lines)
            for label, amount in (("Returned", "89.00"), ("Restocking fee", "-8.90"), ("Net", "80.10"),
                                  ("Due to customer", "40.20")):
                self.assertIn(slip.line(label, amount, 42), lines)
            self.assertIn("Rice cooker 电饭煲", lines)
            self.assertIn("Note: 嫌太大, too big", lines)
            with open(page, encoding="utf-8") as f:
                text = f.read()
            self.assertIn("<title>%s</title>" % doc, text)
            self.assertIn("Rice cooker 电饭煲", text)
            self.assertIn("Exchanged for (X-%s)" % filed.id, text)
            # In a real browser: Debian's chromium draws the page (fonts-noto-cjk for the Chinese).
            browser = shutil.which("chromium") or shutil.which("chromium-browser")
            if browser is None:
                self.skipTest("chromium is not installed (.ci/run installs it)")
            shot = page.replace(".html", ".png")
            subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                            "--window-size=794,1123", "--screenshot=" + shot, "file://" + page],
                           capture_output=True, timeout=120)
            with open(shot, "rb") as f:
                png = f.read()
            self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
            self.assertGreater(len(png), 20_000)  # a drawn page, not a blank one
        finally:
            shutil.rmtree(os.path.dirname(page))


class ShellTest(ServerTestCase):
    def test_bash_client_with_arguments_and_stdin(self):
        env = dict(os.environ, RL_USER="clerk1", RL_PASSWORD="clerk1")
        rl = os.path.join(SHELL_DIR, "rl.sh")
        out = subprocess.run(["bash", rl, "127.0.0.1", str(self.server.port), "STOCK A100 location=WH1", "WHOAMI"],
                             capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("* sku=A100 location=WH1 on_hand=50 quarantine=0", out.stdout)
        self.assertIn("OK user=clerk1 role=clerk", out.stdout)
        out = subprocess.run(["bash", rl, "127.0.0.1", str(self.server.port)], input="PING\n\n# comment\nAPPROVE R000001\n",
                             capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(out.stdout.splitlines(), ["OK pong", "ERR DENIED role clerk may not use APPROVE"])
        self.assertEqual(out.returncode, 1)

    def test_netcat_daily_jobs(self):
        env = dict(os.environ, RL_PORT=str(self.server.port), RL_USER="supervisor1", RL_PASSWORD="supervisor1")
        out = subprocess.run(["bash", os.path.join(SHELL_DIR, "daily.sh"), "stock", "A100"], capture_output=True,
                             text=True, env=env, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("OK sku=A100", out.stdout)
        self.assertIn("OK bye", out.stdout)
        out = subprocess.run(["bash", os.path.join(SHELL_DIR, "daily.sh"), "pending"], capture_output=True, text=True,
                             env=env, timeout=30)
        self.assertRegex(out.stdout, r"OK count=\d+")
        # `today` needs STATS: its own default user may use it, and an ERR makes the exit status 1.
        plain = {k: v for k, v in os.environ.items() if not k.startswith(("RL_", "RETURNLEDGER_"))}
        plain["RETURNLEDGER_PORT"] = str(self.server.port)
        out = subprocess.run(["bash", os.path.join(SHELL_DIR, "daily.sh"), "today"], capture_output=True, text=True,
                             env=plain, timeout=30)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("OK filed=", out.stdout)
        out = subprocess.run(["bash", os.path.join(SHELL_DIR, "daily.sh"), "today"], capture_output=True, text=True,
                             env=dict(plain, RL_USER="supervisor1"), timeout=30)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn("ERR DENIED", out.stdout)

    def test_nc_session_with_crlf(self):
        out = subprocess.run(["nc", "-q", "2", "127.0.0.1", str(self.server.port)],
                             input=b"AUTH clerk1 clerk1\r\nSTOCK B300\r\nQUIT\r\n", capture_output=True, timeout=30)
        lines = out.stdout.decode().splitlines()
        self.assertEqual(lines[0], "OK user=clerk1 role=clerk")
        self.assertTrue(lines[-2].startswith("OK sku=B300"))
        self.assertEqual(lines[-1], "OK bye")

    @contextlib.contextmanager
    def telnet(self):
        """The real telnet program in a pseudo-terminal: yields (write, expect)."""
        with in_pty(self, ["telnet", "127.0.0.1", str(self.server.port)]) as (write, expect):
            expect("Escape character")
            yield write, expect

    def test_telnet_session_with_negotiation_bytes(self):
        """The real telnet program in a terminal: its escape key sends IAC AYT and negotiates
        BINARY (IAC DO/WILL) in the middle of a command; the server strips them and answers."""
        with self.telnet() as (write, expect):
            write(b"AUTH clerk1 clerk1\r")
            expect("OK user=clerk1 role=clerk")
            write(b"PI")
            write(b"\x1d")           # ^]: telnet's command prompt
            expect("telnet>")
            write(b"send ayt\r")      # IAC AYT (0xFF 0xF6) into the middle of the line
            write(b"\x1d")
            expect("telnet>")
            write(b"toggle binary\r")  # IAC DO BINARY, IAC WILL BINARY
            expect("binary")
            write(b"NG\r")
            expect("OK pong")
            write(b"WHOAMI\r")
            expect("session=")
            write(b"QUIT\r")
            expect("OK bye")

    def test_chinese_typed_in_telnet_arrives_intact_as_the_readme_says(self):
        """With README's one line in ~/.telnetrc (`localhost toggle outbinary`), Chinese typed at
        telnet's prompt reaches the server as UTF-8 (杯 holds 0x9D, ^] with the high bit off;
        漏 holds 0x8F, ^O) and comes back intact from SHOW, on a screen without staircases."""
        home = tempfile.mkdtemp(prefix="rl-telnetrc-")
        try:
            with open(os.path.join(home, ".telnetrc"), "w") as f:
                f.write("localhost toggle outbinary\n127.0.0.1 toggle outbinary\n")
            note = "杯子漏水了，换一个"
            env = dict(os.environ, HOME=home)
            with in_pty(self, ["telnet", "localhost", str(self.server.port)], env=env) as (write, expect):
                expect("Escape character")
                write(b"AUTH clerk1 clerk1\r")
                expect("OK user=clerk1 role=clerk\r\n")
                write(('RETURN S-1001 A100:1 reason=DEFECTIVE note="%s" key=telnet-zh\r' % note).encode())
                shown = expect('doc=""\r\n')
                number = re.search(rb"OK id=(R\d+) state=pending", shown).group(1).decode()
                write(("SHOW %s\r" % number).encode())
                screen = expect("OK id=%s" % number)
                self.assertIn(('note="%s"' % note).encode(), screen)
                self.assertNotIn(b"telnet>", screen)
                self.assertNotIn(b"ERR ENCODING", screen)
                write(b"QUIT\r")
                expect("OK bye")
            with Client("127.0.0.1", self.server.port, user="auditor1", password="auditor1") as c:
                filed = [row for row in c.call("SHOW", number).data if row.get("action") == "filed"]
                self.assertEqual(filed[0]["note"], note)
        finally:
            shutil.rmtree(home)

    def test_nc_and_dev_tcp_sessions_see_no_telnet_bytes(self):
        """Only a client that negotiates gets telnet bytes: nc and bash's /dev/tcp never do."""
        out = subprocess.run(["nc", "-q", "2", "127.0.0.1", str(self.server.port)],
                             input="AUTH clerk1 clerk1\nPING\nSTOCK A100\nHELP\nQUIT\n".encode(), capture_output=True, timeout=30)
        self.assertIn(b"OK pong\n", out.stdout)
        self.assertNotIn(b"\xff", out.stdout)
        self.assertNotIn(b"\r", out.stdout)
        script = ("exec 3<>/dev/tcp/127.0.0.1/%d; printf 'AUTH clerk1 clerk1\\nPING\\nQUIT\\n' >&3; cat <&3" % self.server.port)
        out = subprocess.run(["bash", "-c", script], capture_output=True, timeout=30)
        self.assertEqual(out.stdout, b"OK user=clerk1 role=clerk\nOK pong\nOK bye\n")

    def test_ctrl_c_in_telnet_does_not_blind_the_session(self):
        """Ctrl-C, Ctrl-O and Ctrl-\\ in the real telnet program send IAC IP/AO/BRK and IAC DO
        TIMING-MARK; telnet shows nothing until the server answers WILL TIMING-MARK."""
        with self.telnet() as (write, expect):
            write(b"AUTH clerk1 clerk1\r")
            expect("OK user=clerk1 role=clerk")
            for key, word, shown in ((b"\x03", "PING", "OK pong"), (b"\x0f", "STOCK A100", "OK sku=A100"),
                                     (b"\x1c", "WHOAMI", "session=")):
                write(key)
                write(word.encode() + b"\r")
                expect(shown)
            write(b"QUIT\r")
            expect("OK bye")


class TranscriptTest(unittest.TestCase):
    def test_every_transcript_in_protocol_md_matches_the_live_server(self):
        out = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "transcripts.py"), "--check",
                              os.path.join(ROOT, "protocol.md")], capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertRegex(out.stdout, r"\d+ transcripts checked, 0 differ")


class ReadmeTest(unittest.TestCase):
    def test_the_readme_followed_in_order_works(self):
        """Every example in README.md, in order, on a fresh demo server (tools/readme_check.py)."""
        out = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "readme_check.py"), os.path.join(ROOT, "README.md")],
                             capture_output=True, text=True, timeout=300)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        checked = int(re.search(r"README followed in order: (\d+) examples work", out.stdout).group(1))
        self.assertGreaterEqual(checked, 60, "the README lost its checked examples")


if __name__ == "__main__":
    unittest.main()
