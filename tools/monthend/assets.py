"""The fixed-asset register (`fixed-assets.yaml`) and each asset's depreciation schedule.

The rules are those of 小企业会计准则 (第二十九条 and its 释义): an asset is depreciated from the
month after the one it is put in service (当月增加的固定资产当月不计提折旧, 从下月起计提), and
still in the month it leaves (当月减少的当月照提, 从下月起不计提); never past its cost less its
salvage value, and the last month of its life takes what rounding left over. A schedule is the
list of the life's monthly amounts, to the cent, summing to cost less salvage exactly.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import yaml

from beanfirm.core import paths
from beanfirm.core.yamlnodes import NodeReader, line_of
from beanfirm.errors import Problem
from beanfirm.importers.amounts import AmountError, excess_places, places_problem, plain_amount

if TYPE_CHECKING:
    from collections.abc import Collection
    from pathlib import Path

CENT = Decimal("0.01")
ZERO = Decimal(0)
MONTHS = 12
RATE = re.compile(r"(?P<number>\d+(?:\.\d+)?)(?P<percent>%?)")  # 0.05 or 5%
MAX_LIFE = 1200  # a hundred years: a longer life is a typo
STRAIGHT_LINE = "straight-line"
DOUBLE_DECLINING = "double-declining"
SUM_OF_YEARS = "sum-of-years"
# Each method by its English key and its name in 小企业会计准则.
METHODS = {
    STRAIGHT_LINE: STRAIGHT_LINE,
    "年限平均法": STRAIGHT_LINE,
    DOUBLE_DECLINING: DOUBLE_DECLINING,
    "双倍余额递减法": DOUBLE_DECLINING,
    SUM_OF_YEARS: SUM_OF_YEARS,
    "年数总和法": SUM_OF_YEARS,
}
ASSET_KEYS = (
    "name",
    "account",
    "cost",
    "in-service",
    "method",
    "life-months",
    "salvage",
    "salvage-rate",
    "depreciation-account",
    "expense-account",
    "disposed",
    "opening-depreciation",
    "narration",
)
REQUIRED = (
    "name",
    "account",
    "cost",
    "in-service",
    "life-months",
    "depreciation-account",
    "expense-account",
)
PAGE = "docs/assets.md"


@dataclass(frozen=True)
class FixedAsset:
    """One asset of the register: what it cost, when it served, how it is depreciated."""

    id: str
    name: str
    account: str
    cost: Decimal
    in_service: datetime.date
    method: str
    life_months: int
    salvage: Decimal
    depreciation_account: str
    expense_account: str
    disposed: datetime.date | None
    opening_depreciation: Decimal  # depreciation booked before the books came to beanfirm
    narration: str | None  # the entries' words instead of 计提折旧 (无形资产摊销 ...)
    source: Problem  # the register's file and the asset's line, for messages

    @property
    def depreciable(self) -> Decimal:
        """Return what the asset's life depreciates: cost less salvage."""
        return self.cost - self.salvage

    def schedule(self) -> tuple[Decimal, ...]:
        """Return the depreciation of each month of the asset's life, first month first."""
        return schedule(self.method, self.depreciable, self.cost, self.life_months)

    def depreciation(self, month: datetime.date) -> Decimal:
        """Return the depreciation of a calendar month (any day of it); zero outside the life."""
        index = month_number(month) - month_number(self.in_service)  # 1: the first month
        if index < 1 or index > self.life_months:
            return ZERO
        if self.disposed is not None and month_number(month) > month_number(self.disposed):
            return ZERO
        return self.schedule()[index - 1]

    def depreciated_through(self, day: datetime.date) -> Decimal:
        """Return the scheduled depreciation of the months ended by a day (its own if its last)."""
        ended = day + datetime.timedelta(days=1)  # the month of the day after has not ended
        months = month_number(ended) - 1 - month_number(self.in_service)
        if self.disposed is not None:
            months = min(months, month_number(self.disposed) - month_number(self.in_service))
        months = max(0, min(months, self.life_months))
        return sum(self.schedule()[:months], ZERO)


