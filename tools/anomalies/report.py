"""A client's anomalies: every finding in its books less those dismissed, as of `--since`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from beanfirm.anomalies.detect import find_anomalies
from beanfirm.anomalies.dismissals import Dismissal, open_anomalies, read_dismissals
from beanfirm.anomalies.payments import Source
from beanfirm.core import paths
from beanfirm.errors import relative_to

if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from beancount.core import data

    from beanfirm.anomalies.findings import Anomaly
    from beanfirm.errors import Problem


@dataclass(frozen=True)
class AnomalyReport:
    """The anomalies of one client still to look at, and what its dismissals file holds."""

    found: list[Anomaly]  # not dismissed, in date order
    dismissed: dict[str, Dismissal]
    problems: list[Problem]  # in the dismissals file


def anomaly_report(
    entries: Sequence[data.Directive],
    main: Path,
    root: Path,
    registered: Iterable[tuple[str, str]],
    *,
    since: datetime.date | None = None,
) -> AnomalyReport:
    """Find a client's anomalies; `main` is its main.beancount, `registered` (account, kind)."""
    sources = [Source(account, kind) for account, kind in registered]
    found = find_anomalies(entries, root, sources)
    where = main.parent / paths.ANOMALIES
    dismissed, problems = read_dismissals(where, relative_to(where, root))
    shown = open_anomalies(found, dismissed)
    if since is not None:
        shown = [anomaly for anomaly in shown if anomaly.date >= since]
    return AnomalyReport(shown, dismissed, problems)
