"""Dismissing an anomaly: one more entry in the client's `anomalies.yaml`, in one commit."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Never

from beanfirm.anomalies.dismissals import dismissal_text, parse_dismissals
from beanfirm.anomalies.report import anomaly_report
from beanfirm.core import paths
from beanfirm.errors import UsageError
from beanfirm.jobs.clientcheck import write_client
from beanfirm.store.ledger import load_ledger
from beanfirm.store.writes import Planned

if TYPE_CHECKING:
    import datetime

    from beanfirm.anomalies.findings import Anomaly
    from beanfirm.store.gitrepo import Author, PracticeRepo
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client
    from beanfirm.store.writes import Written


def _refuse(client: Client, anomaly_id: str, why: str) -> Never:
    msg = f"Cannot dismiss {anomaly_id} of client '{client.id}': {why} Nothing was written."
    raise UsageError(msg)


def dismiss_anomaly(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    anomaly_id: str,
    reason: str,
    *,
    by: str,
    on: datetime.date,
    author: Author,
    dry_run: bool = False,
) -> Written[Anomaly]:
    """Record that an anomaly was looked at and is not a problem, with the reason."""
    reason = reason.strip()
    if not reason or any(unicodedata.category(c) == "Cc" for c in reason):
        _refuse(
            client,
            anomaly_id,
            "the reason must say in one line why it is not a problem (a reviewer reads it).",
        )
    target = paths.anomalies_file(client.id)

    def prepare() -> Planned[Anomaly]:
        main = practice.main_file(client.id)
        ledger = load_ledger(main)
        registered = [(account.account, account.kind) for account in client.accounts]
        report = anomaly_report(ledger.entries, main, practice.root, registered)
        if report.problems:
            first = report.problems[0]
            _refuse(client, anomaly_id, f"{first}. Fix {target} first.")
        listed = any(found.id == anomaly_id for found in report.found)  # or grown since
        if anomaly_id in report.dismissed and not listed:
            earlier = report.dismissed[anomaly_id]
            _refuse(
                client,
                anomaly_id,
                f"it was dismissed already ({target}:{earlier.line}, by {earlier.by or '?'}: "
                f"{earlier.reason}).",
            )
        anomaly = next((found for found in report.found if found.id == anomaly_id), None)
        if anomaly is None:
            _refuse(
                client,
                anomaly_id,
                "its books have no such anomaly. `beanfirm anomalies "
                f"{client.id}` lists the ids of those found.",
            )
        file = practice.root / target
        current = file.read_text(encoding="utf-8") if file.is_file() else None
        text = dismissal_text(current, anomaly, reason, by, on.isoformat())
        dismissed, problems = parse_dismissals(text, target)
        if problems or anomaly_id not in dismissed:
            _refuse(
                client,
                anomaly_id,
                f"{target} is not laid out as beanfirm writes it (a `dismissed:` list at its "
                "end), so the dismissal cannot be added to it. Put it right by hand.",
            )
        message = (
            f"Dismiss anomaly {anomaly_id} of {client.id}\n\n"
            f"{anomaly.kind} at {anomaly.where}: {reason}"
        )
        return Planned({target: text.encode()}, message, anomaly)

    return write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)
