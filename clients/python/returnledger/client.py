"""A small, dependency-free client for the ReturnLedger protocol (Python 3.9+).

    from returnledger import Client
    with Client("127.0.0.1", 7480, user="clerk1", password="clerk1") as rl:
        rl.sale("S-7", "STORE1", ["A100:2"], customer="C001")
        r = rl.return_items("S-7", ["A100:1"], reason="DEFECTIVE")   # key= added for you
        print(r.id, r.state)                                           # R000001 pending

Every command is also reachable with ``call("WORD", positional..., key=value...)``. Replies come
back as ``Reply`` objects (status, fields, data lines); ``ERR`` replies raise
``ReturnLedgerError`` carrying the protocol's error code.
"""
import collections
import decimal
import itertools
import os
import queue
import re
import socket
import ssl
import threading
import time

__all__ = ["Client", "Reply", "Push", "ReturnLedgerError", "ConnectionLost", "quote", "item", "regrade_item", "parse_fields", "tokenize",
           "Tender", "format_tenders", "parse_tenders", "connection_options", "tls_options",
           "add_connection_arguments"]


class ReturnLedgerError(Exception):
    """An ``ERR CODE message`` reply. ``code`` is one of the protocol's error codes."""

    def __init__(self, code, message, line=""):
        super().__init__("%s %s" % (code, message))
        self.code = code
        self.message = message
        self.line = line


class ConnectionLost(ReturnLedgerError):
    """The connection closed or failed before a reply was complete."""

    def __init__(self, message):
        super().__init__("CONNECTION", message)


_BARE = re.compile(r'^[^\s"\\]+$')


def quote(value, positional=False):
    """A value as a protocol token: bare when it can be, else quoted with escapes. A positional
    value with `=` in it is quoted too: bare, the server would read it as `key=value`."""
    text = str(value)
    if text and _BARE.match(text) and all(0x20 < ord(c) != 0x7F for c in text) and not (positional and "=" in text):
        return text
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def tokenize(line):
    """A request line's tokens as ``(key, value)`` pairs (``key`` None for a positional one),
    quotes and escapes undone as the server does; ``ValueError`` for an unbalanced quote."""
    tokens = []
    i, n = 0, len(line)
    while i < n:
        if line[i] in " \t":
            i += 1
            continue
        key = None
        value = []
        quoted = False
        while i < n and line[i] not in " \t":
            ch = line[i]
            if ch == '"':
                quoted = True
                i += 1
                while True:
                    if i >= n:
                        raise ValueError("unbalanced quote")
                    ch = line[i]
                    if ch == '"':
                        i += 1
                        break
                    if ch == "\\" and i + 1 < n:
                        nxt = line[i + 1]
                        if nxt == "x" and i + 3 < n:
                            value.append(chr(int(line[i + 2:i + 4], 16)))
                            i += 4
                            continue
                        value.append(_ESCAPES.get(nxt, nxt))
                        i += 2
                        continue
                    value.append(ch)
                    i += 1
                continue
            if ch == "=" and key is None and not quoted:
                key = "".join(value)
                value = []
                i += 1
                continue
            value.append(ch)
            i += 1
        tokens.append((key, "".join(value)))
    return tokens


def item(sku, qty, price=None, batch=None, serials=None):
    """An item token: ``SKU:QTY[@PRICE][#BATCH][/SERIAL...]``. ``serials``: the units' serial
    numbers, one per unit of a SKU with ``serial=yes`` (protocol.md, Serial numbers)."""
    token = "%s:%d" % (sku, qty)
    if price is not None:
        token += "@%s" % price
    if batch:
        token += "#%s" % batch
    for serial in serials or ():
        token += "/%s" % serial
    return token


def serials_of(value):
    """A ``serials=`` field (comma-joined, ``""`` for none) as a list."""
    return [s for s in (value or "").split(",") if s]


def regrade_item(sku, qty, to_sku, batch=None):
    """A regrade item for INSPECT and DISPOSE: ``SKU:QTY[#BATCH]>SKU2``, SKU2 the SKU the units
    become (a second, sold at its own price)."""
    return "%s>%s" % (item(sku, qty, batch=batch), to_sku)


def _item_list(items):
    """An ITEMS or RITEMS value (``B300:2,C400:1#LOT7``): a string as it is, else the tokens
    joined with commas; a ``(token, to_sku)`` pair is a regrade item. None (and an empty list)
    stay None: the list is left out."""
    if items is None or isinstance(items, str):
        return items
    tokens = ["%s>%s" % tuple(t) if isinstance(t, (tuple, list)) else str(t) for t in items]
    return ",".join(tokens) if tokens else None


TENDER_KINDS = ("cash", "card", "credit", "other")


class Tender(collections.namedtuple("Tender", "kind amount ref")):
    """One tender of a list: ``kind`` (cash, card, credit, other), ``amount`` as the text of the
    money (exact, never a float) and ``ref`` (card token, voucher number; "" when none)."""

    __slots__ = ()

    def __new__(cls, kind, amount, ref=""):
        return super().__new__(cls, kind, amount, ref or "")

    def __str__(self):
        return "%s:%s%s" % (self.kind, self.amount, "#" + self.ref if self.ref else "")


