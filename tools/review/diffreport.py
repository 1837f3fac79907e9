"""A diff in accounting terms as a reader sees it: entry lines, impact totals, JSON and HTML."""

from __future__ import annotations

import html
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from beanfirm.review.entrydiff import AccountImpact, EntryChange, differences, entry_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from beanfirm.core.beans import Directive
    from beanfirm.review.changes import ClientChanges, Diff

MARKS = {"added": "+", "removed": "-", "changed": "~"}
SHORT_ID = 10


def revision_label(commit: str | None, *, side: str) -> str:
    """Return how a side of a diff is named: a short commit id, the working or empty tree."""
    if commit is None:
        return "the working tree" if side == "new" else "the empty tree"
    return commit[:SHORT_ID]


def counts_line(changes: ClientChanges) -> str:
    """Return `N added, N removed, N changed`."""
    return f"{changes.added} added, {changes.removed} removed, {changes.changed} changed"


def change_lines(change: EntryChange) -> list[str]:
    """Return an entry change as lines: the entry's text marked +, - or ~, and what changed.

    A changed entry shows its old text (`-`), its new text (`+`) and, below, the fields that
    differ.
    """
    if change.kind == "changed":
        assert change.old is not None  # noqa: S101 - a changed entry has two sides
        assert change.new is not None  # noqa: S101
        lines = [f"~ {line}" for line in _marked(change.old, "-")]
        lines += [f"~ {line}" for line in _marked(change.new, "+")]
        lines += [f"~   changed: {what}" for what in differences(change)]
        return lines
    entry = change.new if change.new is not None else change.old
    assert entry is not None  # noqa: S101 - every change has a side
    return _marked(entry, MARKS[change.kind])


def _marked(entry: Directive, mark: str) -> list[str]:
    return [f"{mark} {line}" for line in entry_text(entry).split("\n")]


def file_lines(changes: Sequence[EntryChange]) -> list[str]:
    """Return changes as lines, a file's name above its first change, a blank line between."""
    lines: list[str] = []
    path = None
    for change in changes:
        if change.path != path:
            path = change.path
            lines += ["", f"{path}:"] if lines else [f"{path}:"]
        else:
            lines.append("")
        lines += change_lines(change)
    return lines


def impact_totals(impact: Sequence[AccountImpact]) -> list[AccountImpact]:
    """Return the impact summed per top-level account (Assets, Income...) and currency."""
    before: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    after: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in impact:
        key = (row.account.split(":", 1)[0], row.currency)
        before[key] += row.before
        after[key] += row.after
    return [
        AccountImpact(root, currency, before[(root, currency)], after[(root, currency)])
        for root, currency in sorted(before)
    ]


def impact_rows(impact: Sequence[AccountImpact]) -> list[tuple[str, str, str, str, str]]:
    """Return impact rows as text cells: account, currency, before, after, net (signed)."""
    return [(i.account, i.currency, str(i.before), str(i.after), f"{i.net:+}") for i in impact]


