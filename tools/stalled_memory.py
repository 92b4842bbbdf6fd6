#!/usr/bin/env python3
"""What clients that never read their replies cost the server (issue 15): N connections each
send AUTH and 100,000 pipelined `STOCK A100` with a 4 KiB receive buffer and never read; once the
server's CPU has settled, prints its RSS growth per connection (from a baseline taken before)
and how fast a fresh client's PING is answered.

  tools/stalled_memory.py --port 7480 --pid $(pgrep -f 'returnledger --demo' | head -1) [--clients 20]

Needs the demo's clerk1 and SKU A100. Standard library only.
"""
import argparse
import socket
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7480)
    p.add_argument("--pid", type=int, required=True, help="the server's process id, for its RSS")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--requests", type=int, default=100_000)
    a = p.parse_args()

    def rss_kib():
        with open("/proc/%d/status" % a.pid) as f:
            return int(next(l for l in f if l.startswith("VmRSS")).split()[1])

    def cpu_ticks():
        with open("/proc/%d/stat" % a.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    base = rss_kib()
    payload = b"AUTH clerk1 clerk1\n" + b"STOCK A100\n" * a.requests
    stalled = []
    for _ in range(a.clients):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect((a.host, a.port))
        s.setblocking(False)
        stalled.append([s, payload])
    deadline = time.time() + 60
    while time.time() < deadline and any(rest for _, rest in stalled):
        for entry in stalled:
            if entry[1]:
                try:
                    entry[1] = entry[1][entry[0].send(entry[1]):]
                except BlockingIOError:
                    pass
        time.sleep(0.01)
    started, last = time.time(), cpu_ticks()
    while time.time() - started < 30:  # until the server's CPU stands still for 200 ms
        time.sleep(0.2)
        now = cpu_ticks()
        if now == last:
            break
        last = now
    growth = (rss_kib() - base) / 1024
    t = time.time()
    fresh = socket.create_connection((a.host, a.port))
    fresh.sendall(b"PING\n")
    fresh.recv(100)
    print("%d stalled clients: RSS +%.1f MiB, %.2f MiB per connection; a fresh PING answered in %.1f ms"
          % (a.clients, growth, growth / a.clients, (time.time() - t) * 1000))


if __name__ == "__main__":
    main()
