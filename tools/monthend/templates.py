"""The accrual templates of a client (`accruals.yaml`): accounts, an amount or a formula, months.

Each template is named (its name goes in `accrual:` on the entries it books); it debits one
account and credits another, by a fixed amount or by a formula over the month's figures
(`formula.py`), every month or on the months it names, between `from` and `until`. A file
with mistakes gives every one of them at once, with its line and what to write instead.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from beanfirm.core.yamlnodes import NodeReader
from beanfirm.errors import Problem
from beanfirm.monthend.assets import named_items, read_account, read_amount
from beanfirm.monthend.formula import Formula, FormulaError, parse_formula

if TYPE_CHECKING:
    from collections.abc import Collection

    import yaml

    from beanfirm.monthend.closing import Period

PAGE = "docs/accruals.md"
TODO = f"correct the template (see {PAGE})"
TEMPLATE_KEYS = (
    "debit",
    "credit",
    "amount",
    "formula",
    "narration",
    "cadence",
    "months",
    "from",
    "until",
)
CADENCES = {"monthly": tuple(range(1, 13)), "quarterly": (3, 6, 9, 12), "yearly": (12,)}


@dataclass(frozen=True)
class Template:
    """A recurring accrual: its accounts, its amount or formula, and the months it is due."""

    name: str
    debit: str
    credit: str
    amount: Decimal | None
    formula: Formula | None
    narration: str
    months: tuple[int, ...]
    start: datetime.date | None  # the first month it is due (its first day)
    until: datetime.date | None  # the last month it is due (its first day)
    source: Problem

    def due(self, period: Period) -> bool:
        """Tell whether the template is due in a month."""
        if period.start.month not in self.months:
            return False
        if self.start is not None and period.start < self.start:
            return False
        return self.until is None or period.start <= self.until


def read_templates(
    text: str, filename: str, opened: Collection[str], *, currency: str
) -> tuple[list[Template], list[Problem]]:
    """Read an accruals file's text into its templates (amounts in `currency`), every problem."""
    reader = NodeReader(filename)
    templates = [
        template
        for name, value, line in named_items(reader, text, "accruals", "template's name", PAGE)
        if (template := _read_template(reader, name, value, opened, line, currency)) is not None
    ]
    return templates, reader.problems


def _read_template(
    reader: NodeReader,
    name: str,
    node: yaml.Node,
    opened: Collection[str],
    line: int,
    currency: str,
) -> Template | None:
    where = f"template {name}"
    keys = reader.mapping(node, where, allowed=TEMPLATE_KEYS, required=("debit", "credit"))
    before = len(reader.problems)
    debit = read_account(reader, keys.get("debit"), f"{where}: debit", opened)
    credit = read_account(reader, keys.get("credit"), f"{where}: credit", opened)
    amount: Decimal | None = None
    formula: Formula | None = None
    if ("amount" in keys) == ("formula" in keys):
        reader.problems.append(
            Problem(reader.filename, line, f"{where} needs an amount or a formula, one of the two.")
        )
    elif "amount" in keys:
        amount = read_amount(reader, keys["amount"], f"{where}: amount", currency)
        if amount is not None and amount <= 0:
            reader.problem(keys["amount"], f"{where}: amount is {amount}; give an amount above 0.")
    else:
        formula = _formula(reader, keys["formula"], where, opened)
    narration = (
        reader.string(keys["narration"], f"{where}: narration") if "narration" in keys else None
    )
    months = _months(reader, keys, where)
    start = _month(reader, keys.get("from"), f"{where}: from")
    until = _month(reader, keys.get("until"), f"{where}: until")
    if start and until and until < start:
        reader.problem(keys["until"], f"{where}: until {until:%Y-%m} is before from {start:%Y-%m}.")
    if len(reader.problems) > before or debit is None or credit is None:
        return None
    return Template(
        name,
        debit,
        credit,
        amount,
        formula,
        narration or name,
        months,
        start,
        until,
        Problem(reader.filename, line, ""),
    )


def _formula(
    reader: NodeReader, node: yaml.Node, where: str, opened: Collection[str]
) -> Formula | None:
    text = reader.string(node, f"{where}: formula")
    if text is None:
        return None
    try:
        formula = parse_formula(text)
    except FormulaError as exc:
        reader.problem(node, f"{where}: {exc}; {TODO}.")
        return None
    for account in formula.accounts:
        if account not in opened and not any(a.startswith(f"{account}:") for a in opened):
            close = difflib.get_close_matches(account, list(opened), n=1, cutoff=0.5)
            hint = f" Did you mean {close[0]}?" if close else ""
            reader.problem(
                node,
                f"{where}: the formula reads {account}, which the ledger does "
                f"not open.{hint} Name an account of the client's chart.",
            )
    return formula


def _months(reader: NodeReader, keys: dict[str, yaml.Node], where: str) -> tuple[int, ...]:
    if "cadence" in keys and "months" in keys:
        reader.problem(keys["months"], f"{where}: give cadence or months, not both.")
    if "cadence" in keys:
        cadence = reader.choice(keys["cadence"], f"{where}: cadence", CADENCES)
        return CADENCES[cadence] if cadence else ()
    if "months" not in keys:
        return CADENCES["monthly"]
    found: list[int] = []
    for item in reader.sequence(keys["months"], f"{where}: months"):
        text = reader.string(item, f"{where}: a month")
        if text is None or not text.isdigit() or not 1 <= int(text) <= 12:  # noqa: PLR2004
            reader.problem(item, f"{where}: months are numbers from 1 to 12, not '{text}'.")
            continue
        found.append(int(text))
    return tuple(sorted(set(found)))


def _month(reader: NodeReader, node: yaml.Node | None, what: str) -> datetime.date | None:
    if node is None:
        return None
    text = reader.string(node, what) or ""
    try:
        return datetime.date.fromisoformat(f"{text}-01")
    except ValueError:
        reader.problem(node, f"{what} is '{text}', not a month; write it as YYYY-MM.")
        return None
