"""The real returnledger binary for a test: the library's launcher with the tests' defaults."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from returnledger import Client, ReturnLedgerError  # noqa: E402
from returnledger.server import ROOT, ServerProcess as _Launcher, default_binary  # noqa: E402

ADMIN_PASSWORD = "py-admin"
__all__ = ["ADMIN_PASSWORD", "ROOT", "ServerProcess", "ServerTestCase", "skip"]


class ServerProcess(_Launcher):
    """``--demo`` server on a temporary data directory; its port kept across a restart."""

    def __init__(self, demo=True, data=None, port=None):
        super().__init__(data=data, port=port or 0, demo=demo, admin_password=ADMIN_PASSWORD)


def skip(module, why):
    """Skips, saying why on stderr too (a skipped end-to-end test must not pass unnoticed)."""
    print("\n%s: skipped, %s" % (module, why), file=sys.stderr)
    raise unittest.SkipTest(why)


class ServerTestCase(unittest.TestCase):
    """One demo server for all the tests of a class. Without the server binary the class is
    skipped, saying why; so it is when `probe` (a request line, sent as `probe_user`) is answered
    with UNKNOWN_COMMAND or SYNTAX: a server older than what the class tests. `prepare()` runs once
    on the fresh server; whatever fails before the tests, the server is stopped."""
    probe = None
    probe_user = "auditor1"

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(default_binary()):
            skip(cls.__module__, "no server binary at %s (swift build, or set RETURNLEDGER_BIN)" % default_binary())
        cls.server = ServerProcess()
        try:  # tearDownClass does not run when this fails
            if cls.probe:
                try:
                    with cls.client(cls.probe_user) as c:
                        c.call_line(cls.probe)
                except ReturnLedgerError as e:
                    if e.code.startswith("UNKNOWN") or e.code == "SYNTAX":
                        skip(cls.__module__, "this server answers %s with %s: it is older than these tests" % (cls.probe, e.code))
                    if e.code != "NOT_FOUND":
                        raise
            cls.prepare()
        except BaseException:
            cls.server.close()
            raise

    @classmethod
    def prepare(cls):
        """What the class's tests share, done once on the fresh server."""

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    @classmethod
    def client(cls, user, password=None):
        """A logged-in client: demo users' password is their name, admin's the tests' own."""
        return Client("127.0.0.1", cls.server.port, user=user,
                      password=password or (ADMIN_PASSWORD if user == "admin" else user))
