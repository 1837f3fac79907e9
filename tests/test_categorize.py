"""Categorizing imported rows: each condition, CJK substrings, regexes, first match wins.

Each test writes its rules and the imported rows inline, as an importer produces them: a `!`
transaction with the statement leg first and an `Uncategorized` leg second.
"""

from __future__ import annotations

import datetime
from textwrap import dedent
from typing import Any

import pytest
from beancount.core import data
from beancount.parser import parser

from beanfirm.core.ledgertext import entry_text
from beanfirm.rules.categorize import Decision, RuleSet
from beanfirm.rules.history import History
from beanfirm.rules.rulesfile import Rule, parse_rules

ALIPAY = "Assets:1012-其他货币资金:支付宝"
BANK = "Assets:1002-银行存款:工商银行"
DAY = datetime.date(2026, 1, 1)


def ruleset(client: str, firm: str = "rules: []") -> RuleSet:
    own, problems = parse_rules(dedent(client), "ledgers/huamei/rules.yaml")
    shared, firm_problems = parse_rules(dedent(firm), "rules.yaml", scope="firm")
    assert problems == firm_problems == []
    return RuleSet(own.rules + shared.rules)


def rows(text: str) -> list[Any]:
    entries, errors, _ = parser.parse_string(dedent(text))
    assert errors == []
    return [e for e in entries if isinstance(e, data.Transaction)]


def row(
    payee: str | None,
    narration: str,
    amount: str,
    *,
    account: str = ALIPAY,
    meta: str = "",
    currency: str = "CNY",
) -> Any:
    other = "Income:Uncategorized" if not amount.startswith("-") else "Expenses:Uncategorized"
    negated = amount[1:] if amount.startswith("-") else f"-{amount}"
    head = f'"{payee}" "{narration}"' if payee is not None else f'"{narration}"'
    lines = [f"2026-11-05 ! {head}", '  import-id: "x1"']
    lines += [f"  {line}" for line in meta.splitlines()]
    lines += [f"  {account}  {amount} {currency}", f"  {other}  {negated} {currency}"]
    (entry,) = rows("\n".join(lines) + "\n")
    return entry


def decide(rules: RuleSet, entry: Any) -> Decision:
    return rules.categorize(entry)[1]


TELECOM = """\
    rules:
      - when: {payee: 中国移动}
        account: Expenses:5602-管理费用:通讯费
    """


def test_a_matching_rule_books_the_uncategorized_leg_and_flags_it_done() -> None:
    entry = row("中国移动", "话费充值", "-100.00")
    booked, decision = ruleset(TELECOM).categorize(entry)
    assert decision == Decision(
        "ledgers/huamei/rules.yaml:2",
        "Expenses:5602-管理费用:通讯费",
        "*",
        'rule ledgers/huamei/rules.yaml:2: payee "中国移动"',
    )
    assert entry_text(booked) == dedent("""\
        2026-11-05 * "中国移动" "话费充值"
          import-id: "x1"
          categorized-by: "ledgers/huamei/rules.yaml:2"
          Assets:1012-其他货币资金:支付宝                                         -100.00 CNY
          Expenses:5602-管理费用:通讯费                                          100.00 CNY
        """)
    assert entry.flag == "!", "the input entry is left as it was"


def test_an_unmatched_row_stays_uncategorized_with_its_flag() -> None:
    entry = row("中国石化", "加油", "-300.00")
    booked, decision = ruleset(TELECOM).categorize(entry)
    assert booked is entry
    assert decision == Decision(None, "Expenses:Uncategorized", "!", "no rule matched")
    money_in = row("王**", "转账", "500.00")
    assert decide(ruleset(TELECOM), money_in).account == "Income:Uncategorized"


@pytest.mark.parametrize(
    ("payee", "hit"),
    [
        ("中国移动通信集团上海有限公司", True),  # a substring, no word segmentation needed
        ("上海中国移动营业厅", True),
        ("中国联通", False),
        ("中国 移动", False),  # CJK must match exactly
        ("中國移動", False),  # traditional characters are other characters
    ],
)
def test_chinese_substrings_need_no_word_segmentation(payee: str, hit: bool) -> None:
    decision = decide(ruleset(TELECOM), row(payee, "话费", "-50.00"))
    assert (decision.rule is not None) is hit


