#!/usr/bin/env python3
"""A returns report a manager would look at: why goods come back, which SKUs, how many per
day, how long approvals take, the restocking fees kept, and which reasons end in an exchange
rather than money back. From a server with tills, also the refunds by tender (cash, card, store
credit, other) and each till's cash variances (counted against expected at close); an older
server has neither, and the report leaves those sections out. From a server with VOID, also the
voids (approvals reversed by an adjusting document) per day and location, their count and amount,
and the tax given back; a server before VOID has none, and that section is left out. From a
server with goods after the return (section 21), also what became of customer returns' units
(STATS by=disposition: on hand, restocked, to the vendor, scrapped, sold as a second...) and the
credit notes suppliers sent against what was expected (STATS by=supplier); left out before.

  python3 report.py --user auditor1 --password auditor1 --out returns.svg
  python3 report.py --from 2026-11-01 --to 2026-11-30 --png returns.png

Pulls STATS (by reason, SKU, day), LIST (with SHOW for approval times; voided returns with SHOW
and DOC for the void's date) and TILL LIST (closed
sessions; the user needs a role that may read tills: auditor, finance, supervisor) and writes an SVG
drawn by hand (standard library only). `--png` draws the same with matplotlib if it is
installed (`python3 -m pip install matplotlib`); without it the script says so and writes the
SVG only.
"""
import argparse
import datetime
import decimal
import html
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from returnledger import Client, ReturnLedgerError, add_connection_arguments, connection_options, tls_options  # noqa: E402


def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def collect(client, date_from=None, date_to=None, sample=200):
    """Everything the report shows, as plain Python data."""
    window = {"from_": date_from, "to": date_to}
    totals = client.stats(**window)
    data = {"totals": dict(totals.fields)}
    for by in ("reason", "sku", "day"):
        data[by] = [(row[by], int(row["count"]), int(row["qty"]), float(row["amount"]))
                    for row in client.stats(by=by, **window).data]
    approvals = []
    listed = client.call("LIST", limit=sample, from_=date_from, to=date_to).data
    for row in listed:
        if row["state"] not in ("approved", "inspecting", "completed"):
            continue
        show = client.show(row["id"])
        filed = next((e for e in show.data if e.get("") == "event" and e.get("action") == "filed"), None)
        approved = next((e for e in show.data if e.get("") == "event" and e.get("action") == "approved"), None)
        if filed and approved:
            approvals.append((parse_time(approved["at"]) - parse_time(filed["at"])).total_seconds() / 60.0)
    data["approval_minutes"] = approvals
    data["listed"] = len(listed)
    # Exchanges against refunds (cash or credit) per reason, over every approved return of the
    # window, read a page at a time.
    outcomes = {}
    for row in client.returns(page=1000, from_=date_from, to=date_to):
        if row["state"] not in ("approved", "inspecting", "completed") or row["kind"] != "sale":
            continue
        counts = outcomes.setdefault(row["reason"], [0, 0])
        counts[0 if row.get("exchange") else 1] += 1
    data["outcomes"] = sorted(((reason, c[0], c[1]) for reason, c in outcomes.items()), key=lambda r: -(r[1] + r[2]))
    data["refunds_by_tender"] = refunds_by_tender(totals.fields)
    data["voids"] = void_rows(client, totals.fields, date_from, date_to)
    data["till_variances"] = till_variances(client, date_from, date_to)
    data["goods"] = goods_rows(client, date_from, date_to)
    return data


def goods_rows(client, date_from=None, date_to=None):
    """{"disposition": [(disposition, qty, amount, value)], "supplier": [(supplier, count, expected,
    received, difference, open)]} from STATS by=disposition and by=supplier; None from a server
    before section 21 (it refuses those groupings, or answers them without their figures)."""
    window = {"from_": date_from, "to": date_to}
    try:
        dispositions = client.stats(by="disposition", **window).data
        suppliers = client.stats(by="supplier", **window).data
    except ReturnLedgerError as e:
        if e.code in ("INVALID", "SYNTAX"):
            return None
        raise
    if any("value" not in r for r in dispositions) or any("expected" not in r for r in suppliers):
        return None
    return {"disposition": [(r["disposition"], int(r["qty"]), decimal.Decimal(r["amount"]), decimal.Decimal(r["value"]))
                            for r in dispositions],
            "supplier": sorted(((r["supplier"], int(r["count"]), decimal.Decimal(r["expected"]),
                                 decimal.Decimal(r["received"]), decimal.Decimal(r["difference"]), int(r["open"]))
                                for r in suppliers), key=lambda r: (r[4], r[0]))}


TENDERS = ("cash", "card", "credit", "other")


