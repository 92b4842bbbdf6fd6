"""TLS against the real binary, with the programs a shop would use: the
Python client (the standard library's ssl module), openssl s_client and socat; a plain client
on the TLS port, a client that stalls mid-handshake, and certificates that must be refused."""
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from returnledger import Client, ConnectionLost, ReturnLedgerError  # noqa: E402
from returnledger.server import ROOT, ServerProcess, default_binary  # noqa: E402

OPENSSL = shutil.which("openssl")
if OPENSSL is None and os.environ.get("RL_REQUIRE_TOOLS"):
    raise RuntimeError("RL_REQUIRE_TOOLS is set (.ci/run): the openssl command must be installed")


def make_certificate(directory, name, days=30, hosts=("localhost",)):
    """A self-signed certificate through tools/make-cert.sh (days > 0), or one that expired
    yesterday (days < 0, signed with openssl x509 -days -1)."""
    if days > 0:
        subprocess.run([os.path.join(ROOT, "tools", "make-cert.sh"), name] + list(hosts), cwd=directory,
                       check=True, stdout=subprocess.DEVNULL)
    else:
        key, csr = os.path.join(directory, name + ".key"), os.path.join(directory, name + ".csr")
        subprocess.run([OPENSSL, "genrsa", "-out", key, "2048"], check=True, stderr=subprocess.DEVNULL)
        subprocess.run([OPENSSL, "req", "-new", "-key", key, "-subj", "/CN=localhost", "-out", csr], check=True)
        subprocess.run([OPENSSL, "x509", "-req", "-in", csr, "-signkey", key, "-days", str(days),
                        "-out", os.path.join(directory, name + ".crt")], check=True, stderr=subprocess.DEVNULL)
    return os.path.join(directory, name + ".crt"), os.path.join(directory, name + ".key")