@pytest.mark.parametrize(
    ("payee", "hit"),
    [
        ("STARBUCKS COFFEE #123", True),
        ("starbucks coffee", True),
        ("Ｓｔａｒｂｕｃｋｓ（上海）", True),  # noqa: RUF001 - full-width, as Chinese exports write
        ("STAR BUCKS", False),
    ],
)
def test_ascii_matches_without_case_and_width(payee: str, hit: bool) -> None:
    rules = ruleset("""\
        rules:
          - when: {payee: Starbucks}
            account: Expenses:5602-管理费用:业务招待费
        """)
    assert (decide(rules, row(payee, "咖啡", "-30.00")).rule is not None) is hit


def test_full_width_brackets_match_half_width_ones() -> None:
    rules = ruleset("""\
        rules:
          - when: {payee: "全家便利店(中国)"}
            account: Expenses:5602-管理费用:办公费
        """)
    payee = "全家便利店（中国）有限公司"  # noqa: RUF001 - full-width brackets on purpose
    assert decide(rules, row(payee, "购物", "-12.00")).rule is not None


@pytest.mark.parametrize(
    ("narration", "hit"),
    [
        ("一网通支付 供电 2026年10月", True),
        ("供电局电费", True),
        ("供水", False),
        ("电 费", False),
    ],
)
def test_regular_expressions_between_slashes(narration: str, hit: bool) -> None:
    rules = ruleset("""\
        rules:
          - when: {narration: "/供电|电费/"}
            account: Expenses:5602-管理费用:水电费
        """)
    assert (decide(rules, row("国网", narration, "-88.00")).rule is not None) is hit


def test_regexes_are_case_insensitive_unless_told_and_anchor_per_field() -> None:
    rules = ruleset("""\
        rules:
          - when: {text: "/^atm\\\\b/"}
            account: Assets:1001-库存现金
          - when: {text: "/(?-i:FEE)/"}
            account: Expenses:5603-财务费用:手续费
        """)
    assert decide(rules, row(None, "ATM withdrawal", "-60.00")).account == "Assets:1001-库存现金"
    # `^` holds at the start of the narration, a field of its own, not only of the payee.
    assert decide(rules, row("Chase", "ATM 001234", "-60.00")).account == "Assets:1001-库存现金"
    assert decide(rules, row("Chase", "Monthly FEE", "-5.00")).rule is not None
    assert decide(rules, row("Chase", "monthly fee", "-5.00")).rule is None


def test_a_regex_never_matches_across_two_fields() -> None:
    rules = ruleset("""\
        rules:
          - when: {text: "/移动.*充值/"}
            account: Expenses:5602-管理费用:通讯费
        """)
    assert decide(rules, row("中国移动", "话费充值", "-1.00")).rule is None
    assert decide(rules, row("中国移动 话费充值", "", "-1.00")).rule is not None


def test_text_looks_in_payee_narration_and_counterparty() -> None:
    rules = ruleset("""\
        rules:
          - when: {text: 国网}
            account: Expenses:5602-管理费用:水电费
        """)
    for entry in (
        row("国网上海", "电费", "-1.00"),
        row("xx", "国网 供电", "-1.00"),
        row("xx", "yy", "-1.00", meta='counterparty: "国网电力 1234"'),
    ):
        assert decide(rules, entry).rule is not None
    assert decide(rules, row("xx", "yy", "-1.00")).rule is None


def test_counterparty_and_any_metadata() -> None:
    rules = ruleset("""\
        rules:
          - when:
              counterparty: jieyisoft.com
            account: Expenses:5602-管理费用:差旅费
          - when:
              meta: {category: 日用百货, method: 余额}
            account: Expenses:5602-管理费用:办公费
        """)
    card = row("一卡通", "充值", "-50.00", meta='counterparty: "fin***@jieyisoft.com"')
    assert decide(rules, card).account == "Expenses:5602-管理费用:差旅费"
    refund = row("一卡通", "退款-充值", "50.00", meta='counterparty: "fin***@jieyisoft.com"')
    assert decide(rules, refund).account == "Expenses:5602-管理费用:差旅费"
    goods = row("x", "纸巾", "-9.90", meta='category: "日用百货"\nmethod: "账户余额"')
    assert decide(rules, goods).account == "Expenses:5602-管理费用:办公费"
    # Every condition must hold: a missing key or another value fails the rule.
    assert decide(rules, row("x", "纸巾", "-9.90", meta='category: "日用百货"')).rule is None
    assert decide(rules, row("x", "y", "-9.90", meta='counterparty: "other"')).rule is None


