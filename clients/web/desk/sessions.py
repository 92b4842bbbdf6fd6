"""Browser sessions, each owning one ReturnLedger connection logged in as its user.

The password is used for AUTH and is not kept by the desk. To log in again by itself after the
server went away (a restart, a dropped link), a session keeps the password only *split in two*:
the desk's memory holds it XOR-ed with a one-time pad of random bytes, and the pad lives only in
the browser's HttpOnly session cookie. Neither half alone tells anything about the password
(a one-time pad); the desk can log in again only while that browser talks to it (the pages and
their event stream carry the cookie), nothing is written to disk, and sign-out, the idle timeout
or a stop of the desk forget the desk's half.
"""
import asyncio
import hashlib
import hmac
import secrets
import time

from .rl import Connection, ServerError, Unreachable

SEAL_SIZE = 256  # bytes: longer passwords are refused at sign-in
WATCH_ROLES = ("supervisor", "finance", "admin")


def seal(password):
    """(sealed, pad): the password XOR a fresh random pad, both `SEAL_SIZE + 2` bytes."""
    raw = password.encode("utf-8")
    if len(raw) > SEAL_SIZE:
        raise ValueError("password too long")
    plain = len(raw).to_bytes(2, "big") + raw + secrets.token_bytes(SEAL_SIZE - len(raw))
    pad = secrets.token_bytes(len(plain))
    return bytes(a ^ b for a, b in zip(plain, pad)), pad


def unseal(sealed, pad):
    plain = bytes(a ^ b for a, b in zip(sealed, pad))
    n = int.from_bytes(plain[:2], "big")
    return plain[2:2 + n].decode("utf-8")


class Session:
    def __init__(self, manager, user, role, locations, sealed):
        self.manager = manager
        self.id = secrets.token_urlsafe(24)
        self.csrf = secrets.token_urlsafe(24)
        self.user, self.role, self.locations = user, role, locations
        self.sealed = sealed
        self.conn = None
        self.created = self.last_seen = time.monotonic()
        self.subscribers = set()  # asyncio.Queue per open event stream
        self.lock = asyncio.Lock()
        self.ended = False
        self.up = True
        self.announced_down = False
        self.key_prefix = "web-%s" % secrets.token_hex(4)
        self.flash = None
        self.till = ""  # the till this person last worked at: the forms offer it again
        self.pad_digest = b""

    # -- the connection --------------------------------------------------------------------

    async def _open(self, password):
        """A new connection logged in as this session's user (and watching, for the roles that
        may); the user's role and stores are read again from the server."""
        conn = self.manager.new_connection(on_push=self._on_push, on_close=self._on_close)
        await conn.open(self.manager.connect_timeout)
        try:
            reply = await conn.call("AUTH %s %s" % (_q(self.user), _q(password)))
            who = await conn.call("WHOAMI")
            self.user = reply.get("user", self.user)
            self.role = reply.get("role", self.role)
            self.locations = who.get("locations", "*")
            if self.role in WATCH_ROLES:
                await conn.call("WATCH")
        except BaseException:
            conn.on_close = None
            await conn.close()
            raise
        return conn, reply

    async def ensure(self, pad):
        """The session's connection, logged in; reconnects (and logs in again with the sealed
        password and the browser's pad) when it was lost. `Unreachable` when the server is down,
        `ServerError` (AUTH, LOCKED, ...) when it refuses the login: the session then ends."""
        if self.ended:
            raise ServerError("NOAUTH", "signed out")
        conn = self.conn
        if conn is not None and not conn.closed:
            return conn
        async with self.lock:
            if self.conn is not None and not self.conn.closed:
                return self.conn
            if pad is None:
                raise Unreachable("the connection was lost")
            try:
                password = unseal(self.sealed, pad)
            except Exception:
                raise ServerError("NOAUTH", "sign in again") from None
            try:
                self.conn, _ = await self._open(password)
            except ServerError as e:
                if e.code in ("LIMIT", "STORAGE", "INTERNAL", "TOO_LONG"):
                    raise Unreachable("the server refused the connection for now: %s" % e.line) from None
                # AUTH, LOCKED (the password changed, the user locked or disabled): sign in again.
                await self.manager.end(self, reason="auth")
                raise
            was_down = not self.up
            self.up = True
            if was_down:
                # Pushes may have been missed in between: every open page reads its queue again
                # (and says "connected again" where it had said the server was gone).
                self.announced_down = False
                self.broadcast({"event": "up"})
            return self.conn

    def _on_push(self, kind, fields):
        data = dict(fields)
        data["kind"] = kind
        self.broadcast({"event": "push", "data": data})

    def _on_close(self):
        """The connection closed: the event streams try to log in again at once (a server's
        --idle-timeout, a restart already over), and only say "down" when that fails."""
        if not self.ended:
            self.up = False
            self.broadcast({"event": "lost"})

    def announce_down(self):
        if not self.announced_down:
            self.announced_down = True
            self.broadcast({"event": "down"})

    def broadcast(self, message):
        for queue in list(self.subscribers):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                pass  # a stuck browser tab: it reloads the queue when it reconnects

    async def send(self, pad, lines, timeout=30.0):
        conn = await self.ensure(pad)
        return await conn.send(lines, timeout)

    async def call(self, pad, line, timeout=30.0):
        conn = await self.ensure(pad)
        return await conn.call(line, timeout)

    def pad_matches(self, pad):
        """Whether the cookie brought this session's own pad (a cookie with the session id and
        another pad is refused, not just unable to log in again)."""
        return pad is not None and hmac.compare_digest(hashlib.sha256(pad).digest(), self.pad_digest)

    def touch(self):
        self.last_seen = time.monotonic()

    async def close(self):
        self.ended = True
        self.sealed = b""
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.on_close = None
            await conn.close()
        self.broadcast({"event": "signedout"})


def _q(value):
    from returnledger.client import quote
    return quote(value, positional=True)


class SessionManager:
    def __init__(self, host, port, ssl_context=None, server_hostname=None, idle_seconds=15 * 60,
                 connect_timeout=5.0):
        self.host, self.port = host, port
        self.ssl_context, self.server_hostname = ssl_context, server_hostname
        self.idle_seconds = idle_seconds
        self.connect_timeout = connect_timeout
        self.sessions = {}
        self.reaper = None

    def new_connection(self, on_push=None, on_close=None):
        return Connection(self.host, self.port, self.ssl_context, self.server_hostname, on_push, on_close)

    async def sign_in(self, user, password):
        """A new session logged in as `user`, and the pad for the browser's cookie; or
        `ServerError` (AUTH, LOCKED, ...) / `Unreachable`."""
        sealed, pad = seal(password)
        session = Session(self, user, "", "*", sealed)
        session.pad_digest = hashlib.sha256(pad).digest()
        session.conn, _ = await session._open(password)
        self.sessions[session.id] = session
        return session, pad

    def get(self, sid):
        session = self.sessions.get(sid)
        if session is None or session.ended:
            return None
        if time.monotonic() - session.last_seen > self.idle_seconds:
            return None
        return session

    async def end(self, session, reason="signout"):
        self.sessions.pop(session.id, None)
        await session.close()

    async def reap_forever(self, every=5.0):
        while True:
            await asyncio.sleep(every)
            await self.reap()

    async def reap(self):
        now = time.monotonic()
        for session in list(self.sessions.values()):
            if now - session.last_seen > self.idle_seconds:
                await self.end(session, reason="idle")

    async def close_all(self):
        for session in list(self.sessions.values()):
            await self.end(session, reason="shutdown")
