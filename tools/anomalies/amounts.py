"""The tests of amounts: paid twice, far from the payee's history, round cash, a new payee.

Each finding carries the figures that make it unusual.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from beanfirm.anomalies.findings import (
    anomaly_of,
    is_uncategorized,
    median,
    money,
    where,
)
from beanfirm.anomalies.payments import Payment

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from beanfirm.anomalies.findings import Anomaly, JSONValue, Locator
    from beanfirm.anomalies.payments import Movements

WINDOW_DAYS = 3  # the same payment twice: at most this many days apart
MIN_HISTORY = 5  # a payee's amounts needed before one can be far from them
ROBUST_Z = Decimal("3.5")  # Iglewicz and Hoaglin's cut-off for the modified z-score
MAD_SCALE = Decimal("0.6745")  # makes the MAD comparable to a standard deviation
FLAT_SHARE = Decimal("0.5")  # when all amounts are equal: how far off (share of the median)
ROUND_CASH = Decimal(1000)  # cash in whole thousands
LARGE_SHARE = Decimal("0.95")  # a new payee's amount larger than this share of payments
MIN_PAYMENTS = 20  # payments needed before "large" means anything
WARM_UP_DAYS = 60  # every payee is new at the start of the books
HISTORY_SHOWN = 5


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
                    is_uncategorized(earlier.category) or is_uncategorized(later.category)
                ):
                    continue
                other = where(earlier, locate)
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
                yield anomaly_of("duplicate", later, locate, finding, evidence)
                break


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
            yield anomaly_of("unusual-amount", payment, locate, finding, evidence)


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
                yield anomaly_of("round-cash", payment, locate, finding, evidence)


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
        yield anomaly_of("new-payee", payment, locate, finding, evidence)
