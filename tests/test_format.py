"""beanfirm's layout is a fixed point of `bean-format -c 74` and of Fava's "format" (docs/format.md).

Both formatters are run as their own code (`beancount.scripts.format`, `fava.core.misc`), on
the text beanfirm writes: inline ledgers, every file of the demo, and a month file after two
imports appended to it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
import yaml
from beancount.core import data
from beancount.parser import parser
from beancount.scripts.format import align_beancount
from conftest import git
from fava.core.fava_options import parse_options
from fava.core.misc import align
from import_support import add_client, alipay, cmb, import_files, write

from beanfirm.core.journal import CURRENCY_COLUMN
from beanfirm.core.ledgertext import entries_text

if TYPE_CHECKING:
    from fava.beans.abc import Custom as FavaCustom

REPO = Path(__file__).resolve().parent.parent
BEAN_FORMAT = Path(sys.executable).parent / "bean-format"

# What beanfirm writes for these entries: Chinese payees and accounts, metadata of each kind
# (an amount among them), tags and links, an inferred amount, a price, costs, a balance.
ENTRIES = """\
2025-01-05 * "华美超市" "办公用品 \\"A4\\"" #office ^INV-2025-001
  import-id: "icbc-123"
  terms-days: 30
  due: 2025-02-04
  paid: TRUE
  credit-limit:                                                500000.00 CNY
  Expenses:6602-管理费用:办公费                                          128.50 CNY
  Assets:1002-银行存款:工商银行                                          -128.50 CNY

2025-01-06 ! "收到美元货款" #export
  Assets:1002-银行存款:中国银行美元户                                       1000.00 USD @ 7.1234 CNY
  Assets:1122-应收账款:华联超市

2025-01-07 * "Broker" "Buy shares" ^lot-1
  Assets:Broker:HOOL                                               10.00 HOOL {120 USD, "lot-1"}
  Assets:Broker:Cash                                            -1200.00 USD

2025-01-08 * "Broker" "Sell shares"
  Assets:Broker:HOOL                                               -5.00 HOOL {120 USD} @ 130 USD
  Assets:Broker:Cash                                              650.00 USD
  Income:Broker:Gains                                             -50.00 USD

2025-02-01 balance Assets:1002-银行存款:工商银行                        12345.60 CNY
  statement: "documents/2025-01.pdf"
"""

# A month file as a preparer keeps it: beanfirm's entries, comments between and after them.
MONTH = f"""\
; 2025-01: entries of this month, in date order.

{ENTRIES}
; Typed by hand, in the same layout:
2025-01-09 * "出租车" "taxi to a customer"
  Expenses:5601-销售费用:差旅费                                           36.00 CNY ; receipt lost
  Assets:1001-库存现金
"""

Formatter = Callable[[str, int], str]


def bean_format(text: str, column: int) -> str:
    return str(align_beancount(text, currency_column=column))  # type: ignore[no-untyped-call]


FORMATTERS: dict[str, Formatter] = {"bean-format -c": bean_format, "fava": align}


def fava_currency_column(main: Path) -> int:
    """Return the `currency-column` Fava reads from a client's main.beancount."""
    entries, errors, _options = parser.parse_file(str(main))
    assert errors == []
    # Fava types a Custom as its own abstract class, which Beancount's named tuple is registered
    # with: they are Beancount's.
    customs = cast("list[FavaCustom]", [e for e in entries if isinstance(e, data.Custom)])
    options, problems = parse_options(customs)
    assert problems == []
    return options.currency_column


@pytest.mark.parametrize("formatter", FORMATTERS.values(), ids=FORMATTERS.keys())
def test_a_month_file_is_a_fixed_point(formatter: Formatter) -> None:
    assert formatter(MONTH, CURRENCY_COLUMN) == MONTH


def test_the_writer_writes_that_layout() -> None:
    entries, errors, _options = parser.parse_string(ENTRIES)
    assert errors == []
    assert entries_text(entries) == ENTRIES


def test_at_another_column_every_amount_moves() -> None:
    """The fixed point rests on the column: the test above would fail with another one."""
    amounts = [line for line in MONTH.splitlines() if line.rstrip().endswith(("CNY", "USD"))]
    for formatter in FORMATTERS.values():
        moved = set(formatter(MONTH, CURRENCY_COLUMN + 1).splitlines()) - set(MONTH.splitlines())
        assert len(moved) >= len(amounts) - 3  # the lines with a cost or price move too


@pytest.mark.parametrize(
    "client", sorted(p.name for p in (REPO / "ledgers").iterdir() if p.is_dir())
)
def test_every_file_of_the_demo_is_a_fixed_point(client: str) -> None:
    folder = REPO / "ledgers" / client
    column = fava_currency_column(folder / "main.beancount")
    assert column == CURRENCY_COLUMN
    files = sorted(folder.rglob("*.beancount"))
    assert len(files) > 2  # main, accounts and the months
    for path in files:
        text = path.read_text(encoding="utf-8")
        for name, formatter in FORMATTERS.items():
            assert formatter(text, column) == text, f"{name} changes {path.relative_to(REPO)}"


def test_formatting_after_two_imports_into_one_month_changes_nothing(practice: Path) -> None:
    add_client(practice)
    wallet = alipay(
        [
            ("2024-03-02 09:00:00", "全家便利店", "早餐", "支出", "12.00", "A1"),
            ("2024-03-20 18:00:00", "滴滴出行", "打车", "支出", "25.00", "A3"),
        ]
    )
    bank = cmb(
        [
            ("2024-03-01", "125000.00", "代发工资", "上海某某公司", "工资"),
            ("2024-03-05", "-45.50", "消费", "星巴克", "咖啡"),
            ("2024-03-25", "-80.00", "消费", "顺丰速运", "快递"),
        ]
    )
    for name, text in (("alipay.csv", wallet), ("cmb.csv", bank)):
        result = import_files(practice, "acme", str(write(practice.parent, name, text)))
        assert result.code == 0, result.err
    client = practice / "ledgers" / "acme"
    march = (client / "journal" / "2024" / "03.beancount").read_text(encoding="utf-8")
    assert march.count("import-id:") == 5  # both imports wrote into March
    assert fava_currency_column(client / "main.beancount") == CURRENCY_COLUMN
    files = [str(path) for path in sorted(client.rglob("*.beancount"))]
    subprocess.run([BEAN_FORMAT, "-c", str(CURRENCY_COLUMN), "-i", *files], check=True)
    assert git(practice, "status", "--porcelain") == ""
    for path in files:
        text = Path(path).read_text(encoding="utf-8")
        assert align(text, CURRENCY_COLUMN) == text, path


def test_the_pre_commit_hook_formats_in_beanfirms_layout(tmp_path: Path) -> None:
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    program, *options = shlex.split(hook["entry"])
    expected = ["--currency-column", str(CURRENCY_COLUMN), "--in-place"]
    assert (program, options) == ("bean-format", expected)
    assert re.search(hook["files"], "ledgers/acme/journal/2025/01.beancount")
    # A preparer ran bean-format without -c: it aligned the file to its own widest line.
    month = tmp_path / "01.beancount"
    month.write_text(align_beancount(MONTH), encoding="utf-8")  # type: ignore[no-untyped-call]
    assert month.read_text(encoding="utf-8") != MONTH
    subprocess.run([BEAN_FORMAT, *options, str(month)], check=True)
    assert month.read_text(encoding="utf-8") == MONTH
