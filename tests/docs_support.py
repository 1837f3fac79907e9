"""The shell examples of docs/: found on a page, run as one shell session, compared, rewritten.

A page's examples are its fenced blocks (```` ```console ````, or plain ```` ``` ````) whose
lines start with `$ `: each such line is a command, the lines below it up to the next `$ `
are what it prints. Every block with a `beanfirm` command runs; HTML comments just before a
block, invisible on the rendered page, say otherwise:

- `<!-- doctest: skip REASON -->`: the block is not run (the reason is for the reader);
- `<!-- doctest: run -->`: a block without `beanfirm` commands runs too;
- `<!-- doctest: setup` + shell lines + `-->`: run where they stand, their output unseen;
- `<!-- doctest: fresh` + shell lines + `-->`: the same, in a fresh copy of the demo practice.

A page runs top to bottom in one shell, at the root of a copy of the demo practice (which
stands for the repository), so that `cd` and the files a command writes carry over to the
blocks below it, as in a terminal. `...` in the page's output stands for any text, as in
doctest's ELLIPSIS. `--regen-goldens` rewrites an output that no longer matches and keeps its
`...` wherever they still stand for a part of it (`kept_placeholders`).
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

DOCS = Path(__file__).resolve().parent.parent / "docs"
PROMPT = "$ "
EXAMPLE_FENCE = re.compile(r"^```(console)?$")
DIRECTIVE = re.compile(r"^<!-- doctest: (skip|run|setup|fresh)\b ?(.*?)(-->)?$")
BEANFIRM = re.compile(r"(?:^|[\s;&|/(])beanfirm\s")
HEREDOC = re.compile(r"<<-?'?(\w+)'?\s*$")
# The pages say /tmp; a test runs in a temporary folder of its own, shown as /tmp again.
PAGE_TMP = "/tmp"  # noqa: S108 - a name on the pages; nothing is written there
TMP = re.compile(r"(?<![\w.-])/tmp(?=[/\s;&|)'\"]|$)")
# What may differ between two runs that are the same: commit hashes and timings.
# A hash named as a commit may be all digits (about 1 in 100 abbreviated hashes are).
HASH = re.compile(
    r"\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b"
    r"|(?<=[Cc]ommit )[0-9a-f]{7,40}\b|(?<=\(commit )[0-9a-f]{7,40}\b|(?<=up to )[0-9a-f]{7,40}\b"
    # a commit named with its subject, "(8aa1c62f Import …)": all digits one time in 40
    r"|(?<=\()[0-9a-f]{8}(?= [A-Z])"
)
TIMING = re.compile(r"\b\d+\.\ds\b *")
MARK = "\x1e"
PLACEHOLDER = "..."
# An output cut into the placeholder, words and single other characters, for aligning a
# page's output with a command's.
TOKEN = re.compile(r"\.\.\.|\w+|\W")


class PageError(Exception):
    """A page's examples or directives cannot be read."""


@dataclass
class Command:
    """One `$ ` command on a page and the lines it prints there."""

    text: str
    line: int  # 0-based index of its `$ ` line on the page
    output: list[str] = field(default_factory=list)
    output_start: int = 0  # page lines [output_start, output_end) hold the output
    output_end: int = 0
    setup: bool = False


@dataclass(frozen=True)
class Step:
    """Commands run in order: an example block, or a setup (`fresh`: on a new demo copy)."""

    commands: tuple[Command, ...]
    fresh: bool = False


@dataclass(frozen=True)
class Page:
    """A docs page: its lines, and the steps that run its examples."""

    path: Path
    lines: list[str]
    steps: tuple[Step, ...]

    @property
    def examples(self) -> list[Command]:
        """Return the commands whose output the page shows."""
        return [c for step in self.steps for c in step.commands if not c.setup]