def refunds_by_tender(totals):
    """[(tender, amount)] from STATS' refund_cash= refund_card= refund_credit= refund_other=, or
    None from a server that does not give them (before tills)."""
    if not any("refund_" + kind in totals for kind in TENDERS):
        return None
    return [(kind, decimal.Decimal(totals.get("refund_" + kind) or "0")) for kind in TENDERS]


def void_rows(client, totals, date_from=None, date_to=None):
    """The voided returns filed in the window (the window STATS' voided= counts), per the void's
    business date (its document's date) and location: [(date, location, count, amount)], oldest
    first; amount is what the voided returns were worth (gross, as STATS' amount=). None from a
    server before VOID (STATS has no voided=, LIST knows no state voided)."""
    if "voided" not in totals:
        return None
    try:
        voided = list(client.returns(page=1000, state="voided", from_=date_from, to=date_to))
    except ReturnLedgerError as e:
        if e.code in ("INVALID", "SYNTAX"):
            return None
        raise
    groups = {}
    for row in voided:
        doc = client.show(row["id"]).get("void") or ""
        date = client.call("DOC", doc)["date"] if doc else row["filed_at"][:10]
        count, amount = groups.get((date, row["location"]), (0, decimal.Decimal(0)))
        groups[(date, row["location"])] = (count + 1, amount + decimal.Decimal(row["amount"]))
    return [(date, location, count, amount) for (date, location), (count, amount) in sorted(groups.items())]


# TILL LIST's answers that mean "no till figures here", not a failure of the report: a server
# before tills (the word is unknown, or a form it cannot parse) or a role that may not read them.
NO_TILLS = ("UNKNOWN_COMMAND", "UNKNOWN", "SYNTAX", "DENIED")


def till_variances(client, date_from=None, date_to=None, limit=1000):
    """Closed till sessions of the window, per till: [(till, location, sessions, total variance,
    worst variance)], the tills most short first; None when the server has no tills for us."""
    try:
        sessions = client.till_list(state="closed", limit=limit,
                                    date=date_from if date_from and date_from == date_to else None)
    except ReturnLedgerError as e:
        if e.code in NO_TILLS:
            return None
        raise
    return variance_rows([s for s in sessions if in_window(s.get("date", ""), date_from, date_to)])


def in_window(date, date_from, date_to):
    """Business dates compare as text (YYYY-MM-DD)."""
    return (not date_from or date >= date_from) and (not date_to or date <= date_to)


def variance_rows(sessions):
    """Sessions (TILL LIST lines) summed per till and location."""
    per_till = {}
    for s in sessions:
        variance = decimal.Decimal(s.get("variance") or "0")
        count, total, worst = per_till.get((s["till"], s.get("location", "")), (0, decimal.Decimal(0), None))
        per_till[(s["till"], s.get("location", ""))] = (count + 1, total + variance,
                                                          variance if worst is None else min(worst, variance))
    rows = [(till, location, count, total, worst) for (till, location), (count, total, worst) in per_till.items()]
    return sorted(rows, key=lambda r: (r[3], r[0]))


