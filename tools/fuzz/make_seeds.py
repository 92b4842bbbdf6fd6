#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpus (tools/fuzz/corpus/) from the golden data directories and
a few hand-written request streams: real segments, records and snapshots of every format, so the
fuzzer starts deep in the decoders instead of at the magic. Run again after a new golden."""
import glob
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tools", "fuzz", "corpus")


def write(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data)


def payloads(segment):
    """The payload of each record of a segment (after its 8-byte magic)."""
    i, out = 8, []
    while i + 16 <= len(segment):
        length = struct.unpack_from("<I", segment, i)[0]
        out.append(segment[i + 16:i + 16 + length])
        i += 16 + length
    return out


for golden in sorted(glob.glob(os.path.join(ROOT, "Tests", "Fixtures", "golden-v*"))):
    v = os.path.basename(golden)
    for wal in sorted(glob.glob(os.path.join(golden, "*", "wal-*.log")))[:2]:
        seg = open(wal, "rb").read()
        kind = os.path.basename(os.path.dirname(wal))
        write("storage", "%s-%s-segment" % (v, kind), b"\x00" + seg)
        # Records framed by the target itself (u16 length, payload): the decoder is reached.
        records = payloads(seg)
        for start in range(0, len(records), 40):
            chunk = b"".join(struct.pack("<H", len(p)) + p for p in records[start:start + 40] if len(p) < 65536)
            write("storage", "%s-%s-records-%03d" % (v, kind, start // 40), b"\x01" + chunk)
    for snap in sorted(glob.glob(os.path.join(golden, "*", "snapshot-*.snap")))[:1]:
        data = open(snap, "rb").read()
        if data[:8] == b"RLSNAP03":
            write("storage", "%s-snapshot-body" % v, b"\x02" + data[17:-12])
        later = sorted(glob.glob(os.path.join(os.path.dirname(snap), "wal-*.log")))[-1:]
        tail = open(later[0], "rb").read() if later else b""
        write("storage", "%s-snapshot-and-segment" % v, b"\x03" + struct.pack("<I", len(data)) + data + tail)

wire = [
    b"\x07PING\r\nAUTH clerk1 clerk1\nSTOCK A100\n",
    b"\x01RETURN S-1002 A100:1 reason=DEFECTIVE note=\"lid \\\"broken\\\" \\x41\" key=k1\n",
    b"\x03\xff\xfd\x01\xff\xfb\x1f\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0PI\xff\xf4NG\n\xff\xfd\x06",
    "\x05RETURN S-1 A100:1 reason=DAMAGED note=\"包装破损，盖子裂了\"\r\n".encode(),
    b"\x02" + b"x" * 300 + b"\nPING\n",
    b"\x04LIST state=pending party=C1 before=R000010 limit=5\nSTATS by=day from=2026-11-01 to=2026-11-30\n",
    b"\x06SALE S9 location=STORE1 customer=C1 paid=no A100:2@25.00#LOT1 B300:1\n\"unbalanced\n=x\n",
]
for i, data in enumerate(wire):
    write("wire", "seed-%02d" % i, data)

engine = [
    b"SALE S2 location=STORE1 customer=C1 A100:3\n1RETURN S2 A100:1 reason=DEFECTIVE key=a\n3APPROVE R000001\n",
    b"1RETURN S1 B300:1 reason=DEFECTIVE\n3APPROVE R000001\n3INSPECT R000001 disposition=restock\n",
    b"1RETURN S1 A100:2 reason=CHANGED_MIND exchange=B300:1\n3APPROVE R000001 refund=credit\n5PAYMENT C1 amount=10.00 direction=in\n",
    b"1RETURN - A100:1 reason=DEFECTIVE customer=C1 location=STORE1\n3REJECT R000001 note=no\n1RETURN S1 A100:1 reason=DEFECTIVE\n1CANCEL R000002\n",
    b"PURCHASE P2 location=WH1 supplier=S1 A100:10@12.00\n1RETURN P2 A100:2 reason=EXPIRED\n3APPROVE R000001\nRULE ADD BIG min=10.00 action=second\n",
    b"REASON SET CHANGED_MIND fee=10\n1RETURN S1 A100:1 reason=CHANGED_MIND\n3APPROVE R000001 fee=5\nPOLICY SET window_days=7 customer_returns=1 customer_days=30\n",
    b"SKU SET A100 price=30.00\nPARTY SET C1 name=Bo\nLOCATION SET STORE1 name=Front\nSTOCK A100\nBALANCE C1\nORDER S1\n",
    # Section 22: a transfer through transit received short, one cancelled, one within a site, an adjustment and a count.
    b"1TRANSFER SEND T1 from=WH1 to=STORE1 A100:4\n1TRANSFER RECEIVE T1 A100:3\nTRANSFER SEND T2 from=WH1 to=STORE1 A100:1\n"
    b"1TRANSFER CANCEL T2\nLOCATION SET WH1 site=STORE1\nTRANSFER SEND T3 from=WH1 to=STORE1 A100:2\n"
    b"3ADJUST out location=STORE1 reason=damage A100:1 key=a1\n3COUNT location=WH1 A100:0 key=c1\nTRANSFER SHOW T1\n",
]
for i, data in enumerate(engine):
    write("engine", "seed-%02d" % i, data)
print("wrote", sum(len(files) for _, _, files in os.walk(OUT)), "seeds under", OUT)
