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

from beanfirm.core import paths
from beanfirm.core.journal import CURRENCY_COLUMN, comment, quote
from beanfirm.errors import UsageError
from beanfirm.plugins.categorized import DEFAULT_GRACE_DAYS as GRACE_DAYS
from beanfirm.plugins.duplicates import DEFAULT_WINDOW_DAYS as WINDOW_DAYS
from beanfirm.plugins.locked import LOCKS_FILENAME, LOCKS_HEADER
from beanfirm.plugins.locked import MODULE as LOCKED_MODULE
from beanfirm.plugins.reconciled import DEFAULT_LAG_DAYS as LAG_DAYS

if TYPE_CHECKING:
    from beanfirm.store.registry import Client

TEMPLATES = {
    "cn-small": "小企业会计准则 chart (Chinese, code-prefixed account names)",
    "en-simple": "simple English small-business chart",
}

RULES_SKELETON = """\
# Categorization rules of this client, applied before the firm-wide defaults.
# See docs/rules.md.
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


def main_text(
    client: Client,
    firm_name: str,
    currencies: tuple[str, ...],
    *,
    plugins: str = "",
    fava: str = "",
) -> str:
    """Return a client's `main.beancount`: options, plugins, Fava's settings and includes."""
    return (
        f"; Books of {comment(client.name)} ({client.id}), kept by {comment(firm_name)}.\n"
        "; Options, plugins, Fava settings and includes only: accounts.beancount holds the chart\n"
        "; of accounts, journal/YYYY/MM.beancount the entries of each month.\n"
        f'option "title" {quote(client.name)}\n'
        + "".join(f'option "operating_currency" {quote(c)}\n' for c in currencies)
        + 'option "documents" "documents"\n'
        "\n"
        + (plugins + "\n" if plugins else "")
        + (fava + "\n" if fava else "")
        + 'include "accounts.beancount"\n'
        'include "journal/*/*.beancount"\n'
        f'include "{LOCKS_FILENAME}"\n'
    )


def plugin_lines(
    as_of: datetime.date | None = None,
    *,
    receivable: tuple[str, ...] = (),
    payable: tuple[str, ...] = (),
    leaf_only: bool = True,
) -> str:
    """Return the `plugin` lines of beanfirm's five checks, with the firm's default settings.

    `as_of` pins the day the checks count grace periods and lags from (a generated practice is
    a snapshot); without it they count from the day the ledger is loaded. `receivable` and
    `payable` set the roots of customer and vendor accounts (prefixes ending in ':'; the
    plugin's defaults when empty), which every report reads from this line. `leaf_only=False`
    lets postings go to accounts with sub-accounts (a chart the firm did not make).
    """
    today = f", 'today': '{as_of.isoformat()}'" if as_of else ""
    snapshot = (
        f"; A generated practice is a snapshot: its checks count days as of {as_of}.\n"
        if as_of
        else ""
    )
    leaf = "" if leaf_only else ", 'leaf-only': False"
    roots = "".join(
        f", '{key}': [{', '.join(repr(root) for root in value)}]"
        for key, value in (("receivable", receivable), ("payable", payable))
        if value
    )
    grace, lag, window = GRACE_DAYS, LAG_DAYS, WINDOW_DAYS
    return (
        f"; beanfirm's checks (docs/plugins/): locked periods unchanged (first, so that it sees\n"
        f"; the entries as written), categorized within {grace} days, accounts reconciled\n"
        f"; {lag} days after each period, invoices agreeing with payments, no duplicates.\n"
        + snapshot
        + f'plugin "{LOCKED_MODULE}"\n'
        f'plugin "beanfirm.plugins.categorized" "{{\'grace-days\': {grace}{leaf}{today}}}"\n'
        f'plugin "beanfirm.plugins.reconciled" "{{\'lag-days\': {lag}{today}}}"\n'
        f"plugin \"beanfirm.plugins.receivables\" \"{{'credit-limit': 'warning'{roots}}}\"\n"
        f'plugin "beanfirm.plugins.duplicates" "{{\'window-days\': {window}}}"\n'
    )


FAVA_EXTENSIONS = (
    "beanfirm.fava.reconciliation",
    "beanfirm.fava.customers",
    "beanfirm.fava.financials",
    "beanfirm.fava.visits",
)


def fava_lines(opened: datetime.date, language: str) -> str:
    """Return the Fava settings of a client's ledger: its language, columns and beanfirm's pages.

    `custom` entries rather than options because that is how Fava reads them; Beancount and
    `bean-check` ignore them. The portal allows exactly these extensions (docs/fava.md). The
    currency column is the one beanfirm writes to, so that Fava's "format" and the entries Fava
    adds keep beanfirm's layout (docs/format.md).
    """
    day = opened.isoformat()
    return (
        "; Fava: the client's language, and beanfirm's pages (Reconciliation, Customer accounts,\n"
        "; Financial statements, Visit expenses).\n"
        "; Its currency column is beanfirm's, so that formatting in Fava changes nothing.\n"
        f'{day} custom "fava-option" "language" {quote(language)}\n'
        f'{day} custom "fava-option" "currency-column" "{CURRENCY_COLUMN}"\n'
        + "".join(f'{day} custom "fava-extension" "{module}"\n' for module in FAVA_EXTENSIONS)
    )


def skeleton_files(
    client: Client,
    *,
    firm_name: str,
    template: str,
    opened: datetime.date,
    currencies: tuple[str, ...] = (),
    plugins: str = "",
) -> dict[str, bytes]:
    """Return the files of a new client's ledger, keyed by path relative to the practice.

    Each bank, card and payment account of clients.yaml is opened in its currency (and the
    client's, for the revaluation of a foreign one) with its reconciliation cadence as
    `reconcile:` metadata, which the `reconciled` plugin reads. `plugins` are the
    `plugin` lines of its main.beancount (see `plugin_lines`).
    """
    currencies = currencies or (client.currency,)
    chart = chart_text(template, opened=opened, currencies=currencies)
    opened_accounts = {line.split()[2] for line in chart.splitlines() if " open " in line}
    for acc in client.accounts:
        if acc.account in opened_accounts:
            chart = _with_reconcile(chart, acc.account, client.reconcile_cadence(acc))
    # A foreign-currency account takes the client's currency too: the period-end revaluation
    # (期末调汇, docs/close.md) states it at the month's rate with a posting in that currency.
    extra = [
        f"{opened.isoformat()} open {acc.account} "
        f"{','.join(dict.fromkeys((acc.currency or client.currency, client.currency)))}\n"
        f"  reconcile: {quote(client.reconcile_cadence(acc))}\n"
        for acc in client.accounts
        if acc.account not in opened_accounts
    ]
    if extra:
        chart += "\n; Bank, card and payment accounts from clients.yaml\n" + "".join(extra)
    base = paths.client_folder(client.id)
    month = paths.month_file(client.id, opened)
    fava = fava_lines(opened, client.language)
    main = main_text(client, firm_name, currencies, plugins=plugins, fava=fava)
    return {
        paths.main_file(client.id): main.encode(),
        paths.accounts_file(client.id): chart.encode(),
        month: f"; {opened:%Y-%m}: entries of this month, in date order.\n".encode(),
        paths.rules_file(client.id): RULES_SKELETON.encode(),
        f"{base}/{LOCKS_FILENAME}": LOCKS_HEADER.encode(),
        f"{base}/{paths.DOCUMENTS}/.gitkeep": b"",
    }


def _with_reconcile(chart: str, account: str, cadence: str) -> str:
    """Add `reconcile:` metadata under the `open` line of an account the template has."""
    lines = chart.splitlines(keepends=True)
    for index, line in enumerate(lines):
        words = line.split()
        if len(words) > 2 and words[1] == "open" and words[2] == account:  # noqa: PLR2004
            lines.insert(index + 1, f"  reconcile: {quote(cadence)}\n")
            break
    return "".join(lines)