def bars(title, rows, x, y, width, height, color, max_rows=10):
    """An SVG group with a horizontal bar chart of (label, value) rows."""
    rows = rows[:max_rows]
    out = ['<g transform="translate(%d,%d)">' % (x, y),
           '<text x="0" y="0" class="title">%s</text>' % html.escape(title)]
    if not rows:
        out.append('<text x="0" y="30" class="label">no approved returns in this window</text>')
        return "\n".join(out + ["</g>"])
    top = max(v for _, v in rows) or 1
    bar_h = min(26, (height - 30) // len(rows))
    for i, (label, value) in enumerate(rows):
        w = int((width - 170) * value / top)
        yy = 20 + i * bar_h
        out.append('<text x="0" y="%d" class="label">%s</text>' % (yy + bar_h * 0.7, html.escape(str(label))[:22]))
        out.append('<rect x="150" y="%d" width="%d" height="%d" fill="%s"/>' % (yy + 2, max(w, 1), bar_h - 4, color))
        out.append('<text x="%d" y="%d" class="value">%s</text>' % (155 + w, yy + bar_h * 0.7, value))
    return "\n".join(out + ["</g>"])


def histogram(minutes, edges=(5, 15, 60, 240, 1440)):
    labels, counts, low = [], [], 0
    for edge in edges:
        labels.append("%s–%s min" % (low, edge))
        counts.append(sum(1 for m in minutes if low <= m < edge))
        low = edge
    labels.append("≥ %d min" % low)
    counts.append(sum(1 for m in minutes if m >= low))
    return list(zip(labels, counts))


def variance_table(rows, x, y, max_rows=12):
    """An SVG group listing each till's sessions and variances; a short drawer (negative) in red.
    A table, not bars: the sign and the cents are what a manager reads here."""
    out = ['<g transform="translate(%d,%d)">' % (x, y),
           '<text x="0" y="0" class="title">Cash variance by till (closed sessions)</text>']
    if not rows:
        out.append('<text x="0" y="30" class="label">no till closed in this window</text>')
        return "\n".join(out + ["</g>"])
    columns = ((0, "start", "till"), (100, "start", "location"), (270, "end", "sessions"), (360, "end", "variance"),
               (455, "end", "worst"))
    for cx, anchor, title in columns:
        out.append('<text x="%d" y="24" text-anchor="%s" class="label" font-weight="bold">%s</text>' % (cx, anchor, title))
    for i, (till, location, count, total, worst) in enumerate(rows[:max_rows]):
        yy = 44 + i * 20
        cells = (html.escape(till[:14]), html.escape(location[:20]), str(count), format(total, "+.2f"), format(worst, "+.2f"))
        for (cx, anchor, _), text in zip(columns, cells):
            fill = ' fill="#c9302c"' if text.startswith("-") else ""
            out.append('<text x="%d" y="%d" text-anchor="%s" class="value"%s>%s</text>' % (cx, yy, anchor, fill, text))
    if len(rows) > max_rows:
        out.append('<text x="0" y="%d" class="label">and %d more tills</text>' % (44 + max_rows * 20, len(rows) - max_rows))
    return "\n".join(out + ["</g>"])


def void_table(rows, x, y, max_rows=12):
    """An SVG group listing the voids per day and location: count and amount."""
    out = ['<g transform="translate(%d,%d)">' % (x, y),
           '<text x="0" y="0" class="title">Voids by day and location (approvals reversed)</text>']
    if not rows:
        out.append('<text x="0" y="30" class="label">no return voided in this window</text>')
        return "\n".join(out + ["</g>"])
    columns = ((0, "start", "date"), (110, "start", "location"), (300, "end", "voids"), (400, "end", "amount"))
    for cx, anchor, title in columns:
        out.append('<text x="%d" y="24" text-anchor="%s" class="label" font-weight="bold">%s</text>' % (cx, anchor, title))
    for i, (date, location, count, amount) in enumerate(rows[:max_rows]):
        cells = (html.escape(date), html.escape(location[:24]), str(count), format(amount, ".2f"))
        for (cx, anchor, _), text in zip(columns, cells):
            out.append('<text x="%d" y="%d" text-anchor="%s" class="value">%s</text>' % (cx, 44 + i * 20, anchor, text))
    if len(rows) > max_rows:
        out.append('<text x="0" y="%d" class="label">and %d more days</text>' % (44 + max_rows * 20, len(rows) - max_rows))
    return "\n".join(out + ["</g>"])


def supplier_table(rows, x, y, max_rows=12):
    """An SVG group listing per supplier the credit expected, received, the difference (short in
    red) and the returns still waiting for a credit note."""
    out = ['<g transform="translate(%d,%d)">' % (x, y),
           '<text x="0" y="0" class="title">Supplier credit notes (returns to suppliers)</text>']
    if not rows:
        out.append('<text x="0" y="30" class="label">no supplier return approved in this window</text>')
        return "\n".join(out + ["</g>"])
    columns = ((0, "start", "supplier"), (160, "end", "returns"), (250, "end", "expected"), (340, "end", "received"),
               (430, "end", "difference"), (470, "end", "open"))
    for cx, anchor, title in columns:
        out.append('<text x="%d" y="24" text-anchor="%s" class="label" font-weight="bold">%s</text>' % (cx, anchor, title))
    for i, (supplier, count, expected, received, difference, open_) in enumerate(rows[:max_rows]):
        cells = (html.escape(supplier[:18]), str(count), format(expected, ".2f"), format(received, ".2f"),
                 format(difference, ".2f"), str(open_))
        for (cx, anchor, _), text in zip(columns, cells):
            fill = ' fill="#c9302c"' if text.startswith("-") else ""
            out.append('<text x="%d" y="%d" text-anchor="%s" class="value"%s>%s</text>' % (cx, 44 + i * 20, anchor, fill, text))
    if len(rows) > max_rows:
        out.append('<text x="0" y="%d" class="label">and %d more suppliers</text>' % (44 + max_rows * 20, len(rows) - max_rows))
    return "\n".join(out + ["</g>"])


def goods_panels(goods, y):
    """What became of returned units (bars of units per disposition) and the suppliers' credit notes."""
    return [bars("What became of returned units", [(d, q) for d, q, _, _ in goods["disposition"]], 30, y, 460, 280,
                 "#8c6d46"),
            supplier_table(goods["supplier"], 520, y)]


def till_panels(data, y):
    """The panels of a server with tills, each only when the server gave its figures."""
    parts = []
    if data.get("refunds_by_tender") is not None:
        parts.append(bars("Refunds by tender", data["refunds_by_tender"], 30, y, 460, 280, "#20c997"))
    if data.get("till_variances") is not None:
        parts.append(variance_table(data["till_variances"], 520 if parts else 30, y))
    return parts


def svg(data, subtitle):
    t = data["totals"]
    summary = ("filed %s · approved %s · rejected %s · cancelled %s · pending %s · returned %s · fees kept %s · "
               "return rate %s · approval p50 %ss, p90 %ss"
               % (t.get("filed"), t.get("approved"), t.get("rejected"), t.get("cancelled"), t.get("pending"),
                  t.get("amount"), t.get("fees", "0.00"), t.get("return_rate"), t.get("approve_p50_s"),
                  t.get("approve_p90_s")))
    section20 = ""
    if "voided" in t:  # a server with VOID and tax (section 20)
        section20 = "voided %s · tax given back (net of fees) %s" % (t.get("voided"), t.get("tax", "0.00"))
    tills = till_panels(data, 1080)
    height = 1400 if tills else 1080
    if data.get("voids") is not None:
        tills.append(void_table(data["voids"], 30, height))
        height += 320
    if data.get("goods") is not None:
        tills += goods_panels(data["goods"], height)
        height += 320
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="%d" font-family="sans-serif">' % height,
        '<style>.title{font-size:16px;font-weight:bold}.label{font-size:12px}.value{font-size:11px;fill:#333}'
        '.h1{font-size:22px;font-weight:bold}.sub{font-size:13px;fill:#555}</style>',
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="30" y="40" class="h1">Returns report</text>',
        '<text x="30" y="62" class="sub">%s</text>' % html.escape(subtitle),
        '<text x="30" y="84" class="sub">%s</text>' % html.escape(summary),
        '<text x="30" y="103" class="sub">%s</text>' % html.escape(section20) if section20 else "",
        bars("Returns by reason", [(r, c) for r, c, _, _ in data["reason"]], 30, 120, 460, 280, "#d9534f"),
        bars("Returns by SKU (top 10)", [(s, c) for s, c, _, _ in data["sku"]], 520, 120, 460, 280, "#f0ad4e"),
        bars("Returns per day", [(d, c) for d, c, _, _ in data["day"]][-10:], 30, 440, 460, 280, "#5bc0de"),
        bars("Time to approval (last %d returns listed)" % data["listed"], histogram(data["approval_minutes"]),
             520, 440, 460, 280, "#5cb85c"),
        bars("Exchanges by reason", [(r, x) for r, x, _ in data["outcomes"]], 30, 760, 460, 280, "#6f42c1"),
        bars("Refunds and credit by reason", [(r, m) for r, _, m in data["outcomes"]], 520, 760, 460, 280, "#337ab7"),
    ] + tills + [
        "</svg>",
    ]
    return "\n".join(parts)


