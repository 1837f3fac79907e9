"""The entries waiting on Uncategorized, what rules and history book, and rules made from a row."""

from __future__ import annotations

import datetime

import pytest
from beancount.parser import parser

from beanfirm.core.textmatch import PAYEE, RowText
from beanfirm.ingest.ledgerindex import with_amounts
from beanfirm.rules.categorize import RuleSet
from beanfirm.rules.history import learn_history
from beanfirm.rules.newrule import NewRule, RuleError, add_rule
from beanfirm.rules.rulesfile import SuggestionSettings, parse_rules
from beanfirm.rules.waiting import categorize_waiting, chart_accounts, waiting_entries

LEDGER = """\
2025-01-01 open Assets:Bank CNY
2025-01-01 open Expenses:Uncategorized
2025-01-01 open Income:Uncategorized
2025-01-01 open Expenses:Fuel CNY
2025-01-01 open Expenses:Coffee CNY
2025-01-01 open Expenses:Office CNY
2025-01-01 open Expenses:Office:Paper CNY

2025-01-02 * "Sinopec" "fuel"
  Expenses:Fuel      100.00 CNY
  Assets:Bank       -100.00 CNY

2025-01-03 * "Sinopec" "fuel"
  Expenses:Fuel      110.00 CNY
  Assets:Bank       -110.00 CNY

2025-01-04 * "Starbucks" "coffee"
  Expenses:Coffee     30.00 CNY
  Assets:Bank        -30.00 CNY

2025-01-05 * "Starbucks" "coffee"
  Expenses:Coffee     31.00 CNY
  Assets:Bank        -31.00 CNY

2025-01-06 * "Starbucks" "coffee"
  Expenses:Coffee     32.00 CNY
  Assets:Bank        -32.00 CNY

2025-01-10 ! "Sinopec" "fuel"
  Expenses:Uncategorized   120.00 CNY
  Assets:Bank             -120.00 CNY

2025-01-11 ! "Starbucks" "coffee"
  Expenses:Uncategorized    33.00 CNY
  Assets:Bank              -33.00 CNY

2025-01-12 ! "China Mobile" "top-up"
  Expenses:Uncategorized    50.00 CNY
  Assets:Bank              -50.00 CNY

2025-01-13 ! "Split" "by hand"
  Expenses:Uncategorized    10.00 CNY
  Expenses:Office:Paper     10.00 CNY
  Assets:Bank              -20.00 CNY
"""

RULES = """\
rules:
  - when: {payee: China Mobile}
    account: Expenses:Office:Paper
"""


def _run() -> tuple[list[str], list[str]]:
    entries, errors, _options = parser.parse_string(LEDGER, "ledger.beancount")
    assert not errors
    waiting = waiting_entries(entries)
    rules, problems = parse_rules(RULES, "rules.yaml")
    assert not problems
    history = learn_history(with_amounts(entries), statement_accounts=["Assets:Bank"])
    booked, left = categorize_waiting(RuleSet(rules.rules, history=history), waiting)
    shown = [f"{b.waiting.txn.payee} {b.how} {b.booked.flag} {b.account}" for b in booked]
    hints = [
        f" (hint {item.hint.account} {item.hint.confidence})" if item.hint else "" for item in left
    ]
    reasons = [f"{item.waiting.txn.payee}: {item.decision.reason}" for item in left]
    return shown, [reason + hint for reason, hint in zip(reasons, hints, strict=True)]


def test_a_rule_books_with_a_star_and_a_clear_history_with_its_flag_kept() -> None:
    booked, left = _run()
    assert booked == [
        "Starbucks suggestion ! Expenses:Coffee",
        "China Mobile rule * Expenses:Office:Paper",
    ]
    # Two past entries are below the threshold of three: no guess. A split waits for a person.
    assert left == [
        (
            'Sinopec: no rule matched; 2 of 2 past "Sinopec" entries went to Expenses:Fuel: '
            "below the threshold of 3 entries and 80% share (hint Expenses:Fuel 1.00)"
        ),
        "Split: not an imported row awaiting a category (two legs, one Uncategorized)",
    ]


