#!/usr/bin/env python3
"""Open N watching sessions (WATCH) and read their push lines until interrupted: the load of a
chain's supervisor screens, for measuring what watchers cost the writer (tools/bench beside it).

  tools/watchers.py --port 7480 --password ADMIN_PW --count 100 [--seconds 60] [--store CODE]

Creates supervisors bwatch0..N-1 (password bwatch) if missing; with --store, scoped to that
store (created if missing), so they watch and are routed every change but hear of none filed
elsewhere: the "idle watchers" of a chain whose other stores are busy. Prints, at the end, the push
lines received per session (min, max) so a run can show that every watcher kept up.
Standard library only.
"""
import argparse
import os
import selectors
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "clients", "python"))
from returnledger import Client  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7480)
    p.add_argument("--password", required=True, help="the admin's password, to create the watchers")
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--seconds", type=float, default=3600)
    p.add_argument("--store", help="scope the watchers to this store")
    p.add_argument("--no-watch", action="store_true", help="log in only: what the connections cost without WATCH")
    a = p.parse_args()
    admin = Client(a.host, a.port, user="admin", password=a.password)
    scope = ""
    if a.store:
        admin.pipeline(["LOCATION ADD %s name=Watchers" % a.store])
        scope = " locations=" + a.store
    for i in range(a.count):
        admin.pipeline(["USER ADD bwatch%d role=supervisor password=bwatch%s" % (i, scope)])
    socks = []
    for i in range(a.count):
        s = socket.create_connection((a.host, a.port))
        s.sendall(b"AUTH bwatch%d bwatch\n" % i + (b"" if a.no_watch else b"WATCH\n"))
        socks.append(s)
    # Wait for every login and WATCH to be answered: the logins' crypt work must be over before
    # a benchmark starts beside these sessions, or it measures crypt.
    expected = 1 if a.no_watch else 2
    for s in socks:
        got = b""
        while got.count(b"\n") < expected:
            got += s.recv(4096)
        if b"ERR" in got:
            raise SystemExit("session refused: %r" % got)
    counts = {s.fileno(): 0 for s in socks}
    print("watching: %d sessions" % len(socks), flush=True)
    # After WATCH's reply a session only receives push lines: each newline ends one. Read into
    # one reused buffer through epoll: a fresh 1 MiB bytes per recv (mmap, page faults, munmap)
    # and select over every socket cost this process more than the server spent on the pushes,
    # and on a small machine that CPU came out of the server's share.
    buf = bytearray(1 << 16)
    view = memoryview(buf)
    poller = selectors.DefaultSelector()
    for s in socks:
        poller.register(s, selectors.EVENT_READ)
    deadline = time.time() + a.seconds
    try:
        while time.time() < deadline and socks:
            for key, _ in poller.select(1.0):
                s = key.fileobj
                n = s.recv_into(view)
                if not n:
                    poller.unregister(s)
                    socks.remove(s)
                    continue
                counts[s.fileno()] += buf.count(b"\n", 0, n)
    except KeyboardInterrupt:
        pass
    values = list(counts.values())
    print("push lines per watcher: min %d max %d" % (min(values), max(values)), flush=True)


if __name__ == "__main__":
    main()
