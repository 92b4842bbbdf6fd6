"""Unit tests of the client's tender lists and till calls: no server, a scripted one that records
the request lines it was sent."""
import decimal
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from returnledger import Client, Tender, format_tenders, parse_tenders  # noqa: E402
from test_client import FakeServer  # noqa: E402


class TenderListTest(unittest.TestCase):
    def test_format_from_tuples_tenders_and_strings(self):
        self.assertEqual(format_tenders([("card", "60.00", "4242"), ("cash", "40.00")]), "card:60.00#4242,cash:40.00")
        self.assertEqual(format_tenders([Tender("other", "5.00", "V-17"), "credit:2.50"]), "other:5.00#V-17,credit:2.50")
        self.assertEqual(format_tenders("card:1.00,cash:2.00"), "card:1.00,cash:2.00")  # a list's text as it is

    def test_decimal_amounts_get_two_places_and_floats_are_refused(self):
        self.assertEqual(format_tenders([("cash", decimal.Decimal("40"))]), "cash:40.00")
        self.assertEqual(format_tenders([("card", decimal.Decimal("13.1"), "4242")]), "card:13.10#4242")
        with self.assertRaises(TypeError):
            format_tenders([("cash", 0.1 + 0.2)])

    def test_unreadable_tenders_are_refused_before_sending(self):
        with self.assertRaises(ValueError):
            format_tenders([("cheque", "1.00")])
        with self.assertRaises(ValueError):
            format_tenders([("card", "1.00", "42,42")])  # the comma would start another tender
        with self.assertRaises(ValueError):
            format_tenders([("card", "1.00", "a b")])

    def test_parse(self):
        self.assertEqual(parse_tenders("card:13.12#4242,cash:8.75"),
                         [Tender("card", "13.12", "4242"), Tender("cash", "8.75", "")])
        self.assertEqual(parse_tenders(""), [])
        self.assertEqual(parse_tenders(None), [])
        self.assertEqual(parse_tenders("credit:21.87")[0].kind, "credit")
        self.assertEqual(str(parse_tenders("card:1.00#X")[0]), "card:1.00#X")
        for bad in ("cash", "cash:", ":1.00", "card:1.00,oops"):
            with self.assertRaises(ValueError, msg=bad):
                parse_tenders(bad)

    def test_round_trip(self):
        text = "card:60.00#4242,other:3.00#V9,cash:40.00"
        self.assertEqual(format_tenders(parse_tenders(text)), text)


class RetryTableTest(unittest.TestCase):
    def test_till_changes_are_never_resent_and_reads_always(self):
        # A TILL CLOSE re-sent after a lost reply would close nothing and answer STATE; a pay-in
        # re-sent would count the cash twice: the caller must look (TILL SHOW) before trying again.
        for line in ("TILL OPEN POS1 location=STORE1 float=100.00", "TILL PAYIN POS1 amount=5 note=x",
                     "TILL PAYOUT POS1 amount=5 note=x", "TILL CLOSE POS1 counted=100.00"):
            self.assertFalse(Client._retryable(line), line)
        for line in ("TILL SHOW POS1", "till list state=closed", "CREDIT C001"):
            self.assertTrue(Client._retryable(line), line)


class RequestLineTest(unittest.TestCase):
    """What the convenience methods put on the wire."""

    def setUp(self):
        def script(line, number):
            if line.startswith("AUTH"):
                return "OK user=x role=supervisor"
            if line.startswith("TILL LIST"):
                return ("* session=T000002 till=POS1 location=STORE1 state=closed date=2026-12-01 opened_by=clerk1"
                        " opened_at=2026-12-01T08:00:00Z float=100.00 paid_in=0.00 paid_out=0.00 expected=140.00"
                        " counted=139.50 variance=-0.50 closed_by=clerk1 closed_at=2026-12-01T18:00:00Z\nOK count=1")
            return "OK"
        self.server = FakeServer(script)
        self.client = Client("127.0.0.1", self.server.port, user="x", password="x", key_prefix="k")

    def tearDown(self):
        self.client.close()
        self.server.close()

    def sent(self):
        return [line for _, line in self.server.lines if not line.startswith("AUTH")]

    def test_sale_with_tenders_and_till(self):
        self.client.sale("S-1", "STORE1", ["A100:4"], tender=[("card", "60.00", "4242"), ("cash", "40.00")], till="POS1")
        self.client.sale("S-2", "STORE1", ["A100:1"])
        self.assertEqual(self.sent(), ["SALE S-1 A100:4 location=STORE1 tender=card:60.00#4242,cash:40.00 till=POS1",
                                       "SALE S-2 A100:1 location=STORE1"])

    def test_approve_refund_forms(self):
        self.client.approve("R000001", refund="original", till="POS2")
        self.client.approve("R000002", refund=[("card", "13.12", "4242"), ("cash", "8.75")], override=True)
        self.client.approve("R000003", tender="card:5.00#9", fee="12.5")
        self.client.approve("R000004")
        self.assertEqual(self.sent(), [
            "APPROVE R000001 refund=original till=POS2",
            "APPROVE R000002 refund=card:13.12#4242,cash:8.75 override=yes",
            "APPROVE R000003 fee=12.5 tender=card:5.00#9",
            "APPROVE R000004",
        ])

    def test_offline_return_carries_its_time_till_and_key(self):
        self.client.return_items("S-1", ["A100:1"], reason="DEFECTIVE", till="POS1", at="2026-12-01T10:00:00Z",
                                 key="pos1-77")
        self.assertEqual(self.sent(), ["RETURN S-1 A100:1 reason=DEFECTIVE key=pos1-77 till=POS1 at=2026-12-01T10:00:00Z"])

    def test_till_commands(self):
        self.client.till_open("POS1", "STORE1", decimal.Decimal("100"))
        self.client.till_payin("POS1", "20.00", note="change from the bank")
        self.client.till_payout("POS1", "50.00", note="banking run")
        self.client.till_close("POS1", "139.50", note="a coin short")
        self.client.till_show("POS1")
        self.client.till_show(session="T000001")
        self.client.credit("C001")
        self.assertEqual(self.sent(), [
            "TILL OPEN POS1 location=STORE1 float=100.00",
            'TILL PAYIN POS1 amount=20.00 note="change from the bank"',
            'TILL PAYOUT POS1 amount=50.00 note="banking run"',
            'TILL CLOSE POS1 counted=139.50 note="a coin short"',
            "TILL SHOW POS1",
            "TILL SHOW session=T000001",
            "CREDIT C001",
        ])
        with self.assertRaises(ValueError):
            self.client.till_show()

    def test_till_list_gives_its_lines_as_dicts(self):
        rows = self.client.till_list(state="closed", limit=10)
        self.assertEqual(self.sent(), ["TILL LIST state=closed limit=10"])
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["till"], rows[0]["variance"], rows[0]["closed_by"]), ("POS1", "-0.50", "clerk1"))

    def test_policy_keys_of_tills_and_credit(self):
        self.client.set_policy(credit_days=365, offline_hours=24, cross_store=False)
        self.assertEqual(self.sent(), ["POLICY SET credit_days=365 offline_hours=24 cross_store=no"])


if __name__ == "__main__":
    unittest.main()
