"""The desk in a real browser: the system's headless Chromium driven by Playwright (pointed at
`shutil.which("chromium")`; no browser download), against the real server (`--demo`).

1. a clerk files a return on a tablet-sized page; a supervisor's phone-sized page, open before,
   shows it within 2 s without a reload and approves it; the clerk's page shows the document
2. the dashboard's figures equal STATS
3. the Chinese pages render (screenshots in clients/web/test-output/: look at them)
4. a form posted without the CSRF token is refused and nothing changes
5. a clerk sees no approve button; a forged approve comes back as the server's DENIED, a sentence
6. the server stopped and started again: the page says so, then goes on by itself

The README's screenshots (clients/web/docs/*.png) are made here when WEB_DESK_SCREENSHOTS=1.
"""
import os
import shutil
import time
import unittest

from support import OUT, WEB, DeskThread, demo_server, rl, wait_until

from desk import i18n

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover
    sync_playwright = None

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = os.environ.get("WEB_DESK_SCREENSHOTS") == "1"
# Each Chinese character on the page drawn in the page's font, pixel for pixel against the
# "no such glyph" box of characters no font has: a match is a missing glyph (tofu).
MISSING_GLYPHS = r"""() => {
  const font = getComputedStyle(document.body).font;
  const c = document.createElement('canvas'); c.width = 40; c.height = 40;
  const g = c.getContext('2d', {willReadFrequently: true});
  const draw = ch => { g.clearRect(0, 0, 40, 40); g.font = font.replace(/\d+(\.\d+)?px/, '28px'); g.fillText(ch, 4, 32);
                       return Array.from(g.getImageData(0, 0, 40, 40).data).join(','); };
  const tofu = new Set([draw('\u0378'), draw('\uFFFF'), draw('\u{10FFFD}')]);
  const chars = [...new Set([...document.body.innerText].filter(ch => /[\u2e80-\u9fff\uff00-\uffef\u{20000}-\u{2FFFF}]/u.test(ch)))];
  return {count: chars.length, missing: chars.filter(ch => tofu.has(draw(ch)))};
}"""