def month_number(day: datetime.date) -> int:
    """Return a month as a count of months, so that months subtract."""
    return day.year * MONTHS + day.month - 1


# The largest amount an accrual, a formula or a register takes: well past any small
# enterprise's books, and short of the 28 digits Decimal works to (a cent of 10^26 is not).
LARGEST = Decimal("999999999999999.99")


def cents(number: Decimal) -> Decimal:
    """Round to the cent, half up, as the forms do."""
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def schedule(method: str, depreciable: Decimal, cost: Decimal, life: int) -> tuple[Decimal, ...]:
    """Return the monthly depreciation of a life, summing to `depreciable` exactly.

    Straight-line: the same amount each month. Double-declining: twice the straight-line rate
    on the year's opening net book value, then straight-line over the last two years (as
    小企业会计准则 has it). Sum-of-years: the remaining years over their sum. The yearly methods
    spread each year evenly over its twelve months; the last month of each year, and of the
    life, takes what rounding left.
    """
    if method == STRAIGHT_LINE:
        return _spread(depreciable, life)
    years = life // MONTHS
    if method == SUM_OF_YEARS:
        total = years * (years + 1) // 2
        yearly = [cents(depreciable * (years - n) / total) for n in range(years)]
    else:  # double-declining
        yearly = []
        book = cost
        for _year in range(years - 2):
            amount = min(cents(book * 2 / years), max(ZERO, book - (cost - depreciable)))
            yearly.append(amount)
            book -= amount
        rest = depreciable - sum(yearly, ZERO)
        half = cents(rest / 2)
        yearly += [half, rest - half][: years - len(yearly)]
    yearly[-1] += depreciable - sum(yearly, ZERO)  # what rounding left
    return tuple(month for amount in yearly for month in _spread(amount, MONTHS))


def _spread(total: Decimal, months: int) -> tuple[Decimal, ...]:
    """Spread an amount evenly over months, to the cent; the last month takes the remainder."""
    each = cents(total / months)
    amounts: list[Decimal] = []
    left = total
    for _ in range(months - 1):
        amount = min(each, left)
        amounts.append(amount)
        left -= amount
    amounts.append(left)
    return tuple(amounts)


def load_register(
    client_id: str, client_dir: Path, opened: Collection[str], *, currency: str
) -> tuple[list[FixedAsset], list[Problem]]:
    """Read a client's register from its folder (none when it has no register).

    `currency` is the client's, in which its amounts are read (`read_amount`).
    """
    name = paths.fixed_assets_file(client_id)
    register = client_dir / PurePosixPath(name).name
    if not register.is_file():
        return [], []
    return read_register(register.read_text(encoding="utf-8"), name, opened, currency=currency)


def read_register(
    text: str, filename: str, opened: Collection[str], *, currency: str
) -> tuple[list[FixedAsset], list[Problem]]:
    """Read a register's text into its assets, with every problem found (file:line, what to do).

    `opened` are the ledger's accounts: an asset naming another account is refused.
    """
    reader = NodeReader(filename)
    assets = [
        asset
        for key, value, line in named_items(reader, text, "assets", "asset's id")
        if (asset := _asset(reader, key, value, opened, line, currency)) is not None
    ]
    return assets, reader.problems


