"""An account's `fee-account` in clients.yaml: read, checked, and used by the import."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from cli_support import commit_all, snapshot
from import_support import add_client, import_files, journal, write

from beanfirm.store.registry import parse_registry

REGISTRY = """\
    firm:
      name: Test Firm
      staff:
        - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
        - {id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}
    clients:
      - id: huamei
        name: 华美便利店
        classification: {industry: retail, frequency: high, region: shanghai, size: micro}
        preparer: ana
        reviewer: wang
        currency: CNY
        accounts:
          - account: Assets:1012-其他货币资金:支付宝
            kind: payment
            importer: IMPORTER
            fee-account: FEES
    """
FEES = "Expenses:5603-财务费用:手续费"


def test_a_fee_account_is_read() -> None:
    text = REGISTRY.replace("IMPORTER", "alipay-pc").replace("FEES", FEES)
    registry, problems = parse_registry(Path("clients.yaml"), dedent(text), check_ledgers=False)
    assert problems == []
    assert registry is not None
    assert registry.clients[0].accounts[0].fee_account == FEES


@pytest.mark.parametrize(
    ("importer", "fees", "message"),
    [
        ("alipay-pc", "手续费", "a fee-account is '手续费'; it must be an account name"),
        (
            "alipay",
            FEES,
            (
                "the importer alipay reads no fee column, so a fee-account has nothing to book; "
                "it applies to csv, alipay-pc"
            ),
        ),
    ],
)
def test_a_fee_account_that_cannot_be_used_is_a_problem_at_its_line(
    importer: str, fees: str, message: str
) -> None:
    text = REGISTRY.replace("IMPORTER", importer).replace("FEES", fees)
    _, problems = parse_registry(Path("clients.yaml"), dedent(text), check_ledgers=False)
    assert [(p.line, message in p.message) for p in problems] == [(17, True)]


ALIPAY = "Assets:1012-其他货币资金:支付宝"
SAMPLE = Path(__file__).parent / "importers" / "samples" / "cn-alipay-pc.csv"


def give_fee_account(practice: Path, importer: str) -> None:
    """Give the account read by `importer` the fee account in clients.yaml, and commit it."""
    clients = practice / "clients.yaml"
    text = clients.read_text(encoding="utf-8")
    marker = f"importer: {importer}\n"
    indent = text.split(marker)[0].rsplit("\n", 1)[1]
    clients.write_text(
        text.replace(marker, f"{marker}{indent}fee-account: {FEES}\n"), encoding="utf-8"
    )
    commit_all(practice, f"acme: fees to {FEES}")


def test_a_preset_account_books_its_fees_where_clients_yaml_says(practice: Path) -> None:
    add_client(practice, accounts=(f"{ALIPAY},payment,alipay-pc",))
    give_fee_account(practice, "alipay-pc")
    export = write(practice.parent, "alipay.txt", "")
    export.write_bytes(SAMPLE.read_bytes())
    result = import_files(practice, "acme", str(export))
    assert result.code == 0, result.err
    block = next(b for b in journal(practice).split("\n\n") if "收钱码收款" in b)
    assert block.splitlines()[-1].split() == [FEES, "0.77", "CNY"]


def test_a_fee_account_for_a_config_without_a_fee_column_is_refused(practice: Path) -> None:
    add_client(practice, accounts=(f"{ALIPAY},payment,csv",))
    config = practice / "ledgers/acme/importers/Assets/1012-其他货币资金/支付宝.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("extends: alipay\n", encoding="utf-8")
    give_fee_account(practice, "csv")
    before = snapshot(practice)
    export = write(practice.parent, "alipay.txt", "")
    export.write_bytes(SAMPLE.read_bytes())
    result = import_files(practice, "acme", str(export))
    assert result.code != 0
    assert "Traceback" not in result.err
    assert f"{config}: clients.yaml names a fee-account ({FEES})" in result.err
    assert "this config has no `fee` column" in result.err
    assert snapshot(practice) == before
