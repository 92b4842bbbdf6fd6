"""Shared helpers for the warm standby tests and tools/standby_crashtest.py: a launcher that
passes the standby's environment, and polling helpers (every wait has a deadline). Standard
library only."""
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from returnledger import Client, ConnectionLost, ReturnLedgerError  # noqa: E402
from returnledger.server import ROOT, default_binary  # noqa: E402

ADMIN_PASSWORD = "sb-admin"
REPLICA_USER, REPLICA_PASSWORD = "rep1", "reppw1"


def wal_binary(binary=None):
    return os.path.join(os.path.dirname(binary or default_binary()), "wal")


class Node:
    """One returnledger process on a data directory. ``standby_password`` sets
    RETURNLEDGER_STANDBY_PASSWORD (None: not set). ``expect_ready=False`` runs it to its exit
    (for the exit-2 checks): see ``run_to_exit``."""

    def __init__(self, data, args=(), port=0, binary=None, standby_password=None, admin_password=ADMIN_PASSWORD,
                 ready_timeout=60, start=True):
        self.binary = binary or default_binary()
        self.data = data
        self.args = list(args)
        self.port = port
        self.tls_port = None
        self.standby_password = standby_password
        self.admin_password = admin_password
        self.ready_timeout = ready_timeout
        self.proc = None
        self.stderr_path = None
        if start:
            self.start()

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNLEDGER_")}
        env["RETURNLEDGER_ADMIN_PASSWORD"] = self.admin_password
        if self.standby_password is not None:
            env["RETURNLEDGER_STANDBY_PASSWORD"] = self.standby_password
        return env

    def argv(self):
        return [self.binary, "--port", str(self.port or 0), "--data", self.data] + self.args

    def start(self):
        self._close_pipes()
        self.stderr_path = self.data.rstrip("/") + ".stderr"
        err = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(self.argv(), env=self.env(), stdout=subprocess.PIPE, stderr=err)
        err.close()
        line = self._ready_line()
        m = re.match(r'ready host=\S+ port=(\d+) ', line + " ")
        if not m:
            self.kill()
            raise RuntimeError("server did not start: %r; stderr: %s" % (line, self.stderr_tail()))
        self.port = int(m.group(1))
        tls = re.search(r" tls_port=(\d+)", line)
        self.tls_port = int(tls.group(1)) if tls else None
        return self

    def _ready_line(self):
        deadline = time.monotonic() + self.ready_timeout
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        buf = b""
        try:
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(timeout=left):
                    return ""
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                buf += chunk
        finally:
            sel.close()
        return buf.split(b"\n", 1)[0].decode("utf-8", "replace")

    def stderr_tail(self, n=2000):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-n:]
        except OSError:
            return ""

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self, timeout=15):
        """SIGTERM; SIGKILL after `timeout`. Returns (exit status, whether SIGTERM sufficed)."""
        clean = True
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                clean = False
                self.kill()
        return (self.proc.returncode if self.proc else None), clean

    def _close_pipes(self):
        if self.proc is not None and self.proc.stdout:
            try:
                self.proc.stdout.close()
            except OSError:
                pass

    def close(self):
        self.stop(timeout=10)
        self._close_pipes()

    def client(self, user="admin", password=None, tls=False, auth_wait=30, **kw):
        """A logged-in client. A freshly seeded standby may print `ready` before it has applied
        the records that add its users (seeded at seq 0: no snapshot), so AUTH is retried until
        `auth_wait` seconds have passed."""
        password = password or (self.admin_password if user == "admin" else user)
        deadline = time.monotonic() + auth_wait
        while True:
            try:
                return Client("127.0.0.1", self.tls_port if tls else self.port, user=user, password=password, **kw)
            except ReturnLedgerError as e:
                if e.code != "AUTH" or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


