#!/usr/bin/env python3
"""Figures for the web desk's note, measured against a real server binary:

  1. server-side time to render the review queue with 200 pending returns (goal < 50 ms)
  2. the dashboard over 100,000 returns (goal < 300 ms), on a directory `wal seed` made
  3. time from RETURN's reply to the browser showing the return (goal p99 < 1 s over 100)
  4. memory per signed-in session (desk and server), and 50 concurrent sessions

  RETURNLEDGER_BIN=/path/to/release/returnledger clients/web/.venv/bin/python clients/web/tools/measure.py \\
      [--big-data DIR] [--wal /path/to/release/wal]

"Server-side" is the desk's handler time (its requests to ReturnLedger and the template), as the
desk records it, without the browser's network; the HTTP round trip is shown next to it.
Every server, desk and browser started here is stopped at the end, also on failure.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

from support import DeskThread, Web, demo_server, rl, wait_until  # noqa: E402
from returnledger.server import ServerProcess, default_binary  # noqa: E402


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pct(values, p):
    """Nearest-rank percentile."""
    import math
    values = sorted(values)
    return values[min(len(values) - 1, max(0, math.ceil(p / 100.0 * len(values)) - 1))]


def ms(x):
    return "%.1f ms" % (x * 1000)


def handler_times(desk, name, since):
    return [t for n, t in desk.desk.render_times[since:] if n == name]


def queue_figure(out):
    server = demo_server()
    desk = None
    try:
        with rl(server, "clerk1") as c:
            lines = ["SALE S-Q%03d location=STORE1 customer=C001 A100:1" % i for i in range(200)]
            c.pipeline(lines)
            c.pipeline(["RETURN S-Q%03d A100:1 reason=DEFECTIVE key=q-%03d" % (i, i) for i in range(200)])
        with rl(server, "supervisor1") as s:
            assert s.call("LIST", state="pending")["total"] == "200"
        desk = DeskThread(server.port)
        web = Web(desk.url)
        web.sign_in("supervisor1")
        web.get("/queue")  # warm: templates compiled
        since = len(desk.desk.render_times)
        rounds = []
        for _ in range(50):
            t0 = time.perf_counter()
            r = web.get("/queue")
            rounds.append(time.perf_counter() - t0)
            assert r.status == 200 and r.text.count('class="card qcard') == 200, r
        handler = handler_times(desk, "queue", since)
        out.append("queue, 200 pending (50 renders): handler median %s, p95 %s, max %s; HTTP round trip median %s; page %d KB"
                   % (ms(statistics.median(handler)), ms(pct(handler, 95)), ms(max(handler)),
                      ms(statistics.median(rounds)), len(r.text.encode()) // 1024))
    finally:
        if desk:
            desk.stop()
        server.close()


def dashboard_figure(out, big, wal):
    made = False
    if not big:
        big = tempfile.mkdtemp(prefix="rl-web-big-")
        shutil.rmtree(big)
        made = True
        subprocess.run([wal, "seed", big, "--returns", "100000", "--per-order", "100", "--password", "pw", "--snapshot"],
                       check=True, stdout=subprocess.DEVNULL)
    server = ServerProcess(data=big, admin_password="pw", ready_timeout=120)
    desk = None
    try:
        with rl(server, "admin", "pw") as a:
            total = a.call("STATS")["filed"]
            days = [d["day"] for d in a.call("STATS", by="day").data]
            store = a.call("STATS", by="location").data[0]["location"]
            t0 = time.perf_counter()
            a.pipeline(["STATS"] + ["STATS by=%s" % b for b in ("reason", "sku", "location", "clerk", "day")])
            direct = time.perf_counter() - t0
        desk = DeskThread(server.port)
        web = Web(desk.url)
        web.sign_in("admin", "pw")
        web.get("/dashboard")
        since = len(desk.desk.render_times)
        rounds = []
        for _ in range(10):
            t0 = time.perf_counter()
            r = web.get("/dashboard")
            rounds.append(time.perf_counter() - t0)
            assert r.status == 200 and 'data-stat="filed">%s<' % total in r.text
        handler = handler_times(desk, "dashboard", since)
        since = len(desk.desk.render_times)
        for _ in range(10):
            r = web.get("/dashboard?from=%s&to=%s&location=%s" % (days[0], days[-1], store))
            assert r.status == 200
        filtered = handler_times(desk, "dashboard", since)
        out.append("dashboard over %s returns (10 renders): handler median %s, max %s; HTTP round trip median %s; "
                   "the six STATS alone (pipelined, plain client) %s; with a date range and store=%s: median %s"
                   % (total, ms(statistics.median(handler)), ms(max(handler)), ms(statistics.median(rounds)), ms(direct),
                      store, ms(statistics.median(filtered))))
    finally:
        if desk:
            desk.stop()
        server.close()
        if made:
            shutil.rmtree(big, ignore_errors=True)


def live_figure(out, n=100):
    from playwright.sync_api import sync_playwright
    server = demo_server()
    desk = pw = browser = None
    try:
        desk = DeskThread(server.port)
        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(desk.url + "/signin")
        page.fill("#user", "supervisor1")
        page.fill("#password", "supervisor1")
        page.click("form button[type=submit]")
        page.wait_for_selector("body[data-live=yes]")
        page.evaluate("""() => { window.__seen = {};
            new MutationObserver(ms => { for (const m of ms) for (const n of m.addedNodes)
                if (n.id && n.id.startsWith('q-') && !(n.id in window.__seen)) window.__seen[n.id] = Date.now(); })
            .observe(document.getElementById('queue'), {childList: true, subtree: true}); }""")
        with rl(server, "clerk1") as c:
            c.pipeline(["SALE S-L%03d location=STORE1 customer=C002 A100:1" % i for i in range(n)])
            replied = {}
            for i in range(n):
                r = c.call_line("RETURN S-L%03d A100:1 reason=DEFECTIVE key=l-%03d" % (i, i))
                replied["q-" + r["id"]] = time.time() * 1000
                # one every 50 ms, as a busy chain's tills might: the page keeps up with each
                page.wait_for_timeout(50)
        wait_until(lambda: page.evaluate("Object.keys(window.__seen).length") >= n, 30, what="every card")
        seen = page.evaluate("window.__seen")
        lat = [(seen[k] - v) / 1000.0 for k, v in replied.items()]
        out.append("RETURN's reply to the card in the phone page (%d returns, 50 ms apart): median %s, p99 %s, max %s"
                   % (n, ms(statistics.median(lat)), ms(pct(lat, 99)), ms(max(lat))))
    finally:
        for step in (lambda: browser and browser.close(), lambda: pw and pw.stop(), lambda: desk and desk.stop(), server.close):
            try:
                step()
            except Exception:
                pass


def sessions_figure(out, n=50):
    import gc
    import http.client
    server = demo_server()
    desk = None
    streams = []
    try:
        desk = DeskThread(server.port)
        gc.collect()
        desk_before, server_before = rss_kb(os.getpid()), rss_kb(server.proc.pid)
        import tracemalloc
        tracemalloc.start()
        traced_before = tracemalloc.get_traced_memory()[0]
        webs = []
        for i in range(n):
            w = Web(desk.url)
            w.sign_in("supervisor1")
            webs.append(w)
        gc.collect()
        traced = (tracemalloc.get_traced_memory()[0] - traced_before) / n
        tracemalloc.stop()
        desk_after, server_after = rss_kb(os.getpid()), rss_kb(server.proc.pid)
        out.append("memory per signed-in session (%d sessions, supervisor, watching): desk %.1f KB of Python objects "
                   "(tracemalloc; RSS growth %.0f KB), server %.0f KB (RSS growth / %d)"
                   % (n, traced / 1024, (desk_after - desk_before) / n, (server_after - server_before) / n, n))
        # Each session's page opens its event stream; one return filed reaches all of them.
        got = []
        lock = threading.Lock()
        ready = threading.Barrier(n + 1)

        def listen(w):
            conn = http.client.HTTPConnection("127.0.0.1", desk.port, timeout=30)
            streams.append(conn)
            conn.request("GET", "/events", headers={"Cookie": "; ".join("%s=%s" % kv for kv in w.cookies.items())})
            resp = conn.getresponse()
            line = resp.fp.readline()
            while line and not line.startswith(b"event: hello"):
                line = resp.fp.readline()
            ready.wait(30)
            while True:
                line = resp.fp.readline()
                if not line:
                    return
                if line.startswith(b"event: push"):
                    with lock:
                        got.append(time.perf_counter())
                    return
        threads = [threading.Thread(target=listen, args=(w,), daemon=True) for w in webs]
        for t in threads:
            t.start()
        ready.wait(30)
        with rl(server, "clerk1") as c:
            c.call_line("SALE S-C001 location=STORE1 customer=C001 A100:1")
            t0 = time.perf_counter()
            c.call_line("RETURN S-C001 A100:1 reason=DEFECTIVE key=c-001")
        wait_until(lambda: len(got) >= n, 20, what="every stream's push")
        out.append("%d sessions with an open event stream: one RETURN reached all %d in %s (the last)"
                   % (n, n, ms(max(got) - t0)))
        # 50 sessions asking for their queue at once.
        times = []

        def ask(w):
            t = time.perf_counter()
            r = w.get("/queue")
            assert r.status == 200
            with lock:
                times.append(time.perf_counter() - t)
        t0 = time.perf_counter()
        threads = [threading.Thread(target=ask, args=(w,)) for w in webs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        wall = time.perf_counter() - t0
        out.append("%d sessions loading the queue at once: all done in %s, each median %s, max %s"
                   % (n, ms(wall), ms(statistics.median(times)), ms(max(times))))
    finally:
        for conn in streams:
            try:
                conn.sock and conn.sock.shutdown(2)
                conn.close()
            except Exception:
                pass
        if desk:
            desk.stop()
        server.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--big-data", help="a data directory `wal seed DIR --returns 100000 --per-order 100 --password pw --snapshot` made (default: make one)")
    ap.add_argument("--wal", default=os.path.join(os.path.dirname(default_binary()), "wal"), help="the wal tool (to seed)")
    ap.add_argument("--only", help="queue,dashboard,live,sessions")
    args = ap.parse_args()
    which = (args.only or "queue,dashboard,live,sessions").split(",")
    out = []
    print("server binary: %s" % default_binary())
    for name, run in (("queue", lambda: queue_figure(out)), ("dashboard", lambda: dashboard_figure(out, args.big_data, args.wal)),
                      ("live", lambda: live_figure(out)), ("sessions", lambda: sessions_figure(out))):
        if name in which:
            run()
            print(out[-1] if name != "sessions" else "\n".join(out[-3:]), flush=True)


if __name__ == "__main__":
    main()