def _money_text(amount):
    """Money as the protocol writes it. A float is refused: 0.1 + 0.2 is not a price."""
    if isinstance(amount, float):
        raise TypeError("money as a float (%r): pass a str or decimal.Decimal" % amount)
    if isinstance(amount, decimal.Decimal):
        return str(amount.quantize(decimal.Decimal("0.01")))
    return str(amount)


def format_tenders(tenders):
    """A tender list as the protocol writes it: ``card:60.00#4242,cash:40.00``.

    ``tenders`` is such a string already (passed through), or an iterable of ``Tender``, of
    ``(kind, amount[, ref])`` tuples or of ``"kind:amount[#ref]"`` strings. Checks only what
    would make the list unreadable (an unknown kind, a separator inside a reference); whether the
    tenders add up, or may be used, is the server's to say (``ERR TENDER``, ``ERR CREDIT``)."""
    if isinstance(tenders, str):
        return tenders
    parts = []
    for t in tenders:
        if isinstance(t, str):
            t = parse_tenders(t)[0]
        kind, amount, ref = (list(t) + [""])[:3]  # (kind, amount) has no reference
        if kind not in TENDER_KINDS:
            raise ValueError("unknown tender kind %r (one of %s)" % (kind, ", ".join(TENDER_KINDS)))
        ref = ref or ""
        if any(c in ref for c in ",:# \t\""):
            raise ValueError("tender reference %r holds a separator" % ref)
        parts.append(str(Tender(kind, _money_text(amount), ref)))
    return ",".join(parts)


def parse_tenders(text):
    """``card:60.00#4242,cash:40.00`` as a list of ``Tender`` (``""``: no tenders). Amounts stay
    text; ``ValueError`` for a part that is not ``KIND:AMOUNT[#REF]``."""
    tenders = []
    for part in (text or "").split(","):
        if not part:
            continue
        kind, colon, rest = part.partition(":")
        amount, _, ref = rest.partition("#")
        if not colon or not kind or not amount:
            raise ValueError("not a tender (KIND:AMOUNT[#REF]): %r" % part)
        tenders.append(Tender(kind, amount, ref))
    return tenders


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
# One field: key=value (quoted: "...", with \" \\ \n \t \xHH escapes), or a bare word.
_FIELD = re.compile(r'([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"?|(\S*))|(\S+)')
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|.)")


def _unquote(body):
    if "\\" not in body:
        return body
    raw = bytearray()
    at = 0
    for m in _ESCAPE.finditer(body):
        raw.extend(body[at:m.start()].encode())
        code = m.group(1)
        raw.extend(bytes([int(code[1:], 16)]) if len(code) == 3 and code[0] == "x" else _ESCAPES.get(code, code).encode())
        at = m.end()
    raw.extend(body[at:].encode())
    return raw.decode("utf-8", "replace")


def parse_fields(text):
    """``key=value`` fields of a reply line, in order, values unquoted. Bare words (``item``,
    ``pong``) are returned under the key ``""``. A regular expression, not a loop over
    characters: export.py parses a million lines with it."""
    fields = {}
    for key, quoted, plain, word in _FIELD.findall(text):
        if key:
            fields[key] = _unquote(quoted) if quoted else plain  # k="" and k= are both ""
        else:
            fields.setdefault("", word)
    return fields


class Reply:
    """One reply: its status line, the status fields as a dict, and its ``* `` data lines."""

    def __init__(self, status, lines):
        self.status = status
        self.ok = status.startswith("OK")
        self.fields = parse_fields(status[2:]) if self.ok else {}
        self.word = self.fields.pop("", None)
        self.lines = lines
        self.data = [parse_fields(line[2:]) for line in lines]

    def __getitem__(self, key):
        return self.fields[key]

    def get(self, key, default=None):
        return self.fields.get(key, default)

    def __getattr__(self, key):
        try:
            return self.__dict__["fields"][key]
        except KeyError:
            raise AttributeError(key)

    @property
    def existed(self):
        return self.fields.get("existed") == "yes"

    def __repr__(self):
        return "Reply(%r, %d data lines)" % (self.status, len(self.lines))


class Push:
    """A push line of a watching session (``! pending id=... location=...``): its kind and fields."""

    def __init__(self, line):
        self.line = line
        rest = line[2:]
        self.kind = rest.split(" ", 1)[0]
        self.fields = parse_fields(rest[len(self.kind):])

    def __getitem__(self, key):
        return self.fields[key]

    def get(self, key, default=None):
        return self.fields.get(key, default)

    def __repr__(self):
        return "Push(%r)" % self.line