@pytest.mark.parametrize(
    ("amount", "hit"),
    [
        ("-99.99", False),
        ("-100.00", True),
        ("-250", True),
        ("-500.00", True),
        ("-500.01", False),
        ("300.00", True),
    ],
)
def test_amount_range_is_inclusive_on_the_absolute_value(amount: str, hit: bool) -> None:
    rules = ruleset("""\
        rules:
          - when: {text: 顺丰, min: 100, max: 500.00}
            account: Expenses:5601-销售费用:运输费
        """)
    assert (decide(rules, row("顺丰速运", "运费", amount)).rule is not None) is hit


def test_direction_in_and_out() -> None:
    rules = ruleset("""\
        rules:
          - when: {payee: 美团, direction: in}
            account: Income:5001-主营业务收入
          - when: {payee: 美团, direction: out}
            account: Expenses:5602-管理费用:业务招待费
        """)
    assert decide(rules, row("美团外卖", "结算", "1234.56")).account == "Income:5001-主营业务收入"
    assert decide(rules, row("美团外卖", "午餐", "-45.00")).account == (
        "Expenses:5602-管理费用:业务招待费"
    )


def test_statement_account_holds_its_sub_accounts_and_currency() -> None:
    rules = ruleset("""\
        rules:
          - when: {statement-account: Assets:1012-其他货币资金, narration: 服务费}
            account: Expenses:5603-财务费用:手续费
          - when: {currency: USD, narration: fee}
            account: Expenses:5603-财务费用:汇兑损益
        """)
    assert decide(rules, row("支付宝", "服务费", "-3.00")).rule is not None
    assert decide(rules, row("工行", "服务费", "-3.00", account=BANK)).rule is None
    assert decide(rules, row("BOC", "wire fee", "-3.00", currency="USD")).rule is not None
    assert decide(rules, row("BOC", "wire fee", "-3.00")).rule is None


def test_first_match_wins_and_the_client_comes_before_the_firm() -> None:
    rules = ruleset(
        client="""\
            rules:
              - when: {payee: 滴滴, max: 20}
                account: Expenses:5601-销售费用:差旅费
              - when: {payee: 滴滴出行}
                account: Expenses:5601-销售费用:其他
            """,
        firm="""\
            rules:
              - when: {payee: 滴滴}
                account: Expenses:5602-管理费用:差旅费
            """,
    )
    assert decide(rules, row("滴滴出行", "快车", "-15.00")).rule == "ledgers/huamei/rules.yaml:2"
    assert decide(rules, row("滴滴出行", "快车", "-36.50")).rule == "ledgers/huamei/rules.yaml:4"
    assert decide(rules, row("滴滴", "快车", "-36.50")).rule == "rules.yaml:2"


def test_a_rule_sets_payee_narration_tags_links_and_metadata() -> None:
    rules = ruleset("""\
        rules:
          - name: 房租
            when: {payee: 恒基物业}
            account: Expenses:5602-管理费用:房租
            payee: 上海恒基物业
            narration: 房租 2026年11月
            tags: [rent]
            links: [LEASE-2025-01]
            meta: {contract: HT-2025-007}
        """)
    entry = row("上海恒基物业管理有限公司", "转账", "-3000.00", account=BANK)
    booked, decision = rules.categorize(entry)
    assert entry_text(booked) == dedent("""\
        2026-11-05 * "上海恒基物业" "房租 2026年11月" #rent ^LEASE-2025-01
          import-id: "x1"
          contract: "HT-2025-007"
          categorized-by: "ledgers/huamei/rules.yaml:2"
          Assets:1002-银行存款:工商银行                                         -3000.00 CNY
          Expenses:5602-管理费用:房租                                          3000.00 CNY
        """)
    assert decision.reason == 'rule ledgers/huamei/rules.yaml:2 (房租): payee "恒基物业"'


