"""The seven tests of a client's books for anomalies, each finding with its evidence.

All of them read the payments of the client's source accounts (`payments.movements`) once,
in a few linear passes, and count days from the books' own dates, never from the clock: the
same books give the same findings on any day. The thresholds are documented in
docs/anomalies.md.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter, defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from beanfirm.anomalies.findings import Anomaly, anomaly_id, money
from beanfirm.anomalies.holidays import day_off
from beanfirm.anomalies.payments import Movements, Payment, Source, movements, sources_of
from beanfirm.errors import relative_to

if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from beancount.core import data

    from beanfirm.anomalies.findings import JSONValue

WINDOW_DAYS = 3  # the same payment twice: at most this many days apart
MIN_HISTORY = 5  # a payee's amounts needed before one can be far from them
ROBUST_Z = Decimal("3.5")  # Iglewicz and Hoaglin's cut-off for the modified z-score
MAD_SCALE = Decimal("0.6745")  # makes the MAD comparable to a standard deviation
FLAT_SHARE = Decimal("0.5")  # when all amounts are equal: how far off (share of the median)
ROUND_CASH = Decimal(1000)  # cash in whole thousands
LARGE_SHARE = Decimal("0.95")  # a new payee's amount larger than this share of payments
MIN_PAYMENTS = 20  # payments needed before "large" means anything
WARM_UP_DAYS = 60  # every payee is new at the start of the books
CATEGORY_HISTORY = 4  # a payee's entries needed before its category is settled
CATEGORY_SHARE = Decimal("0.8")  # ... and the share of them in one category
GAP_MIN_DAYS = 14  # the shortest gap in an account's entries that is reported
GAP_FACTOR = 3  # ... and how many times its usual longest gaps (the 90th percentile)
MIN_GAPS = 10
DAY_OFF_KINDS = ("bank", "cash")  # cards and payment apps are used on any day
GAP_KINDS = ("bank", "credit-card", "payment")
HISTORY_SHOWN = 5
UNCATEGORIZED = "Uncategorized"


class Locator:
    """Turns an entry into its practice-relative file and line, each file resolved once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.names: dict[str, str] = {}

    def __call__(self, entry: data.Directive) -> tuple[str, int | None]:
        """Return the file and line of an entry."""
        filename = str(entry.meta.get("filename", "<unknown>"))
        if filename not in self.names:
            shown = filename if filename.startswith("<") else relative_to(filename, self.root)
            self.names[filename] = shown
        line = entry.meta.get("lineno")
        return self.names[filename], line if isinstance(line, int) else None


def find_anomalies(
    entries: Sequence[data.Directive], root: Path, registered: Sequence[Source]
) -> list[Anomaly]:
    """Return every finding in a client's books, in date order, each with a unique id."""
    sources = sources_of(entries, registered)
    moved = movements(entries, sources)
    kinds = {source.account: source.kind for source in sources}
    locate = Locator(root)
    found = [
        *duplicates(moved.payments, locate),
        *unusual_amounts(moved.payments, locate),
        *round_cash(moved, locate),
        *days_off(moved.payments, kinds, locate),
        *new_payees(moved.payments, locate),
        *category_changes(moved.payments, locate),
        *import_gaps(moved, kinds, locate),
    ]
    found.sort(key=lambda a: (a.date, a.filename, a.line or 0, a.kind))
    return _unique(found)


def _unique(found: list[Anomaly]) -> list[Anomaly]:
    """Give the second and later findings that share an id (identical entries) a number."""
    seen: Counter[str] = Counter()
    result = []
    for anomaly in found:
        seen[anomaly.id] += 1
        count = seen[anomaly.id]
        result.append(anomaly if count == 1 else _renamed(anomaly, f"{anomaly.id}-{count}"))
    return result


def _renamed(anomaly: Anomaly, new_id: str) -> Anomaly:
    return Anomaly(
        new_id,
        anomaly.kind,
        anomaly.date,
        anomaly.filename,
        anomaly.line,
        anomaly.account,
        anomaly.amount,
        anomaly.currency,
        anomaly.payee,
        anomaly.finding,
        anomaly.evidence,
    )


def entry_parts(entry: data.Transaction, account: str) -> tuple[object, ...]:
    """Return what identifies an entry for an anomaly id (see `findings`)."""
    amounts = [str(p.units) for p in entry.postings if p.account == account]
    return (
        entry.date,
        account,
        ",".join(amounts),
        entry.payee or "",
        entry.narration or "",
        entry.meta.get("import-id", ""),
    )


