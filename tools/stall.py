#!/usr/bin/env python3
"""How long one client's requests stall while another runs big reads: the worst and p99
latency of STOCK at pipeline 1 while a second connection runs DIGEST and LIST limit=100000 in
turn (or what `--reads` names, e.g. BACKUP). A measurement, not a test (the README's speed
section and the issue notes quote it).

    tools/stall.py --port 7480 --password ADMIN --rounds 10
    tools/stall.py --port 7480 --password ADMIN --rounds 3 --reads BACKUP

Against a store seeded with `wal seed DIR --returns 100000 --snapshot`.
"""
import argparse
import multiprocessing
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "clients", "python"))
from returnledger import Client  # noqa: E402


def big_reads(args, results):
    sock = socket.create_connection((args.host, args.port))
    sock.sendall(("AUTH admin %s\n" % args.password).encode())
    sock.recv(4096)
    for _ in range(args.rounds):
        for line in args.reads.split(","):
            start = time.perf_counter()
            sock.sendall(line.encode() + b"\n")
            tail, lines = b"", 0
            while True:
                chunk = sock.recv(1 << 20)
                lines += chunk.count(b"\n")
                tail = (tail + chunk)[-4096:]
                last = tail.rstrip(b"\n").rsplit(b"\n", 1)[-1]
                if tail.endswith(b"\n") and (last.startswith(b"OK") or last.startswith(b"ERR")):
                    break
            results.put((line, (time.perf_counter() - start) * 1000, lines - 1))
    sock.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=7480)
    ap.add_argument("--password", required=True, help="the admin's password")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--sku", default="SKU1")
    ap.add_argument("--reads", default="DIGEST,LIST limit=100000", help="the big requests, comma-separated")
    args = ap.parse_args()
    stocker = Client(args.host, args.port, user="admin", password=args.password, retries=0)
    # The big reads run in another process and read raw bytes: in this one they would hold
    # Python's lock while parsing megabytes, and the STOCK timings would measure that.
    results = multiprocessing.Queue()
    reader = multiprocessing.Process(target=big_reads, args=(args, results))
    # Baseline first: STOCK alone.
    alone = []
    for _ in range(2000):
        start = time.perf_counter()
        stocker.pipeline(["STOCK %s" % args.sku])
        alone.append((time.perf_counter() - start) * 1000)
    latencies = []
    reader.start()
    while reader.is_alive():
        start = time.perf_counter()
        stocker.pipeline(["STOCK %s" % args.sku])
        latencies.append((time.perf_counter() - start) * 1000)
    reader.join()
    big = []
    while not results.empty():
        big.append(results.get())

    def summary(values):
        values = sorted(values)
        return "n=%d p50=%.2f p99=%.2f max=%.2f ms" % (len(values), values[len(values) // 2],
                                                       values[int(len(values) * 0.99)], values[-1])
    print("STOCK alone:            " + summary(alone))
    print("STOCK during big reads: " + summary(latencies))
    for name in args.reads.split(","):
        took = [ms for line, ms, _ in big if line == name]
        print("%-22s  p50=%.1f max=%.1f ms (lines %d)" % (name, sorted(took)[len(took) // 2], max(took),
                                                        max(n for line, _, n in big if line == name)))


if __name__ == "__main__":
    main()
