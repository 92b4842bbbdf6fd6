#!/usr/bin/env python3
"""How fast the server hands out its change feed: pages through FEED from 0 with raw sockets (no
parsing beyond the OK line), the way an exporter catching up would, and prints lines per second.
`--loop` keeps reading from 0 again, flat out, as load beside `tools/bench` (the issue notes'
"writer throughput while a feed reader runs flat out"). A measurement, not a test.

    tools/feed_rate.py --port 7480 --password ADMIN [--limit 10000] [--loop]
"""
import argparse
import socket
import time


def read_all(args):
    sock = socket.create_connection((args.host, args.port))
    f = sock.makefile("rb")
    sock.sendall(("AUTH %s %s\n" % (args.user, args.password)).encode())
    f.readline()
    after, lines, pages = 0, 0, 0
    started = time.perf_counter()
    while True:
        sock.sendall(b"FEED from=%d limit=%d\n" % (after, args.limit))
        n = 0
        while True:
            line = f.readline()
            if not line or line.startswith(b"OK") or line.startswith(b"ERR"):
                break
            n += 1
        if not line.startswith(b"OK"):
            raise SystemExit("FEED failed: %r" % line)
        lines += n
        pages += 1
        if n == 0:
            break
        after = int(line.split(b"next=")[1].split()[0])
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
    while True:
        lines, pages, seconds, last = read_all(args)
        print("%d lines in %d pages up to seq %d: %.1f s, %d lines/s" % (lines, pages, last, seconds, lines / seconds), flush=True)
        if not args.loop:
            break


if __name__ == "__main__":
    main()
