"""The balance sheet, income statement and cash-flow statement of a period, from one pass.

Every figure is a sum of postings' weights in the client's currency (`convert.get_weight`: the
cost or price when a posting has one; a foreign amount without either is converted at the
latest price on or before its date). Each account with a balance lands on exactly one line of
each statement (`mapping.py`); an account on none or on two is refused, naming it and the line
it probably belongs to. The income statement leaves out the closing entries (`#closing`), so
that it still shows the period's activity once the month is closed. The cash-flow statement
classifies each movement of cash by its other legs (`cashflow.py`).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from beancount.core import convert, data
from beancount.core.amount import Amount

from beanfirm.core.rates import Rates
from beanfirm.errors import ConfigError, LedgerError, Problem, UsageError
from beanfirm.monthend.cashflow import CASH, CashFlows
from beanfirm.monthend.closing import TAG as CLOSING_TAG
from beanfirm.monthend.closing import Period, parse_period
from beanfirm.monthend.mapping import (
    BALANCE_SHEET,
    CASH_FLOW,
    INCOME_STATEMENT,
    Form,
    Line,
    StatementMapping,
    has_template,
    likely_line,
    read_mapping,
    read_mapping_file,
    template_file,
    template_text,
)
from beanfirm.monthend.valuation import converted, in_cents, unpriced_problem

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from collections.abc import Set as AbstractSet

    from beanfirm.core.beans import Directive, Entries, Options
    from beanfirm.store.registry import Client

COLUMNS = {
    BALANCE_SHEET: (("期末余额", "年初余额"), ("End of period", "Start of year")),
    INCOME_STATEMENT: (("本月金额", "本年累计金额"), ("This month", "Year to date")),
    CASH_FLOW: (("本月金额", "本年累计金额"), ("This month", "Year to date")),
}
CLIENT_MAPPING = "financials.yaml"
UNCATEGORIZED = "Uncategorized"  # the last component of the accounts of entries not yet sorted
ZERO = Decimal(0)
CENT = Decimal("0.01")
_CODED = re.compile(r"\d{4}")
_BALANCE_ROOTS = ("Assets", "Liabilities", "Equity", "Income", "Expenses")
_INCOME_ROOTS = ("Income", "Expenses")


def month_period(text: str, *, to: datetime.date | None = None) -> Period:
    """Return the month `YYYY-MM`, ending on its last day or on `to` within it."""
    month = parse_period(text)
    if to is None:
        return month
    if not month.start <= to <= month.end:
        message = f"--to {to} is outside the period {text}: give a day of that month."
        raise UsageError(message)
    return Period(month.start, to)


def fiscal_year_start(end: datetime.date, month_day: str) -> datetime.date:
    """Return the first day of the fiscal year, starting on `MM-DD`, that holds a day."""
    month, day = (int(part) for part in month_day.split("-"))
    start = datetime.date(end.year, month, day)
    return start if start <= end else datetime.date(end.year - 1, month, day)


@dataclass(frozen=True)
class Figure:
    """One line of a statement with its two columns, and the accounts it was summed from."""

    line: Line
    current: Decimal | None  # None for a heading
    earlier: Decimal | None
    accounts: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    """A filled-in statement form: its lines with their figures."""

    form: Form
    figures: tuple[Figure, ...]

    def figure(self, number: int) -> Figure:
        """Return the figure of a line (行次)."""
        return next(figure for figure in self.figures if figure.line.number == number)

    def title(self, language: str) -> str:
        """Return the statement's title in a language (the form's own, or its `en` or `zh`)."""
        return self.form.title_in(language)

    def columns(self, language: str) -> tuple[str, str]:
        """Return the names of the two columns in a language."""
        names = COLUMNS[self.form.key]
        return names[0] if language == "zh" else names[1]

    def rows(self, language: str) -> list[tuple[str, int | None, Decimal | None, Decimal | None]]:
        """Return the lines as (name, line number, first column, second column)."""
        return [
            (
                figure.line.name_in(language),
                figure.line.number,
                figure.current,
                figure.earlier,
            )
            for figure in self.figures
        ]


@dataclass(frozen=True)
class Statements:
    """A client's balance sheet, income statement and cash flows for a period, in its currency."""

    client_id: str
    client_name: str
    currency: str
    chart: str
    mapping_file: str
    period: Period
    year_start: datetime.date  # the first day of the fiscal year holding the period
    balance_sheet: Statement
    income_statement: Statement
    cash_flow: Statement | None = None  # the cash-flow statement, where the mapping has one

    @property
    def all(self) -> tuple[Statement, ...]:
        """Return the statements in the order they are issued (balance sheet first)."""
        found = (self.balance_sheet, self.income_statement, self.cash_flow)
        return tuple(statement for statement in found if statement is not None)

    def as_json(self, language: str) -> dict[str, object]:
        """Return the statements as JSON-ready data: amounts as strings, never floats."""
        return {
            "client": self.client_id,
            "currency": self.currency,
            "period": self.period.label,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "year_start": self.year_start.isoformat(),
            "chart": self.chart,
            "statements": [
                {
                    "statement": statement.form.key,
                    "form": statement.form.form,
                    "title": statement.title(language),
                    "columns": list(statement.columns(language)),
                    "lines": [
                        {
                            "name": name,
                            "line": number,
                            "amounts": None if first is None else [str(first), str(second)],
                        }
                        for name, number, first, second in statement.rows(language)
                    ],
                }
                for statement in self.all
            ],
        }


