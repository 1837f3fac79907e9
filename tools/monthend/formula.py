"""The formulas of accrual templates: a small arithmetic over accounts, evaluated on Decimals.

A formula is a Python expression read with `ast` and walked node by node: numbers (read from
their text, never through a float), `+ - * /`, parentheses, and the calls `balance('A')`
(the account's balance at the month's end, its subaccounts included), `activity('A')` (what
was posted to it in the month, closing entries left out), `round(x, 2)`, `max(x, y)` and
`min(x, y)`. Anything else (a name, an attribute, another call, a comparison) is refused when
the template is read, so that a template can never run code. `MonthFigures` reads those
balances and that activity from a ledger in one pass.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, DivisionByZero, DivisionUndefined, InvalidOperation
from typing import TYPE_CHECKING, NoReturn

from beancount.core import data

from beanfirm.monthend.assets import LARGEST
from beanfirm.monthend.closing import TAG as CLOSING_TAG

if TYPE_CHECKING:
    from collections.abc import Callable

    from beanfirm.core.beans import Entries
    from beanfirm.monthend.closing import Period

MAX_LENGTH = 500
MAX_PLACES = 10  # round(x, places): past that, Decimal's 28 digits run out
ACCOUNT_CALLS = ("balance", "activity")
NUMBER_CALLS = ("round", "max", "min")
_OPERATORS: dict[type[ast.operator], Callable[[Decimal, Decimal], Decimal]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


class FormulaError(ValueError):
    """A formula that is not allowed, or that cannot be evaluated; the message says why."""


@dataclass(frozen=True)
class Formula:
    """A checked formula: its text, its tree, and the accounts it reads."""

    text: str
    tree: ast.expr
    accounts: tuple[str, ...]

    def evaluate(
        self, balance: Callable[[str], Decimal], activity: Callable[[str], Decimal]
    ) -> Decimal:
        """Return the formula's value, given how to read an account's balance and activity."""
        try:
            value = _value(self.tree, self.text, {"balance": balance, "activity": activity})
        except (DivisionByZero, DivisionUndefined):
            msg = f"the formula {self.text!r} divides by zero for this month"
            raise FormulaError(msg) from None
        except InvalidOperation:
            msg = f"the formula {self.text!r} comes to a number too large to compute"
            raise FormulaError(msg) from None
        if abs(value) > LARGEST:
            msg = (
                f"the formula {self.text!r} comes to {value:.4E} for this month, more than any "
                f"amount the books take ({LARGEST}); check it"
            )
            raise FormulaError(msg)
        return value


def parse_formula(text: str) -> Formula:
    """Read and check a formula (raises FormulaError saying what is not allowed)."""
    if len(text) > MAX_LENGTH:  # deeper than that, the walk below would run out of stack
        msg = f"the formula {text[:40]!r}... is longer than {MAX_LENGTH} characters"
        raise FormulaError(msg)
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        msg = f"the formula {text!r} is not an expression ({exc.msg})"
        raise FormulaError(msg) from None
    except (ValueError, RecursionError, MemoryError):  # a number of 5,000 digits, 500 brackets
        msg = f"the formula {text[:40]!r}... is too long or too deep; write it shorter"
        raise FormulaError(msg) from None
    accounts: list[str] = []
    names: set[int] = set()  # the calls' names and the account names (the one place for text)
    for node in ast.walk(tree):  # breadth first: a call before its arguments
        _check(node, text, accounts, names)
    return Formula(text.strip(), tree, tuple(dict.fromkeys(accounts)))


def _check(node: ast.AST, text: str, accounts: list[str], names: set[int]) -> None:
    allowed = (ast.BinOp, ast.UnaryOp, ast.Constant, ast.Call, ast.Name, *_OPERATORS)
    if isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.USub | ast.UAdd):
        _refuse(text, "only + - * / are allowed")
    if isinstance(node, ast.unaryop | ast.expr_context):
        return
    if not isinstance(node, allowed):
        _refuse(text, f"{type(node).__name__.lower()} is not allowed")
    if isinstance(node, ast.Constant) and id(node) not in names:
        _check_number(node, text)
    if isinstance(node, ast.Name) and id(node) not in names:
        known = node.id in (*ACCOUNT_CALLS, *NUMBER_CALLS)
        _refuse(
            text,
            f"{node.id} is a call, {node.id}(...)" if known else f"the name {node.id!r} is unknown",
        )
    if isinstance(node, ast.Call):
        _check_call(node, text, accounts, names)


def _check_number(node: ast.Constant, text: str) -> None:
    literal = ast.get_source_segment(text.strip(), node) or ""
    try:
        ok = type(node.value) in {int, float} and Decimal(literal.replace("_", "")).is_finite()
    except InvalidOperation:
        ok = False
    if not ok:
        _refuse(text, f"{literal or node.value!r} is not a number")


def _check_call(node: ast.Call, text: str, accounts: list[str], names: set[int]) -> None:
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name not in (*ACCOUNT_CALLS, *NUMBER_CALLS) or node.keywords:
        _refuse(text, "only the calls balance, activity, round, max and min are allowed")
    names.add(id(node.func))
    args = node.args
    if name in ACCOUNT_CALLS:
        account = args[0] if len(args) == 1 else None
        if not (isinstance(account, ast.Constant) and isinstance(account.value, str)):
            _refuse(text, f"{name}() takes one account name in quotes, {name}('Liabilities:...')")
        accounts.append(account.value)
        names.add(id(account))
    elif name == "round":
        places = args[1] if len(args) == 2 else None  # noqa: PLR2004
        if not 1 <= len(args) <= 2 or (  # noqa: PLR2004
            places is not None
            and not (isinstance(places, ast.Constant) and type(places.value) is int)
        ):
            _refuse(text, "round() takes a value and a whole number of places, round(x, 2)")
        count = places.value if isinstance(places, ast.Constant) else 0
        if isinstance(count, int) and not 0 <= count <= MAX_PLACES:
            _refuse(text, f"round() rounds to 0 to {MAX_PLACES} places, round(x, 2)")
    elif len(args) < 2:  # noqa: PLR2004
        _refuse(text, f"{name}() takes two values or more")


def _refuse(text: str, why: str) -> NoReturn:
    msg = f"the formula {text!r} is not allowed: {why}"
    raise FormulaError(msg)


def _value(node: ast.expr, text: str, accounts: dict[str, Callable[[str], Decimal]]) -> Decimal:
    if isinstance(node, ast.Constant):
        literal = ast.get_source_segment(text.strip(), node) or repr(node.value)
        return Decimal(literal.replace("_", ""))
    if isinstance(node, ast.UnaryOp):
        value = _value(node.operand, text, accounts)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        operator = _OPERATORS[type(node.op)]
        return operator(_value(node.left, text, accounts), _value(node.right, text, accounts))
    assert isinstance(node, ast.Call)  # noqa: S101 - the only node left after the check
    assert isinstance(node.func, ast.Name)  # noqa: S101
    name = node.func.id
    if name in accounts:
        account = node.args[0]
        assert isinstance(account, ast.Constant)  # noqa: S101
        return accounts[name](str(account.value))
    values = [_value(arg, text, accounts) for arg in node.args]
    if name == "round":
        places = int(values[1]) if len(values) > 1 else 0
        return values[0].quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return max(values) if name == "max" else min(values)


class MonthFigures:
    """Each account's balance at the month's end and its activity in the month (one pass)."""

    def __init__(self, entries: Entries, period: Period, currency: str) -> None:
        self.balances: dict[str, Decimal] = defaultdict(Decimal)
        self.activities: dict[str, Decimal] = defaultdict(Decimal)
        self.foreign: dict[str, str] = {}
        for entry in entries:
            if not isinstance(entry, data.Transaction) or entry.date > period.end:
                continue
            in_month = entry.date >= period.start and not (entry.tags and CLOSING_TAG in entry.tags)
            for posting in entry.postings:
                units = posting.units
                if units is None or not isinstance(units.number, Decimal):
                    continue
                if units.currency != currency:
                    self.foreign.setdefault(posting.account, units.currency)
                    continue
                self.balances[posting.account] += units.number
                if in_month:
                    self.activities[posting.account] += units.number
        self.currency = currency

    def _sum(self, sums: dict[str, Decimal], account: str) -> Decimal:
        below = f"{account}:"
        foreign = [a for a in self.foreign if a == account or a.startswith(below)]
        if foreign:
            msg = (
                f"{foreign[0]} holds {self.foreign[foreign[0]]}, which a formula cannot add to "
                f"{self.currency}; name an account in {self.currency}"
            )
            raise FormulaError(msg)
        return sum(
            (total for name, total in sums.items() if name == account or name.startswith(below)),
            Decimal(0),
        )

    def balance(self, account: str) -> Decimal:
        """Return an account's balance at the month's end, its subaccounts included."""
        return self._sum(self.balances, account)

    def activity(self, account: str) -> Decimal:
        """Return what was posted to an account in the month, closing entries left out."""
        return self._sum(self.activities, account)
