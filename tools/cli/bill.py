"""`beanfirm bill new`: record a bill from a client's supplier, as `invoice new` does invoices."""

from __future__ import annotations

from typing import Any

import click

from beanfirm.cli.invoice import document_options, run_new


@click.group()
def bill() -> None:
    """Record a client's bills from its suppliers (docs/bill.md)."""


@bill.command("new")
@document_options("bill")
def bill_new(ctx: click.Context, **params: Any) -> None:
    """Record a bill of a supplier to CLIENT, numbered next in the client's series.

    Books the supplier's payable, the cost and, for a VAT payer, the input VAT (进项税额), with
    the ^BILL- link, the due date and the line items, in one commit.
    """
    run_new("bill", ctx, params)
