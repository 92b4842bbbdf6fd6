"""Unit tests of the client library: no server, just bytes."""
import decimal
import os
import socket
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from returnledger import Client, ConnectionLost, Reply, ReturnLedgerError, item, quote, regrade_item  # noqa: E402
from returnledger.client import parse_fields  # noqa: E402


class QuotingTest(unittest.TestCase):
    def test_bare_values_stay_bare(self):
        self.assertEqual(quote("A100"), "A100")
        self.assertEqual(quote("RT-20261129-0001"), "RT-20261129-0001")
        self.assertEqual(quote(12), "12")

    def test_values_that_need_quotes(self):
        self.assertEqual(quote(""), '""')
        self.assertEqual(quote("box torn"), '"box torn"')
        self.assertEqual(quote('say "hi"'), '"say \\"hi\\""')
        self.assertEqual(quote("a\\b"), '"a\\\\b"')
        self.assertEqual(quote("line\nbreak\ttab"), '"line\\nbreak\\ttab"')
        self.assertEqual(quote("\x01"), '"\\x01"')
        self.assertEqual(quote("包装 破损"), '"包装 破损"')

    def test_a_positional_value_with_an_equals_sign_is_quoted(self):
        # Bare, `pa=ss` is a key=value token to the server: AUTH alice pa=ss was a SYNTAX error.
        self.assertEqual(quote("pa=ss", positional=True), '"pa=ss"')
        self.assertEqual(quote("pa=ss"), "pa=ss")  # as a named value (k=pa=ss) it stays bare
        self.assertEqual(Client.line("USER PASSWORD", "bob", password="a=b"), "USER PASSWORD bob password=a=b")
        self.assertEqual(Client.line("SHOW", "x=y"), 'SHOW "x=y"')

    def test_items(self):
        self.assertEqual(item("A100", 2), "A100:2")
        self.assertEqual(item("C400", 40, price="3.10", batch="LOT7"), "C400:40@3.10#LOT7")

    def test_request_lines(self):
        self.assertEqual(Client.line("RETURN", "S1", ["A100:1", "B2:1"], reason="DEFECTIVE", note="lid broken", key=None),
                         'RETURN S1 A100:1 B2:1 reason=DEFECTIVE note="lid broken"')
        self.assertEqual(Client.line("STATS", by="reason", from_="2026-11-01"), "STATS by=reason from=2026-11-01")


class RetrySafetyTest(unittest.TestCase):
    def test_retry_safety_comes_from_the_arguments(self):
        self.assertTrue(Client._retryable("RETURN S1 A100:1 reason=DEFECTIVE key=k1"))
        self.assertTrue(Client._retryable('RETURN S1 A100:1 note="a b" KEY=k1 reason=X'))
        self.assertFalse(Client._retryable('RETURN S1 A100:1 reason=X note="wrong key=3"'))
        self.assertFalse(Client._retryable("RETURN S1 A100:1 reason=X key="))
        self.assertFalse(Client._retryable('RETURN S1 A100:1 reason=X "key=k1"'))
        self.assertTrue(Client._retryable("stock A100"))
        self.assertTrue(Client._retryable("USER LIST"))
        self.assertFalse(Client._retryable("USER ADD bob role=clerk password=x"))
        self.assertFalse(Client._retryable("PAYMENT C1 amount=1 direction=in"))
        self.assertFalse(Client._retryable('RETURN S1 "unbalanced'))
        self.assertFalse(Client._retryable("FROBNICATE"))
        self.assertTrue(Client._retryable('VOID R000001 reason=DEFECTIVE note="wrong one"'))
        self.assertTrue(Client._retryable("VERIFY from=RT-20261206-0001"))


class ParsingTest(unittest.TestCase):
    def test_fields_with_quotes_and_escapes(self):
        f = parse_fields('id=R000001 note="box \\"torn\\", 包装" batch="" tab="a\\tb" hex="\\x41"')
        self.assertEqual(f, {"id": "R000001", "note": 'box "torn", 包装', "batch": "", "tab": "a\tb", "hex": "A"})

    def test_bare_leading_word(self):
        self.assertEqual(parse_fields("item sku=A100 qty=2"), {"": "item", "sku": "A100", "qty": "2"})

    def test_reply_object(self):
        r = Reply("OK id=R000002 state=pending existed=yes", ["* sku=A100 on_hand=3"])
        self.assertTrue(r.ok)
        self.assertTrue(r.existed)
        self.assertEqual(r.id, "R000002")
        self.assertEqual(r["state"], "pending")
        self.assertEqual(r.data, [{"sku": "A100", "on_hand": "3"}])
        self.assertEqual(Reply("OK pong", []).word, "pong")
        self.assertFalse(Reply("ERR EXCEEDS too many", []).ok)