def png(data, path, subtitle):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: python3 -m pip install matplotlib (the SVG was written anyway)",
              file=sys.stderr)
        return False
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    panels = [("By reason", [(r, c) for r, c, _, _ in data["reason"]]),
              ("By SKU", [(s, c) for s, c, _, _ in data["sku"]][:10]),
              ("Per day", [(d, c) for d, c, _, _ in data["day"]][-10:]),
              ("Time to approval", histogram(data["approval_minutes"]))]
    for ax, (title, rows) in zip(axes.flat, panels):
        ax.barh([str(r[0]) for r in rows][::-1], [r[1] for r in rows][::-1])
        ax.set_title(title)
    fig.suptitle("Returns report — " + subtitle)
    fig.tight_layout()
    fig.savefig(path)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_connection_arguments(ap, user="auditor1")
    ap.add_argument("--from", dest="date_from", help="first business date, YYYY-MM-DD")
    ap.add_argument("--to", dest="date_to", help="last business date, YYYY-MM-DD")
    ap.add_argument("--out", default="returns-report.svg",
                    help="the SVG to write (default: returns-report.svg in the working directory; git ignores it)")
    ap.add_argument("--png", help="also a PNG, when matplotlib is installed")
    args = connection_options(ap.parse_args())
    try:
        with Client(args.host, args.port, user=args.user, password=args.password, **tls_options(args)) as client:
            data = collect(client, args.date_from, args.date_to)
    except ReturnLedgerError as e:
        sys.exit("report failed: %s %s" % (e.code, e.message))
    subtitle = "%s to %s, server %s:%d" % (args.date_from or "the beginning", args.date_to or "today", args.host, args.port)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(svg(data, subtitle))
    print("wrote %s" % args.out)
    if data["refunds_by_tender"] is None and data["till_variances"] is None:
        print("(no tender or till figures from this server or for this user: those sections are left out)")
    if args.png and png(data, args.png, subtitle):
        print("wrote %s" % args.png)


if __name__ == "__main__":
    main()