@dataclass
class _Sums:
    """The balances and activity of every account, as four columns."""

    at_end: dict[str, Decimal]
    at_year_start: dict[str, Decimal]
    month: dict[str, Decimal]
    year: dict[str, Decimal]


def financial_statements(
    entries: Entries, options: Options, registry_client: Client, period: Period
) -> Statements:
    """Return a client's statements for a period from its loaded ledger.

    The mapping is the client's `financials.yaml` beside its main file when there is one, or
    its chart's template. Raises ConfigError naming file and line for a mapping with mistakes,
    for an account that lands on no line or on two, and for an amount with no price.
    """
    mapping = load_mapping(Path(options.get("filename", ".")), chart_of(entries))
    year_start = fiscal_year_start(period.end, registry_client.fiscal_year_start)
    flows = (
        CashFlows(mapping.cash_flow, period, year_start) if mapping.cash_flow is not None else None
    )
    sums, problems = _sum_postings(entries, registry_client.currency, period, year_start, flows)
    if problems:
        message = (
            f"Amounts of {registry_client.id} cannot be stated in {registry_client.currency}: "
            "give each foreign currency a rate."
        )
        raise ConfigError(message, tuple(problems))
    opened = {
        entry.account: Problem(entry.meta["filename"], entry.meta["lineno"], "")
        for entry in entries
        if isinstance(entry, data.Open)
    }
    balance_sheet = _fill(
        mapping, mapping.balance_sheet, _summed((sums.at_end, sums.at_year_start))
    )
    income_statement = _fill(mapping, mapping.income_statement, _summed((sums.month, sums.year)))
    uncategorized = [
        Problem(
            opened[account].filename if account in opened else "",
            opened[account].line if account in opened else None,
            f"{account} holds {value}: entries not yet categorized. Categorize them "
            "(docs/rules.md) before issuing statements.",
        )
        for account, value in sorted(sums.at_end.items())
        if value and account.rsplit(":", 1)[-1] == UNCATEGORIZED
    ]
    if uncategorized:
        message = f"The books of {registry_client.id} are not ready for statements."
        raise LedgerError(message, tuple(uncategorized))
    problems = [
        *_placement_problems(
            mapping, mapping.balance_sheet, sums.at_end, sums.at_year_start, opened
        ),
        *_placement_problems(mapping, mapping.income_statement, sums.month, sums.year, opened),
    ]
    if problems:
        message = (
            f"The statements of {registry_client.id} leave out or double-count accounts: map each "
            f"account below to exactly one line in {CLIENT_MAPPING} (docs/financials.md)."
        )
        raise ConfigError(message, tuple(problems))
    cash_flow = None
    if flows is not None and mapping.cash_flow is not None:
        _check_cash_accounts(mapping, flows, (sums.at_end, sums.at_year_start))
        flows.check(mapping.filename)
        cash_flow = _fill(mapping, mapping.cash_flow, _flowed(flows))
    return Statements(
        client_id=registry_client.id,
        client_name=registry_client.name,
        currency=registry_client.currency,
        chart=mapping.chart,
        mapping_file=mapping.filename,
        period=period,
        year_start=year_start,
        balance_sheet=balance_sheet,
        income_statement=income_statement,
        cash_flow=cash_flow,
    )


