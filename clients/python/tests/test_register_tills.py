"""register.py's tender and till columns and its till commands, against a scripted server that
records the request lines (no real server): what the CSV and the prompt put on the wire."""
import csv
import io
import os
import sys
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import register  # noqa: E402
from returnledger import Client  # noqa: E402
from test_client import FakeServer  # noqa: E402


def rows(text):
    return list(csv.reader(io.StringIO(text)))


class ReadActionsTest(unittest.TestCase):
    def test_five_columns_read_as_before(self):
        actions = register.read_actions(rows("sale,S-1,A100:2,C001,\n#comment\n\nreturn,S-1,A100:1,DEFECTIVE,box torn\n"))
        self.assertEqual(actions, [
            {"action": "sale", "order": "S-1", "items": "A100:2", "extra": "C001", "note": "", "tender": "", "till": ""},
            {"action": "return", "order": "S-1", "items": "A100:1", "extra": "DEFECTIVE", "note": "box torn",
             "tender": "", "till": ""},
        ])

    def test_tender_and_till_columns_by_position(self):
        actions = register.read_actions(rows('sale,S-2,A100:4,,,"card:60.00#4242,cash:40.00",POS1\n'))
        self.assertEqual((actions[0]["tender"], actions[0]["till"]), ("card:60.00#4242,cash:40.00", "POS1"))

    def test_a_header_names_the_columns_in_any_order(self):
        actions = register.read_actions(rows("action,till,order,items,tender,comment\n"
                                             "sale,POS2,S-3,A100:1,card:25.00#9,ignored\n"))
        self.assertEqual(actions, [{"action": "sale", "order": "S-3", "items": "A100:1", "extra": "", "note": "",
                                    "tender": "card:25.00#9", "till": "POS2"}])

    def test_a_row_shorter_than_the_header(self):
        actions = register.read_actions(rows("action,order,items,extra,note,tender,till\nstatus\n"))
        self.assertEqual(actions[0], dict.fromkeys(register.COLUMNS, "") | {"action": "status"})


