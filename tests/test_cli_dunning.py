"""`beanfirm dunning` end to end: the table, the drafts read back, failures per client."""

from __future__ import annotations

import email
import json
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from cli_support import ADD_EN, commit_all, snapshot
from conftest import ADD_ZH, STAFF_ENV, run_beanfirm
from statement_support import add_customers

AS_OF = ("--as-of", "2026-04-10")


@pytest.fixture
def shop(practice_with_client: Path) -> Path:
    return add_customers(practice_with_client)


def read_eml(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_drafts_in_each_customers_language_with_the_statement_attached(shop: Path) -> None:
    result = run_beanfirm("dunning", *AS_OF, "--dry-run", cwd=shop)
    assert result.code == 0, result.err
    assert "2 draft reminder(s) would be written (--dry-run: none was)." in result.out
    assert not (shop / ".beanfirm" / "dunning").exists()
    result = run_beanfirm("dunning", *AS_OF, cwd=shop)
    assert result.code == 0, result.err
    assert "Dunning as of 2026-04-10" in result.out
    assert "2 draft reminder(s) written; nothing was sent." in result.out
    folder = shop / ".beanfirm" / "dunning" / "2026-04-10" / "huamei"
    assert sorted(p.name for p in folder.iterdir()) == ["Acme.eml", "Hualian.eml"]
    hualian = read_eml(folder / "Hualian.eml")
    assert hualian["To"] == "上海华联超市有限公司 <ar@hualian.example>"
    assert hualian["From"] == "Bo Preparer <bo@firm.example>"
    assert hualian["Subject"].startswith("最后催款通知")
    assert hualian["Content-Language"] == "zh-CN"
    acme = read_eml(folder / "Acme.eml")
    assert acme["Subject"] == "Final notice of overdue invoices: 华美便利店"
    assert acme["Content-Language"] == "en"
    body = acme.get_body(("plain",))
    assert body is not None
    assert "INV-101  dated 2026-02-05  due 2026-03-07  amount 4,000.00 CNY" in body.get_content()
    (attachment,) = acme.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "Acme-open-item-2026-04-10.pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    assert not [p for p in folder.parent.parent.iterdir() if p.name.startswith(".")]


def test_json_and_a_customer_without_email(shop: Path, tmp_path: Path) -> None:
    accounts = shop / "ledgers/huamei/accounts.beancount"
    text = accounts.read_text(encoding="utf-8")
    accounts.write_text(text.replace('  email: "ap@acme.example"\n', ""), encoding="utf-8")
    commit_all(shop, "Acme has no email")
    result = run_beanfirm(
        "dunning", "huamei", "--as-of", "2026-03-03", "-o", str(tmp_path / "d"), cwd=shop
    )
    assert result.code == 0, result.err
    assert "Hualian" in result.out  # INV-002 falls due on 03-05: the courtesy reminder
    assert "before due" in result.out
    assert "Acme" not in result.out  # INV-101 falls due on 03-07: outside the 3 days
    result = run_beanfirm(
        "dunning", "huamei", *AS_OF, "--json", "-o", str(tmp_path / "d"), cwd=shop
    )
    assert result.code == 0, result.err
    report = json.loads(result.out)
    (client,) = report["clients"]
    assert client["stages"] == {"before-due": 3, "after-due": [7, 14, 30]}
    acme, hualian = client["customers"]
    assert (acme["email"], acme["stage"], acme["final"], acme["language"]) == (None, 3, True, "en")
    assert acme["note"].startswith("no email: the draft has no recipient; add `email:`")
    assert "(ledgers/huamei/accounts.beancount:" in acme["note"]
    assert read_eml(Path(acme["draft"]))["To"] is None
    assert [(i["number"], i["days_overdue"], i["stage"]) for i in hualian["invoices"]] == [
        ("INV-002", 36, 3),
        ("INV-003", 10, 1),
    ]


def test_a_failing_client_is_reported_and_writes_nothing(shop: Path) -> None:
    result = run_beanfirm(*ADD_EN, cwd=shop, env=STAFF_ENV)  # northwind: no customers
    assert result.code == 0, result.err
    jinma = ("clients", "add", "jinma", *ADD_ZH[3:])  # huamei's twin, without letterhead
    result = run_beanfirm(*jinma, cwd=shop, env=STAFF_ENV)
    assert result.code == 0, result.err
    add_customers(shop, "jinma", letterhead=False)
    before = snapshot(shop)
    result = run_beanfirm("dunning", *AS_OF, cwd=shop)
    assert result.code == 2
    assert "Error: jinma: The letterheads of jinma's statements" in result.err
    assert "add `address:` to client 'jinma'" in result.err
    assert "northwind" not in result.err  # nothing to chase: no letterhead needed
    assert "Traceback" not in result.err
    dunning = shop / ".beanfirm" / "dunning" / "2026-04-10"
    assert sorted(p.name for p in dunning.iterdir()) == ["huamei"]
    assert snapshot(shop) == before
    result = run_beanfirm("dunning", *AS_OF, "-x", "-o", str(shop.parent / "x"), cwd=shop)
    assert result.code == 2
    assert "Error: jinma:" in result.err
    assert not (shop.parent / "x" / "huamei").exists()
    assert not [p for p in shop.parent.iterdir() if p.name.startswith(".x")]
