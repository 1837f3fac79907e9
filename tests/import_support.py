"""Helpers for the tests of `beanfirm import`: a practice with a client, and inline exports."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from conftest import STAFF_ENV, Run, git, run_beanfirm

BANK = "Assets:1002-银行存款:招商银行"
ALIPAY = "Assets:1012-其他货币资金:支付宝"
ICBC = "Assets:1002-银行存款:工商银行"
BANK_NUMBER = "6214830012345678"
ICBC_NUMBER = "6222020200001234"

CMB_HEADER = "记账日期,货币,交易金额,联机余额,交易摘要,对手信息,客户摘要\n"
ALIPAY_HEADER = (
    "交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,"
    "商家订单号,备注,\n"
)

CLIENT_ACCOUNTS = (
    f"{BANK},bank,cmb-debit,{BANK_NUMBER}",
    f"{ALIPAY},payment,alipay",
    f"{ICBC},bank,icbc-debit,{ICBC_NUMBER}",
)


def add_client(
    practice: Path, client_id: str = "acme", accounts: tuple[str, ...] = CLIENT_ACCOUNTS
) -> None:
    """Add a client whose books start on 2024-01-01, with the given funding accounts."""
    args = [
        "clients",
        "add",
        client_id,
        "--name",
        "爱可美贸易有限公司",
        "--industry",
        "retail",
        "--frequency",
        "high",
        "--region",
        "shanghai",
        "--size",
        "micro",
        "--preparer",
        "bo",
        "--reviewer",
        "ana",
        "--opened",
        "2024-01-01",
    ]
    for spec in accounts:
        args += ["--account", spec]
    result = run_beanfirm(*args, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err


def cmb(rows: list[tuple[str, str, str, str, str]], opening: str = "0") -> str:
    """A CMB debit export: (date, amount, summary, counterparty, note), running balances."""
    balance = Decimal(opening)
    lines = [CMB_HEADER]
    for date, amount, summary, party, note in rows:
        balance += Decimal(amount)
        lines.append(f"{date},CNY,{amount},{balance},{summary},{party},{note}\n")
    return "".join(lines)


def alipay(rows: list[tuple[str, str, str, str, str, str]]) -> str:
    """An Alipay export: (time, payee, item, 收/支, amount, order number), with a preamble."""
    lines = [
        "支付宝交易记录明细查询\n",
        "账号:[acme@example.com]\n",
        ALIPAY_HEADER,
    ]
    for stamp, payee, item, direction, amount, order in rows:
        lines.append(
            f"{stamp},其他,{payee},/,{item},{direction},{amount},余额,交易成功,{order}\t,,,\n"
        )
    lines.append("-" * 60 + "\n")
    lines.append(f"共{len(rows)}笔记录\n")
    return "".join(lines)


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """Write an export file into a scratch folder next to the practice."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def import_files(practice: Path, *args: str) -> Run:
    """Run `beanfirm import` as the staff member ana."""
    return run_beanfirm("import", *args, cwd=practice, env=STAFF_ENV)


def journal(practice: Path, client_id: str = "acme") -> str:
    """Return every month file of a client, in order, as one text."""
    files = sorted((practice / "ledgers" / client_id / "journal").rglob("*.beancount"))
    return "".join(path.read_text(encoding="utf-8") for path in files)


def transactions_with(practice: Path, text: str, client_id: str = "acme") -> list[str]:
    """Return the transactions of a client's journal that contain `text`."""
    blocks = journal(practice, client_id).split("\n\n")
    return [block for block in blocks if text in block and " balance " not in block]


def head(practice: Path) -> str:
    return git(practice, "rev-parse", "HEAD").strip()


def commit_count(practice: Path) -> int:
    return int(git(practice, "rev-list", "--count", "HEAD").strip())
