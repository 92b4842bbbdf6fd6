"""Starts the real returnledger binary for a test and stops it afterwards."""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BINARY = os.environ.get("RETURNLEDGER_BIN", os.path.join(ROOT, ".build", "debug", "returnledger"))
ADMIN_PASSWORD = "py-admin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``--demo`` server on a temporary data directory; ``port`` fixed so a restart keeps it."""

    def __init__(self, demo=True, data=None, port=None):
        self.data = data or tempfile.mkdtemp(prefix="rl-py-")
        self.owns_data = data is None
        self.port = port or free_port()
        self.demo = demo
        self.start()

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNLEDGER_")}
        env["RETURNLEDGER_ADMIN_PASSWORD"] = ADMIN_PASSWORD
        args = [BINARY, "--port", str(self.port), "--data", self.data] + (["--demo"] if self.demo else [])
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()  # waits for `ready ...`, no fixed sleep
        if not re.match(r"ready host=\S+ port=%d " % self.port, line):
            self.proc.kill()
            raise RuntimeError("server did not start: %r" % line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.proc.stdout.close()

    def close(self):
        self.stop()
        if self.owns_data:
            shutil.rmtree(self.data, ignore_errors=True)


class ServerTestCase(unittest.TestCase):
    """One demo server for all the tests of a class."""

    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
