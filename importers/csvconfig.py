"""The declarative config of the CSV/XLSX engine, and reading it from YAML.

A `CsvConfig` names columns by their header text, and says how a row becomes an amount: one
signed column (`amount`), a pair of unsigned columns (`amount-in`, `amount-out`), or an
unsigned column plus direction markers read from other columns
(`direction`: rules tried in order, each mapping a column's values to money in, money out or
skip; `*` in `skip` means any other value). An export without a header row (TD Canada) is
read by position: `fields` names its columns in order, and the column keys refer to those
names. `account-number` is a regular expression whose group `number` finds the account or card
number in the preamble (for the import command to compare with clients.yaml). A `balance`
column is a running balance, checked row by row (`beanfirm.importers.runningbalance`), unless
`running-balance: false` says it is not (a statement's closing balance on every row). A `fee`
column is a charge that moves the account along with the amount: positive is a fee the account
paid (whatever sign convention the amount has), negative a fee refunded; the row moves the
account by its amount less the fee, and the fee is booked as a posting of its own, on
`fee-account` (else `Expenses:Uncategorized`). `record-count` is a regular expression whose
group `count` finds the number of records the export states (`共12条记录`): the table must
hold exactly that many data rows. The YAML form
(docs/importers.md) is read with every mistake reported at its line, as `Problem`s, like
clients.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from beanfirm.core.accountnames import is_account_name
from beanfirm.core.yamlnodes import NodeReader
from beanfirm.errors import ConfigError, Problem
from beanfirm.importers.dates import DEFAULT_FORMATS

ORDERS = ("auto", "oldest-first", "newest-first")
META_KEY = re.compile(r"^[a-z][a-zA-Z0-9_-]*$")
CURRENCY = re.compile(r"^[A-Z][A-Z0-9'._-]{0,22}[A-Z0-9]$")
# Metadata the importers and the import write themselves (`import-id-2`: a transfer's second leg).
RESERVED_META = ("import-id", "import-id-2", "time", "counterparty", "filename", "lineno")


@dataclass(frozen=True)
class DirectionRule:
    """Values of one column that say whether money came in, went out, or the row is skipped."""

    column: str
    inflow: tuple[str, ...] = ()
    outflow: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()


@dataclass(frozen=True)
class CsvConfig:
    """How to read one kind of export; column fields hold header names."""

    name: str
    date: str
    date_formats: tuple[str, ...] = DEFAULT_FORMATS
    time: str | None = None
    payee: str | None = None
    narration: tuple[str, ...] = ()
    counterparty: str | None = None
    amount: str | None = None
    amount_in: str | None = None
    amount_out: str | None = None
    direction: tuple[DirectionRule, ...] = ()
    invert_sign: bool = False
    balance: str | None = None
    running_balance: bool = True
    serial: str | None = None
    currency: str | None = None
    currency_column: str | None = None
    meta: tuple[tuple[str, str], ...] = ()
    decimal_mark: str = "."
    delimiter: str | None = None
    encoding: str | None = None
    order: str = "auto"
    period: str | None = None
    identify: tuple[str, ...] = field(default=())
    identify_not: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    account_number: str | None = None
    fee: str | None = None
    fee_account: str | None = None
    record_count: str | None = None
    source: str | None = field(default=None, compare=False)  # the file it was read from

    def layout_hint(self) -> str:
        """Return where to change the columns the config names, for a message."""
        return f"adjust its config, {self.source}" if self.source else "adjust the import config"

    def column_names(self) -> tuple[str, ...]:
        """Return every header name the config reads (the header row must hold them all)."""
        names = [
            self.date,
            self.time,
            self.payee,
            *self.narration,
            self.counterparty,
            self.amount,
            self.amount_in,
            self.amount_out,
            self.fee,
            *(rule.column for rule in self.direction),
            self.balance,
            self.serial,
            self.currency_column,
            *(header for _, header in self.meta),
        ]
        return tuple(dict.fromkeys(name for name in names if name))

    def problems(self) -> list[str]:
        """Return what is inconsistent in the config (empty when it is usable)."""
        return [*self.amount_problems(), *self.format_problems(), *self.layout_problems()]

    def amount_problems(self) -> list[str]:
        """Check the amount columns and the currency."""
        found: list[str] = []
        if bool(self.amount) == bool(self.amount_in or self.amount_out):
            found.append("give either `amount` or both `amount-in` and `amount-out`")
        if bool(self.amount_in) != bool(self.amount_out):
            found.append("`amount-in` and `amount-out` go together")
        if self.direction and not self.amount:
            found.append("`direction` needs an unsigned `amount` column")
        if not self.currency and not self.currency_column:
            found.append("give a fixed `currency` or a `currency` column")
        if self.currency and not CURRENCY.match(self.currency):
            found.append(f"currency '{self.currency}' is not a Beancount currency (e.g. CNY)")
        if self.fee is not None and self.fee in (self.amount, self.amount_in, self.amount_out):
            found.append(f"the `fee` column '{self.fee}' is also an amount column")
        if self.fee_account is not None and not is_account_name(self.fee_account):
            found.append(
                f"`fee-account` '{self.fee_account}' is not a Beancount account name "
                "(e.g. Expenses:Bank:Fees)"
            )
        if self.fee_account is not None and self.fee is None:
            found.append("`fee-account` needs a `fee` column")
        return found

    def format_problems(self) -> list[str]:
        """Check the number and date formats, the order, the period and the metadata keys."""
        found: list[str] = []
        if self.decimal_mark not in (".", ","):
            found.append("`decimal-mark` must be '.' or ','")
        if self.order not in ORDERS:
            found.append(f"`order` must be one of {', '.join(ORDERS)}")
        if not self.date_formats:
            found.append("`date-formats` must list at least one format")
        found += pattern_problems("period", self.period, (("year", "month"), ("end",)))
        found += pattern_problems("account-number", self.account_number, (("number",),))
        found += pattern_problems("record-count", self.record_count, (("count",),))
        found += [
            f"meta key '{key}' is reserved or not a Beancount metadata key"
            for key, _ in self.meta
            if not META_KEY.match(key) or key in RESERVED_META
        ]
        return found

    def layout_problems(self) -> list[str]:
        """Check `fields` (the column names of an export without a header row)."""
        if not self.fields:
            return []
        found: list[str] = []
        duplicates = sorted({name for name in self.fields if self.fields.count(name) > 1})
        if duplicates:
            found.append(f"`fields` names {', '.join(duplicates)} more than once")
        unknown = [name for name in self.column_names() if name not in self.fields]
        if unknown:
            found.append(
                f"the column(s) {', '.join(unknown)} are not among `fields` "
                f"({', '.join(self.fields)})"
            )
        if self.identify or self.identify_not:
            found.append("`identify` looks for header text; a file without a header has none")
        return found


def pattern_problems(
    key: str, pattern: str | None, group_sets: tuple[tuple[str, ...], ...]
) -> list[str]:
    """Check a regular expression of the config and the named groups it needs."""
    if pattern is None:
        return []
    try:
        groups = re.compile(pattern).groupindex
    except re.error as exc:
        return [f"`{key}` is not a valid regular expression ({exc})"]
    if any(set(wanted) <= groups.keys() for wanted in group_sets):
        return []
    needed = " or ".join("".join(f"(?P<{g}>…)" for g in wanted) for wanted in group_sets)
    return [f"`{key}` needs the groups {needed}"]


COLUMN_KEYS = (
    "date",
    "time",
    "payee",
    "narration",
    "counterparty",
    "amount",
    "amount-in",
    "amount-out",
    "fee",
    "balance",
    "serial",
    "currency",
)
TOP_KEYS = (
    "name",
    "extends",
    "columns",
    "date-formats",
    "currency",
    "direction",
    "invert-sign",
    "running-balance",
    "decimal-mark",
    "delimiter",
    "encoding",
    "order",
    "period",
    "meta",
    "identify",
    "identify-not",
    "fields",
    "account-number",
    "fee-account",
    "record-count",
)
RULE_KEYS = ("column", "in", "out", "skip")


def strings(reader: NodeReader, node: yaml.Node, what: str) -> tuple[str, ...]:
    """Read one string or a list of strings."""
    if isinstance(node, yaml.SequenceNode):
        items = (reader.string(item, what) for item in reader.sequence(node, what))
        return tuple(item for item in items if item is not None)
    value = reader.string(node, what)
    return () if value is None else (value,)


def read_rules(reader: NodeReader, node: yaml.Node) -> tuple[DirectionRule, ...]:
    """Read the `direction` rules (one mapping or a list of them)."""
    items = reader.sequence(node, "direction") if isinstance(node, yaml.SequenceNode) else [node]
    rules: list[DirectionRule] = []
    for item in items:
        keys = reader.mapping(item, "a direction rule", allowed=RULE_KEYS, required=("column",))
        column = reader.string(keys["column"], "column") if "column" in keys else None
        if column is None:
            continue
        values = {
            key: strings(reader, keys[key], key) for key in ("in", "out", "skip") if key in keys
        }
        if not values:
            reader.problem(item, "a direction rule needs `in`, `out` or `skip` values.")
        inflow, outflow, skip = (values.get(key, ()) for key in ("in", "out", "skip"))
        rules.append(DirectionRule(column, inflow, outflow, skip))
    return tuple(rules)


def read_columns(reader: NodeReader, node: yaml.Node, *, extending: bool) -> dict[str, object]:
    """Read the `columns` mapping into CsvConfig field values."""
    required = () if extending else ("date",)
    keys = reader.mapping(node, "columns", allowed=COLUMN_KEYS, required=required)
    fields: dict[str, object] = {}
    for key, value in keys.items():
        if key == "narration":
            fields["narration"] = strings(reader, value, "columns.narration")
            continue
        text = reader.string(value, f"columns.{key}")
        name = {"currency": "currency_column"}.get(key, key.replace("-", "_"))
        if text is not None:
            fields[name] = text
    return fields


def read_fields(reader: NodeReader, keys: dict[str, yaml.Node]) -> dict[str, object]:
    """Read the top-level keys other than `columns` and `extends`."""
    fields: dict[str, object] = {}
    for key, node in keys.items():
        if key in ("columns", "extends"):
            continue
        name = key.replace("-", "_")
        if key in ("date-formats", "identify", "identify-not", "fields"):
            fields[name] = strings(reader, node, key)
        elif key == "direction":
            fields[name] = read_rules(reader, node)
        elif key in ("invert-sign", "running-balance"):
            value = reader.scalar(node, key)
            if isinstance(value, bool):
                fields[name] = value
            else:
                reader.problem(node, f"`{key}` must be true or false.")
        elif key == "meta":
            fields[name] = read_meta(reader, node)
        elif key == "order":
            fields[name] = reader.choice(node, key, ORDERS)
        else:
            fields[name] = reader.string(node, key)
    return {name: value for name, value in fields.items() if value is not None}


def read_meta(reader: NodeReader, node: yaml.Node) -> tuple[tuple[str, str], ...]:
    """Read `meta`: metadata key to header name."""
    if not isinstance(node, yaml.MappingNode):
        reader.problem(node, "`meta` must map metadata keys to column names.")
        return ()
    pairs: list[tuple[str, str]] = []
    for key_node, value_node in node.value:
        header = reader.string(value_node, f"meta.{key_node.value}")
        if header is not None:
            pairs.append((str(key_node.value), header))
    return tuple(pairs)


def parse_config(
    text: str, filename: str, presets: dict[str, CsvConfig] | None = None
) -> tuple[CsvConfig | None, list[Problem]]:
    """Read a YAML import config; return it (None if unusable) and every problem found."""
    reader = NodeReader(filename)
    root = reader.compose(text)
    if root is None:
        if not reader.problems:
            reader.problem(None, "the import config is empty.")
        return None, reader.problems
    keys = reader.mapping(root, "the import config", allowed=TOP_KEYS)
    base: CsvConfig | None = None
    if "extends" in keys:
        known = presets or {}
        parent = reader.choice(keys["extends"], "extends", sorted(known))
        base = known.get(parent) if parent else None
    elif "columns" not in keys:
        reader.problem(root, "the import config needs `columns` (or `extends: PRESET`).")
    fields = read_fields(reader, keys)
    if "columns" in keys:
        fields.update(read_columns(reader, keys["columns"], extending="extends" in keys))
    if reader.problems:
        return None, reader.problems
    name = str(fields.pop("name", Path(filename).stem))
    try:
        if base is not None:
            config = replace(base, name=name, **fields)  # type: ignore[arg-type]
        else:
            config = CsvConfig(name=name, **fields)  # type: ignore[arg-type]
    except TypeError as exc:  # pragma: no cover - keys are checked above
        reader.problem(root, f"the import config is incomplete ({exc}).")
        return None, reader.problems
    for message in config.problems():
        reader.problem(root, f"{message}.")
    return (None if reader.problems else config), reader.problems


def load_config(path: Path | str, presets: dict[str, CsvConfig] | None = None) -> CsvConfig:
    """Read an import config file, or raise ConfigError listing every problem.

    `presets` are what `extends` may name; beanfirm's own (`presets.PRESETS`) are the default.
    """
    path = Path(path)
    if presets is None:
        presets = _presets()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: the import config cannot be read ({exc}).") from exc
    config, problems = parse_config(text, str(path), presets)
    if config is None:
        raise ConfigError(
            f"{path}: the import config has {len(problems)} problem(s); fix them and retry:",
            tuple(problems),
        )
    return replace(config, source=str(path))


def _presets() -> dict[str, CsvConfig]:
    """Return beanfirm's presets (imported here: `presets` is built from this module)."""
    from beanfirm.importers.presets import PRESETS  # noqa: PLC0415 - presets imports us

    return PRESETS