class FakeServer:
    """Answers each line with a scripted reply; drops the connection once when told to."""

    def __init__(self, script):
        self.script = script  # function(line, connection_number) -> reply text or None to drop
        self.lines = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.handle, args=(conn, self.connections), daemon=True).start()

    def handle(self, conn, number):
        with conn, conn.makefile("rb") as reader:
            for raw in reader:
                line = raw.decode().rstrip("\n")
                self.lines.append((number, line))
                reply = self.script(line, number)
                if reply is None:
                    return
                conn.sendall((reply + "\n").encode())

    def close(self):
        self.sock.close()


class RetryTest(unittest.TestCase):
    def script(self, line, number):
        if line.startswith("AUTH"):
            return "OK user=clerk1 role=clerk"
        if number == 1 and not line.startswith("AUTH"):
            return None  # the first connection dies on its first real request
        if line.startswith("RETURN"):
            return "OK id=R000001 state=pending kind=sale amount=25.00"
        return "OK"

    def test_return_with_key_is_retried_after_a_dropped_connection(self):
        server = FakeServer(self.script)
        client = Client("127.0.0.1", server.port, user="clerk1", password="clerk1")
        reply = client.return_items("S1", ["A100:1"], reason="DEFECTIVE")
        self.assertEqual(reply.id, "R000001")
        sent = [l for _, l in server.lines if l.startswith("RETURN")]
        self.assertEqual(len(sent), 2)
        self.assertEqual(sent[0], sent[1])  # the same key both times
        self.assertIn(" key=", sent[0])
        self.assertEqual(server.connections, 2)  # reconnected and logged in again
        client.close()
        server.close()

    def test_void_is_resent_after_a_dropped_connection_and_verify_takes_from(self):
        def script(line, number):
            if line.startswith("AUTH"):
                return "OK user=supervisor1 role=supervisor"
            if number == 1:
                return None  # the connection dies before VOID's reply
            if line.startswith("VOID"):
                return "OK id=R000001 state=voided doc=RT-20261206-0002 voids=RT-20261206-0001 amount=25.00 owed=25.00"
            return "OK count=1 last=RT-20261206-0002 hash=" + "a" * 64

        server = FakeServer(script)
        client = Client("127.0.0.1", server.port, user="supervisor1", password="supervisor1")
        reply = client.void("R000001", "DEFECTIVE", "wrong kettle, the other one")
        self.assertEqual((reply.state, reply.doc, reply["voids"], reply.owed),
                         ("voided", "RT-20261206-0002", "RT-20261206-0001", "25.00"))
        sent = [l for _, l in server.lines if l.startswith("VOID")]
        self.assertEqual(sent, ['VOID R000001 reason=DEFECTIVE note="wrong kettle, the other one"'] * 2)
        self.assertEqual(client.verify(from_doc="RT-20261206-0002").last, "RT-20261206-0002")
        self.assertEqual(server.lines[-1][1], "VERIFY from=RT-20261206-0002")
        self.assertEqual(client.verify()["count"], "1")
        self.assertEqual(server.lines[-1][1], "VERIFY")
        client.close()
        server.close()

    def test_non_idempotent_requests_are_not_retried(self):
        server = FakeServer(lambda line, n: "OK user=clerk1 role=clerk" if line.startswith("AUTH") else None)
        client = Client("127.0.0.1", server.port, user="clerk1", password="clerk1")
        with self.assertRaises(ConnectionLost):
            client.call("PAYMENT", "C1", amount="5", direction="in")
        with self.assertRaises(ConnectionLost):
            client.call("RETURN", "S1", ["A100:1"], reason="DEFECTIVE")  # no key: unsafe to re-send
        with self.assertRaises(ConnectionLost):
            # " key=" inside a quoted note is not a key: re-sending would file it twice.
            client.call("RETURN", "S1", ["A100:1"], reason="DEFECTIVE", note="wrong key=3")
        with self.assertRaises(ConnectionLost):
            client.call_line('RETURN S1 A100:1 reason=DEFECTIVE note="x\tkey=3"')
        self.assertEqual(len([l for _, l in server.lines if not l.startswith("AUTH")]), 4)  # each sent once
        client.close()
        server.close()

    def test_errors_raise_with_their_code(self):
        server = FakeServer(lambda line, n: "ERR EXCEEDS A100: 0 of 1 returnable")
        client = Client("127.0.0.1", server.port)
        with self.assertRaises(ReturnLedgerError) as caught:
            client.call("RETURN", "S1", ["A100:1"], reason="DEFECTIVE", key="k1")
        self.assertEqual(caught.exception.code, "EXCEEDS")
        self.assertIn("returnable", caught.exception.message)
        replies = client.pipeline(["PING", "PING"])
        self.assertEqual([r.ok for r in replies], [False, False])
        client.close()
        server.close()


