"""The one place that knows where things are inside a client's folder, `ledgers/<client>/`.

Every function returns a practice-relative path as text with `/` separators: what git, the
commit messages, the ledgers' own `document` entries and the users see. `Practice` (in
`beanfirm.store.practice`) joins them to the practice's root when a file is opened.
"""

from __future__ import annotations

import datetime

LEDGERS = "ledgers"
MAIN = "main.beancount"
ACCOUNTS = "accounts.beancount"
RULES = "rules.yaml"
DOCUMENTS = "documents"
ANOMALIES = "anomalies.yaml"


def client_folder(client_id: str) -> str:
    """Return the folder of a client's ledger: `ledgers/<client>`."""
    return f"{LEDGERS}/{client_id}"


def main_file(client_id: str) -> str:
    """Return a client's top-level ledger file, the one Beancount and Fava open."""
    return f"{client_folder(client_id)}/{MAIN}"


def accounts_file(client_id: str) -> str:
    """Return the file of a client's `open` directives (its chart of accounts)."""
    return f"{client_folder(client_id)}/{ACCOUNTS}"


def rules_file(client_id: str) -> str:
    """Return a client's own categorization rules file."""
    return f"{client_folder(client_id)}/{RULES}"


def month_file(client_id: str, date: datetime.date) -> str:
    """Return the month file of the journal that an entry dated `date` belongs in."""
    return f"{client_folder(client_id)}/journal/{date.year:04d}/{date.month:02d}.beancount"


def documents_folder(client_id: str, account: str) -> str:
    """Return the folder of an account's documents (statements, reports), as Beancount has it."""
    return f"{client_folder(client_id)}/{DOCUMENTS}/{account.replace(':', '/')}"


def receipts_folder(client_id: str, date: datetime.date) -> str:
    """Return where filed receipts and invoices of a month go (no account folder: linked)."""
    return f"{client_folder(client_id)}/{DOCUMENTS}/receipts/{date.year:04d}/{date.month:02d}"


def inbox_folder(client_id: str) -> str:
    """Return the git-ignored folder where a client's exports wait to be imported."""
    return f"{client_folder(client_id)}/inbox"


def uploads_folder(client_id: str) -> str:
    """Return the inbox's folder of receipts and invoices a client uploaded (not exports)."""
    return f"{inbox_folder(client_id)}/documents"


def uploads_record(client_id: str) -> str:
    """Return the inbox's record of what was uploaded through the portal (git-ignored)."""
    return f"{inbox_folder(client_id)}/.uploads.jsonl"


def requests_file(client_id: str) -> str:
    """Return the list of documents the firm has asked a client for (资料收集)."""
    return f"{client_folder(client_id)}/requests.yaml"


def importers_folder(client_id: str) -> str:
    """Return the folder of a client's own importer configs."""
    return f"{client_folder(client_id)}/importers"


def closing_folder(client_id: str, period_label: str) -> str:
    """Return the folder of a closed month's statements and close report (`YYYY-MM`)."""
    return f"{client_folder(client_id)}/{DOCUMENTS}/closing/{period_label}"


def fixed_assets_file(client_id: str) -> str:
    """Return a client's fixed-asset register (depreciation is booked from it at each close)."""
    return f"{client_folder(client_id)}/fixed-assets.yaml"


def accruals_file(client_id: str) -> str:
    """Return a client's recurring accrual templates (计提), booked at each close."""
    return f"{client_folder(client_id)}/accruals.yaml"


def anomalies_file(client_id: str) -> str:
    """Return the client's dismissed anomalies (`beanfirm anomalies dismiss`)."""
    return f"{client_folder(client_id)}/{ANOMALIES}"
