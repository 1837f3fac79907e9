"""Reading a trial balance (科目余额表) exported by an accounting package: its lines' balances.

A trial balance lists every account with its balance, debit or credit. The layouts read here:

- 易代账, 金蝶 (Kingdee) and 用友 (Yonyou): `科目编码`, `科目名称`, then groups of columns
  `期初余额`, `本期发生额`, `本年累计`, `期末余额`, each split into `借方` and `贷方` (a second
  header row under merged cells, or one row such as `期初借方`/`期初余额(借方)`), or given as a
  `方向` (借/贷/平) and an unsigned `余额`;
- QuickBooks: a title and date above a header whose account column is unnamed, then `Debit`
  and `Credit`, the account number in front of the name (`1010 Checking`), a `TOTAL` row;
- Xero: `Account`, `Debit`, `Credit`, `YTD Debit`, `YTD Credit` (the year-to-date pair is the
  balance at the report's date), the code after the name (`Sales (200)`) or in `Account Code`,
  sections with their headings and `Total …` rows.

Which pair of columns holds the balances: the only balance group the file has, the year-to-date
one when there is one, else the caller says (`opening` for 期初, `closing` for 期末).

Every row after the header is accounted for: a line with a balance, or skipped with a reason (a
heading or an account without a balance, a subtotal, what follows the grand total). A cell that
is not an amount is an error, never a zero. A line whose code starts another line's code is a
parent (`1002 银行存款` over `100201 工商银行`): it must equal the sum of its sub-accounts, and
only the sub-accounts are booked. A grand total row must equal the sum of the top-level lines,
and debits must equal credits to the cent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from beanfirm.errors import StatementError
from beanfirm.importers.amounts import AmountError, clean, parse_amount
from beanfirm.importers.sheets import XLS_MAGIC, XLSX_MAGIC, xls_rows, xlsx_rows
from beanfirm.importers.statement import SkippedRow
from beanfirm.importers.table import DELIMITERS, HEADER_SEARCH_ROWS, Row, csv_rows
from beanfirm.importers.textfile import decode_statement

ZERO = Decimal(0)
Group = Literal["opening", "closing", "year-opening", "movement", "ytd", "plain"]
Role = Literal["debit", "credit", "direction", "balance"]
BALANCE_GROUPS: tuple[Group, ...] = ("opening", "closing", "year-opening", "ytd", "plain")
COLUMN_CHOICES = ("opening", "closing")
CODE_HEADERS = frozenset(
    {"科目编码", "科目代码", "科目编号", "编码", "代码", "accountcode", "code", "accountno.",
     "accountnumber", "account#", "no.", "number"}
)  # fmt: skip
NAME_HEADERS = frozenset({"科目名称", "名称", "科目", "account", "accountname", "name"})
GRAND_TOTALS = frozenset({"total", "合计", "总计", "借贷合计", "grandtotal", "totals", "总合计"})
CJK_TOTALS = ("合计", "总计", "小计")
DEBIT_WORDS = ("借", "dr", "debit", "d")
CREDIT_WORDS = ("贷", "cr", "credit", "c")
LEVEL_WORDS = ("平", "-", "")
CODE_FIRST = re.compile(r"^(?P<code>\d[\d.\-]*)\s+(?P<name>\S.*)$")
CODE_LAST = re.compile(r"^(?P<name>.*\S)\s*[(\uff08](?P<code>\d[\d.\-]*)[)\uff09]$")
GROUP_NAMES: dict[Group, str] = {
    "opening": "期初 (opening)",
    "closing": "期末 (closing)",
    "year-opening": "年初 (start of year)",
    "movement": "发生额 (movements)",
    "ytd": "YTD",
    "plain": "Debit/Credit",
}


@dataclass(frozen=True)
class TrialLine:
    """One account of a trial balance: its balance, debit positive and credit negative."""

    line: int
    code: str | None
    name: str
    balance: Decimal
    currency: str | None = None

    @property
    def label(self) -> str:
        """The account as the file names it: `1002 银行存款`."""
        return f"{self.code} {self.name}".strip() if self.code else self.name

    @property
    def side(self) -> str:
        """`debit`, `credit` or `zero`."""
        return "debit" if self.balance > 0 else "credit" if self.balance < 0 else "zero"


@dataclass(frozen=True)
class TrialBalance:
    """The lines of a trial balance file and what else its rows held."""

    filename: str
    columns: str  # which columns the balances come from, in words
    lines: tuple[TrialLine, ...]  # the accounts booked: leaves, with or without a balance
    parents: tuple[TrialLine, ...] = ()  # lines that sum their sub-accounts (checked)
    skipped: tuple[SkippedRow, ...] = ()

    @property
    def debits(self) -> Decimal:
        """The sum of the debit balances."""
        return sum((line.balance for line in self.lines if line.balance > 0), ZERO)

    @property
    def credits(self) -> Decimal:
        """The sum of the credit balances (positive)."""
        return -sum((line.balance for line in self.lines if line.balance < 0), ZERO)

    @property
    def rows(self) -> int:
        """How many rows after the header were read: lines, parents and skipped rows."""
        return len(self.lines) + len(self.parents) + len(self.skipped)


@dataclass
class _Layout:
    """Where the columns are, from the header row (and the row under it, if it splits them)."""

    header_line: int
    body_start: int  # index of the first row after the header rows
    code: int | None
    name: int
    groups: dict[Group, dict[Role, int]] = field(default_factory=dict)

    def balance_groups(self) -> list[Group]:
        """Return the groups of columns that give a balance (a pair, or direction and amount)."""
        found: list[Group] = []
        for group, roles in self.groups.items():
            if group in BALANCE_GROUPS and (
                {"debit", "credit"} <= roles.keys() or {"direction", "balance"} <= roles.keys()
            ):
                found.append(group)
        return found


def read_trial_balance(data: bytes, filename: str, column: str | None = None) -> TrialBalance:
    """Read a trial balance file (CSV in any encoding, XLSX or XLS); raise on anything unsure.

    `column` chooses the balances of a file with both `opening` (期初) and `closing` (期末).
    """
    rows = table_rows(data, filename)
    layout = _layout(rows, filename)
    group = _group(layout, column, filename)
    roles = layout.groups[group]
    reader = _LineReader(filename, layout, roles)
    for row in rows[layout.body_start :]:
        reader.read(row)
    lines, parents = _leaves(reader.lines, filename)
    balance = TrialBalance(
        filename,
        _describe(group, roles),
        tuple(lines),
        tuple(parents),
        tuple(reader.skipped),
    )
    _check_total(balance, reader, lines)
    counted = sum(1 for row in rows[layout.body_start :] if not row.is_blank())
    if counted != balance.rows:  # an independent count: no row is lost without a word
        raise StatementError(
            filename,
            None,
            f"{counted} rows follow the header but {balance.rows} were read or skipped; the "
            "file cannot be read safely. Export it again, or report this file.",
        )
    if balance.debits != balance.credits:
        raise StatementError(
            filename,
            None,
            f"the debit balances add up to {balance.debits:,} and the credit balances to "
            f"{balance.credits:,}, a difference of {balance.debits - balance.credits:,}. A "
            "trial balance whose debits and credits differ cannot open the books; export it "
            "again from the accounting package, with every account.",
        )
    return balance


def table_rows(
    data: bytes, filename: str, find_header: Callable[[Sequence[Row]], int | None] | None = None
) -> list[Row]:
    """Return the rows of a CSV (any encoding), XLSX or XLS file.

    A CSV's delimiter is the first that shows a header (`find_header`, by default a trial
    balance's).
    """
    find_header = find_header or _header_index
    if data.startswith(XLSX_MAGIC):
        return xlsx_rows(data, filename)
    if data.startswith(XLS_MAGIC):
        return xls_rows(data, filename)
    text = decode_statement(data, filename)
    best: list[Row] | None = None
    for delimiter in DELIMITERS:
        try:
            rows = csv_rows(text, delimiter, filename)
        except StatementError:
            continue
        if find_header(rows) is not None:
            return rows
        best = best or rows
    if best is None:
        return csv_rows(text, DELIMITERS[0], filename)  # raises the reader's own error
    return best


def normalized(cell: str) -> str:
    """Return a header cell as compared: lower case, without spaces, brackets and colons."""
    text = clean(cell).lstrip("\ufeff").casefold()
    return re.sub(r"[\s()\uff08\uff09:\uff1a_\[\]]", "", text)


def _role(label: str) -> Role | None:
    if "方向" in label or label.endswith("dr/cr"):
        return "direction"
    if label.endswith(("借方", "debit")) or label in ("借", "dr"):
        return "debit"
    if label.endswith(("贷方", "credit")) or label in ("贷", "cr"):
        return "credit"
    if label.endswith(("余额", "金额", "balance")):
        return "balance"
    return None


def _group(layout: _Layout, column: str | None, filename: str) -> Group:
    found = layout.balance_groups()
    where = f"the header (line {layout.header_line})"
    if not found:
        raise StatementError(
            filename,
            layout.header_line,
            "this header has no balance columns that beanfirm reads: a debit and a credit "
            "column (借方/贷方, Debit/Credit), or a direction (方向) and a balance (余额). "
            "Export the trial balance with them.",
        )
    if column is not None:
        wanted: Group = "opening" if column == "opening" else "closing"
        if wanted not in found:
            names = ", ".join(GROUP_NAMES[group] for group in found)
            raise StatementError(
                filename,
                layout.header_line,
                f"--column {column} asks for the {GROUP_NAMES[wanted]} balances, but {where} "
                f"has only: {names}. Leave out --column, or export the other balances.",
            )
        return wanted
    if "ytd" in found:
        return "ytd"
    if len(found) == 1:
        return found[0]
    if "opening" in found and "closing" in found:
        raise StatementError(
            filename,
            layout.header_line,
            "the file has both 期初 (opening) and 期末 (closing) balances. Say which are the "
            "balances the new books open with: --column closing for a trial balance of the "
            "period that ends on --date, --column opening for one of the period that starts "
            "the day after.",
        )
    chosen = [group for group in ("closing", "opening", "plain") if group in found]
    return chosen[0] if chosen else found[0]


def _describe(group: Group, roles: dict[Role, int]) -> str:
    how = "direction and balance" if "direction" in roles else "debit and credit"
    return f"{GROUP_NAMES[group]} {how}"


def _header_index(rows: Sequence[Row]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        labels = [normalized(cell) for cell in row.cells]
        names = [label for label in labels if label in NAME_HEADERS or label in CODE_HEADERS]
        amounts = [label for label in labels if _role(label) is not None]
        below = rows[index + 1] if index + 1 < len(rows) else Row(0, ())
        split = [normalized(cell) for cell in below.cells if _role(normalized(cell))]
        if names and (amounts or split):
            return index
        # QuickBooks: an unnamed account column, then Debit and Credit.
        if labels and not labels[0] and "debit" in labels and "credit" in labels:
            return index
    return None


def _layout(rows: Sequence[Row], filename: str) -> _Layout:
    index = _header_index(rows)
    if index is None:
        raise StatementError(
            filename,
            None,
            "no header row of a trial balance was found in its first "
            f"{HEADER_SEARCH_ROWS} rows: one naming the account (科目编码/科目名称, Account, "
            "Account Code) and its balances (借方/贷方, 方向/余额, Debit/Credit). Export the "
            "trial balance (科目余额表) as CSV or XLSX with its header.",
        )
    header = rows[index]
    labels = [normalized(cell) for cell in header.cells]
    body_start = index + 1
    sub: list[str] = []
    if body_start < len(rows):
        below = [normalized(cell) for cell in rows[body_start].cells]
        filled = [label for label in below if label]
        # A second header row names only sides (借方/贷方, 方向/余额): no account, no number.
        if filled and all(_role(label) and not any(map(str.isdigit, label)) for label in filled):
            sub = below
            body_start += 1
    code = next((i for i, label in enumerate(labels) if label in CODE_HEADERS), None)
    name = next((i for i, label in enumerate(labels) if label in NAME_HEADERS), None)
    if name is None:
        name = 0 if code != 0 else 1
    layout = _Layout(header.line, body_start, code, name)
    found: list[tuple[int, Role, str]] = []
    carried = ""
    for position in range(max(len(labels), len(sub))):
        top = labels[position] if position < len(labels) else ""
        if position in (code, name):
            carried = ""
            continue
        carried = top or carried
        label = (top or (carried if sub else "")) + (sub[position] if position < len(sub) else "")
        role = _role(label)
        if role is not None:
            found.append((position, role, label))
    for index, (position, role, label) in enumerate(found):
        group = _group_of(label)
        if role == "direction" and group == "plain":
            # A bare `方向` column belongs to the balance column after it (`方向`, `期初余额`).
            later = [_group_of(other) for _, kind, other in found[index + 1 :] if kind == "balance"]
            group = later[0] if later else group
        layout.groups.setdefault(group, {}).setdefault(role, position)
    return layout


def _group_of(label: str) -> Group:
    if "年初" in label:
        return "year-opening"
    if "本期" in label or "发生" in label or "累计" in label or "movement" in label:
        return "movement"
    if "期初" in label or "opening" in label or "beginning" in label:
        return "opening"
    if "期末" in label or "closing" in label or "ending" in label:
        return "closing"
    if "ytd" in label or "yeartodate" in label:
        return "ytd"
    return "plain"


@dataclass
class _LineReader:
    """Reads the rows under the header one by one."""

    filename: str
    layout: _Layout
    roles: dict[Role, int]
    lines: list[TrialLine] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    total: tuple[int, Decimal, Decimal] | None = None  # line, debit, credit
    checked_total: bool = False  # the total row states debits and credits to check

    def cell(self, row: Row, position: int | None) -> str:
        if position is None or position >= len(row.cells):
            return ""
        return clean(row.cells[position])

    def read(self, row: Row) -> None:
        if row.is_blank():
            return
        if self.total is not None:
            self.after_total(row)
            return
        name = self.cell(row, self.layout.name)
        code = self.cell(row, self.layout.code) or None
        first = next((clean(cell) for cell in row.cells if clean(cell)), "")
        amounts = self.amounts(row)
        if is_total(first):
            self.total_row(row, first, amounts)
            return
        if code is None:
            code, name = _split_code(name)
        if amounts is None:
            what = "a heading or an account without a balance" if name or code else "no account"
            self.skipped.append(SkippedRow(row.line, what))
            return
        if not name and not code:
            raise StatementError(
                self.filename,
                row.line,
                "this row has a balance but no account code or name. Fill in the account, or "
                "export the trial balance again.",
            )
        number, currency = amounts
        self.lines.append(TrialLine(row.line, code, name or code or "", number, currency))

    def amounts(self, row: Row) -> tuple[Decimal, str | None] | None:
        """Return the row's balance (debit positive), or None when its balance cells are empty."""
        if "direction" in self.roles:
            return self.directed(row)
        debit = self.money(row, "debit")
        credit = self.money(row, "credit")
        if debit is None and credit is None:
            return None
        currencies = {money[1] for money in (debit, credit) if money and money[1]}
        if len(currencies) > 1:
            raise StatementError(
                self.filename, row.line, f"the debit and credit name two currencies: {currencies}."
            )
        number = (debit[0] if debit else ZERO) - (credit[0] if credit else ZERO)
        return number, next(iter(currencies), None)

    def directed(self, row: Row) -> tuple[Decimal, str | None] | None:
        balance = self.money(row, "balance")
        direction = self.cell(row, self.roles["direction"]).casefold()
        if balance is None:
            return None
        number, currency = balance
        if direction in DEBIT_WORDS:
            return number, currency
        if direction in CREDIT_WORDS:
            return -number, currency
        if direction in LEVEL_WORDS and number == 0:
            return ZERO, currency
        raise StatementError(
            self.filename,
            row.line,
            f"the direction (方向) is {direction or 'empty'!r} for a balance of {number}: it "
            "must be 借 (debit) or 贷 (credit), or 平 for a zero balance. Correct the cell or "
            "export the file again.",
        )

    def money(self, row: Row, role: Role) -> tuple[Decimal, str | None] | None:
        position = self.roles.get(role)
        text = self.cell(row, position)
        try:
            money = parse_amount(text)
        except AmountError as exc:
            raise StatementError(
                self.filename,
                row.line,
                f"the {role} cell {text!r} is not an amount ({exc}). A cell that is not an "
                "amount is never read as zero: correct it, or export the file again.",
            ) from exc
        return None if money is None else (money.number, money.currency)

    def total_row(self, row: Row, first: str, amounts: tuple[Decimal, str | None] | None) -> None:
        if normalized(first) not in GRAND_TOTALS:
            self.skipped.append(SkippedRow(row.line, f"a subtotal ({first})"))
            return
        self.skipped.append(SkippedRow(row.line, "the grand total, checked against the lines"))
        self.total = (row.line, ZERO, ZERO)
        if "direction" in self.roles or amounts is None:
            return  # a total of directed balances says nothing to check
        debit = self.money(row, "debit")
        credit = self.money(row, "credit")
        self.total = (row.line, debit[0] if debit else ZERO, credit[0] if credit else ZERO)
        self.checked_total = True

    def after_total(self, row: Row) -> None:
        if self.amounts(row) is not None and (
            self.cell(row, self.layout.code) or CODE_FIRST.match(self.cell(row, self.layout.name))
        ):
            line = self.total[0] if self.total else 0
            raise StatementError(
                self.filename,
                row.line,
                f"an account with a balance follows the grand total (line {line}): the file "
                "holds more than one table, or its rows are out of order. Export it again.",
            )
        self.skipped.append(SkippedRow(row.line, "after the grand total"))


