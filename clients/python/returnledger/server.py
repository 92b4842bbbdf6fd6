"""Starts a real ``returnledger`` binary and stops it: one launcher for the Python tests and the
tools (crash test, transcripts, golden data). Standard library only.

    with ServerProcess(demo=True) as server:
        Client("127.0.0.1", server.port, user="clerk1", password="clerk1")
"""
import os
import re
import selectors
import shutil
import signal
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def default_binary():
    """``$RETURNLEDGER_BIN``, else the debug build in this checkout."""
    return os.environ.get("RETURNLEDGER_BIN", os.path.join(ROOT, ".build", "debug", "returnledger"))


class ServerProcess:
    """The server on a data directory (a temporary one unless given, removed by ``close``).

    ``port`` 0 takes a free one, read from the ``ready`` line; after a ``start`` again it keeps
    the port it had, so a client can reconnect to a restarted server. Every wait has a deadline.
    """

    def __init__(self, binary=None, data=None, port=0, demo=False, fsync=None, admin_password="py-admin",
                 args=(), capture_stderr=False, ready_timeout=60):
        self.binary = binary or default_binary()
        self.data = data or tempfile.mkdtemp(prefix="rl-py-")
        self.owns_data = data is None
        self.port = port
        self.demo = demo
        self.fsync = fsync
        self.admin_password = admin_password
        self.args = list(args)
        self.capture_stderr = capture_stderr
        self.ready_timeout = ready_timeout
        self.proc = None
        self.start()

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNLEDGER_")}
        env["RETURNLEDGER_ADMIN_PASSWORD"] = self.admin_password
        # A restart keeps the port (with --plain no there is none: 0).
        argv = [self.binary, "--port", str(self.port or 0), "--data", self.data] + (["--demo"] if self.demo else [])
        if self.fsync:
            argv += ["--fsync", self.fsync]
        argv += self.args
        if self.proc is not None:  # a restart: the last run's pipes are done with
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream:
                    stream.close()
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE if self.capture_stderr else subprocess.DEVNULL)
        line = self._ready_line()
        match = re.match(r'ready host=\S+ port=(\d+|"") ', line)
        if not match:
            self.kill()
            raise RuntimeError("server did not start: %r%s" % (line, (" " + self.stderr_text()) if self.capture_stderr else ""))
        self.port = int(match.group(1)) if match.group(1) != '""' else None
        tls = re.search(r" tls_port=(\d+)", line)
        self.tls_port = int(tls.group(1)) if tls else None
        return self

    def _ready_line(self):
        """The first line on stdout, or "" when the server exits or the deadline passes."""
        deadline = time.monotonic() + self.ready_timeout
        selector = selectors.DefaultSelector()
        selector.register(self.proc.stdout, selectors.EVENT_READ)
        buffer = b""
        try:
            while b"\n" not in buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(timeout=left):
                    return ""
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                buffer += chunk
        finally:
            selector.close()
        return buffer.split(b"\n", 1)[0].decode("utf-8", "replace")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30):
        """SIGTERM and wait; SIGKILL if it does not stop in time. Returns the exit status."""
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode

    def kill(self):
        """SIGKILL: no shutdown, no flush; the data directory stays for a restart."""
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stderr_text(self):
        """What the server wrote to stderr (once it has exited; ``capture_stderr`` only)."""
        if self.proc is None or self.proc.stderr is None or self.running():
            return ""
        return self.proc.stderr.read().decode("utf-8", "replace")

    def close(self):
        self.stop()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()
        if self.owns_data:
            shutil.rmtree(self.data, ignore_errors=True)
            # The default --backup-dir: the data directory's path followed by -backups.
            shutil.rmtree(os.path.abspath(self.data).rstrip("/") + "-backups", ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
