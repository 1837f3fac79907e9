"""git's diff driver for `*.beancount` files: what `beanfirm diff --install` has git run.

Two entry points, run as `python -m beanfirm.review.gitdriver MODE ...` so that git starts
only this module and the parser, not the whole command line:

- `diff PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE` is the external diff command
  (`diff.beanfirm.command`), which `git diff` runs, and `git log -p` and `git show` with
  `--ext-diff`: the file's entries added, removed and changed, and its balance impact.
- `textconv FILE` is the text conversion (`diff.beanfirm.textconv`), which every git command
  that shows a diff applies: the file's entries in a canonical order and layout, then the file's
  totals per account, so that git's line diff of two of them shows only what changed in the
  books (and the totals that moved).

Neither may fail a git command: on any file it cannot read as Beancount, the diff command
prints git's raw unified diff and the text conversion prints the file as it is; both exit 0.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from beanfirm.core.terminal import plain
from beanfirm.review.diffreport import (
    aligned_rows,
    change_lines,
    impact_rows,
    impact_totals,
)
from beanfirm.review.entrydiff import (
    compare_entries,
    entry_text,
    identity,
    impact_between,
    parse_text,
    totals,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from beanfirm.core.beans import Directive

NULL_FILE = "/dev/null"
EXTERNAL_DIFF_ARGS = 7  # path, then old file, hex and mode, then new file, hex and mode


def read(path: str) -> str:
    """Return a file git hands over, as text; /dev/null (no such side) is empty."""
    if path == NULL_FILE:
        return ""
    return Path(path).read_bytes().decode("utf-8", errors="surrogateescape")


def raw_diff(path: str, old: str, new: str) -> list[str]:
    """Return git's plain unified diff of one file's two texts."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), f"a/{path}", f"b/{path}", lineterm=""
    )
    return [f"diff --git a/{path} b/{path}", *lines]


def write_lines(lines: list[str]) -> None:
    """Write lines to git as they came, bytes that were not UTF-8 included."""
    text = "".join(f"{line}\n" for line in lines)
    sys.stdout.buffer.write(text.encode("utf-8", errors="surrogateescape"))


def semantic_diff(path: str, old_text: str, new_text: str) -> list[str] | None:
    """Return one file's diff in accounting terms, or None when a side does not parse."""
    before, after = parse_text(old_text, path), parse_text(new_text, path)
    if before.problems or after.problems:
        return None
    old = [(path, entry) for entry in before.entries]
    new = [(path, entry) for entry in after.entries]
    changes = compare_entries(old, new)
    impact, _uncounted = impact_between(before.entries, after.entries)
    counts = {kind: sum(1 for c in changes if c.kind == kind) for kind in MARK_KINDS}
    lines = [
        (
            f"beanfirm diff {path}: {counts['added']} added, {counts['removed']} removed, "
            f"{counts['changed']} changed (raw text: git diff --no-ext-diff --no-textconv)"
        )
    ]
    if not changes:
        lines.append("  no entry changed (only layout, order or comments)")
    for change in changes:
        lines += ["", *change_lines(change)]
    if impact:
        lines += ["", "balance impact (totals of this file: before, after, net)"]
        header = ("account", "currency", "before", "after", "net")
        rows = [header, *impact_rows(impact), *impact_rows(impact_totals(impact))]
        lines.extend(f"  {row}" for row in aligned_rows(rows, numeric_from=2))
    return lines


MARK_KINDS = ("added", "removed", "changed")


def external_diff(args: Sequence[str]) -> list[str]:
    """Return what git's external diff command prints for one file."""
    path, old_file, _old_hex, _old_mode, new_file = args[:5]
    old, new = read(old_file), read(new_file)
    try:
        lines = semantic_diff(path, old, new)
    except Exception:  # noqa: BLE001 - a driver must never fail git: the raw diff instead
        lines = None
    # What beanfirm writes is data, shown as data; the raw fallback is git's own, as git shows it.
    return [plain(line) for line in lines] if lines is not None else raw_diff(path, old, new)


def canonical_text(path: str, text: str) -> str:
    """Return a file as its entries in canonical order and layout, then its totals."""
    parsed = parse_text(text, path)
    if parsed.problems:
        return text
    entries = sorted(parsed.entries, key=_canonical_order)
    blocks = [entry_text(entry) for entry in entries]
    sums, _uncounted = totals(parsed.entries)
    trailer = ["; totals of this file per account (beanfirm's textconv; raw text: --no-textconv)"]
    rows = [(account, currency, str(sums[account, currency])) for account, currency in sorted(sums)]
    trailer += [f"; {row}" for row in aligned_rows(rows, numeric_from=2)]
    shown = "\n\n".join([*blocks, "\n".join(trailer)])
    return "\n".join(plain(line) for line in shown.split("\n")) + "\n"


def _canonical_order(entry: Directive) -> tuple[str, str]:
    return (repr(identity(entry)), entry_text(entry))


def main(argv: Sequence[str] | None = None) -> int:
    """Run as git's diff command or text conversion; always exit 0 (see the module)."""
    args = list(sys.argv[1:] if argv is None else argv)
    mode, rest = (args[0], args[1:]) if args else ("", [])
    if mode == "diff" and len(rest) >= EXTERNAL_DIFF_ARGS:
        write_lines(external_diff(rest))
    elif mode == "textconv" and rest:
        text = read(rest[0])
        try:
            shown = canonical_text(rest[0], text)
        except Exception:  # noqa: BLE001 - a driver must never fail git: the file as it is
            shown = text
        sys.stdout.buffer.write(shown.encode("utf-8", errors="surrogateescape"))
    else:
        sys.stderr.write("usage: python -m beanfirm.review.gitdriver diff|textconv ARGS\n")
        return 0
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
