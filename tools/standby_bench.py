#!/usr/bin/env python3
"""Durable RETURN rate with a warm standby against none (issue 28's figures).

    tools/standby_bench.py [--rounds 5] [--duration 5] [--pipeline 16] [--connections 50]
                           [--binary .build/release/returnledger] [--bench .build/release/bench] [--pin]

Three primaries on loopback, fresh data directories, --fsync always: one alone, one with an
asynchronous standby, one with --sync-standby 1 and its standby (each standby on its own data
directory, same machine). tools/bench runs the return mix (RETURN+APPROVE) against each in turn,
ROUNDS alternating rounds, so all three see the same machine weather; each round starts once no
server is writing a snapshot (one begun in the round before would fall into the next). Prints the median ops/s of
each, the ratios to the primary alone with their per-round spread, and for the standbys the lag
under that load: p99 in records (the primary's durable seq minus the standby's, sampled every
20 ms) and in milliseconds (from the moment the primary had a seq to the moment the standby
had it durable). A benchmark, not a test: nothing asserts. Standard library only.
"""
import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
from returnledger import Client  # noqa: E402

ADMIN = "bench-admin"
REPLICA_PASSWORD = "bench-replica"


def start(binary, data, extra, env_extra=None, nice=0, fsync="always", cpus=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNLEDGER_")}
    env["RETURNLEDGER_ADMIN_PASSWORD"] = ADMIN
    env.update(env_extra or {})
    log = open(data + ".err", "w")
    prefix = (["taskset", "-c", cpus] if cpus else []) + (["nice", "-n", str(nice)] if nice else [])
    proc = subprocess.Popen(prefix + [binary, "--port", "0", "--data", data, "--fsync", fsync] + extra,
                            env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("ready"):
            port = int(line.split("port=")[1].split()[0])
            return proc, port
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit("%s did not start: see %s.err" % (binary, data))


def info(port, password=ADMIN):
    client = Client("127.0.0.1", port, timeout=10, retries=0)
    try:
        client.call("AUTH admin %s" % password)
        return client.call("INFO").data
    finally:
        client.close()


def section(rows, name):
    return next((r for r in rows if r.get("section") == name), {})


def add_replica(port):
    # Under --sync-standby with no standby yet this change waits --sync-timeout (10 s), then the
    # primary goes on asynchronously until the standby has caught up.
    client = Client("127.0.0.1", port, timeout=30, retries=0)
    try:
        client.call("AUTH admin %s" % ADMIN)
        client.call("USER ADD rep1 role=replica password=%s" % REPLICA_PASSWORD)
    finally:
        client.close()


class LagSampler(threading.Thread):
    """Every 20 ms: the primary's durable seq and the standby's durable seq, with the time."""

    def __init__(self, primary, standby):
        super().__init__(daemon=True)
        self.primary, self.standby = primary, standby
        self.samples = []  # (t, primary durable, standby durable)
        self.stop = threading.Event()

    def run(self):
        p = Client("127.0.0.1", self.primary, timeout=10, retries=0)
        s = Client("127.0.0.1", self.standby, timeout=10, retries=0)
        p.call("AUTH admin %s" % ADMIN)
        s.call("AUTH admin %s" % ADMIN)
        while not self.stop.is_set():
            t = time.monotonic()
            primary = int(section(p.call("INFO").data, "wal")["durable_seq"])
            standby = int(section(s.call("INFO").data, "replication")["durable_seq"])
            self.samples.append((t, primary, standby))
            self.stop.wait(0.02)
        p.close()
        s.close()

    def lag(self):
        records = [max(0, p - s) for _, p, s in self.samples]
        millis = []
        # For each primary sample, when did the standby first hold that seq?
        j = 0
        for i, (t, p, _) in enumerate(self.samples):
            j = max(j, i)
            while j < len(self.samples) and self.samples[j][2] < p:
                j += 1
            if j < len(self.samples):
                millis.append((self.samples[j][0] - t) * 1000)
        def p99(values):
            return sorted(values)[int(len(values) * 0.99)] if values else 0
        return p99(records), p99(millis)


def settle(ports, deadline_s=120):
    """Waits until no server has a snapshot in progress: one started in the round before (a large
    state takes seconds to write) would otherwise fall into the next server's round. One login per
    server (a login is a change, which a sync primary waits for its standby to hold)."""
    clients = []
    try:
        for port in ports:
            client = Client("127.0.0.1", port, timeout=10, retries=0)
            clients.append(client)
            client.call("AUTH admin %s" % ADMIN)
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            if all(section(c.call("INFO").data, "snapshot").get("in_progress") != "yes" for c in clients):
                return
            time.sleep(0.05)
        raise SystemExit("a snapshot still in progress after %d s" % deadline_s)
    finally:
        for client in clients:
            client.close()


def bench(bench_binary, port, args):
    out = subprocess.run((["taskset", "-c", "0"] if args.pin else []) + [bench_binary, "--target", "returnledger", "--port", str(port), "--password", ADMIN,
                          "--mix", "return", "--connections", str(args.connections), "--pipeline", str(args.pipeline),
                          "--duration", str(args.duration)], capture_output=True, text=True, check=True).stdout
    fields = dict(f.split("=", 1) for f in out.split() if "=" in f)
    return float(fields["ops_per_s"]), float(fields.get("p99_ms", 0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--pipeline", type=int, default=16)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/returnledger"))
    ap.add_argument("--bench", default=os.path.join(ROOT, ".build/release/bench"))
    ap.add_argument("--standby-fsync", default="always",
                    help="the standbys' --fsync (they fsync at least once a second whatever it says); on one machine "
                         "their fsyncs share the primary's disk")
    ap.add_argument("--standby-nice", type=int, default=0,
                    help="run the standbys at this nice level: on one small machine they share its cores with the primary")
    ap.add_argument("--standby-args", default="",
                    help="more flags for the standbys, e.g. \"--snapshot-every 100000000\" to see what their snapshots cost "
                         "the primaries (on one machine they share its disk)")
    ap.add_argument("--pin", action="store_true",
                    help="primaries and the load on CPU 0, standbys on CPU 1: each standby with a core of its own, "
                         "as on a machine of its own (the disk is still shared); the primary alone is pinned the same")
    args = ap.parse_args()
    home = "0" if args.pin else None
    work = tempfile.mkdtemp(prefix="rl-standby-bench-")
    procs = []
    try:
        alone, alone_port = start(args.binary, work + "/alone", [], cpus=home)
        procs.append(alone)
        servers = {"none": (alone_port, None)}
        for name, extra in (("async", []), ("sync", ["--sync-standby", "1"])):
            primary, port = start(args.binary, work + "/" + name, extra, cpus=home)
            procs.append(primary)
            add_replica(port)
            standby, standby_port = start(args.binary, work + "/" + name + "-standby",
                                          ["--standby-of", "127.0.0.1:%d" % port, "--standby-user", "rep1"] + shlex.split(args.standby_args),
                                          {"RETURNLEDGER_STANDBY_PASSWORD": REPLICA_PASSWORD}, nice=args.standby_nice,
                                          fsync=args.standby_fsync, cpus="1" if args.pin else None)
            procs.append(standby)
            servers[name] = (port, standby_port)
        ops = {name: [] for name in servers}
        p99 = {name: [] for name in servers}
        lags = {name: [] for name in servers}
        for _ in range(args.rounds):
            for name, (port, standby_port) in servers.items():
                settle([p for pair in servers.values() for p in pair if p])
                sampler = LagSampler(port, standby_port) if standby_port else None
                if sampler:
                    sampler.start()
                rate, tail = bench(args.bench, port, args)
                if sampler:
                    sampler.stop.set()
                    sampler.join()
                    lags[name].append(sampler.lag())
                ops[name].append(rate)
                p99[name].append(tail)
        base = statistics.median(ops["none"])
        print("%-6s %10s %7s %11s %9s %14s %12s" % ("mode", "ops/s", "ratio", "per round", "p99 ms", "lag p99 rec", "lag p99 ms"))
        for name in servers:
            median = statistics.median(ops[name])
            rounds = [a / b for a, b in zip(ops[name], ops["none"])]
            lag_records = max((l[0] for l in lags[name]), default=0)
            lag_ms = max((l[1] for l in lags[name]), default=0)
            print("%-6s %10.0f %6.2fx %5.2f-%5.2f %9.2f %14s %12s" % (
                name, median, median / base, min(rounds), max(rounds), statistics.median(p99[name]),
                "-" if name == "none" else "%d" % lag_records, "-" if name == "none" else "%.0f" % lag_ms))
        print("per round ops/s: " + "; ".join("%s %s" % (name, " ".join("%.0f" % r for r in ops[name])) for name in servers))
        for name in ("async", "sync"):
            rows = info(servers[name][0])
            print("%s primary INFO: %s" % (name, " ".join("%s=%s" % kv for kv in section(rows, "replication").items())))
        print("(%d connections, pipeline %d, %ds per run, median of %d alternating rounds; return = RETURN+APPROVE, "
              "fsync always everywhere; lag: worst round's p99; standbys at nice %d, --fsync %s, on the same machine%s)"
              % (args.connections, args.pipeline, args.duration, args.rounds, args.standby_nice, args.standby_fsync,
                 "; primaries and load on CPU 0, standbys on CPU 1" if args.pin else ""))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
