"""Refusing, before anything is booked, a row in a currency its account does not hold.

An account's `open` directive may list the currencies it holds (`open Assets:Bank CNY`).
Beancount refuses a posting in any other currency with a bare "Invalid currency" at a line
of the month file the import would write; this says which row of the export it is, which
currency and which account, and what to do, before anything is planned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from beancount.core import data

from beanfirm.ingest.outcome import BookingError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from beancount.core.amount import Amount

    from beanfirm.ingest.exports import Export
    from beanfirm.ingest.ledgerindex import LedgerIndex

SHOWN = 10  # rows named in the error; the rest are counted


def refuse_foreign_currencies(
    export: Export,
    entries: Iterable[data.Transaction | data.Balance],
    index: LedgerIndex,
    root: Path,
    client_currency: str | None = None,
) -> None:
    """Raise a BookingError naming each row and balance in a currency its account lacks.

    A foreign-currency account (clients.yaml `currency: USD`) is opened for the client's
    currency too, for the month-end revaluation; an export of it in the client's currency is
    still another account's (or a misread one), and is refused as well.
    """
    lines: list[str] = []
    kept_in = export.account.currency
    foreign = kept_in is not None and kept_in != client_currency and client_currency is not None
    for entry in entries:
        line = int((entry.meta or {}).get("lineno") or 0)
        amounts: list[tuple[str, str, Amount | None]]
        if isinstance(entry, data.Balance):
            amounts = [("the balance it states", entry.account, entry.amount)]
        else:
            amounts = [("the row", posting.account, posting.units) for posting in entry.postings]
        for what, account, units in amounts:
            currency = getattr(units, "currency", None)
            if foreign and account == export.account.account and currency == client_currency:
                text = (
                    f"{export.path}:{line}: {what} is in {currency}, but {account} is kept in "
                    f"{kept_in} (clients.yaml); it is opened for {currency} too only for the "
                    "month-end revaluation"
                )
                if text not in lines:
                    lines.append(text)
                continue
            held = index.currencies.get(account)
            if held is None or not isinstance(currency, str) or currency in held[0]:
                continue
            allowed = ", ".join(sorted(held[0]))
            text = (
                f"{export.path}:{line}: {what} is in {currency}, but {account} holds only "
                f"{allowed} (its open directive, {held[1].shown(root)})"
            )
            if text not in lines:
                lines.append(text)
    if not lines:
        return
    shown = lines[:SHOWN]
    if len(lines) > SHOWN:
        shown.append(f"… and {len(lines) - SHOWN} more")
    msg = (
        "\n".join(shown)
        + "\nNothing was imported. Import the export into an account that holds that currency "
        "(`--account`; register one in clients.yaml if the client has none), or, if the "
        "account does hold it, add the currency to its open directive in accounts.beancount "
        "and commit that first."
    )
    raise BookingError(msg)
