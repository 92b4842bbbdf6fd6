#!/usr/bin/env python3
"""A printable return slip: the return document for the customer (and a copy for the supplier or
the shop's file), from DOC and SHOW.

  python3 slip.py RT-20261201-0001                      # a 42-column text slip on stdout
  python3 slip.py RT-20261201-0001 --html slip.html     # and an A4 page: open it, print it
  python3 slip.py RT-20261201-0001 --width 32           # a narrower receipt printer

The text slip is what receipt printers take: 42 columns (a 80 mm roll), Chinese and other wide
characters counted as two. A document with tax shows each item's rate and tax and, under the
totals, the tax, the part the restocking fee keeps and the tax given back (net); a document
without tax (0.00: an older server's, or untaxed goods) prints as before. A void's document
(VOID) is headed "VOID of RT-..." with the void's reason and note, and the returned document it
reverses says that it was voided, and by which document. A return to a supplier shows its RMA
number and the credit expected (the debit note is made for it), and once the supplier's credit
note is booked (VENDOR CREDIT), what was received and the difference. The HTML page is A4, UTF-8,
for a browser's Print. Standard library only; the same connection flags and environment as the
other tools.
"""
import argparse
import decimal
import html
import os
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from returnledger import Client, ReturnLedgerError, add_connection_arguments, connection_options, tls_options  # noqa: E402


def width(text):
    """Columns a receipt printer gives the text: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def fit(text, columns):
    """The text cut to at most `columns` columns."""
    out, used = "", 0
    for ch in text:
        w = width(ch)
        if used + w > columns:
            break
        out, used = out + ch, used + w
    return out


def line(left, right, columns):
    """`left` and `right` on one line, right-aligned; `left` cut to make room."""
    left = fit(left, columns - width(right) - 1)
    return left + " " * (columns - width(left) - width(right)) + right


def centre(text, columns):
    text = fit(text, columns)
    pad = (columns - width(text)) // 2
    return " " * pad + text


def collect(client, number):
    """The slip's content as plain data: the document's fields, its items and exchange lines, and
    the return's note."""
    doc = client.call("DOC", number)
    items = [l for l in doc.data if l.get("") == "item"]
    exchange = [l for l in doc.data if l.get("") == "exchange"]
    show = client.show(doc["return"])
    filed = next((e for e in show.data if e.get("") == "event" and e.get("action") == "filed"), {})
    voided = next((e for e in show.data if e.get("") == "event" and e.get("action") == "voided"), {})
    return {"doc": dict(doc.fields), "items": items, "exchange": exchange, "note": filed.get("note", ""),
            "void_note": voided.get("note", ""),
            # A supplier's credit note against it (a server with VENDOR CREDIT; "" while none).
            "received": show.get("received") or "", "credit_ref": show.get("credit_ref") or ""}


ZERO = "0.00"


def is_void(f):
    """A void's document (DOC doc_type=void); an older server's documents have no doc_type."""
    return f.get("doc_type") == "void"


def has_tax(d):
    """Whether the slip shows tax: the document's or one of its lines' is not 0.00."""
    return any((row.get("tax") or ZERO) != ZERO for row in [d["doc"]] + d["items"] + d["exchange"])


def item_tax(row):
    """An item's tax as the slip prints it under the item: its rate and the tax in its amount."""
    return "tax %s%%" % (row.get("tax_rate") or ZERO), row.get("tax") or ZERO


def tax_lines(d):
    """(label, amount) rows of the document's tax: none when it has none."""
    if not has_tax(d):
        return []
    f = d["doc"]
    rows = [("Tax included", f.get("tax") or ZERO)]
    if (f.get("fee_tax") or ZERO) != ZERO:
        rows.append(("Tax kept with the fee", "-" + f["fee_tax"]))
    rows.append(("Net tax", f.get("net_tax") or f.get("tax") or ZERO))
    return rows


def rma(f):
    """A supplier return's RMA number ("" when none, or on an older server's document)."""
    return (f.get("rma") or "") if f.get("kind") == "purchase" else ""


def debit_note(f):
    """What a supplier return's debit note is for: the credit expected (DOC's expected=, the
    amount unless the return said otherwise); an older server's document: the net."""
    return f.get("expected") or f.get("net") or f["amount"]


