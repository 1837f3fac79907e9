"""The categorization rules file: `rules.yaml` parsed into frozen `Rule` records.

A practice has firm-wide defaults in `rules.yaml` at its root (optional) and each client its
own in `ledgers/<id>/rules.yaml`; `beanfirm.rules.categorize` applies them, the client's first.
A rule says when it applies and what it sets (docs/rules.md):

    rules:
      - name: 电费
        when:
          payee: [国家电网, 国网]      # any of these, as a substring (or /regex/)
          direction: out
        account: Expenses:5602-管理费用:水电费
        payee: 国家电网

`parse_rules` returns `(rules_file, problems)`: every mistake at once, each with file:line
and what to do (unknown keys with a "did you mean", bad regular expressions, amounts that
are not plain numbers, account names Beancount would reject), in the manner of
`beanfirm.store.registry`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from beancount.core import amount as bc_amount

from beanfirm.core.accountnames import ROOTS, STATEMENT_ROOTS, is_account_name
from beanfirm.core.textmatch import Pattern, PatternError, Patterns
from beanfirm.core.yamlnodes import NodeReader, line_of
from beanfirm.errors import Problem

RULES_FILENAME = "rules.yaml"
TOP_KEYS = ("rules", "suggestions")
RULE_KEYS = ("name", "when", "account", "payee", "narration", "tags", "links", "meta", "review")
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
SUGGESTION_KEYS = ("enabled", "min-count", "min-share", "apply")
DIRECTIONS = ("in", "out")
# Beancount's lexer: tags and links are `#name` / `^name` with these characters.
TAG_RE = re.compile(r"^[A-Za-z0-9\-_/.]+$")
META_KEY_RE = re.compile(r"^[a-z][a-zA-Z0-9_-]*$")
# Metadata that the importers, the import (`import-id-2` names the row a transfer's second
# leg was imported from) or the suggestions write; a rule must not overwrite it, since dedup
# and reconciliation read it.
RESERVED_META = (
    "import-id",  # `beanfirm.ingest.ledgerindex.ID_KEYS`, named here to keep the rules file light
    "import-id-2",
    "time",
    "counterparty",
    "filename",
    "lineno",
    "suggested-account",
    "suggestion-confidence",
)

UNCATEGORIZED = ("Expenses:Uncategorized", "Income:Uncategorized")

Scope = Literal["firm", "client"]


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


@dataclass(frozen=True)
class Rule:
    """One categorization rule; `source` is where it is written, `ledgers/x/rules.yaml:12`."""

    source: str
    name: str | None
    when: Conditions
    account: str
    payee: str | None = None
    narration: str | None = None
    tags: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()
    meta: tuple[tuple[str, str], ...] = ()
    review: bool = False

    def label(self) -> str:
        """Return how a decision names the rule: its source, and its name if it has one."""
        return f"{self.source} ({self.name})" if self.name else self.source

    @cached_property
    def reason(self) -> str:
        """Return the one-line reason of a decision this rule makes."""
        if self.account in UNCATEGORIZED:
            return f"rule {self.label()} keeps it uncategorized: {self.when.described}"
        review = "; flag ! for review" if self.review else ""
        return f"rule {self.label()}: {self.when.described}{review}"


@dataclass(frozen=True)
class SuggestionSettings:
    """When a suggestion learned from a client's history is made, and whether it is booked."""

    enabled: bool = True
    min_count: int = 3
    min_share: Decimal = Decimal("0.8")
    apply: bool = False


@dataclass(frozen=True)
class RulesFile:
    """A parsed rules file: its rules in order, and the suggestion settings it sets."""

    filename: str
    rules: tuple[Rule, ...] = ()
    suggestions: tuple[tuple[str, object], ...] = field(default=())


