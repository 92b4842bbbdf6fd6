"""Charts drawn by the server as SVG (no chart library, no CDN): horizontal bars for groups, and
columns for days. Presentation attributes only (no style attributes: the Content-Security-Policy
allows no inline styles). The SVG scales to its container (viewBox, width 100%)."""
import decimal
from html import escape


def _num(value):
    try:
        return float(decimal.Decimal(value))
    except Exception:
        return 0.0


def bars(title, rows, width=460, bar=22, gap=8, label_width=140):
    """rows: (label, value, shown text). One horizontal bar per row, largest value = full width."""
    rows = list(rows)
    top = 6
    height = top + len(rows) * (bar + gap) + 4
    peak = max([_num(v) for _, v, _ in rows] + [0.0]) or 1.0
    room = width - label_width - 90
    out = ['<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" '
           'xmlns="http://www.w3.org/2000/svg"><title>%s</title>' % (width, max(height, 30), escape(title), escape(title))]
    for i, (label, value, shown) in enumerate(rows):
        y = top + i * (bar + gap)
        w = max(1.0, room * abs(_num(value)) / peak) if _num(value) else 0.0
        out.append('<text x="%d" y="%d" text-anchor="end" class="chart-label">%s</text>'
                   % (label_width - 8, y + bar * 0.72, escape(_clip(label, 18))))
        out.append('<rect x="%d" y="%d" width="%.1f" height="%d" rx="3" class="chart-bar"/>' % (label_width, y, w, bar))
        out.append('<text x="%.1f" y="%d" class="chart-value">%s</text>' % (label_width + w + 6, y + bar * 0.72, escape(shown)))
    out.append("</svg>")
    return "".join(out)


def columns(title, rows, width=460, height=190):
    """rows: (label, value, shown text), oldest first: one column per day."""
    rows = list(rows)
    bottom, top, left = 28, 18, 8
    peak = max([_num(v) for _, v, _ in rows] + [0.0]) or 1.0
    n = max(len(rows), 1)
    slot = (width - 2 * left) / n
    colw = max(2.0, min(40.0, slot * 0.7))
    out = ['<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" '
           'xmlns="http://www.w3.org/2000/svg"><title>%s</title>' % (width, height, escape(title), escape(title))]
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" class="chart-axis"/>' % (left, height - bottom, width - left, height - bottom))
    every = max(1, n // 8)
    for i, (label, value, shown) in enumerate(rows):
        h = (height - bottom - top) * abs(_num(value)) / peak
        x = left + i * slot + (slot - colw) / 2
        y = height - bottom - h
        out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="chart-bar"><title>%s: %s</title></rect>'
                   % (x, y, colw, h, escape(label), escape(shown)))
        if n <= 12:
            out.append('<text x="%.1f" y="%.1f" text-anchor="middle" class="chart-value">%s</text>' % (x + colw / 2, y - 4, escape(shown)))
        if i % every == 0:
            out.append('<text x="%.1f" y="%d" text-anchor="middle" class="chart-label">%s</text>'
                       % (x + colw / 2, height - 8, escape(label[5:] if len(label) == 10 else label)))
    out.append("</svg>")
    return "".join(out)


def _clip(text, n):
    return text if len(text) <= n else text[:n - 1] + "…"