def money_lines(d):
    """(label, amount) rows under the items: amount, fee and net, the tax, and last what the
    document does: a credit or debit note (a supplier return's for the credit expected, then the
    supplier's credit note once booked), an exchange's difference, or for a void what it
    reverses."""
    f = d["doc"]
    rows = [("Voided" if is_void(f) else "Returned", f["amount"])]
    if f.get("fee") and f["fee"] != "0.00":
        rows.append(("Restocking fee", "-" + f["fee"]))
        rows.append(("Net", f["net"]))
    rows += tax_lines(d)
    if is_void(f):
        if f.get("exchange_order"):
            rows.append(("Exchange sale voided", f["exchange_order"]))
        if f["kind"] == "sale":
            rows.append(("Credit note reversed", f.get("net") or f["amount"]))
        else:
            rows.append(("Debit note reversed", debit_note(f)))
    elif f.get("exchange_order"):
        due = f.get("due", "0.00")
        if due.startswith("-"):
            rows.append(("Due to customer", due[1:]))
        else:
            rows.append(("Due from customer", due))
    elif f["kind"] == "sale":
        rows.append(("Credit note", f.get("net") or f["amount"]))
    elif f.get("expected"):
        rows.append(("Debit note, credit expected", debit_note(f)))
        if d.get("received"):
            rows.append(("Credit received %s" % d.get("credit_ref", ""), d["received"]))
            difference = decimal.Decimal(d["received"]) - decimal.Decimal(debit_note(f))
            rows.append(("Difference", "%.2f" % difference))
    else:
        rows.append(("Debit note", debit_note(f)))
    return rows


def title(f):
    """The slip's heading: a void names the document it reverses."""
    if is_void(f):
        return "VOID of %s" % f.get("voids", "")
    return "RETURN SLIP" if f["kind"] == "sale" else "RETURN TO SUPPLIER"


def text_slip(d, columns=42):
    f = d["doc"]
    rule = "-" * columns
    party = f.get("party_name") or f.get("party") or "walk-in"
    taxed = has_tax(d)
    out = [centre(f.get("location_name") or f["location"], columns),
           centre(title(f), columns), rule,
           line("Document", f["doc"], columns), line("Date", f["date"], columns)]
    if is_void(f):
        out.append(line("Voids", f.get("voids", ""), columns))
    out += [line("Return", f["return"], columns), line("Order", f["order"] or "no receipt", columns),
            line("Customer" if f["kind"] == "sale" else "Supplier", party, columns),
            line("Void reason" if is_void(f) else "Reason", f["reason"], columns)]
    if rma(f):
        out.append(line("RMA", rma(f), columns))
    if f.get("voided"):
        out.append(line("VOIDED by", f["voided"], columns))
    out.append(rule)

    def goods(rows):
        for row in rows:
            out.append(fit(row.get("name") or row["sku"], columns))
            batch = (" #" + row["batch"]) if row.get("batch") else ""
            out.append(line("  %s%s  %s x %s" % (row["sku"], batch, row["qty"], row["price"]), row["amount"], columns))
            if taxed:
                out.append(line("    %s" % item_tax(row)[0], item_tax(row)[1], columns))

    goods(d["items"])
    out.append(rule)
    if d["exchange"]:
        out.append(fit("Exchanged for (%s):" % f["exchange_order"], columns))
        goods(d["exchange"])
        out.append(rule)
    for label, amount in money_lines(d):
        out.append(line(label, amount, columns))
    out.append(rule)
    if is_void(f):
        out.append(fit("Voided by %s" % f["approved_by"], columns))
        if d.get("void_note"):
            out.append(fit("Why: " + d["void_note"], columns))
    else:
        out.append(fit("Filed by %s, approved by %s" % (f["filed_by"], f["approved_by"]), columns))
        if d["note"]:
            out.append(fit("Note: " + d["note"], columns))
    out.append("")
    out.append(fit("Signature: " + "_" * columns, columns))
    return "\n".join(out) + "\n"