def _check_cash_accounts(
    mapping: StatementMapping,
    flows: CashFlows,
    columns: tuple[Mapping[str, Decimal], Mapping[str, Decimal]],
) -> None:
    """Refuse cash accounts that the balance sheet's line of cash does not take, or the reverse.

    Otherwise 期末现金余额 would differ from 货币资金 without a word.
    """
    assert mapping.cash_flow is not None  # noqa: S101  # called for a mapping with one
    if mapping.cash_flow.ties_to is None:
        return
    number, where = mapping.cash_flow.ties_to
    line = mapping.balance_sheet.line(number)
    differ: dict[str, Decimal] = {}
    for column in columns:
        for account, value in column.items():
            if value and line.takes(account, value > 0) != (flows.kind(account) == CASH):
                differ.setdefault(account, value)
    if not differ:
        return
    problems = tuple(
        Problem(
            where.filename,
            where.line,
            f"{account} ({value}) is "
            + (
                f"cash in the {mapping.cash_flow.title} but not on line {number} {line.name}"
                if flows.kind(account) == CASH
                else f"on line {number} {line.name} but not cash in the {mapping.cash_flow.title}"
            )
            + ".",
        )
        for account, value in sorted(differ.items())
    )
    message = (
        f"The cash of the {mapping.cash_flow.title} and of the {mapping.balance_sheet.title} "
        f"differ: make 'cash' and line {number}'s 'accounts' take the same accounts in "
        f"{CLIENT_MAPPING} (docs/financials.md)."
    )
    raise ConfigError(message, problems)


def chart_of(entries: Iterable[data.Directive]) -> str:
    """Return the chart a ledger uses: cn-small when its accounts carry codes, else en-simple."""
    for entry in entries:
        if isinstance(entry, data.Open):
            parts = entry.account.split(":")
            if len(parts) > 1 and _CODED.match(parts[1]):
                return "cn-small"
    return "en-simple"


def load_mapping(main_file: Path, chart: str) -> StatementMapping:
    """Read the client's own mapping beside its main file, or the chart's template."""
    own = main_file.parent / CLIENT_MAPPING
    if own.is_file():
        mapping, problems = read_mapping_file(own, str(own))
    elif has_template(chart):
        mapping, problems = read_mapping(template_text(chart), template_file(chart))
    else:
        message = f"No statement mapping for the chart '{chart}': write {own} (docs/financials.md)."
        raise ConfigError(message)
    if mapping is None or problems:
        message = "The statement mapping has mistakes; fix them and run again."
        raise ConfigError(message, tuple(problems))
    return mapping


