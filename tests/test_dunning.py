"""Dunning: reminder stages, the customers to chase, and the draft emails read back."""

from __future__ import annotations

import datetime
import email
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from accounts_support import load_text
from statement_support import CLIENT_HEAD, FIRM, FIRM_HEAD, HUALIAN, LEDGER

from beanfirm.accounts.dunning import CustomerDunning, customers_to_chase, stage_label, stage_of
from beanfirm.accounts.eml import reminder_message
from beanfirm.accounts.openitems import read_book
from beanfirm.store.contacts import DEFAULT_STAGES, DunningStages

DAY = datetime.date
SENDER = FIRM.staff[0]


@pytest.mark.parametrize(
    ("days", "stage"),
    [
        (-4, None),
        (-3, 0),
        (0, 0),
        (1, None),
        (6, None),
        (7, 1),
        (13, 1),
        (14, 2),
        (29, 2),
        (30, 3),
        (400, 3),
    ],
)
def test_stages_by_days_past_due(days: int, stage: int | None) -> None:
    assert stage_of(days, DEFAULT_STAGES) == stage


def test_custom_stages_and_their_labels() -> None:
    stages = DunningStages(0, (10, 30, 60))
    assert [stage_of(d, stages) for d in (-1, 0, 9, 10, 59, 60)] == [None, None, None, 1, 2, 3]
    assert stage_label(None, stages) == "overdue, reminder from 10d"
    assert stage_label(0, stages) == "before due"
    assert stage_label(2, stages) == "reminder 2 (30d)"
    assert stage_label(3, stages) == "final (60d)"


def chase(tmp_path: Path, as_of: datetime.date, text: str = LEDGER) -> list[CustomerDunning]:
    ledger = load_text(tmp_path, text)
    return customers_to_chase(read_book(ledger.entries, ledger.options), DEFAULT_STAGES, as_of)


def test_customers_to_chase_and_their_stages(tmp_path: Path) -> None:
    acme, hualian = chase(tmp_path, DAY(2026, 4, 10))
    assert [(line.item.number, line.days, line.stage) for line in hualian.lines] == [
        ("INV-002", 36, 3),
        ("INV-003", 10, 1),
    ]
    assert (hualian.stage, hualian.is_final, hualian.overdue) == (3, True, True)
    assert hualian.totals() == {"CNY": 1800}  # the unapplied 300.00 is not an invoice to chase
    assert [(line.item.number, line.days, line.stage) for line in acme.lines] == [
        ("INV-101", 34, 3)
    ]


def test_before_due_only_the_courtesy_window_counts(tmp_path: Path) -> None:
    (hualian,) = chase(tmp_path, DAY(2026, 3, 3))  # INV-002 due 03-05; INV-101 due 03-07: later
    assert hualian.party.account == HUALIAN
    assert [(line.item.number, line.days, line.stage) for line in hualian.lines] == [
        ("INV-002", -2, 0)
    ]
    assert (hualian.stage, hualian.overdue) == (0, False)


def read_back(message: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_a_chinese_final_notice_read_back(tmp_path: Path) -> None:
    _, hualian = chase(tmp_path, DAY(2026, 4, 10))
    pdf = b"%PDF-1.7 test"
    message = read_back(
        reminder_message(
            hualian, CLIENT_HEAD, FIRM_HEAD, SENDER, DAY(2026, 4, 10), "zh", ("Hualian.pdf", pdf)
        )
    )
    assert message["From"] == "赵磊 Zhao Lei <zhao@mingzhang.example>"
    assert message["To"] == "上海华联超市有限公司 <ar@hualian.example>"
    assert message["Reply-To"] == "杭州东升商贸有限公司 <finance@dongsheng.example>"
    assert message["Subject"] == "最后催款通知：杭州东升商贸有限公司"  # noqa: RUF001
    assert message["Content-Language"] == "zh-CN"
    assert message["X-Unsent"] == "1"
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert text.startswith("上海华联超市有限公司：\n\n您好！")  # noqa: RUF001
    assert (
        "INV-002  开票日期 2026-02-03  到期日 2026-03-05  金额 2,500.00 CNY  未付 1,000.00 CNY  已逾期 36 天"
        in text
    )
    assert "合计未付：1,800.00 CNY" in text  # noqa: RUF001
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "Hualian.pdf"
    assert attachment.get_content() == pdf


def test_an_english_courtesy_reminder_and_a_customer_without_email(tmp_path: Path) -> None:
    text = LEDGER.replace('  email: "ar@hualian.example"\n', "")
    (hualian,) = chase(tmp_path, DAY(2026, 3, 3), text)
    message = read_back(
        reminder_message(hualian, CLIENT_HEAD, FIRM_HEAD, SENDER, DAY(2026, 3, 3), "en", None)
    )
    assert message["To"] is None
    assert message["Subject"] == "Payment reminder: invoices from 杭州东升商贸有限公司 falling due"
    assert message["Content-Language"] == "en"
    body = message.get_body(("plain",))
    assert body is not None
    assert "INV-002  dated 2026-02-03  due 2026-03-05" in body.get_content()
    assert "due in 2 days" in body.get_content()
    assert list(message.iter_attachments()) == []


def test_an_invoice_in_no_stage_yet_is_overdue_without_a_reminder_number(tmp_path: Path) -> None:
    hualian = next(c for c in chase(tmp_path, DAY(2026, 3, 8)) if c.party.account == HUALIAN)
    assert [(line.item.number, line.days, line.stage) for line in hualian.lines] == [
        ("INV-002", 3, None)
    ]
    subjects = {
        language: read_back(
            reminder_message(
                hualian, CLIENT_HEAD, FIRM_HEAD, SENDER, DAY(2026, 3, 8), language, None
            )
        )["Subject"]
        for language in ("en", "zh")
    }
    assert subjects == {
        "en": "Overdue invoices: 杭州东升商贸有限公司",
        "zh": "逾期付款提醒：杭州东升商贸有限公司",  # noqa: RUF001
    }


def test_a_name_with_line_breaks_stays_in_its_header(tmp_path: Path) -> None:
    text = LEDGER.replace(
        'name: "上海华联超市有限公司"', 'name: "Hualian\nBcc: thief@evil.example\r"'
    )
    _, hualian = chase(tmp_path, DAY(2026, 4, 10), text)
    message = read_back(
        reminder_message(hualian, CLIENT_HEAD, FIRM_HEAD, SENDER, DAY(2026, 4, 10), "en", None)
    )
    assert message["Bcc"] is None
    assert message["To"] == '"Hualian Bcc: thief@evil.example" <ar@hualian.example>'
