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
firm-wide rule written for the Chinese chart, met in a client keeping an English one), and the
decision says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data

from beanfirm.errors import ConfigError, Problem
from beanfirm.history import History, Suggestion
from beanfirm.registry import SLUG_RE
from beanfirm.rules import (
    RULES_FILENAME,
    UNCATEGORIZED,
    Conditions,
    Rule,
    SuggestionSettings,
    read_rules_file,
)
from beanfirm.textmatch import COUNTERPARTY, NARRATION, PAYEE, RowText


@dataclass(frozen=True, slots=True)
class Decision:
    """How one row was categorized, for `--dry-run` and `beanfirm rules test`.

    `rule` is where the winning rule is written (`ledgers/x/rules.yaml:12`, `rules.yaml:3`)
    or None; `account` is where the row is booked now (an Uncategorized account when nothing
    applied); `suggestion` is the account history points at, if any; `reason` is one line.
    """

    rule: str | None
    account: str
    flag: str
    reason: str
    suggestion: Suggestion | None = None

    @property
    def suggested(self) -> bool:
        """Tell whether history suggested an account (booked or only recorded)."""
        return self.suggestion is not None


class Row:
    """What the conditions of a rule look at in one imported transaction, prepared once."""

    __slots__ = ("account", "currency", "direction", "meta", "number", "size", "text")

    def __init__(self, txn: Any, statement: Any) -> None:
        """Prepare a transaction; `statement` is its leg on the statement account."""
        self.meta: dict[str, Any] = txn.meta or {}
        self.account: str = statement.account
        self.number: Decimal = statement.units.number
        self.currency: str = statement.units.currency
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
    by_direction: dict[str, tuple[Rule, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Half the rules are for money in or out only: skip them without a look per row.
        split = {
            direction: tuple(r for r in self.rules if r.when.direction in (None, direction))
            for direction in ("in", "out")
        }
        object.__setattr__(self, "by_direction", split)

    def with_history(self, history: History) -> RuleSet:
        """Return the rule set that also suggests from, and checks accounts against, history."""
        return replace(self, history=history)

    def categorize(self, txn: Any) -> tuple[Any, Decision]:
        """Return the transaction categorized, and the decision that says how.

        `txn` is an importer's transaction: two postings, one of them on
        `Expenses:Uncategorized` or `Income:Uncategorized`. Anything else is returned unchanged
        with a decision that says why.
        """
        legs = _legs(txn)
        if legs is None:
            reason = "not an imported row awaiting a category (two legs, one Uncategorized)"
            return txn, Decision(None, "", txn.flag, reason)
        statement, index = legs
        row = Row(txn, statement)
        passed_over: list[str] = []
        for rule in self.by_direction[row.direction]:
            if not matches(rule.when, row):
                continue
            if self.history is not None and not (
                rule.account in UNCATEGORIZED or self.history.is_open(rule.account)
            ):
                passed_over.append(f"{rule.source} ({rule.account} is not open in this ledger)")
                continue
            return _booked_by_rule(txn, index, rule, passed_over)
        return self._unmatched(txn, index, row, passed_over)

    def _unmatched(
        self, txn: Any, index: int, row: Row, passed_over: list[str]
    ) -> tuple[Any, Decision]:
        current = txn.postings[index].account
        note = f"; passed over {', '.join(passed_over)}" if passed_over else ""
        if self.history is None or not self.suggestions.enabled:
            return txn, Decision(None, current, txn.flag, f"no rule matched{note}")
        suggestion, why = self.history.suggest(
            row.direction,
            txn.payee,
            txn.narration or "",
            str(row.meta["counterparty"]) if row.meta.get("counterparty") else None,
            self.suggestions,
        )
        if suggestion is None:
            return txn, Decision(None, current, txn.flag, f"no rule matched; {why}{note}")
        meta = dict(txn.meta or {})
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


def _legs(txn: Any) -> tuple[Any, int] | None:
    """Return the statement leg and the index of the uncategorized leg, if it has that shape."""
    if not isinstance(txn, data.Transaction) or len(txn.postings) != 2:  # noqa: PLR2004
        return None
    for index, posting in enumerate(txn.postings):
        statement = txn.postings[1 - index]
        if (
            posting.account in UNCATEGORIZED
            and statement.account not in UNCATEGORIZED
            and statement.units is not None
            and statement.units.number is not None
        ):
            return statement, index
    return None


def _with_account(txn: Any, index: int, account: str) -> list[Any]:
    """Return the postings with the uncategorized leg moved to `account`."""
    postings = list(txn.postings)
    postings[index] = postings[index]._replace(account=account)
    return postings


def _booked_by_rule(
    txn: Any, index: int, rule: Rule, passed_over: list[str]
) -> tuple[Any, Decision]:
    """Apply a rule; one whose account is Uncategorized leaves the row for a person."""
    meta = dict(txn.meta or {})
    meta.update(rule.meta)
    holds = rule.account in UNCATEGORIZED
    account = txn.postings[index].account if holds else rule.account
    flag = "!" if holds or rule.review else "*"
    booked = txn._replace(
        flag=flag,
        payee=rule.payee if rule.payee is not None else txn.payee,
        narration=rule.narration if rule.narration is not None else txn.narration,
        tags=(frozenset(txn.tags or ()) | rule.tags) if rule.tags else txn.tags,
        links=(frozenset(txn.links or ()) | rule.links) if rule.links else txn.links,
        meta=meta,
        postings=txn.postings if holds else _with_account(txn, index, account),
    )
    reason = rule.reason
    if passed_over:
        reason += f"; passed over {', '.join(passed_over)}"
    return booked, Decision(rule.source, account, flag, reason)


def load_ruleset(practice_root: Path, client_id: str, *, history: History | None = None) -> RuleSet:
    """Read a client's rules and the firm's; raise ConfigError listing every problem.

    The client's `ledgers/<id>/rules.yaml` comes first, then `rules.yaml` at the practice
    root; either file may be missing. Suggestion settings of the client's file override the
    firm's, key by key.
    """
    folder = practice_root / "ledgers" / client_id
    if not SLUG_RE.match(client_id) or not folder.is_dir():
        msg = (
            f"No ledger folder ledgers/{client_id}/ in {practice_root}, so there are no rules "
            "to read for it. Check the client id with `beanfirm clients list`."
        )
        raise ConfigError(msg)
    client_file, client_problems = read_rules_file(
        folder / RULES_FILENAME, f"ledgers/{client_id}/{RULES_FILENAME}", scope="client"
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
