#!/usr/bin/env python3
"""How fast the server hands out its change feed: pages through FEED from 0 with raw sockets (no
parsing beyond the OK line), the way an exporter catching up would, and prints lines per second.
`--loop` keeps reading from 0 again, flat out, as load beside `tools/bench` (the issue notes'
"writer throughput while a feed reader runs flat out"). A measurement, not a test.

    tools/feed_rate.py --port 7480 --password ADMIN [--limit 10000] [--loop]
"""
import argparse
import signal
import socket
import sys
import time

# Lines read since the start, for the report a SIGTERM asks for (`--loop` is stopped that way).
TOTAL = {"lines": 0, "started": time.perf_counter()}


def report_and_exit(signum, frame):
    seconds = time.perf_counter() - TOTAL["started"]
    print("stopped: %d lines in %.1f s, %d lines/s" % (TOTAL["lines"], seconds, TOTAL["lines"] / max(seconds, 1e-9)), flush=True)
    sys.exit(0)


def read_page(sock, pending):
    """One reply's bytes, found by its status line (data lines start with `* `; a value never
    holds a raw newline), without splitting lines in Python: the reader stays cheap next to the
    server, as an exporter on another machine would be. Returns (data lines, status line, the
    bytes after it)."""
    data = bytearray(b"\n" + pending)  # a newline first: the status line is always "\nOK" or "\nERR"
    start = 0
    while True:
        found = [at for at in (data.find(b"\nOK", start), data.find(b"\nERR", start)) if at >= 0]
        if found:
            at = min(found)
            end = data.find(b"\n", at + 1)
            if end >= 0:
                return data.count(b"\n", 1, at + 1), bytes(data[at + 1:end]), data[end + 1:]
            start = at  # the status line is not all here yet
        else:
            start = max(0, len(data) - 3)
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise SystemExit("the server closed the connection")
        data += chunk


def read_all(args):
    sock = socket.create_connection((args.host, args.port))
    sock.sendall(("AUTH %s %s\n" % (args.user, args.password)).encode())
    _, status, pending = read_page(sock, b"")
    if not status.startswith(b"OK"):
        raise SystemExit("AUTH failed: %r" % status)
    after, lines, pages = 0, 0, 0
    started = time.perf_counter()
    while True:
        sock.sendall(b"FEED from=%d limit=%d\n" % (after, args.limit))
        n, status, pending = read_page(sock, pending)
        if not status.startswith(b"OK"):
            raise SystemExit("FEED failed: %r" % status)
        lines += n
        TOTAL["lines"] += n
        pages += 1
        if n == 0:
            break
        after = int(status.split(b"next=")[1].split()[0])
    seconds = time.perf_counter() - started
    sock.close()
    return lines, pages, seconds, after


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=7480)
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password", required=True)
    ap.add_argument("--limit", type=int, default=10000)
    ap.add_argument("--loop", action="store_true", help="read the whole feed again and again until stopped")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, report_and_exit)
    while True:
        lines, pages, seconds, last = read_all(args)
        print("%d lines in %d pages up to seq %d: %.1f s, %d lines/s" % (lines, pages, last, seconds, lines / seconds), flush=True)
        if not args.loop:
            break


if __name__ == "__main__":
    main()