def test_waiting_entries_know_their_lines_and_since() -> None:
    entries, _errors, _options = parser.parse_string(LEDGER, "ledger.beancount")
    waiting = waiting_entries(entries)
    assert [(item.line, item.leg_line) for item in waiting] == [
        (29, 30), (33, 34), (37, 38), (41, 42),
    ]  # fmt: skip
    assert len(waiting_entries(entries, since=datetime.date(2025, 1, 12))) == 2


def test_the_chart_offers_open_leaves_but_no_suspense_account() -> None:
    entries, _errors, _options = parser.parse_string(LEDGER, "ledger.beancount")
    assert chart_accounts(entries) == [
        "Assets:Bank", "Expenses:Coffee", "Expenses:Fuel", "Expenses:Office:Paper",
    ]  # fmt: skip


NEW = NewRule("Sinopec #2: fuel", "payee", "Sinopec #2: [fuel]", "out", "Expenses:Fuel")


@pytest.mark.parametrize(
    ("text", "expected_line"),
    [
        (None, 2),
        ("rules: []\n", 2),
        ("# ours\nrules:\n  - when: {payee: A}\n    account: Expenses:Coffee\n\n# the end\n", 5),
        (
            "rules:\n- when: {payee: A}\n  account: Expenses:Coffee\nsuggestions:\n  min-count: 2\n",
            4,
        ),
    ],
)
def test_a_rule_is_added_after_the_clients_last_and_reads_back(
    text: str | None, expected_line: int
) -> None:
    updated, rule, parsed = add_rule(text, "rules.yaml", NEW)
    assert rule.source == f"rules.yaml:{expected_line}"
    assert rule.account == "Expenses:Fuel"
    assert rule.name == "Sinopec #2: fuel"
    assert rule.when.described == 'payee "Sinopec #2: [fuel]", direction out'
    assert parsed.rules[-1] == rule
    if text and "suggestions" in text:
        assert updated.endswith("suggestions:\n  min-count: 2\n")
    if text and "# the end" in text:
        assert updated.endswith("\n# the end\n")


@pytest.mark.parametrize(
    ("pattern", "hits", "misses"),
    [
        ("/杂货/", ["/杂货/", "买/杂货/店"], ["杂货", "华联杂货店"]),
        ("/全家（中国）/", ["/全家(中国)/", "/全家（中国）/"], ["/全家中国/"]),  # noqa: RUF001
        ("/a.b/", ["/A.B/"], ["/axb/"]),
        ("//", ["//"], ["/"]),
    ],
)
def test_a_substring_between_slashes_is_written_to_read_back_as_itself(
    pattern: str, hits: list[str], misses: list[str]
) -> None:
    # The person was asked "payee contains [/杂货/]": the rule must not read as the regex 杂货.
    new = NewRule(pattern, "payee", pattern, "out", "Expenses:Fuel")
    _updated, rule, _parsed = add_rule(None, "rules.yaml", new)
    assert rule.when.payee is not None
    assert [rule.when.payee.search(RowText(text, "", None), PAYEE) for text in hits] == [
        True
    ] * len(hits)
    assert not any(rule.when.payee.search(RowText(text, "", None), PAYEE) for text in misses)


def test_a_rules_file_with_mistakes_gets_no_rule() -> None:
    with pytest.raises(RuleError, match=r"rules.yaml:2: .*Fix them first"):
        add_rule(
            "rules:\n  - when: {payee: A, direction: 支出}\n    account: X\n", "rules.yaml", NEW
        )


def test_suggestions_turned_off_book_nothing_from_history() -> None:
    entries, _errors, _options = parser.parse_string(LEDGER, "ledger.beancount")
    history = learn_history(with_amounts(entries), statement_accounts=["Assets:Bank"])
    ruleset = RuleSet((), SuggestionSettings(enabled=False), history=history)
    booked, left = categorize_waiting(ruleset, waiting_entries(entries))
    assert booked == []
    assert len(left) == 4


def test_a_rule_may_not_set_what_categorize_records() -> None:
    text = (
        "rules:\n  - when: {payee: A}\n    account: Expenses:Fuel\n    meta: {categorized-by: me}\n"
    )
    _file, problems = parse_rules(text, "rules.yaml")
    assert [problem.line for problem in problems] == [4]
    assert "categorized-by" in problems[0].message
