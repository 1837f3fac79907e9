"""Visit expenses (拜访客户费用): the cost of each customer visit, by category, grouped and flagged.

A visit's expenses are transactions tagged `#visit` with `customer:` (the customer, by the last
component of its receivable account) and `visit:` (an id shared by all expenses of one visit),
and `staff:` (who went) where known (docs/conventions.md). Each posting to an expense account of
such a transaction is a cost of the visit, in one of `CATEGORIES`: the posting's own
`visit-cost:` metadata, else that of its account's `open` directive, else the last component of
the account (`Transport`/`交通费`, `Meals`/`业务招待费`/`餐费`, `Lodging`/`住宿费`), else `other`.
A `#visit` entry without `customer:` or `visit:` is flagged with its file and line, and its
costs are counted apart, so that every expense of a `#visit` entry is in the report once.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from beancount.core import data

from beanfirm.accounts.openitems import Party, read_book
from beanfirm.core.beans import Directive, Options
from beanfirm.errors import Problem

VISIT_TAG = "visit"
COST_KEY = "visit-cost"
CATEGORIES = ("transport", "meals", "lodging", "other")
Grouping = Literal["visit", "customer", "class", "month", "staff"]
GROUPINGS: tuple[Grouping, ...] = ("visit", "customer", "class", "month", "staff")
# The last component of an account (its code prefix `5601-` left out) that names a category.
NAMED = {
    "Transport": "transport",
    "交通费": "transport",
    "Meals": "meals",
    "业务招待费": "meals",
    "餐费": "meals",
    "Lodging": "lodging",
    "住宿费": "lodging",
}
CODE_PREFIX = re.compile(r"^\d+-")
ZERO = Decimal("0.00")  # a category without costs: shown to the cent, like the others
NONE = ""  # a key left out (no class, no staff): shown as "(none)"


def category_by_name(account: str) -> str:
    """Return the category an account's last component names, `other` when it names none."""
    last = CODE_PREFIX.sub("", account.rsplit(":", 1)[-1])
    return NAMED.get(last, "other")


def account_categories(entries: Sequence[Directive]) -> dict[str, str]:
    """Return the categories set on `open` directives with `visit-cost:` metadata."""
    found: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, data.Open):
            value = (entry.meta or {}).get(COST_KEY)
            if isinstance(value, str) and value in CATEGORIES:
                found[entry.account] = value
    return found


@dataclass(frozen=True)
class Cost:
    """One posting of a visit's expenses."""

    date: datetime.date
    account: str
    category: str
    amount: Decimal
    currency: str


@dataclass
class Costs:
    """Amounts per category in one currency, and the visits they belong to."""

    currency: str
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, ZERO))
    visits: set[str] = field(default_factory=set)

    @property
    def total(self) -> Decimal:
        """The sum of the categories."""
        return sum(self.amounts.values(), ZERO)

    def add(self, cost: Cost, visit: str) -> None:
        """Count a cost of a visit."""
        self.amounts[cost.category] += cost.amount
        self.visits.add(visit)


@dataclass
class Visit:
    """One visit: its id, customer, who went, and its costs (one entry or several)."""

    id: str
    customer: str
    customer_name: str
    customer_class: str
    staff: str
    date: datetime.date
    costs: list[Cost] = field(default_factory=list)
    where: list[str] = field(default_factory=list)  # file:line of each entry


@dataclass(frozen=True)
class Flagged:
    """A `#visit` entry that cannot be counted as a visit, and why."""

    problem: Problem
    costs: tuple[Cost, ...]
    missing: tuple[str, ...]  # the keys it lacks: `customer`, `visit`


@dataclass(frozen=True)
class Row:
    """A row of the report: the group's key columns and its costs in one currency."""

    key: tuple[str, ...]
    costs: Costs


@dataclass
class VisitReport:
    """Every visit in a period, the entries flagged, and the customers' master data."""

    start: datetime.date | None
    end: datetime.date | None
    visits: list[Visit]
    flagged: list[Flagged]
    problems: list[Problem]  # warnings: a customer unknown, a visit split over two customers

    def rows(self, by: Grouping) -> list[Row]:
        """Return the rows grouped `by` a key, in the key's order, one per currency."""
        key_of: Callable[[Visit, Cost], tuple[str, ...]] = KEYS[by]
        groups: dict[tuple[tuple[str, ...], str], Costs] = {}
        for visit in self.visits:
            for cost in visit.costs:
                key = (key_of(visit, cost), cost.currency)
                groups.setdefault(key, Costs(cost.currency)).add(cost, visit.id)
        order = sorted(groups, key=lambda k: (k[0], k[1])) if by != "visit" else list(groups)
        return [Row(key, groups[key, currency]) for key, currency in order]

    def totals(self) -> list[Costs]:
        """Return the totals of every visit, one per currency."""
        found: dict[str, Costs] = {}
        for visit in self.visits:
            for cost in visit.costs:
                found.setdefault(cost.currency, Costs(cost.currency)).add(cost, visit.id)
        return [found[currency] for currency in sorted(found)]

    def flagged_totals(self) -> dict[str, Decimal]:
        """Return the expenses of the flagged entries per currency."""
        found: dict[str, Decimal] = {}
        for flagged in self.flagged:
            for cost in flagged.costs:
                found[cost.currency] = found.get(cost.currency, Decimal(0)) + cost.amount
        return found


