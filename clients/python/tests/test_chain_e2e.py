"""The document chain against the real server (protocol.md, VERIFY): a day of documents checked
with VERIFY, then the same chain recomputed here from FEED alone (SHA-256 of the previous hash,
a line feed and the canonical text rebuilt from the doc.issued and doc.item fields) and compared
hash by hash with what the server stored. Skipped, saying why, without the server binary or on a
server without VERIFY."""
import hashlib
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from returnledger import ReturnLedgerError  # noqa: E402
from returnledger.client import parse_fields  # noqa: E402
from server import ServerTestCase  # noqa: E402

ZEROS = "0" * 64
# The FEED line's own fields, and the ones doc.issued adds after the canonical line.
HEAD = ("seq", "at", "user", "type")


def wire_value(value):
    """A value as the contract writes it (section 3): quoted when empty or holding a blank, a
    control character, a quote or a backslash, with the escapes of section 2. Written here from
    the contract, not taken from the client library, so the test checks the server's text."""
    if value and not any(c in value for c in ' "\\') and all(0x20 < ord(c) != 0x7F for c in value):
        return value
    out = []
    for c in value:
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append("\\x%02x" % ord(c))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def canonical_line(fields):
    return " ".join("%s=%s" % (k, wire_value(v)) for k, v in fields) + "\n"


class ChainEndToEndTest(ServerTestCase):
    probe = "VERIFY"

    def feed(self, auditor):
        """Every FEED line from the start, page by page, as (fields in order) lists."""
        lines, after = [], 0
        while True:
            reply = auditor.call_line("FEED from=%d limit=1000" % after)
            for line in reply.lines:
                fields = list(parse_fields(line[2:]).items())
                lines.append(fields)
            if not reply.lines:
                return lines
            after = int(dict(lines[-1])["seq"])

    def test_a_day_of_documents_recomputed_from_the_feed(self):
        with self.client("clerk1") as clerk, self.client("supervisor1") as sup, self.client("auditor1") as auditor:
            # A walk-in's sale (party ""), a customer's, and returns refunded in cash, as credit
            # with a fee, and an exchange paying a due.
            clerk.sale("PY-CH1", "STORE1", ["A100:3", "C400:4"])
            clerk.sale("PY-CH2", "STORE1", ["A100:2", "C400:2"], customer="C001")
            first = clerk.return_items("PY-CH1", ["A100:1"], reason="DEFECTIVE", note='lid "cracked", 盖子')
            sup.approve(first.id)
            second = clerk.return_items("PY-CH2", ["C400:2"], reason="CHANGED_MIND")
            sup.approve(second.id, refund="credit", fee="10")
            third = clerk.exchange("PY-CH1", ["C400:2"], ["A100:1"], reason="CHANGED_MIND")
            sup.approve(third.id, tender=[("cash", "12.00")])

            verified = auditor.call("VERIFY")
            self.assertGreaterEqual(int(verified["count"]), 3)

            prev, checked = ZEROS, 0
            documents = []
            lines = self.feed(auditor)
            for i, fields in enumerate(lines):
                kind = dict(fields).get("type")
                if kind != "doc.issued":
                    continue
                head = [(k, v) for k, v in fields if k not in HEAD and k not in ("hash", "prev")]
                stored = dict(fields)
                text = canonical_line(head)
                for item in lines[i + 1:]:
                    if dict(item).get("type") != "doc.item" or dict(item)["doc"] != stored["doc"]:
                        break
                    text += canonical_line([(k, v) for k, v in item if k not in HEAD and k != "doc"])
                self.assertEqual(stored["prev"], prev, stored["doc"])
                computed = hashlib.sha256((prev + "\n" + text).encode("utf-8")).hexdigest()
                self.assertEqual(computed, stored["hash"], "%s: %s" % (stored["doc"], text))
                documents.append((stored["doc"], computed))
                prev = computed
                checked += 1
            self.assertEqual(checked, int(verified["count"]))
            self.assertEqual((documents[-1][0], prev), (verified["last"], verified["hash"]))
            # Each document's DOC names the same hash and link.
            for (doc, digest), before in zip(documents, [ZEROS] + [d for _, d in documents]):
                slip = clerk.call("DOC", doc)
                self.assertEqual((slip["hash"], slip["prev"]), (digest, before), doc)
            # From the second document on, trusting the first's stored hash.
            self.assertEqual(auditor.call_line("VERIFY from=" + documents[1][0])["count"], str(checked - 1))
            with self.assertRaises(ReturnLedgerError) as refused:
                clerk.call("VERIFY")
            self.assertEqual(refused.exception.code, "DENIED")


if __name__ == "__main__":
    unittest.main()
