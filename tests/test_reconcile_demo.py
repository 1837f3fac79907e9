"""Done when: a month of the demo practice is reconciled from a statement file, end to end.

The demo's huamei-retail keeps its ICBC account reconciled monthly. In a copy of the demo, the
assertion of October 2026 is taken out; a statement of that month is built from the ledger's
own postings in ICBC's export format (the account's importer, `icbc-debit`), and
`beanfirm reconcile` records it. A second copy has two mistakes in October, which are found,
explained, and block the write.
"""

from __future__ import annotations

import datetime
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount.core import data
from cli_support import commit_all, snapshot
from conftest import git, run_beanfirm
from recon_support import icbc_csv

from beanfirm.reconcile.status import reconciled_through
from beanfirm.store.ledger import load_ledger

REPO = Path(__file__).resolve().parent.parent
CLIENT = "huamei-retail"
ICBC = "Assets:1002-银行存款:工商银行"
NUMBER = "6222021001112223334"
OCTOBER = f"ledgers/{CLIENT}/journal/2026/10.beancount"
DOCUMENTS = f"ledgers/{CLIENT}/documents/Assets/1002-银行存款/工商银行"
OCTOBER_ASSERTION = (
    "2026-11-01 balance Assets:1002-银行存款:工商银行                        49767.23 CNY\n"
    '  reconciled-by: "li"\n'
)
LI = {"BEANFIRM_STAFF": "li"}


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A committed copy of the demo practice whose ICBC account is reconciled through September."""
    folder = tmp_path / "demo"
    folder.mkdir()
    for name in ("clients.yaml", "rules.yaml"):
        shutil.copy(REPO / name, folder / name)
    shutil.copytree(REPO / "ledgers", folder / "ledgers")
    (folder / ".gitignore").write_text(".beanfirm/\nledgers/*/inbox/\n", encoding="utf-8")
    git(folder, "init", "-q")
    commit_all(folder, "The demo practice")
    october = folder / OCTOBER
    text = october.read_text(encoding="utf-8")
    assert OCTOBER_ASSERTION in text
    october.write_text(text.replace(OCTOBER_ASSERTION + "\n", ""), encoding="utf-8")
    commit_all(folder, "October's ICBC statement is not reconciled yet")
    return folder


def october_statement(folder: Path) -> Path:
    """Write ICBC's export of October 2026, made from the ledger's own postings."""
    ledger = load_ledger(folder / "ledgers" / CLIENT / "main.beancount")
    opening = Decimal(0)
    lines = []
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction):
            continue
        for posting in entry.postings:
            if posting.account != ICBC or posting.units is None:
                continue
            number = Decimal(posting.units.number or 0)
            if entry.date < datetime.date(2026, 10, 1):
                opening += number
            elif entry.date <= datetime.date(2026, 10, 31):
                payee, narration = entry.payee or "", entry.narration or ""
                lines.append((entry.date.isoformat(), f"{number:.2f}", payee, narration))
    assert len(lines) >= 5
    path = folder.parent / "icbc-2026-10.csv"
    path.write_text(icbc_csv(lines, f"{opening:.2f}", NUMBER), encoding="utf-8")
    return path


def reconcile(folder: Path, statement: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_beanfirm(
        "reconcile",
        CLIENT,
        "--account",
        "工商银行",
        "--statement",
        str(statement),
        "--date",
        "2026-10-31",
        "--json",
        *args,
        cwd=folder,
        env=LI,
    )
    assert result.err == "", result.err
    report: dict[str, Any] = json.loads(result.out)
    return result.code, report


def test_a_month_of_the_demo_is_reconciled_from_its_statement(demo: Path) -> None:
    statement = october_statement(demo)
    before = git(demo, "rev-parse", "HEAD").strip()
    code, report = reconcile(demo, statement)
    assert code == 0
    assert report["outcome"] == "reconciled"
    assert report["opening"] == {
        "statement": "62975.43",
        "ledger": "62975.43",
        "difference": "0.00",
    }
    assert report["closing"]["difference"] == "0.00"
    assert report["lines_not_in_ledger"] == report["outstanding"] == 0
    # The assertion, with its metadata, is where the demo had it.
    assert report["assertion"] == (
        "2026-11-01 balance Assets:1002-银行存款:工商银行                        49767.23 CNY\n"
        '  statement: "documents/Assets/1002-银行存款/工商银行/2026-10-31.icbc-2026-10.csv"\n'
        '  reconciled-by: "li"\n'
    )
    assert str(report["assertion"]) in (demo / OCTOBER).read_text(encoding="utf-8")
    # The statement and both reports are archived, in one commit by Li Na.
    for name in ("icbc-2026-10.csv", "reconciliation.html", "reconciliation.csv"):
        assert (demo / DOCUMENTS / f"2026-10-31.{name}").is_file(), name
    assert git(demo, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert git(demo, "log", "-1", "--format=%an").strip() == "李娜 Li Na"
    assert git(demo, "status", "--porcelain") == ""
    # The books check clean, and the plugin counts October as reconciled.
    check = run_beanfirm("check", CLIENT, "--no-cache", cwd=demo)
    assert check.code == 0, check.out
    ledger = load_ledger(demo / "ledgers" / CLIENT / "main.beancount")
    assert reconciled_through(ledger.entries)[ICBC].through == datetime.date(2026, 10, 31)


def test_a_deliberate_difference_is_found_explained_and_nothing_written(demo: Path) -> None:
    statement = october_statement(demo)
    october = demo / OCTOBER
    text = october.read_text(encoding="utf-8")
    # The purchase of 2026-10-14 typed with two digits swapped; the rent of 2026-10-05 lost.
    assert "1752.09 CNY" in text
    text = text.replace("1752.09 CNY", "1725.09 CNY")
    rent = '2026-10-05 * "上海恒基物业" "房租"\n'
    start = text.index(rent)
    text = text[:start] + text[text.index("\n\n", start) + 2 :]
    october.write_text(text, encoding="utf-8")
    commit_all(demo, "Two mistakes in October")
    before = snapshot(demo)
    code, report = reconcile(demo, statement)
    assert code == 1
    assert snapshot(demo) == before
    assert report["outcome"] == "differs"
    assert report["closing"]["difference"] == "-3027.00"
    assert [(d["date"], d["kind"], d["effect"]) for d in report["differences"]] == [
        ("2026-10-05", "missing", "-3000.00"),
        ("2026-10-14", "amount", "-27.00"),
    ]
    causes = [str(d["cause"]) for d in report["differences"]]
    assert causes[0].startswith("missing entry: on the statement, not in the ledger")
    assert causes[1].startswith(
        "amount typed wrong (two digits transposed): the statement says -1752.09, the entry "
        "of 2026-10-14"
    )
