"""The words of statements of account and reminders, in Chinese and English.

A small catalogue rather than gettext: the documents beanfirm writes to a client's customers
hold a few dozen phrases, and each is kept with its translation so that neither language can
miss one (a test checks it). The command line itself speaks English.
"""

# ruff: noqa: RUF001 - Chinese text is written with full-width punctuation, as it should be.
from __future__ import annotations

import datetime
from decimal import Decimal

from beanfirm.errors import UsageError
from beanfirm.store.registry import LANGUAGES

LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
LANGUAGE_TAGS = {"zh": "zh-CN", "en": "en"}  # for HTML `lang` and email Content-Language

MESSAGES: dict[str, dict[str, str]] = {
    # Statements: their titles and headings.
    "title.balance-forward": {"zh": "对账单", "en": "Statement of Account"},
    "title.open-item": {"zh": "对账单（未清项目）", "en": "Statement of Open Items"},
    "title.activity": {"zh": "往来明细对账单", "en": "Activity Statement"},
    "to": {"zh": "致", "en": "To"},
    "statement-date": {"zh": "对账日期", "en": "Statement date"},
    "period": {"zh": "对账期间", "en": "Period"},
    "period-range": {"zh": "{start} 至 {end}", "en": "{start} to {end}"},
    "as-of": {"zh": "截至 {date}", "en": "As of {date}"},
    "customer-code": {"zh": "客户编号", "en": "Customer account"},
    "currency": {"zh": "币种", "en": "Currency"},
    "address": {"zh": "地址", "en": "Address"},
    "phone": {"zh": "电话", "en": "Tel"},
    "email": {"zh": "邮箱", "en": "Email"},
    "tax-id": {"zh": "统一社会信用代码", "en": "Tax ID"},
    "prepared-by": {"zh": "编制单位", "en": "Prepared by"},
    "page": {"zh": "第 {page} 页，共 {pages} 页", "en": "Page {page} of {pages}"},
    # Table columns.
    "col.date": {"zh": "日期", "en": "Date"},
    "col.type": {"zh": "类型", "en": "Type"},
    "col.document": {"zh": "单据号", "en": "Document"},
    "col.description": {"zh": "摘要", "en": "Description"},
    "col.charges": {"zh": "应收金额", "en": "Charges"},
    "col.credits": {"zh": "收款及冲减", "en": "Payments and credits"},
    "col.balance": {"zh": "余额", "en": "Balance"},
    "col.due": {"zh": "到期日", "en": "Due date"},
    "col.original": {"zh": "原金额", "en": "Original amount"},
    "col.paid": {"zh": "已收", "en": "Paid"},
    "col.open": {"zh": "未收金额", "en": "Open amount"},
    "col.days-overdue": {"zh": "逾期天数", "en": "Days overdue"},
    "col.currency": {"zh": "币种", "en": "Currency"},
    # Lines and totals.
    "opening": {"zh": "期初余额", "en": "Opening balance"},
    "closing": {"zh": "期末余额", "en": "Closing balance"},
    "totals": {"zh": "本期合计", "en": "Totals for the period"},
    "open-total": {"zh": "未清合计", "en": "Total open"},
    "balance-due": {"zh": "截至 {date} 应付余额", "en": "Balance due on {date}"},
    "not-due": {"zh": "未到期", "en": "not due"},
    "no-activity": {"zh": "本期无往来。", "en": "No transactions in this period."},
    "no-open-items": {"zh": "无未清项目。", "en": "No open items."},
    "kind.invoice": {"zh": "销售发票", "en": "Invoice"},
    "kind.charge": {"zh": "应收款项", "en": "Charge"},
    "kind.payment": {"zh": "收款", "en": "Payment"},
    "kind.credit": {"zh": "冲减（贷项）", "en": "Credit note"},
    "kind.unapplied": {"zh": "未核销收款", "en": "Unapplied payment"},
    "kind.opening": {"zh": "期初余额", "en": "Opening balance"},
    "kind.closing": {"zh": "期末余额", "en": "Closing balance"},
    # The aging summary.
    "aging": {"zh": "账龄（按到期日）", "en": "Aging (by due date)"},
    "aging.current": {"zh": "未到期", "en": "Current"},
    "aging.days": {"zh": "逾期 {low}-{high} 天", "en": "{low}-{high} days"},
    "aging.over": {"zh": "逾期 {low} 天以上", "en": "{low}+ days"},
    "aging.total": {"zh": "合计", "en": "Total"},
    # The note under each type of statement.
    "note.balance-forward": {
        "zh": "本对账单结转期初余额，列示本期全部往来及余额。"
        "如有不符，请于收到后十五日内与我们联系。",
        "en": "This statement carries the opening balance forward and lists every transaction "
        "of the period with the running balance. Please report any difference within 15 days.",
    },
    "note.open-item": {
        "zh": "本对账单列示截至对账日期尚未结清的发票及未核销款项。"
        "如有不符，请于收到后十五日内与我们联系。",
        "en": "This statement lists the invoices still open, and payments not yet applied, on "
        "the statement date. Please report any difference within 15 days.",
    },
    "note.activity": {
        "zh": "本对账单列示本期全部往来，不结转期初余额；期末余额为截至对账日期的账户余额。",
        "en": "This statement lists the transactions of the period without carrying an opening "
        "balance forward; the balance due is the account balance on the statement date.",
    },
    # Reminders (dunning letters).
    "subject.before": {
        "zh": "付款提醒：{client}的发票即将到期",
        "en": "Payment reminder: invoices from {client} falling due",
    },
    "subject.stage": {
        "zh": "逾期付款提醒（第 {stage} 次）：{client}",
        "en": "Overdue invoices, reminder {stage}: {client}",
    },
    "subject.final": {
        "zh": "最后催款通知：{client}",
        "en": "Final notice of overdue invoices: {client}",
    },
    "greeting": {"zh": "{customer}：\n\n您好！", "en": "Dear {customer},"},
    "intro.before": {
        "zh": "以下发票即将到期，烦请按时安排付款：",
        "en": "The following invoices fall due shortly; please arrange payment on time:",
    },
    "intro.stage": {
        "zh": "截至 {date}，以下发票已经逾期，烦请尽快安排付款：",
        "en": "As of {date}, the following invoices are past due; please arrange payment at "
        "your earliest convenience:",
    },
    "intro.later": {
        "zh": "我们此前已就以下逾期发票提醒过贵司，截至 {date} 仍未收到款项。"
        "请于七日内付款，或与我们联系说明情况：",
        "en": "We reminded you earlier of the following overdue invoices, and as of {date} "
        "have not received payment. Please pay within 7 days, or contact us:",
    },
    "intro.final": {
        "zh": "最后通知：截至 {date}，以下发票已严重逾期。如七日内仍未收到款项，"
        "我们将暂停赊销并采取进一步措施：",
        "en": "Final notice: as of {date}, the following invoices are seriously overdue. If "
        "payment is not received within 7 days, we will suspend credit and take further steps:",
    },
    "reminder.line": {
        "zh": "{number}  开票日期 {date}  到期日 {due}  金额 {amount}  未付 {open}  {status}",
        "en": "{number}  dated {date}  due {due}  amount {amount}  open {open}  {status}",
    },
    "reminder.overdue": {"zh": "已逾期 {days} 天", "en": "{days} days overdue"},
    "reminder.due-in": {"zh": "{days} 天后到期", "en": "due in {days} days"},
    "reminder.due-today": {"zh": "今日到期", "en": "due today"},
    "reminder.total": {
        "zh": "合计未付：{amount} {currency}",
        "en": "Total open: {amount} {currency}",
    },
    "reminder.attached": {
        "zh": "随函附上截至 {date} 的对账单（PDF）。如贵司已付款，请忽略本提醒，并告知付款日期。",
        "en": "Your statement as of {date} is attached (PDF). If you have already paid, please "
        "disregard this reminder and let us know the date of payment.",
    },
    "reminder.contact": {
        "zh": "如有疑问，请联系：{contact}",
        "en": "For any question, please contact {contact}.",
    },
    "signoff": {
        "zh": "此致\n敬礼！\n\n{client}\n（{firm} 代为编制）",
        "en": "Kind regards,\n\n{client}\n(prepared on its behalf by {firm})",
    },
}


def check_language(language: str, *, where: str = "--lang") -> str:
    """Return the language if beanfirm writes it, else raise a UsageError that lists them."""
    if language in LANGUAGES:
        return language
    known = ", ".join(f"{code} ({LANGUAGE_NAMES[code]})" for code in LANGUAGES)
    msg = (
        f"Unknown language '{language}' ({where}): statements and reminders are written in "
        f"{known}. Use one of these codes."
    )
    raise UsageError(msg)


class Messages:
    """The catalogue in one language: `Messages("zh")("col.date")` is `日期`."""

    def __init__(self, language: str) -> None:
        self.language = check_language(language)

    def __call__(self, key: str, **fields: object) -> str:
        """Return one phrase, with its `{fields}` filled in."""
        text = MESSAGES[key][self.language]
        return text.format(**fields) if fields else text


def money(number: Decimal) -> str:
    """Format an amount with thousands separators and at least two decimals: `-12,345.60`."""
    exponent = number.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{number:,.{places}f}"


def day(date: datetime.date) -> str:
    """Format a date the same way in both languages (ISO 8601, as ledgers write it)."""
    return date.isoformat()
