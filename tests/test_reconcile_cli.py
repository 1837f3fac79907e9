"""`beanfirm reconcile` end to end: statements against a ledger, one commit, or nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from cli_support import HUAMEI_JANUARY, snapshot
from conftest import git, run_beanfirm
from recon_support import (
    ICBC,
    ICBC_FOLDER,
    JANUARY,
    JANUARY_CLOSING,
    JANUARY_LINES,
    head,
    icbc_csv,
    reconcile,
    reconcile_json,
    statement_file,
    write_month,
)

from beanfirm.importers.csvengine import StatementImporter
from beanfirm.importers.presets import PRESETS

if TYPE_CHECKING:
    from pathlib import Path

ASSERTION = (
    "2025-02-01 balance Assets:1002-银行存款:工商银行                         8547.19 CNY\n"
    '  statement: "documents/Assets/1002-银行存款/工商银行/2025-01-31.icbc-2025-01.csv"\n'
    '  reconciled-by: "ana"\n'
)


def _january(practice: Path) -> Path:
    write_month(practice, "2025/01", JANUARY, "January")
    return statement_file(practice, "icbc-2025-01.csv", icbc_csv(JANUARY_LINES))


def test_a_statement_that_agrees_is_recorded_in_one_commit(practice_with_client: Path) -> None:
    folder = practice_with_client
    statement = _january(folder)
    before = head(folder)
    result = reconcile(folder, "--statement", str(statement), "--date", "2025-01-31")
    assert (result.code, result.err) == (0, ""), result.err
    assert "4 statement lines: 4 matched, 0 not in the ledger" in result.out
    assert "Reconciled. Commit" in result.out
    # One commit, by the staff member, with exactly the assertion, the statement and reports.
    assert git(folder, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert (
        git(folder, "log", "-1", "--format=%an <%ae>").strip() == "Ana Partner <ana@firm.example>"
    )
    changed = sorted(git(folder, "show", "--name-only", "--format=", "HEAD", "-z").split("\0"))
    assert [path for path in changed if path] == sorted(
        [
            HUAMEI_JANUARY,
            f"{ICBC_FOLDER}/2025-01-31.icbc-2025-01.csv",
            f"{ICBC_FOLDER}/2025-01-31.reconciliation.csv",
            f"{ICBC_FOLDER}/2025-01-31.reconciliation.html",
        ]
    )
    # The month file gains lines and loses none; the archived statement is the file itself.
    diff = git(folder, "show", "--format=", "-U0", "HEAD", "--", HUAMEI_JANUARY)
    removed = [
        row for row in diff.splitlines() if row.startswith("-") and not row.startswith("---")
    ]
    assert removed == []
    text = (folder / HUAMEI_JANUARY).read_text(encoding="utf-8")
    assert text.endswith(
        '2025-01-31 document Assets:1002-银行存款:工商银行 "../../documents/Assets/1002-银行存款/'
        '工商银行/2025-01-31.icbc-2025-01.csv"\n\n'
        '2025-01-31 document Assets:1002-银行存款:工商银行 "../../documents/Assets/1002-银行存款/'
        '工商银行/2025-01-31.reconciliation.html"\n\n'
        '2025-01-31 document Assets:1002-银行存款:工商银行 "../../documents/Assets/1002-银行存款/'
        '工商银行/2025-01-31.reconciliation.csv"\n\n' + ASSERTION
    )
    archived = folder / ICBC_FOLDER / "2025-01-31.icbc-2025-01.csv"
    assert archived.read_bytes() == statement.read_bytes()
    message = git(folder, "log", "-1", "--format=%B")
    assert message.startswith("Reconcile huamei 工商银行 through 2025-01-31: 8547.19 CNY\n")
    assert (
        "4 statement lines matched to the ledger (0 by import-id, 4 by amount and date)" in message
    )
    assert git(folder, "status", "--porcelain") == ""


def test_the_report_lists_figures_and_every_match(practice_with_client: Path) -> None:
    folder = practice_with_client
    statement = _january(folder)
    report = reconcile_json(folder, "--statement", str(statement), "--date", "2025-01-31")
    assert report["outcome"] == "reconciled"
    assert (report["start"], report["end"]) == ("2025-01-01", "2025-01-31")
    assert report["opening"] == {"statement": "0.00", "ledger": "0.00", "difference": "0.00"}
    assert report["closing"] == {
        "statement": JANUARY_CLOSING,
        "ledger": JANUARY_CLOSING,
        "difference": "0.00",
    }
    assert [(m["date"], m["amount"], m["by"]) for m in report["matched"]] == [
        ("2025-01-01", "10000.00", "amount"),
        ("2025-01-05", "-3000.00", "amount"),
        ("2025-01-10", "-201.35", "amount"),
        ("2025-01-20", "1748.54", "amount"),
    ]
    assert report["differences"] == []
    assert report["reports"] == [
        f"{ICBC_FOLDER}/2025-01-31.reconciliation.html",
        f"{ICBC_FOLDER}/2025-01-31.reconciliation.csv",
    ]
    csv_report = (folder / ICBC_FOLDER / "2025-01-31.reconciliation.csv").read_text("utf-8-sig")
    assert csv_report.splitlines()[:6] == [
        "section,date,amount,currency,description,statement_line,ledger,kind,effect,cause",
        "balance,2025-01-01,0.00,CNY,statement opening balance,,,,,",
        "balance,2025-01-01,0.00,CNY,ledger opening balance,,,,,",
        "balance,2025-01-31,8547.19,CNY,statement closing balance,,,,,",
        "balance,2025-01-31,8547.19,CNY,ledger closing balance,,,,,",
        "balance,2025-01-31,0.00,CNY,closing difference (statement - ledger),,,,,",
    ]
    html = (folder / ICBC_FOLDER / "2025-01-31.reconciliation.html").read_text("utf-8")
    assert "对账报告" in html  # huamei's language is zh
    assert "reconciled-by: &#34;ana&#34;" in html


def test_dry_run_writes_nothing(practice_with_client: Path) -> None:
    folder = practice_with_client
    statement = _january(folder)
    before = snapshot(folder)
    result = reconcile(folder, "--statement", str(statement), "--date", "2025-01-31", "-n")
    assert (result.code, result.err) == (0, "")
    assert "Would write" in result.out
    assert "2025-02-01 balance Assets:1002-银行存款:工商银行" in result.out
    assert "Dry run: nothing was written." in result.out
    assert snapshot(folder) == before


def test_a_difference_is_explained_and_nothing_is_written(practice_with_client: Path) -> None:
    folder = practice_with_client
    # The ledger has the bill typed 201.53, the rent twice, a payment not yet cleared near the
    # end, and lacks the customer payment the bank received.
    mistakes = (
        JANUARY.replace("201.35", "201.53").replace(
            '2025-01-20 * "顾客付款" "门店销售收款"\n'
            "  Assets:1002-银行存款:工商银行                                 1748.54 CNY\n"
            "  Income:5001-主营业务收入                                     -1748.54 CNY\n",
            "",
        )
        + '\n2025-01-06 * "上海恒基物业" "房租"\n'
        "  Expenses:5602-管理费用:房租                                   3000.00 CNY\n"
        "  Assets:1002-银行存款:工商银行                                -3000.00 CNY\n"
        + '\n2025-01-30 * "宁波食品厂" "支票付款"\n'
        "  Expenses:5401-主营业务成本                                    500.00 CNY\n"
        "  Assets:1002-银行存款:工商银行                                 -500.00 CNY\n"
    )
    write_month(folder, "2025/01", mistakes, "January, with mistakes")
    statement = statement_file(folder, "icbc.csv", icbc_csv(JANUARY_LINES))
    before = snapshot(folder)
    report = reconcile_json(folder, "--statement", str(statement), "--date", "2025-01-31", code=1)
    assert snapshot(folder) == before
    assert report["outcome"] == "differs"
    assert report["closing"]["difference"] == "5248.72"
    kinds = [(d["date"], d["kind"], d["effect"]) for d in report["differences"]]
    assert kinds == [
        ("2025-01-06", "duplicate", "3000.00"),
        ("2025-01-10", "amount", "0.18"),
        ("2025-01-20", "missing", "1748.54"),
        ("2025-01-30", "timing", "500.00"),
    ]
    assert sum(Decimal(d["effect"]) for d in report["differences"]) == Decimal("5248.72")
    typo = report["differences"][1]
    assert "two digits transposed" in typo["cause"]
    assert typo["statement_line"] is not None
    assert typo["ledger"].startswith(f"{HUAMEI_JANUARY}:")
    duplicate = report["differences"][0]
    assert duplicate["duplicate_of"].startswith(f"{HUAMEI_JANUARY}:")
    # The text report says the same, and exits 1.
    text = reconcile(folder, "--statement", str(statement), "--date", "2025-01-31")
    assert text.code == 1
    assert "Not reconciled: a difference of 5248.72 CNY." in text.out
    assert "amount typed wrong (two digits transposed)" in text.out
    assert snapshot(folder) == before


def test_outstanding_items_are_written_only_when_accepted(practice_with_client: Path) -> None:
    folder = practice_with_client
    cheque = (
        '\n2025-01-29 * "宁波食品厂" "支票付款"\n'
        "  Expenses:5401-主营业务成本                                    500.00 CNY\n"
        "  Assets:1002-银行存款:工商银行                                 -500.00 CNY\n"
    )
    write_month(folder, "2025/01", JANUARY + cheque, "January and a cheque")
    statement = statement_file(folder, "icbc-2025-01.csv", icbc_csv(JANUARY_LINES))
    before = snapshot(folder)
    refused = reconcile(folder, "--statement", str(statement), "--date", "2025-01-31")
    assert refused.code == 1
    assert "The whole difference is outstanding items" in refused.out
    assert "--accept-outstanding" in refused.out
    assert snapshot(folder) == before
    accepted = reconcile_json(
        folder, "--statement", str(statement), "--date", "2025-01-31", "--accept-outstanding"
    )
    assert accepted["outcome"] == "accepted"
    assert accepted["assertion"] == (
        "2025-02-01 balance Assets:1002-银行存款:工商银行                         8047.19 CNY\n"
        '  statement: "documents/Assets/1002-银行存款/工商银行/2025-01-31.icbc-2025-01.csv"\n'
        '  reconciled-by: "ana"\n'
        "  statement-balance:                                             8547.19 CNY\n"
    )
    assert accepted["assertion"] in (folder / HUAMEI_JANUARY).read_text(encoding="utf-8")
    assert (
        "- 1 difference accepted (1 timing), a difference of 500.00 CNY: the assertion is the "
        "ledger's balance, and statement-balance records the statement's\n"
        in git(folder, "log", "-1", "--format=%B")
    )
    # February's statement opens with January's statement balance: the carried difference
    # explains the opening, and the cheque clearing in February closes it.
    february = [("2025-02-03", "-500.00", "宁波食品厂", "支票付款")]
    write_month(folder, "2025/02", "", "February")
    feb = statement_file(folder, "icbc-2025-02.csv", icbc_csv(february, JANUARY_CLOSING))
    report = reconcile_json(folder, "--statement", str(feb), "--date", "2025-02-28")
    assert report["outcome"] == "reconciled"
    assert [(d["kind"], d["effect"]) for d in report["differences"]] == [
        ("timing", "500.00"),
        ("timing", "-500.00"),
    ]


def test_an_entry_imported_from_the_line_matches_by_import_id(practice_with_client: Path) -> None:
    folder = practice_with_client
    statement = statement_file(folder, "icbc.csv", icbc_csv(JANUARY_LINES))
    rows = StatementImporter(PRESETS["icbc-debit"], ICBC).read(str(statement)).rows
    rent_id = next(row.import_id for row in rows if row.number == Decimal(-3000))
    # The rent was imported from its bank row, then moved nine days, beyond the window.
    text = JANUARY.replace(
        '2025-01-05 * "上海恒基物业" "房租"\n',
        f'2025-01-14 * "上海恒基物业" "房租"\n  import-id: "{rent_id}"\n',
    )
    write_month(folder, "2025/01", text, "January")
    report = reconcile_json(folder, "--statement", str(statement), "--date", "2025-01-31", "-n")
    rent = next(m for m in report["matched"] if m["amount"] == "-3000.00")
    assert (rent["date"], rent["by"]) == ("2025-01-05", "import-id")
    assert report["outcome"] == "reconciled"


def test_a_paper_statement_balance(practice_with_client: Path) -> None:
    folder = practice_with_client
    write_month(folder, "2025/01", JANUARY, "January")
    before = snapshot(folder)
    missing = reconcile_json(folder, "--balance", "8,745.19", "--date", "2025-01-31", code=1)
    assert snapshot(folder) == before
    assert (missing["start"], missing["closing"]["difference"]) == ("2025-01-01", "198.00")
    assert [d["kind"] for d in missing["differences"]] == ["missing"]
    # The bank debited 201.53 for the bill the ledger has as 201.35.
    typed = reconcile_json(folder, "--balance", "8547.01 CNY", "--date", "2025-01-31", code=1)
    assert [(d["kind"], d["cause"]) for d in typed["differences"]] == [
        ("amount", "possibly typed wrong (two digits transposed): -201.53 instead of -201.35")
    ]
    assert snapshot(folder) == before
    result = reconcile_json(folder, "--balance", JANUARY_CLOSING, "--date", "2025-01-31")
    assert result["outcome"] == "reconciled"
    assert result["assertion"] == (
        "2025-02-01 balance Assets:1002-银行存款:工商银行                         8547.19 CNY\n"
        '  reconciled-by: "ana"\n'
    )
    assert result["statement_archive"] is None
    assert (folder / ICBC_FOLDER / "2025-01-31.reconciliation.html").is_file()
    assert git(folder, "status", "--porcelain") == ""


def test_reconciling_again_says_so_and_writes_nothing(practice_with_client: Path) -> None:
    folder = practice_with_client
    statement = _january(folder)
    assert reconcile(folder, "--statement", str(statement), "--date", "2025-01-31").code == 0
    before = snapshot(folder)
    again = reconcile(folder, "--statement", str(statement), "--date", "2025-01-31")
    assert (again.code, again.err) == (0, "")
    assert "Reconciled already: the ledger asserts this closing balance in" in again.out
    assert snapshot(folder) == before


def test_the_ledger_checks_clean_after_a_reconciliation(practice_with_client: Path) -> None:
    folder = practice_with_client
    statement = _january(folder)
    assert reconcile(folder, "--statement", str(statement), "--date", "2025-01-31").code == 0
    check = run_beanfirm("check", "huamei", cwd=folder)
    assert check.code == 0, check.out
    assert ICBC in (folder / HUAMEI_JANUARY).read_text(encoding="utf-8")


LOAN = (
    '\n2025-01-15 * "张三" "员工借款"\n'
    "  Expenses:5602-管理费用:房租                                   3000.00 CNY\n"
    "  Assets:1002-银行存款:工商银行                                -3000.00 CNY\n"
)
RENT = (
    '2025-01-05 * "上海恒基物业" "房租"\n'
    "  Expenses:5602-管理费用:房租                                   3000.00 CNY\n"
    "  Assets:1002-银行存款:工商银行                                -3000.00 CNY\n"
)


@pytest.mark.parametrize(
    ("ledger", "kinds"),
    [
        # The rent is not booked, and a loan that never went through the bank is.
        (JANUARY.replace(RENT, "") + LOAN, ["missing", "outstanding"]),
        # Two typing slips: 201.35 typed 210.35 (+9.00), 1748.54 typed 1757.54 (-9.00).
        (JANUARY.replace("201.35", "210.35").replace("1748.54", "1757.54"), ["amount", "amount"]),
    ],
    ids=["missing-and-outstanding", "two-slips"],
)
def test_differences_that_cancel_out_are_not_a_reconciliation(
    practice_with_client: Path, ledger: str, kinds: list[str]
) -> None:
    folder = practice_with_client
    write_month(folder, "2025/01", ledger, "January, with mistakes that cancel out")
    statement = statement_file(folder, "icbc-2025-01.csv", icbc_csv(JANUARY_LINES))
    before = snapshot(folder)
    report = reconcile_json(folder, "--statement", str(statement), "--date", "2025-01-31", code=1)
    assert report["closing"]["difference"] == "0.00"
    assert report["outcome"] == "differs"
    assert report["outstanding_only"] is False
    assert sorted(d["kind"] for d in report["differences"]) == kinds
    for args in ((), ("--accept-outstanding",)):
        text = reconcile(folder, "--statement", str(statement), "--date", "2025-01-31", *args)
        assert (text.code, text.err) == (1, "")
        assert (
            "Not reconciled: the closing balances agree, but only because differences cancel "
            "out (" in text.out
        )
        assert "Correct the ledger (or the statement) and run the command again." in text.out
        assert "Reconciled" not in text.out
    assert snapshot(folder) == before


def test_outstanding_postings_that_cancel_out_are_written_only_when_accepted(
    practice_with_client: Path,
) -> None:
    folder = practice_with_client
    # A loan to a member of staff and its repayment, in cash but booked on the bank account.
    loan = (
        LOAN + '\n2025-01-16 * "张三" "还款"\n'
        "  Expenses:5602-管理费用:房租                                  -3000.00 CNY\n"
        "  Assets:1002-银行存款:工商银行                                 3000.00 CNY\n"
    )
    write_month(folder, "2025/01", JANUARY + loan, "January, and a loan in cash")
    statement = statement_file(folder, "icbc-2025-01.csv", icbc_csv(JANUARY_LINES))
    before = snapshot(folder)
    refused = reconcile(folder, "--statement", str(statement), "--date", "2025-01-31")
    assert (refused.code, refused.err) == (1, "")
    assert (
        "Not reconciled: the closing balances agree, but only because differences cancel out "
        "(2 outstanding). They are all outstanding items: if they are right, accept them with "
        "--accept-outstanding. Nothing was written." in refused.out
    )
    assert snapshot(folder) == before
    accepted = reconcile_json(
        folder, "--statement", str(statement), "--date", "2025-01-31", "--accept-outstanding"
    )
    assert accepted["outcome"] == "accepted"
    assert accepted["assertion"] == ASSERTION  # the statement's figure; no statement-balance
    message = git(folder, "log", "-1", "--format=%B")
    assert (
        "- 2 differences accepted (2 outstanding), which cancel out: the assertion is the "
        "statement's balance\n" in message
    )
