#!/usr/bin/env python3
"""Fill in or check the transcripts in protocol.md against a live server.

Each ```transcript block in protocol.md is one connection to one server that runs all
blocks in order (started with --demo on an empty data directory). Lines starting with
"> " are sent; every other line is the server's reply.

  tools/transcripts.py --fill  protocol.md   # rewrite the replies from the live server
  tools/transcripts.py --check protocol.md   # exit 1 if any reply differs

Times, dates, session ids, peers and INFO figures vary between runs; --check compares
them as placeholders. Standard library only.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ADMIN_PASSWORD = "s3cret-admin"
FENCE = "```transcript"

VARIABLE = [
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"), "<time>"),
    (re.compile(r"RT-\d{8}-"), "RT-<date>-"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<date>"),
    (re.compile(r"peer=[0-9a-f.:]+"), "peer=<peer>"),
    (re.compile(r"session=\d+"), "session=<n>"),
    (re.compile(r"(approve_p\d+_s)=\d+"), r"\1=<s>"),
    # Sizes and fingerprints depend on peers' port numbers recorded in the audit trail.
    (re.compile(r"\bbytes=\d+"), "bytes=<n>"),
    (re.compile(r"\bdigest=[0-9a-f]{8}-\d+"), "digest=<digest>"),
    (re.compile(r"\bseq=\d+ digest="), "seq=<n> digest="),
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
    data = tempfile.mkdtemp(prefix="rl-transcripts-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNLEDGER_")}
    env["RETURNLEDGER_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    proc = subprocess.Popen([binary, "--port", "0", "--data", data, "--demo"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    match = re.search(r"port=(\d+)", line)
    if not match:
        proc.kill()
        sys.exit("server did not start: %r" % line)
    return proc, int(match.group(1)), data


def run_block(port, commands):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    reader = sock.makefile("rb")
    today = time.strftime("%Y%m%d", time.gmtime())
    out = []
    for command in commands:
        sent = re.sub(r"RT-\d{8}-", "RT-%s-" % today, command)
        out.append("> " + command)
        sock.sendall(sent.encode() + b"\n")
        while True:
            raw = reader.readline()
            if not raw:
                return out
            line = raw.decode().rstrip("\n")
            out.append(line)
            if line.startswith("OK") or line.startswith("ERR"):
                break
    sock.close()
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("--fill", "--check"):
        sys.exit(__doc__)
    mode, path = sys.argv[1], sys.argv[2]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = os.environ.get("RETURNLEDGER_BIN", os.path.join(root, ".build", "debug", "returnledger"))
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")

    proc, port, data = start_server(binary)
    result, failures, blocks = [], 0, 0
    try:
        i = 0
        while i < len(lines):
            result.append(lines[i])
            if lines[i].strip() != FENCE:
                i += 1
                continue
            end = lines.index("```", i + 1)
            documented = lines[i + 1:end]
            commands = [l[2:] for l in documented if l.startswith("> ")]
            live = run_block(port, commands)
            blocks += 1
            if mode == "--check":
                want = [normalise(l) for l in documented]
                got = [normalise(l) for l in live]
                if want != got:
                    failures += 1
                    print("transcript %d (line %d) differs:" % (blocks, i + 1))
                    for w, g in zip(want + [""] * len(got), got + [""] * len(want)):
                        if w != g:
                            print("  documented: %s\n  live:       %s" % (w, g))
                            break
            result.extend(live)
            result.append("```")
            i = end + 1
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(data, ignore_errors=True)

    if mode == "--fill":
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(result))
        print("filled %d transcripts" % blocks)
    else:
        print("%d transcripts checked, %d differ" % (blocks, failures))
        sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
