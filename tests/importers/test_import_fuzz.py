"""Fuzzing the engine: any bytes give a statement or a StatementError, never another exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beanfirm.errors import StatementError
from beanfirm.importers.csvread import read_statement
from beanfirm.importers.presets import PRESETS

HEADER = "Date,收/支,Amount,Balance,币种\n"
CONFIG = PRESETS["wechat"]
CELLS = st.sampled_from(
    [
        "2024-01-01",
        "12/29",
        "支出",
        "收入",
        "/",
        "-",
        "1,234.56",
        "(3.00)",
        "¥2",
        "CNY 1",
        "人民币",
        "",
        '"',
        "\t",
        "合计",
        "0",
        "xx",
        "﻿",
        "\r",
    ]
) | st.text(max_size=8)


def outcome(data: bytes) -> None:
    configs = (
        CONFIG,
        PRESETS["icbc-debit"],
        PRESETS["cmb-credit"],
        PRESETS["alipay"],
        PRESETS["td-debit"],
        PRESETS["spdb-debit"],
        PRESETS["alipay-pc"],
        PRESETS["bocom-maidanba"],
    )
    for config in configs:
        try:
            statement = read_statement(data, config, "fuzz.csv")
        except StatementError as exc:
            message = str(exc)
            if not message.startswith("fuzz.csv") or len(message) < 20:
                raise AssertionError(message) from exc
        else:
            assert all(row.import_id for row in statement.rows)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    outcome(data)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text(text: str) -> None:
    outcome(text.encode("utf-8"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=0, max_size=12), max_size=8))
def test_rows_under_real_headers(rows: list[list[str]]) -> None:
    wechat = (
        "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注\n"
    )
    icbc = (
        "交易日期,摘要,交易场所,交易国家或地区简称,钞/汇,交易金额(收入),交易金额(支出),交易币种,"
        "记账金额(收入),记账金额(支出),记账币种,余额,对方户名\n"
    )
    body = "\n".join(",".join(row) for row in rows)
    for header in (wechat, icbc, HEADER):
        outcome((header + body).encode("utf-8"))
        outcome((header + body).encode("gb18030", errors="replace"))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_spreadsheet_magic_with_garbage(tail: bytes) -> None:
    outcome(b"PK\x03\x04" + tail)
    outcome(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + tail)
