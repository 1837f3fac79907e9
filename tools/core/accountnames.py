"""Account names as Beancount's own parser accepts them."""

from __future__ import annotations

from beancount.core import data
from beancount.parser import parser as bc_parser

ROOTS = ("Assets", "Liabilities", "Equity", "Income", "Expenses")
STATEMENT_ROOTS = ("Assets", "Liabilities")  # where bank, card and payment accounts are


def is_account_name(name: str, roots: tuple[str, ...] = ROOTS) -> bool:
    """Tell whether Beancount's own parser accepts `name` as an account under one of `roots`.

    `beancount.core.account.is_valid` is stricter than the parser about non-ASCII names,
    so the parser, which is what reads the ledgers, decides.
    """
    if not name.startswith(tuple(f"{root}:" for root in roots)) or any(c.isspace() for c in name):
        return False
    entries, errors, _ = bc_parser.parse_string(f"2000-01-01 open {name}\n")
    return (
        not errors
        and len(entries) == 1
        and isinstance(entries[0], data.Open)
        and entries[0].account == name
    )
