"""Categorizing imported rows: the client's rules, then the firm's, then history's suggestion.

An importer books each row against `Expenses:Uncategorized` (money out) or
`Income:Uncategorized` (money in) with the flag `!`. `RuleSet.categorize` tries the client's
rules (`ledgers/<id>/rules.yaml`) in file order, then the firm-wide ones (`rules.yaml` at the
practice root); the first rule whose conditions all hold wins. It moves the uncategorized leg
to the rule's account, sets what the rule sets (payee, narration, tags, links, metadata) and
the flag `*`, or keeps `!` when the rule says `review: true`. A row no rule matches stays where
it is, with `!`; if the client's history clearly points at one account, that account is
recorded as `suggested-account:` metadata with its `suggestion-confidence:` (and booked, still
with `!`, only if the client's rules file says `suggestions: apply: true`). Rules always win
over suggestions.

    ruleset = load_ruleset(practice.root, "huamei-retail")
    ruleset = ruleset.with_history(learn_history(ledger.entries, statement_accounts=...))
    entry, decision = ruleset.categorize(entry)

With a history, a rule whose account the client's ledger does not open is passed over (a
firm-wide rule written for the Chinese chart, met in a client keeping an English one), and so
is, for a row dated before it, a rule whose account the chart opens later; the decision says
so (`Decision.passed_over`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import repeat
from operator import attrgetter, gt, methodcaller
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from beancount.core import data

from beanfirm.core import paths
from beanfirm.core.beans import Meta, amount_of
from beanfirm.core.bulk import collector_paused
from beanfirm.core.textmatch import COUNTERPARTY, NARRATION, PAYEE, RowText
from beanfirm.errors import ConfigError, Problem
from beanfirm.importers.entries import (
    NO_NAMES,
    RowColumns,
    dated_columns,
    make_transactions,
    other_accounts,
    row_metas,
    transactions,
)
from beanfirm.importers.statement import BankStatement
from beanfirm.rules.conditions import Conditions
from beanfirm.rules.index import RuleIndex
from beanfirm.rules.rulesfile import (
    CATEGORIZED_BY,
    RULES_FILENAME,
    UNCATEGORIZED,
    Rule,
    SuggestionSettings,
    read_rules_file,
)
from beanfirm.store.registry import SLUG_RE

if TYPE_CHECKING:  # history is only used through the objects a caller hands over
    from beanfirm.rules.history import History, Suggestion

UNCATEGORIZED_SET = frozenset(UNCATEGORIZED)
DIRECTIONS = {True: "in", False: "out"}  # is the amount above zero
# How `_categorize_rows` marks a row no rule surely applies to (rule numbers are 0 and up).
UNSURE, PASSED_OVER, NO_RULE = -1, -2, -3
Text = TypeVar("Text", str, str | None)  # a payee (may be None) or a narration
TEXT_OR_NONE = frozenset((str, type(None)))  # counterparties that `str()` leaves as they are


@dataclass(frozen=True, slots=True)
class Decision:
    """How one row was categorized, for `--dry-run` and `beanfirm rules test`.

    `rule` is where the winning rule is written (`ledgers/x/rules.yaml:12`, `rules.yaml:3`)
    or None; `account` is where the row is booked now (an Uncategorized account when nothing
    applied); `suggestion` is the account history points at, if any; `reason` is one line.
    """

    rule: str | None
    account: str
    flag: str | None  # the transaction's, which Beancount's types leave optional
    reason: str
    suggestion: Suggestion | None = None
    # The rules that matched first but were passed over, their account not open on the row's
    # day (`file:line (why)`), as the reason also says.
    passed_over: tuple[str, ...] = ()

    @property
    def suggested(self) -> bool:
        """Tell whether history suggested an account (booked or only recorded)."""
        return self.suggestion is not None


class Row:
    """What the conditions of a rule look at in one imported transaction, prepared once."""

    __slots__ = ("account", "currency", "direction", "meta", "number", "size", "text")

    def __init__(self, txn: data.Transaction, statement: data.Posting) -> None:
        """Prepare a transaction; `statement` is its leg on the statement account."""
        self.meta: Meta = txn.meta or {}
        self.account: str = statement.account
        self.number, self.currency = amount_of(statement)
        self.direction = "in" if self.number > 0 else "out"
        self.size = abs(self.number)
        counterparty = self.meta.get("counterparty")
        self.text = RowText(
            txn.payee, txn.narration, None if counterparty is None else str(counterparty)
        )


def matches(when: Conditions, row: Row) -> bool:
    """Tell whether every condition given holds for the row (cheap checks first)."""
    if when.direction is not None and when.direction != row.direction:
        return False
    if when.statement_accounts and not any(
        row.account == name or row.account.startswith(name + ":")
        for name in when.statement_accounts
    ):
        return False
    if when.currencies and row.currency not in when.currencies:
        return False
    if (when.minimum is not None and row.size < when.minimum) or (
        when.maximum is not None and row.size > when.maximum
    ):
        return False
    if when.payee is not None and not when.payee.search(row.text, PAYEE):
        return False
    if when.narration is not None and not when.narration.search(row.text, NARRATION):
        return False
    if when.counterparty is not None and not (
        "counterparty" in row.meta and when.counterparty.search(row.text, COUNTERPARTY)
    ):
        return False
    if when.text is not None and not when.text.search(row.text):
        return False
    for key, patterns in when.meta:
        value = row.meta.get(key)
        if value is None or not patterns.search_text(str(value)):
            return False
    return True


@dataclass(frozen=True)
class RuleSet:
    """The rules that apply to one client, in the order they are tried."""

    rules: tuple[Rule, ...]
    suggestions: SuggestionSettings = field(default_factory=SuggestionSettings)
    history: History | None = None
    index: RuleIndex = field(init=False, repr=False, compare=False)
    decisions: dict[tuple[int, str] | tuple[int, str, str], Decision] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        history = self.history
        passed: set[int] = set()
        if history is not None:
            # A rule may be passed over when its account is not open, or when the chart opens
            # it after the day it opens its first accounts: a row dated before is not booked
            # there. Such rules are tried row by row, on the row's date.
            first = min(history.opened_on.values(), default=None)
            for number, rule in enumerate(self.rules):
                if rule.account in UNCATEGORIZED:
                    continue
                opened = history.opened_on.get(rule.account)
                if not history.is_open(rule.account) or (
                    first is not None and opened is not None and opened > first
                ):
                    passed.add(number)
        object.__setattr__(self, "index", RuleIndex(self.rules, closed=frozenset(passed)))

    def with_history(self, history: History) -> RuleSet:
        """Return the rule set that also suggests from, and checks accounts against, history."""
        return replace(self, history=history)

    def categorize(self, txn: data.Transaction) -> tuple[data.Transaction, Decision]:
        """Return the transaction categorized, and the decision that says how.

        `txn` is an importer's transaction: two postings, one of them on
        `Expenses:Uncategorized` or `Income:Uncategorized`. Anything else is returned unchanged
        with a decision that says why.
        """
        legs = _legs(txn)
        if legs is None:
            reason = "not an imported row awaiting a category (two legs, one Uncategorized)"
            return txn, Decision(None, "", txn.flag, reason)
        account, amount, currency, index = legs
        direction = "in" if amount > 0 else "out"
        meta = txn.meta or {}
        rules = self.index
        passed_over: list[str] = []
        history = self.history
        # The row's day, against which the accounts' `open` dates are checked: only for a row
        # within the books (its own account open), as any other fails whatever it is booked to.
        on = txn.date if history is not None and history.is_open(account, txn.date) else None
        candidates = rules.candidates(txn.payee, txn.narration, meta, account, currency, direction)
        for number in candidates:
            if number in rules.bounded and not rules.within_bounds(number, abs(amount)):
                continue
            rule = self.rules[number]
            if history is not None and not (
                rule.account in UNCATEGORIZED or history.is_open(rule.account, on)
            ):
                passed_over.append(f"{rule.source} ({history.not_open(rule.account, on)})")
                continue
            return self._booked_by_rule(txn, index, number, passed_over)
        txn, decision = self._unmatched(txn, index, direction, meta, passed_over, on)
        if passed_over:
            decision = replace(decision, passed_over=tuple(passed_over))
        return txn, decision

    def categorize_all(
        self, txns: Iterable[data.Transaction]
    ) -> list[tuple[data.Transaction, Decision]]:
        """Return `[self.categorize(txn) for txn in txns]`, with the cycle collector paused."""
        categorize = self.categorize
        with collector_paused():
            return [categorize(txn) for txn in txns]

    def categorize_statement(
        self, statement: BankStatement, account: str
    ) -> list[tuple[data.Transaction, Decision]]:
        """Return the transactions of a statement, categorized, made in bulk and each once.

        The result is what categorizing each transaction of `statement_entries(statement,
        account)` with `categorize` gives. An export's rows are looked at column by column.
        Each row's candidate rules come from the index by key (`RuleIndex.candidates_of`); the
        rule that applies is the first candidate whose amount bounds the row meets; a row whose
        rule is known is made booked by it (all such rows together, the rule's decision made
        once), and a row no rule applies to stays on its Uncategorized account. A row that
        passes a rule over (its account not open), or that history may suggest an account for,
        goes through `categorize`, which words those decisions. The cycle collector is paused
        meanwhile (`beanfirm.core.bulk.collector_paused`).
        """
        with collector_paused():
            columns = dated_columns(statement)
            if columns is None or account in UNCATEGORIZED_SET:
                return self.categorize_all(transactions(statement, account))
            return self._categorize_rows(columns, statement, account)

    def _categorize_rows(
        self, columns: RowColumns, statement: BankStatement, account: str
    ) -> list[tuple[data.Transaction, Decision]]:
        metas = row_metas(columns, statement.filename)
        numbers = columns.amounts()  # a rule sees the amount before a fee
        current = other_accounts(numbers)
        index = self.index
        counterparties = list(map(methodcaller("get", "counterparty"), metas))
        if not TEXT_OR_NONE.issuperset(map(type, counterparties)):
            counterparties = [None if c is None else str(c) for c in counterparties]
        keys = list(
            zip(
                index.texts(columns.payees),
                index.texts(columns.narrations),
                map(methodcaller("__contains__", "counterparty"), metas),
                index.texts(counterparties),
                map(index.meta_values, metas) if index.meta_keys else repeat(()),
                repeat(account),
                columns.currencies,
                map(DIRECTIONS.__getitem__, map(gt, numbers, repeat(0))),
            )
        )
        candidates = index.candidates_of(keys)
        sure = {found: self._sure(found) for found in set(candidates)}
        chosen = list(map(sure.__getitem__, candidates))
        if UNSURE in sure.values():
            choose = self._choose
            for position, choice in enumerate(chosen):
                if choice == UNSURE:
                    chosen[position] = choose(candidates[position], abs(numbers[position]))
        pairs = list(zip(chosen, current, strict=True))
        made = {pair: self._decision_of(*pair) for pair in set(pairs)}
        decisions = list(map(made.__getitem__, pairs))
        used = {number: self.rules[number] for number, _ in made if number >= 0}
        for meta, number in zip(metas, chosen, strict=True):
            if number >= 0:
                rule = used[number]
                meta.update(rule.meta)
                if rule.account not in UNCATEGORIZED:
                    meta[CATEGORIZED_BY] = rule.source  # why it is booked there
        txns = make_transactions(
            account,
            columns,
            metas,
            flags=list(map(attrgetter("flag"), decisions)),
            payees=self._written(columns.payees, chosen, used, "payee"),
            narrations=self._written(columns.narrations, chosen, used, "narration"),
            tags=self._added(chosen, used, "tags"),
            links=self._added(chosen, used, "links"),
            others=list(map(attrgetter("account"), decisions)),
            fee_account=statement.fee_account,
        )
        results = list(zip(txns, decisions, strict=True))
        suggesting = self.history is not None and self.suggestions.enabled
        for position, number in enumerate(chosen):
            # A rule passed over, or history to ask: as `categorize` words it, row by row.
            if number == PASSED_OVER or (number < 0 and suggesting):
                results[position] = self.categorize(txns[position])
        return results

    def _decision_of(self, number: int, current: str) -> Decision:
        """Return the decision of a rule number, or of no rule (a row left where it is)."""
        return self._decision(number, current) if number >= 0 else self._left_alone(current, "!")

    @staticmethod
    def _written(
        column: Sequence[Text], numbers: list[int], used: dict[int, Rule], name: str
    ) -> Sequence[Text]:
        """Return each row's payee or narration, or the one its rule (if any) writes."""
        if not any(getattr(rule, name) is not None for rule in used.values()):
            return column
        values = list(column)
        for position, number in enumerate(numbers):
            written = getattr(used[number], name) if number >= 0 else None
            if written is not None:
                values[position] = written
        return values

    @staticmethod
    def _added(numbers: list[int], used: dict[int, Rule], name: str) -> list[frozenset[str]]:
        """Return the tags or links of each row: those its rule adds (an import sets none)."""
        added = {number: getattr(rule, name) or NO_NAMES for number, rule in used.items()}
        if not any(added.values()):
            return [NO_NAMES] * len(numbers)
        return [added.get(number, NO_NAMES) for number in numbers]

    def _sure(self, candidates: tuple[int, ...]) -> int:
        """Return the rule that applies to any row with these candidates.

        NO_RULE when none does, UNSURE when that depends on the row's amount or a rule is
        passed over.
        """
        if not candidates:
            return NO_RULE
        first = candidates[0]
        if first in self.index.bounded or first in self.index.closed:
            return UNSURE
        return first

    def _choose(self, candidates: tuple[int, ...], size: Decimal) -> int:
        """Return the rule that applies to a row of this size, as `categorize` tries them.

        NO_RULE when none does, PASSED_OVER when one whose account is not open matches first
        (for `categorize` to word).
        """
        index = self.index
        for number in candidates:
            if number in index.bounded and not index.within_bounds(number, size):
                continue
            return PASSED_OVER if number in index.closed else number
        return NO_RULE

    def _left_alone(self, current: str, flag: str) -> Decision:
        """Return the decision for a row no rule matches and history does not look at."""
        key = (-1, current, flag)
        decision = self.decisions.get(key)
        if decision is None:
            decision = self.decisions[key] = Decision(None, current, flag, "no rule matched")
        return decision

    def _decision(self, number: int, current: str) -> Decision:
        """Return the decision of a rule for a row now on `current` (made once per rule)."""
        rule = self.rules[number]
        holds = rule.account in UNCATEGORIZED
        account = current if holds else rule.account
        decision = self.decisions.get((number, account))
        if decision is None:
            flag = "!" if holds or rule.review else "*"
            decision = self.decisions[(number, account)] = Decision(
                rule.source, account, flag, rule.reason
            )
        return decision

    def _booked_by_rule(
        self, txn: data.Transaction, index: int, number: int, passed_over: list[str]
    ) -> tuple[data.Transaction, Decision]:
        """Apply a rule; one whose account is Uncategorized leaves the row for a person."""
        rule = self.rules[number]
        meta = dict(txn.meta or {})
        if rule.meta:
            meta.update(rule.meta)
        holds = rule.account in UNCATEGORIZED
        if not holds:
            meta[CATEGORIZED_BY] = rule.source  # why it is booked there, for the reviewer
        account = txn.postings[index].account if holds else rule.account
        flag = "!" if holds or rule.review else "*"
        booked = data.Transaction._make(
            (
                meta,
                txn.date,
                flag,
                txn.payee if rule.payee is None else rule.payee,
                txn.narration if rule.narration is None else rule.narration,
                (frozenset(txn.tags or ()) | rule.tags) if rule.tags else txn.tags,
                (frozenset(txn.links or ()) | rule.links) if rule.links else txn.links,
                txn.postings if holds else _with_account(txn, index, account),
            )
        )
        if passed_over:
            reason = f"{rule.reason}; passed over {', '.join(passed_over)}"
            return booked, Decision(rule.source, account, flag, reason, None, tuple(passed_over))
        return booked, self._decision(number, txn.postings[index].account)

    def _unmatched(
        self,
        txn: data.Transaction,
        index: int,
        direction: str,
        meta: Meta,
        passed_over: list[str],
        on: datetime.date | None,
    ) -> tuple[data.Transaction, Decision]:
        current = txn.postings[index].account
        note = f"; passed over {', '.join(passed_over)}" if passed_over else ""
        if self.history is None or not self.suggestions.enabled:
            return txn, Decision(None, current, txn.flag, f"no rule matched{note}")
        suggestion, why = self.history.suggest(
            direction,
            txn.payee,
            txn.narration or "",
            str(meta["counterparty"]) if meta.get("counterparty") else None,
            self.suggestions,
            on,
        )
        if suggestion is None:
            return txn, Decision(None, current, txn.flag, f"no rule matched; {why}{note}")
        meta = dict(meta)
        meta["suggested-account"] = suggestion.account
        meta["suggestion-confidence"] = suggestion.confidence
        evidence = f"{suggestion.describe()} went there ({suggestion.confidence:%})"
        if self.suggestions.apply:
            suggestion = replace(suggestion, applied=True)
            booked = txn._replace(
                meta=meta, flag="!", postings=_with_account(txn, index, suggestion.account)
            )
            reason = f"no rule matched; booked as suggested: {evidence}; flag ! for review"
            return booked, Decision(None, suggestion.account, "!", reason + note, suggestion)
        reason = f"no rule matched; suggested {suggestion.account}: {evidence}"
        return txn._replace(meta=meta), Decision(None, current, txn.flag, reason + note, suggestion)


