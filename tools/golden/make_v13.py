#!/usr/bin/env python3
"""Writes the golden data directories of log format 13 with the server of that format.

Run once, with the binary built from a commit that writes format 13 (from issue 30's ARCHIVE
up to the last before format 14):

    python3 tools/golden/make_v13.py --bin .build/debug/returnledger --out Tests/Fixtures/golden-v13

The same two rounds of every event kind as `make_v12.py`'s `log-only`; format 13 added the event
`archiveWritten` and the state's archives, so each directory then closes the day and archives it:
`log-only` with `ARCHIVE through=TODAY` (its log ends with the `archive.written` record, which
replay resolves from the archive file beside it), `snapshot` with `purchases=all`, then a
SNAPSHOT (the archives in the state's encoding) and a refused SALE after it (the day is closed).
Each directory holds its archive file, as a data directory without `--archive-dir` does.
"""
import datetime
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_v1  # noqa: E402
import make_v11  # noqa: E402,F401  (sets make_v1.every_kind and the queries of format 11)
import make_v9  # noqa: E402
from make_v1 import ADMIN, ReturnLedgerError, ServerProcess  # noqa: E402

for q in ("ARCHIVE LIST", "ORDER S-G1c", "ORDER S-G2c", "BALANCE C91", "BALANCE C92", "CREDIT C91", "CREDIT C92"):
    make_v9.query(q)


def make(binary, out, snapshot, before_close=None, note="golden 13"):
    """`before_close(admin, clerk, sup, fin)`: more changes after the rounds (make_v14.py's burst)."""
    name = "snapshot" if snapshot else "log-only"
    data = os.path.join(out, name)
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data)
    server = ServerProcess(binary=binary, data=data, demo=True, admin_password=ADMIN, args=["--backup-every", "0"])
    try:
        admin, clerk, sup, fin = make_v1.clients(server.port)
        make_v1.every_kind(admin, clerk, sup, fin, 1)
        make_v1.every_kind(admin, clerk, sup, fin, 2)
        if before_close:
            before_close(admin, clerk, sup, fin)
        today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        fin.call("PERIOD", "CLOSE", today, note=note)
        if snapshot:
            admin.call("ARCHIVE", through=today, purchases="all")
            admin.call("SNAPSHOT")
            try:
                clerk.call("SALE", "S-G3", "A100:1", location="STORE1")   # ERR CLOSED, audited after the snapshot
            except ReturnLedgerError:
                pass
        else:
            admin.call("ARCHIVE", through=today)
        make_v1.write_answers(admin, os.path.join(out, name + ".answers.txt"))
        for c in (admin, clerk, sup, fin):
            c.close()
    finally:
        server.close()
    make_v1.remove_lock(data)
    if not snapshot:
        # The snapshot a committed ARCHIVE asks for: log-only replays every record from the first
        # (the log keeps the segments it covers), archive.written included.
        for f in os.listdir(data):
            if f.endswith(".snap"):
                os.remove(os.path.join(data, f))


def main():
    args = make_v1.arguments()
    make(args.bin, args.out, snapshot=False)
    make(args.bin, args.out, snapshot=True)


if __name__ == "__main__":
    main()
