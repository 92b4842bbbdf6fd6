"""The real returnledger binary for a test: the library's launcher with the tests' defaults."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from returnledger.server import ROOT, ServerProcess as _Launcher  # noqa: E402

ADMIN_PASSWORD = "py-admin"
__all__ = ["ADMIN_PASSWORD", "ROOT", "ServerProcess", "ServerTestCase"]


class ServerProcess(_Launcher):
    """``--demo`` server on a temporary data directory; its port kept across a restart."""

    def __init__(self, demo=True, data=None, port=None):
        super().__init__(data=data, port=port or 0, demo=demo, admin_password=ADMIN_PASSWORD)


class ServerTestCase(unittest.TestCase):
    """One demo server for all the tests of a class."""

    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
