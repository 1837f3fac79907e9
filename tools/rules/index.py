"""Which categorization rules a row can hit, worked out for all the rules at once.

`RuleSet.categorize` tries rules in order and the first whose conditions all hold wins. Trying
each rule's conditions in turn costs tens of microseconds a row; an export of 100,000 rows
is categorized many times faster by the `RuleIndex`:

- each rule is one bit of an integer, and each condition is answered for every rule at once,
  as a mask of the rules it lets through;
- text conditions (payee, narration, counterparty, text, metadata) are answered once per
  distinct text, since exports repeat their counterparties: the mask is kept per
  (payee, narration, counterparty, metadata the rules read);
- within one field, each distinct substring of any rule is looked for once (`needle in
  field`), then every rule that names it gets the hit; regular expressions are searched per
  condition, exactly as `Patterns.search` does;
- direction, statement account and currency give masks looked up by value; the amount bounds
  are checked only for the rules still standing, lowest bit (first rule) first.

The answer is the same as trying the rules one by one with `matches` (which stays as the
reference, and says why a single rule applies in `beanfirm rules test`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import repeat
from operator import is_

from beanfirm.core.textmatch import COUNTERPARTY, NARRATION, PAYEE, Pattern, Patterns, RowText
from beanfirm.rules.conditions import Conditions
from beanfirm.rules.rulesfile import Rule

# A mask per distinct text is kept up to this many texts, then forgotten (memory stays bounded
# on a rule set kept alive for many imports).
CACHE_LIMIT = 200_000
RowKey = tuple[str | None, str | None, bool, str | None, tuple[str | None, ...], str, str, str]


def entangled(needles: Sequence[str]) -> set[str]:
    """Return the needles that one scan for all of them may miss.

    Those are the needles that can overlap another (one within another, or one's end the
    other's start), and the empty one.
    """
    found: set[str] = {needle for needle in needles if not needle}
    for first, second in itertools.permutations(needles, 2):
        if first in second or any(
            second.startswith(first[-size:]) for size in range(1, min(len(first), len(second)))
        ):
            found.update((first, second))
    return found


class FieldIndex:
    """The patterns of one text condition kind (payee, …) across all rules.

    Substrings: one scan of the text for all of them (a regular expression alternation,
    `findall`) finds every one that cannot overlap another; those that can (`entangled`) are
    looked for one by one. Regular expressions: one search for any of them first, then, only
    if one matched, each condition's own (as `Patterns.search` does them).
    """

    __slots__ = ("any_regex", "field", "literals", "regexes", "scan", "scanned", "tangled", "used")

    def __init__(self, field: int | None, conditions: Sequence[tuple[int, Patterns]]) -> None:
        self.field = field
        literals: dict[str, int] = {}
        regexes: list[tuple[int, tuple[re.Pattern[str], ...]]] = []
        used = 0
        for bit, patterns in conditions:
            used |= bit
            for pattern in patterns.patterns:
                if pattern.regex is None:
                    literals[pattern.needle] = literals.get(pattern.needle, 0) | bit
            if patterns.regexes:
                regexes.append((bit, patterns.regexes))
        self.literals = literals
        tangled = entangled(list(literals))
        self.tangled = tuple((needle, literals[needle]) for needle in tangled)
        self.scanned = {needle: bits for needle, bits in literals.items() if needle not in tangled}
        ordered = sorted(self.scanned, key=len, reverse=True)
        self.scan = re.compile("|".join(map(re.escape, ordered))).findall if ordered else None
        self.regexes = tuple(regexes)
        self.any_regex = any_of([r for _, found in regexes for r in found])
        self.used = used

    def holds(self, row: RowText) -> int:
        """Return the mask of the rules whose condition of this kind the row meets."""
        field = self.field
        if field is None:
            folded = row.folded
        else:
            start, end = row.folded_bounds[field]
            folded = row.folded[start:end]
        found = 0
        if self.scan is not None:
            for needle in self.scan(folded):
                found |= self.scanned[needle]
        for needle, bits in self.tangled:
            if needle in folded:
                found |= bits
        if self.regexes:
            text = row.normalized
            start, end = (0, len(text)) if field is None else row.normalized_bounds[field]
            if self.any_regex is None or self.any_regex.search(text, start, end) is not None:
                for bit, regexes in self.regexes:
                    if not found & bit and any(r.search(text, start, end) for r in regexes):
                        found |= bit
        return found


# A regular expression made of these (no digit, no class, no escape, no wildcard) matches
# only the letters it spells, at most anchored: it cannot see the digits of a text.
PLAIN_REGEX = re.compile(r"(?:[^\\.\[\]{}*+?\d]|\(\?:)*")
NUL = "\x00"
DIGITS_TO_ZERO = str.maketrans("123456789", "000000000")


def blind_to_digits(pattern: Pattern) -> bool:
    """Tell whether a pattern can never match (part of) a run of ASCII digits."""
    if pattern.regex is None:
        return not any(char in "0123456789" for char in pattern.needle)
    return PLAIN_REGEX.fullmatch(pattern.regex.pattern) is not None


def any_of(regexes: Sequence[re.Pattern[str]]) -> re.Pattern[str] | None:
    """Return one regular expression that matches where any of them does, if one can be made.

    None when a pattern has groups (they would be renumbered) or flags of its own. The
    patterns are joined by `|` as they are: alternation binds loosest, so each keeps its
    meaning, and a flat alternation searches faster than one of groups.
    """
    if len(regexes) < 2 or any(r.groups for r in regexes) or len({r.flags for r in regexes}) > 1:  # noqa: PLR2004
        return None
    try:
        return re.compile("|".join(r.pattern for r in regexes), regexes[0].flags)
    except re.error:
        return None


class RuleIndex:
    """The rules of a rule set compiled to find, for a row, the rules it may hit."""

    def __init__(self, rules: Sequence[Rule], *, closed: frozenset[int] = frozenset()) -> None:
        """Compile the rules; `closed` numbers those whose account may not be open.

        On a row's day: closed, or opened later than the chart's first accounts. Each is
        passed over, or not, row by row.
        """
        self.rules = tuple(rules)
        self.closed = closed
        every = (1 << len(self.rules)) - 1
        self.every = every
        whens = [(1 << i, rule.when) for i, rule in enumerate(self.rules)]
        self.payee = FieldIndex(PAYEE, [(b, w.payee) for b, w in whens if w.payee])
        self.narration = FieldIndex(NARRATION, [(b, w.narration) for b, w in whens if w.narration])
        self.counterparty = FieldIndex(
            COUNTERPARTY, [(b, w.counterparty) for b, w in whens if w.counterparty]
        )
        self.text = FieldIndex(None, [(b, w.text) for b, w in whens if w.text])
        self.meta_rules = tuple((b, w.meta) for b, w in whens if w.meta)
        self.meta_keys = tuple(sorted({key for _, w in whens for key, _ in w.meta}))
        self.direction = {
            direction: sum(b for b, w in whens if w.direction in (None, direction))
            for direction in ("in", "out")
        }
        self.bounded = frozenset(
            i
            for i, rule in enumerate(self.rules)
            if rule.when.minimum is not None or rule.when.maximum is not None
        )
        self.by_account: dict[str, int] = {}
        self.by_currency: dict[str, int] = {}
        self.known: dict[RowKey, tuple[int, ...]] = {}
        every_pattern = [
            pattern
            for _, when in whens
            for patterns in (when.payee, when.narration, when.counterparty, when.text)
            if patterns is not None
            for pattern in patterns.patterns
        ] + [pattern for _, when in whens for _, found in when.meta for pattern in found.patterns]
        self.digit_blind = all(map(blind_to_digits, every_pattern))

    def row_key(
        self,
        payee: str | None,
        narration: str | None,
        meta: Mapping[str, object],
        account: str,
        currency: str,
        direction: str,
    ) -> RowKey:
        """Return what the rules look at in a row but its amount: the key of `candidates`."""
        counterparty = meta.get("counterparty")
        payee, narration, named = self.texts(
            [payee, narration, None if counterparty is None else str(counterparty)]
        )
        return (
            payee,
            narration,
            "counterparty" in meta,
            named,
            self.meta_values(meta),
            account,
            currency,
            direction,
        )

    def texts(self, texts: Sequence[str | None]) -> Sequence[str | None]:
        """Return texts as keys hold them: each digit 0, if no pattern can see digits.

        Bank texts carry reference and store numbers (`STARBUCKS STORE 1234 517`) that make
        each row's text its own. When no rule's pattern can match a digit (`blind_to_digits`),
        every match lies between digits, so which digits a text holds changes no answer: rows
        whose texts differ only in them share one key, and their rules are worked out once.
        Many texts are done at once (one `str.translate`).
        """
        if not self.digit_blind or not any(texts):
            return texts
        joined = NUL.join(["" if text is None else text for text in texts])
        if joined.count(NUL) != len(texts) - 1:  # a text holds the separator itself
            return texts
        folded = joined.translate(DIGITS_TO_ZERO).split(NUL)
        return [None if text is None else found for text, found in zip(texts, folded, strict=True)]

    def meta_values(self, meta: Mapping[str, object]) -> tuple[str | None, ...]:
        """Return the values of the metadata keys the rules read (as text; None if missing)."""
        return tuple(
            self.texts([None if (v := meta.get(k)) is None else str(v) for k in self.meta_keys])
        )

    def candidates(
        self,
        payee: str | None,
        narration: str | None,
        meta: Mapping[str, object],
        account: str,
        currency: str,
        direction: str,
    ) -> tuple[int, ...]:
        """Return the numbers of the rules a row meets, in order, but for their amount bounds.

        The answer is kept per distinct (texts, metadata the rules read, account, currency,
        direction): a row like one seen before costs one dictionary look-up.
        """
        key = self.row_key(payee, narration, meta, account, currency, direction)
        found = self.known.get(key)
        return self.work_out(key) if found is None else found

    def candidates_of(self, keys: list[RowKey]) -> list[tuple[int, ...]]:
        """Return `candidates` of many rows, given their keys (`row_key`)."""
        found: list[tuple[int, ...] | None] = list(map(self.known.get, keys))
        if any(map(is_, found, repeat(None))):
            for position, key in enumerate(keys):
                if found[position] is None:
                    known = self.known.get(key)
                    found[position] = self.work_out(key) if known is None else known
        return found  # type: ignore[return-value] # every None was worked out

    def work_out(self, key: RowKey) -> tuple[int, ...]:
        """Work out, and keep, the candidates of a row key not seen before."""
        payee, narration, has_counterparty, counterparty, values, account, currency, direction = key
        if len(self.known) >= CACHE_LIMIT:
            self.known.clear()
        mask = (
            self.direction[direction]
            & self.account_mask(account)
            & self.currency_mask(currency)
            & self._text_mask(RowText(payee, narration, counterparty), has_counterparty, values)
        )
        found = self.known[key] = self.numbers(mask)
        return found

    def numbers(self, mask: int) -> tuple[int, ...]:
        """Return the numbers of the rules in a mask, in order, up to the first that surely applies.

        One that surely applies has no amount bounds and its account is open on any row's
        day: no rule after it is ever tried.
        """
        found = []
        while mask:
            bit = mask & -mask
            number = bit.bit_length() - 1
            found.append(number)
            if number not in self.bounded and number not in self.closed:
                break
            mask ^= bit
        return tuple(found)

    def _text_mask(
        self, row: RowText, has_counterparty: bool, values: tuple[str | None, ...]
    ) -> int:
        mask = self.every
        for index in (self.payee, self.narration, self.text):
            if index.used:
                mask &= index.holds(row) | ~index.used
        if self.counterparty.used:
            met = self.counterparty.holds(row) if has_counterparty else 0
            mask &= met | ~self.counterparty.used
        if self.meta_rules:
            named = dict(zip(self.meta_keys, values, strict=True))
            for bit, conditions in self.meta_rules:
                if mask & bit and not all(
                    (value := named[key]) is not None and patterns.search_text(value)
                    for key, patterns in conditions
                ):
                    mask &= ~bit
        return mask

    def account_mask(self, account: str) -> int:
        """Return the mask of the rules whose `statement-account` lets the account through."""
        mask = self.by_account.get(account)
        if mask is None:
            mask = self.by_account[account] = sum(
                1 << i
                for i, rule in enumerate(self.rules)
                if not rule.when.statement_accounts
                or any(
                    account == name or account.startswith(name + ":")
                    for name in rule.when.statement_accounts
                )
            )
        return mask

    def currency_mask(self, currency: str) -> int:
        """Return the mask of the rules whose `currency` lets the currency through."""
        mask = self.by_currency.get(currency)
        if mask is None:
            mask = self.by_currency[currency] = sum(
                1 << i
                for i, rule in enumerate(self.rules)
                if not rule.when.currencies or currency in rule.when.currencies
            )
        return mask

    def within_bounds(self, number: int, size: Decimal) -> bool:
        """Tell whether an amount's absolute value is within a rule's `min` and `max`."""
        when: Conditions = self.rules[number].when
        return not (
            (when.minimum is not None and size < when.minimum)
            or (when.maximum is not None and size > when.maximum)
        )
