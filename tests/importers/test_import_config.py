"""Reading import configs from YAML: a usable config, or every problem with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from beanfirm.errors import ConfigError
from beanfirm.importers import IMPORTER_NAMES
from beanfirm.importers.csvconfig import CsvConfig, DirectionRule, load_config, parse_config
from beanfirm.importers.presets import PRESETS

GOOD = """\
name: my-bank
columns:
  date: 交易日期
  narration: [摘要, 交易场所]
  amount: 金额
  balance: 余额
  currency: 币种
direction:
  - column: 收/支
    in: [收入]
    out: 支出
    skip: [不计收支]
date-formats: ["%Y-%m-%d", "%Y%m%d"]
order: newest-first
invert-sign: true
meta:
  method: 支付方式
"""


def test_a_full_config_is_read() -> None:
    config, problems = parse_config(GOOD, "bank.yaml")
    assert problems == []
    assert config == CsvConfig(
        name="my-bank",
        date="交易日期",
        narration=("摘要", "交易场所"),
        amount="金额",
        balance="余额",
        currency_column="币种",
        direction=(DirectionRule("收/支", ("收入",), ("支出",), ("不计收支",)),),
        date_formats=("%Y-%m-%d", "%Y%m%d"),
        order="newest-first",
        invert_sign=True,
        meta=(("method", "支付方式"),),
    )


def test_every_problem_is_reported_with_its_line() -> None:
    text = "columns:\n  date: D\n  amont: A\norder: sideways\ncolour: red\n"
    config, problems = parse_config(text, "bank.yaml")
    assert config is None
    found = {(p.line, p.message.split(";")[0].split(".")[0]) for p in problems}
    assert (3, "unknown key 'amont' in columns") in found
    assert any(line == 4 and "order" in message for line, message in found)
    assert (5, "unknown key 'colour' in the import config") in found
    assert all(str(p).startswith("bank.yaml:") for p in problems)


def test_suggestion_for_a_typo() -> None:
    _, problems = parse_config("columns:\n  date: D\n  amont: A\n", "bank.yaml")
    assert "Did you mean 'amount'?" in str(problems[0])


def test_inconsistent_amount_columns_are_reported() -> None:
    text = "columns:\n  date: D\n  amount: A\n  amount-in: I\ncurrency: CNY\n"
    _, problems = parse_config(text, "bank.yaml")
    assert any("either `amount`" in p.message for p in problems)


def test_missing_currency_is_reported() -> None:
    _, problems = parse_config("columns:\n  date: D\n  amount: A\n", "bank.yaml")
    assert any("currency" in p.message for p in problems)


def test_bad_period_regex_is_reported() -> None:
    text = "columns:\n  date: D\n  amount: A\ncurrency: CNY\nperiod: '(?P<year>'\n"
    _, problems = parse_config(text, "bank.yaml")
    assert any("regular expression" in p.message for p in problems)


@pytest.mark.parametrize("key", ["import-id", "import-id-2", "time", "counterparty", "lineno"])
def test_metadata_the_import_writes_cannot_come_from_a_column(key: str) -> None:
    text = f"columns:\n  date: D\n  amount: A\ncurrency: CNY\nmeta:\n  {key}: Note\n"
    config, problems = parse_config(text, "bank.yaml")
    assert config is None
    assert [p.message for p in problems] == [
        f"meta key '{key}' is reserved or not a Beancount metadata key."
    ]


def test_yaml_syntax_error_has_a_line() -> None:
    _, problems = parse_config("columns:\n  date: [D\n", "bank.yaml")
    assert problems
    assert problems[0].line is not None


def test_empty_config_is_reported() -> None:
    config, problems = parse_config("", "bank.yaml")
    assert config is None
    assert problems


def test_extends_a_preset() -> None:
    text = "extends: icbc-debit\nname: icbc-business\ncolumns:\n  payee: 对方单位\n"
    config, problems = parse_config(text, "bank.yaml", PRESETS)
    assert problems == []
    assert config is not None
    assert config.payee == "对方单位"
    assert config.amount_in == PRESETS["icbc-debit"].amount_in


def test_unknown_preset_is_reported() -> None:
    _, problems = parse_config("extends: icbc-debt\n", "bank.yaml", PRESETS)
    assert any("icbc-debit" in p.message for p in problems)


def test_load_config_raises_with_all_problems(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text("columns:\n  date: D\n  amont: A\n", "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "bank.yaml:3" in str(caught.value)


def test_presets_are_consistent_and_named_in_the_registry() -> None:
    for name, config in PRESETS.items():
        assert config.problems() == [], name
        assert name in IMPORTER_NAMES, name
