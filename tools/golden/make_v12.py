#!/usr/bin/env python3
"""Writes the golden data directories of log format 12 with the server of that format.

Run once, with the binary built from a commit that writes format 12 (from issue 28's submission
up to the last before format 13):

    python3 tools/golden/make_v12.py --bin .build/debug/returnledger --out Tests/Fixtures/golden-v12

The same two directories and query answers as `make_v11.py`. Format 12 added one event,
`epochStarted`, logged where a restore or a promotion forks the history; so the `snapshot`
directory here is a restored one: the first round, a BACKUP, the server stopped, the backup
restored into the directory (its snapshot, a new epoch in EPOCHS, the `epoch.started` record
first in its log), then the second round. `log-only` is every record from the first, as before.
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_v1  # noqa: E402
import make_v11  # noqa: E402,F401  (sets make_v1.every_kind and the queries of format 11)
import make_v9  # noqa: E402
from make_v1 import ADMIN, ServerProcess  # noqa: E402

# The restored directory's log starts after its snapshot: FEED from there (epoch.started first).
make_v9.query("FEED from=160 limit=100000")


def make_restored(binary, out):
    """Round 1 on a scratch directory, BACKUP, restore into `out/snapshot`, round 2 there."""
    data = os.path.join(out, "snapshot")
    shutil.rmtree(data, ignore_errors=True)
    scratch = tempfile.mkdtemp(prefix="rl-golden12-")
    backups = os.path.join(scratch, "backups")
    first = ServerProcess(binary=binary, data=os.path.join(scratch, "data"), demo=True, admin_password=ADMIN,
                          args=["--backup-dir", backups])
    try:
        admin, clerk, sup, fin = make_v1.clients(first.port)
        make_v1.every_kind(admin, clerk, sup, fin, 1)
        name = admin.call("BACKUP")["backup"]
        for c in (admin, clerk, sup, fin):
            c.close()
    finally:
        first.close()
    restored = ServerProcess(binary=binary, data=data, admin_password=ADMIN,
                             args=["--restore", os.path.join(backups, name), "--backup-dir", os.path.join(scratch, "later")])
    try:
        admin, clerk, sup, fin = make_v1.clients(restored.port)
        make_v1.every_kind(admin, clerk, sup, fin, 2)
        make_v1.write_answers(admin, os.path.join(out, "snapshot.answers.txt"))
        for c in (admin, clerk, sup, fin):
            c.close()
    finally:
        restored.close()
    shutil.rmtree(scratch, ignore_errors=True)
    make_v1.remove_lock(data)


def main():
    args = make_v1.arguments()
    make_v1.make(args.bin, args.out, snapshot=False)
    make_restored(args.bin, args.out)


if __name__ == "__main__":
    main()
