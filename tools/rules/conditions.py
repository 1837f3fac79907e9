"""The `when:` of a categorization rule: the `Conditions` record and how it is read from YAML.

A condition on a text field holds any of its patterns (a substring, or /regex/); the others
bound the amount, name the currency, the statement's account or the direction of the money
(docs/rules.md). The readers add each mistake to the `NodeReader` with its line and what to do,
and leave the condition out; `meta_keys` also reads a rule's `meta:`, and `read_strings`,
`plain_number` and `as_written` the rest of the rules file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property

import yaml
from beancount.core import amount as bc_amount

from beanfirm.core.accountnames import STATEMENT_ROOTS, is_account_name
from beanfirm.core.textmatch import Pattern, PatternError, Patterns
from beanfirm.core.yamlnodes import NodeReader

WHEN_KEYS = (
    "payee",
    "narration",
    "counterparty",
    "text",
    "meta",
    "statement-account",
    "currency",
    "min",
    "max",
    "direction",
)
DIRECTIONS = ("in", "out")
META_KEY_RE = re.compile(r"^[a-z][a-zA-Z0-9_-]*$")


@dataclass(frozen=True)
class Conditions:
    """What a row must show for a rule to apply; every condition given must hold.

    A text condition holds when any of its patterns occurs in the field; `text` looks in the
    payee, the narration and the counterparty. `minimum` and `maximum` bound the amount's
    absolute value, inclusive. `statement_accounts` hold an account and its sub-accounts.
    """

    payee: Patterns | None = None
    narration: Patterns | None = None
    counterparty: Patterns | None = None
    text: Patterns | None = None
    meta: tuple[tuple[str, Patterns], ...] = ()
    statement_accounts: tuple[str, ...] = ()
    currencies: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    direction: str | None = None

    @cached_property
    def described(self) -> str:
        """Return the conditions in one line (computed once: a decision quotes it per row)."""
        return self.describe()

    def describe(self) -> str:
        """Return the conditions in one line, e.g. `payee "国家电网", direction out`."""
        parts = [
            f"{name} {patterns}"
            for name, patterns in (
                ("payee", self.payee),
                ("narration", self.narration),
                ("counterparty", self.counterparty),
                ("text", self.text),
                *((f"meta {key}", patterns) for key, patterns in self.meta),
            )
            if patterns is not None
        ]
        if self.statement_accounts:
            parts.append(f"statement-account {' or '.join(self.statement_accounts)}")
        if self.currencies:
            parts.append(f"currency {' or '.join(self.currencies)}")
        if self.minimum is not None:
            parts.append(f"min {self.minimum}")
        if self.maximum is not None:
            parts.append(f"max {self.maximum}")
        if self.direction is not None:
            parts.append(f"direction {self.direction}")
        return ", ".join(parts)


def read_conditions(reader: NodeReader, node: yaml.Node) -> Conditions | None:
    """Read a rule's `when:`; None when it has a mistake (reported to the reader)."""
    keys = reader.mapping(node, "`when`", allowed=WHEN_KEYS)
    if isinstance(node, yaml.MappingNode) and not node.value:
        reader.problem(
            node,
            "`when:` needs at least one condition; a rule that matches every row would hide "
            "the rows a person has to look at.",
        )
        return None
    if not keys:
        return None
    found: dict[str, object] = {}
    for name in ("payee", "narration", "counterparty", "text"):
        if name in keys:
            found[name] = _patterns(reader, keys[name], f"`when: {name}`")
    if "meta" in keys:
        found["meta"] = _meta_patterns(reader, keys["meta"])
    if "statement-account" in keys:
        found["statement_accounts"] = _statement_accounts(reader, keys["statement-account"])
    if "currency" in keys:
        found["currencies"] = _currencies(reader, keys["currency"])
    for name, attr in (("min", "minimum"), ("max", "maximum")):
        if name in keys:
            found[attr] = _bound(reader, keys[name], name)
    if "direction" in keys:
        found["direction"] = reader.choice(keys["direction"], "`when: direction`", DIRECTIONS)
    minimum, maximum = found.get("minimum"), found.get("maximum")
    if isinstance(minimum, Decimal) and isinstance(maximum, Decimal) and minimum > maximum:
        reader.problem(
            keys["max"], f"`max` ({maximum}) is below `min` ({minimum}); no amount could match."
        )
    if any(value is None or value == () for value in found.values()):
        return None
    return Conditions(**found)  # type: ignore[arg-type]


