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
doctest's ELLIPSIS.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

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
)
TIMING = re.compile(r"\b\d+\.\ds\b *")
MARK = "\x1e"


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
    pattern = ".*?".join(re.escape(part) for part in "\n".join(_masked(expected)).split("..."))
    return re.fullmatch(pattern, "\n".join(_masked(actual)), re.DOTALL) is not None


def rewrite(page: Page, ran: dict[int, Ran]) -> str:
    """Return the page's text with the output of each command that no longer matches."""
    lines = list(page.lines)
    for command in reversed(page.examples):
        actual = ran.get(command.line)
        if actual is not None and not matches(command.output, actual.output):
            lines[command.output_start : command.output_end] = actual.output
    return "\n".join(lines) + "\n"
