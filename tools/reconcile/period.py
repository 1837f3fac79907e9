"""A bank statement as reconciliation reads it: its lines, its period, its opening and closing.

An export is read by the account's importer (`beanfirm.ingest.exports.read_export`); this module
takes its `BankStatement` and works out what reconciliation compares with the ledger:

- **the lines**, all in the account's currency (a line or a balance in another currency is
  refused: it is another account's statement);
- **the closing balance**: OFX `LEDGERBAL`, CAMT `CLBD`, MT940 `:62F:`, the balance column of
  a CSV/XLSX export after its last line (newest-first exports are put in date order first), or
  the balance given on the command line for an export that states none (Alipay, WeChat Pay);
- **the opening balance**: CAMT `OPBD`, MT940 `:60F:`, the first line's balance less its amount
  in a CSV export; else (OFX) the closing balance less the movements;
- **the period**: from its first day (the opening balance's day, else the first line's) to its
  last day (the closing balance's day, else the last line's, or a later day given with `--date`).

The statement must add up on its own: its opening balance plus its movements must be its
closing balance, and in a CSV export each line's balance must be the previous one's plus the
line's amount. A statement that does not is refused before the ledger is even read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from beanfirm.core.bulk import collector_paused
from beanfirm.errors import BeanfirmError
from beanfirm.importers.statement import BankStatement, StatementRow

ZERO = Decimal(0)


class StatementRefusedError(BeanfirmError):
    """A statement cannot be reconciled as it is: another account's, or not adding up."""


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One movement on the statement; `number` > 0 is money into the account."""

    key: int
    line: int
    date: datetime.date
    number: Decimal
    currency: str
    payee: str
    narration: str
    import_id: str

    @property
    def text(self) -> str:
        """Return the payee and narration, the text a posting is compared with."""
        return f"{self.payee} {self.narration}".strip()


@dataclass(frozen=True)
class StatementPeriod:
    """What a statement says about one account over its period.

    `opening` is the balance at the start of `first_day`, `closing` at the end of `end`;
    `opening` is None for a balance stated without a statement (a paper statement's closing
    balance given with `--balance`), which has no lines either.
    """

    source: str
    currency: str
    first_day: datetime.date
    end: datetime.date
    opening: Decimal | None
    closing: Decimal
    lines: tuple[StatementLine, ...]
    opening_stated: bool = False

    def balance_before(self, day: datetime.date) -> Decimal | None:
        """Return the statement's balance at the start of a day of its period."""
        if self.opening is None:
            return None
        return self.opening + sum((line.number for line in self.lines if line.date < day), ZERO)


def stated_balance(number: Decimal, currency: str, end: datetime.date) -> StatementPeriod:
    """Return a closing balance given without a statement file (a paper statement)."""
    return StatementPeriod("the stated balance", currency, end, end, None, number, ())


def _lines(statement: BankStatement, currency: str, where: str) -> tuple[StatementLine, ...]:
    wrong = [row for row in statement.rows if row.currency != currency]
    stated = [(b.line, b.currency) for b in statement.balances]
    stated += [(b.line, b.currency) for b in statement.openings]
    wrong_balances = [(line, found) for line, found in stated if found != currency]
    if wrong or wrong_balances:
        line, found = (wrong[0].line, wrong[0].currency) if wrong else wrong_balances[0]
        msg = (
            f"{where}:{line}: the statement is in {found}, but the account is kept in "
            f"{currency}. It is probably the statement of another account; reconcile it "
            "against the right one (--account), or correct the account's `currency:` in "
            "clients.yaml."
        )
        raise StatementRefusedError(msg)
    return tuple(
        StatementLine(
            key=index,
            line=row.line,
            date=row.date,
            number=row.number,
            currency=row.currency,
            payee=row.payee or "",
            narration=row.narration,
            import_id=row.import_id,
        )
        for index, row in enumerate(statement.rows)
    )


