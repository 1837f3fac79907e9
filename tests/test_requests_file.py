"""requests.yaml read with every mistake named by line; open requests soonest due first."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from beanfirm.ingest.uploads import safe_stem, sniff
from beanfirm.store.practice import Practice
from beanfirm.store.registry import Registry
from beanfirm.store.requests import Request, open_requests, parse_requests, requests_text

FILE = "ledgers/huamei/requests.yaml"


def test_every_mistake_is_named_with_its_line() -> None:
    text = (
        "- id: 1\n  title: Bank\n  opened-by: li\n  opened-at: 2026-12-01\n"
        "- id: 1\n  title: Again\n  opened-by: li\n  opened-at: 2026-12-01\n"
        "- id: 2\n  titel: Typo\n  opened-by: li\n  opened-at: 2026-12-01\n"
        "- id: 3\n  title: Due\n  due: next week\n  opened-by: li\n  opened-at: 2026-12-01\n"
    )
    found, problems = parse_requests(text, FILE)
    assert [r.id for r in found] == [1, 3]
    assert [(p.line, p.message.split(";")[0].split(".")[0]) for p in problems] == [
        (5, "id 1 is used twice"),
        (10, "unknown key 'titel' in a request"),
        (9, "a request is missing the required key 'title'"),
        (15, "due must be a date written YYYY-MM-DD, not 'next week'"),
    ]


def test_written_text_reads_back() -> None:
    requests = [
        Request(2, "11月支付宝账单", "li", datetime.date(2026, 12, 1)),
        Request(
            1,
            'Title: with "quotes" # and a hash',
            "li",
            datetime.date(2026, 12, 1),
            due=datetime.date(2026, 12, 10),
            closed_at=datetime.date(2026, 12, 8),
            answered_by=("20261207-093000-icbc.csv",),
        ),
    ]
    found, problems = parse_requests(requests_text(requests), FILE)
    assert problems == []
    assert found == sorted(requests, key=lambda r: r.id)


def test_open_requests_soonest_due_first(tmp_path: Path) -> None:
    folder = tmp_path / "ledgers" / "huamei"
    folder.mkdir(parents=True)
    opened = datetime.date(2026, 12, 1)
    (folder / "requests.yaml").write_text(
        requests_text(
            [
                Request(1, "no due day", "li", opened),
                Request(2, "later", "li", opened, due=datetime.date(2026, 12, 20)),
                Request(3, "closed", "li", opened, closed_at=opened),
                Request(4, "sooner", "li", opened, due=datetime.date(2026, 12, 5)),
            ]
        ),
        encoding="utf-8",
    )
    practice = Practice(root=tmp_path, registry=Registry.__new__(Registry))
    assert [r.title for r in open_requests(practice, "huamei")] == ["sooner", "later", "no due day"]
    assert open_requests(practice, "nobody") == []


@pytest.mark.parametrize(
    ("sent", "stem"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\boss\\对账单.csv", "对账单"),
        (".bashrc", "bashrc"),
        ("工商银行 11月.csv", "工商银行-11月"),
        ("a\x00b\u202e.png", "a-b"),
        ("...", "upload"),
        ("发票（出租车）.pdf", "发票(出租车)"),  # noqa: RUF001 - NFKC: full-width brackets
    ],
)
def test_safe_stem(sent: str, stem: str) -> None:
    assert safe_stem(sent) == stem


@pytest.mark.parametrize(
    ("head", "name", "kind", "extension"),
    [
        (b"%PDF-1.4", "a.csv", "document", "pdf"),
        (b"\xff\xd8\xff\xe0", "a.pdf", "document", "jpg"),
        (b"date,amount\n", "x.ofx", "export", "ofx"),
        (b"date,amount\n", "x.exe", "export", "csv"),
        (b"PK\x03\x04rest", "x.csv", "export", "xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "x", "export", "xls"),
    ],
)
def test_sniff_by_content(head: bytes, name: str, kind: str, extension: str) -> None:
    found = sniff(head, name)
    assert found is not None
    assert (found.kind, found.extension) == (kind, extension)


@pytest.mark.parametrize("head", [b"MZ\x90\x00\x00", b"\xff\xfed\x00a\x00", b"", b"GIF89a\x00"])
def test_sniff_refuses_binaries(head: bytes) -> None:
    assert sniff(head, "x.csv") is None
