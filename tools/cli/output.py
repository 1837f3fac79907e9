"""Rendering rows as a rich table, JSON or CSV, the same way for every report."""

from __future__ import annotations

import codecs
import io
import json
import sys
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from beanfirm.core.csvcells import CsvWriter
from beanfirm.core.terminal import BEYOND_JSON_ESCAPES, plain, plain_lines
from beanfirm.errors import UsageError
from beanfirm.store.writes import write_atomic

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

FORMATS = ("table", "json", "csv")


def echo(text: str, *, err: bool = False) -> None:
    """Print a message that carries data (a file name, a narration): controls replaced."""
    click.echo(plain_lines(text), err=err)


def write_utf8() -> None:
    """Make stdout and stderr write UTF-8, whatever the locale says.

    Ledgers, names and reports are Unicode; a stream in latin-1 or a Windows code page crashed
    on the first Chinese name, and JSON is UTF-8 by definition (RFC 8259).
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and codecs.lookup(stream.encoding).name != "utf-8":
            stream.reconfigure(encoding="utf-8")


def cell(value: object) -> Text:
    """Return a table cell (or title) that shows the value as it is: no markup, no controls."""
    return Text(plain(value))


def format_option() -> Decorator:
    """Return the --format option shared by list-like commands (with --json as a shortcut)."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )


def json_option() -> Decorator:
    """Return the --json flag of every report."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


# Wider than any table: output that goes to a file or a pipe is never cut to a width.
UNCUT = 100_000


def console() -> Console:
    """Return a console on stdout that does not wrap tables into unreadable columns.

    On a terminal, tables fit its width (or `COLUMNS`). Piped or redirected, nothing is cut:
    a report read by a script or saved to a file keeps every cell whole, whatever `COLUMNS` says.
    """
    probe = Console()
    return Console(soft_wrap=False, width=None if probe.is_terminal else UNCUT)


def echo_json(data: Any) -> None:
    """Print data as indented JSON (dates and Decimals as strings), Chinese as itself.

    JSON escapes only the C0 controls; the other characters a terminal acts on (DEL, the C1
    controls such as CSI, line separators and bidirectional overrides) are escaped too, so
    that a narration cannot drive the terminal that shows the JSON. The data read back is
    the same.
    """
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    click.echo(BEYOND_JSON_ESCAPES.sub(lambda found: f"\\u{ord(found.group()):04x}", text))


def echo_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print rows as CSV with a header line."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    click.echo(buffer.getvalue(), nl=False)


def echo_table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    styles: Sequence[str | None] | None = None,
) -> None:
    """Print rows as a table."""
    table = Table(title=None if title is None else cell(title), header_style="bold")
    for column in columns:
        numeric = column.lower() in {
            "errors",
            "warnings",
            "transactions",
            "uncategorized",
            "txns",
            "anomalies",
        }
        table.add_column(cell(column), justify="right" if numeric else "left", no_wrap=True)
    for index, row in enumerate(rows):
        style = styles[index] if styles else None
        table.add_row(*(v if isinstance(v, Text) else cell(v) for v in row), style=style)
    console().print(table)


def cannot_write(path: object, exc: OSError) -> UsageError:
    """Return the error for an output file or folder that cannot be written (no traceback)."""
    why = exc.strerror or type(exc).__name__
    return UsageError(
        f"Cannot write {path}: {why}. Name a file in a folder you may write (-o FILE), or "
        "leave -o out for the default place. Nothing was written there."
    )


def write_file(path: Path, data: bytes) -> None:
    """Write an output file in one step, its folder made if missing; refuse in words."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError as exc:
        raise cannot_write(path, exc) from None
