"""export.py across a failover (protocol.md, "A warm standby"): an export that stopped at or before
the fork carries on from the promoted standby into its epoch; one that holds changes the standby
never got is refused, exit 3; several --server addresses, the unreachable ones skipped."""
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from server import ADMIN_PASSWORD, ROOT, ServerProcess, skip  # noqa: E402
from returnledger import Client  # noqa: E402
from standby_support import Node  # noqa: E402
from returnledger.server import default_binary  # noqa: E402

EXPORT = os.path.join(ROOT, "clients", "python", "export.py")
REPLICA_PASSWORD = "standby1-secret"


def Standby(data, primary_port):
    """`returnledger --standby-of` the primary on a data directory, its password in the environment
    as the server wants it (standby_support's Node: stopped by its own PID)."""
    return Node(data, args=["--standby-of", "127.0.0.1:%d" % primary_port, "--standby-user", "standby1"],
                standby_password=REPLICA_PASSWORD, admin_password=ADMIN_PASSWORD)


def replication(port):
    with Client("127.0.0.1", port, user="admin", password=ADMIN_PASSWORD, retries=0) as admin:
        return next(row for row in admin.call("INFO").data if row.get("section") == "replication")


def wait_until(what, check, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("%s: not within %d s" % (what, seconds))
        time.sleep(0.05)


def run_export(target, *servers, check=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RETURNLEDGER_", "RL_"))}
    argv = [sys.executable, EXPORT, "--to", target, "--limit", "20"]
    for server in servers:
        argv += ["--server", server]
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    if check and out.returncode != 0:
        raise AssertionError("export.py exited %d: %s%s" % (out.returncode, out.stdout, out.stderr))
    return out


def state(path):
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT epoch, last_seq FROM export_state WHERE id = 1").fetchone()
    finally:
        db.close()


def return_ids(path):
    """The returns exported so far; none while the exporter has made the file but not yet its
    tables (sqlite creates the file first: a wait that saw it could read too early)."""
    db = sqlite3.connect(path)
    try:
        return {row[0] for row in db.execute("SELECT id FROM returns")}
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return set()
        raise
    finally:
        db.close()


class ExportFailoverTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(default_binary()):
            skip(__name__, "no server binary at %s (swift build, or set RETURNLEDGER_BIN)" % default_binary())
        self.scratch = tempfile.mkdtemp(prefix="rl-export-failover-")
        self.primary = ServerProcess()
        self.standby = None
        with Client("127.0.0.1", self.primary.port, user="admin", password=ADMIN_PASSWORD) as admin:
            admin.call("USER", "ADD", "standby1", role="replica", password=REPLICA_PASSWORD)
        self.standby = Standby(os.path.join(self.scratch, "standby"), self.primary.port)

    def tearDown(self):
        if self.standby:
            self.standby.stop()
        self.primary.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def file(self, port, key, order="S-1002"):
        with Client("127.0.0.1", port, user="clerk1", password="clerk1", retries=0) as clerk:
            return clerk.call("RETURN", order, "A100:1", reason="DEFECTIVE", key=key)["id"]

    def caught_up(self, seq):
        """Waits until the standby has applied everything up to `seq` (the primary's, or an export's)."""
        return wait_until("the standby applies seq %d" % seq, lambda: int(replication(self.standby.port)["applied_seq"]) >= seq)

    def test_an_export_follows_the_promoted_standby_and_one_past_the_fork_stops(self):
        at_fork = os.path.join(self.scratch, "at-fork.db")
        past_fork = os.path.join(self.scratch, "past-fork.db")
        primary = "127.0.0.1:%d" % self.primary.port
        self.file(self.primary.port, "fo-1")
        run_export("sqlite:" + at_fork, primary)
        old_epoch, at_fork_seq = state(at_fork)
        self.caught_up(at_fork_seq)

        # The standby's link goes (kill -9); the primary takes more, and one export reads it.
        self.standby.kill()
        lost = self.file(self.primary.port, "fo-2", order="S-1001")
        run_export("sqlite:" + past_fork, primary)
        self.assertEqual(state(past_fork)[0], old_epoch)
        self.assertIn(lost, return_ids(past_fork))
        self.assertGreater(state(past_fork)[1], at_fork_seq)

        # The primary is lost; the standby comes back (its primary gone) and is promoted.
        self.primary.kill()
        self.standby.start()
        with Client("127.0.0.1", self.standby.port, user="admin", password=ADMIN_PASSWORD, retries=0) as admin:
            promoted = admin.call("PROMOTE")
        self.assertEqual(promoted["role"], "primary")
        self.assertEqual(promoted["parent"], old_epoch)
        self.assertLessEqual(at_fork_seq, int(promoted["since"]) - 1)
        self.assertLess(int(promoted["since"]) - 1, state(past_fork)[1])
        # The till re-sends the return the old primary took and the standby never got: filed anew.
        with Client("127.0.0.1", self.standby.port, user="clerk1", password="clerk1", retries=0) as clerk:
            again = clerk.call("RETURN", "S-1001", "A100:1", reason="DEFECTIVE", key="fo-2")
        self.assertIsNone(again.get("existed"))
        new = again["id"]

        # At the fork: it carries on into the new epoch, the dead primary skipped.
        standby = "127.0.0.1:%d" % self.standby.port
        out = run_export("sqlite:" + at_fork, primary + "," + standby)
        self.assertIn(new, return_ids(at_fork))
        epoch, seq = state(at_fork)
        self.assertEqual(epoch, promoted["epoch"])
        self.assertGreater(seq, at_fork_seq)
        self.assertIn("cannot connect", out.stderr)
        # And again, now holding the new epoch: nothing new, nothing doubled.
        before = return_ids(at_fork)
        run_export("sqlite:" + at_fork, standby)
        self.assertEqual(return_ids(at_fork), before)
        self.assertEqual(state(at_fork)[0], promoted["epoch"])

        # Past the fork: refused, exit 3, the target untouched.
        held = state(past_fork)
        out = run_export("sqlite:" + past_fork, standby, check=False)
        self.assertEqual(out.returncode, 3, out.stdout + out.stderr)
        self.assertIn("new target", out.stderr)
        self.assertEqual(state(past_fork), held)

    def test_a_following_export_moves_on_to_the_promoted_standby(self):
        path = os.path.join(self.scratch, "follow.db")
        servers = "127.0.0.1:%d,127.0.0.1:%d" % (self.primary.port, self.standby.port)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RETURNLEDGER_", "RL_"))}
        follower = subprocess.Popen([sys.executable, EXPORT, "--to", "sqlite:" + path, "--server", servers, "--follow",
                                     "--wait", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            first = self.file(self.primary.port, "ff-1")
            wait_until("the export takes %s" % first, lambda: os.path.exists(path) and first in return_ids(path))
            old_epoch = state(path)[0]
            self.caught_up(int(replication(self.primary.port)["durable_seq"]))
            self.primary.kill()
            with Client("127.0.0.1", self.standby.port, user="admin", password=ADMIN_PASSWORD, retries=0) as admin:
                promoted = admin.call("PROMOTE")
            second = self.file(self.standby.port, "ff-2", order="S-1001")
            wait_until("the export takes %s from the promoted standby" % second, lambda: second in return_ids(path))
            self.assertNotEqual(promoted["epoch"], old_epoch)
            wait_until("the target holds the new epoch", lambda: state(path)[0] == promoted["epoch"])
        finally:
            follower.send_signal(signal.SIGTERM)
            try:
                out, err = follower.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                follower.kill()
                out, err = follower.communicate(timeout=30)
        self.assertIn(b"carrying on", err)

    def test_no_server_answers(self):
        self.standby.kill()
        path = os.path.join(self.scratch, "none.db")
        self.primary.kill()
        out = run_export("sqlite:" + path, "127.0.0.1:%d" % self.primary.port, "127.0.0.1:%d" % self.standby.port,
                         check=False)
        self.assertEqual(out.returncode, 2, out.stdout + out.stderr)
        self.assertIn("no server answered", out.stderr)


if __name__ == "__main__":
    unittest.main()