def _sum_postings(
    entries: Sequence[Directive],
    currency: str,
    period: Period,
    year_start: datetime.date,
    flows: CashFlows | None,
    rates: Rates | None = None,  # of all the ledger's entries, when `entries` are some of them
) -> tuple[_Sums, list[Problem]]:
    sums = _Sums(
        defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
    )
    unpriced: dict[str, list[data.Transaction]] = defaultdict(list)  # by currency
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date > period.end:
            continue
        closing = bool(entry.tags) and CLOSING_TAG in entry.tags
        if rates is None and any(_foreign(posting, currency) for posting in entry.postings):
            rates = Rates(entries, currency)
        legs, missing = converted(entry, currency, rates)
        for foreign in missing:
            unpriced[foreign].append(entry)
        for posting, number in in_cents(legs):
            account = posting.account
            sums.at_end[account] += number
            if entry.date < year_start:
                sums.at_year_start[account] += number
            elif not closing:
                sums.year[account] += number
                if entry.date >= period.start:
                    sums.month[account] += number
        if flows is not None and len(legs) == len(entry.postings):
            flows.add(entry, in_cents(legs))
    return sums, [unpriced_problem(foreign, found, currency) for foreign, found in unpriced.items()]


def _foreign(posting: data.Posting, currency: str) -> bool:
    """Tell whether a posting's weight is in another currency than the client's."""
    weight: Amount = convert.get_weight(posting)  # type: ignore[no-untyped-call]
    return weight.currency != currency


def book_values(
    entries: Sequence[Directive],
    currency: str,
    end: datetime.date,
    accounts: AbstractSet[str],
    rates: Rates | None = None,
) -> tuple[dict[str, Decimal], list[Problem]]:
    """Return some accounts' balances at a day's end in the client's currency, as stated.

    The figure the balance sheet sums for each account: each posting converted at the rate of
    its own date (or its cost or price) and rounded to the cent as the statements round it
    (a transaction at a time: only the transactions that touch the accounts are summed).
    `rates` are those of all of `entries`, when the caller has them already.
    """
    touching: list[Directive] = [
        entry
        for entry in entries
        if isinstance(entry, data.Transaction)
        and any(posting.account in accounts for posting in entry.postings)
    ]
    day = Period(end, end)
    # the rates of every entry: a priced posting elsewhere is a rate of its day, as stated
    rates = rates or Rates(entries, currency)
    sums, problems = _sum_postings(touching, currency, day, end, None, rates)
    return {account: sums.at_end[account] for account in accounts}, problems


# A leaf line's two figures and the accounts they were summed from.
_Leaf = tuple[Decimal, Decimal, tuple[str, ...]]


def _summed(
    columns: tuple[Mapping[str, Decimal], Mapping[str, Decimal]],
) -> Callable[[Line], _Leaf]:
    """Return how a line of the balance sheet or income statement sums its accounts' columns."""

    def leaf(line: Line) -> _Leaf:
        sign = Decimal(-1 if line.negate else 1)
        values: list[Decimal] = []
        accounts: set[str] = set()
        for column in columns:
            taken = [
                account
                for account, value in column.items()
                if value and line.takes(account, value > 0)
            ]
            accounts.update(taken)
            values.append(sign * sum((column[account] for account in taken), ZERO) + ZERO)
        return values[0], values[1], tuple(sorted(accounts))

    return leaf


def _flowed(flows: CashFlows) -> Callable[[Line], _Leaf]:
    """Return how a line of the cash-flow statement takes its flows, or the cash at the start."""
    at_start = flows.start()

    def leaf(line: Line) -> _Leaf:
        if line.balance is not None:
            return at_start[0] + ZERO, at_start[1] + ZERO, ()
        assert line.number is not None  # noqa: S101  # a leaf line has a number
        sign = Decimal(-1 if line.negate else 1)
        month, year = flows.month.get(line.number, ZERO), flows.year.get(line.number, ZERO)
        accounts = tuple(sorted(flows.accounts.get(line.number, ())))
        return sign * month + ZERO, sign * year + ZERO, accounts

    return leaf


def _fill(mapping: StatementMapping, form: Form, leaf: Callable[[Line], _Leaf]) -> Statement:
    figures: dict[int, Figure] = {}
    ordered: list[Figure] = []
    for line in form.lines:
        if line.is_heading:
            ordered.append(Figure(line, None, None, ()))
            continue
        figure = _line_figure(form, line, leaf, figures)
        ordered.append(figure)
    problems = _parts_outside_their_whole(form, figures)
    if problems:
        message = (
            f"A 其中 (of) line of the {form.title} takes accounts the line it is part of does "
            f"not: fix the line's 'accounts' or 'of' in {mapping.filename} (docs/financials.md)."
        )
        raise ConfigError(message, tuple(problems))
    return Statement(form, tuple(ordered))


