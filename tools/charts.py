"""Chart-of-accounts templates and the ledger skeleton of a new client.

Templates live in `templates/` as Beancount text with `$date` and `$currency` placeholders:
`cn-small` is the 小企业会计准则 chart with code-prefixed names (Beancount rejects a CJK
character right after the root, `Expenses:差旅费`, but accepts `Expenses:5601-销售费用:差旅费`);
`en-simple` is a plain English small-business chart.
"""

from __future__ import annotations

import datetime
import string
from importlib import resources
from typing import TYPE_CHECKING

from beanfirm.errors import UsageError

if TYPE_CHECKING:
    from beanfirm.registry import Client

TEMPLATES = {
    "cn-small": "小企业会计准则 chart (Chinese, code-prefixed account names)",
    "en-simple": "simple English small-business chart",
}

RULES_SKELETON = """\
# Categorization rules of this client, applied before the firm-wide defaults.
# See docs/registry.md and docs/import.md.
rules: []
"""


def chart_text(template: str, *, opened: datetime.date, currencies: tuple[str, ...]) -> str:
    """Return a template's open directives, dated and limited to the client's currencies."""
    if template not in TEMPLATES:
        msg = f"Unknown chart template '{template}'. Choose one of: {', '.join(TEMPLATES)}."
        raise UsageError(msg)
    raw = (
        resources.files("beanfirm.templates")
        .joinpath(f"{template}.beancount")
        .read_text(encoding="utf-8")
    )
    return string.Template(raw).substitute(date=opened.isoformat(), currency=",".join(currencies))


def main_text(client: Client, firm_name: str, currencies: tuple[str, ...]) -> str:
    """Return a client's `main.beancount`: options, plugins and includes, nothing else."""
    return (
        f"; Books of {client.name} ({client.id}), kept by {firm_name}.\n"
        "; Options, plugins and includes only: accounts.beancount holds the chart of accounts,\n"
        "; journal/YYYY/MM.beancount the entries of each month.\n"
        f'option "title" "{_quoted(client.name)}"\n'
        + "".join(f'option "operating_currency" "{c}"\n' for c in currencies)
        + 'option "documents" "documents"\n'
        "\n"
        'include "accounts.beancount"\n'
        'include "journal/*/*.beancount"\n'
    )


def skeleton_files(
    client: Client,
    *,
    firm_name: str,
    template: str,
    opened: datetime.date,
    currencies: tuple[str, ...] = (),
) -> dict[str, bytes]:
    """Return the files of a new client's ledger, keyed by path relative to the practice."""
    currencies = currencies or (client.currency,)
    chart = chart_text(template, opened=opened, currencies=currencies)
    opened_accounts = {line.split()[2] for line in chart.splitlines() if " open " in line}
    extra = [
        f"{opened.isoformat()} open {acc.account} {acc.currency or client.currency}\n"
        for acc in client.accounts
        if acc.account not in opened_accounts
    ]
    if extra:
        chart += "\n; Bank, card and payment accounts from clients.yaml\n" + "".join(extra)
    base = f"ledgers/{client.id}"
    month = f"{base}/journal/{opened.year:04d}/{opened.month:02d}.beancount"
    return {
        f"{base}/main.beancount": main_text(client, firm_name, currencies).encode(),
        f"{base}/accounts.beancount": chart.encode(),
        month: f"; {opened:%Y-%m}: entries of this month, in date order.\n".encode(),
        f"{base}/rules.yaml": RULES_SKELETON.encode(),
        f"{base}/documents/.gitkeep": b"",
    }


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
