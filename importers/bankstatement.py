"""What the bank statement formats (OFX, CAMT.053, MT940) share: checking and assembling.

A file holds one or more statements (`Section`s: an MT940 message, a CAMT `Stmt`, an OFX
`STMTRS`), each with its movements and the balances the bank states. `assemble` turns them into
one `BankStatement`, refusing what does not add up:

- every statement must be of one account (a file mixing accounts is refused, naming them);
- no amount or balance may have more decimal places than its currency has (`-9.999` USD is a
  damaged figure, never rounded);
- a statement's opening balance plus its movements must equal its closing balance;
- one statement's closing balance must be the next one's opening balance (sorted by date):
  otherwise a statement is missing or repeated, and rows would be lost or doubled.

Rows of amount 0 moved no money and are skipped, with the reason, as in the CSV engine.

Balances become balance assertions (`BankStatement.openings`, `BankStatement.balances`) only where
they split the file's rows cleanly by date: a closing balance of day D is asserted (at D + 1)
when every row it covers is dated D or earlier and every later row after D; an opening balance
is asserted at the start of its statement's first day when every earlier row is dated before
it. Several statements of one day (intraday MT940 parts) thus assert only the day's last
balance, and no assertion can contradict the rows.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from beanfirm.errors import StatementError
from beanfirm.importers.accountnumber import normalize_number
from beanfirm.importers.amounts import excess_places, places_problem
from beanfirm.importers.statement import (
    BankStatement,
    ClosingBalance,
    OpeningBalance,
    SkippedRow,
    StatementRow,
    chronological,
    number_import_ids,
)

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class StatedBalance:
    """A balance as the statement states it: at the end of `date`."""

    date: datetime.date
    number: Decimal
    currency: str
    line: int


@dataclass(frozen=True)
class Section:
    """One statement of a file, in one currency."""

    line: int
    account_number: str | None
    currency: str
    rows: tuple[StatementRow, ...]
    opening: StatedBalance | None
    closing: StatedBalance | None
    label: str = "the statement"


def money(number: Decimal, currency: str) -> str:
    """Return an amount as a statement shows it."""
    return f"{number:,} {currency}"


def check_totals(section: Section, filename: str) -> None:
    """Refuse a statement whose opening balance plus movements is not its closing balance."""
    opening, closing = section.opening, section.closing
    if opening is None or closing is None:
        return
    moved = sum((row.number for row in section.rows), Decimal(0))
    if opening.number + moved != closing.number:
        raise StatementError(
            filename,
            closing.line,
            f"{section.label} (line {section.line}) does not add up: opening balance "
            f"{money(opening.number, section.currency)} plus its {len(section.rows)} "
            f"movement(s) totalling {money(moved, section.currency)} makes "
            f"{money(opening.number + moved, section.currency)}, but the closing balance is "
            f"{money(closing.number, section.currency)}. An entry is missing or the file is "
            "damaged; export the statement again.",
        )


def check_places(section: Section, filename: str) -> None:
    """Refuse an amount or balance with more decimal places than its currency has."""
    figures = [(row.line, row.number, row.currency, "this transaction") for row in section.rows]
    figures += [
        (stated.line, stated.number, stated.currency, "this balance")
        for stated in (section.opening, section.closing)
        if stated is not None
    ]
    for line, number, currency, what in figures:
        places = excess_places(number, currency)
        if places is not None:
            raise StatementError(
                filename,
                line,
                f"{what} states {number} {currency}, which is not an amount in {currency}: "
                f"{places_problem(currency, places)}. The file is damaged or was altered; "
                "export the statement again.",
            )


def check_one_account(sections: list[Section], filename: str) -> str | None:
    """Return the file's account number; refuse a file with statements of several accounts."""
    numbers: dict[str, Section] = {}
    for section in sections:
        if section.account_number:
            numbers.setdefault(normalize_number(section.account_number), section)
    if len(numbers) > 1:
        listed = ", ".join(
            f"{section.account_number} (line {section.line})" for section in numbers.values()
        )
        raise StatementError(
            filename,
            None,
            f"the file holds statements of {len(numbers)} accounts: {listed}. Import one "
            "account per file: export each account separately.",
        )
    return next((s.account_number for s in numbers.values()), None)


def section_key(section: Section) -> tuple[datetime.date, datetime.date, int]:
    """Sort statements by their first day, then their closing day, then file order."""
    days = [row.date for row in section.rows]
    if section.opening is not None:
        days.append(section.opening.date + ONE_DAY)
    if section.closing is not None:
        days.append(section.closing.date)
    first = min(days, default=datetime.date.min)
    last = section.closing.date if section.closing else max(days, default=datetime.date.min)
    return first, last, section.line


def check_continuity(ordered: list[Section], filename: str) -> None:
    """Refuse a file where one statement does not open with the previous one's closing."""
    for before, after in itertools.pairwise(ordered):
        if before.closing is None or after.opening is None:
            continue
        if before.closing.number != after.opening.number:
            raise StatementError(
                filename,
                after.opening.line,
                f"{after.label} (line {after.line}) opens with "
                f"{money(after.opening.number, after.currency)}, but the statement before it "
                f"(line {before.line}) closed with "
                f"{money(before.closing.number, before.currency)}: a statement is missing from "
                "the file or repeated in it. Export the whole period again.",
            )


def split_assertions(
    ordered: list[Section],
) -> tuple[list[OpeningBalance], list[ClosingBalance]]:
    """Return the balances of one currency that split the rows cleanly by date."""
    dated = [[row.date for row in section.rows] for section in ordered]
    openings: list[OpeningBalance] = []
    closings: list[ClosingBalance] = []
    for index, section in enumerate(ordered):
        before = [day for days in dated[:index] for day in days]
        after = [day for days in dated[index + 1 :] for day in days]
        own = dated[index]
        if section.opening is not None:
            start = min([*own, section.opening.date + ONE_DAY])
            if all(day < start for day in before) and all(day >= start for day in after):
                stated = section.opening
                openings.append(OpeningBalance(start, stated.number, stated.currency, stated.line))
        if section.closing is not None:
            end = section.closing.date
            if all(day <= end for day in before + own) and all(day > end for day in after):
                stated = section.closing
                closings.append(ClosingBalance(end, stated.number, stated.currency, stated.line))
    return openings, closings


def assemble(filename: str, sections: list[Section], skipped: list[SkippedRow]) -> BankStatement:
    """Check the statements of a file and return them as one BankStatement."""
    number = check_one_account(sections, filename)
    by_currency: dict[str, list[Section]] = defaultdict(list)
    for section in sections:
        check_places(section, filename)
        check_totals(section, filename)
        by_currency[section.currency].append(section)
    openings: list[OpeningBalance] = []
    closings: list[ClosingBalance] = []
    for currency in sorted(by_currency):
        ordered = sorted(by_currency[currency], key=section_key)
        check_continuity(ordered, filename)
        found = split_assertions(ordered)
        openings += found[0]
        closings += found[1]
    rows: list[StatementRow] = []
    skipped = list(skipped)
    for row in (row for section in sections for row in section.rows):
        if row.number == 0:
            skipped.append(SkippedRow(row.line, "the amount is 0: no money moved"))
        else:
            rows.append(row)
    ordered_rows = number_import_ids(chronological(rows, "oldest-first"))
    return BankStatement(
        filename,
        tuple(ordered_rows),
        tuple(sorted(skipped, key=lambda s: s.line)),
        tuple(sorted(closings, key=lambda c: (c.date, c.currency))),
        account_number=number,
        openings=tuple(sorted(openings, key=lambda o: (o.date, o.currency))),
    )
