"""A warm standby against the real binary (protocol.md "A warm standby", REPLICATE, PROMOTE):
seeding and streaming, failover async and sync, fencing of the old primary, FEED across the
fork, a lost link, sync degradation, refusals and TLS. Every process is stopped by its PID in a
finally block; every wait polls with a deadline."""
import os
import random
import socket
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from standby_support import (ADMIN_PASSWORD, REPLICA_PASSWORD, REPLICA_USER, ROOT, Client, ConnectionLost,  # noqa: E402
                             Node, ReturnLedgerError, default_binary, digest, make_primary, make_standby,
                             parse_wal_dump, replication, run_to_exit, standby_lines, wait_for, wait_same_digest)

OPENSSL = shutil.which("openssl")
if OPENSSL is None and os.environ.get("RL_REQUIRE_TOOLS"):
    raise RuntimeError("RL_REQUIRE_TOOLS is set (.ci/run): the openssl command must be installed")


class Load(threading.Thread):
    """Files SALE then RETURN (with a key) on one connection until stopped or the connection dies;
    records every acknowledged change: ("sale", order) and ("return", id, key, order)."""

    def __init__(self, port, prefix, seed):
        super().__init__(daemon=True)
        self.port, self.prefix = port, prefix
        self.rng = random.Random(seed)
        self.acked = []
        self.errors = []
        self.stopping = threading.Event()

    def run(self):
        try:
            c = Client("127.0.0.1", self.port, user="clerk1", password="clerk1", retries=0, timeout=60)
        except ReturnLedgerError as e:
            self.errors.append(e)
            return
        n = 0
        try:
            while not self.stopping.is_set():
                n += 1
                order = "%s-%d" % (self.prefix, n)
                sku = self.rng.choice(["A100", "A200"])
                r = c.pipeline(["SALE %s %s:2 location=STORE1 customer=C001 paid=yes" % (order, sku)])[0]
                if not r.ok:
                    self.errors.append(r.status)
                    continue
                self.acked.append(("sale", order))
                key = "%s-k%d" % (self.prefix, n)
                r = c.pipeline(["RETURN %s %s:1 reason=DEFECTIVE key=%s" % (order, sku, key)])[0]
                if r.ok:
                    self.acked.append(("return", r["id"], key, order))
                else:
                    self.errors.append(r.status)
        except ConnectionLost:
            pass
        finally:
            c.close()


