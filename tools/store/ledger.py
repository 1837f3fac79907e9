"""The one module that loads Beancount ledgers, and turns their errors into problems.

Ledgers are loaded without Beancount's pickle cache (`loader._load`, as Fava does): that cache
is keyed on mtime rather than content and is a pickle that anyone who can write a client folder
could plant. beanfirm caches results by content elsewhere (`checkcache`).

Severity: Beancount has only errors. beanfirm plugins report warnings as errors whose class
name ends in `Warning`; everything else is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from beancount import loader
from beancount.core import data
from beancount.ops import validation
from beancount.parser import booking

from beanfirm.core import paths
from beanfirm.core.beans import BeanError, Entries, Options
from beanfirm.errors import Problem, relative_to

if TYPE_CHECKING:
    from beanfirm.store.gitrepo import PracticeRepo

TRACEBACK_MARKER = "Traceback (most recent call last):"


@dataclass(frozen=True)
class Ledger:
    """A loaded ledger: its entries, the options and the problems found while loading."""

    path: Path
    entries: Entries
    options: Options
    errors: list[BeanError]


def load_ledger(path: Path) -> Ledger:
    """Load a ledger file with its includes and plugins, without any pickle cache."""
    entries, errors, options = loader._load([(str(path), True)], None, None, None)  # noqa: SLF001
    return Ledger(path=path, entries=entries, options=options, errors=errors)


def parse_ledger(path: Path) -> Ledger:
    """Parse a ledger file and its includes, without booking, plugins or validation.

    About a third of the time of `load_ledger`: enough to read what a ledger already holds
    (the entries as written, each with its file and line), not to check it.
    """
    entries, errors, options = loader._parse_recursive([(str(path), True)], None)  # noqa: SLF001
    return Ledger(path=path, entries=entries, options=options, errors=errors)


def load_until_plugin(path: Path, module: str) -> Ledger:
    """Load a ledger as the plugin `module` sees it: parsed, booked, and the plugins before it run.

    Only the ledger's own `plugin` lines that come before `module`'s run (all of them when it
    has none), and none of Beancount's (the `document` entries of the documents folder, `pad`,
    `balance`): what a plugin is handed when it runs. The `locked` plugin's seal is computed on
    these entries, so that a lock written from them is the one the plugin recomputes.
    """
    entries, errors, options = loader._parse_recursive([(str(path), True)], None)  # noqa: SLF001
    entries.sort(key=data.entry_sortkey)
    booked, booking_errors = booking.book(entries, options)  # type: ignore[no-untyped-call]
    plugins = list(options["plugin"])
    names = [name for name, _config in plugins]
    before = plugins[: names.index(module)] if module in names else plugins
    raw = {**options, "plugin": before, "plugin_processing_mode": "raw"}
    entries, errors = loader.run_transformations(booked, [*errors, *booking_errors], raw, None)
    return Ledger(path=path, entries=entries, options=options, errors=errors)


def load_staged(path: Path, module: str) -> tuple[Ledger, Ledger]:
    """Load a ledger once: as the plugin `module` sees it, and fully (what `load_ledger` gives).

    One parse and one booking serve both. The first is `load_until_plugin`'s ledger with the
    `document` entries of the documents folder added (a seal leaves those out); the second
    continues from it with `module` and the plugins after it, then Beancount's own (`pad`,
    `balance`) and its validation, as a load does.
    """
    entries, errors, options = loader._parse_recursive([(str(path), True)], None)  # noqa: SLF001
    entries.sort(key=data.entry_sortkey)
    booked, booking_errors = booking.book(entries, options)  # type: ignore[no-untyped-call]
    plugins = list(options["plugin"])
    names = [name for name, _config in plugins]
    at = names.index(module) if module in names else len(plugins)
    default = options["plugin_processing_mode"] == "default"
    pre = [*loader.PLUGINS_PRE, *plugins[:at]] if default else plugins[:at]
    post = [*loader.PLUGINS_AUTO, *loader.PLUGINS_POST] if default else []
    first = {**options, "plugin": pre, "plugin_processing_mode": "raw"}
    seen, seen_errors = loader.run_transformations(booked, [*errors, *booking_errors], first, None)
    rest = {**options, "plugin": [*plugins[at:], *post], "plugin_processing_mode": "raw"}
    full, full_errors = loader.run_transformations(list(seen), seen_errors, rest, None)
    full_errors.extend(validation.validate(full, options, None, None))  # type: ignore[no-untyped-call]
    return (
        Ledger(path=path, entries=list(seen), options=options, errors=seen_errors),
        Ledger(path=path, entries=full, options=options, errors=full_errors),
    )


def ignored_ledger_files(repo: PracticeRepo, client_id: str) -> list[str]:
    """Return the git-ignored files of a client's folder that loading its ledger may read.

    Its `.beancount` files (an include's glob takes them in) and the files under `documents/`
    (Beancount makes a `document` entry of each). They are on this disk only, in no commit:
    a check of the folder with them is not a check of any commit, and a lock sealed with them
    is broken on every other clone.
    """
    folder = paths.client_folder(client_id)
    documents = f"{folder}/{paths.DOCUMENTS}/"
    return [
        path
        for path in repo.ignored_files([folder])
        if path.endswith(".beancount") or path.startswith(documents)
    ]


def is_warning(error: BeanError) -> bool:
    """Tell a warning from an error (see the module docstring)."""
    return type(error).__name__.endswith("Warning")


def error_problem(error: BeanError, root: Path, main: Path | None = None) -> Problem:
    """Turn a Beancount error into a Problem with a practice-relative file and line.

    Beancount reports a plugin that fails to import or run, and an include that matches no
    file, at `<load>:0` with a Python traceback in the message; such a problem is put on the
    `plugin`/`include` line of `main` that it names, and keeps only the exception's last line.
    """
    source = getattr(error, "source", None) or {}
    filename = source.get("filename") or "<unknown>"
    line = source.get("lineno")
    text = str(error.message)
    head, marker, trace = text.partition(TRACEBACK_MARKER)
    if marker:
        last = [row for row in trace.splitlines() if row.strip()][-1:]
        text = head + " ".join(last)
    if filename.startswith("<") and main is not None:
        filename, line = str(main), _load_line(main, text)
    if not filename.startswith("<"):
        filename = relative_to(filename, root)
    message = " ".join(text.split())
    return Problem(filename, int(line) if isinstance(line, int) else None, message)


def _load_line(main: Path, message: str) -> int | None:
    """Find the `plugin` or `include` line of a ledger file that a loader error names."""
    quoted = {f'"{name}"' for name in re.findall(r'"([^"]+)"', message)}
    try:
        lines = main.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, row in enumerate(lines, 1):
        words = row.split()
        if words[:1] in (["plugin"], ["include"]) and len(words) > 1 and words[1] in quoted:
            return number
    return None


def ledger_problems(path: Path, root: Path) -> list[Problem]:
    """Load a ledger and return its errors (not warnings), for checking a write."""
    if not path.is_file():
        return [Problem(relative_to(path, root), None, "ledger file is missing.")]
    ledger = load_ledger(path)
    return [error_problem(e, root, path) for e in ledger.errors if not is_warning(e)]