class RegisterWireTest(unittest.TestCase):
    def setUp(self):
        def script(line, number):
            word = " ".join(line.split()[:2])
            if line.startswith("AUTH"):
                return "OK user=clerk1 role=clerk"
            if line.startswith("SALE"):
                return "OK order=%s total=100.00" % line.split()[1]
            if line.startswith("RETURN"):
                return "OK id=R000001 state=pending kind=sale amount=25.00"
            if word == "TILL OPEN":
                return "OK till=%s session=T000007 location=STORE1 float=100.00" % line.split()[2]
            if word == "TRANSFER SEND":
                return "OK transfer=%s state=in_transit from=STORE1 to=STORE2 qty=5" % line.split()[2]
            if word == "TRANSFER RECEIVE":
                return "OK transfer=%s state=received sent=5 received=4 lost=1 found=0 value=-14.00" % line.split()[2]
            if line.startswith("COUNT"):
                return ("* line sku=A100 batch=\"\" before=12 counted=10 variance=-2 value=-28.00\n"
                        "OK move=M000003 location=STORE1 variance=-2 value=-28.00")
            if word == "TILL CLOSE":
                return "OK till=%s session=T000007 expected=131.25 counted=131.00 variance=-0.25" % line.split()[2]
            return "ERR SYNTAX unexpected"
        self.server = FakeServer(script)
        self.client = Client("127.0.0.1", self.server.port, user="clerk1", password="clerk1", key_prefix="k")
        self.out = io.StringIO()
        self.register = register.Register(self.client, "STORE1", out=self.out)

    def tearDown(self):
        self.client.close()
        self.server.close()

    def sent(self):
        return [line for _, line in self.server.lines if not line.startswith("AUTH")]

    def test_csv_tender_and_till_reach_the_sale(self):
        for action in register.read_actions(rows('sale,S-1,A100:4,C001,,"card:60.00#4242,cash:40.00",POS1\n'
                                                 "sale,S-2,A100:1,,\n")):
            self.assertTrue(self.register.run(**action))
        self.assertEqual(self.sent(), [
            "SALE S-1 A100:4 location=STORE1 customer=C001 tender=card:60.00#4242,cash:40.00 till=POS1",
            "SALE S-2 A100:1 location=STORE1",  # no tender, no till: as before
        ])
        self.assertIn("sale S-1: total 100.00 paid card:60.00#4242,cash:40.00 at till POS1", self.out.getvalue())
        self.assertIn("sale S-2: total 100.00\n", self.out.getvalue())

    def test_a_return_row_takes_a_till_but_no_tender(self):
        self.assertTrue(self.register.run("return", "S-1", "A100:1", "DEFECTIVE", "", "", "POS1"))
        self.assertFalse(self.register.run("return", "S-1", "A100:1", "DEFECTIVE", "", "cash:25.00", ""))
        self.assertEqual(self.sent(), ["RETURN S-1 A100:1 reason=DEFECTIVE location=STORE1 key=k-1 till=POS1"])
        self.assertIn("refused: a tender is for a sale", self.out.getvalue())

    def test_the_till_opened_at_the_prompt_is_the_registers_until_closed(self):
        self.assertTrue(register.till_command(self.register, "till open POS1 STORE1 100.00".split()))
        self.register.run("sale", "S-9", "A100:1")
        self.assertTrue(register.till_command(self.register, "till close POS1 131.00 a coin short".split()))
        self.register.run("sale", "S-10", "A100:1")
        self.assertFalse(register.till_command(self.register, "till open POS1".split()))
        self.assertEqual(self.sent(), [
            "TILL OPEN POS1 location=STORE1 float=100.00",
            "SALE S-9 A100:1 location=STORE1 till=POS1",
            'TILL CLOSE POS1 counted=131.00 note="a coin short"',
            "SALE S-10 A100:1 location=STORE1",
        ])
        out = self.out.getvalue()
        self.assertIn("till POS1 open: session T000007 at STORE1, float 100.00", out)
        self.assertIn("till POS1 closed: session T000007, expected 131.25, counted 131.00, variance -0.25", out)

    def test_the_prompt(self):
        typed = ["till open POS1 STORE1 100.00", "sale S-5 A100:4 tender=card:60.00#4242,cash:40.00 customer=C001",
                 "return S-5 A100:1 DEFECTIVE till=POS2 lid broken", "till close POS1 131.00", "quit"]
        with mock.patch("builtins.input", side_effect=typed):
            register.interactive(self.register)
        self.assertEqual(self.sent(), [
            "TILL OPEN POS1 location=STORE1 float=100.00",
            "SALE S-5 A100:4 location=STORE1 customer=C001 tender=card:60.00#4242,cash:40.00 till=POS1",
            'RETURN S-5 A100:1 reason=DEFECTIVE location=STORE1 note="lid broken" key=k-1 till=POS2',
            "TILL CLOSE POS1 counted=131.00",
        ])

    def test_goods_sent_and_received_from_the_csv_and_the_prompt(self):
        for action in register.read_actions(rows("send,T-41,A100:5,STORE2,van 3\nreceive,T-41,A100:4,,one box missing\n")):
            self.assertTrue(self.register.run(**action))
        typed = ["send T-42 STORE2 A100:5", "receive T-42", "quit"]
        with mock.patch("builtins.input", side_effect=typed):
            register.interactive(self.register)
        self.assertEqual(self.sent()[:2], [
            'TRANSFER SEND T-41 A100:5 from=STORE1 to=STORE2 note="van 3"',
            'TRANSFER RECEIVE T-41 A100:4 note="one box missing"',
        ])
        self.assertEqual(self.sent()[2:], ["TRANSFER SEND T-42 A100:5 from=STORE1 to=STORE2", "TRANSFER RECEIVE T-42"])
        out = self.out.getvalue()
        self.assertIn("transfer T-41: 5 units on its way to STORE2", out)
        self.assertIn("transfer T-41 received: 4 of 5 units, 1 lost, 0 found, value -14.00", out)

    def test_a_count_from_the_csv_and_the_prompt(self):
        for action in register.read_actions(rows("count,,A100:10,,year end\n")):
            self.assertTrue(self.register.run(**action))
        with mock.patch("builtins.input", side_effect=["count A100:10 C400:0 shelf two", "quit"]):
            register.interactive(self.register)
        sent = [line.rsplit(" key=", 1)[0] for line in self.sent()]
        self.assertEqual(sent, ['COUNT A100:10 location=STORE1 note="year end"',
                                'COUNT A100:10 C400:0 location=STORE1 note="shelf two"'])
        self.assertTrue(all(" key=" in line for line in self.sent()))  # a retry never counts twice
        out = self.out.getvalue()
        self.assertIn("A100: 12 on the books, 10 counted, variance -2 (-28.00)", out)
        self.assertIn("count M000003: variance -2, value -28.00", out)

    def test_named_words_at_the_prompt_are_not_items(self):
        named, rest = register.named_words("sale S-1 A100:1 tender=card:25.00#42 till=POS2 customer=C001".split())
        self.assertEqual(named, {"tender": "card:25.00#42", "till": "POS2", "customer": "C001"})
        self.assertEqual(rest, ["sale", "S-1", "A100:1"])


if __name__ == "__main__":
    unittest.main()
