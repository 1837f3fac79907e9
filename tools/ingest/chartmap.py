"""Which account of a client's chart each line of a trial balance belongs to: by code, or name.

A line maps, in this order: through the mapping the user gives (a code or a name to an account);
to the one account whose code is the line's code (the account's `code:` metadata, else the code
its name starts with, `Assets:1002-银行存款` has 1002); to the one account whose name is the
line's name, compared without case, spaces, hyphens and underscores (the last part of a name
such as `银行存款-工商银行` counts too; an account under a coded heading must be under the line's
code: `100201 工商银行` may be `Assets:1002-银行存款:工商银行`, never a bank under 2202). A line of
the receivable or payable root itself (`1122 应收账款`, `Receivable`) is a control line: the
customers' open items carry its balance.

Nothing is guessed: a line that maps to no account, or to two, is reported with the accounts
that come close (the same first-level code, else the same group of codes; similar names, and
English names that share a word), all lines at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from beancount.core import data

from beanfirm.errors import Problem
from beanfirm.ingest.trialbalance import TrialLine

CODE_PREFIX = re.compile(r"^(?P<code>\d[\d.]*)-")
NAME_NOISE = re.compile(r"[\s\-_]")
NAME_PARTS = re.compile(r"[\-_/\\:\uff1a\u2014]")
HEADING_DIGITS = 4  # the first-level code (一级科目) of a Chinese chart
GROUP_DIGITS = 2  # its group (16: 非流动资产), where no account shares the first-level code
CANDIDATES = 6
WORDS = re.compile(r"[a-z]+")  # the words of an English name (`Accounts Receivable (A/R)`)
MIN_WORD = 4  # shorter words (`a`, `r`, `of`) say nothing
Target = Literal["account", "party", "control"]


@dataclass(frozen=True)
class Mapped:
    """Where one trial balance line goes, and why."""

    line: TrialLine
    account: str  # the account, or for a control line the root (without its colon)
    target: Target
    how: str  # "code", "name", "mapping"


@dataclass(frozen=True)
class ChartAccount:
    """An open account of the chart as a line is compared with it."""

    account: str
    code: str | None
    name: str  # normalized
    heading: str | None  # the code of the nearest coded component above or at it


def account_code(entry: data.Open) -> str | None:
    """Return an account's code: its `code:` metadata, else the code its last part starts with."""
    value = (entry.meta or {}).get("code")
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    found = CODE_PREFIX.match(entry.account.rsplit(":", 1)[-1])
    return found["code"] if found else None


def plain_name(component: str) -> str:
    """Return a name as compared: its code prefix, case, spaces, hyphens, underscores gone."""
    return NAME_NOISE.sub("", CODE_PREFIX.sub("", component)).casefold()


def _heading(account: str) -> str | None:
    for component in reversed(account.split(":")[1:]):
        found = CODE_PREFIX.match(component)
        if found:
            return found["code"]
    return None


def chart_accounts(opens: Iterable[data.Open]) -> list[ChartAccount]:
    """Return the accounts of a chart as lines are compared with them."""
    return [
        ChartAccount(
            entry.account,
            account_code(entry),
            plain_name(entry.account.rsplit(":", 1)[-1]),
            _heading(entry.account),
        )
        for entry in opens
    ]


@dataclass(frozen=True)
class Roots:
    """The receivable and payable roots of the client (`Assets:Receivable:`, ...)."""

    receivable: tuple[str, ...]
    payable: tuple[str, ...]

    def all(self) -> tuple[str, ...]:
        """Every root, receivable first."""
        return (*self.receivable, *self.payable)


def map_lines(
    lines: Sequence[TrialLine],
    opens: Sequence[data.Open],
    roots: Roots,
    mapping: Mapping[str, str],
    filename: str,
) -> tuple[list[Mapped], list[Problem]]:
    """Map every line with a balance onto the chart; return the mapped and the problems."""
    chart = chart_accounts(opens)
    mapped: list[Mapped] = []
    problems: list[Problem] = []
    for line in lines:
        if line.balance == 0:
            continue
        found, candidates = _map(line, chart, roots, mapping)
        if isinstance(found, Mapped):
            mapped.append(found)
            continue
        problems.append(Problem(filename, line.line, _unmapped(line, found, candidates)))
    return mapped, problems