def _legs(txn: data.Transaction) -> tuple[str, Decimal, str, int] | None:
    """Return the statement leg's account, number and currency, and the uncategorized leg's index.

    None when the transaction does not have that shape. A row with a fee has a third posting,
    the fee (`beanfirm.importers.entries`); its number is then the amount before the fee, as
    the other leg holds it.
    """
    if not isinstance(txn, data.Transaction):
        return None
    if len(txn.postings) == 3:  # noqa: PLR2004 - the statement leg, the other leg, the fee
        statement, other, _ = txn.postings
        units = other.units
        if (
            statement.account not in UNCATEGORIZED
            and other.account in UNCATEGORIZED
            and units is not None
            and units.number is not None
        ):
            return statement.account, -units.number, units.currency, 1
        return None
    if len(txn.postings) != 2:  # noqa: PLR2004
        return None
    statement, other = txn.postings
    if statement.account not in UNCATEGORIZED:  # as importers make them: the statement first
        units = statement.units
        if other.account in UNCATEGORIZED and units is not None and units.number is not None:
            return statement.account, units.number, units.currency, 1
        return None
    for index, posting in enumerate(txn.postings):
        statement = txn.postings[1 - index]
        units = statement.units
        if (
            posting.account in UNCATEGORIZED
            and statement.account not in UNCATEGORIZED
            and units is not None
            and units.number is not None
        ):
            return statement.account, units.number, units.currency, index
    return None