def parse_rules(
    text: str, filename: str, *, scope: Scope = "client"
) -> tuple[RulesFile, list[Problem]]:
    """Parse a rules file; return its rules and every problem (a rule with one is left out).

    `filename` is how problems and rule sources name the file (practice-relative). The
    firm-wide file may not set `suggestions: apply`, which is each client's own decision.
    """
    reader = NodeReader(filename)
    root = reader.compose(text)
    if root is None or (isinstance(root, yaml.ScalarNode) and not str(root.value).strip()):
        return RulesFile(filename), reader.problems
    keys = reader.mapping(root, "the rules file", allowed=TOP_KEYS)
    rules: list[Rule] = []
    for item in reader.sequence(keys["rules"], "'rules'") if "rules" in keys else []:
        rule = _rule(reader, item)
        if rule is not None:
            rules.append(rule)
    suggestions = _suggestions(reader, keys["suggestions"], scope) if "suggestions" in keys else ()
    problems = sorted(reader.problems, key=lambda problem: problem.line or 0)
    return RulesFile(filename, tuple(rules), suggestions), problems


def read_rules_file(
    path: Path, filename: str, *, scope: Scope = "client"
) -> tuple[RulesFile, list[Problem]]:
    """Read and parse a rules file; a missing file holds no rules and is no problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return RulesFile(filename), []
    except UnicodeDecodeError as exc:
        message = f"not valid UTF-8 ({exc.reason}); save the file as UTF-8."
        return RulesFile(filename), [Problem(filename, None, message)]
    except OSError as exc:
        return RulesFile(filename), [Problem(filename, None, f"cannot be read ({exc}).")]
    return parse_rules(text, filename, scope=scope)


def _rule(reader: NodeReader, node: yaml.Node) -> Rule | None:
    before = len(reader.problems)
    keys = reader.mapping(_without_misplaced(reader, node), "a rule", allowed=RULE_KEYS)
    if isinstance(node, yaml.MappingNode):
        written = [str(key_node.value) for key_node, _ in node.value]
        for needed, why in (
            ("account", "the account the rule books the row to"),
            ("when", "the conditions under which it applies"),
        ):
            # A misspelt key has been reported with a "did you mean" already.
            if needed not in keys and not difflib.get_close_matches(needed, written, n=1):
                reader.problem(node, f"a rule needs `{needed}:`, {why}.")
    name = reader.string(keys["name"], "a rule's name") if "name" in keys else None
    when = _conditions(reader, keys["when"]) if "when" in keys else None
    account = _account(reader, keys["account"]) if "account" in keys else None
    payee = reader.string(keys["payee"], "a rule's payee") if "payee" in keys else None
    narration = (
        reader.string(keys["narration"], "a rule's narration") if "narration" in keys else None
    )
    tags = _names(reader, keys["tags"], "tags", "#") if "tags" in keys else frozenset()
    links = _names(reader, keys["links"], "links", "^") if "links" in keys else frozenset()
    meta = _meta_values(reader, keys["meta"]) if "meta" in keys else ()
    review = _boolean(reader, keys["review"], "review") if "review" in keys else False
    if len(reader.problems) != before or when is None or account is None:
        return None
    return Rule(
        source=f"{reader.filename}:{line_of(node)}",
        name=name,
        when=when,
        account=account,
        payee=payee,
        narration=narration,
        tags=tags,
        links=links,
        meta=meta,
        review=bool(review),
    )


def _without_misplaced(reader: NodeReader, node: yaml.Node) -> yaml.Node:
    """Report conditions written beside `account:` instead of under `when:`, and drop them."""
    if not isinstance(node, yaml.MappingNode):
        return node
    kept = []
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key in WHEN_KEYS and key not in RULE_KEYS:
            reader.problem(
                key_node,
                f"`{key}` is a condition: move it under `when:` (at the rule's level, keys "
                f"set what the rule books: {', '.join(RULE_KEYS)}).",
            )
            continue
        kept.append((key_node, value_node))
    return yaml.MappingNode(node.tag, kept, node.start_mark, node.end_mark)


def _conditions(reader: NodeReader, node: yaml.Node) -> Conditions | None:
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


def _strings(reader: NodeReader, node: yaml.Node, what: str) -> list[tuple[yaml.Node, str]]:
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
    for item, written in _strings(reader, node, what):
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
    for _, key, value_node in _meta_keys(reader, node, shape):
        patterns = _patterns(reader, value_node, f"`when: meta: {key}`")
        if patterns is not None:
            found.append((key, patterns))
    return tuple(found)


def _statement_accounts(reader: NodeReader, node: yaml.Node) -> tuple[str, ...]:
    accounts = []
    for item, name in _strings(reader, node, "`when: statement-account`"):
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
    for item, code in _strings(reader, node, "`when: currency`"):
        if re.fullmatch(bc_amount.CURRENCY_RE, code):
            currencies.append(code)
        else:
            reader.problem(item, f"'{code}' is not a currency code; write it like CNY or USD.")
    return tuple(currencies)


def _bound(reader: NodeReader, node: yaml.Node, name: str) -> Decimal | None:
    number = _number(node)
    if number is None or number < 0:
        reader.problem(
            node,
            f"`{name}` is {_written(node)}; write a plain non-negative number like 100 or 99.50, "
            "without currency or thousands separators (it is compared with the amount's "
            "absolute value; use `direction` for money in or out).",
        )
        return None
    return number


def _number(node: yaml.Node) -> Decimal | None:
    """Read a number from its text as written, never through YAML's float (0.1 stays 0.1)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        number = Decimal(str(node.value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _written(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return f"'{node.value}'"
    return "a list or mapping"