def _target(account: str, roots: Roots) -> Target:
    return "party" if account.startswith(roots.all()) else "account"


def _map(
    line: TrialLine,
    chart: Sequence[ChartAccount],
    roots: Roots,
    mapping: Mapping[str, str],
) -> tuple[Mapped | list[str], list[str]]:
    """Return the mapping of a line, or the accounts it matches twice, and the candidates."""
    for key in (line.code, line.label, line.name):
        if key and key in mapping:
            account = mapping[key]
            root = _root_named(account, roots)
            if root is not None:
                return Mapped(line, root, "control", "mapping"), []
            return Mapped(line, account, _target(account, roots), "mapping"), []
    if line.code:
        by_code = [acc for acc in chart if acc.code == line.code]
        if len(by_code) == 1:
            account = by_code[0].account
            return Mapped(line, account, _target(account, roots), "code"), []
        if len(by_code) > 1:
            return [acc.account for acc in by_code], []
        root = _root_by_code(line.code, roots)
        if root is not None:
            return Mapped(line, root, "control", "code"), []
    names = _names(line.name)
    by_name = [
        acc
        for acc in chart
        if acc.name in names
        and (not line.code or acc.heading is None or line.code.startswith(acc.heading))
    ]
    if len(by_name) == 1:
        account = by_name[0].account
        return Mapped(line, account, _target(account, roots), "name"), []
    if len(by_name) > 1:
        return [acc.account for acc in by_name], []
    root = _root_by_name(names, roots)
    if root is not None and not line.code:
        return Mapped(line, root, "control", "name"), []
    return [], _candidates(line, chart, roots)


def _names(name: str) -> set[str]:
    whole = plain_name(name)
    parts = [plain_name(part) for part in NAME_PARTS.split(name) if part.strip()]
    return {whole, parts[-1]} if parts else {whole}


def _root_component(root: str) -> str:
    return root.rstrip(":").rsplit(":", 1)[-1]


def _root_named(account: str, roots: Roots) -> str | None:
    for root in roots.all():
        if account.rstrip(":") == root.rstrip(":"):
            return root.rstrip(":")
    return None


def _root_by_code(code: str, roots: Roots) -> str | None:
    for root in roots.all():
        found = CODE_PREFIX.match(_root_component(root))
        if found and found["code"] == code:
            return root.rstrip(":")
    return None


def _root_by_name(names: set[str], roots: Roots) -> str | None:
    for root in roots.all():
        if plain_name(_root_component(root)) in names:
            return root.rstrip(":")
    return None


def _candidates(line: TrialLine, chart: Sequence[ChartAccount], roots: Roots) -> list[str]:
    found: list[str] = []
    for digits in (HEADING_DIGITS, GROUP_DIGITS):
        if line.code and not found:
            head = line.code[:digits]
            found += [
                acc.account for acc in chart if (acc.code or acc.heading or "").startswith(head)
            ]
    by_name = {acc.name: acc.account for acc in chart if acc.name}
    close = difflib.get_close_matches(plain_name(line.name), list(by_name), CANDIDATES, 0.5)
    found += [by_name[name] for name in close if by_name[name] not in found]
    words = {word for word in WORDS.findall(line.name.casefold()) if len(word) >= MIN_WORD}
    found += [
        acc.account
        for acc in chart
        if acc.account not in found
        and words & set(WORDS.findall(acc.account.casefold().replace(":", " ")))
    ]
    controls = [
        f"{root.rstrip(':')} (the control account of its open items)"
        for root in roots.all()
        if words & set(WORDS.findall(_root_component(root).casefold()))
    ]
    return [*controls, *found][:CANDIDATES]


def _unmapped(line: TrialLine, twice: list[str], candidates: list[str]) -> str:
    amount = f"{line.side} {abs(line.balance):,}"
    if twice:
        return (
            f"{line.label} ({amount}) matches {len(twice)} accounts: {', '.join(twice)}; "
            "give the right one a `code:` or map the line."
        )
    close = f"candidates: {', '.join(candidates)}" if candidates else "no account comes close"
    return f"{line.label} ({amount}) maps to no account of the chart; {close}."
