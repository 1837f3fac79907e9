"""A month's accruals (计提): depreciation from the fixed-asset register and the firm's templates.

The close books them before the closing entries, so that 结转损益 moves them too. Each is one
transaction on the month's last day, tagged `#accrual`, with `accrual:` naming its asset or
template; one already booked in the month under that name is not booked again, so that
planning a month twice, or after an accrual typed by hand with the same name, books it once.
The templates (`accruals.yaml`, `templates.py`) name a debit and a credit account and an amount or a
formula over the month's balances and activity (`formula.py`), monthly or on chosen months.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from beancount.core import data

from beanfirm.core import paths
from beanfirm.core.journal import Posting, Txn, quote
from beanfirm.errors import ConfigError, Problem
from beanfirm.monthend.assets import CENT, ZERO, FixedAsset, cents, load_register, month_number
from beanfirm.monthend.assets import PAGE as ASSETS_PAGE
from beanfirm.monthend.formula import FormulaError, MonthFigures
from beanfirm.monthend.templates import PAGE, TODO, Template, read_templates

if TYPE_CHECKING:
    from collections.abc import Collection
    from pathlib import Path

    from beanfirm.core.beans import Entries
    from beanfirm.monthend.closing import Period
    from beanfirm.store.registry import Client

TAG = "accrual"
META = "accrual"


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
    ledger = MonthFigures(entries, period, client.currency) if templates else None
    problems: list[Problem] = []
    for template in templates:
        try:
            found.append(_template(template, client, period, booked, ledger))
        except FormulaError as exc:
            problems.append(
                Problem(template.source.filename, template.source.line, f"{exc}; {TODO}")
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
            # A close sorts after the day's transactions: an entry on that day is still in.
            if opens <= period.end and (closes is None or closes >= period.end):
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


def read_accruals(
    client: Client, client_dir: Path, opened: Collection[str]
) -> tuple[list[FixedAsset], list[Template]]:
    """Read a client's register and templates (raises ConfigError with every problem)."""
    templates: list[Template] = []
    assets, problems = load_register(client.id, client_dir, opened, currency=client.currency)
    accruals = client_dir / PurePosixPath(paths.accruals_file(client.id)).name
    if accruals.is_file():
        templates, found = read_templates(
            accruals.read_text(encoding="utf-8"),
            paths.accruals_file(client.id),
            opened,
            currency=client.currency,
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

    The schedule's amount, but never past cost less salvage as the books have it. The life's
    last month takes what the books leave when they differ from the schedule by rounding only
    (a cent a month at most); a larger difference (months booked by hand, an asset taken over
    without its opening depreciation) is not caught up in one month, and the note says so.
    """
    scheduled = asset.depreciation(period.start)
    if asset.id in booked:
        return Accrual(asset.id, "depreciation", scheduled, None, "booked already", asset.source)
    left = asset.depreciable - before
    amount, note = scheduled, ""
    if month_number(period.start) - month_number(asset.in_service) == asset.life_months:
        expected = asset.depreciated_through(period.start - datetime.timedelta(days=1))
        if abs(expected - before) <= CENT * asset.life_months:
            amount = left
        else:
            note = (
                f"the life's last month, and the books leave {left}: a difference from the "
                f"schedule that is not caught up here (see {ASSETS_PAGE})"
            )
    amount = max(ZERO, min(amount, left))
    if not amount:
        why = _why_none(asset, period) if not scheduled else f"fully depreciated: {before} booked"
        return Accrual(asset.id, "depreciation", ZERO, None, why, asset.source)
    if amount < scheduled:
        note = f"the schedule says {scheduled}, the books leave {left}"
    words = asset.narration or ("计提折旧" if client.language == "zh" else "Depreciation")
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
    ledger: MonthFigures | None,
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
