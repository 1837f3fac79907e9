"""`beanfirm documents attach`: a receipt filed as a document linked to its entry, one commit."""

from __future__ import annotations

from pathlib import Path

from beancount.core import data
from cli_support import (
    BALANCED_ZH,
    HUAMEI_JANUARY,
    append_entry,
    assert_user_error,
    commit_all,
    snapshot,
)
from conftest import STAFF_ENV, git, run_beanfirm

from beanfirm.store.ledger import load_ledger

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
INBOX_RECEIPT = "ledgers/huamei/inbox/documents/20261207-093000-出租车发票.png"


def documents_of(practice: Path) -> list[data.Document]:
    ledger = load_ledger(practice / "ledgers/huamei/main.beancount")
    return [e for e in ledger.entries if isinstance(e, data.Document)]


def taxi_with_receipt(folder: Path) -> tuple[int, Path]:
    """Commit a taxi fare; put its receipt in the inbox. Return the entry's line, the receipt."""
    line = append_entry(folder, HUAMEI_JANUARY, BALANCED_ZH)
    commit_all(folder, "A taxi fare")
    receipt = folder / INBOX_RECEIPT
    receipt.parent.mkdir(parents=True)
    receipt.write_bytes(PNG)
    return line, receipt


def test_a_receipt_is_filed_and_linked_to_its_entry(practice_with_client: Path) -> None:
    folder = practice_with_client
    line, receipt = taxi_with_receipt(folder)
    head = git(folder, "rev-parse", "HEAD").strip()
    result = run_beanfirm(
        "documents",
        "attach",
        "huamei",
        INBOX_RECEIPT,
        "--entry",
        f"{HUAMEI_JANUARY}:{line}",
        cwd=folder,
        env=STAFF_ENV,
    )
    assert result.code == 0, result.err
    assert "Filed as a document of Expenses:5601-销售费用:差旅费 on 2025-01-06" in result.out
    assert git(folder, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
    assert git(folder, "status", "--porcelain") == ""
    assert not receipt.exists()  # filed: no longer waiting in the inbox
    stored = (
        folder
        / "ledgers/huamei/documents/receipts/2025/01/2025-01-06.20261207-093000-出租车发票.png"
    )
    assert stored.read_bytes() == PNG
    journal = (folder / HUAMEI_JANUARY).read_text(encoding="utf-8")
    assert '2025-01-06 * "出租车" "taxi to a customer" ^doc-20250106-1\n' in journal
    assert (
        "2025-01-06 document Expenses:5601-销售费用:差旅费 "
        '"../../documents/receipts/2025/01/2025-01-06.20261207-093000-出租车发票.png" '
        "^doc-20250106-1\n"
    ) in journal
    (document,) = documents_of(folder)  # once: Beancount's own finder does not add it again
    assert Path(document.filename) == stored.resolve()
    assert document.links == frozenset({"doc-20250106-1"})
    # A second receipt of the same entry shares its link.
    second = folder / "scan.pdf"
    second.write_bytes(b"%PDF-1.7\n%%EOF\n")
    again = run_beanfirm(
        "documents",
        "attach",
        "huamei",
        str(second),
        "--link",
        "^doc-20250106-1",
        cwd=folder,
        env=STAFF_ENV,
    )
    assert again.code == 0, again.err
    assert second.exists()  # a file outside the inbox stays where it is
    assert len(documents_of(folder)) == 2


def test_the_same_receipt_under_another_name_is_refused(practice_with_client: Path) -> None:
    folder = practice_with_client
    line, receipt = taxi_with_receipt(folder)
    entry = f"{HUAMEI_JANUARY}:{line}"
    first = run_beanfirm(
        "documents", "attach", "huamei", INBOX_RECEIPT, "--entry", entry, cwd=folder, env=STAFF_ENV
    )
    assert first.code == 0, first.err
    again = receipt.with_name("20261207-093033-出租车发票.png")  # uploaded twice
    again.write_bytes(PNG)
    before = snapshot(folder)
    result = run_beanfirm(
        "documents", "attach", "huamei", str(again), "--link", "doc-20250106-1",
        cwd=folder, env=STAFF_ENV,
    )  # fmt: skip
    assert_user_error(
        result,
        2,
        "is filed already for huamei",
        "documents/receipts/2025/01/2025-01-06.20261207-093000-出租车发票.png",
    )
    assert snapshot(folder) == before
    assert again.exists()
    assert len(documents_of(folder)) == 1


def test_mistakes_write_nothing(practice_with_client: Path) -> None:
    folder = practice_with_client
    line = append_entry(folder, HUAMEI_JANUARY, BALANCED_ZH)
    commit_all(folder, "A taxi fare")
    (folder / "receipt.png").write_bytes(PNG)
    (folder / "export.csv").write_text("date,amount\n2025-01-01,1\n", encoding="utf-8")
    commit_all(folder, "Files to file")
    before = snapshot(folder)
    entry = f"{HUAMEI_JANUARY}:{line}"
    for args, needle in (
        (("export.csv", "--entry", entry), "not a PDF, JPEG or PNG"),
        (("nosuch.png", "--entry", entry), "No such file"),
        (("receipt.png",), "--link LINK or --entry FILE:LINE"),
        (("receipt.png", "--link", "x", "--entry", entry), "--link LINK or --entry"),
        (("receipt.png", "--link", "INV-404"), "No transaction of huamei carries the link"),
        (("receipt.png", "--entry", f"{HUAMEI_JANUARY}:{line + 1}"), "no transaction"),
        (("receipt.png", "--entry", entry, "--account", "Assets:Cash"), "not an account of"),
        (("receipt.png", "--link", "bad link"), "not a Beancount link"),
    ):
        result = run_beanfirm("documents", "attach", "huamei", *args, cwd=folder, env=STAFF_ENV)
        assert_user_error(result, 2, needle)
    dry = run_beanfirm(
        "documents",
        "attach",
        "huamei",
        "receipt.png",
        "--entry",
        entry,
        "-n",
        cwd=folder,
        env=STAFF_ENV,
    )
    assert dry.code == 0, dry.err
    assert "Dry run: would file as a document of" in dry.out
    assert snapshot(folder) == before
