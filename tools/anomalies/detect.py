"""The seven tests of a client's books for anomalies, run together over its payments.

All of them read the payments of the client's source accounts (`payments.movements`) once, in
a few linear passes (`amounts`, `habits`), and count days from the books' own dates, never from
the clock: the same books give the same findings on any day. The thresholds are documented in
docs/anomalies.md.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from beanfirm.anomalies.amounts import duplicates, new_payees, round_cash, unusual_amounts
from beanfirm.anomalies.findings import Anomaly, Locator
from beanfirm.anomalies.habits import category_changes, days_off, import_gaps
from beanfirm.anomalies.payments import Source, movements, sources_of

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from beancount.core import data


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
