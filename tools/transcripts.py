#!/usr/bin/env python3
"""Fill in or check the transcripts in protocol.md against a live server.

Each ```transcript block in protocol.md is one connection to one server that runs all
blocks (started with --demo on an empty data directory). Lines starting with "> " are sent;
every other line is the server's reply. Push lines ("! ...", after WATCH) are shown just above
the request whose reply they came before: they were on screen by then.

Blocks run in the order of the story, which need not be the page's: a fence
"```transcript run=N" runs N-th (a reference is ordered by command, while a return can only be
approved once it was filed). Blocks run by N, smallest first; blocks without run=, and blocks
with the same N, in page order, those without run= after all numbered ones.

  tools/transcripts.py --fill  protocol.md   # rewrite the replies that changed from the live server
  tools/transcripts.py --check protocol.md   # exit 1 if any reply differs

Times, dates, session ids, peers and INFO figures vary between runs; --check compares
them as placeholders. Standard library only.
"""
import datetime
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "clients", "python"))
from returnledger import Client, ConnectionLost, ServerProcess  # noqa: E402

ADMIN_PASSWORD = "s3cret-admin"
FENCE = "```transcript"

VARIABLE = [
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"), "<time>"),
    (re.compile(r"RT-\d{8}-"), "RT-<date>-"),
    # An archive is named by the day it runs through, which the demo's dates put before today.
    (re.compile(r"archive-\d{8}-"), "archive-<date>-"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<date>"),
    (re.compile(r"peer=[0-9a-f.:]+"), "peer=<peer>"),
    (re.compile(r"session=\d+"), "session=<n>"),
    (re.compile(r"(approve_p\d+_s)=\d+"), r"\1=<s>"),
    # Sizes and fingerprints depend on peers' port numbers recorded in the audit trail.
    (re.compile(r"\bbytes=\d+"), "bytes=<n>"),
    (re.compile(r"\bdigest=[0-9a-f]{8}-\d+"), "digest=<digest>"),
    (re.compile(r"\bseq=\d+ digest="), "seq=<n> digest="),
    # A backup is named by its time; an epoch is drawn at random.
    (re.compile(r"backup-\d{8}T\d{6}Z-"), "backup-<time>-"),
    (re.compile(r"\bepoch=[0-9a-f]{16}"), "epoch=<epoch>"),
    (re.compile(r"\b[0-9a-f]{16}\b"), "<epoch>"),
    # An archive's checksum covers the times and peers in the records it holds.
    (re.compile(r"\bchecksum=[0-9a-f]{8}\b"), "checksum=<checksum>"),
    # A document's hash covers its time of issue.
    (re.compile(r"\b(hash|prev)=[0-9a-f]{64}"), r"\1=<hash>"),
]


def normalise(line):
    if line.startswith("* section="):
        # INFO figures change every run: keep the section and the field names.
        return re.sub(r"=(\"[^\"]*\"|\S+)", "=", line.split(" ", 2)[0] + " " + line.split(" ", 2)[1]) + \
            " " + " ".join(f.split("=")[0] for f in line.split(" ")[2:])
    for pattern, placeholder in VARIABLE:
        line = pattern.sub(placeholder, line)
    return line


def start_server(binary):
    return ServerProcess(binary=binary, demo=True, admin_password=ADMIN_PASSWORD)


# The day the transcripts were written: a date in a request is moved by as many days as today
# is after it, so "two days ago" stays two days ago when the transcripts are checked later.
STORY_DAY = datetime.date(2026, 12, 6)


def shifted(match):
    written = datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    return (written + (datetime.datetime.now(datetime.timezone.utc).date() - STORY_DAY)).isoformat()


def run_block(port, commands):
    """Each command on one connection, as a person would type them; the replies as they came."""
    client = Client("127.0.0.1", port, timeout=10, retries=0)
    today = time.strftime("%Y%m%d", time.gmtime())
    out = []
    pushes = []
    client._on_push = lambda push: pushes.append(push.line)  # read synchronously, no thread
    try:
        for command in commands:
            sent = re.sub(r"RT-\d{8}-", "RT-%s-" % today, command)
            # Dates a request names (PERIOD CLOSE, at=) keep their distance from the story's day.
            sent = re.sub(r"\b(\d{4})-(\d{2})-(\d{2})\b", shifted, sent)
            client.send_lines([sent])
            reply = client.read_reply()
            out.extend(pushes)
            pushes.clear()
            out.append("> " + command)
            out.extend(reply.lines + [reply.status])
    except ConnectionLost:
        pass
    finally:
        client.close()
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("--fill", "--check"):
        sys.exit(__doc__)
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")

    # Find every block first: they run in the story's order, and are written back in place.
    blocks = []  # (run key, fence line index, end line index)
    i = 0
    while i < len(lines):
        fence = lines[i].strip().split()
        if fence[:1] == [FENCE]:
            end = lines.index("```", i + 1)
            run = [f[4:] for f in fence[1:] if f.startswith("run=")]
            key = (0, int(run[0])) if run else (1, 0)
            blocks.append((key, i, end))
            i = end + 1
        else:
            i += 1

    server = start_server(None)  # $RETURNLEDGER_BIN or the debug build
    port = server.port
    live, failures = {}, 0
    try:
        for _, start, end in sorted(blocks, key=lambda b: (b[0], b[1])):
            documented = lines[start + 1:end]
            commands = [l[2:] for l in documented if l.startswith("> ")]
            live[start] = run_block(port, commands)
    finally:
        server.close()

    result, at, rewritten = [], 0, 0
    for number, (_, start, end) in enumerate(blocks, 1):
        result.extend(lines[at:start + 1])
        want = [normalise(l) for l in lines[start + 1:end]]
        got = [normalise(l) for l in live[start]]
        if mode == "--fill" and want == got:
            # Only times, ids and figures that vary between runs differ: the block stays as
            # written, so a fill changes the blocks whose replies changed and no others.
            result.extend(lines[start + 1:end])
            at = end
            continue
        rewritten += 1
        if mode == "--check":
            if want != got:
                failures += 1
                print("transcript %d (line %d) differs:" % (number, start + 1))
                for w, g in zip(want + [""] * len(got), got + [""] * len(want)):
                    if w != g:
                        print("  documented: %s\n  live:       %s" % (w, g))
                        break
        result.extend(live[start])
        at = end
    result.extend(lines[at:])
    blocks = len(blocks)

    if mode == "--fill":
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(result))
        print("filled %d transcripts, %d rewritten" % (blocks, rewritten))
    else:
        print("%d transcripts checked, %d differ" % (blocks, failures))
        sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