def _parts_outside_their_whole(form: Form, figures: Mapping[int, Figure]) -> list[Problem]:
    """Name each `of` line that takes an account its parent line does not take.

    Such a part can be larger than its whole. The converse is no mistake: a part may be larger
    than its whole when the whole's other accounts offset it (财务费用 with 利息 100 and an
    exchange gain of 50), so the accounts are compared, not the amounts.
    """
    problems: list[Problem] = []
    for line in form.lines:
        if line.of is None or line.number is None:
            continue
        whole = _accounts_of(form, figures, line.of)
        outside = [account for account in figures[line.number].accounts if account not in whole]
        if outside:
            parent = form.line(line.of)
            message = (
                f"line {line.number} {line.name} takes {', '.join(outside)}, which line "
                f"{line.of} {parent.name} that it is part of does not take."
            )
            problems.append(Problem(line.source.filename, line.source.line, message))
    return problems


def _accounts_of(form: Form, figures: Mapping[int, Figure], number: int) -> set[str]:
    """Return the accounts a line is summed from, through the lines a total adds up."""
    line = form.line(number)
    if not line.is_total:
        return set(figures[number].accounts)
    return {account for ref in line.total for account in _accounts_of(form, figures, abs(ref))}


def _line_figure(
    form: Form,
    line: Line,
    leaf: Callable[[Line], _Leaf],
    done: dict[int, Figure],
    seen: tuple[int, ...] = (),
) -> Figure:
    assert line.number is not None  # headings have no figure  # noqa: S101
    if line.number in done:
        return done[line.number]
    if line.is_total:
        if line.number in seen:
            message = f"{line.source.location()}: line {line.number} adds up itself; fix 'total'."
            raise ConfigError(message)
        parts = [
            (
                Decimal(1 if ref > 0 else -1),
                _line_figure(form, form.line(abs(ref)), leaf, done, (*seen, line.number)),
            )
            for ref in line.total
        ]
        current = sum((sign * (part.current or ZERO) for sign, part in parts), ZERO) + ZERO
        earlier = sum((sign * (part.earlier or ZERO) for sign, part in parts), ZERO) + ZERO
        figure = Figure(line, current, earlier, ())
    else:
        current, earlier, accounts = leaf(line)
        figure = Figure(line, current, earlier, accounts)
    done[line.number] = figure
    return figure


def _placement_problems(
    mapping: StatementMapping,
    form: Form,
    current: Mapping[str, Decimal],
    earlier: Mapping[str, Decimal],
    opened: Mapping[str, Problem],
) -> list[Problem]:
    roots = _BALANCE_ROOTS if form is mapping.balance_sheet else _INCOME_ROOTS
    placing = [line for line in form.lines if line.accounts and line.of is None]
    problems: list[Problem] = []
    reported: set[str] = set()
    for column in (current, earlier):
        for account, value in sorted(column.items()):
            if not value or account in reported or account.split(":")[0] not in roots:
                continue
            lines = [line for line in placing if line.takes(account, value > 0)]
            if len(lines) == 1:
                continue
            reported.add(account)
            where = opened.get(account, Problem(mapping.filename, None, ""))
            title = form.title
            if not lines:
                likely = likely_line(placing, account)
                hint = (
                    f"; it probably belongs to line {likely.number} {likely.name} "
                    f"({mapping.filename}:{likely.source.line})"
                    if likely
                    else ""
                )
                message = f"{account} ({value}) is on no line of the {title}{hint}."
            else:
                names = ", ".join(f"{line.number} {line.name}" for line in lines)
                message = f"{account} ({value}) is on {len(lines)} lines of the {title}: {names}."
            problems.append(Problem(where.filename, where.line, message))
    return problems