def _anomaly(
    kind: str,
    payment: Payment,
    locate: Locator,
    finding: str,
    evidence: dict[str, JSONValue],
) -> Anomaly:
    filename, line = locate(payment.entry)
    return Anomaly(
        anomaly_id(kind, entry_parts(payment.entry, payment.account)),
        kind,
        payment.date,
        filename,
        line,
        payment.account,
        payment.number,
        payment.currency,
        payment.payee,
        finding,
        evidence,
    )


def _is_uncategorized(account: str | None) -> bool:
    return account is None or account.rsplit(":", 1)[-1] == UNCATEGORIZED


def _where(payment: Payment, locate: Locator) -> str:
    filename, line = locate(payment.entry)
    return f"{filename}:{line}"


def duplicates(payments: Sequence[Payment], locate: Locator) -> Iterator[Anomaly]:
    """Find the same payment out of two different accounts within `WINDOW_DAYS`, no transfer.

    Both must be booked to the same category, or either left uncategorized: two unrelated
    purchases of one price on two cards are not the same payment.
    """
    groups: dict[tuple[str, Decimal], list[Payment]] = defaultdict(list)
    for payment in payments:
        if payment.number < 0:
            groups[payment.currency, payment.number].append(payment)
    for group in groups.values():
        if len(group) < 2:  # noqa: PLR2004 - a pair
            continue
        for index, later in enumerate(group):  # in date order, as the payments are
            for earlier in reversed(group[:index]):
                if (later.date - earlier.date).days > WINDOW_DAYS:
                    break
                if earlier.account == later.account:
                    continue
                if earlier.category != later.category and not (
                    _is_uncategorized(earlier.category) or _is_uncategorized(later.category)
                ):
                    continue
                other = _where(earlier, locate)
                finding = (
                    f"{money(-later.number, later.currency)} paid from {later.account} on "
                    f"{later.date}, and the same amount from {earlier.account} on "
                    f"{earlier.date} ({other}, {earlier.payee}): the same payment twice?"
                )
                evidence: dict[str, JSONValue] = {
                    "other": other,
                    "other_date": earlier.date.isoformat(),
                    "other_account": earlier.account,
                    "other_payee": earlier.payee,
                }
                yield _anomaly("duplicate", later, locate, finding, evidence)
                break


def median(values: Sequence[Decimal]) -> Decimal:
    """Return the median of sorted values."""
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


def unusual_amounts(payments: Sequence[Payment], locate: Locator) -> Iterator[Anomaly]:
    """Find amounts far from the payee's others: a modified z-score over `ROBUST_Z`.

    The z-score is 0.6745 * (amount - median) / MAD, the median absolute deviation (Iglewicz
    and Hoaglin): one wild amount moves neither the median nor the MAD, as it would a mean
    and a standard deviation. When the payee's amounts are all equal (a rent), an amount
    more than half the median away from it is unusual.
    """
    groups: dict[tuple[str, bool, str], list[Payment]] = defaultdict(list)
    for payment in payments:
        if payment.key:
            groups[payment.key, payment.number < 0, payment.currency].append(payment)
    for group in groups.values():
        if len(group) <= MIN_HISTORY:
            continue
        values = sorted(abs(p.number) for p in group)
        middle = median(values)
        mad = median(sorted(abs(v - middle) for v in values))
        # Outside these bounds, and only there, the score passes the cut-off.
        reach = ROBUST_Z * mad / MAD_SCALE if mad else FLAT_SHARE * middle
        low, high = middle - reach, middle + reach
        for index, payment in enumerate(group):  # in date order, as the payments are
            amount = abs(payment.number)
            if low <= amount <= high:
                continue
            if mad:
                score = MAD_SCALE * (amount - middle) / mad
                if abs(score) <= ROBUST_Z:
                    continue
                measure = f"robust z-score {score:.1f}"
            elif abs(amount - middle) > FLAT_SHARE * middle:
                score = None
                measure = "every other amount equal"
            else:
                continue
            earlier = group[max(0, index - HISTORY_SHOWN) : index]
            shown = ", ".join(f"{p.date} {money(abs(p.number))}" for p in earlier) or "none"
            finding = (
                f"{money(amount, payment.currency)} to {payment.payee} is far from its usual "
                f"amount: median {money(middle)}, MAD {money(mad)} over {len(values)} entries, "
                f"{measure}; range {money(values[0])} to {money(values[-1])}; "
                f"before it: {shown}."
            )
            evidence: dict[str, JSONValue] = {
                "entries": len(values),
                "median": str(middle),
                "mad": str(mad),
                "robust_z": None if score is None else f"{score:.2f}",
                "lowest": str(values[0]),
                "highest": str(values[-1]),
                "history": [
                    {"date": p.date.isoformat(), "amount": str(abs(p.number))} for p in earlier
                ],
            }
            yield _anomaly("unusual-amount", payment, locate, finding, evidence)