class StandbyCase(unittest.TestCase):
    binary = default_binary()

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(cls.binary):
            print("\n%s: skipped, no server binary at %s" % (__name__, cls.binary), file=sys.stderr)
            raise unittest.SkipTest("no server binary at %s (swift build, or set RETURNLEDGER_BIN)" % cls.binary)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="rl-standby-")
        self.nodes = []
        self.started = time.monotonic()

    def tearDown(self):
        for n in reversed(self.nodes):
            try:
                n.kill()
                n.close()
            except Exception:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)
        print("\n  [%s: %.1f s]" % (self.id().rsplit(".", 1)[-1], time.monotonic() - self.started), file=sys.stderr)

    def path(self, name):
        return os.path.join(self.dir, name)

    def primary(self, extra=(), name="P", port=0):
        n = make_primary(self.binary, self.path(name), extra, port=port)
        self.nodes.append(n)
        return n

    def standby(self, primary_port, name="S", extra=(), **kw):
        n = make_standby(self.binary, self.path(name), primary_port, extra, **kw)
        self.nodes.append(n)
        return n

    def node(self, name, args, **kw):
        n = Node(self.path(name), args, binary=self.binary, **kw)
        self.nodes.append(n)
        return n

    def wait_state(self, client, state, timeout=30):
        return wait_for("state=%s" % state, lambda: (lambda r: r if r["state"] == state else None)(replication(client)),
                        timeout=timeout)

    def few_changes(self, port, prefix, n=3):
        with Client("127.0.0.1", port, user="clerk1", password="clerk1") as c:
            for i in range(n):
                c.sale("%s-%d" % (prefix, i), "STORE1", ["A100:1"], customer="C001", paid=True)
                c.return_items("%s-%d" % (prefix, i), ["A100:1"], reason="DEFECTIVE")

    # -- a. seed and stream ---------------------------------------------------------------------

    def test_a_seed_then_stream_same_digest_readonly_same_reads(self):
        p = self.primary()
        self.few_changes(p.port, "S-A")
        s = self.standby(p.port)
        with p.client() as pa, s.client() as sa:
            seq, dp, ds = wait_same_digest(pa, sa)
            self.assertEqual(dp, ds, "digest differs at seq %d" % seq)
            self.few_changes(p.port, "S-A2", 2)  # streamed after the seed
            seq, dp, ds = wait_same_digest(pa, sa)
            self.assertEqual(dp, ds, "digest differs at seq %d after streaming" % seq)
            rep = replication(sa)
            self.assertEqual((rep["role"], rep["state"], rep["primary"]), ("standby", "streaming", "127.0.0.1:%d" % p.port))
            self.assertEqual(replication(pa)["standbys"], "1")
            self.assertEqual([l["state"] for l in standby_lines(pa)], ["streaming"])
            with s.client("clerk1") as sc:
                with self.assertRaises(ReturnLedgerError) as e:
                    sc.call("SALE", "S-RO", ["A100:1"], location="STORE1")
                self.assertEqual(e.exception.code, "READONLY")
                self.assertTrue(e.exception.message.startswith("primary=127.0.0.1:%d " % p.port), e.exception.message)
            with self.assertRaises(ReturnLedgerError) as e:
                sa.call_line("USER ADD x role=clerk password=xxxxxxxx")
            self.assertEqual(e.exception.code, "READONLY")
            # The order of checks (protocol.md): DENIED, then READONLY by the words alone (before
            # SYNTAX), WATCH and REPLICATE refused too; SNAPSHOT and reads answered locally.
            def code(client, line):
                try:
                    client.call_line(line)
                    return "OK"
                except ReturnLedgerError as error:
                    return error.code
            with s.client("clerk1") as sc:
                self.assertEqual(code(sc, "USER ADD y role=clerk password=yyyyyyyy"), "DENIED")
                self.assertEqual(code(sc, "RETURN"), "READONLY")  # no arguments: not SYNTAX
            self.assertEqual(code(sa, "WATCH"), "READONLY")
            self.assertEqual(code(sa, 'REPLICATE from=0 epoch="" history=""'), "READONLY")
            self.assertEqual(code(sa, "USER FROB"), "SYNTAX")  # an unknown sub-command is its usage error
            self.assertEqual(code(sa, "SNAPSHOT"), "OK")
            self.assertEqual(code(sa, "USER LIST"), "OK")
            with p.client("auditor1") as pr, s.client("auditor1") as sr:
                for line in ("SHOW R000001", "LIST", "STOCK A100", "ORDER S-A-1"):
                    a, b = pr.call_line(line), sr.call_line(line)
                    self.assertEqual((a.status, a.lines), (b.status, b.lines), line)

    # -- b, c: failover under load ---------------------------------------------------------------

    def failover(self, sync):
        seed = random.randrange(1 << 30)
        print("\n  failover sync=%s seed=%d" % (sync, seed), file=sys.stderr)
        extra = ["--sync-standby", "1", "--sync-timeout", "0"] if sync else []
        p = self.primary(extra)
        s = self.standby(p.port)
        with s.client() as sa:
            self.wait_state(sa, "streaming")
        load = Load(p.port, "S-F", seed)
        load.start()
        try:
            wait_for("60 acknowledged changes", lambda: len(load.acked) >= 60, timeout=60)
            with s.client() as sa:
                wait_for("the standby applying the load", lambda: int(replication(sa)["applied_seq"]) > 60, timeout=30)
            killed_at = time.monotonic()
            p.kill()
        finally:
            load.stopping.set()
            load.join(timeout=30)
        with s.client() as sa:
            before = replication(sa)
            durable = int(before["durable_seq"])
            promoted = sa.call("PROMOTE")
            epoch, parent, since = promoted["epoch"], promoted["parent"], int(promoted["since"])
        with s.client("clerk1") as sc:
            sc.sale("S-AFTER-1", "STORE1", ["A100:1"], customer="C001", paid=True)
        failover_s = time.monotonic() - killed_at
        print("  failover (kill -9 -> first change acknowledged on the promoted server): %.3f s; "
              "%d changes acknowledged, standby durable_seq=%d, new epoch %s since=%d"
              % (failover_s, len(load.acked), durable, epoch, since), file=sys.stderr)
        self.assertEqual(since, durable + 1, "the new epoch starts after the standby's durable seq")
        seqs = parse_wal_dump(self.binary, p.data)
        missing, checked = [], 0
        with s.client("auditor1") as sr:
            for change in load.acked:
                ident = change[1]
                seq = seqs.get(ident) if seqs is not None else None
                must = sync or (seq is not None and seq <= durable)
                try:
                    r = sr.call("ORDER", ident) if change[0] == "sale" else sr.call("SHOW", ident)
                    present = True
                    if change[0] == "return":
                        self.assertEqual(r.get("order"), change[3], "return %s is for another order" % ident)
                except ReturnLedgerError as e:
                    if e.code != "NOT_FOUND":
                        raise
                    present = False
                checked += must
                if must and not present:
                    missing.append((change, seq))
        lost = sum(1 for c in load.acked if seqs and seqs.get(c[1], 0) > durable)
        print("  checked %d acknowledged changes at or below the durable seq; %d acknowledged after it (lost "
              "to async, allowed)" % (checked, lost), file=sys.stderr)
        self.assertEqual(missing, [], "acknowledged changes not on the promoted server")
        if sync:
            self.assertEqual(lost, 0, "sync: no acknowledged change may lie past the standby's durable seq")
        with s.client() as sa:
            rep = replication(sa)
            self.assertEqual((rep["role"], rep["state"]), ("primary", "serving"))
        return p, s, epoch, parent, since

    def test_b_failover_async_keeps_what_the_standby_holds(self):
        self.failover(sync=False)

    def test_c_failover_sync_loses_nothing_acknowledged(self):
        self.failover(sync=True)

    # -- d, e: fencing of the old primary, FEED across the fork -----------------------------------

    def test_d_old_primary_is_fenced_then_reseeded_as_a_standby(self):
        p = self.primary()
        s = self.standby(p.port)
        self.few_changes(p.port, "S-D")
        with p.client() as pa, s.client() as sa:
            wait_same_digest(pa, sa)
        old_port = p.port
        p.kill()
        with s.client() as sa:
            promoted = sa.call("PROMOTE")
        epoch, since = promoted["epoch"], int(promoted["since"])
        # The old primary comes back on its address, without --standby-of.
        p.port = old_port
        p.start()
        t0 = time.monotonic()
        with p.client() as pa:
            self.wait_state(pa, "fenced", timeout=30)
        print("\n  old primary fenced %.1f s after its restart" % (time.monotonic() - t0), file=sys.stderr)
        self.assertLess(time.monotonic() - t0, 20, "fenced later than the 10 s call interval allows")
        with p.client("clerk1") as pc:
            with self.assertRaises(ReturnLedgerError) as e:
                pc.sale("S-FENCED", "STORE1", ["A100:1"], customer="C001", paid=True)
            self.assertEqual(e.exception.code, "READONLY")
            self.assertIn('primary="" superseded by epoch %s at seq %d' % (epoch, since), e.exception.message)
            self.assertEqual(pc.call("SHOW", "R000001").get("id"), "R000001")  # still serves reads
        p.stop()
        # Restarted as a standby of the new primary.
        s2args = ["--standby-of", "127.0.0.1:%d" % s.port, "--standby-user", REPLICA_USER]
        old = self.node("P", s2args, standby_password=REPLICA_PASSWORD)
        with old.client() as oa:
            state = wait_for("the old primary following or refused",
                             lambda: (lambda r: r if r["state"] in ("streaming", "refused") else None)(replication(oa)),
                             timeout=30)
        print("  old primary restarted as a standby: state=%s error=%s" % (state["state"], state["error"]), file=sys.stderr)
        if state["state"] == "refused":
            self.assertIn("diverged", state["error"])
            old.close()
            os.rename(old.data, old.data + "-aside")
            old = self.node("P", s2args, standby_password=REPLICA_PASSWORD)
        with s.client() as sa, old.client() as oa:
            self.few_changes(s.port, "S-D2", 1)
            seq, d1, d2 = wait_same_digest(sa, oa)
            self.assertEqual(d1, d2, "digest differs at seq %d" % seq)
            self.assertEqual(replication(oa)["state"], "streaming")

    def test_e_feed_with_epoch_across_the_fork(self):
        p = self.primary()
        s = self.standby(p.port)
        self.few_changes(p.port, "S-E", 2)
        with p.client() as pa, s.client() as sa:
            wait_same_digest(pa, sa)
            old_epoch = next(r for r in pa.call("INFO").data if r.get("section") == "server")["epoch"]
        p.kill()
        with s.client() as sa:
            promoted = sa.call("PROMOTE")
            self.assertEqual(promoted["parent"], old_epoch)
            since = int(promoted["since"])
            server = next(r for r in sa.call("INFO").data if r.get("section") == "server")
            self.assertEqual((server["epoch"], server["epoch_parent"], server["epoch_since"]),
                             (promoted["epoch"], old_epoch, str(since)))
            r = sa.call("FEED", **{"from": since - 1, "epoch": old_epoch})
            started = [d for d in r.data if d.get("type") == "epoch.started"]
            self.assertEqual(len(started), 1, r.lines)
            self.assertEqual((started[0]["epoch"], started[0]["parent"], started[0]["since"], started[0]["by"]),
                             (promoted["epoch"], old_epoch, str(since), "promote"))
            self.assertEqual(r["epoch"], promoted["epoch"])
            with self.assertRaises(ReturnLedgerError) as e:
                sa.call("FEED", **{"from": since, "epoch": old_epoch})
            self.assertEqual(e.exception.code, "STATE")
            sa.call("FEED", **{"from": since, "epoch": promoted["epoch"]})
            with self.assertRaises(ReturnLedgerError) as e:
                sa.call("FEED", **{"from": 0, "epoch": "00000000000000ab"})
            self.assertEqual(e.exception.code, "STATE")

    # -- f. the link lost and resumed ------------------------------------------------------------

    def test_f_link_lost_then_resumed(self):
        p = self.primary()
        s = self.standby(p.port)
        self.few_changes(p.port, "S-F1", 2)
        with p.client() as pa, s.client() as sa:
            wait_same_digest(pa, sa)
        port = p.port
        status, clean = p.stop()
        self.assertTrue(clean, "the primary did not stop on SIGTERM")
        with s.client("auditor1") as sr:
            self.wait_state(sr, "connecting", timeout=20)
            self.assertEqual(sr.call("SHOW", "R000001")["id"], "R000001")
        p.port = port
        p.start()
        self.few_changes(p.port, "S-F2", 3)
        with p.client() as pa, s.client() as sa:
            seq, d1, d2 = wait_same_digest(pa, sa, timeout=60)
            self.assertEqual(d1, d2)
            self.assertEqual(replication(sa)["state"], "streaming")

    # -- g. sync degradation ---------------------------------------------------------------------

    def test_g_sync_degrades_without_a_standby_and_recovers(self):
        p = self.primary(["--sync-standby", "1", "--sync-timeout", "1"])  # the replica user's USER ADD degrades it
        with p.client("clerk1") as c:
            t0 = time.monotonic()
            c.sale("S-G1", "STORE1", ["A100:1"], customer="C001", paid=True)
            self.assertLess(time.monotonic() - t0, 5, "a change waited too long without a standby")
        with p.client() as pa:
            rep = replication(pa)
            self.assertEqual((rep["sync_standby"], rep["sync"]), ("1", "degraded"))
            s = self.standby(p.port)
            with s.client() as sa:
                wait_same_digest(pa, sa)
            wait_for("sync=on", lambda: replication(pa)["sync"] == "on", timeout=30)
            with p.client("clerk1") as c:
                t0 = time.monotonic()
                c.sale("S-G2", "STORE1", ["A100:1"], customer="C001", paid=True)
                self.assertLess(time.monotonic() - t0, 5)
            self.assertEqual(replication(pa)["sync"], "on")

    # -- h. refusals -----------------------------------------------------------------------------

    def test_h_refusals(self):
        p = self.primary()
        with p.client() as pa:
            pa.call_line("USER ADD rep2 role=replica password=reppw2")
        s = self.standby(p.port)
        with p.client() as pa, s.client() as sa:
            wait_same_digest(pa, sa)
        # A wrong password (a directory that holds data, so it prints ready; an empty one never does).
        w = self.standby(p.port, name="W", user="rep2", password="reppw2")
        with w.client() as wa:
            self.wait_state(wa, "streaming")
        w.stop()
        w.standby_password = "wrong-password"
        w.start()
        with w.client() as wa:
            rep = self.wait_state(wa, "refused", timeout=30)
            self.assertNotEqual(rep["error"], "")
            print("\n  wrong password: error=%s" % rep["error"], file=sys.stderr)
        w.kill()
        # A standby of a standby.
        t = self.standby(p.port, name="T")
        with t.client() as ta:
            self.wait_state(ta, "streaming")
        t.stop()
        t.args = ["--standby-of", "127.0.0.1:%d" % s.port, "--standby-user", REPLICA_USER]
        t.start()
        with t.client() as ta:
            rep = self.wait_state(ta, "refused", timeout=30)
            self.assertIn("READONLY", rep["error"])
        t.kill()
        # Exit 2.
        status, out = run_to_exit(self.binary, self.path("X1"), ["--demo", "--standby-of", "127.0.0.1:%d" % p.port,
                                                                 "--standby-user", REPLICA_USER], REPLICA_PASSWORD)
        self.assertEqual(status, 2, out)
        status, out = run_to_exit(self.binary, self.path("X2"), ["--standby-of", "127.0.0.1:%d" % p.port,
                                                                 "--standby-user", REPLICA_USER], None)
        self.assertEqual(status, 2, out)
        self.assertIn("RETURNLEDGER_STANDBY_PASSWORD", out)
        s.stop()
        status, out = run_to_exit(self.binary, s.data, [])
        self.assertEqual(status, 2, out)
        status, out = run_to_exit(self.binary, p.data, ["--promote", "--standby-user", REPLICA_USER], REPLICA_PASSWORD)
        self.assertEqual(status, 2, "--promote on a primary's directory: " + out)

    # -- i. TLS ----------------------------------------------------------------------------------

    @unittest.skipUnless(OPENSSL, "needs the openssl command (apt-get install openssl)")
    def test_i_tls_stream_and_a_certificate_that_does_not_verify(self):
        for name in ("shop", "other"):
            subprocess.run([os.path.join(ROOT, "tools", "make-cert.sh"), name], cwd=self.dir, check=True,
                           stdout=subprocess.DEVNULL)
        cert, key, other = self.path("shop.crt"), self.path("shop.key"), self.path("other.crt")
        p = self.primary(["--tls-port", "0", "--tls-cert", cert, "--tls-key", key])
        self.assertIsNotNone(p.tls_port)
        s = self.standby(p.tls_port, extra=["--standby-ca", cert])
        self.few_changes(p.port, "S-I", 2)
        with p.client() as pa, s.client() as sa:
            seq, d1, d2 = wait_same_digest(pa, sa)
            self.assertEqual(d1, d2)
            self.assertEqual(replication(sa)["state"], "streaming")
        s.stop()
        s.args = ["--standby-of", "127.0.0.1:%d" % p.tls_port, "--standby-user", REPLICA_USER, "--standby-ca", other]
        s.start()
        with s.client() as sa:
            rep = self.wait_state(sa, "refused", timeout=30)
            print("\n  wrong CA: error=%s" % rep["error"], file=sys.stderr)


    # -- j: a bound on standby links ---------------------------------------------------------------

    def test_j_at_most_sixteen_standby_links(self):
        p = self.primary()
        with p.client() as pa:
            epoch = next(r for r in pa.call("INFO").data if r.get("section") == "server")["epoch"]
            seq = pa.call("DIGEST")["seq"]
        links = []
        try:
            def replicate():
                sock = socket.create_connection(("127.0.0.1", p.port), timeout=10)
                links.append(sock)
                f = sock.makefile("rb")
                sock.sendall(("AUTH %s %s\r\nREPLICATE from=%s epoch=%s history=%s:1:new\r\n"
                              % (REPLICA_USER, REPLICA_PASSWORD, seq, epoch, epoch)).encode())
                f.readline()  # AUTH's OK
                return f.readline().decode().strip()
            for n in range(16):
                self.assertTrue(replicate().startswith("OK mode=stream"), "link %d" % (n + 1))
            self.assertTrue(replicate().startswith("ERR LIMIT"))
        finally:
            for sock in links:
                sock.close()

    # -- k: an empty standby waiting for its seed stops on SIGTERM ---------------------------------

    def test_k_sigterm_stops_a_standby_waiting_for_its_seed(self):
        nobody = socket.socket()
        nobody.bind(("127.0.0.1", 0))
        port = nobody.getsockname()[1]
        nobody.close()  # nothing listens there: the seed cannot begin
        env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNLEDGER_")}
        env["RETURNLEDGER_STANDBY_PASSWORD"] = REPLICA_PASSWORD
        stderr_path = self.path("W") + ".stderr"
        with open(stderr_path, "wb") as stderr:
            proc = subprocess.Popen([self.binary, "--port", "0", "--data", self.path("W"), "--standby-of", "127.0.0.1:%d" % port,
                                     "--standby-user", REPLICA_USER], env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            wait_for("the standby's first failed seed", lambda: b"cannot seed" in open(stderr_path, "rb").read(), timeout=30)
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=10), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

if __name__ == "__main__":
    unittest.main()
