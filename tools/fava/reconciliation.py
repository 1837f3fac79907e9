"""The Fava page "Reconciliation": how far each account of the ledger is reconciled.

Turned on by one line in the ledger:

    2025-10-01 custom "fava-extension" "beanfirm.fava.reconciliation"

For each account the `reconciled` plugin watches (so the ledger needs that plugin too) the page
lists its cadence, the day it is reconciled through, the day the next period is due and whether
it is overdue (`beanfirm.reconcile.status.reconciliation_status`), the last balance assertion with
the difference accepted then (`statement-balance:` less the asserted figure; 0 when none), and
links to the archived statement and the saved reconciliation reports of `beanfirm reconcile`,
served by Fava's own document route. The title is in the ledger's Fava language (对账 for
`custom "fava-option" "language" "zh"`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, cast

from beancount.core import data
from fava.ext import FavaExtensionBase

if TYPE_CHECKING:
    from fava.core import FavaLedger

from beanfirm.core.beans import Directive, Options
from beanfirm.core.journal import money
from beanfirm.core.translation import Words, language_of
from beanfirm.reconcile.accountbook import STATEMENT_BALANCE
from beanfirm.reconcile.status import reconciliation_status

REPORT_MARK = ".reconciliation."


@dataclass(frozen=True)
class Document:
    """A file Beancount found under the documents folder: its name and its full path."""

    name: str
    filename: str
    date: datetime.date


@dataclass(frozen=True)
class AccountReconciliation:
    """One row of the page."""

    account: str
    cadence: str
    through: datetime.date | None
    due: datetime.date | None
    overdue: bool
    asserted: datetime.date | None = None
    balance: str | None = None
    difference: Decimal | None = None
    statement: Document | None = None
    reports: list[Document] = field(default_factory=list)

    @property
    def difference_text(self) -> str:
        """Return the last difference as the ledger writes amounts ('' before any assertion)."""
        return "" if self.difference is None else money(self.difference)


def _last_assertions(entries: Iterable[Directive]) -> dict[str, data.Balance]:
    last: dict[str, data.Balance] = {}
    for entry in entries:
        if isinstance(entry, data.Balance):
            found = last.get(entry.account)
            if found is None or entry.date >= found.date:
                last[entry.account] = entry
    return last


def _difference(assertion: data.Balance) -> Decimal:
    stated = (assertion.meta or {}).get(STATEMENT_BALANCE)
    number = getattr(stated, "number", stated)
    if not isinstance(number, Decimal) or assertion.amount.number is None:
        return Decimal(0)
    return number - assertion.amount.number


def account_rows(entries: Sequence[Directive], options: Options) -> list[AccountReconciliation]:
    """Return the page's rows from a loaded ledger's entries and options."""
    last = _last_assertions(entries)
    documents: dict[str, list[Document]] = {}
    for entry in entries:
        if isinstance(entry, data.Document):
            name = Path(entry.filename).name
            documents.setdefault(entry.account, []).append(
                Document(name, entry.filename, entry.date)
            )
    rows = []
    for status in reconciliation_status(list(entries), options):
        files = sorted(documents.get(status.account, []), key=lambda d: (d.date, d.name))
        reports = [d for d in reversed(files) if REPORT_MARK in d.name]
        assertion = last.get(status.account)
        statement = None
        if assertion is not None and "statement" in (assertion.meta or {}):
            wanted = str(assertion.meta["statement"])
            statement = next((d for d in files if d.filename.endswith(wanted)), None)
        rows.append(
            AccountReconciliation(
                account=status.account,
                cadence=status.cadence,
                through=status.through,
                due=status.due,
                overdue=status.overdue,
                asserted=assertion.date if assertion else None,
                balance=str(assertion.amount) if assertion else None,
                difference=_difference(assertion) if assertion else None,
                statement=statement,
                reports=reports,
            )
        )
    return rows


class Reconciliation(FavaExtensionBase):
    """The Reconciliation page (see the module docstring)."""

    report_title = "Reconciliation"

    def __init__(self, ledger: FavaLedger, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self.after_load_file()

    def after_load_file(self) -> None:
        """Title the page in the ledger's Fava language (read again on each load)."""
        self.report_title = self.words().pgettext("Fava page", "Reconciliation")

    def words(self) -> Words:
        """Return the words of the page's language: the ledger's Fava language."""
        return Words(language_of(self.ledger.fava_options.language))

    def t(self, message: str, **fields: object) -> str:
        """Return a message of the page in its language."""
        return self.words()(message, **fields)

    def cadence(self, cadence: str) -> str:
        """Return a reconcile cadence (`monthly`, `monthly@25`) in the page's language."""
        t = self.words()
        names = {
            "weekly": t.pgettext("reconcile cadence", "weekly"),
            "monthly": t.pgettext("reconcile cadence", "monthly"),
            "quarterly": t.pgettext("reconcile cadence", "quarterly"),
        }
        base, at, day = cadence.partition("@")  # a statement cycle: `monthly@25`
        return names.get(base, base) + at + day

    def accounts(self) -> list[AccountReconciliation]:
        """Return the rows of the page."""
        # Fava types its entries with its own abstract classes (fava.beans.abc), which
        # Beancount's named tuples are registered with: they are Beancount's.
        entries = cast("Sequence[Directive]", self.ledger.all_entries)
        return account_rows(entries, self.ledger.options)