def _commands(lines: list[str], first: int, *, setup: bool) -> list[Command]:
    """Split a block's lines (page lines from `first`) into commands and their output."""
    commands: list[Command] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if setup or line.startswith(PROMPT):
            text = line.removeprefix(PROMPT) if not setup else line
            start = i
            heredoc = HEREDOC.search(text)
            if heredoc:
                end = lines.index(heredoc.group(1), i + 1)
                text = "\n".join([text, *lines[i + 1 : end + 1]])
                i = end
            commands.append(Command(text, first + start, setup=setup, output_start=first + i + 1))
            commands[-1].output_end = commands[-1].output_start
        elif commands:
            commands[-1].output.append(line)
            commands[-1].output_end = first + i + 1
        elif line.strip():
            msg = f"{first + i + 1}: output before the first `$ ` command"
            raise PageError(msg)
        i += 1
    return [c for c in commands if c.text.strip()]


def read_page(path: Path) -> Page:
    """Read a page's example blocks and directives."""
    lines = path.read_text(encoding="utf-8").splitlines()
    steps: list[Step] = []
    pending: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        directive = DIRECTIVE.match(line)
        if directive:
            kind, rest, closed = directive.groups()
            if kind in ("skip", "run"):
                if not closed or (kind == "skip" and not rest.strip()):
                    msg = f"{path.name}:{i + 1}: write `<!-- doctest: skip REASON -->` on one line"
                    raise PageError(msg)
                pending = kind
            else:
                end = i if closed else lines.index("-->", i + 1)
                body = lines[i + 1 : end]
                commands = _commands(body, i + 1, setup=True)
                steps.append(Step(tuple(commands), fresh=kind == "fresh"))
                i = end
        elif line.startswith("```"):
            end = lines.index("```", i + 1)
            if EXAMPLE_FENCE.match(line) and any(r.startswith(PROMPT) for r in lines[i:end]):
                commands = _commands(lines[i + 1 : end], i + 1, setup=False)
                example = any(BEANFIRM.search(c.text) for c in commands)
                if pending != "skip" and (example or pending == "run"):
                    steps.append(Step(tuple(commands)))
            pending = None
            i = end
        elif line.strip() and pending:
            msg = f"{path.name}:{i + 1}: a `doctest: {pending}` comment must stand just before a block"
            raise PageError(msg)
        i += 1
    return Page(path, lines, tuple(steps))


def pages_with_examples() -> list[Path]:
    """Return every docs page that has an example to run."""
    return [p for p in sorted(DOCS.rglob("*.md")) if read_page(p).examples]


def script(page: Page, tmp: Path) -> str:
    """Return the bash script that runs a page's steps and marks each command's output."""
    out = ["exec 2>&1", 'cd "$DOCS_REPO"', "__rc=0"]
    for step in page.steps:
        if step.fresh:
            out.append(
                'cd / && rm -rf "$DOCS_REPO" && cp -a "$DOCS_DEMO" "$DOCS_REPO" && cd "$DOCS_REPO"'
            )
        for command in step.commands:
            text = TMP.sub(str(tmp), command.text)
            out.append(f"printf '{MARK}{command.line}{MARK}\\n'")
            if command.setup:
                out += [text, f"printf '\\n{MARK}rc %d{MARK}\\n' $?"]
            else:
                out += [
                    f"(exit $__rc); {text}",
                    "__rc=$?",
                    f"printf '\\n{MARK}rc %d{MARK}\\n' $__rc",
                ]
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class Ran:
    """What one command printed, and its exit code."""

    output: list[str]
    code: int


def run_page(page: Page, tmp: Path, env: dict[str, str]) -> dict[int, Ran]:
    """Run a page's script; return each command's output lines by its page line."""
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc"],
        input=script(page, tmp),
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    found: dict[int, Ran] = {}
    parts = proc.stdout.split(MARK)
    # After the text before the first mark, each command gives four parts: its page line, its
    # output, its exit code ("rc N") and the newline between two commands.
    for i in range(1, len(parts) - 2, 4):
        text = parts[i + 1][1:-1].rstrip()  # no trailing blank lines, as on a page
        lines = [row.rstrip() for row in text.replace(str(tmp), PAGE_TMP).split("\n")]
        lines = lines if text else []
        found[int(parts[i])] = Ran(lines, int(parts[i + 2].split()[1]))
    return found


