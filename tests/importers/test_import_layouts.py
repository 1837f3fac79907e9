"""The layouts of alipay-pc and bocom-maidanba: what their goldens do not show, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from beanfirm.errors import StatementError
from beanfirm.importers.csvengine import StatementImporter
from beanfirm.importers.presets import PRESETS

SAMPLES = Path(__file__).parent / "samples"
ALIPAY_PC = (SAMPLES / "cn-alipay-pc.csv").read_bytes().decode("gbk")
MAIDANBA = (SAMPLES / "cn-bocom-maidanba.csv").read_text(encoding="utf-8")


def read(preset: str, text: str, tmp_path: Path, encoding: str = "utf-8") -> list[str]:
    """Read an export with a preset; return the import ids of its rows."""
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    statement = StatementImporter(PRESETS[preset], "Assets:X").read(str(path))
    return [row.import_id for row in statement.rows]


def refusal(preset: str, text: str, tmp_path: Path, encoding: str = "utf-8") -> str:
    with pytest.raises(StatementError) as raised:
        read(preset, text, tmp_path, encoding)
    return str(raised.value)


def test_alipay_pc_is_identified_by_its_header_whatever_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "download (3).txt"
    path.write_bytes(ALIPAY_PC.encode("gbk"))
    claiming = [
        name
        for name, config in PRESETS.items()
        if StatementImporter(config, "Assets:X").identify(str(path))
    ]
    assert claiming == ["alipay-pc"]


def test_alipay_pc_reads_every_row_or_says_why(tmp_path: Path) -> None:
    path = tmp_path / "alipay.csv"
    path.write_bytes(ALIPAY_PC.encode("gbk"))
    statement = StatementImporter(PRESETS["alipay-pc"], "Assets:Alipay").read(str(path))
    assert len(statement.rows) + len(statement.skipped) == 7  # 共7条记录
    fees = [row.fee for row in statement.rows if row.fee]
    assert [str(fee) for fee in fees] == ["0.77"]


def test_alipay_pc_with_a_row_removed_is_refused(tmp_path: Path) -> None:
    lines = ALIPAY_PC.split("\r\n")
    removed = [line for line in lines if "便利店购物" not in line]
    message = refusal("alipay-pc", "\r\n".join(removed), tmp_path, "gbk")
    assert "export.csv:" in message
    assert "the export states 7 records but its table holds 6 data rows" in message


def test_alipay_pc_cut_short_is_refused(tmp_path: Path) -> None:
    cut = ALIPAY_PC[: ALIPAY_PC.index("共7条记录")]
    message = refusal("alipay-pc", cut, tmp_path, "gbk")
    assert "does not state its number of records" in message


def test_alipay_pc_unknown_fund_status_is_an_error_with_its_line(tmp_path: Path) -> None:
    # The unpaid order (line 8) with a status no rule knows, and no 资金状态: not guessed at.
    changed = "\r\n".join(
        line.replace("交易关闭", "处理中") if "蓝牙耳机" in line else line
        for line in ALIPAY_PC.split("\r\n")
    )
    message = refusal("alipay-pc", changed, tmp_path, "gbk")
    assert "export.csv:8: column '资金状态': no direction rule knows this row" in message


def test_bocom_credit_does_not_claim_the_maidanba_statement(tmp_path: Path) -> None:
    path = tmp_path / "bocom.csv"
    path.write_text(MAIDANBA, encoding="utf-8")
    assert not StatementImporter(PRESETS["bocom-credit"], "Assets:X").identify(str(path))
    assert StatementImporter(PRESETS["bocom-maidanba"], "Assets:X").identify(str(path))


def test_maidanba_dates_take_their_year_from_the_statement_cycle(tmp_path: Path) -> None:
    path = tmp_path / "bocom.csv"
    path.write_text(MAIDANBA, encoding="utf-8")
    statement = StatementImporter(PRESETS["bocom-maidanba"], "Liabilities:X").read(str(path))
    assert [row.date.isoformat() for row in statement.rows][:3] == [
        "2024-12-29",
        "2024-12-31",
        "2025-01-04",
    ]
    assert statement.account_number == "622253******4321"


def test_maidanba_unknown_description_is_an_error_naming_the_row(tmp_path: Path) -> None:
    changed = MAIDANBA.replace("年费 金卡年费", "调整 账务调整")
    message = refusal("bocom-maidanba", changed, tmp_path)
    assert "export.csv:11: column '交易说明': no direction rule knows this row" in message
    assert "交易说明 is '调整 账务调整'" in message
