"""What the web desk's tests share: the real server (clients/python's ServerProcess, `--demo`), the
desk itself on a free port in a thread of this process, a small cookie-keeping HTTP client, and
a plain protocol client to set things up and check results. Every wait has a deadline."""
import http.client
import os
import re
import socket
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
WEB = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(WEB))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
sys.path.insert(0, WEB)

import uvicorn  # noqa: E402
from returnledger import Client, ReturnLedgerError  # noqa: E402,F401
from returnledger.server import ServerProcess, default_binary  # noqa: E402

from desk.app import Config, create_app  # noqa: E402

OUT = os.path.join(WEB, "test-output")


def wait_until(predicate, timeout=10.0, every=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(every)


def demo_server(**kwargs):
    binary = default_binary()
    if not os.access(binary, os.X_OK):
        raise RuntimeError("no server binary at %s: build it (swift build) or set RETURNLEDGER_BIN" % binary)
    return ServerProcess(binary=binary, demo=True, **kwargs)


class DeskThread:
    """The desk app served by uvicorn in a thread, on a socket bound before it starts."""

    def __init__(self, server_port, idle_minutes=15.0, https=None, **config):
        self.app = create_app(Config(server_port=server_port, idle_minutes=idle_minutes, **config))
        self.desk = self.app.state.desk
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = "%s://127.0.0.1:%d" % ("https" if https else "http", self.port)
        tls = {"ssl_certfile": https[0], "ssl_keyfile": https[1]} if https else {}
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", timeout_graceful_shutdown=1,
                                                    lifespan="on", **tls))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        wait_until(lambda: self.server.started or not self.thread.is_alive(), 20, what="the desk to start")
        if not self.server.started:
            raise RuntimeError("the desk did not start")

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


class Web:
    """A browser without a browser: cookies kept, redirects not followed (tests look at them)."""

    def __init__(self, base, lang="en", address=None):
        self.base = base
        self.cookies = {}
        self.lang = lang

    def request(self, method, path, data=None, headers=None):
        u = urllib.parse.urlsplit(self.base)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        h = {"Accept-Language": self.lang}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        h.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            text = r.read().decode("utf-8", "replace")
            for key, value in r.getheaders():
                if key.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    val = rest.split(";", 1)[0]
                    if val in ('""', "") or "max-age=0" in value.lower() or "expires=thu, 01 jan 1970" in value.lower():
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = val
            response = Response(r.status, dict((k.lower(), v) for k, v in r.getheaders()), text)
            response.set_cookies = [v for k, v in r.getheaders() if k.lower() == "set-cookie"]
            return response
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, data, **kw):
        return self.request("POST", path, data=data, **kw)

    def sign_in(self, user, password=None):
        page = self.get("/signin")
        token = csrf_of(page.text)
        r = self.post("/signin", {"csrf": token, "user": user, "password": password or user})
        if r.status != 303:
            raise AssertionError("sign-in as %s: %s %s" % (user, r.status, sentence_of(r.text)))
        return r

    def csrf(self, path="/me"):
        return csrf_of(self.get(path).text)


class Response:
    def __init__(self, status, headers, text):
        self.status, self.headers, self.text = status, headers, text

    def __repr__(self):
        return "Response(%d, %r)" % (self.status, self.text[:200])


def csrf_of(html):
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    if not m:
        raise AssertionError("no CSRF token on the page")
    return m.group(1)


def sentence_of(html):
    m = re.search(r'<div class="error" role="alert"[^>]*>\s*<p>(.*?)</p>', html, re.S)
    return m.group(1).strip() if m else ""


def rl(server, user, password=None):
    return Client("127.0.0.1", server.port, user=user, password=password or user, retries=0)
