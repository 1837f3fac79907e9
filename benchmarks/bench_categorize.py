"""Measure categorization against reading the export it categorizes, side by side in one run.

Writes an Alipay export of N rows (default 100,000; payees drawn with a fixed seed from a
mix a shop's export has: known merchants the rules name, suppliers only the history knows,
strangers), then in one run, on the demo practice's huamei-retail:
1. read it with the `alipay` preset (parse + normalize);
2. make its entries and categorize them as `beanfirm import` does
   (`RuleSet.categorize_statement`) with the demo's rules (client's, then firm's), no history;
3. the same with the history learned from huamei-retail's ledger (suggestions on).
Prints rows per second, what categorizing adds to reading as a ratio, and peak memory.

    .venv/bin/python benchmarks/bench_categorize.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import datetime
import random
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from beanfirm.importers.csvengine import StatementImporter
from beanfirm.importers.presets import PRESETS
from beanfirm.rules.categorize import load_ruleset
from beanfirm.rules.history import learn_history
from beanfirm.store.ledger import load_ledger
from beanfirm.store.practice import open_practice

REPO = Path(__file__).resolve().parent.parent
HEADER = (
    "交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,"
    "商家订单号,备注,"
)
PAYEES = (
    ("中国移动", "话费充值", "充值缴费", "支出"),
    ("滴滴出行", "快车", "交通出行", "支出"),
    ("支付宝", "服务费", "其他", "支出"),
    ("美团外卖", "门店销售收款", "商业服务", "收入"),
    ("饿了么", "门店销售收款", "商业服务", "收入"),
    ("统一企业", "进货", "商业服务", "支出"),
    ("上海光明乳业", "进货", "商业服务", "支出"),
    ("晨光文具旗舰店", "打印纸", "日用百货", "支出"),
    ("拼多多平台商户", "商品", "日用百货", "支出"),
    ("中国石化", "加油", "爱车养车", "支出"),
    ("顺丰速运", "快递费", "生活服务", "支出"),
    ("某某餐厅", "餐饮", "餐饮美食", "支出"),
    ("王**", "转账", "转账红包", "收入"),
)


def write_export(path: Path, rows: int) -> None:
    rng = random.Random(20261123)
    start = datetime.datetime(2026, 11, 1, 8, 0, 0, tzinfo=datetime.UTC)
    lines = ["支付宝交易记录明细查询", HEADER]
    for index in range(rows):
        payee, narration, category, direction = rng.choice(PAYEES)
        when = start + datetime.timedelta(seconds=index * 20)
        amount = f"{rng.randint(100, 500000) / 100:.2f}"
        lines.append(
            f"{when:%Y-%m-%d %H:%M:%S},{category},{payee},x{index % 97}@example.com,{narration},"
            f"{direction},{amount},余额,交易成功,2026{index:016d},,,"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def timed(what: str, work: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    print(f"{what:<48} {elapsed:7.2f} s")
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    practice = open_practice(REPO)
    client = practice.registry.client("huamei-retail")
    alipay = next(a for a in client.accounts if a.importer == "alipay")
    importer = StatementImporter(PRESETS["alipay"], alipay.account)
    ruleset = load_ruleset(practice.root, client.id)
    ledger = load_ledger(practice.main_file(client.id))
    history = learn_history(ledger.entries, statement_accounts=[a.account for a in client.accounts])
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "alipay.csv"
        write_export(export, args.rows)
        print(f"{args.rows:,} rows, {len(ruleset.rules)} rules (huamei-retail's and the firm's)")
        statement, read_s = timed("read (parse + normalize)", lambda: importer.read(str(export)))
    # As `beanfirm import` categorizes: the statement's transactions, made and categorized.
    entries, rules_s = timed(
        "entries, categorized: rules only",
        lambda: ruleset.categorize_statement(statement, alipay.account),
    )
    with_history = ruleset.with_history(history)
    decided, both_s = timed(
        "entries, categorized: rules and suggestions",
        lambda: with_history.categorize_statement(statement, alipay.account),
    )
    counts = Counter(
        "rule" if d.rule else ("suggested" if d.suggested else "open") for _, d in decided
    )
    print(f"decisions: {dict(counts)}")
    for label, seconds in (("read", read_s), ("rules only", rules_s), ("with history", both_s)):
        print(f"{label:<14} {len(entries) / seconds:>10,.0f} rows/s")
    print(
        f"categorizing adds {rules_s / read_s:.2f}x (rules) / {both_s / read_s:.2f}x "
        "(with history) of the reading time"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the whole run (ledger, export, entries): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