class Client:
    """A connection to a ReturnLedger server.

    ``retries``: how often ``call`` reconnects, logs in again and re-sends after the connection
    drops. Only requests that ``RESEND`` marks safe are retried: reads, SALE/PURCHASE (their order
    id makes a re-send safe), APPROVE, VOID, and RETURN with a ``key=`` argument (``return_items``
    always adds one). Others raise ``ConnectionLost`` so the caller decides.
    """

    # Whether a request may be sent again after the connection dropped before its reply, per
    # command form: "always" (reads, and changes a second run leaves as they are), "key" (only
    # with a key= named argument), "never". The server's command table is the source; the Swift
    # test CommandTableTests fails when this table and it disagree.
    RESEND = {
        "PING": "always", "HELP": "always", "AUTH": "never", "WHOAMI": "always", "QUIT": "never",
        "USER ADD": "never", "USER ROLE": "never", "USER DISABLE": "never", "USER ENABLE": "never",
        "USER PASSWORD": "never", "USER LIST": "always", "USER SCOPE": "never",
        "LOCATION ADD": "never", "LOCATION LIST": "always", "SKU ADD": "never", "SKU LIST": "always",
        "PARTY ADD": "never", "PARTY LIST": "always", "REASON ADD": "never", "REASON LIST": "always", "REASON SET": "always",
        "POLICY SHOW": "always", "POLICY SET": "always", "SNAPSHOT": "never", "PERIOD SHOW": "always", "PERIOD CLOSE": "always", "PERIOD Z": "always", "VERIFY": "always", "VOID": "always",
        "SALE": "always", "PURCHASE": "always", "PAYMENT": "never",
        "RETURN": "key", "APPROVE": "always", "REJECT": "never", "CANCEL": "never", "INSPECT": "never",
        "DISPOSE": "key", "VENDOR CREDIT": "always",
        "TRANSFER SEND": "always", "TRANSFER RECEIVE": "always", "TRANSFER CANCEL": "always", "TRANSFER SHOW": "always",
        "ADJUST": "key", "COUNT": "key",
        "SHOW": "always", "LIST": "always", "DOC": "always", "NOTICES": "always", "STOCK": "always",
        "BALANCE": "always", "STATS": "always", "AUDIT": "always", "INFO": "always", "DIGEST": "always",
        "RULE ADD": "never", "RULE LIST": "always", "RULE DROP": "never", "WATCH": "always", "UNWATCH": "always",
        "CATEGORY ADD": "never", "CATEGORY SET": "always", "CATEGORY LIST": "always",
        "ORDER": "always", "SKU SET": "always", "PARTY SET": "always", "LOCATION SET": "always",
        "BACKUP": "never", "FEED": "always", "REPLICATE": "never", "PROMOTE": "never", "ARCHIVE": "never", "ARCHIVE LIST": "always",
        "TILL OPEN": "never", "TILL PAYIN": "never", "TILL PAYOUT": "never", "TILL CLOSE": "never",
        "TILL SHOW": "always", "TILL LIST": "always", "CREDIT": "always",
    }

    def __init__(self, host="127.0.0.1", port=7480, user=None, password=None, timeout=30.0, retries=3,
                 key_prefix=None, tls=False, cafile=None, server_hostname=None):
        """``tls=True`` speaks TLS (the server's ``--tls-port``, 7481 by default) and checks the
        server's certificate against ``cafile`` (a shop's self-signed certificate, PEM) or, without
        one, the system's certificate authorities; ``server_hostname`` is the name the certificate
        must carry (default: ``host``)."""
        self.host, self.port, self.timeout, self.retries = host, port, timeout, retries
        self.tls, self.cafile, self.server_hostname = tls, cafile, server_hostname
        self.user, self.password = user, password
        self.key_prefix = key_prefix or "py-%x-%x" % (os.getpid(), int(time.time() * 1000) & 0xFFFFFF)
        self._keys = itertools.count(1)
        self._sock = None
        self._reader = None
        # While watching: a thread reads every line, hands push lines to the
        # callback and replies to the caller through this queue.
        self._on_push = None
        self._replies = None
        self.connect()

    # -- connection -------------------------------------------------------------------------

    def connect(self):
        self.close()
        try:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            if self.tls:
                context = ssl.create_default_context(cafile=self.cafile)
                context.minimum_version = ssl.TLSVersion.TLSv1_2
                self._sock = context.wrap_socket(self._sock, server_hostname=self.server_hostname or self.host)
        except ssl.SSLError as e:
            self.close()
            raise ConnectionLost("TLS with %s:%s failed: %s" % (self.host, self.port, e))
        except OSError as e:
            self.close()
            raise ConnectionLost("cannot connect to %s:%s: %s" % (self.host, self.port, e))
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._reader = self._sock.makefile("rb")
        if self.user is not None:
            self.login(self.user, self.password)
        if self._on_push is not None:  # a reconnect while watching: watch again
            self._push("! reconnected watching=%d" % self._start_watching())

    def login(self, user, password):
        """AUTH; raises ``ReturnLedgerError`` (code AUTH or LOCKED) when refused."""
        reply = self._roundtrip(["AUTH %s %s" % (quote(user, positional=True), quote(password, positional=True))])[0]
        if not reply.ok:
            self.close()
            raise self._error(reply.status)
        self.user, self.password = user, password
        return reply

    def close(self):
        self._replies = None
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock = self._reader = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._on_push = None  # a deliberate close is not a lost connection
        try:
            if self._sock is not None:
                self._sock.sendall(b"QUIT\n")
        except OSError:
            pass
        self.close()

    # -- requests ---------------------------------------------------------------------------

    @staticmethod
    def line(word, *args, **named):
        """Builds a request line; ``None`` values are left out."""
        parts = [word]
        for a in args:
            if isinstance(a, (list, tuple)):
                parts.extend(quote(x, positional=True) for x in a)
            elif a is not None:
                parts.append(quote(a, positional=True))
        for k, v in named.items():
            if v is not None:
                parts.append("%s=%s" % (k.rstrip("_"), quote(v)))
        return " ".join(parts)

    def call(self, word, *args, **named):
        """Sends one command and returns its ``Reply``; raises ``ReturnLedgerError`` on ``ERR``."""
        return self.call_line(self.line(word, *args, **named))

    def call_line(self, line):
        """Sends a request line as it is."""
        reply = self._with_retry([line])[0]
        if not reply.ok:
            raise self._error(reply.status)
        return reply

    def pipeline(self, lines):
        """Sends many request lines at once and reads every reply, in order. ``ERR`` replies are
        returned (as ``Reply`` with ``ok`` false), not raised, so one failure does not hide the rest."""
        return self._with_retry(list(lines))

    def send_lines(self, lines):
        """Sends request lines and returns at once; read their replies with ``read_reply``, one
        each, in order. No retry: for callers that track what was acknowledged themselves."""
        try:
            self._sock.sendall("".join(l + "\n" for l in lines).encode("utf-8"))
        except OSError as e:
            self.close()
            raise ConnectionLost(str(e))

    def read_reply(self):
        """The next reply (``ERR`` returned, not raised); ``ConnectionLost`` when it closed."""
        try:
            return self._read_reply()
        except (OSError, ValueError) as e:
            self.close()
            raise ConnectionLost(str(e))

    def _with_retry(self, lines):
        attempt = 0
        while True:
            try:
                if self._sock is None:
                    self.connect()
                return self._roundtrip(lines)
            except ConnectionLost:
                attempt += 1
                safe = all(self._retryable(l) for l in lines)
                if not safe or attempt > self.retries:
                    self.close()
                    raise
                time.sleep(min(0.05 * (2 ** attempt), 1.0))
                self.close()

    @classmethod
    def _retryable(cls, line):
        """Whether a request line may be re-sent, decided on its tokens (so ``note="key=3"`` is
        a note, not a key) and the ``RESEND`` table."""
        try:
            tokens = tokenize(line)
        except ValueError:
            return False
        if not tokens or tokens[0][0] is not None:
            return False
        word = tokens[0][1].upper()
        rule = cls.RESEND.get(word)
        if rule is None and len(tokens) > 1 and tokens[1][0] is None:
            rule = cls.RESEND.get(word + " " + tokens[1][1].upper())
        if rule == "key":
            return any(key is not None and key.lower() == "key" and value for key, value in tokens[1:])
        return rule == "always"

    def _roundtrip(self, lines):
        try:
            self._sock.sendall("".join(l + "\n" for l in lines).encode("utf-8"))
            return [self._read_reply() for _ in lines]
        except (OSError, ValueError) as e:
            self.close()
            raise ConnectionLost(str(e))

    def _read_reply(self):
        if self._replies is not None:
            try:
                got = self._replies.get(timeout=self.timeout)
            except queue.Empty:
                raise ConnectionLost("no reply within %s s" % self.timeout)
            if isinstance(got, Exception):
                raise got
            return got
        return self._read_reply_from(self._reader)

    def _read_reply_from(self, reader):
        data = []
        while True:
            raw = reader.readline()
            if not raw:
                raise ConnectionLost("connection closed by the server")
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            if text.startswith("OK") or text.startswith("ERR"):
                reply = Reply(text, data)
                if text.startswith("ERR LIMIT") and self._replies is None:
                    self.close()
                return reply
            if text.startswith("! "):
                self._push(text)
                continue
            data.append(text)

    # -- watching the queue (WATCH) ---------------------------------------------------------

    def watch(self, callback):
        """WATCH: from now on every push line (``Push``) is handed to ``callback(push)`` from a
        reader thread, also while no call is being made, and calls go on as before. Returns the
        number of returns this user could act on now (``LIST state=pending`` shows them).

        Two lines come from the client itself, not the server: ``! disconnected`` when the
        connection drops, and ``! reconnected watching=N`` when the next call has logged in and
        watched again, so a screen can re-read the queue."""
        self._on_push = callback
        return self._start_watching()

    def unwatch(self):
        """UNWATCH; push lines stop. The reader thread ends with the connection."""
        self._on_push = None
        return self.call("UNWATCH")

    def _start_watching(self):
        reply = self._roundtrip(["WATCH"])[0]
        if not reply.ok:
            self._on_push = None
            raise self._error(reply.status)
        replies = queue.Queue()
        self._replies = replies
        self._sock.settimeout(None)  # a watcher may hear nothing for hours; replies time out on the queue
        threading.Thread(target=self._read_lines, args=(self._reader, replies), daemon=True,
                         name="returnledger-watch").start()
        return int(reply["watching"])

    def _read_lines(self, reader, replies):
        try:
            while True:
                replies.put(self._read_reply_from(reader))
        except Exception as e:  # closed, reset, or closed by us: the next call reconnects
            replies.put(ConnectionLost(str(e) or "connection closed"))
            if self._replies is replies and self._on_push is not None:
                self._push("! disconnected")

    def _push(self, line):
        callback = self._on_push
        if callback is not None:
            try:
                callback(Push(line))
            except Exception:  # a faulty callback must not stop the replies
                pass

    @staticmethod
    def _error(status):
        parts = status.split(" ", 2)
        return ReturnLedgerError(parts[1] if len(parts) > 1 else "INTERNAL", parts[2] if len(parts) > 2 else "", status)

    # -- the common calls -------------------------------------------------------------------

    def new_key(self):
        """A fresh idempotency key for RETURN: ``<prefix>-<n>``."""
        return "%s-%d" % (self.key_prefix, next(self._keys))

    def sale(self, order, location, items, customer=None, paid=None, at=None, tender=None, till=None,
             discount=None):
        """SALE. ``tender``: how it was paid (a list for ``format_tenders``, or its text), adding up
        to the total; without it a paid sale is cash. ``till``: the open till the money lands in.
        ``discount``: money off the whole sale, shared over its lines (the reply's ``tax=`` and
        ``discount=`` say what was recorded)."""
        return self.call("SALE", order, list(items), location=location, customer=customer,
                         paid=None if paid is None else ("yes" if paid else "no"), at=at,
                         tender=_tenders_or_none(tender), till=till,
                         discount=None if discount is None else _money_text(discount))

    def purchase(self, order, location, supplier, items, at=None):
        return self.call("PURCHASE", order, list(items), location=location, supplier=supplier, at=at)

    def return_items(self, order, items, reason, location=None, note=None, key=None, exchange=None,
                     override=False, till=None, at=None, rma=None, source=None, expected=None):
        """Files a return. Always sends ``key=`` (a fresh one unless given), so the automatic
        retry after a dropped connection can never file it twice. ``exchange``: replacement item
        tokens (the customer takes those instead of money); ``override``: file it over the
        customer's limit (supervisors and admins). ``till``: the till its refund is paid from
        (APPROVE may name another). ``at``: when a till cut off from the server took it (an
        offline return, uploaded later): the server judges the window and limits at that time.
        To upload an offline return safely pass the ``key`` the till kept with it, so a second
        upload is recognised as the same return.

        Against a purchase (a return to the supplier): ``rma`` the supplier's RMA number,
        ``source`` what the goods leave at approval (``"on_hand"``, the default, or ``"rtv"``: the
        goods held for the supplier), ``expected`` the credit the supplier is expected to give
        (default the amount; the debit note is made for it). On a customer return these are
        ``ERR INVALID``."""
        return self.call("RETURN", order, list(items), reason=reason, location=location, note=note,
                         key=key or self.new_key(), exchange=",".join(exchange) if exchange else None,
                         override="yes" if override else None, till=till, at=at, rma=rma, source=source,
                         expected=None if expected is None else _money_text(expected))

    def return_to_supplier(self, items, supplier, location, reason, rma=None, source=None, expected=None,
                           note=None, key=None):
        """``RETURN - ITEM... supplier=PARTY location=LOC``: goods back to a supplier without naming
        a purchase, priced at unit cost when filed (``#BATCH`` allowed, no window or quantity
        check) → ``OK id= state=pending kind=purchase amount= doc=""``. ``source="rtv"`` sends the
        goods an INSPECT or DISPOSE put aside for the supplier; ``rma`` and ``expected`` as in
        ``return_items``. A SKU that names another supplier is ``ERR INVALID``. Always sends a
        ``key=``, so the retry is safe."""
        return self.call("RETURN", "-", list(items), supplier=supplier, location=location, reason=reason, rma=rma,
                         source=source, expected=None if expected is None else _money_text(expected), note=note,
                         key=key or self.new_key())

    def exchange(self, order, items, replacements, reason, **kwargs):
        """A return whose customer takes ``replacements`` (item tokens) instead of money. The
        approval that completes it is ``STOCK`` until the replacements are on hand at the return's
        location (the returned units do not count)."""
        return self.return_items(order, items, reason, exchange=list(replacements), **kwargs)

    def return_without_receipt(self, items, customer, location, reason, note=None, key=None, override=False,
                               till=None, at=None):
        """``RETURN - ...``: priced from the catalogue, refunded as store credit only."""
        return self.call("RETURN", "-", list(items), location=location, customer=customer, reason=reason,
                         note=note, key=key or self.new_key(), override="yes" if override else None,
                         till=till, at=at)

    def approve(self, return_id, refund=None, note=None, fee=None, tender=None, till=None, override=False, rma=None):
        """APPROVE; ``fee`` a restocking fee in percent (``"12.5"``) instead of the reason's.

        ``refund``: ``"original"`` (the server's default: back to the tenders the sale was paid
        with), ``"cash"``, ``"credit"`` (store credit), or the parts as a tender list adding up
        to the net. ``tender``: how the customer pays an exchange's positive due. ``till``: the
        open till a cash, card or other part moves through (else the RETURN's). ``override``:
        charge a part the tender policy refuses to any tender with room (supervisor, admin;
        audited). The reply's ``refund=`` lists the parts handed back: ``parse_tenders`` reads it.
        ``rma``: a supplier return's RMA number, set (or replaced) by the approval that completes
        it; a supplier with ``rma_required=yes`` refuses that approval without one
        (``ERR RMA_REQUIRED``)."""
        if refund is not None and not isinstance(refund, str):
            refund = format_tenders(refund)
        return self.call("APPROVE", return_id, refund=refund, note=note, fee=None if fee is None else str(fee),
                         tender=_tenders_or_none(tender), till=till, override="yes" if override else None, rma=rma)

    # -- goods after the return -------------------------------------------------------------
    # What becomes of returned units: INSPECT decides a return's quarantined units, a few or all
    # at a time; DISPOSE moves goods held in rtv or refurbish on; VENDOR CREDIT books the
    # supplier's credit note against what was expected. ITEMS are item tokens (``item(...)``) or
    # their comma-joined text; a regrade list takes ``regrade_item(...)`` tokens or
    # ``(token, to_sku)`` pairs.

    def inspect(self, return_id, word=None, restock=None, scrap=None, vendor=None, refurbish=None, regrade=None,
                note=None):
        """INSPECT → ``OK id= state=inspecting|completed disposition= left= value=``. ``word``
        (restock, scrap, vendor, refurbish) takes every quarantined unit no list names; the lists
        take some: units left undecided stay in quarantine (``left=``) for the next INSPECT.
        ``value=`` is what the decisions are worth at unit cost (scrapped: negative). Never
        re-sent by the automatic retry: after a dropped connection, SHOW says what was decided."""
        return self.call("INSPECT", return_id, word, restock=_item_list(restock), scrap=_item_list(scrap),
                         vendor=_item_list(vendor), refurbish=_item_list(refurbish), regrade=_item_list(regrade),
                         note=note)

    def dispose(self, location, from_, restock=None, scrap=None, vendor=None, refurbish=None, regrade=None,
                note=None, key=None):
        """DISPOSE goods held at a location (``from_``: ``"rtv"`` or ``"refurbish"``) →
        ``OK move= location= from= disposition= qty= value=``. Always sends ``key=`` (a fresh one
        unless given), so the automatic retry cannot move the goods twice: a re-send answers the
        first reply plus ``existed=yes``."""
        return self.call("DISPOSE", location=location, from_=from_, restock=_item_list(restock),
                         scrap=_item_list(scrap), vendor=_item_list(vendor), refurbish=_item_list(refurbish),
                         regrade=_item_list(regrade), note=note, key=key or self.new_key())

    def vendor_credit(self, return_id, amount, ref, note=None):
        """VENDOR CREDIT: the supplier's credit note for an approved supplier return →
        ``OK id= expected= received= difference= ref=``; the difference (received − expected) is
        booked on the supplier's account as ``credit_difference``. The same amount and ref again
        answer the first reply plus ``existed=yes`` (so the retry may re-send it); another is
        ``ERR CONFLICT``."""
        return self.call("VENDOR", "CREDIT", return_id, amount=_money_text(amount), ref=ref, note=note)

    def void(self, return_id, reason, note):
        """VOID: reverses an approved (inspecting, completed) return with an adjusting document
        (``doc_type=void`` in DOC) → ``OK id= state=voided doc= voids= amount= owed=`` (``doc``
        the void's document, ``voids`` the approval's; ``owed`` above 0 the customer owes it,
        below 0 we do, ``""`` for a supplier return). ``reason`` a reason code, ``note`` why:
        both required. Safe to re-send (a second VOID answers the first reply plus
        ``existed=yes``), so the automatic retry may send it again. Never by one of its approvers
        (``ERR SELF_APPROVAL``)."""
        return self.call("VOID", return_id, reason=reason, note=note)

    def verify(self, from_doc=None):
        """VERIFY the document chain (auditor, admin): ``OK count= last= hash=``, from the first
        document or from ``from_doc`` (trusting the stored hash of the one before it). A document
        whose recomputed hash differs raises ``ReturnLedgerError`` with code ``CHAIN``."""
        return self.call("VERIFY", from_=from_doc)

    def order(self, order_id):
        """ORDER: the reply's ``data`` has one ``line`` per order line with returned, pending and
        returnable; its fields the order's totals and ``reply["status"]`` (``reply.status`` is the
        status line itself)."""
        return self.call("ORDER", order_id)

    def returns(self, page=100, **filters):
        """Every return LIST matches (state=, kind=, location=, party=, order=, rma=, serial=, from_=, to=),
        newest first, a page at a time with ``before=``: yields each line as a dict of its fields."""
        before = None
        while True:
            reply = self.call("LIST", limit=page, before=before, **filters)
            for line in reply.data:
                yield line
            before = reply.get("next")
            if not before:
                return

    def audit_trail(self, page=1000, user=None):
        """Every AUDIT entry, oldest first, a page at a time with ``after=``: each a dict of its fields."""
        after = 0
        while True:
            reply = self.call("AUDIT", after=after, limit=page, user=user)
            for line in reply.data:
                yield line
            after = reply.get("next")
            if not after:
                return

    def reject(self, return_id, note):
        return self.call("REJECT", return_id, note=note)

    def add_user(self, name, role, password, locations=None):
        """USER ADD; ``locations`` a list of location codes, or None for every location."""
        return self.call("USER", "ADD", name, role=role, password=password,
                         locations=None if locations is None else ",".join(locations))

    def scope_user(self, name, locations=None):
        """USER SCOPE: the user's locations (a list of codes), or every location with None."""
        return self.call("USER", "SCOPE", name, locations="*" if locations is None else ",".join(locations))

    def add_rule(self, code, then, note=None, **conditions):
        """RULE ADD code then=auto|second|inspect, with conditions as keywords: kind, location,
        reason, sku, min_amount, max_amount, noreceipt=True, role."""
        if conditions.get("noreceipt"):
            conditions["noreceipt"] = "yes"
        return self.call("RULE", "ADD", code, then=then, note=note, **conditions)

    def rules(self):
        return self.call("RULE", "LIST").data

    def drop_rule(self, code):
        return self.call("RULE", "DROP", code)

    def show(self, return_id):
        return self.call("SHOW", return_id)

    # Return policy per product: a category's or a SKU's own window, final sale and fee. A value
    # of "" clears the setting (the SKU then follows its category, the category the shop).

    @staticmethod
    def _terms(return_days=None, final_sale=None, fee=None):
        if isinstance(final_sale, bool):
            final_sale = "yes" if final_sale else "no"
        return {"return_days": return_days, "final_sale": final_sale,
                "fee": fee if fee is None or fee == "" else str(fee)}

    def add_category(self, code, name, return_days=None, final_sale=None, fee=None):
        return self.call("CATEGORY", "ADD", code, name=name, **self._terms(return_days, final_sale, fee))

    def set_category(self, code, name=None, return_days=None, final_sale=None, fee=None):
        return self.call("CATEGORY", "SET", code, name=name, **self._terms(return_days, final_sale, fee))

    def categories(self):
        return self.call("CATEGORY", "LIST").data

    def set_sku_policy(self, sku, category=None, return_days=None, final_sale=None, fee=None):
        """SKU SET with the return-policy settings only."""
        return self.call("SKU", "SET", sku, category=category, **self._terms(return_days, final_sale, fee))

    def pending(self, limit=100):
        return self.call("LIST", state="pending", limit=limit).data

    def stock(self, sku=None, location=None, supplier=None, serials=False):
        """STOCK of a SKU, a location, or ``supplier=``: that supplier's goods held to go back
        (``rtv`` above 0). Each line has every state: on_hand, quarantine, rtv, refurbish, transit.
        ``serials=True`` adds a ``serial`` line per serial in stock (``sku= serial= location= batch=
        state=``), after the slots: ``stock_serials`` reads them."""
        return self.call("STOCK", sku, location=location, supplier=supplier, serials="yes" if serials else None)

    def stock_serials(self, sku=None, location=None):
        """Where each serial of a SKU (or at a location) is in stock: {(sku, serial): (location,
        batch, state)}, from ``STOCK ... serials=yes``."""
        reply = self.stock(sku, location=location, serials=True)
        return {(line["sku"], line["serial"]): (line["location"], line.get("batch", ""), line["state"])
                for line in reply.data if "serial" in line and "state" in line}

    # -- moving stock (section 22) ------------------------------------------------------------
    # Transfers between locations, and a location's own adjustments and counts. ITEMS are item
    # tokens (``item(sku, qty, batch=...)``) without a price; an item without a batch is the
    # batch-less slot.

    def transfer_send(self, transfer_id, from_, to, items, note=None):
        """TRANSFER SEND → ``OK transfer= state=in_transit|received from= to= qty=``. Between sites
        the goods wait in ``to``'s transit (``in_transit``) until ``transfer_receive``; within one
        site (``LOCATION ... site=``) they arrive at once (``received``). ``transfer_id`` is your
        own reference (a delivery note): the same id, locations and lines again answer the first
        reply plus ``existed=yes``, so the automatic retry may re-send it; other content is
        ``ERR CONFLICT``. More than is on hand at ``from_``: ``ERR STOCK``."""
        return self.call("TRANSFER", "SEND", transfer_id, list(items), from_=from_, to=to, note=note)

    def transfer_receive(self, transfer_id, items=None, note=None):
        """TRANSFER RECEIVE → ``OK transfer= state=received sent= received= lost= found= value=``.
        ``items`` say what arrived of the lines they name (quantity 0 allowed); lines not named
        arrived as sent. Short units are lost, extra ones found, valued at unit cost
        (``value=``). The same items again answer the first reply plus ``existed=yes``."""
        return self.call("TRANSFER", "RECEIVE", transfer_id, list(items or []), note=note)

    def transfer_cancel(self, transfer_id):
        """TRANSFER CANCEL (in transit only) → ``OK transfer= state=cancelled``: the goods back on
        hand at ``from``. A second one answers the first plus ``existed=yes``, so the retry may re-send it."""
        return self.call("TRANSFER", "CANCEL", transfer_id)

    def transfer_show(self, transfer_id):
        """TRANSFER SHOW: a ``line`` per line (``sku= batch= sent= received= serials=``) and the
        status line (``state= from= to= sent= received= lost= found= value= note= sent_by=
        sent_at= received_by= received_at= received_note=``; the receipt's fields ``""`` until
        received)."""
        return self.call("TRANSFER", "SHOW", transfer_id)

    def adjust(self, direction, location, reason, items, note=None, key=None):
        """ADJUST ``"in"`` or ``"out"`` of on hand → ``OK move= location= direction= reason= qty=
        value=``. ``reason``: damage or theft (out), found (in), correction or other (either).
        Never below zero (``ERR STOCK``). Always sends ``key=`` (a fresh one unless given), so
        the automatic retry cannot move the units twice."""
        return self.call("ADJUST", direction, list(items), location=location, reason=reason, note=note,
                         key=key or self.new_key())

    def count(self, location, items, note=None, key=None):
        """COUNT: sets each slot's on hand to the quantity given (0 allowed) → a ``line`` per item
        (``sku= batch= before= counted= variance= value=``) and ``OK move= location= variance=
        value=``. Always sends ``key=``, as ``adjust`` does."""
        return self.call("COUNT", list(items), location=location, note=note, key=key or self.new_key())

    def balance(self, party=None):
        return self.call("BALANCE", party)

    def set_policy(self, window_days=None, customer_returns=None, customer_days=None, credit_days=None,
                   offline_hours=None, cross_store=None):
        """POLICY SET of the keys given. ``cross_store``: True, False or "yes"/"no"."""
        if isinstance(cross_store, bool):
            cross_store = "yes" if cross_store else "no"
        return self.call("POLICY", "SET", window_days=window_days, customer_returns=customer_returns,
                         customer_days=customer_days, credit_days=credit_days, offline_hours=offline_hours,
                         cross_store=cross_store)

    def stats(self, by=None, from_=None, to=None, kind=None, location=None):
        """STATS; ``by=`` one of reason, sku, location, clerk, party, day, disposition (what
        became of customer returns' units) or supplier (supplier returns: expected, received,
        difference, open)."""
        return self.call("STATS", by=by, from_=from_, to=to, kind=kind, location=location)

    # -- tills and store credit -------------------------------------------------------------
    # A till session is the cash drawer from opening to counting: float, takings, refunds,
    # pay-ins and pay-outs, and at close the variance between what was counted and expected.

    def till_open(self, till, location, opening_float, note=None):
        """TILL OPEN: ``OK till= session= location= float=``; ``ERR STATE`` if already open."""
        return self.call("TILL", "OPEN", till, location=location, float=_money_text(opening_float), note=note)

    def till_payin(self, till, amount, note):
        """TILL PAYIN: cash put into the drawer (change from the bank). A note is required."""
        return self.call("TILL", "PAYIN", till, amount=_money_text(amount), note=note)

    def till_payout(self, till, amount, note):
        """TILL PAYOUT: cash taken out (a banking run, a supplier paid from the drawer)."""
        return self.call("TILL", "PAYOUT", till, amount=_money_text(amount), note=note)

    def till_close(self, till, counted, note=None):
        """TILL CLOSE with the cash counted: ``OK till= session= expected= counted= variance=``.
        Final, and never re-sent by the retry: a second close would find the till not open."""
        return self.call("TILL", "CLOSE", till, counted=_money_text(counted), note=note)

    def till_show(self, till=None, session=None):
        """TILL SHOW of a till (its latest session) or of ``session=T000001``: ``data`` has one
        ``tender`` line per kind (taken=, refunded=), the fields the session's figures."""
        if (till is None) == (session is None):
            raise ValueError("till_show takes a till or a session, not both")
        return self.call("TILL", "SHOW", till, session=session)

    def till_list(self, location=None, date=None, state=None, limit=None):
        """TILL LIST, newest first: one dict per session (session= till= location= state= ...)."""
        return self.call("TILL", "LIST", location=location, date=date, state=state, limit=limit).data

    def credit(self, party):
        """CREDIT: a customer's store credit lots (``data``: lot= at= amount= remaining= expires=
        state=), and ``available= expired= balance=``."""
        return self.call("CREDIT", party)