class GoodsRequestTest(unittest.TestCase):
    """INSPECT lists, DISPOSE, supplier returns and VENDOR CREDIT (section 21) as request lines,
    against a server that records them: the library builds what protocol.md shows."""

    def setUp(self):
        self.server = FakeServer(lambda line, n: "OK user=supervisor1 role=supervisor" if line.startswith("AUTH") else "OK id=x")
        self.client = Client("127.0.0.1", self.server.port, user="supervisor1", password="supervisor1")

    def tearDown(self):
        self.client.close()
        self.server.close()

    def sent(self):
        return self.server.lines[-1][1]

    def test_regrade_items(self):
        self.assertEqual(regrade_item("B300", 1, "B300-B"), "B300:1>B300-B")
        self.assertEqual(regrade_item("C400", 2, "C400-B", batch="LOT7"), "C400:2#LOT7>C400-B")

    def test_inspect_with_lists_and_the_bare_word(self):
        self.client.inspect("R000022", vendor=["B777:2"], regrade=[regrade_item("B777", 1, "B777-B")],
                            note="two buzz, one scuffed")
        self.assertEqual(self.sent(), 'INSPECT R000022 vendor=B777:2 regrade=B777:1>B777-B note="two buzz, one scuffed"')
        self.client.inspect("R000022", "restock")
        self.assertEqual(self.sent(), "INSPECT R000022 restock")
        self.client.inspect("R000023", restock=[item("C400", 2, batch="LOT7"), "C400:1#LOT9"], scrap="A100:1",
                            regrade=[("B300:1", "B300-B")], refurbish=[])
        self.assertEqual(self.sent(), "INSPECT R000023 restock=C400:2#LOT7,C400:1#LOT9 scrap=A100:1 regrade=B300:1>B300-B")

    def test_dispose_always_sends_a_key(self):
        self.client.dispose("STORE1", "refurbish", restock=["B777:1"], note="new cushions", key="fix-1")
        self.assertEqual(self.sent(), 'DISPOSE location=STORE1 from=refurbish restock=B777:1 note="new cushions" key=fix-1')
        self.client.dispose("STORE1", "rtv", scrap=["B777:1"])
        self.assertRegex(self.sent(), r"^DISPOSE location=STORE1 from=rtv scrap=B777:1 key=py-\S+$")
        self.assertTrue(Client._retryable(self.sent()))
        self.assertFalse(Client._retryable("DISPOSE location=STORE1 from=rtv scrap=B777:1"))

    def test_supplier_returns_and_the_credit_note(self):
        self.client.return_to_supplier(["B777:2"], "S777", "STORE1", "DEFECTIVE", source="rtv", key="rtv-777")
        self.assertEqual(self.sent(), "RETURN - B777:2 supplier=S777 location=STORE1 reason=DEFECTIVE source=rtv key=rtv-777")
        self.client.return_items("PO-1", ["B300:1"], "DEFECTIVE", rma="RMA 88", expected=decimal.Decimal("31"), key="k")
        self.assertEqual(self.sent(), 'RETURN PO-1 B300:1 reason=DEFECTIVE key=k rma="RMA 88" expected=31.00')
        with self.assertRaises(TypeError):  # money is never a float
            self.client.return_items("PO-1", ["B300:1"], "DEFECTIVE", expected=31.0)
        self.client.approve("R000023", rma="RMA-88")
        self.assertEqual(self.sent(), "APPROVE R000023 rma=RMA-88")
        self.client.vendor_credit("R000023", "55.00", "CN-5512", note="short by one cushion")
        self.assertEqual(self.sent(), 'VENDOR CREDIT R000023 amount=55.00 ref=CN-5512 note="short by one cushion"')
        self.client.stock(supplier="S777", location="STORE1")
        self.assertEqual(self.sent(), "STOCK location=STORE1 supplier=S777")
        self.client.stats(by="supplier")
        self.assertEqual(self.sent(), "STATS by=supplier")

    def test_which_goods_commands_the_retry_may_resend(self):
        self.assertTrue(Client._retryable("VENDOR CREDIT R000023 amount=55.00 ref=CN-5512"))
        self.assertFalse(Client._retryable("INSPECT R000022 restock"))  # SHOW tells what was decided
        self.assertTrue(Client._retryable("APPROVE R000023 rma=RMA-88"))
        self.assertTrue(Client._retryable("RETURN - B777:2 supplier=S777 location=STORE1 reason=DEFECTIVE key=k"))


if __name__ == "__main__":
    unittest.main()
