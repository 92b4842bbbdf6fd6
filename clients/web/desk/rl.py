"""One ReturnLedger connection on asyncio streams: requests pipelined on one socket, replies
matched to requests in order (the protocol answers in request order), `! ` push lines handed to
a callback. Replies are the Python client's own `Reply` and lines are built by its `Client.line`,
so the desk and the other clients read and write the protocol the same way."""
import asyncio
import collections
import ssl

from . import PYTHON_CLIENT  # noqa: F401  (puts clients/python on sys.path)
from returnledger.client import Client, Reply, ReturnLedgerError, parse_fields  # noqa: E402

LINE_LIMIT = 4 * 1024 * 1024


# An `ERR CODE message` reply: the client library's own error (code, message, line).
ServerError = ReturnLedgerError


class Unreachable(Exception):
    """The server could not be reached, or the connection broke before the reply was complete."""


def line_of(word, *args, **named):
    """`Client.line`, a form's blank fields ("") left out as well as None:
    `line_of("APPROVE", "R000001", note="box torn")`."""
    return Client.line(word, *(a for a in args if a != ""), **{k: v for k, v in named.items() if v != ""})


class Connection:
    def __init__(self, host, port, ssl_context=None, server_hostname=None, on_push=None, on_close=None):
        self.host, self.port = host, port
        self.ssl_context, self.server_hostname = ssl_context, server_hostname
        self.on_push, self.on_close = on_push, on_close
        self.reader = self.writer = None
        self.waiting = collections.deque()
        self.write_lock = asyncio.Lock()
        self.reader_task = None
        self.closed = False

    async def open(self, timeout=5.0):
        try:
            self.reader, self.writer = await asyncio.wait_for(asyncio.open_connection(
                self.host, self.port, ssl=self.ssl_context, limit=LINE_LIMIT,
                server_hostname=(self.server_hostname or self.host) if self.ssl_context else None), timeout)
        except (OSError, asyncio.TimeoutError, ssl.SSLError) as e:
            self.closed = True
            raise Unreachable("cannot reach %s:%s: %s" % (self.host, self.port, e)) from None
        self.reader_task = asyncio.get_running_loop().create_task(self._read_loop())
        return self

    async def _read_loop(self):
        lines = []
        try:
            while True:
                raw = await self.reader.readline()
                if not raw.endswith(b"\n"):
                    break  # EOF (or a torn last line)
                text = raw.decode("utf-8", "replace").rstrip("\r\n")
                if text.startswith("! "):
                    if self.on_push:
                        rest = text[2:]
                        kind = rest.split(" ", 1)[0]
                        fields = parse_fields(rest[len(kind):])
                        fields.pop("", None)
                        try:
                            self.on_push(kind, fields)
                        except Exception:  # a push consumer's bug never kills the connection
                            pass
                    continue
                if text.startswith("* "):
                    lines.append(text)
                    continue
                if text.startswith("OK") or text.startswith("ERR"):
                    done, lines = lines, []
                    if self.waiting:
                        future = self.waiting.popleft()
                        if not future.done():
                            future.set_result((text, done))
                    continue
                # Anything else (a telnet byte, a blank) is not part of the protocol's replies.
        except (OSError, asyncio.IncompleteReadError, ValueError, ssl.SSLError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self._fail_all()

    def _fail_all(self):
        was_open = not self.closed
        self.closed = True
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_exception(Unreachable("the connection to the server was lost"))
        if self.writer is not None:
            try:
                self.writer.close()
            except Exception:
                pass
        if was_open and self.on_close:
            try:
                self.on_close()
            except Exception:
                pass

    async def send(self, lines, timeout=30.0):
        """Send request lines (pipelined) and return their replies in order: a `Reply` or a
        `ServerError` per line. `Unreachable` when the connection is or goes down."""
        if self.closed:
            raise Unreachable("not connected")
        loop = asyncio.get_running_loop()
        futures = []
        async with self.write_lock:
            for line in lines:
                if "\n" in line or "\r" in line:
                    raise ValueError("a request line cannot hold a line break")
                future = loop.create_future()
                self.waiting.append(future)
                futures.append(future)
            try:
                self.writer.write("".join(line + "\n" for line in lines).encode("utf-8"))
                await self.writer.drain()
            except (OSError, ssl.SSLError):
                self._fail_all()
        try:
            results = await asyncio.wait_for(asyncio.gather(*futures), timeout)
        except asyncio.TimeoutError:
            self._fail_all()
            raise Unreachable("the server did not answer in time") from None
        out = []
        for status, data in results:
            if status.startswith("ERR"):
                parts = status.split(" ", 2)
                out.append(ServerError(parts[1] if len(parts) > 1 else "INTERNAL", parts[2] if len(parts) > 2 else "", status))
            else:
                out.append(Reply(status, data))
        return out

    async def call(self, line, timeout=30.0):
        """One request; an ERR reply raises `ServerError`."""
        (reply,) = await self.send([line], timeout)
        if isinstance(reply, ServerError):
            raise reply
        return reply

    async def close(self):
        if self.closed:
            return
        try:
            await asyncio.wait_for(self.send(["QUIT"], 2.0), 2.5)
        except Exception:
            pass
        if self.reader_task:
            self.reader_task.cancel()
            try:
                await self.reader_task
            except BaseException:
                pass
        self._fail_all()
        if self.writer is not None:
            try:  # let the transport finish closing its socket before the loop may stop
                await asyncio.wait_for(self.writer.wait_closed(), 1.0)
            except Exception:
                pass