def _account(reader: NodeReader, node: yaml.Node) -> str | None:
    name = reader.string(node, "a rule's account")
    if name is not None and not is_account_name(name):
        reader.problem(
            node,
            f"'{name}' is not an account name Beancount accepts: it must start with "
            f"{', '.join(ROOTS[:-1])} or {ROOTS[-1]}, and each component must start with a "
            "capital letter, a digit or a code prefix (Beancount rejects Expenses:差旅费 but "
            "accepts Expenses:5602-管理费用:差旅费).",
        )
        return None
    return name


def _names(reader: NodeReader, node: yaml.Node, what: str, sign: str) -> frozenset[str]:
    names = set()
    for item, name in _strings(reader, node, f"`{what}`"):
        if TAG_RE.match(name):
            names.add(name)
        else:
            reader.problem(
                item,
                f"'{name}' cannot be one of the {what}: write it without '{sign}', using only "
                "letters, digits and - _ / . (YAML reads an unquoted # as a comment).",
            )
    return frozenset(names)


def _meta_values(reader: NodeReader, node: yaml.Node) -> tuple[tuple[str, str], ...]:
    found = []
    shape = "`meta` must map metadata keys to values, like `vat-invoice: 专票`."
    for key_node, key, value_node in _meta_keys(reader, node, shape):
        if key in RESERVED_META:
            reader.problem(
                key_node,
                f"`{key}` is written by the importers or the suggestions; a rule may not set it.",
            )
            continue
        value = reader.string(value_node, f"`meta: {key}`")
        if value is not None:
            found.append((key, value))
    return tuple(found)


def _meta_keys(
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


def _boolean(reader: NodeReader, node: yaml.Node, what: str) -> bool | None:
    value = reader.scalar(node, f"`{what}`")
    if not isinstance(value, bool):
        reader.problem(node, f"`{what}` must be true or false.")
        return None
    return value


def _suggestions(
    reader: NodeReader, node: yaml.Node, scope: Scope
) -> tuple[tuple[str, object], ...]:
    keys = reader.mapping(node, "`suggestions`", allowed=SUGGESTION_KEYS)
    found: list[tuple[str, object]] = []
    for key, value_node in keys.items():
        if key in ("enabled", "apply"):
            if key == "apply" and scope == "firm":
                reader.problem(
                    value_node,
                    "`apply` books suggestions without a rule, so each client decides it in "
                    "its own ledgers/<id>/rules.yaml, not in the firm-wide file.",
                )
                continue
            flag = _boolean(reader, value_node, f"suggestions: {key}")
            if flag is not None:
                found.append((key, flag))
        elif key == "min-count":
            count = reader.scalar(value_node, "`suggestions: min-count`")
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                reader.problem(value_node, "`min-count` must be a whole number, 1 or more.")
            else:
                found.append(("min_count", count))
        else:
            share = _number(value_node)
            if share is None or not Decimal("0.5") < share <= 1:
                reader.problem(
                    value_node,
                    f"`min-share` is {_written(value_node)}; write a fraction above 0.5 and at "
                    "most 1, like 0.8 (one account must hold that share of the past entries).",
                )
            else:
                found.append(("min_share", share))
    return tuple(found)