def _with_account(txn: data.Transaction, index: int, account: str) -> list[data.Posting]:
    """Return the postings with the uncategorized leg moved to `account`."""
    postings = list(txn.postings)
    posting = postings[index]
    postings[index] = data.Posting._make((account, *posting[1:]))  # `_replace`, but quicker
    return postings


def load_ruleset(practice_root: Path, client_id: str, *, history: History | None = None) -> RuleSet:
    """Read a client's rules and the firm's; raise ConfigError listing every problem.

    The client's `ledgers/<id>/rules.yaml` comes first, then `rules.yaml` at the practice
    root; either file may be missing. Suggestion settings of the client's file override the
    firm's, key by key.
    """
    folder = practice_root / paths.client_folder(client_id)
    if not SLUG_RE.match(client_id) or not folder.is_dir():
        msg = (
            f"No ledger folder ledgers/{client_id}/ in {practice_root}, so there are no rules "
            "to read for it. Check the client id with `beanfirm clients list`."
        )
        raise ConfigError(msg)
    client_file, client_problems = read_rules_file(
        practice_root / paths.rules_file(client_id), paths.rules_file(client_id), scope="client"
    )
    firm_file, firm_problems = read_rules_file(
        practice_root / RULES_FILENAME, RULES_FILENAME, scope="firm"
    )
    problems: list[Problem] = [*client_problems, *firm_problems]
    if problems:
        count = len(problems)
        msg = (
            f"The categorization rules of {client_id} have {count} "
            f"problem{'s' if count != 1 else ''}; fix each line below and run the command "
            "again (the format is in docs/rules.md)."
        )
        raise ConfigError(msg, tuple(problems))
    settings: dict[str, Any] = {**dict(firm_file.suggestions), **dict(client_file.suggestions)}
    return RuleSet(
        rules=client_file.rules + firm_file.rules,
        suggestions=SuggestionSettings(**settings),
        history=history,
    )
