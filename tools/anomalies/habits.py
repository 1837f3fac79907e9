"""The tests of habits: payments on days off, a payee's new category, gaps in an account."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from beanfirm.anomalies.findings import (
    Anomaly,
    anomaly_id,
    anomaly_of,
    is_uncategorized,
    money,
    quantile,
    where,
)
from beanfirm.anomalies.holidays import day_off

if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterator, Sequence

    from beancount.core import data

    from beanfirm.anomalies.findings import JSONValue, Locator
    from beanfirm.anomalies.payments import Movements, Payment

CATEGORY_HISTORY = 4  # a payee's entries needed before its category is settled
CATEGORY_SHARE = Decimal("0.8")  # ... and the share of them in one category
GAP_MIN_DAYS = 14  # the shortest gap in an account's entries that is reported
GAP_FACTOR = 3  # ... and how many times its usual longest gaps (the 90th percentile)
MIN_GAPS = 10  # an account's gaps needed before its usual gap means anything
DAY_OFF_KINDS = ("bank", "cash")  # cards and payment apps are used on any day
GAP_KINDS = ("bank", "credit-card", "payment")


def days_off(
    payments: Sequence[Payment], kinds: dict[str, str], locate: Locator
) -> Iterator[Anomaly]:
    """Find payments out of a bank or cash account on a day off in China.

    Days off are weekends that are not adjusted working days (调休) and public holidays, as
    `chinesecalendar` has them; for a year it does not cover, only the weekend is known.
    """
    for payment in payments:
        if payment.number >= 0 or kinds.get(payment.account) not in DAY_OFF_KINDS:
            continue
        off = day_off(payment.date)
        if off is None:
            continue
        note = (
            ""
            if off.calendar
            else f" (the holiday calendar has no data for {payment.date.year}: only weekends "
            "are checked that year)"
        )
        finding = (
            f"{money(-payment.number, payment.currency)} paid to {payment.payee} from "
            f"{payment.account} on {payment.date}, a day off: {off.reason}{note}."
        )
        evidence: dict[str, JSONValue] = {
            "day_off": off.reason,
            "holiday_calendar": "chinesecalendar" if off.calendar else None,
        }
        yield anomaly_of("day-off", payment, locate, finding, evidence)


def category_changes(payments: Sequence[Payment], locate: Locator) -> Iterator[Anomaly]:
    """Find a payee booked to a category it never had, after `CATEGORY_HISTORY` in one."""
    groups: dict[str, list[Payment]] = defaultdict(list)
    for payment in payments:
        if payment.key:
            groups[payment.key].append(payment)
    for group in groups.values():
        if len(group) <= CATEGORY_HISTORY:
            continue
        counts: Counter[str | None] = Counter()
        last: dict[str | None, Payment] = {}
        for payment in group:
            total = sum(counts.values())
            if (
                total >= CATEGORY_HISTORY
                and payment.category not in counts
                and not is_uncategorized(payment.category)
            ):
                usual, times = counts.most_common(1)[0]
                if not is_uncategorized(usual) and times >= CATEGORY_SHARE * total:
                    before = last[usual]
                    finding = (
                        f"{payment.payee} booked to {payment.category}; {times} of its "
                        f"{total} earlier entries went to {usual}, the last on {before.date} "
                        f"({where(before, locate)})."
                    )
                    evidence: dict[str, JSONValue] = {
                        "category": payment.category,
                        "usual": usual,
                        "usual_entries": times,
                        "earlier_entries": total,
                        "last_usual": where(before, locate),
                    }
                    yield anomaly_of("category-change", payment, locate, finding, evidence)
            counts[payment.category] += 1
            last[payment.category] = payment


def import_gaps(moved: Movements, kinds: dict[str, str], locate: Locator) -> Iterator[Anomaly]:
    """Find stretches without entries in a bank, card or payment account, longer than usual.

    Usual is the account's own 90th percentile of days between entries: a gap over
    `GAP_FACTOR` times it, and at least `GAP_MIN_DAYS`, is reported at the entry before it.
    The books' last day is the last entry of any source account: a gap at the end is one.
    """
    days_of = {
        account: sorted({entry.date for entry in entries})
        for account, entries in moved.activity.items()
        if entries and kinds.get(account) in GAP_KINDS
    }
    if not days_of:
        return
    end = max(days[-1] for days in days_of.values())
    for account in sorted(days_of):
        days = days_of[account]
        gaps = [(later - earlier).days for earlier, later in itertools.pairwise(days)]
        if len(gaps) < MIN_GAPS:
            continue
        usual = quantile(sorted(Decimal(gap) for gap in gaps), Decimal("0.9"))
        limit = max(Decimal(GAP_MIN_DAYS), GAP_FACTOR * usual)
        stretches = [*itertools.pairwise(days), (days[-1], end)]
        last_on = {entry.date: entry for entry in moved.activity[account]}
        for index, (earlier, later) in enumerate(stretches):
            gap = (later - earlier).days
            if gap <= limit:
                continue
            trailing = index == len(stretches) - 1
            yield _gap(
                account, (earlier, later), usual, last_on[earlier], locate, trailing=trailing
            )


def _gap(
    account: str,
    stretch: tuple[datetime.date, datetime.date],
    usual: Decimal,
    entry: data.Transaction,
    locate: Locator,
    *,
    trailing: bool,
) -> Anomaly:
    filename, line = locate(entry)
    earlier, later = stretch
    gap = (later - earlier).days
    until = f"none up to {later}, the books' last import" if trailing else f"the next on {later}"
    finding = (
        f"No entries in {account} for {gap} days after {earlier} ({until}); its entries "
        f"are usually at most {usual} days apart (90th percentile). Exports missing?"
    )
    evidence: dict[str, JSONValue] = {
        "from": earlier.isoformat(),
        "to": later.isoformat(),
        "days": gap,
        "usual_days": str(usual),
    }
    return Anomaly(
        anomaly_id("import-gap", (account, earlier)),
        "import-gap",
        earlier,
        filename,
        line,
        account,
        None,
        None,
        entry.payee or entry.narration or "",
        finding,
        evidence,
    )
