"""Entries already in a ledger still waiting for a category, and what rules and history book.

An import leaves a row no rule knows on `Expenses:Uncategorized` / `Income:Uncategorized`
with the flag `!` (as `beanfirm status` counts them: a posting on an account whose last
component is `Uncategorized`). `waiting_entries` finds those entries in a parsed ledger, each
with the file and lines to edit; `categorize_waiting` runs the client's rules, the firm's and
history's suggestions over them, as an import would, and says which are booked and how, and
which are left for a person:

- a rule books the leg to its account, sets what the rule sets, the flag `*` (or keeps `!`
  when the rule says `review: true`), and records `categorized-by:` (the rule's file:line);
- a suggestion above the client's threshold books the leg to the suggested account, keeps the
  flag `!` for a reviewer and records `suggested-account:` and `suggestion-confidence:`, as an
  import with `suggestions: apply: true` does;
- anything else (no rule, a rule that keeps the row uncategorized, no clear history, an entry
  that is not an imported row's two legs) is left, with the reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from beancount.core import data

from beanfirm.rules.categorize import Decision, RuleSet
from beanfirm.rules.rulesfile import CATEGORIZED_BY, UNCATEGORIZED, RulesFile, SuggestionSettings

if TYPE_CHECKING:  # history is only used through the objects a rule set holds
    from beanfirm.rules.history import Suggestion

UNCATEGORIZED_LEAF = "Uncategorized"
Booked = Literal["rule", "suggestion", "person"]
ANY_HISTORY = SuggestionSettings(min_count=1, min_share=Decimal(0))  # a hint, for a person


@dataclass(frozen=True)
class Waiting:
    """An entry with one leg on an Uncategorized account: where it is written, and that leg."""

    txn: data.Transaction
    leg: int  # the index of the uncategorized posting
    filename: str  # as the parser reported it
    line: int  # the transaction's first line
    leg_line: int  # the uncategorized posting's line

    @property
    def date(self) -> datetime.date:
        """Return the entry's date."""
        return self.txn.date

    @property
    def account(self) -> str:
        """Return the Uncategorized account the entry waits on."""
        return self.txn.postings[self.leg].account

    @property
    def amount(self) -> tuple[Decimal | None, str | None]:
        """Return the uncategorized leg's number and currency (None where left out)."""
        units = self.txn.postings[self.leg].units
        if units is None:
            return None, None
        return units.number, units.currency

    @property
    def key(self) -> tuple[str, int, str]:
        """Return what identifies the entry between two reads: its place and its text."""
        number, currency = self.amount
        txn = self.txn
        text = f"{txn.date} {txn.payee} {txn.narration} {self.account} {number} {currency}"
        return self.filename, self.line, text


@dataclass(frozen=True)
class Booking:
    """A waiting entry and the transaction it becomes; `how` says who booked it."""

    waiting: Waiting
    booked: data.Transaction
    how: Booked
    why: str  # one line: the rule and its conditions, the history, or the person

    @property
    def account(self) -> str:
        """Return the account the leg is booked to."""
        return self.booked.postings[self.waiting.leg].account


@dataclass(frozen=True)
class Left:
    """A waiting entry no rule or suggestion books, with the reason and a hint for a person.

    `hint` is the account most of the payee's past entries went to when history knows the payee
    but not clearly enough to book it (below the client's threshold): offered to a person in the
    interactive mode, with its confidence, never booked without one.
    """

    waiting: Waiting
    decision: Decision
    hint: Suggestion | None = None


def is_uncategorized(account: str) -> bool:
    """Tell whether an account is a suspense account of unknown categories."""
    return account.rsplit(":", 1)[-1] == UNCATEGORIZED_LEAF