def _masked(lines: list[str]) -> list[str]:
    return [TIMING.sub("<time>", HASH.sub("<hash>", line)).rstrip() for line in lines]


def matches(expected: list[str], actual: list[str]) -> bool:
    """Say whether a command printed what the page shows (`...` stands for any text)."""
    pattern = ".*?".join(
        re.escape(part) for part in "\n".join(_masked(expected)).split(PLACEHOLDER)
    )
    return re.fullmatch(pattern, "\n".join(_masked(actual)), re.DOTALL) is not None


CELLS = 1_000_000  # the largest alignment, in lines x lines or words x words
LINE = 100  # the cost of a line dropped from the page or printed anew


class Move(NamedTuple):
    """One step of an alignment of a page's items (lines, words) with the printed ones.

    `kind` is "match" (the same on both sides), "replace" (printed otherwise), "insert"
    (printed only), "delete" (on the page only) or "hole" (a `...` of the page, standing for
    the printed items `start` to `end`); `old` is the page's item (-1 for an insert).
    """

    kind: str
    old: int
    start: int
    end: int


def kept_placeholders(expected: list[str], actual: list[str]) -> list[str]:
    """Return the output `actual`, with `...` where `expected` has one standing for a part of it.

    The lines are aligned first, at the least cost (`_step`): a page's line that still
    matches its printed line stays as it is (its `...` and the hashes `matches` ignores with
    it), a line that is only `...` stays where it stands for one or more printed lines, and a
    line printed otherwise is aligned word by word (`_kept_line`), keeping each `...` that
    still stands for a part of it (a seal's sha256, a month, a timestamp, a commit) beside a
    word still printed. Everything else is written as printed, so that a change beside a `...`
    shows. The result always matches `actual`, or is `actual` itself.
    """
    if matches(expected, actual):
        return list(expected)
    patterns = [_pattern(line) for line in expected]
    printed = _masked(actual)
    words = [_counted(line) for line in _masked(expected)]
    said = [_counted(line) for line in printed]
    moves = _cheapest(
        len(expected),
        len(actual),
        hole=lambda i: expected[i].strip() == PLACEHOLDER,
        step=lambda i, j: _step(patterns[i], words[i], printed[j], said[j]),
        gap=LINE,
    )
    kept: list[str] = []
    for move in moves or [Move("insert", -1, j, j + 1) for j in range(len(actual))]:
        if move.kind in ("match", "hole"):
            kept += [expected[move.old]] if move.end > move.start else []
        elif move.kind == "replace":
            kept.append(_kept_line(expected[move.old], actual[move.start]))
        elif move.kind == "insert":
            kept.append(actual[move.start])
    return kept if matches(kept, actual) else list(actual)


def _cheapest(
    rows: int,
    cols: int,
    *,
    hole: Callable[[int], bool],
    step: Callable[[int, int], int],
    gap: int,
) -> list[Move] | None:
    """Return the cheapest alignment of `rows` page items with `cols` printed ones.

    An item `hole(i)` takes any run of printed items for nothing; item i against printed j
    costs `step(i, j)` (0: they match), an item dropped or printed anew `gap`. Of equal
    alignments, a hole takes as little as it can. None where the two are too large to align.
    """
    if rows * cols > CELLS:
        return None
    cost = [[gap * j for j in range(cols + 1)]]
    for i in range(1, rows + 1):
        row = [cost[i - 1][0] + (0 if hole(i - 1) else gap)]
        for j in range(1, cols + 1):
            if hole(i - 1):
                row.append(min(cost[i - 1][j], row[j - 1]))
            else:
                paired = cost[i - 1][j - 1] + step(i - 1, j - 1)
                row.append(min(paired, cost[i - 1][j] + gap, row[j - 1] + gap))
        cost.append(row)
    moves: list[Move] = []
    i, j = rows, cols
    while i or j:
        if i and hole(i - 1):
            end = j
            while cost[i - 1][j] != cost[i][j]:  # the hole takes the printed item before
                j -= 1
            moves.append(Move("hole", i - 1, j, end))
            i -= 1
        elif i and j and cost[i][j] == cost[i - 1][j - 1] + step(i - 1, j - 1):
            kind = "match" if cost[i][j] == cost[i - 1][j - 1] else "replace"
            moves.append(Move(kind, i - 1, j - 1, j))
            i, j = i - 1, j - 1
        elif j and cost[i][j] == cost[i][j - 1] + gap:
            moves.append(Move("insert", -1, j - 1, j))
            j -= 1
        else:
            moves.append(Move("delete", i - 1, j, j))
            i -= 1
    return moves[::-1]