def _tenders_or_none(tenders):
    """A ``tender=`` value for ``Client.line``: None (left out) stays None."""
    return None if tenders is None else format_tenders(tenders)


def _env(name, default=None):
    """RETURNLEDGER_<NAME>, else the shell clients' RL_<NAME>, else the default."""
    return os.environ.get("RETURNLEDGER_" + name) or os.environ.get("RL_" + name) or default


def add_connection_arguments(parser, user):
    """--host, --port, --user, --password for command-line tools; defaults from the environment
    (RETURNLEDGER_HOST, _PORT, _USER, _PASSWORD, or the shell clients' RL_HOST...). Call
    ``connection_options(args)`` after parsing: a missing password becomes the user name."""
    parser.add_argument("--host", default=_env("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=_env("PORT"), help="default 7480, with --tls 7481")
    parser.add_argument("--user", default=_env("USER", user))
    parser.add_argument("--password", default=_env("PASSWORD"),
                        help="default: $RETURNLEDGER_PASSWORD, else the user name (as for the demo users)")
    parser.add_argument("--tls", action="store_true", default=_env("TLS", "") in ("1", "yes", "true"),
                        help="speak TLS (to the server's --tls-port, 7481 by default); $RETURNLEDGER_TLS=yes")
    parser.add_argument("--ca-file", default=_env("CA_FILE"),
                        help="with --tls: the certificate (PEM) to trust, e.g. the shop's self-signed one; "
                             "default: the system's authorities")


def connection_options(args):
    """Fills in what ``add_connection_arguments`` leaves to the parsed values; returns args."""
    if args.password is None:
        args.password = args.user
    args.port = int(args.port) if args.port is not None else (7481 if args.tls else 7480)
    return args


def tls_options(args):
    """The ``Client`` keywords for ``--tls`` and ``--ca-file``: ``Client(..., **tls_options(args))``."""
    return {"tls": args.tls, "cafile": args.ca_file}
