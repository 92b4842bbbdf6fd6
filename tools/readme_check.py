#!/usr/bin/env python3
"""Follow README.md top to bottom on a fresh --demo server, as a newcomer would, and check it.

Every example runs in the order the README gives it, against one demo server (a fresh one
where the README says "on a fresh demo server"), with the README's port 7480 replaced by the
server's and ./returnledger-data by its data directory:

- a plain ``` block that is a session (its first line `$ telnet ...` or `$ nc ...`, or starting
  with AUTH): each line that is not a reply is sent on one connection; the replies shown must be
  the replies given (dates and times as placeholders, as tools/transcripts.py compares them);
- a ```python block: run with python3; a `print(...)  # TEXT` comment
  is output that must appear, in order;
- a ```sh block: each command line run with bash; it must exit 0
  (`swift ...` lines are how the README builds and tests, and are left to CI);
- in prose, after a `<!-- readme: as USER -->` marker: each `COMMAND ...` code span is sent as
  USER, and a `→ `REPLY`` after it must match a line of the reply (`...` and `…` match
  anything); a `python3 ...` or `clients/...` span is run as a shell command. Markers:
  `<!-- readme: off -->` stops running spans, `<!-- readme: fresh -->` starts a fresh demo
  server, `<!-- readme: file NAME -->` writes the next block to NAME (in the scratch
  directory that is the working directory of every example, with the repository's clients/,
  tools/ and .build/ linked into it), `<!-- readme: skip -->` skips
  the next block; for an interactive program the README runs in another terminal,
  `<!-- readme: console NAME -->` starts the next span's command in the background,
  `<!-- readme: typed NAME -->` types the next span at its prompt and `<!-- readme: shows NAME -->`
  waits (10 s at most) for the next span on its screen (spaces as any run of spaces).

  tools/readme_check.py [README.md]    # exit 1 on the first example that does not work

Standard library only; $RETURNLEDGER_BIN or the debug build.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
from returnledger import Client, ServerProcess  # noqa: E402

ADMIN_PASSWORD = "readme-admin"
REPLY_START = ("OK", "ERR", "* ", "! ")
MARKER = re.compile(r"<!-- readme: (as \S+|off|fresh|skip|file \S+|console \S+|typed \S+|shows \S+) -->")
SPAN = re.compile(r"`([^`]+)`")
VARIABLE = [
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"), "<time>"),
    (re.compile(r"RT-\d{8}-"), "RT-<date>-"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<date>"),
    (re.compile(r"peer=[0-9a-f.:]+"), "peer=<peer>"),
]


class Failure(Exception):
    pass


def normalise(line):
    for pattern, placeholder in VARIABLE:
        line = pattern.sub(placeholder, line)
    return line


def matches(pattern, line):
    """`...` and `…` match any run of characters; the rest literally, dates normalised."""
    parts = re.split(r"\.\.\.|…", normalise(pattern).strip())
    return re.fullmatch(".*".join(re.escape(p) for p in parts), normalise(line)) is not None


class Console:
    """A program the README runs in a terminal of its own, its screen read as it comes."""

    def __init__(self, command, cwd, env):
        self.proc = subprocess.Popen(["bash", "-c", "exec " + command], cwd=cwd, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.text, self.lock = "", threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for chunk in iter(lambda: self.proc.stdout.read(1), ""):
            with self.lock:
                self.text += chunk
                self.lock.notify_all()

    def type(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait_for(self, wanted, seconds=10):
        parts = [re.escape(p).replace("\\ ", " ") for p in re.split(r"\.\.\.|…", wanted)]
        pattern = re.compile(".*".join(re.sub(r" +", r"\\s+", p) for p in parts))
        deadline = time.monotonic() + seconds
        with self.lock:
            while not pattern.search(self.text):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.lock.wait(left)
        return True

    def screen(self):
        with self.lock:
            return self.text.split("\n")[-12:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Walk:
    def __init__(self, path):
        self.path = path
        # The reader's working directory: the repository's tools beside the files examples write.
        self.scratch = tempfile.mkdtemp(prefix="rl-readme-")
        for name in ("clients", "tools", ".build"):
            os.symlink(os.path.join(ROOT, name), os.path.join(self.scratch, name))
        self.server = None
        self.sessions = {}
        self.consoles = {}
        self.pending = None  # (what, console) for the next span
        self.checked = 0
        self.words = set()

    # The server and who is logged in.
    def fresh(self):
        self.close()
        data = os.path.join(self.scratch, "returnledger-data-%d" % time.monotonic_ns())
        self.server = ServerProcess(data=data, demo=True, admin_password=ADMIN_PASSWORD)
        self.data = data
        if not self.words:
            # The command words a span may start with: the server's own list (admin's HELP), so a
            # new command is known here the day it is added.
            self.words = {line["command"] for line in self.session("admin").call("HELP").data}

    def close(self):
        for client in self.sessions.values():
            client.close()
        self.sessions = {}
        for console in self.consoles.values():
            console.stop()
        self.consoles = {}
        if self.server:
            self.server.close()
            self.server = None

    def session(self, user):
        if user not in self.sessions:
            password = ADMIN_PASSWORD if user == "admin" else user
            self.sessions[user] = Client("127.0.0.1", self.server.port, user=user, password=password, timeout=10, retries=0)
        return self.sessions[user]

    def today(self, text):
        text = re.sub(r"RT-\d{8}-", "RT-%s-" % time.strftime("%Y%m%d", time.gmtime()), text)
        # A date the README names (PERIOD CLOSE 2026-12-01) is the README's day: today, here.
        return re.sub(r"\b2026-12-01\b", time.strftime("%Y-%m-%d", time.gmtime()), text)

    def localise(self, text):
        text = text.replace("./returnledger-data", self.data).replace("7480", str(self.server.port))
        return self.today(text)

    def env(self):
        # The scratch directory is the reader's home too: `>> ~/.telnetrc` lands there.
        return dict(os.environ, RETURNLEDGER_PORT=str(self.server.port), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1",
                    HOME=self.scratch)

    # The kinds of example.
    def command(self, user, line, expected, where):
        client = self.session(user)
        client.send_lines([self.today(line)])
        reply = client.read_reply()
        shown = reply.lines + [reply.status]
        self.checked += 1
        if expected is not None and not any(matches(expected, l) for l in shown):
            raise Failure("%s: %s as %s answered\n    %s\n  the README says\n    %s" % (where, line, user, "\n    ".join(shown), expected))

    def shell(self, command, where):
        result = subprocess.run(["bash", "-c", self.localise(command)], cwd=self.scratch, env=self.env(), capture_output=True,
                                text=True, timeout=60, stdin=subprocess.DEVNULL)
        self.checked += 1
        if result.returncode != 0:
            raise Failure("%s: `%s` exited %d\n%s%s" % (where, command, result.returncode, result.stdout, result.stderr))
        return result.stdout

    def python(self, code, where):
        result = subprocess.run([sys.executable, "-c", self.localise(code)], cwd=self.scratch, env=self.env(), capture_output=True,
                                text=True, timeout=60)
        self.checked += 1
        if result.returncode != 0:
            raise Failure("%s: the Python example exited %d\n%s" % (where, result.returncode, result.stderr))
        out = result.stdout.split("\n")
        at = 0
        for wanted in re.findall(r"^\s*print\(.*\)\s*#\s*(.+)$", code, re.M):
            wanted = wanted.split(":")[0].strip()  # `# DENIED: why` names the code
            while at < len(out) and wanted not in out[at]:
                at += 1
            if at == len(out):
                raise Failure("%s: the Python example never printed %r; it printed\n%s" % (where, wanted, result.stdout))
            at += 1

    def typed_session(self, lines, where):
        client = Client("127.0.0.1", self.server.port, timeout=10, retries=0)
        try:
            shown = []
            commands = [l for l in lines if l and not l.startswith(REPLY_START) and not l.startswith("$")]
            for command in commands:
                client.send_lines([self.today(command)])
                reply = client.read_reply()
                shown += [command] + reply.lines + [reply.status]
            documented = [l for l in lines if l and not l.startswith("$")]
            self.checked += len(commands)
            for want, got in zip(documented, shown):
                if not matches(want, got):
                    raise Failure("%s: the session shows\n    %s\n  the server answered\n    %s" % (where, want, got))
            if len(shown) != len(documented):
                raise Failure("%s: the session shows %d lines, the server answered %d:\n    %s" % (where, len(documented), len(shown), "\n    ".join(shown)))
        finally:
            client.close()

    # The walk.
    def run(self):
        with open(self.path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        self.fresh()
        self.user, self.skip, self.file_name = None, False, None
        paragraph, first = [], 0
        i = 0
        while i < len(lines):
            line, stripped = lines[i], lines[i].strip()
            if stripped == "" or stripped.startswith(("#", "```")):
                self.prose(" ".join(paragraph), "%s:%d" % (os.path.basename(self.path), first + 1))
                paragraph = []
            if stripped.startswith("#"):
                self.user = None
            elif stripped.startswith("```"):
                kind = stripped[3:]
                end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
                indent = len(line) - len(line.lstrip())
                body = [l[indent:] if l[:indent].strip() == "" else l for l in lines[i + 1:end]]
                if self.file_name:
                    with open(os.path.join(self.scratch, self.file_name), "w", encoding="utf-8") as f:
                        f.write("\n".join(body) + "\n")
                elif not self.skip:
                    self.block(kind, body, "%s:%d" % (os.path.basename(self.path), i + 1))
                self.skip, self.file_name = False, None
                i = end + 1
                continue
            elif stripped:
                if not paragraph:
                    first = i
                paragraph.append(stripped)
            i += 1
        self.prose(" ".join(paragraph), "%s:%d" % (os.path.basename(self.path), first + 1))
        self.close()
        shutil.rmtree(self.scratch, ignore_errors=True)
        return self.checked

    def prose(self, text, where):
        """A paragraph: markers take effect where they stand; spans run as the user then in effect."""
        at = 0
        for marker in list(MARKER.finditer(text)) + [None]:
            segment_end = marker.start() if marker else len(text)
            for span in SPAN.finditer(text, at, segment_end):
                self.span(span.group(1), text[span.end():], where)
            if marker is None:
                break
            word = marker.group(1)
            if word.startswith("as "):
                self.user = word[3:]
            elif word == "off":
                self.user = None
            elif word == "fresh":
                self.fresh()
            elif word == "skip":
                self.skip = True
            elif word.startswith("file "):
                self.file_name = word[5:]
            else:
                self.pending = tuple(word.split(" ", 1))
            at = marker.end()

    def span(self, content, rest, where):
        if self.pending:
            (what, name), self.pending = self.pending, None
            self.checked += 1
            if what == "console":
                self.consoles[name] = Console(self.localise(content), self.scratch, self.env())
            elif what == "typed":
                self.consoles[name].type(content)
            elif not self.consoles[name].wait_for(self.today(content)):  # a document number is today's
                raise Failure("%s: %s's screen never showed\n    %s\n  it shows\n    %s" % (
                    where, name, content, "\n    ".join(self.consoles[name].screen())))
            return
        if not self.user:
            return
        arrow = re.match(r"\s*→\s*`([^`]+)`", rest)
        word = content.split(" ")[0]
        if word in self.words and word != "AUTH":
            self.command(self.user, content, arrow.group(1) if arrow else None, where)
        elif content.startswith(("python3 clients/", "clients/")):
            self.shell(content, where)

    def block(self, kind, body, where):
        if kind == "python":
            self.python("\n".join(body), where)
        elif kind == "sh":
            for command in body:
                if command.strip() and not command.lstrip().startswith(("#", "swift ")):
                    self.shell(command, where)
        elif kind == "" and body and (body[0].startswith(("$ telnet", "$ nc")) or body[0].startswith("AUTH")):
            self.typed_session(body, where)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "README.md")
    walk = Walk(path)
    try:
        checked = walk.run()
    except Failure as failure:
        print("README example does not work: %s" % failure)
        sys.exit(1)
    finally:
        walk.close()
        shutil.rmtree(walk.scratch, ignore_errors=True)
    print("README followed in order: %d examples work" % checked)


if __name__ == "__main__":
    main()
