"""Suggestions from a client's history: only above the threshold, never for the unseen.

smart_importer booked an unseen 中国移动 话费充值 to `Expenses:Coffee` because it always
answers. Here "no suggestion" is an answer, and a suggestion is recorded as metadata while the
row stays on Uncategorized with `!`, unless the client's rules say `apply: true`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from textwrap import dedent
from typing import Any

from beancount import loader
from beancount.core import data
from beancount.parser import parser

from beanfirm.rules.categorize import RuleSet
from beanfirm.rules.history import History, learn_history
from beanfirm.rules.rulesfile import SuggestionSettings, parse_rules

ALIPAY = "Assets:Alipay"
BANK = "Assets:Bank"
OWN = (ALIPAY, BANK)

OPENS = """\
    2026-01-01 open Assets:Alipay
    2026-01-01 open Assets:Bank
    2026-01-01 open Expenses:Coffee
    2026-01-01 open Expenses:Office
    2026-01-01 open Expenses:Telecom
    2026-01-01 open Expenses:Uncategorized
    2026-01-01 open Income:Sales
    2026-01-01 open Income:Uncategorized
    2026-01-01 open Liabilities:VAT
    """


def past(*entries: tuple[str, str, str, str]) -> list[Any]:
    """Load a ledger of past two-leg entries: (payee, narration, category, amount from Alipay)."""
    text = dedent(OPENS)
    for day, (payee, narration, category, amount) in enumerate(entries, start=1):
        date = datetime.date(2026, 1, 1) + datetime.timedelta(days=day)
        text += f'{date} * "{payee}" "{narration}"\n  {ALIPAY}  {amount} CNY\n  {category}\n'
    loaded, errors, _ = loader.load_string(text)
    assert errors == []
    return loaded


def history(*entries: tuple[str, str, str, str]) -> History:
    return learn_history(past(*entries), statement_accounts=OWN)


def imported(payee: str, narration: str, amount: str, meta: str = "") -> Any:
    other = "Expenses:Uncategorized" if amount.startswith("-") else "Income:Uncategorized"
    negated = amount[1:] if amount.startswith("-") else f"-{amount}"
    text = f'2026-03-01 ! "{payee}" "{narration}"\n{meta}'
    text += f"  {ALIPAY}  {amount} CNY\n  {other}  {negated} CNY\n"
    entries, errors, _ = loader.load_string(dedent(OPENS) + text)
    assert errors == []
    return next(e for e in entries if isinstance(e, data.Transaction))


def coffee(count: int) -> list[tuple[str, str, str, str]]:
    return [("Starbucks", "latte", "Expenses:Coffee", "-30.00")] * count


def ruleset(
    known: History, rules: str = "rules: []", settings: SuggestionSettings | None = None
) -> RuleSet:
    parsed, problems = parse_rules(rules, "ledgers/c/rules.yaml")
    assert problems == []
    return RuleSet(parsed.rules, settings or SuggestionSettings(), known)


def test_three_of_three_is_suggested_as_metadata_and_the_row_stays_for_review() -> None:
    rules = ruleset(history(*coffee(3)))
    booked, decision = rules.categorize(imported("Starbucks", "flat white", "-28.00"))
    assert booked.flag == "!"
    assert booked.postings[1].account == "Expenses:Uncategorized"
    assert booked.meta["suggested-account"] == "Expenses:Coffee"
    assert booked.meta["suggestion-confidence"] == Decimal("1.00")
    assert decision.suggested
    assert decision.suggestion is not None
    assert (decision.suggestion.count, decision.suggestion.total) == (3, 3)
    assert decision.rule is None
    assert decision.account == "Expenses:Uncategorized"
    assert decision.reason == (
        'no rule matched; suggested Expenses:Coffee: 3 of 3 past "Starbucks" entries went '
        "there (100%)"
    )


def test_too_few_past_entries_give_no_suggestion() -> None:
    booked, decision = ruleset(history(*coffee(2))).categorize(
        imported("Starbucks", "latte", "-30.00")
    )
    assert "suggested-account" not in booked.meta
    assert not decision.suggested
    assert decision.reason == (
        'no rule matched; 2 of 2 past "Starbucks" entries went to Expenses:Coffee: below the '
        "threshold of 3 entries and 80% share"
    )


def test_a_split_history_gives_a_suggestion_only_at_the_share() -> None:
    office = [("Starbucks", "beans for the office", "Expenses:Office", "-80.00")]
    split = ruleset(history(*coffee(3), *office))  # 3 of 4: 75 %
    assert not split.categorize(imported("Starbucks", "x", "-1.00"))[1].suggested
    clear = ruleset(history(*coffee(4), *office))  # 4 of 5: 80 %
    booked, decision = clear.categorize(imported("Starbucks", "x", "-1.00"))
    assert decision.suggested
    assert booked.meta["suggestion-confidence"] == Decimal("0.80")


def test_never_a_suggestion_for_a_payee_never_seen() -> None:
    # Even a history of nothing but coffee predicts nothing for a telephone top-up.
    rules = ruleset(history(*coffee(50)))
    booked, decision = rules.categorize(imported("中国移动", "话费充值", "-100.00"))
    assert "suggested-account" not in booked.meta
    assert booked.postings[1].account == "Expenses:Uncategorized"
    assert decision.reason == (
        'no rule matched; no past entries of "中国移动" (money out) to learn from'
    )


def test_history_of_payments_suggests_nothing_for_money_in() -> None:
    rules = ruleset(history(*coffee(5)))
    assert not rules.categorize(imported("Starbucks", "refund", "30.00"))[1].suggested


def test_rules_always_win_over_suggestions() -> None:
    rules = ruleset(
        history(*coffee(10)),
        rules="""\
            rules:
              - when: {payee: Starbucks}
                account: Expenses:Office
            """,
    )
    booked, decision = rules.categorize(imported("Starbucks", "latte", "-30.00"))
    assert decision.account == "Expenses:Office"
    assert not decision.suggested
    assert "suggested-account" not in booked.meta


def test_apply_books_the_suggestion_but_keeps_the_flag() -> None:
    rules = ruleset(history(*coffee(3)), settings=SuggestionSettings(apply=True))
    booked, decision = rules.categorize(imported("Starbucks", "latte", "-30.00"))
    assert booked.postings[1].account == "Expenses:Coffee"
    assert booked.flag == "!"
    assert booked.meta["suggested-account"] == "Expenses:Coffee"
    assert decision.account == "Expenses:Coffee"
    assert decision.suggestion is not None
    assert decision.suggestion.applied
    assert "booked as suggested" in decision.reason


def test_suggestions_can_be_turned_off_or_made_stricter() -> None:
    known = history(*coffee(4))
    off = ruleset(known, settings=SuggestionSettings(enabled=False))
    assert not off.categorize(imported("Starbucks", "latte", "-1.00"))[1].suggested
    strict = ruleset(known, settings=SuggestionSettings(min_count=5))
    assert not strict.categorize(imported("Starbucks", "latte", "-1.00"))[1].suggested


def test_transfers_splits_flagged_and_uncategorized_entries_teach_nothing() -> None:
    text = dedent(OPENS) + dedent("""\
        2026-02-01 * "支付宝" "提现到银行"
          Assets:Bank      100.00 CNY
          Assets:Alipay   -100.00 CNY
        2026-02-02 * "顾客" "门店销售"
          Assets:Alipay    103.00 CNY
          Income:Sales    -100.00 CNY
          Liabilities:VAT   -3.00 CNY
        2026-02-03 ! "Starbucks" "not yet reviewed"
          Assets:Alipay    -30.00 CNY
          Expenses:Coffee
        2026-02-04 * "Starbucks" "left open"
          Assets:Alipay    -30.00 CNY
          Expenses:Uncategorized
        """)
    entries, errors, _ = loader.load_string(text)
    assert errors == []
    learned = learn_history(entries, statement_accounts=OWN)
    assert learned.counts == {}
    assert "Expenses:Coffee" in learned.accounts


def test_the_counterparty_narrows_what_a_payee_teaches() -> None:
    text = dedent(OPENS)
    for day in range(1, 4):
        text += f'2026-02-0{day} * "转账" "x"\n  counterparty: "wang"\n'
        text += f"  {ALIPAY}  -10.00 CNY\n  Expenses:Office\n"
    for day in range(4, 8):
        text += f'2026-02-0{day} * "转账" "x"\n  counterparty: "li"\n'
        text += f"  {ALIPAY}  -10.00 CNY\n  Expenses:Telecom\n"
    entries, errors, _ = loader.load_string(text)
    assert errors == []
    rules = ruleset(learn_history(entries, statement_accounts=OWN))
    wang = imported("转账", "y", "-5.00", meta='  counterparty: "wang"\n')
    assert rules.categorize(wang)[0].meta["suggested-account"] == "Expenses:Office"
    # Without a counterparty, the payee alone is split 3 to 4: below the share.
    assert not rules.categorize(imported("转账", "y", "-5.00"))[1].suggested


def test_a_closed_account_is_never_suggested() -> None:
    entries = [*past(*coffee(3))]
    closed, errors, _ = parser.parse_string("2026-02-28 close Expenses:Coffee\n")
    assert errors == []
    rules = ruleset(learn_history([*entries, *closed], statement_accounts=OWN))
    decision = rules.categorize(imported("Starbucks", "latte", "-30.00"))[1]
    assert not decision.suggested
    assert decision.reason.endswith("which is no longer open")


def test_without_statement_accounts_the_income_or_expense_leg_is_learned() -> None:
    learned = learn_history(past(*coffee(3)))
    assert learned.counts == {("out", "starbucks"): {"Expenses:Coffee": 3}}
