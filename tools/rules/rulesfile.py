"""The categorization rules file: `rules.yaml` parsed into frozen `Rule` records.

A practice has firm-wide defaults in `rules.yaml` at its root (optional) and each client its
own in `ledgers/<id>/rules.yaml`; `beanfirm.rules.categorize` applies them, the client's first.
A rule says when it applies and what it sets (docs/rules.md):

    rules:
      - name: 电费
        when:
          payee: [国家电网, /^国网/]   # any of these, as a substring (or /regex/)
          direction: out
        account: Expenses:5602-管理费用:水电费
        payee: 国家电网

`parse_rules` returns `(rules_file, problems)`: every mistake at once, each with file:line
and what to do (unknown keys with a "did you mean", bad regular expressions, amounts that
are not plain numbers, account names Beancount would reject), in the manner of
`beanfirm.store.registry`. A rule's `when:` is read by `beanfirm.rules.conditions`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml

from beanfirm.core.accountnames import ROOTS, is_account_name
from beanfirm.core.yamlnodes import NodeReader, line_of
from beanfirm.errors import Problem
from beanfirm.rules.conditions import (
    WHEN_KEYS,
    Conditions,
    as_written,
    meta_keys,
    plain_number,
    read_conditions,
    read_strings,
)

RULES_FILENAME = "rules.yaml"
TOP_KEYS = ("rules", "suggestions")
RULE_KEYS = ("name", "when", "account", "payee", "narration", "tags", "links", "meta", "review")
SUGGESTION_KEYS = ("enabled", "min-count", "min-share", "apply")
# Beancount's lexer: tags and links are `#name` / `^name` with these characters.
TAG_RE = re.compile(r"^[A-Za-z0-9\-_/.]+$")
# Metadata that the importers, the import (`import-id-2` names the row a transfer's second
# leg was imported from) or the suggestions write; a rule must not overwrite it, since dedup
# and reconciliation read it.
CATEGORIZED_BY = "categorized-by"  # the rule (file:line) that booked an entry: import, categorize
RESERVED_META = (
    "import-id",  # `beanfirm.ingest.ledgerindex.ID_KEYS`, named here to keep the rules file light
    "import-id-2",
    "time",
    "counterparty",
    "filename",
    "lineno",
    "suggested-account",
    "suggestion-confidence",
    CATEGORIZED_BY,
)

UNCATEGORIZED = ("Expenses:Uncategorized", "Income:Uncategorized")

Scope = Literal["firm", "client"]


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
    when = read_conditions(reader, keys["when"]) if "when" in keys else None
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
    for item, name in read_strings(reader, node, f"`{what}`"):
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
    for key_node, key, value_node in meta_keys(reader, node, shape):
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
            share = plain_number(value_node)
            if share is None or not Decimal("0.5") < share <= 1:
                reader.problem(
                    value_node,
                    f"`min-share` is {as_written(value_node)}; write a fraction above 0.5 and at "
                    "most 1, like 0.8 (one account must hold that share of the past entries).",
                )
            else:
                found.append(("min_share", share))
    return tuple(found)
