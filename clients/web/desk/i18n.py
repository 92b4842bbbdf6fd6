"""Every label, message and error of the desk in English and Simplified Chinese (zh-CN).

`translator(lang)` gives `t(key, **values)`; a key missing in one language is a bug the tests
catch (`test_routes.I18nTests`). Server error codes map to sentences under `err.CODE`; the
server's own text is shown next to them.
"""
import datetime
import decimal

LANGS = ("en", "zh-CN")
DEFAULT = "en"

T = {
    # chrome
    "app.title": ("ReturnLedger desk", "ReturnLedger 退货台"),
    "nav.queue": ("Review queue", "审核队列"),
    "nav.desk": ("Returns counter", "退货柜台"),
    "nav.dashboard": ("Dashboard", "报表"),
    "nav.audit": ("Audit trail", "审计记录"),
    "nav.tills": ("Tills", "钱箱"),
    "nav.returns": ("Returns", "退货单"),
    "nav.me": ("Who am I", "我的账户"),
    "nav.skip": ("Skip to content", "跳到正文"),
    "lang.switch": ("中文", "English"),
    "lang.label": ("Language", "语言"),
    "signout": ("Sign out", "退出登录"),
    "banner.down": ("The returns server cannot be reached. Retrying by itself; nothing you typed is lost.",
                    "无法连接退货服务器，正在自动重试；您输入的内容不会丢失。"),
    "banner.desk_down": ("This desk cannot be reached. Retrying…", "无法连接本网页服务，正在重试……"),
    "banner.up": ("Connected to the returns server again.", "已重新连接到退货服务器。"),
    "banner.signedout": ("Your session has ended. Please sign in again.", "您的会话已结束，请重新登录。"),
    # sign in
    "signin.title": ("Sign in", "登录"),
    "signin.user": ("User name", "用户名"),
    "signin.password": ("Password", "密码"),
    "signin.submit": ("Sign in", "登录"),
    "signin.demo": ("Demo users: clerk1, supervisor1, finance1, auditor1 (password = user name).",
                    "演示用户：clerk1、supervisor1、finance1、auditor1（密码与用户名相同）。"),
    "signin.slow": ("Too many sign-in attempts from here. Wait {seconds} seconds and try again.",
                    "此处登录尝试过多，请等待 {seconds} 秒后再试。"),
    "signin.changed": ("The server no longer accepts your sign-in (the password was changed, or the user locked or disabled). Please sign in again.",
                       "服务器不再接受您的登录（密码已更改，或用户被锁定、停用），请重新登录。"),
    "signin.ended": ("You were signed out.", "您已退出登录。"),
    "signin.idle": ("Your session ended after {minutes} minutes without use. Please sign in again.",
                    "会话闲置 {minutes} 分钟后已结束，请重新登录。"),
    # who am i
    "me.title": ("Who am I", "我的账户"),
    "me.user": ("User", "用户"),
    "me.role": ("Role", "角色"),
    "me.stores": ("Stores", "门店"),
    "me.session": ("Server session", "服务器会话"),
    "me.all_stores": ("every store", "全部门店"),
    "role.clerk": ("clerk", "店员"),
    "role.supervisor": ("supervisor", "主管"),
    "role.finance": ("finance", "财务"),
    "role.auditor": ("auditor", "审计"),
    "role.admin": ("administrator", "管理员"),
    # fields
    "f.id": ("Return", "退货单"),
    "f.state": ("State", "状态"),
    "f.kind": ("Kind", "类型"),
    "f.order": ("Order", "订单"),
    "f.party": ("Customer / supplier", "客户 / 供应商"),
    "f.customer": ("Customer", "客户"),
    "f.location": ("Store", "门店"),
    "f.amount": ("Amount", "金额"),
    "f.reason": ("Reason", "原因"),
    "f.note": ("Note", "备注"),
    "f.filed_by": ("Filed by", "提交人"),
    "f.filed_at": ("Filed at", "提交时间"),
    "f.doc": ("Document", "单据号"),
    "f.sku": ("SKU", "商品编码"),
    "f.qty": ("Qty", "数量"),
    "f.price": ("Price", "单价"),
    "f.batch": ("Batch", "批次"),
    "f.returnable": ("Returnable", "可退数量"),
    "f.returned": ("Returned", "已退"),
    "f.pending": ("Pending", "待审"),
    "f.at": ("When", "时间"),
    "f.user": ("User", "用户"),
    "f.action": ("Action", "操作"),
    "f.total": ("Total", "合计"),
    "f.exchange": ("Exchange items", "换货商品"),
    "f.status": ("Status", "状态"),
    "f.count": ("Returns", "退货数"),
    "f.share": ("Share", "占比"),
    "f.fee": ("Restocking fee %", "重新上架费 %"),
    "f.refund": ("Refund to", "退款方式"),
    "f.net": ("Net", "净额"),
    "f.date": ("Date", "日期"),
    "kind.sale": ("customer return", "客户退货"),
    "kind.purchase": ("return to supplier", "退回供应商"),
    "walkin": ("walk-in customer", "散客"),
    "noreceipt": ("no receipt", "无小票"),
    "state.pending": ("waiting for review", "待审核"),
    "state.second_review": ("waiting for the second approval", "待二次审批"),
    "state.approved": ("approved", "已批准"),
    "state.inspecting": ("approved, goods waiting for inspection", "已批准，待验货"),
    "state.completed": ("completed", "已完成"),
    "state.rejected": ("rejected", "已拒绝"),
    "state.cancelled": ("cancelled", "已取消"),
    "state.voided": ("voided", "已作废"),
    # queue
    "queue.title": ("Review queue", "审核队列"),
    "queue.empty": ("Nothing waits for you.", "暂无待您审核的退货。"),
    "queue.count": ("{n} waiting", "{n} 项待处理"),
    "queue.pending": ("Waiting for review", "待审核"),
    "queue.second": ("Second approval", "二次审批"),
    "queue.live": ("Live: new returns appear here by themselves.", "实时：新的退货会自动出现在这里。"),
    "queue.new": ("New", "新退货"),
    "queue.open": ("Review", "审核"),
    "queue.own": ("filed by you: another supervisor reviews it", "由您提交：须由其他主管审核"),
    "queue.first_by": ("first approval by {user}", "{user} 已初审"),
    "queue.closed": ("{id} is now {state} (by {by})", "{id} 现为{state}（{by}）"),
    # return page
    "ret.title": ("Return {id}", "退货单 {id}"),
    "ret.items": ("Items", "商品"),
    "ret.history": ("History", "处理记录"),
    "ret.customer_history": ("Customer's returns in the last {days} days", "该客户最近 {days} 天的退货"),
    "ret.customer_none": ("No other returns.", "没有其他退货。"),
    "ret.approve": ("Approve", "批准"),
    "ret.reject": ("Reject", "拒绝"),
    "ret.inspect": ("Record inspection", "记录验货结果"),
    "ret.disposition": ("What becomes of the goods", "商品处理方式"),
    "disp.restock": ("back on the shelf", "重新上架"),
    "disp.scrap": ("scrap", "报废"),
    "disp.vendor": ("hold for the supplier", "退回供应商"),
    "disp.refurbish": ("to repair", "送修"),
    "refund.original": ("the way it was paid", "原路退回"),
    "refund.cash": ("cash", "现金"),
    "refund.credit": ("store credit", "店铺余额"),
    "refund.parts": ("in parts, as written below", "按下方所填分项退款"),
    "refund.parts_label": ("Refund parts (when \"in parts\")", "退款分项（选择“分项”时填写）"),
    "ret.tender": ("The customer pays the exchange's difference with", "顾客补差价的付款方式"),
    "ret.tender_hint": ("Empty: cash. Or e.g. card:14.90#4242", "留空为现金；或如 card:14.90#4242"),
    "ret.fee_hint": ("Empty: the reason's own fee.", "留空：按原因的默认费率。"),
    "ret.reject_note": ("Why (the customer hears this)", "拒绝原因（会告知顾客）"),
    "ret.approved": ("{id} approved: document {doc}.", "{id} 已批准：单据号 {doc}。"),
    "ret.first_approved": ("{id}: first approval given; it now waits for the second.", "{id}：已初审通过，等待二次审批。"),
    "ret.rejected": ("{id} rejected.", "{id} 已拒绝。"),
    "ret.inspected": ("{id}: inspection recorded ({left} units left).", "{id}：验货已记录（剩余 {left} 件）。"),
    "ret.void": ("Void this approval", "作废此审批"),
    "ret.void_hint": ("A mistaken approval is reversed by a void document; nothing is deleted. Another supervisor than its approvers must do it.",
                      "错误的审批以作废单据冲销，不删除任何记录；须由审批人以外的主管操作。"),
    "ret.void_note": ("What was wrong", "错误说明"),
    "ret.voided": ("{id} voided: document {doc} (owed {owed}).", "{id} 已作废：单据 {doc}（应收 {owed}）。"),
    "ret.unit_by_unit": ("Unit by unit", "逐件处理"),
    "ret.unit_hint": ("SKU:QTY for each decision (e.g. B300:2); units not named stay in quarantine for later.",
                      "每种处理方式填写 编码:数量（如 B300:2）；未填写的商品留在待检区，稍后处理。"),
    "ret.unit_rest": ("and the rest as chosen above", "其余按上方所选处理"),
    "ret.cancel": ("Cancel this return", "取消此退货"),
    "ret.cancelled": ("{id} cancelled.", "{id} 已取消。"),
    "ret.rma": ("Supplier's RMA number", "供应商退货授权号（RMA）"),
    "ret.override_tender": ("Refund anyway, against the tender policy (audited)", "不符合退款规则仍退款（记入审计）"),
    "desk.override": ("File anyway: I waive the customer's limit or final sale (audited)", "仍然提交：豁免客户次数上限或最终销售限制（记入审计）"),
    "queue.history": ("{n} returns by this customer in {days} days", "该客户 {days} 天内退货 {n} 次"),
    "ret.filed": ("Return {id} filed: {state}.", "退货单 {id} 已提交：{state}。"),
    "ret.live": ("This page follows the return's state by itself.", "本页会自动更新退货状态。"),
    "ret.print_receipt": ("Print slip (80 mm)", "打印小票（80 毫米）"),
    "ret.print_a4": ("Print A4", "打印 A4"),
    "ret.lookup": ("Look up a return", "查询退货单"),
    "ret.lookup_id": ("Return number (R000001)", "退货单号（R000001）"),
    "ret.show": ("Show", "查看"),
    # clerk desk
    "desk.title": ("Returns counter", "退货柜台"),
    "desk.find": ("Find the order", "查找订单"),
    "desk.order_id": ("Order number", "订单号"),
    "desk.customer_id": ("or customer number", "或客户编号"),
    "desk.search": ("Find", "查找"),
    "desk.lines": ("What can still be returned", "可退商品"),
    "desk.take": ("Return", "退回"),
    "desk.take_line": ("Return {sku}", "退回 {sku}"),
    "desk.file": ("File the return", "提交退货"),
    "desk.nothing": ("Nothing left to return on this order.", "此订单已无可退商品。"),
    "desk.none_ticked": ("Tick at least one line.", "请至少勾选一行商品。"),
    "desk.noreceipt": ("No receipt", "无小票退货"),
    "desk.noreceipt_items": ("Items (SKU:QTY, separated by spaces)", "商品（编码:数量，用空格分隔）"),
    "desk.exchange_hint": ("Optional: SKU:QTY, separated by commas", "可选：编码:数量，用逗号分隔"),
    "desk.customer_returns": ("Returns of customer {id}", "客户 {id} 的退货"),
    "desk.return_location": ("Returned at", "退货门店"),
    "desk.choose": ("— choose the reason —", "— 请选择原因 —"),
    "order.open": ("nothing returned yet", "尚无退货"),
    "order.partially_returned": ("partly returned", "部分已退"),
    "order.returned": ("all returned", "已全部退货"),
    "desk.same_store": ("the order's store", "订单所在门店"),
    # tills
    "till.title": ("Tills", "钱箱"),
    "till.name": ("Till", "钱箱编号"),
    "till.optional": ("Till (optional: money through this drawer)", "钱箱（可选：经此钱箱收付）"),
    "till.open": ("Open a till", "开启钱箱"),
    "till.float": ("Float", "备用金"),
    "till.payin": ("Pay in", "存入现金"),
    "till.payout": ("Pay out", "取出现金"),
    "till.close": ("Close and count", "清点并关闭"),
    "till.counted": ("Counted cash", "实点现金"),
    "till.amount": ("Amount", "金额"),
    "till.sessions": ("Sessions", "钱箱记录"),
    "till.state.open": ("open", "开启中"),
    "till.state.closed": ("closed", "已关闭"),
    "till.blind": ("Clerks count blind: the expected cash is shown once the till is closed.", "店员盲点：钱箱关闭后才显示应有现金。"),
    "till.done.open": ("{till} opened (session {session}, float {amount}).", "{till} 已开启（记录 {session}，备用金 {amount}）。"),
    "till.done.payin": ("{amount} paid into {till}.", "已向 {till} 存入 {amount}。"),
    "till.done.payout": ("{amount} paid out of {till}.", "已从 {till} 取出 {amount}。"),
    "till.done.close": ("{till} closed: expected {expected}, counted {counted}, variance {variance}.",
                        "{till} 已关闭：应有 {expected}，实点 {counted}，差异 {variance}。"),
    # dashboard
    "dash.title": ("Returns dashboard", "退货报表"),
    "dash.from": ("From", "开始日期"),
    "dash.to": ("To", "结束日期"),
    "dash.store": ("Store", "门店"),
    "dash.all": ("all stores", "全部门店"),
    "dash.apply": ("Show", "查看"),
    "dash.csv": ("Download CSV", "下载 CSV"),
    "dash.filed": ("Filed", "已提交"),
    "dash.approved": ("Approved", "已批准"),
    "dash.rejected": ("Rejected", "已拒绝"),
    "dash.pending": ("Pending", "待审"),
    "dash.cancelled": ("Cancelled", "已取消"),
    "dash.voided": ("Voided", "已作废"),
    "dash.amount": ("Amount approved", "批准金额"),
    "dash.rate": ("Return rate", "退货率"),
    "dash.p50": ("Time to approval (median)", "审批用时（中位数）"),
    "dash.p90": ("Time to approval (90%)", "审批用时（90%）"),
    "dash.fees": ("Restocking fees", "重新上架费"),
    "dash.tax": ("Tax", "税额"),
    "dash.by.reason": ("By reason", "按原因"),
    "dash.by.sku": ("By SKU", "按商品"),
    "dash.by.location": ("By store", "按门店"),
    "dash.by.clerk": ("By clerk", "按店员"),
    "dash.by.day": ("By day", "按日期"),
    "dash.refunds": ("Refunds by tender", "按退款方式"),
    "dash.tills": ("Till variances", "钱箱差异"),
    "dash.till": ("Till", "钱箱"),
    "dash.expected": ("Expected", "应有"),
    "dash.counted": ("Counted", "实点"),
    "dash.variance": ("Variance", "差异"),
    "dash.tender.cash": ("cash", "现金"),
    "dash.tender.card": ("card", "银行卡"),
    "dash.tender.credit": ("store credit", "店铺余额"),
    "dash.tender.other": ("other", "其他"),
    "dash.empty": ("No approved returns in this range.", "此期间没有已批准的退货。"),
    "dash.seconds": ("{n} s", "{n} 秒"),
    "dash.chart": ("Chart: {title}", "图表：{title}"),
    # audit
    "audit.title": ("Audit trail", "审计记录"),
    "audit.peer": ("From", "来源"),
    "audit.command": ("Command", "命令"),
    "audit.target": ("Target", "对象"),
    "audit.outcome": ("Outcome", "结果"),
    "audit.next": ("Next page", "下一页"),
    "audit.first": ("First page", "第一页"),
    "audit.newest": ("Newest entries", "最新记录"),
    "audit.after": ("After entry", "起始序号"),
    "audit.go": ("Go", "前往"),
    "list.title": ("Returns", "退货单"),
    "list.next": ("Older", "更早"),
    "list.empty": ("No returns.", "没有退货单。"),
    "doc.title": ("Document {doc}", "单据 {doc}"),
    "doc.lookup": ("Document number (RT-…)", "单据号（RT-…）"),
    "doc.approved_by": ("Approved by", "批准人"),
    # errors
    "err.title": ("Something went wrong", "出错了"),
    "err.server_said": ("The server said", "服务器原文"),
    "err.internal": ("The desk hit an unexpected problem. Please try again; if it goes on, tell your administrator.",
                     "网页服务遇到意外问题，请重试；若持续出现，请联系管理员。"),
    "err.not_found_page": ("There is no such page.", "没有这个页面。"),
    "err.csrf": ("This form has expired or did not come from this desk. Reload the page and try again; nothing was changed.",
                 "此表单已过期或并非来自本网页，请刷新后重试；未做任何更改。"),
    "err.unreachable": ("The returns server cannot be reached right now. Nothing was changed; what you typed is kept. Try again in a moment.",
                        "暂时无法连接退货服务器。未做任何更改，您输入的内容已保留，请稍后重试。"),
    "err.back_to_form": ("Back to the form (what you typed is still there)", "返回表单（您输入的内容仍在）"),
    "err.password_long": ("That password is too long.", "密码太长。"),
    "err.form": ("Please check the form.", "请检查表单。"),
    "err.SYNTAX": ("The request was not understood. Check what you typed.", "请求格式有误，请检查输入内容。"),
    "err.UNKNOWN_COMMAND": ("The server does not know this step.", "服务器不支持此操作。"),
    "err.TOO_LONG": ("What you typed is too long.", "输入内容太长。"),
    "err.ENCODING": ("The text could not be read.", "无法识别输入的文字。"),
    "err.NOAUTH": ("Please sign in again.", "请重新登录。"),
    "err.AUTH": ("Wrong user name or password.", "用户名或密码错误。"),
    "err.LOCKED": ("This user is locked after too many failed sign-ins. Wait 15 minutes or ask an administrator.",
                   "登录失败次数过多，该用户已被锁定。请等待 15 分钟或联系管理员。"),
    "err.DENIED": ("You are not allowed to do this (your role or your stores do not cover it).",
                   "您无权执行此操作（超出您的角色或门店范围）。"),
    "err.SELF_APPROVAL": ("You filed or already approved this return; another supervisor must review it.",
                          "此退货由您提交或已由您审批，必须由另一位主管审核。"),
    "err.NOT_FOUND": ("Not found. Check the number.", "未找到，请核对编号。"),
    "err.EXISTS": ("That already exists.", "该记录已存在。"),
    "err.CONFLICT": ("This was already sent with different details.", "此请求已用不同内容提交过。"),
    "err.INVALID": ("A value is not valid (an amount, a quantity, a reason or a date).", "有数值无效（金额、数量、原因或日期）。"),
    "err.EXCEEDS": ("More than is left to return on this order.", "退货数量超过订单剩余可退数量。"),
    "err.EXPIRED": ("The sale is outside the return window.", "此销售已超过退货期限。"),
    "err.FINAL_SALE": ("This item was sold as final sale and cannot be returned (a supervisor may override).",
                       "此商品为最终销售，不可退货（主管可特批）。"),
    "err.STATE": ("This return is not in a state for that step any more.", "此退货当前状态不能执行该操作。"),
    "err.STOCK": ("Not enough goods in stock for this step; nothing was changed.", "库存不足，未做任何更改。"),
    "err.OVER_LIMIT": ("This customer has reached the return limit; a supervisor may file it anyway.",
                       "该客户已达退货次数上限；主管可特批提交。"),
    "err.TENDER": ("The refund does not fit how the sale was paid.", "退款方式与原付款方式不符。"),
    "err.CREDIT": ("Not enough store credit.", "店铺余额不足。"),
    "err.CLOSED": ("That business day is closed.", "该营业日已结账。"),
    "err.RMA_REQUIRED": ("The supplier wants its RMA number for this return.", "供应商要求提供退货授权号（RMA）。"),
    "err.SERIAL": ("A serial number is not where this step needs it.", "序列号状态不符合此操作。"),
    "err.CHAIN": ("A stored document does not match its check value. Tell your administrator.", "单据校验不一致，请联系管理员。"),
    "err.LIMIT": ("The server is busy. Try again in a moment.", "服务器繁忙，请稍后重试。"),
    "err.STORAGE": ("The server cannot store changes right now. Tell your administrator.", "服务器暂时无法保存更改，请联系管理员。"),
    "err.BACKUP": ("A backup could not be written.", "备份写入失败。"),
    "err.READONLY": ("This server takes no changes (it is a standby).", "此服务器只读（备用服务器）。"),
    "err.INTERNAL": ("The server hit a bug. Tell your administrator.", "服务器内部错误，请联系管理员。"),
    "err.other": ("The server refused: {code}.", "服务器拒绝了请求：{code}。"),
    "ok": ("Done.", "完成。"),
    "back": ("Back", "返回"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
}

REASONS_ZH = {
    "DEFECTIVE": "质量问题", "DAMAGED": "破损", "WRONG_ITEM": "发错货", "NOT_AS_DESCRIBED": "与描述不符",
    "CUSTOMER_REJECTED": "客户拒收", "CHANGED_MIND": "不想要了", "EXPIRED": "过期",
    "PURCHASE_ERROR": "采购错误", "OTHER": "其他",
}


def pick(accept_language, cookie=None):
    """The language: the cookie's choice, else the first of Accept-Language we speak."""
    if cookie in LANGS:
        return cookie
    best = (0.0, DEFAULT)
    for part in (accept_language or "").split(","):
        bits = part.strip().split(";")
        tag = bits[0].strip().lower()
        q = 1.0
        for b in bits[1:]:
            b = b.strip()
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        lang = "zh-CN" if tag.startswith("zh") else "en" if tag.startswith("en") else None
        if lang and q > best[0]:
            best = (q, lang)
    return best[1]


def translator(lang):
    index = 1 if lang == "zh-CN" else 0

    def t(key, **values):
        entry = T.get(key)
        text = entry[index] if entry else key
        return text.format(**values) if values else text
    return t


def error_sentence(lang, code):
    t = translator(lang)
    key = "err." + code
    return t(key) if key in T else t("err.other", code=code)


def reason_label(lang, code, server_label=""):
    if lang == "zh-CN" and code in REASONS_ZH:
        return REASONS_ZH[code]
    return server_label or code.replace("_", " ").capitalize()


def money(lang, value):
    """Money as the locale writes it: 1,234.50 (en), ¥1,234.50 is not assumed: the shop's
    currency is not known, so both show grouped digits and two decimals."""
    if value in (None, ""):
        return ""
    try:
        d = decimal.Decimal(value)
    except decimal.InvalidOperation:
        return value
    return "{:,.2f}".format(d)


def when(lang, value):
    """An ISO UTC time or date as the locale writes it (UTC, said so)."""
    if not value:
        return ""
    try:
        if len(value) == 10:
            d = datetime.date.fromisoformat(value)
            return "%d年%d月%d日" % (d.year, d.month, d.day) if lang == "zh-CN" else d.strftime("%-d %b %Y")
        dt = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return value
    if lang == "zh-CN":
        return "%d年%d月%d日 %02d:%02d UTC" % (dt.year, dt.month, dt.day, dt.hour, dt.minute)
    return dt.strftime("%-d %b %Y %H:%M UTC")