def is_total(first: str) -> bool:
    """Tell a total row: `合计`, `资产类合计`, `Total Assets`, never `Totally Fresh Ltd`."""
    text = normalized(first)
    words = clean(first).casefold().split()
    return (
        text in GRAND_TOTALS
        or text.startswith(CJK_TOTALS)
        or text.endswith(CJK_TOTALS)
        or words[:1] == ["total"]
    )


def _split_code(name: str) -> tuple[str | None, str]:
    """Split an account number off a name: `1010 Checking`, `Sales (200)`."""
    for pattern in (CODE_FIRST, CODE_LAST):
        found = pattern.match(name)
        if found:
            return found["code"], found["name"].strip()
    return None, name


def _by_code(lines: Sequence[TrialLine]) -> dict[str, TrialLine]:
    """Return the lines by code (the first of two with one code)."""
    coded: dict[str, TrialLine] = {}
    for line in lines:
        if line.code:
            coded.setdefault(line.code, line)
    return coded


def _leaves(lines: list[TrialLine], filename: str) -> tuple[list[TrialLine], list[TrialLine]]:
    """Split lines into the accounts to book and the parents that sum them; check the sums."""
    coded = _by_code(lines)
    children: dict[int, list[TrialLine]] = {}
    for line in sorted(coded.values(), key=lambda line: line.code or ""):
        parent = _parent(line, coded)
        if parent is not None:
            children.setdefault(parent.line, []).append(line)
    by_line = {line.line: line for line in lines}
    for parent_line, kids in sorted(children.items()):
        parent = by_line[parent_line]
        total = sum((kid.balance for kid in kids), ZERO)
        if total != parent.balance:
            shown = ", ".join(str(kid.line) for kid in kids)
            raise StatementError(
                filename,
                parent.line,
                f"{parent.label} shows a balance of {parent.balance:,} (debit positive), but its "
                f"sub-accounts (lines {shown}) add up to {total:,}. The file is incomplete or was "
                "edited: export it again with every level of accounts, or with the lowest level "
                "(末级科目) only.",
            )
    leaves = [line for line in lines if line.line not in children]
    parents = [by_line[number] for number in sorted(children)]
    return leaves, parents