def _step(pattern: re.Pattern[str], words: Counter[str], printed: str, said: Counter[str]) -> int:
    """Return what it costs to take a printed line for a page's line.

    0 where it matches; else the more, the fewer words they share (at least 1), up to as much
    as dropping the one and printing the other (2 `LINE`) where they share none.
    """
    if pattern.fullmatch(printed):
        return 0
    both = words.total() + said.total()
    return max(1, 2 * LINE - (4 * LINE * (words & said).total()) // max(1, both))


def _counted(line: str) -> Counter[str]:
    """Return the words of a line that tell it from another: not its spaces, nor `...`."""
    return Counter(w for w in TOKEN.findall(line) if w.strip() and w != PLACEHOLDER)


def _pattern(line: str) -> re.Pattern[str]:
    """Return the regular expression of a page's line, as `matches` reads it."""
    return re.compile(".*?".join(map(re.escape, _masked([line])[0].split(PLACEHOLDER))), re.DOTALL)


def _kept_line(expected: str, actual: str) -> str:
    """Return the printed line, with the page's `...` where one stands for a part of it.

    The words are aligned, a `...` taking any run of them; a word kept is the page's (a hash
    or a timing that `matches` ignores stays as the page has it). A `...` that stands for
    printed text is kept where the page's word on one side of it at least is still printed;
    one that stands for nothing, where those on both sides are (or it is at the line's edge).
    Otherwise it is replaced by what it stands for.
    """
    old, ours = _words(expected)
    new, theirs = _words(actual)
    moves = _cheapest(
        len(old),
        len(new),
        hole=lambda i: old[i] == PLACEHOLDER,
        step=lambda i, j: 0 if ours[i] == theirs[j] else 2,
        gap=1,
    )
    if moves is None:
        return actual
    sides = [move for move in moves if move.kind != "insert"]
    beside: dict[int, set[str]] = {move.old: set() for move in sides}
    for first, second in zip([None, *sides], [*sides, None], strict=True):
        if first is not None:
            beside[first.old].add("edge" if second is None else second.kind)
        if second is not None:
            beside[second.old].add("edge" if first is None else first.kind)
    out: list[str] = []
    for move in moves:
        text = "".join(new[move.start : move.end])
        if move.kind == "hole":
            near = beside[move.old]
            held = "match" in near if text else near <= {"match", "edge"}
            out.append(PLACEHOLDER if held else text)
        elif move.kind == "match":
            out.append(old[move.old])
        else:
            out.append(text)
    return "".join(out)


def _words(line: str) -> tuple[list[str], list[str]]:
    """Return a line's words, and each as compared: a hash or a timing as `matches` masks it."""
    masked = [(m.span(), "<hash>") for m in HASH.finditer(line)]
    masked += [(m.span(), "<time>") for m in TIMING.finditer(line)]
    words: list[str] = []
    keys: list[str] = []
    for word in TOKEN.finditer(line):
        start, end = word.span()
        spans = [key for (first, last), key in masked if first <= start and end <= last]
        words.append(word.group())
        keys.append(spans[0] if spans else word.group())
    return words, keys


def rewrite(page: Page, ran: dict[int, Ran]) -> str:
    """Return the page's text with the output of each command that no longer matches.

    The new output keeps the page's `...` where they still stand for a part of it.
    """
    lines = list(page.lines)
    for command in reversed(page.examples):
        actual = ran.get(command.line)
        if actual is not None and not matches(command.output, actual.output):
            kept = kept_placeholders(command.output, actual.output)
            lines[command.output_start : command.output_end] = kept
    return "\n".join(lines) + "\n"