COLUMNS: dict[Grouping, tuple[str, ...]] = {
    "visit": ("visit", "date", "customer", "class", "staff"),
    "customer": ("customer", "class"),
    "class": ("class",),
    "month": ("month",),
    "staff": ("staff",),
}
KEYS: dict[Grouping, Callable[[Visit, Cost], tuple[str, ...]]] = {
    "visit": lambda v, _c: (v.id, v.date.isoformat(), v.customer, v.customer_class, v.staff),
    "customer": lambda v, _c: (v.customer, v.customer_class),
    "class": lambda v, _c: (v.customer_class,),
    "month": lambda _v, c: (c.date.strftime("%Y-%m"),),
    "staff": lambda v, _c: (v.staff,),
}


def where_of(entry: Directive, relative: Callable[[str], str]) -> tuple[str, int | None]:
    """Return an entry's file (as `relative` shows it) and line."""
    meta = entry.meta or {}
    line = meta.get("lineno")
    return relative(str(meta.get("filename", "?"))), line if isinstance(line, int) else None


def _text(meta: data.Meta, key: str) -> str:
    value = meta.get(key)
    return value.strip() if isinstance(value, str) else NONE


def _costs(entry: data.Transaction, expenses: str, by_open: dict[str, str]) -> tuple[Cost, ...]:
    found = []
    for posting in entry.postings:
        if not (posting.account == expenses or posting.account.startswith(expenses + ":")):
            continue
        units = posting.units
        if units is None or units.number is None:
            continue
        own = (posting.meta or {}).get(COST_KEY)
        category = (
            own
            if isinstance(own, str) and own in CATEGORIES
            else by_open.get(posting.account) or category_by_name(posting.account)
        )
        found.append(Cost(entry.date, posting.account, category, units.number, units.currency))
    return tuple(found)


def visit_report(
    entries: Sequence[Directive],
    options: Options,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    relative: Callable[[str], str] = str,
) -> VisitReport:
    """Read the visits of a loaded ledger dated from `start` to `end` (both included)."""
    expenses = str(dict(options).get("name_expenses", "Expenses"))
    by_open = account_categories(entries)
    parties: dict[str, Party] = {
        party.key: party for party in read_book(entries, options, "receivables").parties.values()
    }
    visits: dict[str, Visit] = {}
    flagged: list[Flagged] = []
    problems: list[Problem] = []
    unknown: set[str] = set()
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        if (start is not None and entry.date < start) or (end is not None and entry.date > end):
            continue
        meta = entry.meta or {}
        tagged = VISIT_TAG in (entry.tags or ())
        filename, line = where_of(entry, relative)
        if not tagged:
            if "visit" in meta and "customer" in meta:
                problems.append(
                    Problem(
                        filename,
                        line,
                        "has `visit:` and `customer:` but no #visit tag, so it is not counted "
                        "as a visit; tag it #visit if it is one.",
                    )
                )
            continue
        costs = _costs(entry, expenses, by_open)
        customer, visit_id = _text(meta, "customer"), _text(meta, "visit")
        missing = [key for key, value in (("customer", customer), ("visit", visit_id)) if not value]
        if missing:
            keys = " and ".join(f"`{key}:`" for key in missing)
            message = (
                f"a #visit entry without {keys}: its expenses are counted apart, in no visit. "
                "Add `customer:` (the customer's account, last part) and `visit:` (the visit's "
                "id) metadata."
            )
            flagged.append(Flagged(Problem(filename, line, message), costs, tuple(missing)))
            continue
        party = parties.get(customer)
        if party is None and customer not in unknown:
            unknown.add(customer)
            problems.append(
                Problem(
                    filename,
                    line,
                    f"customer {customer!r} has no receivable account; its visits are shown "
                    "under that name, without class. Open the account with "
                    "`beanfirm customers add`, or correct `customer:`.",
                )
            )
        visit = visits.get(visit_id)
        if visit is None:
            visit = visits[visit_id] = Visit(
                visit_id,
                customer,
                party.name if party else customer,
                _text(party.meta, "class") if party else NONE,
                _text(meta, "staff"),
                entry.date,
            )
        elif visit.customer != customer:
            problems.append(
                Problem(
                    filename,
                    line,
                    f"visit {visit_id} is for customer {visit.customer!r} at {visit.where[0]} "
                    f"but {customer!r} here; its costs are counted under {visit.customer!r}. "
                    "Give each visit its own id.",
                )
            )
        visit.costs.extend(costs)
        visit.where.append(f"{filename}:{line}")
        if not visit.staff:
            visit.staff = _text(meta, "staff")
    ordered = sorted(visits.values(), key=lambda v: (v.date, v.id))
    return VisitReport(start, end, ordered, flagged, problems)