def _parent(line: TrialLine, coded: Mapping[str, TrialLine]) -> TrialLine | None:
    """Return the line whose code is the longest that starts this line's code, if any."""
    code = line.code or ""
    for length in range(len(code) - 1, 0, -1):
        found = coded.get(code[:length])
        if found is not None:
            return found
    return None


def top_level(lines: Sequence[TrialLine], parents: Sequence[TrialLine]) -> list[TrialLine]:
    """Return the lines that no other line sums: what a grand total adds up."""
    everything = sorted([*lines, *parents], key=lambda line: line.line)
    coded = _by_code(everything)
    return [line for line in everything if not line.code or _parent(line, coded) is None]


def _check_total(balance: TrialBalance, reader: _LineReader, lines: list[TrialLine]) -> None:
    if reader.total is None or not reader.checked_total:
        return
    line, debit, credit = reader.total
    tops = top_level(lines, balance.parents)
    debits = sum((top.balance for top in tops if top.balance > 0), ZERO)
    credited = -sum((top.balance for top in tops if top.balance < 0), ZERO)
    if (debit, credit) != (debits, credited):
        raise StatementError(
            balance.filename,
            line,
            f"the total row says debits {debit:,} and credits {credit:,}, but the accounts "
            f"above it add up to {debits:,} and {credited:,}. Rows are missing or were edited: "
            "export the trial balance again.",
        )
