"""A month's accruals (计提): depreciation from the fixed-asset register and the firm's templates.

The close books them before the closing entries, so that 结转损益 moves them too. Each is one
transaction on the month's last day, tagged `#accrual`, with `accrual:` naming its asset or
template; one already booked in the month under that name is not booked again, so that
planning a month twice, or after an accrual typed by hand with the same name, books it once.
The templates (`accruals.yaml`) name a debit and a credit account and a fixed amount or a
formula over the month's balances and activity (`formula.py`), monthly or on chosen months.
"""

from __future__ import annotations

import datetime
import difflib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import yaml
from beancount.core import data

from beanfirm.core import paths
from beanfirm.core.journal import Posting, Txn, quote
from beanfirm.core.yamlnodes import NodeReader
from beanfirm.errors import ConfigError, Problem
from beanfirm.monthend.assets import PAGE as ASSETS_PAGE
from beanfirm.monthend.assets import (
    ZERO,
    FixedAsset,
    cents,
    load_register,
    month_number,
    named_items,
    read_account,
    read_amount,
)
from beanfirm.monthend.closing import TAG as CLOSING_TAG
from beanfirm.monthend.formula import Formula, FormulaError, parse_formula

if TYPE_CHECKING:
    from collections.abc import Collection
    from pathlib import Path

    from beanfirm.core.beans import Entries
    from beanfirm.monthend.closing import Period
    from beanfirm.store.registry import Client

TAG = "accrual"
PAGE = "docs/accruals.md"
META = "accrual"
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


@dataclass(frozen=True)
class Accrual:
    """One accrual of the month: its name, what it books, or why it books nothing."""

    key: str
    kind: str  # "depreciation" or "template"
    amount: Decimal
    entry: Txn | None
    note: str  # why nothing is booked ("" when an entry is)
    source: Problem


@dataclass(frozen=True)
class AccrualPlan:
    """A month's accruals, the ones to book and the ones left out, with why."""

    client_id: str
    period: Period
    accruals: tuple[Accrual, ...]

    @property
    def entries(self) -> list[Txn]:
        """Return the entries to book."""
        return [accrual.entry for accrual in self.accruals if accrual.entry is not None]


def accrual_entries(
    entries: Entries, client: Client, client_dir: Path, period: Period
) -> list[Txn]:
    """Return the month's depreciation and template accruals not yet booked, as entries.

    Raises ConfigError naming file:line for a register or template with mistakes.
    """
    return plan_accruals(entries, client, client_dir, period).entries


def plan_accruals(
    entries: Entries, client: Client, client_dir: Path, period: Period
) -> AccrualPlan:
    """Return every accrual of the month: what it books, or why it books nothing."""
    files = (paths.fixed_assets_file(client.id), paths.accruals_file(client.id))
    if not any((client_dir / PurePosixPath(name).name).is_file() for name in files):
        return AccrualPlan(client.id, period, ())  # most clients: no pass over the entries
    accounts = _accounts(entries)
    assets, templates = read_accruals(client, client_dir, accounts)
    booked = booked_accruals(entries, period)
    before = depreciation_booked(entries, assets, period.start)
    found = [_depreciation(a, client, period, booked, before[a.id]) for a in assets]
    ledger = _Activity(entries, period, client.currency) if templates else None
    problems: list[Problem] = []
    for template in templates:
        try:
            found.append(_template(template, client, period, booked, ledger))
        except FormulaError as exc:
            problems.append(
                Problem(template.source.filename, template.source.line, f"{exc}; {_TODO}")
            )
    problems += _not_open(found, accounts, period)
    if problems:
        message = f"The accruals of {client.id} for {period.label} cannot be booked."
        raise ConfigError(message, tuple(problems))
    return AccrualPlan(client.id, period, tuple(found))


def _accounts(entries: Entries) -> dict[str, tuple[datetime.date, datetime.date | None]]:
    """Return each account the ledger opens: the day it opens, and the day it closes."""
    found: dict[str, tuple[datetime.date, datetime.date | None]] = {}
    for entry in entries:
        if isinstance(entry, data.Open):
            found[entry.account] = (entry.date, None)  # the loader sorts a close after it
        elif isinstance(entry, data.Close) and entry.account in found:
            found[entry.account] = (found[entry.account][0], entry.date)
    return found


