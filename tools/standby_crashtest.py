#!/usr/bin/env python3
"""Standby crash test: kill -9 a warm standby at random points while it streams and while it is
seeded, with write load on the primary throughout; tear the tail of its newest log segment while
it is stopped; after every restart it must resume, and at the end (load stopped) its DIGEST must
equal the primary's at the same seq.

  tools/standby_crashtest.py --cycles 30 [--seed S] [--binary .build/release/returnledger]

The primary snapshots every few events (--snapshot-every) and, in the second half of the run,
is restarted with --log-keep 0 so old segments go and a lagging standby is seeded again.
Exit 0 when every cycle passes. Standard library only.
"""
import argparse
import glob
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "clients", "python", "tests"))
from standby_support import (Client, ConnectionLost, Node, ReturnLedgerError, default_binary, make_primary,  # noqa: E402
                             make_standby, replication, wait_for, wait_same_digest)


class Load(threading.Thread):
    """SALE + RETURN with keys on the primary until stopped; reconnects when the primary restarts."""

    def __init__(self, node, seed):
        super().__init__(daemon=True)
        self.node, self.rng = node, random.Random(seed)
        self.stopping = threading.Event()
        self.acked = 0
        self.errors = []
        self.pause = 0.02

    def run(self):
        n = 0
        client = None
        while not self.stopping.is_set():
            try:
                if client is None:
                    client = Client("127.0.0.1", self.node.port, user="clerk1", password="clerk1", retries=0, timeout=30)
                n += 1
                order = "S-C%d" % n
                r = client.pipeline(["SALE %s A100:1 location=STORE1 customer=C001 paid=yes" % order,
                                     "RETURN %s A100:1 reason=DEFECTIVE key=k-%d" % (order, n)])
                self.acked += sum(1 for x in r if x.ok)
                self.errors.extend(x.status for x in r if not x.ok)
                self.stopping.wait(self.pause)  # about 100 changes a second: a debug build keeps up
            except (ConnectionLost, ReturnLedgerError, OSError):
                client = None
                time.sleep(0.05)  # the primary is restarting: try again
        if client:
            client.close()