def test_review_keeps_the_flag() -> None:
    rules = ruleset("""\
        rules:
          - when: {meta: {category: 日用百货}}
            account: Expenses:5602-管理费用:办公费
            review: true
        """)
    booked, decision = rules.categorize(row("x", "纸", "-9.90", meta='category: "日用百货"'))
    assert (booked.flag, decision.flag) == ("!", "!")
    assert booked.postings[1].account == "Expenses:5602-管理费用:办公费"
    assert decision.reason.endswith("; flag ! for review")


def test_a_rule_to_uncategorized_stops_the_firm_rules() -> None:
    rules = ruleset(
        client="""\
            rules:
              - when: {text: 拼多多}
                account: Expenses:Uncategorized
            """,
        firm="""\
            rules:
              - when: {text: 拼多多}
                account: Expenses:5602-管理费用:办公费
            """,
    )
    booked, decision = rules.categorize(row("拼多多商户", "商品", "-86.00"))
    assert booked.flag == "!"
    assert booked.postings[1].account == "Expenses:Uncategorized"
    assert decision.rule == "ledgers/huamei/rules.yaml:2"
    assert "keeps it uncategorized" in decision.reason
    assert "categorized-by" not in booked.meta  # nothing was booked by it
    # Money in stays on the income side, whatever account the stopping rule names.
    refund = rules.categorize(row("拼多多商户", "退款", "86.00"))[0]
    assert refund.postings[1].account == "Income:Uncategorized"


def test_a_rule_whose_account_the_ledger_does_not_open_is_passed_over() -> None:
    rules = ruleset(
        client="rules: []",
        firm="""\
            rules:
              - when: {text: [中国移动, China Mobile]}
                account: Expenses:5602-管理费用:通讯费
              - when: {text: [中国移动, China Mobile]}
                account: Expenses:Telecom
            """,
    ).with_history(History(frozenset({"Expenses:Telecom", "Assets:Bank:CMB"})))
    decision = decide(rules, row("中国移动", "话费", "-100.00", account="Assets:Bank:CMB"))
    assert decision.rule == "rules.yaml:4"
    assert decision.reason.endswith(
        "; passed over rules.yaml:2 (Expenses:5602-管理费用:通讯费 is not open in this ledger)"
    )


def test_a_rule_whose_account_opens_after_the_row_is_passed_over_for_that_row() -> None:
    rules = ruleset(TELECOM).with_history(
        History(
            frozenset({"Expenses:5602-管理费用:通讯费", ALIPAY}),
            opened_on={"Expenses:5602-管理费用:通讯费": datetime.date(2026, 11, 6), ALIPAY: DAY},
        )
    )
    early, decision = rules.categorize(row("中国移动", "话费", "-100.00"))  # 2026-11-05
    assert early.postings[1].account == "Expenses:Uncategorized"
    assert decision.rule is None
    assert decision.passed_over == (
        "ledgers/huamei/rules.yaml:2 (Expenses:5602-管理费用:通讯费 is opened only on 2026-11-06)",
    )
    assert decision.reason.endswith(f"; passed over {decision.passed_over[0]}")
    later = row("中国移动", "话费", "-100.00")._replace(date=datetime.date(2026, 11, 6))
    booked, decision = rules.categorize(later)
    assert booked.postings[1].account == "Expenses:5602-管理费用:通讯费"
    assert decision.passed_over == ()


def test_an_entry_not_shaped_like_an_import_is_left_alone() -> None:
    (entry,) = rows("""\
        2026-11-05 * "国家电网" "电费"
          Expenses:5602-管理费用:水电费   88.00 CNY
          Assets:1002-银行存款:工商银行  -88.00 CNY
        """)
    rules = ruleset("""\
        rules:
          - when: {text: 国家电网}
            account: Expenses:5602-管理费用:通讯费
        """)
    booked, decision = rules.categorize(entry)
    assert booked is entry
    assert decision.rule is None
    assert decision.reason.startswith("not an imported row awaiting a category")


def test_a_ruleset_is_data() -> None:
    rules = ruleset(TELECOM)
    assert all(isinstance(rule, Rule) for rule in rules.rules)
    assert rules.with_history(History()).rules == rules.rules
