"""report.py's refunds by tender and till variances, from canned replies (no server): shown when
the server gives the figures, left out when an older server (or a role without tills) does not."""
import os
import sys
import unittest
from xml.etree import ElementTree

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import report  # noqa: E402
from returnledger import Reply, ReturnLedgerError  # noqa: E402

STATS_OLD = ("OK filed=3 approved=2 rejected=0 cancelled=0 pending=1 amount=50.00 return_rate=0.1000"
             " approve_p50_s=60 approve_p90_s=90")
STATS_TILLS = STATS_OLD + " refund_cash=8.75 refund_card=13.12 refund_credit=25.00 refund_other=0.00"


def session(sid, till, location, date, variance):
    return ("* session=%s till=%s location=%s state=closed date=%s opened_by=clerk1 opened_at=%sT08:00:00Z"
            " float=100.00 paid_in=0.00 paid_out=0.00 expected=140.00 counted=0.00 variance=%s closed_by=clerk1"
            " closed_at=%sT18:00:00Z" % (sid, till, location, date, date, variance, date))


SESSIONS = [
    session("T000004", "POS2", "STORE2", "2026-12-03", "1.00"),
    session("T000003", "POS1", "STORE1", "2026-12-02", "-0.50"),
    session("T000002", "POS1", "STORE1", "2026-12-01", "0.25"),
    session("T000001", "POS3", "STORE1", "2026-11-20", "-9.00"),  # before the window below
]


class CannedClient:
    """What collect() asks, answered from canned reply text; `till_error` is what TILL LIST gets."""

    def __init__(self, stats, till_error=None):
        self.stats_status = stats
        self.till_error = till_error
        self.till_calls = []

    def stats(self, by=None, **window):
        if by is None:
            return Reply(self.stats_status, [])
        return Reply("OK", ["* %s=X count=1 qty=1 amount=25.00 share=1.0000" % by])

    def call(self, word, *args, **named):
        return Reply("OK count=0", [])

    def returns(self, **filters):
        return iter([])

    def till_list(self, **filters):
        self.till_calls.append(filters)
        if self.till_error:
            raise ReturnLedgerError(self.till_error, "no such thing")
        return Reply("OK count=%d" % len(SESSIONS), SESSIONS).data


class RefundsByTenderTest(unittest.TestCase):
    def test_from_stats_of_a_server_with_tills(self):
        data = report.collect(CannedClient(STATS_TILLS))
        self.assertEqual([(k, str(v)) for k, v in data["refunds_by_tender"]],
                         [("cash", "8.75"), ("card", "13.12"), ("credit", "25.00"), ("other", "0.00")])
        text = report.svg(data, "test")
        self.assertIn("Refunds by tender", text)
        self.assertIn(">13.12<", text)

    def test_left_out_for_an_older_server(self):
        data = report.collect(CannedClient(STATS_OLD, till_error="UNKNOWN_COMMAND"))
        self.assertIsNone(data["refunds_by_tender"])
        self.assertIsNone(data["till_variances"])
        text = report.svg(data, "test")
        self.assertNotIn("Refunds by tender", text)
        self.assertNotIn("Cash variance by till", text)
        self.assertIn('height="1080"', text)  # the page as it always was
        self.assertIn("Refunds and credit by reason", text)


class TillVarianceTest(unittest.TestCase):
    def test_summed_per_till_most_short_first(self):
        rows = report.till_variances(CannedClient(STATS_TILLS))
        self.assertEqual([(t, loc, n, str(total), str(worst)) for t, loc, n, total, worst in rows], [
            ("POS3", "STORE1", 1, "-9.00", "-9.00"),
            ("POS1", "STORE1", 2, "-0.25", "-0.50"),
            ("POS2", "STORE2", 1, "1.00", "1.00"),
        ])

    def test_the_window_keeps_its_dates(self):
        client = CannedClient(STATS_TILLS)
        rows = report.till_variances(client, "2026-12-01", "2026-12-02")
        self.assertEqual([(t, n) for t, _, n, _, _ in rows], [("POS1", 2)])
        self.assertEqual(client.till_calls, [{"state": "closed", "limit": 1000, "date": None}])
        report.till_variances(client, "2026-12-02", "2026-12-02")  # one day: the server filters
        self.assertEqual(client.till_calls[-1]["date"], "2026-12-02")

    def test_table_in_the_svg_shows_short_drawers_in_red(self):
        data = report.collect(CannedClient(STATS_TILLS))
        text = report.svg(data, "test")
        self.assertIn("Cash variance by till", text)
        self.assertIn('height="1400"', text)
        self.assertRegex(text, r'fill="#c9302c">-0.25<')
        self.assertIn(">+1.00<", text)
        ElementTree.fromstring(text)  # well-formed, or a browser shows nothing

    def test_no_tills_for_this_role_or_server_is_not_a_failure(self):
        for code in ("UNKNOWN_COMMAND", "SYNTAX", "DENIED"):
            self.assertIsNone(report.till_variances(CannedClient(STATS_TILLS, till_error=code)), code)
        with self.assertRaises(ReturnLedgerError):  # anything else is a real failure
            report.till_variances(CannedClient(STATS_TILLS, till_error="LIMIT"))

    def test_tenders_without_tills_still_show(self):
        # A role that may not read tills still sees the refunds by tender, which STATS gives.
        data = report.collect(CannedClient(STATS_TILLS, till_error="DENIED"))
        text = report.svg(data, "test")
        self.assertIn("Refunds by tender", text)
        self.assertNotIn("Cash variance by till", text)


if __name__ == "__main__":
    unittest.main()