def aligned_rows(rows: Sequence[Sequence[str]], *, numeric_from: int) -> list[str]:
    """Return rows as text columns, numbers right-aligned (for git's diff driver)."""
    widths = [max(len(row[col]) for row in rows) for col in range(len(rows[0]))] if rows else []
    return [
        "  ".join(
            cell.rjust(widths[col]) if col >= numeric_from else cell.ljust(widths[col])
            for col, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]


def impact_json(impact: Sequence[AccountImpact]) -> list[dict[str, str]]:
    """Return impact rows as JSON objects, amounts as decimal strings."""
    return [
        {
            "account": i.account,
            "currency": i.currency,
            "before": str(i.before),
            "after": str(i.after),
            "net": str(i.net),
        }
        for i in impact
    ]


def change_json(change: EntryChange) -> dict[str, object]:
    """Return one change as a JSON object: kind, file, date, old and new text, what changed."""
    entry = change.new if change.new is not None else change.old
    assert entry is not None  # noqa: S101 - every change has a side
    return {
        "kind": change.kind,
        "path": change.path,
        "date": entry.date.isoformat(),
        "type": type(entry).__name__.lower(),
        "old": None if change.old is None else entry_text(change.old),
        "new": None if change.new is None else entry_text(change.new),
        "differences": differences(change),
    }


def diff_json(result: Diff) -> dict[str, object]:
    """Return a whole diff as JSON data."""
    return {
        "old": result.old,
        "new": result.new,
        "clients": [
            {
                "client": client.client,
                "added": client.added,
                "removed": client.removed,
                "changed": client.changed,
                "files": list(client.files),
                "changes": [change_json(change) for change in client.changes],
                "impact": impact_json(client.impact),
                "totals": impact_json(impact_totals(client.impact)),
                "uncounted": list(client.uncounted),
                "registry": list(client.registry),
            }
            for client in result.clients
        ],
        "also_changed": list(result.also_changed),
    }


def title(result: Diff) -> str:
    """Return the heading of a diff: from which revision to which."""
    old = revision_label(result.old, side="old")
    new = revision_label(result.new, side="new")
    return f"Changes from {old} to {new}"


def uncounted_note(client: ClientChanges) -> str | None:
    """Return the note on entries left out of the impact, or None when all were counted."""
    if not client.uncounted:
        return None
    shown = ", ".join(client.uncounted[:5]) + (" …" if len(client.uncounted) > 5 else "")  # noqa: PLR2004
    return (
        f"Not in the impact: {len(client.uncounted)} changed entries whose postings need the rest "
        f"of the ledger to be filled in ({shown}); `beanfirm check` books them in full."
    )


PAGE_STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
       margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
pre { margin: 0.3em 0; padding: 0.4em 0.6em; border-radius: 4px; overflow-x: auto; }
.added pre { background: #e6ffec; } .removed pre { background: #ffebe9; }
.changed pre.old { background: #ffebe9; } .changed pre.new { background: #e6ffec; }
.change { margin: 0.8em 0; } .path { color: #666; font-size: 0.85em; }
.kind { font-weight: bold; text-transform: uppercase; font-size: 0.8em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { padding: 0.2em 0.8em; border-bottom: 1px solid #ddd; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; }
.negative { color: #b00; } ul.what { margin: 0.2em 0; }
"""


def diff_html(result: Diff) -> str:
    """Return a whole diff as a standalone HTML page, every piece of data escaped."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title(result))}</title><style>{PAGE_STYLE}</style></head><body>",
        f"<h1>{esc(title(result))}</h1>",
    ]
    if not result.clients:
        parts.append("<p>No entries changed.</p>")
    for client in result.clients:
        parts.append(f"<h2>{esc(client.client)}: {esc(counts_line(client))}</h2>")
        if client.registry:
            items = "".join(f"<li>{esc(line)}</li>" for line in client.registry)
            parts.append(f'<p>In clients.yaml:</p><ul class="what">{items}</ul>')
        parts.extend(_change_html(change) for change in client.changes)
        parts.append(_impact_html(client))
        note = uncounted_note(client)
        if note:
            parts.append(f"<p>{esc(note)}</p>")
    if result.also_changed:
        parts.append("<h2>Also changed</h2><ul>")
        parts.extend(f"<li>{esc(path)}</li>" for path in result.also_changed)
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _change_html(change: EntryChange) -> str:
    esc = html.escape
    head = (
        f'<div class="change {change.kind}"><span class="kind">{change.kind}</span> '
        f'<span class="path">{esc(change.path)}</span>'
    )
    if change.kind == "changed":
        assert change.old is not None  # noqa: S101 - a changed entry has two sides
        assert change.new is not None  # noqa: S101
        items = "".join(f"<li>{esc(what)}</li>" for what in differences(change))
        return (
            f'{head}<pre class="old">{esc(entry_text(change.old))}</pre>'
            f'<pre class="new">{esc(entry_text(change.new))}</pre>'
            f'<ul class="what">{items}</ul></div>'
        )
    entry = change.new if change.new is not None else change.old
    assert entry is not None  # noqa: S101 - every change has a side
    return f"{head}<pre>{esc(entry_text(entry))}</pre></div>"


def _impact_html(client: ClientChanges) -> str:
    esc = html.escape
    if not client.impact:
        return "<p>No balance changed.</p>"
    rows = [
        "<table><caption>Balance impact (totals over the changed files)</caption>",
        "<tr><th>account</th><th>currency</th><th>before</th><th>after</th><th>net</th></tr>",
    ]
    for css, impact in (("", client.impact), ("total", impact_totals(client.impact))):
        for cells in impact_rows(impact):
            sign = " negative" if cells[4].startswith("-") else ""
            rows.append(
                f'<tr class="{css}"><td>{esc(cells[0])}</td><td>{esc(cells[1])}</td>'
                + "".join(f'<td class="num">{esc(c)}</td>' for c in cells[2:4])
                + f'<td class="num{sign}">{esc(cells[4])}</td></tr>'
            )
    rows.append("</table>")
    return "\n".join(rows)
