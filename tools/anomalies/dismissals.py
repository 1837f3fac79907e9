"""Dismissed anomalies: the client's `anomalies.yaml`, read with its lines and appended to.

A dismissal names an anomaly's id, why it is not a problem, who looked and when. The file is in
the client's folder, under git: a dismissal is reviewed like any change, and its id (derived
from the kind and the entry, `findings.anomaly_id`) keeps it dismissed on every later run.

An import gap is dismissed as long as the reviewer saw it: its dismissal records the gap's last
day (`to`), and the gap, once longer (the exports never came), is listed again, saying that it
was dismissed when shorter; it may then be dismissed again, a later item of the same id. A
dismissal written before `to` was recorded covers the gap up to the day it was made (`on`).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from beanfirm.core.yamlnodes import NodeReader, line_of

if TYPE_CHECKING:
    from pathlib import Path

    from beanfirm.anomalies.findings import Anomaly
    from beanfirm.errors import Problem

HEADER = (
    "# Anomalies looked at and dismissed (`beanfirm anomalies dismiss`, docs/anomalies.md).\n"
    "# Each id stays dismissed: it is derived from the kind of anomaly and the entry.\n"
    "dismissed:\n"
)
KEYS = ("id", "kind", "entry", "reason", "by", "on", "to")
GROWS = "import-gap"  # the kind of finding that grows, its id unchanged (account, first day)


@dataclass(frozen=True)
class Dismissal:
    """One dismissed anomaly."""

    id: str
    reason: str
    by: str
    on: datetime.date | None
    line: int
    to: datetime.date | None = None  # an import gap's last day when it was dismissed

    @property
    def covers(self) -> datetime.date | None:
        """Return the last day of a gap this dismissal saw: its `to`, else the day it was made."""
        return self.to or self.on


def read_dismissals(path: Path, shown: str) -> tuple[dict[str, Dismissal], list[Problem]]:
    """Read a client's dismissals; a missing file has none. `shown` names the file in problems."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as exc:
        reader = NodeReader(shown)
        reader.problem(None, f"cannot be read ({exc}); restore it from git.")
        return {}, reader.problems
    return parse_dismissals(text, shown)


def parse_dismissals(text: str, shown: str) -> tuple[dict[str, Dismissal], list[Problem]]:
    """Parse the text of a dismissals file into dismissals by id, and its problems."""
    reader = NodeReader(shown)
    root = reader.compose(text)
    found: dict[str, Dismissal] = {}
    if root is None:
        return found, reader.problems
    keys = reader.mapping(root, "the dismissals file", allowed=("dismissed",))
    node = keys.get("dismissed")
    for item in reader.sequence(node, "dismissed") if node is not None else []:
        fields = reader.mapping(item, "a dismissal", allowed=KEYS, required=("id", "reason"))
        ident = reader.string(fields["id"], "its id") if "id" in fields else None
        reason = reader.string(fields["reason"], "its reason") if "reason" in fields else None
        by = reader.string(fields["by"], "who dismissed it") if "by" in fields else None
        on = reader.scalar(fields["on"], "the day it was dismissed") if "on" in fields else None
        to = reader.scalar(fields["to"], "the gap's last day") if "to" in fields else None
        if ident is None or reason is None:
            continue
        day = on if isinstance(on, datetime.date) else None
        seen = to if isinstance(to, datetime.date) else None
        if "to" in fields and seen is None:
            reader.problem(fields["to"], f"the gap's last day is '{to}'; write it as YYYY-MM-DD.")
            continue
        earlier = found.get(ident)
        if earlier is not None and not _longer(seen, earlier):
            reader.problem(item, f"'{ident}' is dismissed twice; keep one of them.")
            continue
        found[ident] = Dismissal(ident, reason, by or "", day, line_of(item), seen)
    return found, reader.problems


def _longer(to: datetime.date | None, earlier: Dismissal) -> bool:
    """Tell whether a gap's dismissal saw it longer than an earlier dismissal of the same id."""
    return to is not None and earlier.covers is not None and to > earlier.covers


def gap_end(anomaly: Anomaly) -> datetime.date | None:
    """Return the last day of an import gap (None for a finding of another kind)."""
    end = anomaly.evidence.get("to") if anomaly.kind == GROWS else None
    return datetime.date.fromisoformat(end) if isinstance(end, str) else None


def outgrown(anomaly: Anomaly, dismissal: Dismissal) -> bool:
    """Tell whether a finding has grown past what its dismissal saw (an import gap, longer)."""
    end = gap_end(anomaly)
    return end is not None and dismissal.covers is not None and end > dismissal.covers


def open_anomalies(found: list[Anomaly], dismissed: dict[str, Dismissal]) -> list[Anomaly]:
    """Keep the anomalies not dismissed, and the gaps grown past their dismissal, saying so."""
    shown: list[Anomaly] = []
    for anomaly in found:
        dismissal = dismissed.get(anomaly.id)
        if dismissal is None:
            shown.append(anomaly)
        elif outgrown(anomaly, dismissal):
            shown.append(_dismissed_shorter(anomaly, dismissal))
    return shown


def _dismissed_shorter(anomaly: Anomaly, dismissal: Dismissal) -> Anomaly:
    """Return a grown gap's finding, with when and why it was dismissed while shorter."""
    seen = dismissal.covers
    assert seen is not None  # noqa: S101 - only a dismissal that saw a day is outgrown
    days = (seen - anomaly.date).days
    length = f"{days} days" if dismissal.to else f"at most {days} days, on {seen}"
    said = (
        f" It was dismissed when it was {length} (by {dismissal.by or '?'}"
        f"{f' on {dismissal.on}' if dismissal.on else ''}: {dismissal.reason}); it has "
        "grown since."
    )
    evidence = {**anomaly.evidence, "dismissed_to": seen.isoformat()}
    return dataclasses.replace(anomaly, finding=anomaly.finding + said, evidence=evidence)


def dismissal_text(current: str | None, anomaly: Anomaly, reason: str, by: str, on: str) -> str:
    """Return the dismissals file with one more dismissal at its end.

    Values are written as JSON strings, which YAML reads as they are (a reason may hold any
    character but a line break).
    """
    text = current if current is not None and current.strip() else HEADER
    if not text.endswith("\n"):
        text += "\n"

    def quoted(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)

    end = gap_end(anomaly)
    return text + (
        f"- id: {anomaly.id}\n"
        f"  kind: {anomaly.kind}\n"
        f"  entry: {quoted(anomaly.where)}\n"
        f"  reason: {quoted(reason)}\n"
        f"  by: {quoted(by)}\n"
        f"  on: {on}\n" + (f"  to: {end.isoformat()}\n" if end is not None else "")
    )