def html_page(d):
    f = d["doc"]
    esc = html.escape
    party = f.get("party_name") or f.get("party") or "walk-in customer"
    taxed = has_tax(d)
    header = ("<tr><th>Item</th><th class=n>Qty</th><th class=n>Price</th>%s<th class=n>Amount</th></tr>"
              % ("<th class=n>Tax</th>" if taxed else ""))

    def rows(lines):
        return "\n".join(
            "<tr><td>%s<br><small>%s%s</small></td><td class=n>%s</td><td class=n>%s</td>%s<td class=n>%s</td></tr>"
            % (esc(l.get("name") or l["sku"]), esc(l["sku"]), esc(" #" + l["batch"]) if l.get("batch") else "",
               esc(l["qty"]), esc(l["price"]),
               "<td class=n>%s<br><small>%s</small></td>" % (esc(item_tax(l)[1]), esc(item_tax(l)[0])) if taxed else "",
               esc(l["amount"])) for l in lines)

    exchange = ""
    if d["exchange"]:
        exchange = ("<h2>Exchanged for (%s)</h2><table class=items>%s%s</table>"
                    % (esc(f["exchange_order"]), header, rows(d["exchange"])))
    money = "\n".join("<tr><td>%s</td><td class=n>%s</td></tr>" % (esc(label), esc(amount))
                      for label, amount in money_lines(d))
    note = "<p>Note: %s</p>" % esc(d["note"]) if d["note"] and not is_void(f) else ""
    void = ""
    if is_void(f):
        void = ("<tr><td>Voids</td><td>%s</td></tr><tr><td>Why</td><td>%s</td></tr>"
                % (esc(f.get("voids", "")), esc(d.get("void_note") or f["reason"])))
    elif f.get("voided"):
        void = "<tr><td>VOIDED by</td><td>%s</td></tr>" % esc(f["voided"])
    return """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%(doc)s</title>
<style>
@page { size: A4; margin: 18mm; }
body { font-family: "Noto Sans", "Noto Sans CJK SC", sans-serif; color: #111; max-width: 174mm; margin: 0 auto; }
h1 { font-size: 20pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 6mm 0 2mm; }
.shop { font-size: 11pt; color: #444; } table { width: 100%%; border-collapse: collapse; margin-top: 3mm; }
th, td { text-align: left; padding: 1.5mm 2mm; border-bottom: 0.3mm solid #ccc; vertical-align: top; }
.n { text-align: right; white-space: nowrap; } .items { table-layout: fixed; } .items th:first-child { width: 55%%; } .facts td:first-child { color: #555; width: 35%%; }
.money { width: 60%%; margin-left: auto; } .money tr:last-child td { font-weight: bold; border-bottom: 0.6mm solid #111; }
.sign { margin-top: 18mm; display: flex; justify-content: space-between; }
.sign div { width: 45%%; border-top: 0.3mm solid #111; padding-top: 1mm; font-size: 9pt; color: #555; }
</style></head><body>
<div class=shop>%(shop)s</div>
<h1>%(title)s %(doc)s</h1>
<table class=facts>
<tr><td>Date</td><td>%(date)s</td></tr><tr><td>Return</td><td>%(ret)s</td></tr>
<tr><td>Order</td><td>%(order)s</td></tr><tr><td>%(who)s</td><td>%(party)s</td></tr>
<tr><td>Reason</td><td>%(reason)s</td></tr>%(rma)s
<tr><td>Filed by / approved by</td><td>%(filed)s / %(approved)s</td></tr>
%(void)s
</table>
<h2>%(goods)s</h2>
<table class=items>%(header)s%(items)s</table>
%(exchange)s
<table class=money>%(money)s</table>
%(note)s
<div class=sign><div>Customer</div><div>For the shop</div></div>
</body></html>
""" % {"doc": esc(f["doc"]), "shop": esc(f.get("location_name") or f["location"]),
       "title": "Void" if is_void(f) else "Return" if f["kind"] == "sale" else "Return to supplier",
       "date": esc(f["date"]), "void": void, "header": header, "goods": "Voided" if is_void(f) else "Returned",
       "ret": esc(f["return"]), "order": esc(f["order"] or "no receipt"),
       "who": "Customer" if f["kind"] == "sale" else "Supplier",
       "party": esc(party + (" (%s)" % f["party"] if f.get("party") and f.get("party_name") else "")),
       "reason": esc(f["reason"]), "rma": "<tr><td>RMA</td><td>%s</td></tr>" % esc(rma(f)) if rma(f) else "",
       "filed": esc(f["filed_by"]), "approved": esc(f["approved_by"]),
       "items": rows(d["items"]), "exchange": exchange, "money": money, "note": note}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_connection_arguments(ap, user="clerk1")
    ap.add_argument("doc", help="the return document's number, RT-YYYYMMDD-NNNN")
    ap.add_argument("--width", type=int, default=42, help="columns of the text slip (default 42)")
    ap.add_argument("--html", help="also write an A4 page here")
    args = connection_options(ap.parse_args())
    try:
        with Client(args.host, args.port, user=args.user, password=args.password, **tls_options(args)) as client:
            data = collect(client, args.doc)
    except ReturnLedgerError as e:
        sys.exit("slip: %s %s" % (e.code, e.message))
    sys.stdout.write(text_slip(data, args.width))
    if args.html:
        with open(args.html, "w", encoding="utf-8") as f:
            f.write(html_page(data))
        print("wrote %s" % args.html, file=sys.stderr)


if __name__ == "__main__":
    main()