@unittest.skipUnless(OPENSSL, "needs the openssl command (apt-get install openssl)")
class TLSTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="rl-tls-")
        cls.cert, cls.key = make_certificate(cls.dir, "shop")
        cls.server = cls.tls_server()

    @classmethod
    def tls_server(cls, *flags):
        """A demo server with TLS on a free port, with this class's certificate (and `flags`)."""
        return ServerProcess(demo=True, capture_stderr=True,
                             args=list(flags) + ["--tls-port", "0", "--tls-cert", cls.cert, "--tls-key", cls.key])

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def client(self, user="clerk1", **kw):
        kw.setdefault("cafile", self.cert)
        return Client("127.0.0.1", self.server.tls_port, user=user, password=user, tls=True, timeout=15, **kw)

    def tls_info(self):
        """INFO's section=tls line, as fields (asked over the plain port)."""
        with Client("127.0.0.1", self.server.port, user="auditor1", password="auditor1") as plain:
            return next(row for row in plain.call("INFO").data if row.get("section") == "tls")

    def test_ready_line_names_both_ports_and_the_same_protocol_runs_inside(self):
        self.assertIsNotNone(self.server.port)
        self.assertIsNotNone(self.server.tls_port)
        with self.client() as clerk, self.client("supervisor1") as supervisor:
            filed = clerk.call("RETURN", "S-1002", ["A100:1"], reason="DEFECTIVE", note="盖子裂了 over TLS", key="tls-1")
            self.assertTrue(filed.ok, filed.status)
            approved = supervisor.call("APPROVE", filed["id"], refund="credit")
            self.assertTrue(approved.ok, approved.status)
            self.assertIn("盖子裂了 over TLS", "\n".join(supervisor.call("SHOW", filed["id"]).lines))
            # Pipelined and large: a LIST page of many rows crosses many TLS records.
            many = clerk.call("LIST", limit=1000)
            self.assertTrue(many.ok)
        tls = self.tls_info()
        self.assertEqual((tls["enabled"], tls["expired"]), ("yes", "no"))
        self.assertGreaterEqual(int(tls["handshakes"]), 2)

    def test_a_long_pipeline_pauses_and_resumes_with_nothing_lost(self):
        # 200,000 requests at once: more than the connection's budget, so reading pauses while
        # TLS still holds decrypted bytes the socket will not signal again; every reply must come.
        # One thread, non-blocking (an SSL socket is not to be read and written from two).
        import select
        context = ssl.create_default_context(cafile=self.cert)
        count = 200_000
        with socket.create_connection(("127.0.0.1", self.server.tls_port), timeout=60) as raw, \
                context.wrap_socket(raw, server_hostname="localhost") as s:
            s.setblocking(False)
            outgoing, received = memoryview(b"PING\n" * count), bytearray()
            deadline = time.monotonic() + 120
            while received.count(b"\n") < count and time.monotonic() < deadline:
                select.select([s], [s] if outgoing else [], [], 1.0)
                if outgoing:
                    try:
                        outgoing = outgoing[s.send(outgoing[:65536]):]
                    except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                        pass
                try:
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        received += chunk
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                    pass
        self.assertEqual(bytes(received), b"OK pong\n" * count)

    def test_bytes_tls_holds_when_reading_pauses_are_read_when_it_resumes(self):
        # One TLS record of requests and then silence, into the smallest budget (16 KiB): reading
        # pauses part-way through the record, the rest decrypted inside OpenSSL and the socket
        # empty, so no event will come for it. Those requests must still be answered once the
        # replies drain (the server reads what OpenSSL holds when it resumes). Without that, this
        # connection waits for ever: the test fails at its deadline.
        server = self.tls_server("--max-client-buffer", "16384")
        try:
            context = ssl.create_default_context(cafile=self.cert)
            count = 16_380 // 5  # PING\n x 3,276: one record (16 KiB at most), 29 KB of queued frames
            with socket.create_connection(("127.0.0.1", server.tls_port), timeout=20) as raw, \
                    context.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"PING\n" * count)
                received, deadline = bytearray(), time.monotonic() + 20
                while received.count(b"\n") < count and time.monotonic() < deadline:
                    try:
                        chunk = s.recv(65536)
                    except socket.timeout:
                        break
                    if not chunk:
                        break
                    received += chunk
            self.assertEqual(received.count(b"\n"), count, "replies stopped: the bytes OpenSSL held were never read")
            self.assertEqual(bytes(received), b"OK pong\n" * count)
        finally:
            server.close()

    def test_over_max_connections_a_tls_client_is_told_inside_tls(self):
        server = self.tls_server("--max-connections", "2")
        try:
            tls = lambda: Client("127.0.0.1", server.tls_port, user="clerk1", password="clerk1", tls=True, cafile=self.cert, timeout=15)
            with tls() as first, tls() as second:
                context = ssl.create_default_context(cafile=self.cert)
                with socket.create_connection(("127.0.0.1", server.tls_port), timeout=15) as raw, \
                        context.wrap_socket(raw, server_hostname="localhost") as s:
                    s.sendall(b"AUTH clerk1 clerk1\nRETURN S-1002 A100:1 reason=DEFECTIVE key=over-the-limit\n")
                    told = s.makefile("rb").read()  # the line, then the close
                self.assertEqual(told, b"ERR LIMIT too many connections\n")
                # The plain port says it in plain text.
                with socket.create_connection(("127.0.0.1", server.port), timeout=15) as plain:
                    self.assertEqual(plain.makefile("rb").read(), b"ERR LIMIT too many connections\n")
                self.assertTrue(first.call("PING").ok and second.call("PING").ok)
                # What the refused client sent was never carried out.
                filed = first.call("RETURN", "S-1002", ["A100:1"], reason="DEFECTIVE", key="over-the-limit")
                self.assertTrue(filed.ok, filed.status)
                self.assertNotIn("existed", filed.fields)
            deadline = time.monotonic() + 10
            while True:  # the two closed: a new client is served
                try:
                    with tls() as again:
                        self.assertTrue(again.call("PING").ok)
                    break
                except (ConnectionLost, ReturnLedgerError):  # the server has not seen the closes yet
                    if time.monotonic() > deadline:
                        raise
        finally:
            server.close()

    def test_at_most_32_tls_refusals_handshake_at_once(self):
        # protocol.md, "Running the server": past 32 refused TLS connections still handshaking, a newcomer is
        # closed at once, without the line.
        server = self.tls_server("--max-connections", "1")
        silent = []
        try:
            with Client("127.0.0.1", server.tls_port, user="auditor1", password="auditor1", tls=True,
                        cafile=self.cert, timeout=15) as auditor:
                def connections():
                    return int(next(r for r in auditor.call("INFO").data if r.get("section") == "connections")["now"])
                for _ in range(32):  # over the limit, and never starting their handshakes
                    silent.append(socket.create_connection(("127.0.0.1", server.tls_port), timeout=15))
                deadline = time.monotonic() + 10
                while connections() < 33 and time.monotonic() < deadline:
                    pass
                self.assertEqual(connections(), 33)
                context = ssl.create_default_context(cafile=self.cert)
                with socket.create_connection(("127.0.0.1", server.tls_port), timeout=15) as raw:
                    with self.assertRaises((ssl.SSLError, ConnectionError, OSError)):
                        context.wrap_socket(raw, server_hostname="localhost")
                for s in silent:
                    s.close()
                silent = []
                while connections() > 1 and time.monotonic() < deadline + 10:
                    pass
                with socket.create_connection(("127.0.0.1", server.tls_port), timeout=15) as raw, \
                        context.wrap_socket(raw, server_hostname="localhost") as s:
                    self.assertEqual(s.makefile("rb").read(), b"ERR LIMIT too many connections\n")
                self.assertTrue(auditor.call("PING").ok)
        finally:
            for s in silent:
                s.close()
            server.close()

    def test_openssl_s_client_and_socat(self):
        script = b"AUTH clerk1 clerk1\nSTOCK A100\nQUIT\n"
        out = subprocess.run([OPENSSL, "s_client", "-quiet", "-verify_return_error", "-CAfile", self.cert,
                              "-connect", "127.0.0.1:%d" % self.server.tls_port], input=script,
                             capture_output=True, timeout=30)
        self.assertIn(b"OK user=clerk1 role=clerk", out.stdout, out.stderr)
        self.assertIn(b"OK bye", out.stdout)
        socat = shutil.which("socat")
        if socat is None:
            if os.environ.get("RL_REQUIRE_TOOLS"):
                self.fail("RL_REQUIRE_TOOLS is set (.ci/run): socat must be installed")
            self.skipTest("socat not installed")
        out = subprocess.run([socat, "-T", "10", "-", "OPENSSL:127.0.0.1:%d,cafile=%s" % (self.server.tls_port, self.cert)],
                             input=script, capture_output=True, timeout=30)
        self.assertIn(b"OK sku=A100", out.stdout, out.stderr)
        self.assertIn(b"OK bye", out.stdout)

    def test_a_plain_client_on_the_tls_port_is_told_and_closed(self):
        with socket.create_connection(("127.0.0.1", self.server.tls_port), timeout=10) as s:
            s.sendall(b"PING\n")
            reply = s.makefile("rb").readline()
        self.assertEqual(reply, b"ERR INVALID this port speaks TLS; plain text is on port %d\n" % self.server.port)

    def test_a_wrong_certificate_is_refused_by_the_client(self):
        other, _ = make_certificate(self.dir, "othershop", hosts=("othershop",))
        with self.assertRaises(ConnectionLost) as caught:
            self.client(cafile=other)  # not the certificate the server has
        self.assertIn("CERTIFICATE_VERIFY_FAILED", str(caught.exception))
        with self.assertRaises(ConnectionLost) as caught:
            self.client(server_hostname="till-server.example")  # not the name it was made for
        self.assertIn("CERTIFICATE_VERIFY_FAILED", str(caught.exception))
        # The server shrugs off both.
        with self.client() as clerk:
            self.assertEqual(clerk.call("PING").status, "OK pong")

    def test_a_stalled_handshake_never_blocks_others_and_is_closed_after_10_seconds(self):
        failures = int(self.tls_info()["failures"])
        stalled = socket.create_connection(("127.0.0.1", self.server.tls_port), timeout=30)
        hello_start = bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])  # a record header, then nothing
        stalled.sendall(hello_start)
        silent = socket.create_connection(("127.0.0.1", self.server.tls_port), timeout=30)
        started = time.monotonic()
        with self.client() as clerk:  # served meanwhile, at once
            self.assertEqual(clerk.call("PING").status, "OK pong")
        self.assertLess(time.monotonic() - started, 5)
        for s in (stalled, silent):
            self.assertEqual(s.recv(100), b"")  # closed by the server
            s.close()
        waited = time.monotonic() - started
        self.assertGreater(waited, 8)
        self.assertLess(waited, 30)
        self.assertGreaterEqual(int(self.tls_info()["failures"]), failures + 2)  # both counted


