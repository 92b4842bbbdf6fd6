#!/usr/bin/env python3
"""Push latency: from the filer's OK to the watcher's `! pending` line, over N returns filed one
at a time (WATCH's push lines; goal: p99 under 2 ms on loopback).

  tools/push_latency.py --port 7480 --password ADMIN_PW [--returns 10000]

One process, one thread, both sockets in one select loop, so the two arrival times come from
the same clock with no thread hand-off between them. Creates its own location, SKU, users
(plat_clerk, plat_sup) and a sale to return against. Standard library only.
"""
import argparse
import os
import select
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "clients", "python"))
from returnledger import Client  # noqa: E402


class Lines:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def take(self):
        """Every complete line now buffered (reads once if the socket is readable)."""
        data = self.sock.recv(1 << 16)
        if not data:
            raise SystemExit("connection closed")
        self.buf += data
        *lines, self.buf = self.buf.split(b"\n")
        return lines


def connect(a, user, password):
    s = socket.create_connection((a.host, a.port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(("AUTH %s %s\n" % (user, password)).encode())
    reader = Lines(s)
    while not any(l.startswith(b"OK") or l.startswith(b"ERR") for l in reader.take()):
        pass
    return s, reader


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7480)
    p.add_argument("--password", required=True)
    p.add_argument("--returns", type=int, default=10000)
    a = p.parse_args()
    run = "%x" % int(time.time())
    admin = Client(a.host, a.port, user="admin", password=a.password)
    admin.pipeline(["LOCATION ADD PLAT name=Latency", "SKU ADD PLAT-A name=Widget price=10.00",
                    "USER ADD plat_clerk role=clerk password=plat", "USER ADD plat_sup role=supervisor password=plat",
                    "SALE PLAT-S-%s location=PLAT PLAT-A:%d" % (run, a.returns + 1)])
    filer, filer_lines = connect(a, "plat_clerk", "plat")
    watcher, watcher_lines = connect(a, "plat_sup", "plat")
    watcher.sendall(b"WATCH\n")
    while not any(l.startswith(b"OK watching=") for l in watcher_lines.take()):
        pass
    deltas = []
    for i in range(a.returns):
        filer.sendall(b"RETURN PLAT-S-%s PLAT-A:1 reason=DEFECTIVE key=plat-%s-%d\n" % (run.encode(), run.encode(), i))
        ok_at = push_at = None
        while ok_at is None or push_at is None:
            ready, _, _ = select.select([filer, watcher], [], [], 10)
            if not ready:
                raise SystemExit("no reply or push within 10 s at return %d" % i)
            now = time.perf_counter()
            if filer in ready and any(l.startswith(b"OK") for l in filer_lines.take()):
                ok_at = now
            if watcher in ready and any(l.startswith(b"! pending") for l in watcher_lines.take()):
                push_at = now
        deltas.append(push_at - ok_at)
    deltas.sort()

    def pct(q):
        return deltas[min(len(deltas) - 1, int(q * len(deltas)))] * 1000

    print("push after OK over %d returns: p50 %.3f ms  p99 %.3f ms  max %.3f ms  (negative: the push came first)"
          % (len(deltas), pct(0.50), pct(0.99), deltas[-1] * 1000))


if __name__ == "__main__":
    main()