def _not_open(
    found: list[Accrual],
    accounts: dict[str, tuple[datetime.date, datetime.date | None]],
    period: Period,
) -> list[Problem]:
    """Name each accrual to book on an account not open on the month's last day."""
    problems: list[Problem] = []
    for accrual in found:
        for posting in accrual.entry.postings if accrual.entry else ():
            opens, closes = accounts[posting.account]
            if opens <= period.end and (
                closes is None or closes >= period.end
            ):  # a close sorts last
                continue
            when = f"opens {opens}" if opens > period.end else f"is closed on {closes}"
            problems.append(
                Problem(
                    accrual.source.filename,
                    accrual.source.line,
                    f"{accrual.key} would book to {posting.account} on {period.end}, but the "
                    f"account {when}; name an account open then, or end the "
                    f"{'asset' if accrual.kind == 'depreciation' else 'template'} earlier.",
                )
            )
            break
    return problems


_TODO = f"correct the template (see {PAGE})"


def read_accruals(
    client: Client, client_dir: Path, opened: Collection[str]
) -> tuple[list[FixedAsset], list[Template]]:
    """Read a client's register and templates (raises ConfigError with every problem)."""
    templates: list[Template] = []
    assets, problems = load_register(client.id, client_dir, opened)
    accruals = client_dir / PurePosixPath(paths.accruals_file(client.id)).name
    if accruals.is_file():
        templates, found = read_templates(
            accruals.read_text(encoding="utf-8"), paths.accruals_file(client.id), opened
        )
        problems += found
    clash = {asset.id for asset in assets} & {template.name for template in templates}
    problems += [
        Problem(
            t.source.filename,
            t.source.line,
            f"the template {t.name} has the name of an "
            "asset of the register; give it another name, so that each accrual is told apart.",
        )
        for t in templates
        if t.name in clash
    ]
    if problems:
        message = (
            f"The fixed-asset register or accrual templates of {client.id} have mistakes: "
            f"correct them (see {ASSETS_PAGE} and {PAGE}); nothing was booked."
        )
        raise ConfigError(message, tuple(problems))
    return assets, templates


def booked_accruals(entries: Entries, period: Period) -> set[str]:
    """Return the names of the accruals booked in a month (`accrual:` on an entry of it)."""
    return {
        str(entry.meta[META])
        for entry in entries
        if isinstance(entry, data.Transaction)
        and period.start <= entry.date <= period.end
        and META in entry.meta
    }


def depreciation_booked(
    entries: Entries, assets: Collection[FixedAsset], before: datetime.date
) -> dict[str, Decimal]:
    """Return each asset's depreciation in the books before a day.

    Its `opening-depreciation`, and the credits to its depreciation account by the entries
    whose `accrual:` names it.
    """
    accounts = {asset.id: asset.depreciation_account for asset in assets}
    booked = {asset.id: asset.opening_depreciation for asset in assets}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date >= before:
            continue
        key = str(entry.meta.get(META, ""))
        if key not in accounts:
            continue
        for posting in entry.postings:
            units = posting.units
            if posting.account == accounts[key] and units and isinstance(units.number, Decimal):
                booked[key] -= units.number
    return booked


def _depreciation(
    asset: FixedAsset, client: Client, period: Period, booked: set[str], before: Decimal
) -> Accrual:
    """Return an asset's accrual of the month, `before` being its depreciation booked so far.

    The schedule's amount, but never past cost less salvage as the books have it; and the
    life's last month takes what is left of it, whatever rounding or the months before did.
    """
    scheduled = asset.depreciation(period.start)
    if asset.id in booked:
        return Accrual(asset.id, "depreciation", scheduled, None, "booked already", asset.source)
    left = asset.depreciable - before
    last = month_number(period.start) - month_number(asset.in_service) == asset.life_months
    disposed = asset.disposed is not None and asset.disposed < period.start
    amount = left if last and not disposed else scheduled
    amount = max(ZERO, min(amount, left))
    if not amount:
        why = _why_none(asset, period) if not scheduled else f"fully depreciated: {before} booked"
        return Accrual(asset.id, "depreciation", ZERO, None, why, asset.source)
    note = "" if amount == scheduled else f"the schedule says {scheduled}, the books leave {left}"
    words = "计提折旧" if client.language == "zh" else "Depreciation"
    narration = f"{words} {asset.id} {asset.name} {period.label}"
    accounts = (asset.expense_account, asset.depreciation_account)
    txn = _entry(asset.id, period.end, narration, accounts, amount, client.currency)
    return Accrual(asset.id, "depreciation", amount, txn, note, asset.source)


