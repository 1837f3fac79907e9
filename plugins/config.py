"""The configuration string of a beanfirm plugin: parsing, validation, and the plugin's line.

A plugin line may carry a configuration string, a Python dict literal with hyphenated keys::

    plugin "beanfirm.plugins.categorized" "{'grace-days': 45, 'today': '2026-11-23'}"

It is read with `ast.literal_eval` (literals only: nothing in it is executed), as Beancount's own
plugins read theirs. The string may span several lines. An unknown key, a value of the wrong
type or out of range, or a string that is not a dict is reported as a `PluginConfigError` on the
`plugin` line of the main file, and the plugin then checks nothing. Beancount does not pass the
line of the plugin directive to the plugin, so the line is found by reading the main file
(`options_map["filename"]`); a ledger loaded from a string has no file to read, and the error
then points at line 0 of `<string>`.

Each plugin is a check of its settings made into a Beancount plugin by `@plugin(MODULE,
read_settings)`, which reads the configuration, reports its problems, and turns anything
unexpected into an error: a plugin never raises.
"""

from __future__ import annotations

import ast
import datetime
import functools
import re
import traceback
from collections.abc import Callable
from typing import Protocol, TypeVar

from beancount.core import data

from beanfirm.core.beans import Entries, Meta, Options
from beanfirm.plugins.severity import Finding, PluginConfigError, PluginCrashError

Check = Callable[[Entries, Options, str | None], tuple[Entries, list[Finding]]]
Settings = TypeVar("Settings")
SettingsReader = Callable[[str | None], tuple[Settings, list[str]]]
SettingsCheck = Callable[[Entries, Options, Settings], tuple[Entries, list[Finding]]]


class Plugin(Protocol):
    """What Beancount calls: `plugin(entries, options_map[, config]) -> (entries, errors)`."""

    def __call__(
        self, entries: Entries, options_map: Options, config: str | None = None
    ) -> tuple[Entries, list[Finding]]:
        """Check the entries; return them with every finding, never raising."""
        ...