@unittest.skipUnless(OPENSSL, "needs the openssl command (apt-get install openssl)")
class TLSStartTest(unittest.TestCase):
    """What start-up says about certificates and flags (protocol.md, TLS)."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="rl-tls-start-")
        cls.cert, cls.key = make_certificate(cls.dir, "shop")
        cls.other_cert, cls.other_key = make_certificate(cls.dir, "other")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def start_fails(self, *args):
        data = tempfile.mkdtemp(prefix="rl-tls-data-")
        try:
            out = subprocess.run([default_binary(), "--data", data, "--port", "0", "--tls-port", "0"] + list(args),
                                 capture_output=True, timeout=60)
        finally:
            shutil.rmtree(data, ignore_errors=True)
        self.assertEqual(out.returncode, 2, out)
        lines = out.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, lines)
        return lines[0]

    def test_bad_files_and_flags_exit_2_with_one_line(self):
        self.assertIn("cannot read --tls-cert", self.start_fails("--tls-cert", "/nonexistent.crt", "--tls-key", self.key))
        self.assertIn("does not match", self.start_fails("--tls-cert", self.cert, "--tls-key", self.other_key))
        self.assertIn("is not a PEM certificate", self.start_fails("--tls-cert", self.key, "--tls-key", self.key))
        self.assertIn("needs --tls-key", self.start_fails("--tls-cert", self.cert))
        self.assertIn("--plain no needs TLS", self.start_fails("--plain", "no"))

    def test_tls_only_and_an_expired_certificate(self):
        cert, key = make_certificate(self.dir, "expired", days=-1)
        server = ServerProcess(demo=True, capture_stderr=True,
                               args=["--plain", "no", "--tls-port", "0", "--tls-cert", cert, "--tls-key", key])
        try:
            self.assertIsNone(server.port)  # the ready line says port=""
            # A client that checks the certificate refuses it; one told to trust it anyway is served.
            with self.assertRaises(ConnectionLost):
                Client("127.0.0.1", server.tls_port, tls=True, cafile=cert, timeout=15)
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            with socket.create_connection(("127.0.0.1", server.tls_port), timeout=15) as raw, \
                    context.wrap_socket(raw) as s:
                s.sendall(b"AUTH auditor1 auditor1\nINFO\n")
                reader = s.makefile("rb")
                lines, replies = [], 0
                while replies < 2:  # AUTH's OK, then INFO's lines and OK
                    lines.append(reader.readline())
                    if lines[-1] == b"":
                        break
                    replies += lines[-1].startswith(b"OK")
            tls = [l for l in lines if b"section=tls" in l][0]
            self.assertIn(b"expired=yes", tls)
        finally:
            server.stop()
            stderr = server.stderr_text()
            server.close()
        self.assertIn("the TLS certificate expired", stderr)


if __name__ == "__main__":
    unittest.main()