def read_strings(reader: NodeReader, node: yaml.Node, what: str) -> list[tuple[yaml.Node, str]]:
    """Read one string or a list of them, keeping each one's node for its line."""
    items = reader.sequence(node, what) if isinstance(node, yaml.SequenceNode) else [node]
    if isinstance(node, yaml.SequenceNode) and not items:
        reader.problem(node, f"{what} is an empty list; give at least one value.")
    found = []
    for item in items:
        value = reader.string(item, what)
        if value is not None:
            found.append((item, value))
    return found


def _patterns(reader: NodeReader, node: yaml.Node, what: str) -> Patterns | None:
    patterns = []
    for item, written in read_strings(reader, node, what):
        try:
            patterns.append(Pattern.parse(written))
        except PatternError as exc:
            reader.problem(
                item,
                f"{what}: {exc}. A pattern between slashes is a regular expression; write it "
                "without the slashes to match it as plain text.",
            )
    return Patterns.of(tuple(patterns)) if patterns else None


def _meta_patterns(reader: NodeReader, node: yaml.Node) -> tuple[tuple[str, Patterns], ...]:
    found = []
    shape = "`when: meta` must map metadata keys to patterns, like `category: 交通出行`."
    for _, key, value_node in meta_keys(reader, node, shape):
        patterns = _patterns(reader, value_node, f"`when: meta: {key}`")
        if patterns is not None:
            found.append((key, patterns))
    return tuple(found)


def meta_keys(
    reader: NodeReader, node: yaml.Node, shape: str
) -> Iterator[tuple[yaml.Node, str, yaml.Node]]:
    """Yield (key node, key, value node) for each valid metadata key; report the problems."""
    if not isinstance(node, yaml.MappingNode) or not node.value:
        reader.problem(node, shape)
        return
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if META_KEY_RE.match(key):
            yield key_node, key, value_node
        else:
            reader.problem(
                key_node,
                f"'{key}' is not a metadata key Beancount accepts; start it with a lowercase "
                "letter and use letters, digits, - and _.",
            )


def _statement_accounts(reader: NodeReader, node: yaml.Node) -> tuple[str, ...]:
    accounts = []
    for item, name in read_strings(reader, node, "`when: statement-account`"):
        if is_account_name(name, STATEMENT_ROOTS):
            accounts.append(name)
        else:
            reader.problem(
                item,
                f"'{name}' is not a bank, card or payment account Beancount accepts; it "
                "must start with Assets: or Liabilities: (a parent such as "
                "Assets:1012-其他货币资金 also holds its sub-accounts).",
            )
    return tuple(accounts)


def _currencies(reader: NodeReader, node: yaml.Node) -> tuple[str, ...]:
    currencies = []
    for item, code in read_strings(reader, node, "`when: currency`"):
        if re.fullmatch(bc_amount.CURRENCY_RE, code):
            currencies.append(code)
        else:
            reader.problem(item, f"'{code}' is not a currency code; write it like CNY or USD.")
    return tuple(currencies)


def _bound(reader: NodeReader, node: yaml.Node, name: str) -> Decimal | None:
    number = plain_number(node)
    if number is None or number < 0:
        reader.problem(
            node,
            f"`{name}` is {as_written(node)}; write a plain non-negative number like 100 or 99.50, "
            "without currency or thousands separators (it is compared with the amount's "
            "absolute value; use `direction` for money in or out).",
        )
        return None
    return number


def plain_number(node: yaml.Node) -> Decimal | None:
    """Read a number from its text as written, never through YAML's float (0.1 stays 0.1)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        number = Decimal(str(node.value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def as_written(node: yaml.Node) -> str:
    """Return how a problem quotes a value: the scalar as written, else what it is."""
    if isinstance(node, yaml.ScalarNode):
        return f"'{node.value}'"
    return "a list or mapping"