def run_to_exit(binary, data, args, standby_password=None, timeout=30):
    """Runs the binary expecting it to exit by itself; (status, stdout+stderr)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNLEDGER_")}
    env["RETURNLEDGER_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    if standby_password is not None:
        env["RETURNLEDGER_STANDBY_PASSWORD"] = standby_password
    p = subprocess.Popen([binary, "--port", "0", "--data", data] + list(args), env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return None, (out + err).decode("utf-8", "replace")
    return p.returncode, (out + err).decode("utf-8", "replace")


def wait_for(what, fn, timeout=30, interval=0.1):
    """Polls fn() until it returns something truthy; AssertionError naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = fn()
            if last:
                return last
        except (ReturnLedgerError, OSError) as e:
            last = e
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %ss waiting for %s (last: %r)" % (timeout, what, last))
        time.sleep(interval)


def replication(client):
    """INFO's section=replication line as a dict."""
    return next(r for r in client.call("INFO").data if r.get("section") == "replication")


def standby_lines(client):
    return [r for r in client.call("INFO").data if r.get("section") == "standby"]


def digest(client):
    r = client.call("DIGEST")
    return int(r["seq"]), r["digest"]


def wait_same_digest(primary_client, standby_client, timeout=60):
    """Polls both DIGESTs until they are at the same seq; returns (seq, digest_p, digest_s)."""
    def probe():
        ps, pd = digest(primary_client)
        ss, sd = digest(standby_client)
        if ps == ss:
            return (ps, pd, sd)
        return None
    return wait_for("the standby's DIGEST at the primary's seq", probe, timeout=timeout, interval=0.1)


def make_primary(binary, data, extra=(), port=0, demo=True):
    """A primary (demo data) with the replica user. Under `--sync-standby` a change waits for a
    standby that cannot exist before the replica user does (for ever with `--sync-timeout 0`),
    so the user is added by a first run without the sync flags."""
    extra = list(extra)
    if "--sync-standby" in extra:
        first = make_primary(binary, data, [a for i, a in enumerate(extra) if not _sync_arg(extra, i)], port, demo)
        first.stop()
        first._close_pipes()
        node = Node(data, extra, port=first.port, binary=binary)
        return node
    node = Node(data, (["--demo"] if demo else []) + list(extra), port=port, binary=binary)
    try:
        with node.client() as a:
            try:
                a.call_line("USER ADD %s role=replica password=%s" % (REPLICA_USER, REPLICA_PASSWORD))
            except ReturnLedgerError as e:
                if e.code != "EXISTS" and "exist" not in e.message:
                    raise
    except BaseException:
        node.close()
        raise
    return node


def make_standby(binary, data, primary_port, extra=(), user=REPLICA_USER, password=REPLICA_PASSWORD, port=0,
                 ready_timeout=60):
    return Node(data, ["--standby-of", "127.0.0.1:%d" % primary_port, "--standby-user", user] + list(extra),
                port=port, binary=binary, standby_password=password, ready_timeout=ready_timeout)


def parse_wal_dump(binary, data):
    """seq of each sale order id and each return id (with its key) in a stopped server's log,
    read with `wal dump` (None when the wal tool is missing)."""
    wal = wal_binary(binary)
    if not os.path.exists(wal):
        return None
    out = subprocess.run([wal, "dump", data], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120).stdout
    seqs = {}
    seq = None
    for line in out.decode("utf-8", "replace").splitlines():
        m = re.match(r"#(\d+) ", line)
        if m:
            seq = int(m.group(1))
            continue
        m = re.match(r"\s+sale (\S+) at ", line)
        if m and seq is not None:
            seqs.setdefault(m.group(1), seq)
        m = re.match(r"\s+return filed (R\d+) ", line)
        if m and seq is not None:
            seqs.setdefault(m.group(1), seq)
    return seqs


def _sync_arg(args, i):
    """Whether args[i] is a sync flag or its value."""
    if args[i] in ("--sync-standby", "--sync-timeout"):
        return True
    return i > 0 and args[i - 1] in ("--sync-standby", "--sync-timeout")
