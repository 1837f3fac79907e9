"""The mapping of a chart's accounts to the lines of its financial statements, read as data.

Each chart template has one beside it (`templates/<chart>.financials.yaml`); a client's own
`ledgers/<client>/financials.yaml` replaces it. The file is read with its line numbers, so that
every mistake in it names its file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import yaml

from beanfirm.core.yamlnodes import NodeReader, line_of
from beanfirm.errors import Problem

if TYPE_CHECKING:
    from pathlib import Path

BALANCE_SHEET = "balance-sheet"
INCOME_STATEMENT = "income-statement"
CASH_FLOW = "cash-flow"
STATEMENT_KEYS = (BALANCE_SHEET, INCOME_STATEMENT)
LINE_KEYS = (
    "line",
    "name",
    "en",
    "zh",
    "accounts",
    "side",
    "negate",
    "total",
    "of",
    "heading",
    "right",
)
CASH_FLOW_LINE_KEYS = ("flow", "balance", "exchange")  # keys a cash-flow line may add
REVALUATION = "revaluation"  # the section naming the monetary accounts (docs/close.md)
REVALUATION_KEYS = ("monetary", "gain-loss")
SIDES = ("debit", "credit")
TIES_TO = "balance-sheet-line"  # the cash-flow section's key naming the line of cash
FLOWS = ("in", "out")  # a cash-flow line that takes only receipts, or only payments
BALANCES = ("start",)  # a cash-flow line that shows the cash at the start of the column
_CODE = re.compile(r"\d+")
_CODED = re.compile(r"\d{4}")  # the code that starts a chart account's second part
_ACCOUNT = re.compile(r"[A-Z][A-Za-z]*(:[^\s:]+)*")


def template_file(chart: str) -> str:
    """Return the name of a chart's mapping file among the package's templates."""
    return f"{chart}.financials.yaml"


@dataclass(frozen=True)
class Line:
    """One line of a statement form: the accounts it takes, or the lines it adds up."""

    number: int | None  # 行次; None for a heading
    name: str
    en: str | None
    accounts: tuple[str, ...]
    side: str | None
    negate: bool
    total: tuple[int, ...]  # line numbers; a negative number subtracts that line
    of: int | None
    source: Problem  # the file and line where the form line is written
    flow: str | None = None  # cash flow: "in" or "out", the direction of the movements taken
    balance: str | None = None  # cash flow: "start", the cash at the start of the column
    right: bool = False  # the printed form's right-hand side begins with this line
    exchange: bool = False  # cash flow: takes the effect of exchange rates on cash (revaluation)
    zh: str | None = None  # the name in Chinese, where the form's own is another language's

    def name_in(self, language: str) -> str:
        """Return the line's name in a language: its `en` or `zh`, else the form's own."""
        return _in(language, self.name, en=self.en, zh=self.zh)

    @property
    def is_heading(self) -> bool:
        """Return whether the line is a heading, with no figure."""
        return self.number is None

    @property
    def is_total(self) -> bool:
        """Return whether the line adds up other lines."""
        return bool(self.total)

    @property
    def takes_flows(self) -> bool:
        """Return whether a cash-flow line takes movements (not a total, not a balance)."""
        return self.number is not None and not self.total and self.balance is None

    def takes(self, account: str, balance_is_debit: bool) -> bool:
        """Return whether an account, with a balance on the given side, lands on this line."""
        if self.side == "debit" and not balance_is_debit:
            return False
        if self.side == "credit" and balance_is_debit:
            return False
        return any(prefix_matches(prefix, account) for prefix in self.accounts)


def _in(language: str, own: str, **translations: str | None) -> str:
    """Return the translation for a language (a form's `en` or `zh`) if given, else its own."""
    return translations.get(language) or own


def prefix_matches(prefix: str, account: str) -> bool:
    """Return whether an account falls under a prefix: a code (`1122`) or a name (`Assets:Bank`)."""
    if _CODE.fullmatch(prefix):
        parts = account.split(":")
        return len(parts) > 1 and parts[1].startswith(prefix)
    return account == prefix or account.startswith(prefix + ":")


@dataclass(frozen=True)
class Follow:
    """A cash-flow `follow` entry: legs that go with the largest other leg of their transaction.

    `with_` names the accounts such a leg may follow (empty: any); without one of them in the
    transaction, the leg is classified by its own account.
    """

    prefix: str
    with_: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    """A statement's layout: its form number, title and lines in the form's order."""

    key: str
    form: str | None
    title: str
    en: str | None
    lines: tuple[Line, ...]
    cash: tuple[str, ...] = ()  # cash flow: the prefixes of the cash accounts
    opening: tuple[str, ...] = ()  # cash flow: where opening balances are booked: not flows
    follow: tuple[Follow, ...] = ()  # cash flow: legs that go with the transaction's largest leg
    # cash flow: the balance sheet's line of cash (货币资金), which must take the cash accounts
    # exactly, and where the mapping says so
    ties_to: tuple[int, Problem] | None = None
    printed_columns: tuple[int, int] = (1, 2)  # the order the printed form gives the columns
    zh: str | None = None  # the title in Chinese, where the form's own is another language's

    def title_in(self, language: str) -> str:
        """Return the form's title in a language: its `en` or `zh`, else the form's own."""
        return _in(language, self.title, en=self.en, zh=self.zh)

    def line(self, number: int) -> Line:
        """Return the line with a number (行次)."""
        return next(line for line in self.lines if line.number == number)

    @property
    def sides(self) -> tuple[tuple[Line, ...], tuple[Line, ...]]:
        """Return the lines printed on the left and on the right (empty: one column)."""
        start = next((index for index, line in enumerate(self.lines) if line.right), None)
        if start is None:
            return self.lines, ()
        return self.lines[:start], self.lines[start:]


@dataclass(frozen=True)
class Revaluation:
    """The monetary accounts, revalued at the period-end rate, and where the difference goes."""

    monetary: tuple[str, ...]  # prefixes, as a line's accounts
    gain_loss: str  # the exchange gain or loss account (汇兑损益)
    source: Problem  # where the section is written

    def is_monetary(self, account: str) -> bool:
        """Return whether an account is monetary (a foreign balance in it is revalued)."""
        return any(prefix_matches(prefix, account) for prefix in self.monetary)


@dataclass(frozen=True)
class StatementMapping:
    """The forms of one chart, and the file they were read from."""

    filename: str
    chart: str
    balance_sheet: Form
    income_statement: Form
    cash_flow: Form | None = None  # the cash-flow statement, where the mapping has one
    revaluation: Revaluation | None = None  # the monetary accounts, where the mapping has them


def template_text(chart: str) -> str:
    """Return the text of a chart template's mapping file."""
    return resources.files("beanfirm.templates").joinpath(template_file(chart)).read_text("utf-8")


def has_template(chart: str) -> bool:
    """Return whether the package holds a mapping for a chart."""
    return resources.files("beanfirm.templates").joinpath(template_file(chart)).is_file()


def read_mapping_file(path: Path, filename: str) -> tuple[StatementMapping | None, list[Problem]]:
    """Read a client's mapping file; `filename` is how problems name it."""
    return read_mapping(path.read_text(encoding="utf-8"), filename)


def read_mapping(text: str, filename: str) -> tuple[StatementMapping | None, list[Problem]]:
    """Read a mapping file's text into its forms, or None and the problems found."""
    reader = NodeReader(filename)
    root = reader.compose(text)
    if root is None:
        if not reader.problems:
            reader.problem(None, "the file is empty; it must hold the two statements.")
        return None, reader.problems
    keys = reader.mapping(
        root,
        "the mapping file",
        allowed=("chart", *STATEMENT_KEYS, CASH_FLOW, REVALUATION),
        required=STATEMENT_KEYS,
    )
    revaluation = _revaluation(reader, keys[REVALUATION]) if REVALUATION in keys else None
    chart = reader.string(keys["chart"], "chart") if "chart" in keys else None
    forms = {
        key: _form(reader, key, keys[key]) for key in (*STATEMENT_KEYS, CASH_FLOW) if key in keys
    }
    balance_sheet, income_statement = forms.get(BALANCE_SHEET), forms.get(INCOME_STATEMENT)
    if reader.problems or balance_sheet is None or income_statement is None:
        return None, reader.problems
    cash_flow = forms.get(CASH_FLOW)
    if cash_flow is not None and cash_flow.ties_to is not None:
        number, where = cash_flow.ties_to
        line = next((line for line in balance_sheet.lines if line.number == number), None)
        if line is None or not line.accounts:
            reader.problems.append(
                Problem(
                    filename,
                    where.line,
                    f"{TIES_TO}: {number} is no line of the balance sheet that takes accounts; "
                    "give the line of cash (货币资金).",
                )
            )
            return None, reader.problems
    mapping = StatementMapping(
        filename, chart or "", balance_sheet, income_statement, cash_flow, revaluation
    )
    return mapping, reader.problems


def _revaluation(reader: NodeReader, node: yaml.Node) -> Revaluation | None:
    """Read the `revaluation` section: the monetary accounts' prefixes and the gain-loss account."""
    keys = reader.mapping(node, REVALUATION, allowed=REVALUATION_KEYS, required=REVALUATION_KEYS)
    monetary = tuple(
        prefix
        for item in (reader.sequence(keys["monetary"], "monetary") if "monetary" in keys else [])
        if (prefix := _prefix(reader, item, None, "monetary")) is not None
    )
    gain_loss = reader.string(keys["gain-loss"], "gain-loss") if "gain-loss" in keys else None
    if gain_loss is not None and not (
        _ACCOUNT.fullmatch(gain_loss) and gain_loss.startswith(("Income:", "Expenses:"))
    ):
        reader.problem(
            keys["gain-loss"],
            f"gain-loss: '{gain_loss}' is not an income or expense account; give the account "
            "of exchange gains and losses, such as Expenses:5603-财务费用:汇兑损益.",
        )
        return None
    if gain_loss is None or "monetary" not in keys:
        return None
    return Revaluation(monetary, gain_loss, Problem(reader.filename, line_of(node), ""))


def _form(reader: NodeReader, key: str, node: yaml.Node) -> Form | None:
    cash_keys = ("cash", "opening", "follow", TIES_TO) if key == CASH_FLOW else ()
    keys = reader.mapping(
        node,
        key,
        allowed=("form", "title", "en", "zh", "printed-columns", "lines", *cash_keys),
        required=("title", "lines", *cash_keys[:1]),
    )
    title = reader.string(keys["title"], f"{key} title") if "title" in keys else None
    form = reader.string(keys["form"], f"{key} form") if "form" in keys else None
    en, zh = (
        reader.string(keys[tag], f"{key} {tag}") if tag in keys else None for tag in ("en", "zh")
    )
    lines = [
        line
        for item in (reader.sequence(keys["lines"], f"{key} lines") if "lines" in keys else [])
        if (line := _line(reader, key, item)) is not None
    ]
    _check_references(reader, key, lines)
    cash, opening = (
        tuple(
            prefix
            for item in (reader.sequence(keys[name], name) if name in keys else [])
            if (prefix := _prefix(reader, item, None, name)) is not None
        )
        for name in ("cash", "opening")
    )
    follow = tuple(
        entry
        for item in (reader.sequence(keys["follow"], "follow") if "follow" in keys else [])
        if (entry := _follow(reader, item)) is not None
    )
    if key == CASH_FLOW:
        _check_cash_flow(reader, lines, cash)
    _check_right(reader, key, lines)
    printed = _printed_columns(reader, key, keys.get("printed-columns"))
    if title is None:
        return None
    number = _integer(reader, keys.get(TIES_TO), TIES_TO)
    ties_to = (
        (number, Problem(reader.filename, line_of(keys[TIES_TO]), ""))
        if number is not None
        else None
    )
    return Form(
        key,
        form,
        title,
        en,
        tuple(lines),
        cash,
        opening,
        follow,
        ties_to,
        printed_columns=printed,
        zh=zh,
    )


def _printed_columns(reader: NodeReader, key: str, node: yaml.Node | None) -> tuple[int, int]:
    """Read `printed-columns`: [1, 2], or [2, 1] for a form that prints the year first."""
    if node is None:
        return (1, 2)
    what = f"{key} printed-columns"
    values = tuple(_integer(reader, item, what) for item in reader.sequence(node, what))
    if values == (2, 1):
        return (2, 1)
    if values != (1, 2):
        reader.problem(
            node, f"{what} must be [1, 2] or [2, 1]: the order the printed form gives the columns."
        )
    return (1, 2)


def _line(reader: NodeReader, form: str, node: yaml.Node) -> Line | None:
    where = f"a line of the {form}"
    allowed = (*LINE_KEYS, *CASH_FLOW_LINE_KEYS) if form == CASH_FLOW else LINE_KEYS
    keys = reader.mapping(node, where, allowed=allowed)
    source = Problem(reader.filename, line_of(node), "")
    if "heading" in keys:
        extra = sorted(set(keys) - {"heading", "en", "zh", "right"})
        if extra:
            reader.problem(
                node, f"a heading takes only 'heading', 'en', 'zh' and 'right', not {extra}."
            )
        name = reader.string(keys["heading"], "heading")
        en, zh = (reader.string(keys[tag], tag) if tag in keys else None for tag in ("en", "zh"))
        right = _boolean(reader, keys.get("right"), f"heading {name}: right")
        empty: tuple[str, ...] = ()
        return Line(
            None,
            name or "",
            en,
            empty,
            None,
            negate=False,
            total=(),
            of=None,
            source=source,
            right=right,
            zh=zh,
        )
    number = _integer(reader, keys.get("line"), f"{where}: line")
    if "line" not in keys:
        reader.problem(node, f"{where} has no 'line'; give it the number (行次) the form gives it.")
    name = reader.string(keys["name"], f"line {number}: name") if "name" in keys else None
    if name is None and "name" not in keys:
        reader.problem(node, f"line {number} has no 'name'; write the name the form gives it.")
    has_accounts, has_total = "accounts" in keys, "total" in keys
    exchange = _boolean(reader, keys.get("exchange"), f"line {number}: exchange")
    if exchange and not has_accounts:
        reader.problem(
            node,
            f"line {number}: 'exchange' belongs on a line that takes accounts (give "
            "'accounts: []' for a line of its own).",
        )
        exchange = False
    if has_accounts + has_total + ("balance" in keys) != 1:
        exactly = (
            "'accounts', 'total' or 'balance'" if form == CASH_FLOW else "'accounts' or 'total'"
        )
        reader.problem(node, f"line {number} must have either {exactly} (exactly one of them).")
    accounts = tuple(
        prefix
        for item in (reader.sequence(keys["accounts"], "accounts") if has_accounts else [])
        if (prefix := _prefix(reader, item, number)) is not None
    )
    total = tuple(
        value
        for item in (reader.sequence(keys["total"], "total") if has_total else [])
        if (value := _integer(reader, item, f"line {number}: total")) is not None
    )
    side = reader.choice(keys["side"], f"line {number}: side", SIDES) if "side" in keys else None
    negate = _boolean(reader, keys.get("negate"), f"line {number}: negate")
    of = _integer(reader, keys.get("of"), f"line {number}: of")
    en, zh = (
        reader.string(keys[tag], f"line {number}: {tag}") if tag in keys else None
        for tag in ("en", "zh")
    )
    flow = reader.choice(keys["flow"], f"line {number}: flow", FLOWS) if "flow" in keys else None
    balance = (
        reader.choice(keys["balance"], f"line {number}: balance", BALANCES)
        if "balance" in keys
        else None
    )
    right = _boolean(reader, keys.get("right"), f"line {number}: right")
    if number is None or name is None:
        return None
    return Line(
        number,
        name,
        en,
        accounts,
        side,
        negate,
        total,
        of,
        source,
        flow,
        balance,
        right=right,
        exchange=exchange,
        zh=zh,
    )


def _prefix(
    reader: NodeReader, node: yaml.Node, number: int | None, what: str = "account"
) -> str | None:
    where = f"line {number}" if number is not None else what
    prefix = reader.string(node, f"{where}: account")
    if prefix is not None and not (_CODE.fullmatch(prefix) or _ACCOUNT.fullmatch(prefix)):
        reader.problem(
            node,
            f"{where}: '{prefix}' is neither an account code (digits, such as 1122) nor "
            "an account name (such as Assets:Bank).",
        )
        return None
    return prefix


def _follow(reader: NodeReader, node: yaml.Node) -> Follow | None:
    """Read a `follow` entry: a prefix, or `{account: PREFIX, with: [PREFIX, ...]}`."""
    if not isinstance(node, yaml.MappingNode):
        prefix = _prefix(reader, node, None, "follow")
        return Follow(prefix) if prefix is not None else None
    keys = reader.mapping(
        node, "a follow entry", allowed=("account", "with"), required=("account",)
    )
    prefix = _prefix(reader, keys["account"], None, "follow") if "account" in keys else None
    with_ = tuple(
        found
        for item in (reader.sequence(keys["with"], "follow with") if "with" in keys else [])
        if (found := _prefix(reader, item, None, "follow with")) is not None
    )
    return Follow(prefix, with_) if prefix is not None else None


def _check_cash_flow(reader: NodeReader, lines: list[Line], cash: tuple[str, ...]) -> None:
    """Report a prefix that two cash-flow lines take in the same direction, and a cash account.

    The line with the longest matching prefix takes a movement, so that a narrower prefix
    overrides a wider one, and of a line for the movement's direction and a line for both, the
    first (a prefix on a line of receipts and on one that nets both: disposals); the same
    prefix on two lines for the same directions would leave the choice to chance.
    """
    taken: dict[tuple[str, str | None], Line] = {}
    exchange: dict[str, Line] = {}
    for line in lines:
        for flow in ((line.flow,) if line.flow else FLOWS) if line.exchange else ():
            first_line = exchange.setdefault(flow, line)
            if first_line is not line:
                reader.problems.append(
                    Problem(
                        reader.filename,
                        line.source.line,
                        f"line {line.number} takes the effect of exchange rates ({flow}) that "
                        f"line {first_line.number} takes too; mark one line 'exchange: true' "
                        "for each direction.",
                    )
                )
        if line.flow is not None and not line.takes_flows:
            reader.problems.append(
                Problem(
                    reader.filename,
                    line.source.line,
                    f"line {line.number}: 'flow' belongs on a line that takes accounts, not on "
                    "a total or a balance.",
                )
            )
        if line.side is not None:
            reader.problems.append(
                Problem(
                    reader.filename,
                    line.source.line,
                    f"line {line.number}: a cash-flow line takes 'flow: in' or 'flow: out', "
                    "not 'side'.",
                )
            )
        for prefix in line.accounts:
            if any(prefix_matches(own, prefix) or own == prefix for own in cash):
                reader.problems.append(
                    Problem(
                        reader.filename,
                        line.source.line,
                        f"line {line.number} takes '{prefix}', a cash account: a movement "
                        "between cash accounts is no flow; remove it from the line.",
                    )
                )
            first = taken.setdefault((prefix, line.flow), line)
            if first is not line:
                flows = f"{line.flow}flows" if line.flow else "flows both ways"
                reader.problems.append(
                    Problem(
                        reader.filename,
                        line.source.line,
                        f"line {line.number} takes '{prefix}' for the {flows} that "
                        f"line {first.number} (at line {first.source.line}) takes too; give "
                        "each prefix and direction one line, or a 'flow' to each.",
                    )
                )


def _integer(reader: NodeReader, node: yaml.Node | None, what: str) -> int | None:
    if node is None:
        return None
    value = reader.scalar(node, what)
    if isinstance(value, bool) or not isinstance(value, int):
        reader.problem(node, f"{what} is '{getattr(node, 'value', '')}'; it must be a number.")
        return None
    return value


def _boolean(reader: NodeReader, node: yaml.Node | None, what: str) -> bool:
    if node is None:
        return False
    value = reader.scalar(node, what)
    if not isinstance(value, bool):
        reader.problem(node, f"{what} must be true or false.")
        return False
    return value


def _check_references(reader: NodeReader, form: str, lines: list[Line]) -> None:
    """Report a line number used twice, and totals or parts that name a line not in the form."""
    seen: dict[int, Line] = {}
    for line in lines:
        if line.number is None:
            continue
        if line.number in seen:
            first = seen[line.number].source.line
            reader.problems.append(
                Problem(
                    reader.filename,
                    line.source.line,
                    f"the {form} has line {line.number} twice (also at line {first}); "
                    "number each line once.",
                )
            )
        seen[line.number] = line
    for line in lines:
        for ref in (*(abs(n) for n in line.total), *((line.of,) if line.of else ())):
            if ref not in seen:
                reader.problems.append(
                    Problem(
                        reader.filename,
                        line.source.line,
                        f"line {line.number} refers to line {ref}, which the {form} does not have.",
                    )
                )


def likely_line(lines: list[Line], account: str, *, least: int = 1) -> Line | None:
    """Return the line whose prefixes share the longest start with the account (code or name).

    A line shares at least `least` characters with the account, or it is no hint.
    """
    parts = account.split(":")
    code = parts[1] if len(parts) > 1 and _CODED.match(parts[1]) else None
    best: tuple[int, Line] | None = None
    for line in lines:
        for prefix in line.accounts:
            if prefix_matches(prefix, account):
                continue  # taken only on the other side: not a hint
            against = code if code is not None and prefix.isdigit() else account
            if not prefix.isdigit() and prefix.split(":")[0] != parts[0]:
                continue
            score = len(_common_start(prefix, against or ""))
            if score >= least and (best is None or score > best[0]):
                best = (score, line)
    return best[1] if best else None


def _common_start(first: str, second: str) -> str:
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return first[:length]


def _check_right(reader: NodeReader, form: str, lines: list[Line]) -> None:
    """Report a second line where the printed form's right-hand side would begin."""
    marked = [line for line in lines if line.right]
    for line in marked[1:]:
        reader.problems.append(
            Problem(
                reader.filename,
                line.source.line,
                f"the {form} has its right-hand side begin twice (also at line "
                f"{marked[0].source.line}); mark only the first line of that side 'right: true'.",
            )
        )