def _running_balances(rows: tuple[StatementRow, ...], where: str) -> Decimal | None:
    """Check a balance column line by line; return the opening balance it implies."""
    opening: Decimal | None = None
    previous: StatementRow | None = None
    moved = ZERO
    for row in rows:
        moved += row.number
        if row.balance is None:
            continue
        if previous is None:
            opening = row.balance - moved
        else:
            assert previous.balance is not None  # noqa: S101 - only rows with one are kept
            expected = previous.balance + moved
            if row.balance != expected:
                msg = (
                    f"{where}:{row.line}: the statement does not add up: the balance on line "
                    f"{previous.line} is {previous.balance}, plus the movements since "
                    f"({moved}) makes {expected}, but this line's balance is {row.balance}. "
                    "A line is missing or the file is damaged; export the statement again."
                )
                raise StatementRefusedError(msg)
        previous, moved = row, ZERO
    return opening


def _closing(
    statement: BankStatement,
    lines: tuple[StatementLine, ...],
    running: Decimal | None,
    balance: Decimal | None,
    where: str,
) -> Decimal:
    """Return the closing balance: stated by the statement, or given with --balance."""
    stated = max(statement.balances, key=lambda b: b.date, default=None)
    closing: Decimal | None = None
    if stated is not None:
        later = sum((line.number for line in lines if line.date > stated.date), ZERO)
        closing = stated.number + later
    elif running is not None:
        closing = running + sum((line.number for line in lines), ZERO)
    if balance is not None and closing is not None and closing != balance:
        msg = (
            f"{where}: the statement closes with {closing}, but --balance says {balance}. "
            "Leave out --balance (the statement states its balance), or check which figure "
            "is right."
        )
        raise StatementRefusedError(msg)
    closing = balance if closing is None else closing
    if closing is None:
        msg = (
            f"{where}: the statement states no balance, so there is nothing to reconcile "
            "with. Give its closing balance with --balance AMOUNT (and its last day with "
            "--date if it is later than the last line)."
        )
        raise StatementRefusedError(msg)
    return closing


def _end(
    statement: BankStatement, lines: tuple[StatementLine, ...], through: datetime.date | None
) -> datetime.date:
    """Return the statement's last day: its own (closing balance, last line) or --date."""
    end = max(
        [line.date for line in lines] + [closing.date for closing in statement.balances],
        default=through,
    )
    if end is None:
        msg = (
            f"{statement.filename}: the statement has no lines and no dated balance; give its "
            "last day with --date YYYY-MM-DD."
        )
        raise StatementRefusedError(msg)
    if through is not None and through < end:
        msg = (
            f"--date {through} is before the statement's last day ({end}). --date is the last "
            "day the statement covers; leave it out or give a later day."
        )
        raise StatementRefusedError(msg)
    return through or end


def read_period(
    statement: BankStatement,
    currency: str,
    *,
    source: str,
    balance: Decimal | None = None,
    through: datetime.date | None = None,
) -> StatementPeriod:
    """Work out a statement's period and balances (see the module docstring).

    `balance` is a closing balance given on the command line (required when the statement
    states none); `through` a last day later than the statement's own.
    """
    with collector_paused():  # an object per line
        lines = _lines(statement, currency, source)
    moved = sum((line.number for line in lines), ZERO)
    running = _running_balances(statement.rows, source)
    closing = _closing(statement, lines, running, balance, source)
    stated = min(statement.openings, key=lambda b: b.date, default=None)
    opening = closing - moved if running is None else running
    if stated is not None:
        opening = stated.number
        if opening + moved != closing:
            msg = (
                f"{source}:{stated.line}: the statement does not add up: opening balance "
                f"{opening} plus its movements ({moved}) makes {opening + moved}, but its "
                f"closing balance is {closing} {currency}. A line is missing or the file is "
                "damaged; export the statement again."
            )
            raise StatementRefusedError(msg)
    end = _end(statement, lines, through)
    first_days = [line.date for line in lines] + ([stated.date] if stated else [])
    return StatementPeriod(
        source=source,
        currency=currency,
        first_day=min(first_days, default=end),
        end=end,
        opening=opening,
        closing=closing,
        lines=lines,
        opening_stated=stated is not None or running is not None,
    )