def named_items(
    reader: NodeReader, text: str, top: str, what: str, page: str = PAGE
) -> list[tuple[str, yaml.Node, int]]:
    """Return the items of a file's one top key, a mapping by name: name, fields, line.

    An empty file or key has none; a name given twice is a problem at each of its lines.
    """
    root = reader.compose(text)
    if root is None or (isinstance(root, yaml.ScalarNode) and not root.value):
        return []
    node = reader.mapping(root, f"the {top} file", allowed=(top,)).get(top)
    if node is None or (isinstance(node, yaml.ScalarNode) and not node.value):
        return []
    if not isinstance(node, yaml.MappingNode):
        reader.problem(node, f"{top} must map each {what} to its fields (see {page}).")
        return []
    names = [str(key.value) for key, _value in node.value]
    found: list[tuple[str, yaml.Node, int]] = []
    for key, value in node.value:
        name = str(key.value)
        if names.count(name) == 1:
            found.append((name, value, line_of(key)))
            continue
        lines = [str(line_of(other)) for other, _ in node.value if str(other.value) == name]
        reader.problem(
            key,
            f"{what} {name} is given {len(lines)} times in {top} (lines {', '.join(lines)}); "
            "keep one, or give the others an id of their own.",
        )
    return found


def _asset(
    reader: NodeReader,
    asset_id: str,
    node: yaml.Node,
    opened: Collection[str],
    line: int,
    currency: str,
) -> FixedAsset | None:
    where = f"asset {asset_id}"
    keys = reader.mapping(node, where, allowed=ASSET_KEYS, required=REQUIRED)
    before = len(reader.problems)
    name = reader.string(keys["name"], f"{where}: name") if "name" in keys else None
    words = reader.string(keys["narration"], f"{where}: narration") if "narration" in keys else None
    accounts = {
        key: read_account(reader, keys.get(key), f"{where}: {key}", opened) or ""
        for key in ("account", "depreciation-account", "expense-account")
    }
    cost = read_amount(reader, keys.get("cost"), f"{where}: cost", currency)
    if cost is not None and cost <= 0:
        reader.problem(keys["cost"], f"{where}: cost is {cost}; give what the asset cost, above 0.")
    in_service = _date(reader, keys.get("in-service"), f"{where}: in-service")
    disposed = _date(reader, keys.get("disposed"), f"{where}: disposed")
    if in_service and disposed and disposed < in_service:
        reader.problem(
            keys["disposed"],
            f"{where} is disposed of on {disposed}, before it was put in service on "
            f"{in_service}; correct one of the two dates.",
        )
    method = _method(reader, keys.get("method"), where)
    life = _life(reader, keys.get("life-months"), where, method)
    salvage = _salvage(reader, keys, where, cost, currency)
    opening = read_amount(
        reader, keys.get("opening-depreciation"), f"{where}: opening-depreciation", currency
    )
    if (
        opening is not None
        and cost is not None
        and salvage is not None
        and not ZERO <= opening <= cost - salvage
    ):
        reader.problem(
            keys["opening-depreciation"],
            f"{where}: opening-depreciation {opening} is outside 0 to cost less salvage "
            f"({cost - salvage}); give the depreciation booked before, as the books have it.",
        )
    if (
        len(reader.problems) > before
        or name is None
        or cost is None
        or in_service is None
        or life is None
        or salvage is None
    ):
        return None
    return FixedAsset(
        id=asset_id,
        name=name,
        account=accounts["account"],
        cost=cost,
        in_service=in_service,
        method=method,
        life_months=life,
        salvage=salvage,
        depreciation_account=accounts["depreciation-account"],
        expense_account=accounts["expense-account"],
        disposed=disposed,
        opening_depreciation=opening or ZERO,
        narration=words,
        source=Problem(reader.filename, line, ""),
    )


def read_account(
    reader: NodeReader, node: yaml.Node | None, what: str, opened: Collection[str]
) -> str | None:
    """Read an account the ledger opens; another is a problem with the nearest one named."""
    if node is None:
        return None
    account = reader.string(node, what)
    if account is not None and account not in opened:
        close = difflib.get_close_matches(account, list(opened), n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]}?" if close else ""
        reader.problem(
            node,
            f"{what} is {account}, which the ledger does not open.{hint} Name an account of "
            "the client's chart (accounts.beancount), or open it there first.",
        )
        return None
    return account