class ConfigReader:
    """Reads a configuration string into typed settings, collecting every problem."""

    def __init__(self, text: str | None, known: tuple[str, ...]) -> None:
        self.problems: list[str] = []
        self.raw: dict[str, object] = {}
        if text is None or not text.strip():
            return
        try:
            value = ast.literal_eval(text.strip())
        except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError) as exc:
            reason = (
                exc.msg
                if isinstance(exc, SyntaxError)
                else "only quoted strings, numbers, True, False, lists and dicts may appear"
            )
            self.problems.append(
                f"the configuration is not a Python dict literal ({reason}); "
                "write it like \"{'key': value}\" with the keys in quotes"
            )
            return
        if not isinstance(value, dict):
            self.problems.append(
                f"the configuration is a {type(value).__name__}, not a dict; "
                "write it like \"{'key': value}\""
            )
            return
        for key in value:
            if key not in known:
                self.problems.append(
                    f"unknown key {key!r}; the keys of this plugin are {', '.join(known)}"
                )
        self.raw = {key: item for key, item in value.items() if key in known}

    def integer(self, key: str, default: int, *, minimum: int = 0, maximum: int = 100_000) -> int:
        """Return a whole number between minimum and maximum."""
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.append(f"{key!r} must be a whole number, like {default}; got {value!r}")
            return default
        if not minimum <= value <= maximum:
            self.problems.append(f"{key!r} must be between {minimum} and {maximum}; got {value}")
            return default
        return value

    def boolean(self, key: str, *, default: bool) -> bool:
        """Return True or False."""
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            self.problems.append(f"{key!r} must be True or False; got {value!r}")
            return default
        return value

    def date(self, key: str, default: datetime.date) -> datetime.date:
        """Return a date written as 'YYYY-MM-DD'."""
        value = self.raw.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.problems.append(f"{key!r} must be a date written 'YYYY-MM-DD'; got {value!r}")
        return default

    def optional_date(self, key: str) -> datetime.date | None:
        """Return a date written as 'YYYY-MM-DD', or None when the key is not set."""
        if key not in self.raw:
            return None
        return self.date(key, datetime.date.min)

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        """Return one of a few words."""
        value = self.raw.get(key, default)
        if value not in choices:
            self.problems.append(
                f"{key!r} must be one of {', '.join(repr(c) for c in choices)}; got {value!r}"
            )
            return default
        return str(value)

    def text(self, key: str, default: str) -> str:
        """Return a non-empty string."""
        value = self.raw.get(key, default)
        if not isinstance(value, str) or not value:
            self.problems.append(f"{key!r} must be a non-empty string; got {value!r}")
            return default
        return value

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """Return a list of non-empty strings (a single string counts as a list of one)."""
        if key not in self.raw:
            return default
        return self.string_list(self.raw[key], repr(key))

    def string_list(self, value: object, what: str) -> tuple[str, ...]:
        """Check that a value is a string or a list of non-empty strings."""
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(
            isinstance(item, str) and item for item in items
        ):
            self.problems.append(f"{what} must be a list of strings; got {value!r}")
            return ()
        return tuple(items)

    def patterns(self, key: str, default: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
        """Return a list of regular expressions."""
        found = (self.pattern(text, repr(key)) for text in self.strings(key, default))
        return tuple(pattern for pattern in found if pattern)

    def pattern(self, text: str, what: str) -> re.Pattern[str] | None:
        """Compile one regular expression, or report why it does not compile."""
        try:
            return re.compile(text)
        except re.error as exc:
            self.problems.append(f"{what}: {text!r} is not a regular expression ({exc})")
            return None


def plugin_source(options_map: Options, module: str, config: str | None) -> Meta:
    """Return the `filename` and `lineno` of this plugin's line in the main file."""
    filename = str(options_map.get("filename") or "<load>")
    same_module = [conf for name, conf in options_map.get("plugin", []) if name == module]
    occurrence = same_module.index(config) if config in same_module else 0
    if filename.startswith("<"):
        return data.new_metadata(filename, 0)
    line_re = re.compile(r'\s*plugin\s+"' + re.escape(module) + '"')
    try:
        with open(filename, encoding="utf-8", errors="replace") as handle:
            found = [number for number, row in enumerate(handle, 1) if line_re.match(row)]
    except OSError:
        found = []
    lineno = found[occurrence] if occurrence < len(found) else (found[0] if found else 0)
    return data.new_metadata(filename, lineno)


def config_errors(
    problems: list[str], options_map: Options, module: str, config: str | None
) -> list[Finding]:
    """Turn configuration problems into errors on the plugin's line."""
    source = plugin_source(options_map, module, config)
    page = f"docs/plugins/{module.rsplit('.', 1)[-1]}.md"
    return [
        PluginConfigError(
            source,
            f'Invalid configuration of plugin "{module}": {problem}. The plugin checked nothing; '
            f"fix the configuration string on this line (see {page}).",
            None,
        )
        for problem in problems
    ]


def guarded(
    module: str, check: Check, entries: Entries, options_map: Options, config: str | None
) -> tuple[Entries, list[Finding]]:
    """Run a plugin's check; turn anything unexpected into an error, never an exception."""
    try:
        return check(entries, options_map, config)
    except Exception as exc:  # noqa: BLE001 - a plugin must never raise (Beancount's contract)
        where = traceback.extract_tb(exc.__traceback__)[-1]
        message = (
            f'Plugin "{module}" failed: {type(exc).__name__}: {exc} (at {where.filename}:'
            f"{where.lineno}). Its checks did not run. This is a bug in beanfirm, not in the "
            "ledger; please report it with this message."
        )
        source = plugin_source(options_map, module, config)
        return entries, [PluginCrashError(source, message, None)]


def plugin(
    module: str, read_settings: SettingsReader[Settings]
) -> Callable[[SettingsCheck[Settings]], Plugin]:
    """Make a Beancount plugin of a check that takes the plugin's settings.

    The plugin reads its configuration string with `read_settings`; a configuration with
    problems becomes errors on the plugin's line, and nothing is checked. Anything unexpected
    becomes an error too (`guarded`): a plugin never raises.
    """

    def decorate(check: SettingsCheck[Settings]) -> Plugin:
        def configured(
            entries: Entries, options_map: Options, config: str | None
        ) -> tuple[Entries, list[Finding]]:
            settings, problems = read_settings(config)
            if problems:
                return entries, config_errors(problems, options_map, module, config)
            return check(entries, options_map, settings)

        @functools.wraps(check)
        def run(
            entries: Entries, options_map: Options, config: str | None = None
        ) -> tuple[Entries, list[Finding]]:
            return guarded(module, configured, entries, options_map, config)

        return run

    return decorate