def newest_segment(data):
    segs = sorted(glob.glob(os.path.join(data, "wal-*.log")))
    return segs[-1] if segs else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cycles", type=int, default=30)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--binary", default=default_binary())
    ap.add_argument("--keep", action="store_true", help="keep the data directories")
    ap.add_argument("--snapshot-every", type=int, default=200, help="the primary's --snapshot-every")
    ap.add_argument("--pause", type=float, default=0.02, help="seconds between the load's changes (0: flat out)")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 31)
    rng = random.Random(seed)
    print("standby_crashtest: seed=%d cycles=%d binary=%s" % (seed, args.cycles, args.binary), flush=True)
    work = tempfile.mkdtemp(prefix="rl-sbcrash-")
    P, S = os.path.join(work, "P"), os.path.join(work, "S")
    primary = standby = load = None
    stats = {"stream_kills": 0, "seed_kills": 0, "torn": 0, "resumed": 0}
    failures = []
    t_start = time.monotonic()
    # Under --log-keep 0 a primary snapshotting often (--snapshot-every 40 at full load) once
    # dropped the records after a seed before the standby had restarted to load it, and the standby
    # seeded again for ever; the primary now keeps what a standby (or one gone for under a minute)
    # still needs: `--snapshot-every 40 --pause 0` runs that case.
    primary_flags = ["--snapshot-every", str(args.snapshot_every)]
    try:
        primary = make_primary(args.binary, P, primary_flags)
        load = Load(primary, seed)
        load.pause = args.pause
        load.start()
        spawn = make_standby(args.binary, S, primary.port)  # first seed, full start
        standby_port = spawn.port
        spawn.kill()
        standby = Node(S, ["--standby-of", "127.0.0.1:%d" % primary.port, "--standby-user", "rep1"],
                       port=standby_port, binary=args.binary, standby_password="reppw1", start=False)
        for cycle in range(1, args.cycles + 1):
            if cycle == args.cycles // 2:  # from here on the primary keeps no old segments
                primary.stop()
                primary.args = primary.args + ["--log-keep", "0"]
                primary.start()
                print("  cycle %d: primary restarted with --log-keep 0" % cycle, flush=True)
            mode = "torn" if cycle % 10 == 5 else rng.choice(["stream", "stream", "seed"])
            if mode == "seed":
                shutil.rmtree(S, ignore_errors=True)
            if mode == "torn":
                seg = newest_segment(S)
                if seg:
                    with open(seg, "ab") as f:
                        f.write(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))
                    stats["torn"] += 1
            if mode == "seed":
                # Kill at a random moment of the seed, before or after its ready line.
                standby.proc = subprocess.Popen(standby.argv(), env=standby.env(), stdout=subprocess.DEVNULL,
                                                stderr=open(S + ".stderr", "ab"))
                delay = rng.uniform(0.0, 1.5)
                time.sleep(delay)  # the random kill point, not a wait for anything
                standby.kill()
                stats["seed_kills"] += 1
                print("  cycle %d: seed, killed after %.2f s" % (cycle, delay), flush=True)
                continue
            try:
                standby.start()
                target = int(primary_seq(primary))

                def streaming_past():
                    # A new connection each time: a standby that must be seeded again starts itself
                    # again in place, which ends the connections it had.
                    with standby.client(auth_wait=10) as sa:
                        r = replication(sa)
                    return r["state"] == "streaming" and int(r["applied_seq"]) >= target

                wait_for("cycle %d: the standby streaming past seq %d" % (cycle, target), streaming_past, timeout=60)
                stats["resumed"] += 1
            except (AssertionError, RuntimeError, ReturnLedgerError) as e:
                failures.append("cycle %d (%s): %s; stderr: %s" % (cycle, mode, e, standby.stderr_tail(600)))
                print("  cycle %d: FAILED %s" % (cycle, e), flush=True)
                standby.kill()
                break
            delay = rng.uniform(0.0, 0.5)
            time.sleep(delay)  # the random kill point while streaming under load
            standby.kill()
            stats["stream_kills"] += 1
            print("  cycle %d: %s, resumed, killed %.2f s later" % (cycle, mode, delay), flush=True)
        load.stopping.set()
        load.join(timeout=30)
        if not failures:
            standby.start()
            with primary.client() as pa, standby.client(auth_wait=60) as sa:
                seq, dp, ds = wait_same_digest(pa, sa, timeout=90)
                if dp != ds:
                    failures.append("final: DIGEST differs at seq %d: primary %s standby %s" % (seq, dp, ds))
                print("  final: seq=%d primary=%s standby=%s" % (seq, dp, ds), flush=True)
    finally:
        if load:
            load.stopping.set()
        for n in (standby, primary):
            if n is not None:
                n.kill()
                n._close_pipes()
        seeds = 0
        try:
            with open(S + ".stderr", "rb") as f:
                seeds = f.read().count(b"seeding from")
        except OSError:
            pass
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("  kept %s" % work)
    print("standby_crashtest: %s seed=%d cycles=%d stream_kills=%d seed_kills=%d torn=%d resumed=%d seeds=%d "
          "acked=%d load_errors=%d in %.1f s"
          % ("PASS" if not failures else "FAIL", seed, args.cycles, stats["stream_kills"], stats["seed_kills"],
             stats["torn"], stats["resumed"], seeds, load.acked if load else 0, len(load.errors) if load else 0,
             time.monotonic() - t_start))
    for f in failures:
        print("  " + f)
    return 0 if not failures else 1


def primary_seq(primary):
    with primary.client() as pa:
        return replication(pa)["durable_seq"]


if __name__ == "__main__":
    sys.exit(main())