def waiting_entries(
    entries: Iterable[data.Directive], *, since: datetime.date | None = None
) -> list[Waiting]:
    """Return the transactions (dated on or after `since`) with exactly one uncategorized leg.

    The entries are a parsed ledger's, as written (each posting with its line).
    """
    found: list[Waiting] = []
    for entry in entries:
        if not isinstance(entry, data.Transaction) or (since is not None and entry.date < since):
            continue
        legs = [i for i, posting in enumerate(entry.postings) if is_uncategorized(posting.account)]
        if len(legs) != 1 or entry.meta is None:
            continue
        posting = entry.postings[legs[0]]
        leg_line = (posting.meta or {}).get("lineno")
        if not isinstance(leg_line, int):
            continue
        found.append(
            Waiting(
                entry, legs[0], str(entry.meta["filename"]), int(entry.meta["lineno"]), leg_line
            )
        )
    found.sort(key=lambda item: (item.date, item.filename, item.line))
    return found


def categorize_waiting(
    ruleset: RuleSet, waiting: Sequence[Waiting]
) -> tuple[list[Booking], list[Left]]:
    """Return the entries the rules and suggestions book, and those left (see the docstring)."""
    booked: list[Booking] = []
    left: list[Left] = []
    for item in waiting:
        txn, decision = ruleset.categorize(item.txn)
        moved = _leg_account(txn, item) not in UNCATEGORIZED and not is_uncategorized(
            _leg_account(txn, item)
        )
        if decision.rule is not None and moved:
            meta = {**(txn.meta or {}), CATEGORIZED_BY: decision.rule}
            booked.append(Booking(item, txn._replace(meta=meta), "rule", decision.reason))
        elif decision.suggestion is not None:
            suggestion = decision.suggestion
            postings = list(txn.postings)
            postings[item.leg] = postings[item.leg]._replace(account=suggestion.account)
            txn = txn._replace(flag="!", postings=postings)
            why = (
                f"booked as suggested: {suggestion.describe()} went there "
                f"({suggestion.confidence:.0%}); flag ! for review"
            )
            booked.append(Booking(item, txn, "suggestion", why))
        else:
            left.append(Left(item, decision, hint_for(ruleset, item)))
    return booked, left


def booked_by_person(item: Waiting, account: str, by: str) -> Booking:
    """Return a waiting entry booked by a person to `account`, with the flag `*`."""
    postings = list(item.txn.postings)
    postings[item.leg] = postings[item.leg]._replace(account=account)
    return Booking(
        item, item.txn._replace(flag="*", postings=postings), "person", f"chosen by {by}"
    )


def suggestion_of(left: Left) -> tuple[str | None, Decimal | None]:
    """Return the account history points at for a left entry, and its confidence, if any."""
    suggestion = left.decision.suggestion or left.hint
    if suggestion is None:
        return None, None
    return suggestion.account, suggestion.confidence


def hint_for(ruleset: RuleSet, item: Waiting) -> Suggestion | None:
    """Return the account most past entries of the row's payee went to, whatever the threshold."""
    history = ruleset.history
    number, _currency = item.amount
    if history is None or not ruleset.suggestions.enabled or number is None:
        return None
    txn = item.txn
    counterparty = (txn.meta or {}).get("counterparty")
    suggestion, _why = history.suggest(
        "out" if number > 0 else "in",  # the uncategorized leg's sign: an expense is money out
        txn.payee,
        txn.narration or "",
        str(counterparty) if counterparty else None,
        ANY_HISTORY,
    )
    return suggestion


def chart_accounts(entries: Iterable[data.Directive]) -> list[str]:
    """Return the accounts a person may book to: open leaves of the chart, not Uncategorized."""
    opened: set[str] = set()
    for entry in entries:
        if isinstance(entry, data.Open):
            opened.add(entry.account)
        elif isinstance(entry, data.Close):
            opened.discard(entry.account)
    parents = {account.rsplit(":", 1)[0] for account in opened if ":" in account}
    return sorted(a for a in opened if a not in parents and not is_uncategorized(a))


def with_client_rules(ruleset: RuleSet, client_file: RulesFile) -> RuleSet:
    """Return the rule set with the client's rules read anew (the firm's kept, after them)."""
    own = client_file.filename + ":"
    firm = tuple(rule for rule in ruleset.rules if not rule.source.startswith(own))
    return replace(ruleset, rules=client_file.rules + firm)


def _leg_account(txn: data.Transaction, item: Waiting) -> str:
    return txn.postings[item.leg].account
