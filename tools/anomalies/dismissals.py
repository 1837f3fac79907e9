"""Dismissed anomalies: the client's `anomalies.yaml`, read with its lines and appended to.

A dismissal names an anomaly's id, why it is not a problem, who looked and when. The file is in
the client's folder, under git: a dismissal is reviewed like any change, and its id (derived
from the kind and the entry, `findings.anomaly_id`) keeps it dismissed on every later run.
"""

from __future__ import annotations

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
KEYS = ("id", "kind", "entry", "reason", "by", "on")


@dataclass(frozen=True)
class Dismissal:
    """One dismissed anomaly."""

    id: str
    reason: str
    by: str
    on: datetime.date | None
    line: int


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
        if ident is None or reason is None:
            continue
        if ident in found:
            reader.problem(item, f"'{ident}' is dismissed twice; keep one of them.")
            continue
        day = on if isinstance(on, datetime.date) else None
        found[ident] = Dismissal(ident, reason, by or "", day, line_of(item))
    return found, reader.problems


def open_anomalies(found: list[Anomaly], dismissed: dict[str, Dismissal]) -> list[Anomaly]:
    """Keep the anomalies not dismissed."""
    return [anomaly for anomaly in found if anomaly.id not in dismissed]


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

    return text + (
        f"- id: {anomaly.id}\n"
        f"  kind: {anomaly.kind}\n"
        f"  entry: {quoted(anomaly.where)}\n"
        f"  reason: {quoted(reason)}\n"
        f"  by: {quoted(by)}\n"
        f"  on: {on}\n"
    )
