"""Serial numbers against the real server (contract section 22.5): a serial-tracked phone bought,
sold at STORE1, returned at STORE2 by its serial, approved, sent back and received; SERIAL and
INVALID refusals; ORDER's serials, STOCK serials=yes, LIST serial= and FEED's serials fields; the
register ringing the phone up by serial. Skipped, saying why, when the server binary is missing
or tracks no serials."""
import io
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import register  # noqa: E402
from returnledger import ReturnLedgerError, item, serials_of  # noqa: E402
from server import ServerTestCase  # noqa: E402


class SerialTest(ServerTestCase):
    probe = "LIST serial=PROBE"

    @classmethod
    def prepare(cls):
        with cls.client("admin") as admin:
            admin.call_line('SKU ADD PY-P900 name="Phone X" price=500.00 cost=320.00 serial=yes')
            admin.purchase("PY-SPO1", "STORE1", "S001", [item("PY-P900", 3, serials=["PY-IMEI-1", "PY-IMEI-2", "PY-IMEI-3"])])

    def refused(self, call):
        with self.assertRaises(ReturnLedgerError) as refused:
            call()
        return refused.exception.code

    def test_a_phone_sold_returned_at_another_store_and_sent_back(self):
        with self.client("clerk1") as clerk:
            self.assertEqual(clerk.stock_serials("PY-P900")[("PY-P900", "PY-IMEI-1")], ("STORE1", "", "on_hand"))
            self.assertEqual(self.refused(lambda: clerk.sale("PY-SS1", "STORE1", [item("PY-P900", 1)], customer="C002")), "INVALID")
            clerk.sale("PY-SS1", "STORE1", [item("PY-P900", 1, serials=["PY-IMEI-2"])], customer="C002")
            self.assertEqual(self.refused(lambda: clerk.sale("PY-SS2", "STORE1", [item("PY-P900", 1, serials=["PY-IMEI-2"])])),
                             "SERIAL")
            line = clerk.order("PY-SS1").data[0]
            self.assertEqual((serials_of(line["serials"]), serials_of(line["returned_serials"])), (["PY-IMEI-2"], []))
            self.assertEqual(self.refused(lambda: clerk.return_items("PY-SS1", [item("PY-P900", 1, serials=["PY-IMEI-3"])],
                                                                     reason="DEFECTIVE", location="STORE2")), "SERIAL")
            filed = clerk.return_items("PY-SS1", [item("PY-P900", 1, serials=["PY-IMEI-2"])], reason="DEFECTIVE",
                                       location="STORE2", key="py-serial-1")
        with self.client("supervisor1") as sup:
            sup.approve(filed.id)
        with self.client("finance1") as fin:
            if fin.show(filed.id).state == "second_review":
                fin.approve(filed.id)
        with self.client("supervisor1") as sup:
            self.assertEqual(sup.show(filed.id).state, "approved")
            self.assertEqual(sup.stock_serials("PY-P900")[("PY-P900", "PY-IMEI-2")], ("STORE2", "", "on_hand"))
            self.assertEqual([r["id"] for r in sup.returns(serial="PY-IMEI-2")], [filed.id])
            self.assertEqual(serials_of(sup.order("PY-SS1").data[0]["returned_serials"]), ["PY-IMEI-2"])
            self.assertEqual(self.refused(lambda: sup.transfer_send("PY-ST1", "STORE2", "STORE1",
                                                                    [item("PY-P900", 1, serials=["PY-IMEI-1"])])), "SERIAL")
            sup.transfer_send("PY-ST1", "STORE2", "STORE1", [item("PY-P900", 1, serials=["PY-IMEI-2"])])
            self.assertEqual(sup.stock_serials("PY-P900")[("PY-P900", "PY-IMEI-2")], ("STORE1", "", "transit"))
            self.assertEqual(serials_of(sup.transfer_show("PY-ST1").data[0]["serials"]), ["PY-IMEI-2"])
            sup.transfer_receive("PY-ST1")
            self.assertEqual(sup.stock_serials("PY-P900")[("PY-P900", "PY-IMEI-2")], ("STORE1", "", "on_hand"))
            # Each slot's stock is its serials.
            for line in sup.stock("PY-P900").data:
                at = [k for k, v in sup.stock_serials("PY-P900").items() if v[0] == line["location"] and v[2] == "on_hand"]
                self.assertEqual(int(line["on_hand"]), len(at))

    def test_feed_lines_carry_the_serials(self):
        with self.client("clerk1") as clerk:
            clerk.sale("PY-SS3", "STORE1", [item("PY-P900", 1, serials=["PY-IMEI-1"])])
        with self.client("admin") as admin:
            lines = admin.call("FEED", from_=1, limit=100000).data
        order_lines = [l for l in lines if l.get("type") == "order.line" and l.get("order") == "PY-SS3"]
        moved = [l for l in lines if l.get("type") == "stock.moved" and l.get("doc") == "PY-SS3"]
        self.assertEqual([l["serials"] for l in order_lines], ["PY-IMEI-1"])
        self.assertEqual([(l["on_hand"], l["serials"]) for l in moved], [("-1", "PY-IMEI-1")])

    def test_the_register_rings_a_phone_up_by_serial(self):
        with self.client("admin") as admin:
            admin.purchase("PY-SPO2", "STORE1", "S001", [item("PY-P900", 1, serials=["PY-IMEI-9"])])
        out = io.StringIO()
        with self.client("clerk1") as clerk:
            till = register.Register(clerk, "STORE1", out=out)
            self.assertTrue(till.run("sale", "PY-SS4", "PY-P900:1/PY-IMEI-9", "C001"))
            self.assertFalse(till.run("sale", "PY-SS5", "PY-P900:1/PY-IMEI-9", ""))
            self.assertTrue(till.run("order", "PY-SS4"))
        text = out.getvalue()
        self.assertIn("refused: SERIAL", text)
        self.assertIn("serials PY-IMEI-9", text)


if __name__ == "__main__":
    unittest.main()