def round_cash(moved: Movements, locate: Locator) -> Iterator[Anomaly]:
    """Find cash paid in or out in whole thousands (`ROUND_CASH`), bank transfers included."""
    for account in sorted(moved.cash):
        for entry in moved.activity.get(account, ()):
            for posting in entry.postings:
                units = posting.units
                if posting.account != account or units is None or units.number is None:
                    continue
                amount = abs(units.number)
                if amount < ROUND_CASH or amount % ROUND_CASH:
                    continue
                payment = Payment(
                    entry,
                    entry.date,
                    account,
                    units.number,
                    units.currency,
                    entry.payee or entry.narration or "",
                    "",
                    None,
                )
                way = "paid out of" if units.number < 0 else "put into"
                finding = (
                    f"{money(amount, units.currency)} in cash {way} {account}: a round amount "
                    f"(a multiple of {money(ROUND_CASH)}); check the receipt behind it."
                )
                evidence: dict[str, JSONValue] = {"multiple_of": str(ROUND_CASH)}
                yield _anomaly("round-cash", payment, locate, finding, evidence)


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
        yield _anomaly("day-off", payment, locate, finding, evidence)


def quantile(values: Sequence[Decimal], share: Decimal) -> Decimal:
    """Return the nearest-rank quantile of sorted values."""
    rank = max(1, math.ceil(share * len(values)))
    return values[rank - 1]


def new_payees(payments: Sequence[Payment], locate: Locator) -> Iterator[Anomaly]:
    """Find a payee's first payment when it is larger than `LARGE_SHARE` of all payments out.

    The first `WARM_UP_DAYS` of the books are left out: there, every payee is new.
    """
    outgoing = [p for p in payments if p.number < 0 and p.key]
    if not outgoing:
        return
    start = min(p.date for p in outgoing)
    by_currency: dict[str, list[Decimal]] = defaultdict(list)
    for payment in outgoing:
        by_currency[payment.currency].append(-payment.number)
    for values in by_currency.values():
        values.sort()
    first: dict[str, Payment] = {}
    for payment in outgoing:  # in date order, as the payments are
        first.setdefault(payment.key, payment)
    for payment in first.values():
        values = by_currency[payment.currency]
        amount = -payment.number
        if len(values) < MIN_PAYMENTS or (payment.date - start).days < WARM_UP_DAYS:
            continue
        smaller = bisect.bisect_left(values, amount)
        if smaller < LARGE_SHARE * len(values):
            continue
        finding = (
            f"{money(amount, payment.currency)} paid to {payment.payee}, a payee never paid "
            f"before: larger than {smaller} of the client's {len(values)} payments "
            f"({Decimal(smaller) / len(values):.0%}); the median payment is "
            f"{money(median(values))}."
        )
        evidence: dict[str, JSONValue] = {
            "payments": len(values),
            "smaller": smaller,
            "median": str(median(values)),
        }
        yield _anomaly("new-payee", payment, locate, finding, evidence)


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
                and not _is_uncategorized(payment.category)
            ):
                usual, times = counts.most_common(1)[0]
                if not _is_uncategorized(usual) and times >= CATEGORY_SHARE * total:
                    before = last[usual]
                    finding = (
                        f"{payment.payee} booked to {payment.category}; {times} of its "
                        f"{total} earlier entries went to {usual}, the last on {before.date} "
                        f"({_where(before, locate)})."
                    )
                    evidence: dict[str, JSONValue] = {
                        "category": payment.category,
                        "usual": usual,
                        "usual_entries": times,
                        "earlier_entries": total,
                        "last_usual": _where(before, locate),
                    }
                    yield _anomaly("category-change", payment, locate, finding, evidence)
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
