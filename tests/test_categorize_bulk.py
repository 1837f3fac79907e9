"""Categorizing a whole statement at once gives what categorizing each row one by one gives.

`RuleSet.categorize_statement` (an import's path) answers every rule's conditions at once
through `beanfirm.rules.index.RuleIndex`, and books most rows in bulk. These tests hold it to the
plain definition: each transaction of `statement_entries`, categorized by `categorize`, whose
chosen rule is the first that `matches` (condition by condition, rule by rule).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beanfirm.importers.entries import transactions
from beanfirm.importers.statement import BankStatement, StatementRow, number_import_ids
from beanfirm.rules.categorize import Row, RuleSet, matches
from beanfirm.rules.history import History
from beanfirm.rules.rulesfile import UNCATEGORIZED, parse_rules

ACCOUNT = "Assets:1002-银行存款:工商银行"
# Overlapping, nested, CJK and full-width needles; regexes with and without groups and flags.
# Digits: rules whose patterns cannot see them share a key across texts that differ only in
# digits, so some patterns here see digits ("12", /\d{3}/, /x0/) and some do not.
NEEDLES = [
    "ab",
    "abc",
    "bc",
    "c",
    "ca",
    "国网",
    "国家电网",
    "ＡＢ",  # noqa: RUF001 - full-width letters, as Chinese exports write
    "a b",
    "x",
    "depot",
    "home depot",
    "12",
    "store",
]
REGEXES = [
    "/a.c/",
    "/^x/",
    "/(a)\\1/",
    "/b$/",
    "/(?-i:AB)/",
    "/国.*网/",
    "/\\d{3}/",
    "/x0/",
    "/ab|cd/",
    "/(?:store|depot)$/",
]
TEXTS = [
    "ab",
    "abc",
    "xabcx",
    "AB",
    "ＡＢ",  # noqa: RUF001 - full-width letters, as Chinese exports write
    "国家电网公司",
    "国网上海",
    "a b c",
    "home depot",
    "depot",
    "aa",
    "cab",
    "x123",
    "",
    "caB",
    "ab\nc",
    "x0",
    "x9",
    "store 12",
    "store 34",
    "ab１２",  # noqa: RUF001 - full-width digits
    "depot 7",
    "国网12",
]
ACCOUNTS = ["Expenses:A", "Expenses:B", "Income:C", "Expenses:Uncategorized", "Expenses:Closed"]


def patterns() -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(NEEDLES + REGEXES), min_size=1, max_size=3)


@st.composite
def rule(draw: st.DrawFn) -> dict[str, Any]:  # noqa: PLR0912 - one branch per optional key
    when: dict[str, Any] = {}
    for key in ("payee", "narration", "counterparty", "text"):
        if draw(st.integers(0, 3)) == 0:
            when[key] = draw(patterns())
    if draw(st.booleans()):
        when["direction"] = draw(st.sampled_from(["in", "out"]))
    if draw(st.integers(0, 3)) == 0:
        when["min"] = draw(st.sampled_from(["1", "10", "50.5"]))
    if draw(st.integers(0, 3)) == 0:
        when["max"] = draw(st.sampled_from(["60", "100"]))
    if draw(st.integers(0, 4)) == 0:
        when["currency"] = draw(st.sampled_from(["CNY", "USD"]))
    if draw(st.integers(0, 4)) == 0:
        when["statement-account"] = draw(st.sampled_from(["Assets:1002-银行存款", "Assets:X"]))
    if draw(st.integers(0, 4)) == 0:
        when["meta"] = {"kind": draw(patterns())}
    if not when:
        when["text"] = draw(patterns())
    found: dict[str, Any] = {"when": when, "account": draw(st.sampled_from(ACCOUNTS))}
    if draw(st.integers(0, 3)) == 0:
        found["payee"] = "规则"
    if draw(st.integers(0, 3)) == 0:
        found["narration"] = "rule narration"
    if draw(st.integers(0, 3)) == 0:
        found["tags"] = ["tagged"]
    if draw(st.integers(0, 3)) == 0:
        found["links"] = ["linked"]
    if draw(st.integers(0, 3)) == 0:
        found["meta"] = {"vat": "专票"}
    if draw(st.integers(0, 3)) == 0:
        found["review"] = True
    return found


@st.composite
def statement_row(draw: st.DrawFn) -> StatementRow:
    meta = draw(st.sampled_from([(), (("kind", "ab"),), (("kind", "国网"),), (("other", "x"),)]))
    return StatementRow(
        line=draw(st.integers(2, 50)),
        date=datetime.date(2026, 11, draw(st.integers(1, 3))),
        time=draw(st.sampled_from([None, datetime.time(9, 30)])),
        number=Decimal(draw(st.sampled_from(["-5.00", "-50.50", "-200", "3.00", "99.99", "10"]))),
        currency=draw(st.sampled_from(["CNY", "USD"])),
        payee=draw(st.sampled_from([None, *TEXTS])),
        narration=draw(st.sampled_from(TEXTS)),
        counterparty=draw(st.sampled_from([None, *TEXTS])),
        balance=None,
        serial=None,
        meta=meta,
    )


def ruleset_of(rules: list[dict[str, Any]]) -> RuleSet:
    text = yaml.safe_dump({"rules": rules}, allow_unicode=True)
    parsed, problems = parse_rules(text, "rules.yaml")
    assert problems == [], problems
    return RuleSet(parsed.rules)


def statement_of(rows: list[StatementRow]) -> BankStatement:
    ordered = number_import_ids(sorted(rows, key=lambda row: row.date))
    return BankStatement("bank.csv", tuple(ordered), (), ())


def reference_rule(ruleset: RuleSet, txn: Any) -> str | None:
    """Return the source of the first rule whose conditions all hold, tried one by one."""
    row = Row(txn, txn.postings[0])
    history = ruleset.history
    # A rule's account must be open on the row's day, for a row within the books.
    on = txn.date if history is not None and history.is_open(ACCOUNT, txn.date) else None
    for rule in ruleset.rules:
        if matches(rule.when, row) and (
            history is None or rule.account in UNCATEGORIZED or history.is_open(rule.account, on)
        ):
            return rule.source
    return None


def check(ruleset: RuleSet, statement: BankStatement) -> None:
    bulk = ruleset.categorize_statement(statement, ACCOUNT)
    one_by_one = [ruleset.categorize(txn) for txn in transactions(statement, ACCOUNT)]
    assert bulk == one_by_one
    for (txn, decision), original in zip(bulk, transactions(statement, ACCOUNT), strict=True):
        assert decision.rule == reference_rule(ruleset, original), (txn, decision)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=st.lists(rule(), min_size=1, max_size=6),
    rows=st.lists(statement_row(), min_size=1, max_size=8),
)
def test_a_statement_categorized_at_once_is_as_row_by_row(
    rules: list[dict[str, Any]], rows: list[StatementRow]
) -> None:
    check(ruleset_of(rules), statement_of(rows))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=st.lists(rule(), min_size=1, max_size=6),
    rows=st.lists(statement_row(), min_size=1, max_size=8),
)
def test_with_history_rules_on_accounts_not_open_are_passed_over_alike(
    rules: list[dict[str, Any]], rows: list[StatementRow]
) -> None:
    # Expenses:Closed is closed; Expenses:B opens on the second of the rows' three days.
    opened = frozenset(account for account in [*ACCOUNTS, ACCOUNT] if account != "Expenses:Closed")
    days = {account: datetime.date(2026, 1, 1) for account in opened}
    history = History(accounts=opened, opened_on={**days, "Expenses:B": datetime.date(2026, 11, 2)})
    check(ruleset_of(rules).with_history(history), statement_of(rows))


def test_an_empty_statement_has_nothing_to_categorize() -> None:
    ruleset = ruleset_of([{"when": {"text": "x"}, "account": "Expenses:A"}])
    assert ruleset.categorize_statement(statement_of([]), ACCOUNT) == []


def test_texts_that_differ_in_digits_share_one_answer_unless_a_rule_sees_digits() -> None:
    rows = [
        statement_row_of("STARBUCKS STORE 1234 517", "-5.00"),
        statement_row_of("STARBUCKS STORE 1234 518", "-6.00"),
        statement_row_of("STARBUCKS STORE 9999 000", "-7.00"),
    ]
    blind = ruleset_of(
        [{"when": {"text": ["starbucks", "/store$|cafe/"]}, "account": "Expenses:A"}]
    )
    check(blind, statement_of(rows))
    assert blind.index.digit_blind
    assert len(blind.index.known) == 1
    seeing = ruleset_of([{"when": {"text": ["/store \\d{4} 51/"]}, "account": "Expenses:A"}])
    check(seeing, statement_of(rows))
    assert not seeing.index.digit_blind
    assert len(seeing.index.known) == 3
    decisions = [
        decision.rule for _, decision in seeing.categorize_statement(statement_of(rows), ACCOUNT)
    ]
    assert decisions == ["rules.yaml:2", "rules.yaml:2", None]
    # Each digit becomes 0: a text with another number of digits is another key.
    blind.categorize_statement(
        statement_of([statement_row_of("STARBUCKS STORE 1 2", "-1")]), ACCOUNT
    )
    assert len(blind.index.known) == 2


def statement_row_of(narration: str, amount: str) -> StatementRow:
    return StatementRow(
        line=2,
        date=datetime.date(2026, 11, 1),
        time=None,
        number=Decimal(amount),
        currency="USD",
        payee=None,
        narration=narration,
        counterparty=None,
        balance=None,
        serial=None,
        meta=(),
    )
