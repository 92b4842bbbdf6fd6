"""The web desk's routes (Starlette). Every page asks the server as the signed-in person; the
desk decides nothing on its own beyond which links it offers (a link it leaves out is still
refused by the server if someone forges the request: `ERR DENIED`, shown as a sentence)."""
import asyncio
import csv
import datetime
import hmac
import io
import json
import logging
import os
import secrets
import time
import traceback
from contextlib import asynccontextmanager
from urllib.parse import quote as urlquote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import HERE, i18n, charts
from .rl import ServerError, Unreachable, line_of
from .sessions import SessionManager, WATCH_ROLES

log = logging.getLogger("desk")

COOKIE = "rl_desk"
PRE_COOKIE = "rl_pre"
LANG_COOKIE = "rl_lang"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# The A4 slip is slip.py's own page (its styles inline); it runs no script at all.
SLIP_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

NAV = {
    "clerk": ["desk", "tills", "returns"],
    "supervisor": ["queue", "desk", "tills", "returns"],
    "finance": ["queue", "dashboard", "tills", "returns"],
    "auditor": ["dashboard", "audit", "tills", "returns"],
    "admin": ["queue", "desk", "dashboard", "audit", "tills", "returns"],
}
TILL_ACTIONS = {"open": ("clerk", "supervisor", "admin"), "payin": ("clerk", "supervisor", "admin"),
                "payout": ("supervisor", "admin"), "close": ("clerk", "supervisor", "admin")}
TILL_READERS = ("supervisor", "finance", "auditor", "admin")
HOME = {"clerk": "/desk", "supervisor": "/queue", "finance": "/queue", "auditor": "/dashboard", "admin": "/queue"}
DASH_ROLES = ("finance", "auditor", "admin")
DESK_ROLES = ("clerk", "supervisor", "admin")
AUDIT_ROLES = ("auditor", "admin")
STATUS_OF = {"DENIED": 403, "SELF_APPROVAL": 403, "NOAUTH": 401, "AUTH": 401, "LOCKED": 423, "NOT_FOUND": 404,
             "LIMIT": 503, "STORAGE": 503, "READONLY": 503, "INTERNAL": 500}


class Config:
    def __init__(self, server_host="127.0.0.1", server_port=7480, ssl_context=None, server_hostname=None,
                 idle_minutes=15.0, secure_cookies=False, signin_free_failures=3):
        self.server_host, self.server_port = server_host, server_port
        self.ssl_context, self.server_hostname = ssl_context, server_hostname
        self.idle_minutes = idle_minutes
        self.secure_cookies = secure_cookies
        self.signin_free_failures = signin_free_failures


class SignInThrottle:
    """Sign-in attempts slowed per client address: after a few failures within 15 minutes each
    further attempt must wait twice as long as the last (capped at 5 minutes); a success clears
    the address. The server's own lockout (10 failures for a user) applies as well."""

    def __init__(self, free=3, window=900.0, cap=300.0):
        self.free, self.window, self.cap = free, window, cap
        self.failures = {}

    def wait(self, address, now=None):
        now = time.monotonic() if now is None else now
        times = [t for t in self.failures.get(address, []) if now - t < self.window]
        self.failures[address] = times
        if len(times) < self.free:
            return 0
        gap = min(self.cap, 2.0 ** (len(times) - self.free))
        return max(0, int(times[-1] + gap - now + 0.999))

    def failed(self, address):
        self.failures.setdefault(address, []).append(time.monotonic())
        if len(self.failures) > 10000:  # a flood of addresses: forget the oldest
            for key in list(self.failures)[:1000]:
                self.failures.pop(key, None)

    def succeeded(self, address):
        self.failures.pop(address, None)


class Desk:
    """The app's state: sessions, templates, small caches."""

    def __init__(self, config):
        self.config = config
        self.sessions = SessionManager(config.server_host, config.server_port, config.ssl_context,
                                       config.server_hostname, idle_seconds=config.idle_minutes * 60)
        self.throttle = SignInThrottle(config.signin_free_failures)
        self.env = Environment(loader=FileSystemLoader(os.path.join(HERE, "templates")),
                               autoescape=select_autoescape(["html", "svg"]), trim_blocks=True, lstrip_blocks=True)
        self.render_times = []

    # -- request helpers -------------------------------------------------------------------

    def lang(self, request):
        return i18n.pick(request.headers.get("accept-language"), request.cookies.get(LANG_COOKIE))

    def current(self, request):
        """(session, pad) from the cookie, or (None, None)."""
        raw = request.cookies.get(COOKIE, "")
        sid, _, pad64 = raw.partition(".")
        session = self.sessions.get(sid) if sid else None
        if session is None:
            return None, None
        try:
            import base64
            pad = base64.urlsafe_b64decode(pad64.encode() + b"=" * (-len(pad64) % 4))
        except Exception:
            return None, None
        if not session.pad_matches(pad):
            return None, None
        return session, pad

    def render(self, request, name, status=200, session=None, **values):
        lang = self.lang(request)
        t = i18n.translator(lang)
        flash = None
        if session is not None:
            flash, session.flash = getattr(session, "flash", None), None
        context = dict(
            t=t, T=i18n.T, lang=lang, other_lang="en" if lang == "zh-CN" else "zh-CN", session=session,
            nav=NAV.get(session.role, []) if session else [], path=request.url.path,
            full_path=request.url.path + (("?" + request.url.query) if request.url.query else ""),
            money=lambda v: i18n.money(lang, v), when=lambda v: i18n.when(lang, v),
            reason=lambda code, label="": i18n.reason_label(lang, code, label),
            state=lambda s: t("state." + s) if ("state." + s) in i18n.T else s,
            role=lambda r: t("role." + r) if ("role." + r) in i18n.T else r,
            err=lambda code: i18n.error_sentence(lang, code), flash=flash, urlquote=urlquote,
        )
        context.update(values)
        html = self.env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store", "Content-Language": lang})

    def error_page(self, request, status, sentence, server_text="", session=None, retry=False, back=False):
        return self.render(request, "error.html", status=status, session=session, sentence=sentence, server_text=server_text,
                           retry=retry, back=back)


