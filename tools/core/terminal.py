"""Data as a terminal must show it: every control character replaced, so none acts."""

from __future__ import annotations

import re

# What a terminal acts on instead of showing: C0 and C1 controls (ESC starts ANSI colours and
# OSC links, BEL ends them), DEL, line and paragraph separators, and the bidirectional marks
# and overrides that make text read in another order than it is stored. JSON escapes only the
# C0 controls itself; `BEYOND_JSON_ESCAPES` is the rest.
NON_C0_CONTROLS = "\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069"
TERMINAL_CONTROLS = re.compile(f"[\x00-\x1f{NON_C0_CONTROLS}]")
BEYOND_JSON_ESCAPES = re.compile(f"[{NON_C0_CONTROLS}]")
REPLACEMENT = "\ufffd"


def plain(value: object) -> str:
    """Return data as a terminal must show it: None as empty, each control character as U+FFFD.

    Every piece of data a command prints (a name, a narration, a login e-mail) goes through
    here, directly or through `cell`.
    """
    return "" if value is None else TERMINAL_CONTROLS.sub(REPLACEMENT, str(value))


def plain_lines(text: str) -> str:
    """Return text of several lines as a terminal must show it: `plain` line by line."""
    return "\n".join(plain(line) for line in text.split("\n"))