def read_amount(
    reader: NodeReader, node: yaml.Node | None, what: str, currency: str
) -> Decimal | None:
    """Read an amount as written, to the cent at most and within its currency's places.

    Read from the text of the node, never through the number YAML would make of it (`1e3` and
    `49767.234` are YAML floats), and as the importers and the command line read an amount
    (`plain_amount`): what half-parses (`4,9767.23`, `8,0,0,0`, `1e3`) is refused, not guessed.
    """
    if node is None:
        return None
    text = reader.string(node, what)
    if text is None:
        return None
    try:
        number = plain_amount(text)
    except AmountError:
        reader.problem(
            node,
            f"{what} is '{text}', not an amount; write it as 12000.00 or 12,000.00 "
            "(commas only between groups of three digits, no exponent).",
        )
        return None
    if abs(number) > LARGEST:
        reader.problem(
            node, f"{what} is {text}, more than any amount the books take ({LARGEST}): check it."
        )
        return None
    places = excess_places(number, currency)
    if places is not None:
        reader.problem(node, f"{what} is {text}: {places_problem(currency, places)}.")
        return None
    if number != number.quantize(CENT):
        reader.problem(node, f"{what} is {text}: an amount has at most two decimals (cents).")
        return None
    return number


def _date(reader: NodeReader, node: yaml.Node | None, what: str) -> datetime.date | None:
    if node is None:
        return None
    text = reader.string(node, what)
    try:
        return datetime.date.fromisoformat(text or "")
    except ValueError:
        reader.problem(node, f"{what} is '{text}', not a date; write it as YYYY-MM-DD.")
        return None


def _method(reader: NodeReader, node: yaml.Node | None, where: str) -> str:
    if node is None:
        return STRAIGHT_LINE
    method = reader.choice(node, f"{where}: method", METHODS)
    return METHODS[method] if method else STRAIGHT_LINE


def _life(reader: NodeReader, node: yaml.Node | None, where: str, method: str) -> int | None:
    if node is None:
        return None
    text = reader.string(node, f"{where}: life-months")
    life = int(text) if text and text.lstrip("-").isdigit() else None
    if life is None or not 0 < life <= MAX_LIFE:
        reader.problem(
            node,
            f"{where}: life-months is '{text}'; give the useful life in months, from 1 to "
            f"{MAX_LIFE} (60 for five years).",
        )
        return None
    if method != STRAIGHT_LINE and (life % MONTHS or life < 2 * MONTHS):
        reader.problem(
            node,
            f"{where}: life-months is {life}; the method {method} depreciates by years: give "
            "whole years of at least two (24, 36, 60 ...), or use straight-line.",
        )
        return None
    return life


def _salvage(
    reader: NodeReader,
    keys: dict[str, yaml.Node],
    where: str,
    cost: Decimal | None,
    currency: str,
) -> Decimal | None:
    if "salvage" in keys and "salvage-rate" in keys:
        reader.problem(keys["salvage"], f"{where}: give salvage or salvage-rate, not both.")
        return None
    if "salvage-rate" in keys:
        node = keys["salvage-rate"]
        text = reader.string(node, f"{where}: salvage-rate")
        written = RATE.fullmatch(text or "")  # `5e-2` or `0,05` is no rate to guess at
        rate = Decimal(written["number"]) / (100 if written["percent"] else 1) if written else -1
        if not ZERO <= rate < 1:
            reader.problem(
                node,
                f"{where}: salvage-rate is '{text}'; give a rate from 0 to below 1 (0.05 or 5%).",
            )
            return None
        return cents(cost * rate) if cost is not None else None
    salvage = read_amount(reader, keys.get("salvage"), f"{where}: salvage", currency)
    if salvage is None:
        return None if "salvage" in keys else ZERO
    if cost is not None and not ZERO <= salvage < cost:
        reader.problem(
            keys["salvage"],
            f"{where}: salvage {salvage} is not below its cost {cost}; an asset worth its "
            "cost at the end of its life is not depreciated. Give the salvage value, from 0.",
        )
        return None
    return salvage