def _session_cookie(response, desk, session, pad):
    import base64
    value = "%s.%s" % (session.id, base64.urlsafe_b64encode(pad).decode().rstrip("="))
    response.set_cookie(COOKIE, value, httponly=True, samesite="strict", secure=desk.config.secure_cookies, path="/")


def _client_address(request):
    return request.client.host if request.client else "?"


def _safe_next(value, default="/"):
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def text(fields, name, spaces=True):
    """A form's or query's field trimmed (without any spaces when `spaces` is False), None when blank."""
    value = fields.get(name, "").strip()
    if not spaces:
        value = value.replace(" ", "")
    return value or None


async def _form(request):
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def create_app(config):
    desk = Desk(config)

    # -- guards ----------------------------------------------------------------------------

    def page(roles=None, post=False, touch=True):
        """A route that needs a signed-in session (of one of `roles`), and for POST the CSRF token.
        `touch=False`: requests the page makes by itself (following a return's state, fetching a
        pushed card) do not count as use, so an unattended page still signs out when idle."""
        def wrap(handler):
            async def endpoint(request):
                session, pad = desk.current(request)
                if session is None:
                    if request.headers.get("accept", "").startswith("application/json") or request.url.path.endswith((".json", "/state")):
                        return JSONResponse({"signed_in": False}, status_code=401)
                    if request.method == "GET":
                        return RedirectResponse("/signin?next=" + urlquote(request.url.path + ("?" + request.url.query if request.url.query else "")), 303)
                    return desk.error_page(request, 401, i18n.translator(desk.lang(request))("banner.signedout"))
                if post:
                    form = await _form(request)
                    token = form.get("csrf") or request.headers.get("x-csrf-token", "")
                    if not token or not hmac.compare_digest(token, session.csrf):
                        return desk.error_page(request, 403, i18n.translator(desk.lang(request))("err.csrf"), session=session)
                    request.state.form = form
                if roles and session.role not in roles:
                    # The desk offers no link here; the server would refuse the commands as well.
                    return desk.error_page(request, 403, i18n.error_sentence(desk.lang(request), "DENIED"), session=session)
                if touch:
                    session.touch()
                request.state.session, request.state.pad = session, pad
                return await handler(request, session, pad)
            endpoint.__name__ = handler.__name__
            return endpoint
        return wrap

    # -- sign in, out, language, me ----------------------------------------------------------

    async def signin_page(request):
        session, _ = desk.current(request)
        if session is not None:
            return RedirectResponse(HOME.get(session.role, "/returns"), 303)
        return signin_form(request, next_url=_safe_next(request.query_params.get("next"), ""),
                           note=request.query_params.get("why", ""))

    def signin_form(request, status=200, error=None, server_text="", user="", next_url="", note=""):
        token = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)
        t = i18n.translator(desk.lang(request))
        message = {"out": t("signin.ended"), "idle": t("signin.idle", minutes=int(desk.config.idle_minutes)),
                   "changed": t("signin.changed")}.get(note)
        response = desk.render(request, "signin.html", status=status, pre_csrf=token, error=error,
                               server_text=server_text, user=user, next_url=next_url, note=message)
        response.set_cookie(PRE_COOKIE, token, httponly=True, samesite="strict", secure=desk.config.secure_cookies, path="/signin")
        return response

    async def signin_post(request):
        form = await _form(request)
        t = i18n.translator(desk.lang(request))
        token = request.cookies.get(PRE_COOKIE, "")
        if not token or not hmac.compare_digest(form.get("csrf", ""), token):
            return desk.error_page(request, 403, t("err.csrf"))
        user, password = form.get("user", "").strip(), form.get("password", "")
        next_url = _safe_next(form.get("next"), "")
        address = _client_address(request)
        wait = desk.throttle.wait(address)
        if wait:
            return signin_form(request, 429, t("signin.slow", seconds=wait), user=user, next_url=next_url)
        if not user or not password:
            return signin_form(request, 400, i18n.error_sentence(desk.lang(request), "AUTH"), user=user, next_url=next_url)
        try:
            session, pad = await desk.sessions.sign_in(user, password)
        except ValueError:
            return signin_form(request, 400, t("err.password_long"), user=user, next_url=next_url)
        except ServerError as e:
            desk.throttle.failed(address)
            return signin_form(request, STATUS_OF.get(e.code, 400), i18n.error_sentence(desk.lang(request), e.code),
                               server_text=e.line, user=user, next_url=next_url)
        except Unreachable:
            return signin_form(request, 503, t("err.unreachable"), user=user, next_url=next_url)
        desk.throttle.succeeded(address)
        old, _ = desk.current(request)
        if old is not None:  # signing in again in the same browser ends the session before
            await desk.sessions.end(old)
        session.flash = None
        response = RedirectResponse(next_url or HOME.get(session.role, "/returns"), 303)
        _session_cookie(response, desk, session, pad)
        response.delete_cookie(PRE_COOKIE, path="/signin")
        return response

    @page(post=True)
    async def signout(request, session, pad):
        await desk.sessions.end(session)
        response = RedirectResponse("/signin?why=out", 303)
        response.delete_cookie(COOKIE, path="/")
        return response

    async def set_lang(request):
        code = request.path_params["code"]
        response = RedirectResponse(_safe_next(request.query_params.get("next"), "/"), 303)
        if code in i18n.LANGS:
            response.set_cookie(LANG_COOKIE, code, samesite="lax", secure=desk.config.secure_cookies, path="/",
                                max_age=365 * 86400)
        return response

    async def home(request):
        session, _ = desk.current(request)
        if session is None:
            return RedirectResponse("/signin", 303)
        return RedirectResponse(HOME.get(session.role, "/returns"), 303)

    @page()
    async def me(request, session, pad):
        who = await session.call(pad, "WHOAMI")
        if request.url.path.endswith(".json"):
            return JSONResponse(dict(who.fields))
        return desk.render(request, "me.html", session=session, who=who.fields)

    # -- supervisor's queue -----------------------------------------------------------------

    async def queue_items(session, pad):
        """The returns waiting for this user, each with its items and the note it was filed
        with: the LISTs, then one SHOW per return, all pipelined on the session's connection."""
        lines = []
        if session.role in ("supervisor", "admin"):
            lines.append("LIST state=pending limit=500")
        lines.append("LIST state=second_review limit=500")
        replies = await session.send(pad, lines)
        pending = replies[0].data if session.role in ("supervisor", "admin") and not isinstance(replies[0], ServerError) else []
        second = replies[-1].data if not isinstance(replies[-1], ServerError) else []
        rows = pending + second
        if rows:
            parties = sorted({r["party"] for r in rows if r.get("party") and r.get("kind") == "sale"})
            days, since = await history_window(session, pad)
            lines = [line_of("SHOW", r["id"]) for r in rows]
            lines += [line_of("LIST", party=p, limit="1", **{"from": since}) for p in parties]
            replies = await session.send(pad, lines)
            counts = {}
            for p, reply in zip(parties, replies[len(rows):]):
                if not isinstance(reply, ServerError):
                    counts[p] = int(reply.get("total") or 0)
            for r, show in zip(rows, replies[:len(rows)]):
                add_details(r, show)
                if r.get("party") in counts:
                    r["history"], r["history_days"] = counts[r["party"]], days
        return pending, second

    async def history_window(session, pad):
        """The customer-limit window (POLICY's customer_days, else the return window): the days
        and the first date, for "returns in the limit window"."""
        days = 30
        try:
            policy = await session.call(pad, "POLICY SHOW")
            days = int(policy.get("customer_days") or 0) or int(policy.get("window_days") or 30)
        except ServerError:
            pass
        return days, (datetime.datetime.utcnow() - datetime.timedelta(days=days)).date().isoformat()

    def add_details(r, show):
        if isinstance(show, ServerError):
            r["items"], r["note"] = [], ""
            return
        r["items"] = [d for d in show.data if d.get("") == "item"]
        r["note"] = next((e.get("note", "") for e in show.data if e.get("") == "event" and e.get("action") == "filed"), "")
        if show.get("state") == "second_review":
            r["approved_by"] = next((e.get("user", "") for e in show.data if e.get("") == "event" and e.get("action") == "first_approval"), "")

    @page(roles=WATCH_ROLES)
    async def queue(request, session, pad):
        started = time.perf_counter()
        pending, second = await queue_items(session, pad)
        response = desk.render(request, "queue.html", session=session, pending=pending, second=second)
        desk.render_times.append(("queue", time.perf_counter() - started))
        return response

    @page(roles=WATCH_ROLES, touch=False)
    async def queue_list(request, session, pad):
        pending, second = await queue_items(session, pad)
        return desk.render(request, "queue_list.html", session=session, pending=pending, second=second)

    @page(roles=WATCH_ROLES, touch=False)
    async def queue_card(request, session, pad):
        rid = request.path_params["rid"]
        reply = await session.call(pad, line_of("SHOW", rid))
        r = dict(reply.fields)
        add_details(r, reply)
        return desk.render(request, "queue_card.html", session=session, r=r, fresh=True)

    # -- a return ---------------------------------------------------------------------------

    async def return_context(session, pad, rid):
        show, reasons, policy = await session.send(pad, [line_of("SHOW", rid), "REASON LIST", "POLICY SHOW"])
        if isinstance(show, ServerError):
            raise show
        r = show.fields
        items = [d for d in show.data if d.get("") == "item"]
        events = [d for d in show.data if d.get("") == "event"]
        filed = next((e for e in events if e.get("action") == "filed"), {})
        labels = {} if isinstance(reasons, ServerError) else {d.get("code"): d.get("label", "") for d in reasons.data}
        days = 30
        if not isinstance(policy, ServerError):
            days = int(policy.get("customer_days") or 0) or int(policy.get("window_days") or 30)
        history = []
        if r.get("party") and r.get("kind") == "sale":
            since = (datetime.datetime.utcnow() - datetime.timedelta(days=days)).date().isoformat()
            try:
                hist = await session.call(pad, line_of("LIST", party=r["party"], **{"from": since}, limit="50"))
                history = [h for h in hist.data if h.get("id") != rid]
            except ServerError:
                history = []
        return dict(r=r, items=items, events=events, note=filed.get("note", ""), labels=labels, days=days, history=history,
                    disposed=[d for d in show.data if d.get("") == "disposed"])

    @page()
    async def return_page(request, session, pad):
        rid = request.path_params["rid"]
        context = await return_context(session, pad, rid)
        return desk.render(request, "return.html", session=session, form={}, **context)

    @page(touch=False)
    async def return_state(request, session, pad):
        rid = request.path_params["rid"]
        t = i18n.translator(desk.lang(request))
        try:
            reply = await session.call(pad, line_of("SHOW", rid))
        except ServerError as e:
            return JSONResponse({"error": e.code, "sentence": i18n.error_sentence(desk.lang(request), e.code)}, status_code=STATUS_OF.get(e.code, 400))
        f = reply.fields
        state = f.get("state", "")
        return JSONResponse({"id": rid, "state": state, "state_text": t("state." + state) if "state." + state in i18n.T else state,
                             "doc": f.get("doc", ""), "amount": f.get("amount", "")})

    async def act(request, session, pad, rid, line, on_ok, back_to_return=False):
        """Run an APPROVE/REJECT/INSPECT; on an ERR show the return again with the sentence and
        the server's text, the typed values kept."""
        form = request.state.form
        try:
            reply = await session.call(pad, line)
        except ServerError as e:
            try:
                context = await return_context(session, pad, rid)
            except ServerError:
                return desk.error_page(request, STATUS_OF.get(e.code, 400), i18n.error_sentence(desk.lang(request), e.code), e.line, session=session)
            return desk.render(request, "return.html", status=STATUS_OF.get(e.code, 400), session=session, form=form,
                               error=i18n.error_sentence(desk.lang(request), e.code), server_text=e.line, **context)
        session.flash = on_ok(reply)
        target = "/queue" if session.role in WATCH_ROLES and not back_to_return else "/returns/" + rid
        return RedirectResponse(target, 303)

    @page(post=True)
    async def approve(request, session, pad):
        rid = request.path_params["rid"]
        form = request.state.form
        t = i18n.translator(desk.lang(request))
        refund = form.get("refund", "original")
        if refund == "parts":
            refund = form.get("refund_parts", "").strip().replace(" ", "") or None
        line = line_of("APPROVE", rid, refund=None if refund in (None, "", "original") else refund,
                       tender=text(form, "tender", spaces=False),
                       fee=text(form, "fee"), note=text(form, "note"),
                       rma=text(form, "rma"), override="yes" if form.get("override") else None,
                       till=text(form, "till"))

        def ok(reply):
            if reply.get("state") == "second_review":
                return ("ok", t("ret.first_approved", id=rid))
            return ("ok", t("ret.approved", id=rid, doc=reply.get("doc", "")))
        return await act(request, session, pad, rid, line, ok)

    @page(post=True)
    async def reject(request, session, pad):
        rid = request.path_params["rid"]
        form = request.state.form
        t = i18n.translator(desk.lang(request))
        line = line_of("REJECT", rid, note=text(form, "note"))
        return await act(request, session, pad, rid, line, lambda reply: ("ok", t("ret.rejected", id=rid)))

    @page(post=True)
    async def inspect(request, session, pad):
        rid = request.path_params["rid"]
        form = request.state.form
        t = i18n.translator(desk.lang(request))
        word = form.get("disposition", "")
        if word not in ("restock", "scrap", "vendor", "refurbish"):
            word = "restock"
        # Unit by unit: SKU:QTY lists per decision; the word takes the units no list names.
        lists = {k: ",".join(x for x in form.get("list_" + k, "").replace(" ", ",").split(",") if x)
                 for k in ("restock", "scrap", "vendor", "refurbish")}
        lists = {k: v for k, v in lists.items() if v}
        if lists and not form.get("rest"):
            word = None
        line = line_of("INSPECT", rid, word, note=text(form, "note"), **lists)
        return await act(request, session, pad, rid, line, lambda reply: ("ok", t("ret.inspected", id=rid, left=reply.get("left", "0"))))

    @page(post=True)
    async def cancel(request, session, pad):
        rid = request.path_params["rid"]
        t = i18n.translator(desk.lang(request))
        return await act(request, session, pad, rid, line_of("CANCEL", rid), lambda reply: ("ok", t("ret.cancelled", id=rid)),
                         back_to_return=True)

    @page(post=True)
    async def void(request, session, pad):
        rid = request.path_params["rid"]
        form = request.state.form
        t = i18n.translator(desk.lang(request))
        line = line_of("VOID", rid, reason=form.get("reason") or None, note=text(form, "note"))
        return await act(request, session, pad, rid, line,
                         lambda reply: ("ok", t("ret.voided", id=rid, doc=reply.get("doc", ""), owed=reply.get("owed", ""))),
                         back_to_return=True)

    @page()
    async def returns_list(request, session, pad):
        q = request.query_params
        if q.get("id"):
            return RedirectResponse("/returns/" + urlquote(q["id"].strip()), 303)
        state = q.get("state") or None
        before = q.get("before") or None
        reply = await session.call(pad, line_of("LIST", state=state, before=before, limit="50"))
        return desk.render(request, "returns.html", session=session, rows=reply.data, next_id=reply.get("next", ""),
                           total=reply.get("total", ""), state_filter=state or "")

    # -- clerk's counter --------------------------------------------------------------------

    async def desk_context(session, pad, order=None, customer=None):
        lines = ["REASON LIST", "LOCATION LIST", "SKU LIST"]
        if order:
            lines.append(line_of("ORDER", order))
        if customer:
            lines.append(line_of("LIST", party=customer, limit="50"))
        replies = await session.send(pad, lines)
        reasons = [] if isinstance(replies[0], ServerError) else replies[0].data
        locations = [] if isinstance(replies[1], ServerError) else replies[1].data
        names = {} if isinstance(replies[2], ServerError) else {d.get("sku"): d.get("name", "") for d in replies[2].data}
        context = dict(reasons=reasons, locations=locations, names=names, order=None, lines=[], customer_rows=None,
                       lookup_error=None, lookup_server_text="")
        at = 3
        if order:
            reply = replies[at]
            at += 1
            if isinstance(reply, ServerError):
                context["lookup_error"], context["lookup_server_text"] = reply.code, reply.line
            else:
                context["order"] = reply.fields
                context["lines"] = [d for d in reply.data if d.get("") == "line"]
        if customer:
            reply = replies[at]
            if isinstance(reply, ServerError):
                context["lookup_error"], context["lookup_server_text"] = reply.code, reply.line
            else:
                context["customer_rows"] = reply.data
        return context

    @page(roles=DESK_ROLES)
    async def desk_page(request, session, pad):
        q = request.query_params
        order = text(q, "order")
        customer = text(q, "customer")
        context = await desk_context(session, pad, order, customer)
        return desk.render(request, "desk.html", session=session, form={"key": new_key(session)},
                           order_id=order or "", customer_id=customer or "", **context)

    def new_key(session):
        return "%s-%s" % (session.key_prefix, secrets.token_hex(6))

    @page(roles=DESK_ROLES, post=True)
    async def file_return(request, session, pad):
        form = request.state.form
        t = i18n.translator(desk.lang(request))
        order = form.get("order", "").strip()
        noreceipt = form.get("mode") == "noreceipt"
        items = []
        if noreceipt:
            items = form.get("items", "").split()
        else:
            i = 0
            while ("sku_%d" % i) in form:
                if form.get("take_%d" % i):
                    qty = form.get("qty_%d" % i, "1").strip() or "1"
                    token = "%s:%s" % (form["sku_%d" % i], qty)
                    if form.get("batch_%d" % i):
                        token += "#" + form["batch_%d" % i]
                    items.append(token)
                i += 1
        error = None
        if not items:
            error, server_text = t("desk.none_ticked"), ""
        else:
            line = line_of("RETURN", "-" if noreceipt else order, *items, reason=form.get("reason"),
                           location=form.get("location") or None, note=text(form, "note"),
                           exchange=",".join(x.strip() for x in form.get("exchange", "").replace(" ", ",").split(",") if x.strip()) or None,
                           customer=text(form, "customer") if noreceipt else None,
                           override="yes" if form.get("override") else None,
                           till=text(form, "till"),
                           key=form.get("key") or new_key(session))
            try:
                reply = await session.call(pad, line)
            except ServerError as e:
                error, server_text = i18n.error_sentence(desk.lang(request), e.code), e.line
            else:
                rid = reply.get("id")
                state = reply.get("state", "")
                session.flash = ("ok", t("ret.filed", id=rid, state=t("state." + state) if "state." + state in i18n.T else state))
                return RedirectResponse("/returns/" + urlquote(rid), 303)
        context = await desk_context(session, pad, None if noreceipt else order)
        return desk.render(request, "desk.html", status=400, session=session, form=form, error=error, server_text=server_text,
                           order_id=order, customer_id="", noreceipt_open=noreceipt, **context)

    # -- tills (cash drawers) ---------------------------------------------------------------

    async def tills_context(session, pad):
        lines = ["LOCATION LIST"]
        if session.role in TILL_READERS:
            lines.append("TILL LIST limit=50")
        replies = await session.send(pad, lines)
        locations = [] if isinstance(replies[0], ServerError) else replies[0].data
        sessions = [] if len(replies) < 2 or isinstance(replies[1], ServerError) else replies[1].data
        return dict(locations=locations, till_sessions=sessions, actions=[a for a, roles in TILL_ACTIONS.items() if session.role in roles])

    @page()
    async def tills(request, session, pad):
        context = await tills_context(session, pad)
        return desk.render(request, "tills.html", session=session, form={}, **context)

    @page(post=True)
    async def till_action(request, session, pad):
        action = request.path_params["action"]
        form = request.state.form
        lang = desk.lang(request)
        t = i18n.translator(lang)
        till = form.get("till", "").strip()
        note = text(form, "note")
        if action == "open":
            line = line_of("TILL OPEN", till, location=form.get("location") or None, float=text(form, "float"), note=note)
        elif action in ("payin", "payout"):
            line = line_of("TILL " + action.upper(), till, amount=text(form, "amount"), note=note)
        elif action == "close":
            line = line_of("TILL CLOSE", till, counted=text(form, "counted"), note=note)
        else:
            raise HTTPException(404)
        try:
            reply = await session.call(pad, line)
        except ServerError as e:
            context = await tills_context(session, pad)
            return desk.render(request, "tills.html", status=STATUS_OF.get(e.code, 400), session=session, form=form,
                               error=i18n.error_sentence(lang, e.code), server_text=e.line, failed=action, **context)
        session.till = reply.get("till", till)
        f = reply.fields
        session.flash = ("ok", t("till.done." + action, till=f.get("till", till), session=f.get("session", ""),
                                 amount=i18n.money(lang, f.get("amount") or f.get("float")),
                                 expected=i18n.money(lang, f.get("expected")), counted=i18n.money(lang, f.get("counted")),
                                 variance=i18n.money(lang, f.get("variance"))))
        return RedirectResponse("/tills", 303)

    # -- documents and slips ----------------------------------------------------------------

    async def doc_data(session, pad, number):
        doc = await session.call(pad, line_of("DOC", number))
        show = await session.call(pad, line_of("SHOW", doc["return"]))
        items = [d for d in doc.data if d.get("") == "item"]
        exchange = [d for d in doc.data if d.get("") == "exchange"]
        filed = next((e for e in show.data if e.get("") == "event" and e.get("action") == "filed"), {})
        voided = next((e for e in show.data if e.get("") == "event" and e.get("action") == "voided"), {})
        return {"doc": dict(doc.fields), "items": items, "exchange": exchange, "note": filed.get("note", ""),
                "void_note": voided.get("note", ""), "received": show.get("received") or "", "credit_ref": show.get("credit_ref") or ""}

    @page()
    async def doc_page(request, session, pad):
        q = request.query_params
        number = request.path_params.get("doc") or q.get("doc", "").strip()
        if not request.path_params.get("doc"):
            if number:
                return RedirectResponse("/docs/" + urlquote(number), 303)
            return desk.render(request, "doc.html", session=session, d=None)
        d = await doc_data(session, pad, number)
        return desk.render(request, "doc.html", session=session, d=d)

    @page()
    async def slip(request, session, pad):
        import slip as slip_layouts  # clients/python/slip.py: the 80 mm and A4 layouts
        number = request.path_params["doc"]
        d = await doc_data(session, pad, number)
        if request.query_params.get("format") == "a4":
            response = HTMLResponse(slip_layouts.html_page(d), headers={"Cache-Control": "no-store"})
            response.headers["Content-Security-Policy"] = SLIP_CSP
            return response
        width = 32 if request.query_params.get("width") == "32" else 42
        return desk.render(request, "receipt.html", session=session, text=slip_layouts.text_slip(d, width), number=number)

    # -- manager's dashboard ----------------------------------------------------------------

    def stats_filters(request):
        q = request.query_params
        out = {}
        for key in ("from", "to"):
            value = q.get(key, "").strip()
            if value:
                try:
                    datetime.date.fromisoformat(value)
                    out[key] = value
                except ValueError:
                    pass
        if q.get("location", "").strip():
            out["location"] = q["location"].strip()
        return out

    BY = ("reason", "sku", "location", "clerk", "day")

    async def stats_data(session, pad, filters):
        lines = [line_of("STATS", **filters)] + [line_of("STATS", by=b, **filters) for b in BY]
        lines += ["LOCATION LIST", "REASON LIST", line_of("TILL LIST", state="closed", location=filters.get("location"), limit="50")]
        replies = await session.send(pad, lines)
        if isinstance(replies[0], ServerError):
            raise replies[0]
        groups = {}
        for b, reply in zip(BY, replies[1:6]):
            groups[b] = [] if isinstance(reply, ServerError) else reply.data
        locations = [] if isinstance(replies[6], ServerError) else replies[6].data
        labels = {} if isinstance(replies[7], ServerError) else {d.get("code"): d.get("label", "") for d in replies[7].data}
        tills = [] if isinstance(replies[8], ServerError) else replies[8].data
        return replies[0].fields, groups, locations, labels, tills

    @page(roles=DASH_ROLES)
    async def dashboard(request, session, pad):
        started = time.perf_counter()
        lang = desk.lang(request)
        t = i18n.translator(lang)
        filters = stats_filters(request)
        try:
            totals, groups, locations, labels, tills = await stats_data(session, pad, filters)
        except ServerError as e:
            return desk.render(request, "dashboard.html", status=STATUS_OF.get(e.code, 400), session=session, filters=filters,
                               error=i18n.error_sentence(lang, e.code), server_text=e.line, totals=None, groups={}, svgs={},
                               locations=[], tills=[], labels={}, refunds=[])
        svgs = {}
        for b in ("reason", "sku", "location", "clerk"):
            rows = groups[b][:12]
            label = (lambda d: i18n.reason_label(lang, d.get("reason", ""), labels.get(d.get("reason"), ""))) if b == "reason" else (lambda d, b=b: d.get(b, ""))
            svgs[b] = charts.bars(t("dash.chart", title=t("dash.by." + b)),
                                  [(label(d), d.get("amount", "0"), "%s · %s" % (d.get("count"), i18n.money(lang, d.get("amount")))) for d in rows])
        svgs["day"] = charts.columns(t("dash.chart", title=t("dash.by.day")),
                                     [(d.get("day", ""), d.get("amount", "0"), i18n.money(lang, d.get("amount"))) for d in groups["day"][-60:]])
        refunds = [(t("dash.tender." + k), totals.get("refund_" + k, "0.00")) for k in ("cash", "card", "credit", "other")]
        svgs["refunds"] = charts.bars(t("dash.chart", title=t("dash.refunds")), [(n, v, i18n.money(lang, v)) for n, v in refunds])
        response = desk.render(request, "dashboard.html", session=session, filters=filters, totals=totals, groups=groups,
                               svgs=svgs, locations=locations, tills=tills, labels=labels, refunds=refunds)
        desk.render_times.append(("dashboard", time.perf_counter() - started))
        return response

    @page(roles=DASH_ROLES)
    async def dashboard_csv(request, session, pad):
        filters = stats_filters(request)
        totals, groups, _, _, _ = await stats_data(session, pad, filters)
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["group_by", "group", "count", "qty", "amount", "share"])
        for b in BY:
            for d in groups[b]:
                w.writerow([b, d.get(b, ""), d.get("count", ""), d.get("qty", ""), d.get("amount", ""), d.get("share", "")])
        w.writerow([])
        w.writerow(["total", "value"])
        for k, v in totals.items():
            w.writerow([k, v])
        name = "returns-%s-%s%s.csv" % (filters.get("from", "start"), filters.get("to", "today"),
                                       ("-" + filters["location"]) if "location" in filters else "")
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="%s"' % name, "Cache-Control": "no-store"})

    # -- auditor ----------------------------------------------------------------------------

    @page(roles=AUDIT_ROLES)
    async def audit(request, session, pad):
        q = request.query_params
        newest = q.get("newest") == "1"
        after = q.get("after", "0").strip() or "0"
        if not after.isdigit():
            after = "0"
        reply = await session.call(pad, line_of("AUDIT", after=None if newest else after, limit="50",
                                                user=text(q, "user")))
        return desk.render(request, "audit.html", session=session, rows=reply.data, next_seq=reply.get("next", ""),
                           after="" if newest else after, user_filter=q.get("user", ""), newest=newest)

    # -- live events ------------------------------------------------------------------------

    async def events(request):
        session, pad = desk.current(request)
        if session is None:
            return JSONResponse({"signed_in": False}, status_code=401)
        queue = asyncio.Queue(maxsize=2000)
        session.subscribers.add(queue)

        def frame(event, data):
            return "event: %s\ndata: %s\n\n" % (event, json.dumps(data, ensure_ascii=False))

        async def stream():
            try:
                yield "retry: 1000\n\n"
                try:
                    await session.ensure(pad)
                    yield frame("hello", {"up": True})
                except Unreachable:
                    session.announce_down()
                    yield frame("down", {})  # this page's own word, even if others were told already
                except ServerError:
                    yield frame("signedout", {})
                    return
                idle = 0.0
                while True:
                    try:
                        message = await asyncio.wait_for(queue.get(), timeout=1.0)
                    except asyncio.TimeoutError:
                        message = None
                    if message is None or message["event"] == "lost":
                        if session.ended or desk.sessions.get(session.id) is None:
                            yield frame("signedout", {})
                            return
                        if session.conn is None or session.conn.closed:
                            try:
                                await session.ensure(pad)  # broadcasts "up" when it gets through
                            except Unreachable:
                                session.announce_down()
                            except ServerError:
                                yield frame("signedout", {})
                                return
                        if message is None:
                            idle += 1.0
                            if idle >= 15:
                                idle = 0.0
                                yield ": keepalive\n\n"
                        continue
                    idle = 0.0
                    event = message["event"]
                    yield frame(event, message.get("data", {}))
                    if event == "signedout":
                        return
            finally:
                session.subscribers.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def favicon(request):
        return RedirectResponse("/static/icon.svg", 301)

    # -- errors -----------------------------------------------------------------------------

    async def on_server_error(request, exc):
        session = getattr(request.state, "session", None)
        if session is not None and session.ended:
            # Logging in again was refused (password changed, user locked or disabled).
            if request.method == "GET" and not request.url.path.endswith(("/state", ".json")):
                response = RedirectResponse("/signin?why=changed", 303)
                response.delete_cookie(COOKIE, path="/")
                return response
            return desk.error_page(request, 401, i18n.translator(desk.lang(request))("signin.changed"), exc.line)
        return desk.error_page(request, STATUS_OF.get(exc.code, 400), i18n.error_sentence(desk.lang(request), exc.code), exc.line, session=session)

    async def on_unreachable(request, exc):
        session = getattr(request.state, "session", None)
        t = i18n.translator(desk.lang(request))
        if request.url.path.endswith("/state"):
            return JSONResponse({"error": "UNREACHABLE", "sentence": t("err.unreachable")}, status_code=503)
        # A page that could not be read: it loads itself again once the server is back.
        # A form sent meanwhile: one button back to it, filled in as it was (the tab kept it).
        return desk.error_page(request, 503, t("err.unreachable"), session=session, retry=request.method == "GET",
                               back=request.method == "POST")

    async def on_http(request, exc):
        t = i18n.translator(desk.lang(request))
        if exc.status_code == 404:
            return desk.error_page(request, 404, t("err.not_found_page"))
        return desk.error_page(request, exc.status_code, t("err.internal"))

    async def on_crash(request, exc):
        log.error("unhandled error on %s %s\n%s", request.method, request.url.path,
                  "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        try:
            return desk.error_page(request, 500, i18n.translator(desk.lang(request))("err.internal"))
        except Exception:
            return PlainTextResponse("Internal error", status_code=500)

    @asynccontextmanager
    async def lifespan(app):
        reaper = asyncio.get_running_loop().create_task(desk.sessions.reap_forever())
        try:
            yield
        finally:
            reaper.cancel()
            await desk.sessions.close_all()

    routes = [
        Route("/", home),
        Route("/signin", signin_page, methods=["GET"]),
        Route("/signin", signin_post, methods=["POST"]),
        Route("/signout", signout, methods=["POST"]),
        Route("/lang/{code}", set_lang),
        Route("/me", me), Route("/me.json", me),
        Route("/queue", queue), Route("/queue/list", queue_list), Route("/queue/card/{rid}", queue_card),
        Route("/returns", returns_list),
        Route("/returns/{rid}", return_page),
        Route("/returns/{rid}/state", return_state),
        Route("/returns/{rid}/approve", approve, methods=["POST"]),
        Route("/returns/{rid}/reject", reject, methods=["POST"]),
        Route("/returns/{rid}/inspect", inspect, methods=["POST"]),
        Route("/returns/{rid}/void", void, methods=["POST"]),
        Route("/returns/{rid}/cancel", cancel, methods=["POST"]),
        Route("/desk", desk_page), Route("/desk/return", file_return, methods=["POST"]),
        Route("/tills", tills), Route("/tills/{action}", till_action, methods=["POST"]),
        Route("/dashboard", dashboard), Route("/dashboard.csv", dashboard_csv),
        Route("/audit", audit),
        Route("/docs", doc_page), Route("/docs/{doc}", doc_page), Route("/docs/{doc}/slip", slip),
        Route("/events", events),
        Route("/favicon.ico", favicon),
        Mount("/static", StaticFiles(directory=os.path.join(HERE, "static")), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        ServerError: on_server_error, Unreachable: on_unreachable, HTTPException: on_http, Exception: on_crash})
    app.state.desk = desk
    return SecurityHeaders(app, desk)


class SecurityHeaders:
    """Pure ASGI middleware (streams pass through untouched): CSP and friends on every reply."""

    def __init__(self, app, desk):
        self.app, self.desk = app, desk
        self.state = app.state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        secure = self.desk.config.secure_cookies
        started = []

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                started.append(True)
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                         (b"x-frame-options", b"DENY"), (b"permissions-policy", b"camera=(), microphone=(), geolocation=()")]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", CSP.encode()))
                if secure:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers + [(k, v) for k, v in extra if k not in names]
            await send(message)
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Starlette's error middleware has answered with the localized page (and on_crash
            # logged the trace); it raises again only for the server's log: logged already.
            if not started:
                raise
