"""What a close files for its month: the statements (PDF, XLSX, JSON) and the close report.

The files go under `paths.closing_folder(client, YYYY-MM)`, inside the ledger's `documents`
folder, named in the client's language (`财务报表-2026-10.pdf` or `financials-2026-10.pdf`).
Their names do not start with a date, so Beancount's `documents` plugin, which makes a
`document` entry of each `YYYY-MM-DD.*` file under an account's folder, leaves them alone.
The close report (`close-report.md`) records who closed the month and when, the checklist,
the entries the close booked, the lock's digest, the statements' totals and each filed file's
SHA-256.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from beanfirm.core import paths
from beanfirm.core.journal import Txn, txn_text
from beanfirm.monthend.checklist import Checklist
from beanfirm.monthend.pdf import render_pdf
from beanfirm.monthend.statements import Statements
from beanfirm.monthend.xlsx import render_xlsx

REPORT = "close-report.md"
STEMS = {"zh": "财务报表", "en": "financials"}


@dataclass(frozen=True)
class Closed:
    """What the close report tells: who closed which month, when, and what was booked."""

    checklist: Checklist
    closed_by: str  # the staff member's name and id
    closed_at: datetime.datetime
    accruals: Sequence[Txn]
    closing: Sequence[Txn]
    through: datetime.date  # the lock's day
    digest: str  # the lock's seal
    revaluation: Sequence[Txn] = ()  # the period-end revaluation (期末调汇), when there is one


def statement_files(
    statements: Statements, language: str, *, prepared_by: str | None, firm: str | None
) -> dict[str, bytes]:
    """Return the statements' files (PDF, XLSX, JSON) by practice-relative path.

    `prepared_by` is printed as 制表人, `firm` on the letterhead. Raises ConfigError when the
    PDF of a Chinese client would need a font this machine lacks.
    """
    folder = paths.closing_folder(statements.client_id, statements.period.label)
    stem = f"{folder}/{STEMS.get(language, STEMS['en'])}-{statements.period.label}"
    text = json.dumps(statements.as_json(language), ensure_ascii=False, indent=2) + "\n"
    return {
        f"{stem}.pdf": render_pdf(statements, language, prepared_by=prepared_by, firm=firm),
        f"{stem}.xlsx": render_xlsx(statements, language, prepared_by=prepared_by, firm=firm),
        f"{stem}.json": text.encode("utf-8"),
    }


def close_report(
    closed: Closed, statements: Statements, language: str, files: dict[str, bytes]
) -> tuple[str, bytes]:
    """Return the close report's practice-relative path and its text (Markdown)."""
    period = closed.checklist.period
    folder = paths.closing_folder(closed.checklist.client_id, period.label)
    lines = [
        f"# Close of {closed.checklist.client_id} for {period.label}",
        "",
        f"- client: {statements.client_name} ({statements.client_id})",
        f"- period: {period.start} to {period.end}",
        f"- closed by: {closed.closed_by}",
        f"- closed at: {closed.closed_at.isoformat(timespec='seconds')}",
        f"- lock: through {closed.through}, seal `{closed.digest}`",
        "",
        "## Checklist",
        "",
        *(
            f"- [{'x' if item.passed else ' '}] {item.name}: {item.found}"
            for item in closed.checklist.items
        ),
        "",
        *_entries("Accruals (计提)", closed.accruals, "no accruals this month"),
        *(
            _entries("Revaluation (期末调汇, #revaluation)", closed.revaluation, "")
            if closed.revaluation
            else []
        ),
        *_entries("Closing entries (#closing)", closed.closing, "nothing to move this month"),
        "## Statements",
        "",
        f"In {statements.currency}, from {statements.mapping_file}.",
        "",
    ]
    for statement in statements.all:
        first, second = statement.columns(language)
        lines += [f"### {statement.title(language)}", "", f"| line | | {first} | {second} |"]
        lines.append("|---|---|---:|---:|")
        for figure in statement.figures:
            if figure.line.is_total and figure.current is not None:
                name = figure.line.name_in(language)
                lines.append(
                    f"| {figure.line.number} | {name} | {figure.current:,.2f} | "
                    f"{(figure.earlier or 0):,.2f} |"
                )
        lines.append("")
    lines += ["## Files filed", "", "| file | sha256 |", "|---|---|"]
    for rel, content in sorted(files.items()):
        digest = hashlib.sha256(content).hexdigest()
        lines.append(f"| {rel.removeprefix(folder + '/')} | `{digest}` |")
    return f"{folder}/{REPORT}", ("\n".join(lines) + "\n").encode("utf-8")


def _entries(title: str, txns: Sequence[Txn], none: str) -> list[str]:
    if not txns:
        return [f"## {title}", "", none + ".", ""]
    texts = [txn_text(txn).rstrip("\n") for txn in txns]
    return [f"## {title}", "", "~~~beancount", "\n\n".join(texts), "~~~", ""]