@unittest.skipIf(sync_playwright is None or CHROMIUM is None, "needs Playwright and the system's chromium")
class InTheBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(OUT, exist_ok=True)
        cls.server = demo_server()
        cls.desk = cls.pw = cls.browser = None
        try:
            cls.desk = DeskThread(cls.server.port)
            cls.pw = sync_playwright().start()
            cls.browser = cls.pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for step in (lambda: cls.browser and cls.browser.close(), lambda: cls.pw and cls.pw.stop(),
                     lambda: cls.desk and cls.desk.stop(), cls.server.close):
            try:
                step()
            except Exception:
                pass

    def setUp(self):
        self.contexts = []

    def tearDown(self):
        for context in self.contexts:
            try:
                context.close()
            except Exception:
                pass

    # -- helpers ----------------------------------------------------------------------------

    def page(self, user, viewport, lang="en-GB,en;q=0.9"):
        context = self.browser.new_context(viewport=viewport, extra_http_headers={"Accept-Language": lang},
                                           locale="zh-CN" if lang.startswith("zh") else "en-GB")
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10000)
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None)
        page.errors = errors
        if user:
            page.goto(self.desk.url + "/signin")
            page.fill("#user", user)
            page.fill("#password", user)
            page.click("form button[type=submit]")
            page.wait_for_selector("main h1")
        return page

    def no_horizontal_scroll(self, page):
        width = page.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(width, page.viewport_size["width"], page.url)

    def touch_targets(self, page):
        small = page.evaluate("""() => [...document.querySelectorAll('main button, main .button, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), main select, header nav a, header button')]
            .filter(e => e.offsetParent !== null).map(e => [e.id || e.name || e.textContent.trim(), e.getBoundingClientRect().height])
            .filter(x => x[1] < 44)""")
        self.assertEqual(small, [], page.url)

    def labelled(self, page):
        """Every visible input has a label a screen reader reads (label[for], a wrapping label or aria-label)."""
        bare = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.id || e.name)""")
        self.assertEqual(bare, [], page.url)

    def no_missing_glyphs(self, page):
        glyphs = page.evaluate(MISSING_GLYPHS)
        self.assertGreater(glyphs["count"], 10, page.url)
        self.assertEqual(glyphs["missing"], [], page.url)

    def sale(self, order, items, customer="C001"):
        with rl(self.server, "clerk1") as c:
            c.sale(order, "STORE1", items, customer=customer)

    def file_on_tablet(self, clerk, order, sku, reason="DEFECTIVE", note=""):
        clerk.goto(self.desk.url + "/desk")
        clerk.fill("#order-id", order)
        clerk.click("#find-order")
        clerk.wait_for_selector("#return-form")
        row = clerk.locator("#return-form tbody tr", has_text=sku)
        row.locator("input[type=checkbox]").check()
        clerk.select_option("#reason", reason)
        if note:
            clerk.fill("#note", note)
        with clerk.expect_navigation():
            clerk.click("#file-return")
        return clerk.url.rsplit("/", 1)[1]

    def shot(self, page, name, docs=False):
        page.screenshot(path=os.path.join(OUT, name), full_page=not docs)
        if docs and SCREENSHOTS:
            page.screenshot(path=os.path.join(WEB, "docs", name), full_page=False)

    # -- 1 ----------------------------------------------------------------------------------

    def test_1_clerk_files_supervisor_phone_sees_it_live_and_approves(self):
        self.sale("S-BR-1", ["A100:2"])
        # Two already waiting (the queue as a supervisor finds it in the morning).
        self.sale("S-BR-1A", ["D500:1"], customer="C002")
        with rl(self.server, "till1") as c:
            c.return_items("S-BR-1A", ["D500:1"], reason="DEFECTIVE", note="不加热 (does not heat)")
            c.return_items("S-1003", ["A200:1"], reason="WRONG_ITEM", note="wanted the 4-slice")
        sup = self.page("supervisor1", PHONE)
        sup.goto(self.desk.url + "/queue")
        sup.evaluate("window.__notReloaded = true")
        sup.wait_for_selector("body[data-live=yes]")  # its event stream is open
        clerk = self.page("clerk1", TABLET)
        self.touch_targets(clerk)
        rid = self.file_on_tablet(clerk, "S-BR-1", "A100", note="lid cracked 盖子裂了")
        filed = time.monotonic()
        self.assertTrue(rid.startswith("R"), clerk.url)
        sup.wait_for_selector("#q-%s" % rid, timeout=2000)
        self.assertLess(time.monotonic() - filed, 2.0)
        self.assertTrue(sup.evaluate("window.__notReloaded === true"), "the queue page was reloaded")
        self.no_horizontal_scroll(sup)
        self.no_horizontal_scroll(clerk)
        self.touch_targets(sup)
        self.labelled(sup)
        self.shot(sup, "supervisor-phone.png", docs=True)
        self.shot(clerk, "clerk-tablet-filed.png")
        sup.click("#q-%s a" % rid)
        sup.wait_for_selector("#approve-button")
        self.assertIn("盖子裂了", sup.inner_text("main"))
        self.no_horizontal_scroll(sup)
        self.touch_targets(sup)
        sup.fill("#approve-note", "checked")
        with sup.expect_navigation():
            sup.click("#approve-button")
        self.assertIn("approved: document RT-", sup.inner_text("main"))
        clerk.wait_for_selector("#doc-line:not([hidden])", timeout=5000)
        doc = clerk.inner_text("#doc-number")
        self.assertRegex(doc, r"^RT-\d{8}-\d{4}$")
        with rl(self.server, "auditor1") as a:
            self.assertEqual(a.call("SHOW", rid)["doc"], doc)
        clerk.click("#slip-receipt")
        clerk.wait_for_selector("pre.receipt")
        self.assertIn(doc, clerk.inner_text("pre.receipt"))
        self.assertEqual(sup.errors + clerk.errors, [])

    def test_keyboard_alone(self):
        """Sign in, find an order, tick a line, choose a reason and file it with the keyboard only."""
        self.sale("S-BR-KB", ["C400:1"])
        page = self.page(None, TABLET)
        page.goto(self.desk.url + "/signin")
        # The user field takes the focus itself (autofocus), which can come a moment after load.
        page.wait_for_selector("#user:focus", timeout=10000)
        page.keyboard.type("clerk1")
        page.keyboard.press("Tab")
        page.keyboard.type("clerk1")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.focus("#order-id")
        page.keyboard.type("S-BR-KB")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.focus("#take_0")
        page.keyboard.press("Space")
        self.assertTrue(page.is_checked("#take_0"))
        page.focus("#reason")
        page.keyboard.press("ArrowDown")
        self.assertNotEqual(page.input_value("#reason"), "")
        page.focus("#file-return")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        self.assertIn("/returns/R", page.url)
        self.labelled(page)

    # -- 2 ----------------------------------------------------------------------------------

    def test_2_dashboard_equals_stats(self):
        self.sale("S-BR-2", ["A100:1", "C400:2"])
        with rl(self.server, "clerk1") as c, rl(self.server, "supervisor1") as s:
            for sku in ("A100:1", "C400:2"):
                r = c.return_items("S-BR-2", [sku], reason="DAMAGED" if sku.startswith("C") else "DEFECTIVE")
                if r.state == "pending":
                    s.approve(r.id)
        page = self.page("auditor1", DESKTOP)
        page.goto(self.desk.url + "/dashboard")
        with rl(self.server, "auditor1") as a:
            stats = a.call("STATS")
            by_reason = {d["reason"]: d for d in a.call("STATS", by="reason").data}
            by_sku = {d["sku"]: d for d in a.call("STATS", by="sku").data}
        for key in ("filed", "approved", "pending", "rejected", "cancelled", "voided"):
            self.assertEqual(page.inner_text('[data-stat="%s"]' % key), stats[key], key)
        for key in ("amount", "fees", "return_rate", "approve_p50_s", "approve_p90_s"):
            self.assertEqual(page.get_attribute('[data-stat="%s"]' % key, "data-raw"), stats[key], key)
        self.assertEqual(page.inner_text('[data-stat="amount"]'), i18n.money("en", stats["amount"]))
        for group, expected in (("reason", by_reason), ("sku", by_sku)):
            rows = page.eval_on_selector_all("#by-%s tr[data-group]" % group,
                                             "rs => rs.map(r => [r.dataset.group, r.querySelector('[data-col=count]').textContent, r.querySelector('[data-col=amount]').dataset.raw])")
            self.assertEqual({g: (c, a) for g, c, a in rows}, {g: (d["count"], d["amount"]) for g, d in expected.items()})
        self.assertEqual(page.locator("svg.chart").count(), 6)
        self.no_horizontal_scroll(page)
        self.touch_targets(page)
        self.shot(page, "dashboard.png", docs=True)
        phone = self.page("auditor1", PHONE)
        phone.goto(self.desk.url + "/dashboard")
        self.no_horizontal_scroll(phone)
        self.assertEqual(page.errors + phone.errors, [])

    # -- 3 ----------------------------------------------------------------------------------

    def test_3_chinese_pages_render(self):
        zh = "zh-CN,zh;q=0.9"
        clerk = self.page("clerk1", PHONE, lang=zh)
        clerk.goto(self.desk.url + "/desk?order=S-1002")
        text = clerk.inner_text("body")
        for label in ("退货柜台", "可退商品", "提交退货", "原因", "退出登录"):
            self.assertIn(label, text)
        self.assertIn("质量问题", clerk.inner_html("#reason"))
        self.no_horizontal_scroll(clerk)
        self.touch_targets(clerk)
        self.labelled(clerk)
        self.no_missing_glyphs(clerk)
        self.shot(clerk, "zh-desk-phone.png")
        sup = self.page("supervisor1", PHONE, lang=zh)
        sup.goto(self.desk.url + "/queue")
        self.assertIn("审核队列", sup.inner_text("h1"))
        self.no_missing_glyphs(sup)
        self.shot(sup, "zh-queue-phone.png")
        fin = self.page("finance1", DESKTOP, lang=zh)
        fin.goto(self.desk.url + "/dashboard")
        self.assertIn("退货报表", fin.inner_text("h1"))
        self.no_missing_glyphs(fin)
        self.shot(fin, "zh-dashboard.png")
        # The glyphs come from a CJK font the system has (the screenshots show them: look at
        # test-output/zh-*.png); fontconfig must know one for Chinese.
        import subprocess
        fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=30).stdout
        self.assertIn("Noto Sans CJK", fonts)
        # Switchable: one tap to English and back.
        clerk.click("a.lang")
        clerk.wait_for_selector("html[lang=en]")
        self.assertIn("Returns counter", clerk.inner_text("h1"))
        self.assertEqual(clerk.errors + sup.errors + fin.errors, [])

    # -- 4 ----------------------------------------------------------------------------------

    def test_4_form_without_csrf_is_refused_and_nothing_changes(self):
        self.sale("S-BR-4", ["A100:1"])
        clerk = self.page("clerk1", TABLET)
        clerk.goto(self.desk.url + "/desk?order=S-BR-4")
        clerk.locator("#return-form tbody tr", has_text="A100").locator("input[type=checkbox]").check()
        clerk.select_option("#reason", "DEFECTIVE")
        clerk.evaluate("document.querySelector('#return-form input[name=csrf]').remove()")
        with clerk.expect_navigation() as nav:
            clerk.click("#file-return")
        self.assertEqual(nav.value.status, 403)
        self.assertEqual(clerk.inner_text("#error-sentence p"), i18n.T["err.csrf"][0])
        with rl(self.server, "auditor1") as a:
            self.assertEqual(a.call("LIST", order="S-BR-4")["total"], "0")
            self.assertEqual(a.call("ORDER", "S-BR-4").data[0]["pending"], "0")

    # -- 5 ----------------------------------------------------------------------------------

    def test_5_clerk_has_no_approve_button_and_a_forged_one_is_denied(self):
        self.sale("S-BR-5", ["A100:1"])
        with rl(self.server, "clerk2") as c:
            rid = c.return_items("S-BR-5", ["A100:1"], reason="DEFECTIVE").id
        clerk = self.page("clerk1", TABLET)
        clerk.goto(self.desk.url + "/returns/" + rid)
        self.assertEqual(clerk.locator("#approve-button").count(), 0)
        self.assertEqual(clerk.locator("form[action$=approve]").count(), 0)
        self.assertNotIn("queue", [a.get_attribute("href").strip("/") for a in clerk.locator("header nav a").all()])
        # Forge it: a form the page never offered, with the session's own CSRF token.
        with clerk.expect_navigation() as nav:
            clerk.evaluate("""rid => { const f = document.createElement('form'); f.method = 'post';
                f.action = '/returns/' + rid + '/approve';
                const c = document.createElement('input'); c.name = 'csrf';
                c.value = document.querySelector('meta[name=csrf-token]').content; f.appendChild(c);
                document.body.appendChild(f); f.submit(); }""", rid)
        self.assertEqual(nav.value.status, 403)
        self.assertEqual(clerk.inner_text(".error p"), i18n.T["err.DENIED"][0])
        clerk.click(".error details summary")
        self.assertIn("ERR DENIED", clerk.inner_text(".error details"))
        with rl(self.server, "auditor1") as a:
            self.assertEqual(a.call("SHOW", rid)["state"], "pending")

    # -- 6 ----------------------------------------------------------------------------------

    def test_6_server_restart_banner_then_goes_on(self):
        sup = self.page("supervisor1", PHONE)
        sup.goto(self.desk.url + "/queue")
        sup.evaluate("window.__notReloaded = true")
        sup.wait_for_selector("body[data-live=yes]")  # its event stream is open
        time_ok = time.monotonic()
        self.server.stop()
        try:
            sup.wait_for_selector("#banner.down:not([hidden])", timeout=5000)
            self.assertEqual(sup.inner_text("#banner"), i18n.T["banner.down"][0])
            self.shot(sup, "server-down-phone.png")
        finally:
            self.server.start()
        sup.wait_for_selector("#banner.up", timeout=10000)
        self.sale("S-BR-6", ["A100:1"])
        with rl(self.server, "clerk1") as c:
            rid = c.return_items("S-BR-6", ["A100:1"], reason="DEFECTIVE").id
        sup.wait_for_selector("#q-%s" % rid, timeout=2000)
        self.assertTrue(sup.evaluate("window.__notReloaded === true"))
        self.assertLess(time.monotonic() - time_ok, 60)


    def test_7_nothing_typed_is_lost_while_the_server_is_away(self):
        self.sale("S-BR-7", ["A100:1"])
        clerk = self.page("clerk1", TABLET)
        clerk.goto(self.desk.url + "/desk?order=S-BR-7")
        clerk.locator("#return-form tbody tr", has_text="A100").locator("input[type=checkbox]").check()
        clerk.select_option("#reason", "DAMAGED")
        clerk.fill("#note", "dented on the left 左侧凹陷")
        self.server.stop()
        try:
            with clerk.expect_navigation() as nav:
                clerk.click("#file-return")
            self.assertEqual(nav.value.status, 503)
            self.assertEqual(clerk.inner_text("#error-sentence p"), i18n.T["err.unreachable"][0])
            clerk.click("#back-to-form")
            # The form's page cannot be read either while the server is away: it says so...
            clerk.wait_for_selector("body[data-retry=yes]")
        finally:
            self.server.start()
        # ...and loads itself again once the server is back, with what was typed filled in.
        clerk.wait_for_selector("#return-form", timeout=15000)
        self.assertEqual(clerk.input_value("#note"), "dented on the left 左侧凹陷")
        self.assertEqual(clerk.input_value("#reason"), "DAMAGED")
        self.assertTrue(clerk.locator("#return-form tbody tr", has_text="A100").locator("input[type=checkbox]").is_checked())
        with clerk.expect_navigation():
            clerk.click("#file-return")
        self.assertIn("/returns/R", clerk.url)
        self.assertIn("左侧凹陷", clerk.inner_text("main"))


if __name__ == "__main__":
    unittest.main()