def _why_none(asset: FixedAsset, period: Period) -> str:
    index = month_number(period.start) - month_number(asset.in_service)
    if index < 1:
        return f"in service {asset.in_service}: depreciated from the month after"
    if asset.disposed is not None and period.start > asset.disposed:
        return f"disposed of {asset.disposed}"
    return "fully depreciated"


def _template(
    template: Template,
    client: Client,
    period: Period,
    booked: set[str],
    ledger: _Activity | None,
) -> Accrual:
    if not template.due(period):
        return Accrual(template.name, "template", ZERO, None, "not due this month", template.source)
    if template.formula is not None:
        assert ledger is not None  # noqa: S101 - read whenever there are templates
        amount = cents(template.formula.evaluate(ledger.balance, ledger.activity))
    else:
        assert template.amount is not None  # noqa: S101 - the reader requires one
        amount = template.amount
    if template.name in booked:
        return Accrual(template.name, "template", amount, None, "booked already", template.source)
    if amount < 0:
        msg = (
            f"the template {template.name} comes to {amount} for {period.label}, below zero "
            "(debit and credit the other way round?); swap them, or write max(..., 0)"
        )
        raise FormulaError(msg)
    if not amount:
        return Accrual(template.name, "template", ZERO, None, "comes to 0.00", template.source)
    narration = f"{template.narration} {period.label}"
    accounts = (template.debit, template.credit)
    txn = _entry(template.name, period.end, narration, accounts, amount, client.currency)
    return Accrual(template.name, "template", amount, txn, "", template.source)


def _entry(
    key: str,
    day: datetime.date,
    narration: str,
    accounts: tuple[str, str],
    amount: Decimal,
    currency: str,
) -> Txn:
    """Return an accrual: the amount debited to the first account and credited to the second."""
    debit, credit = accounts
    postings = (Posting(debit, amount, currency), Posting(credit, -amount, currency))
    return Txn(day, None, narration, postings, tags=(TAG,), meta=((META, quote(key)),))


class _Activity:
    """Each account's balance at the month's end and its activity in the month (one pass)."""

    def __init__(self, entries: Entries, period: Period, currency: str) -> None:
        self.balances: dict[str, Decimal] = defaultdict(Decimal)
        self.activities: dict[str, Decimal] = defaultdict(Decimal)
        self.foreign: dict[str, str] = {}
        for entry in entries:
            if not isinstance(entry, data.Transaction) or entry.date > period.end:
                continue
            in_month = entry.date >= period.start and not (entry.tags and CLOSING_TAG in entry.tags)
            for posting in entry.postings:
                units = posting.units
                if units is None or not isinstance(units.number, Decimal):
                    continue
                if units.currency != currency:
                    self.foreign.setdefault(posting.account, units.currency)
                    continue
                self.balances[posting.account] += units.number
                if in_month:
                    self.activities[posting.account] += units.number
        self.currency = currency

    def _sum(self, sums: dict[str, Decimal], account: str) -> Decimal:
        below = f"{account}:"
        foreign = [a for a in self.foreign if a == account or a.startswith(below)]
        if foreign:
            msg = (
                f"{foreign[0]} holds {self.foreign[foreign[0]]}, which a formula cannot add to "
                f"{self.currency}; name an account in {self.currency}"
            )
            raise FormulaError(msg)
        return sum(
            (total for name, total in sums.items() if name == account or name.startswith(below)),
            ZERO,
        )

    def balance(self, account: str) -> Decimal:
        """Return an account's balance at the month's end, its subaccounts included."""
        return self._sum(self.balances, account)

    def activity(self, account: str) -> Decimal:
        """Return what was posted to an account in the month, closing entries left out."""
        return self._sum(self.activities, account)


def read_templates(
    text: str, filename: str, opened: Collection[str]
) -> tuple[list[Template], list[Problem]]:
    """Read an accruals file's text into its templates, with every problem found."""
    reader = NodeReader(filename)
    templates = [
        template
        for name, value, line in named_items(reader, text, "accruals", "template's name", PAGE)
        if (template := _read_template(reader, name, value, opened, line)) is not None
    ]
    return templates, reader.problems


def _read_template(
    reader: NodeReader, name: str, node: yaml.Node, opened: Collection[str], line: int
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
        amount = read_amount(reader, keys["amount"], f"{where}: amount")
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
        reader.problem(node, f"{where}: {exc}; {_TODO}.")
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
