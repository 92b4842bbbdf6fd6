"""A period close against the real server, exported: the Z totals PERIOD Z answers are the rows
export.py writes from FEED's period.z and period.tender lines. Skipped, saying why, without the
server binary or on a server without PERIOD CLOSE."""
import datetime
import os
import shutil
import sqlite3
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
sys.path.insert(0, PYDIR)
sys.path.insert(0, HERE)
import export  # noqa: E402
from returnledger.client import parse_fields  # noqa: E402
from server import ServerTestCase  # noqa: E402


class PeriodExportTest(ServerTestCase):
    probe = "PERIOD SHOW"

    def test_the_z_totals_of_a_closed_date_are_exported_as_the_server_keeps_them(self):
        # The demo's sale S-1002 is dated two days back: close through that date.
        date = (datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=2)).isoformat()
        with self.client("finance1") as finance:
            closed = finance.call_line("PERIOD CLOSE %s note=\"py export\"" % date)
            self.assertEqual(closed["closed_through"], date)
            z = finance.call_line("PERIOD Z %s" % date)
        rows = [parse_fields(line[2:]) for line in z.lines]
        totals = [r for r in rows if r[""] == "z"]
        tenders = [r for r in rows if r[""] == "tender"]
        self.assertGreaterEqual(len(totals), 1)
        self.assertEqual(len(tenders), 5 * len(totals))
        scratch = tempfile.mkdtemp(prefix="rl-period-e2e-")
        try:
            target = export.Target(sqlite3.connect(os.path.join(scratch, "t.db")), "?", sqlite=True)
            with self.client("auditor1") as auditor:
                export.export(auditor, target, 1000, False, 0)
            self.assertEqual(target.execute("SELECT through, closed_by, note FROM period_closes").fetchall(),
                             [(date, "finance1", "py export")])
            exported = target.execute("SELECT location, sales, sales_amount, returns, refunds_amount, voids, variance"
                                      " FROM z_totals WHERE date = ? ORDER BY location", (date,)).fetchall()
            self.assertEqual(exported, [(r["location"], int(r["sales"]), r["sales_amount"], int(r["returns"]),
                                         r["refunds_amount"], int(r["voids"]), r["variance"]) for r in totals])
            self.assertEqual(target.execute("SELECT location, kind, taken, refunded FROM z_tenders WHERE date = ?"
                                            " ORDER BY location, kind", (date,)).fetchall(),
                             sorted((r["location"], r["kind"], r["taken"], r["refunded"]) for r in tenders))
            target.close()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
