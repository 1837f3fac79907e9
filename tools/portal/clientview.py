"""Fava as a client user sees it: owner's signs, their language, no accountant-only pages.

A client user's worker (an approved snapshot's) serves Fava with:
- Fava's `invert-income-liabilities-equity` on, so that income, liabilities and equity read as
  positive numbers and a loss as a negative profit, as an owner reads statements;
- the books closed virtually, as Fava closes them: the closing entries a close books
  (结转损益, tagged `#closing`) are left out of each load, so that the income statement shows
  each month's activity, closed or not, rather than a closed month at zero; the balance sheet
  then shows the profit where Fava puts it, under accounts named in the client's language
  (`Equity:本期损益` for Fava's `Equity:Earnings:Current`). The figures are the same: the
  statements the close files do not change without those entries (tests/test_portal_home.py);
  staff see the books as booked;
- the client's language and its number conventions (`language` and `locale`, from the client's
  `language` in clients.yaml: `zh` is Chinese with `zh_CN` numbers);
- no ledger errors in the page's data (the firm's backlog is not the client's business: the
  Errors link and its red count disappear), the Errors page and `api/errors` refused at the
  gateway (routes.CLIENT_HIDDEN);
- a style sheet (`/_portal/fava-client.css`) that hides the links of the pages the gateway
  refuses anyway (Editor, Import, Query, Errors; Help and Options, English whatever the
  language; Statistics and Holdings, which need BQL), and the firm's name in Fava's header;
- the words Fava's scripts and templates write in English whatever the language (the
  journal's entry types, the charts' dates, "Last entry"), in the client's language from
  beanfirm's catalogue: a JSON block in the page, which `/_portal/fava-words.js` places; the
  same script keeps Fava's form to add an entry closed, and shows the journal without the
  firm's settings (`custom` entries) until the client asks for them.

Staff workers serve Fava as it is. The worker is one process per view, so patching Fava's
error list in it touches no one else.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, cast

import fava.core
from beancount.core import data
from beancount.parser.options import OPTIONS_DEFAULTS
from fava import internal_api
from fava.beans.load import load_uncached

from beanfirm.core.translation import SOURCE_LANGUAGE, Words
from beanfirm.monthend.closing import TAG as CLOSING
from beanfirm.plugins.reconciled import RECONCILED_THROUGH

if TYPE_CHECKING:
    from fava.beans.abc import Directive as FavaDirective
    from fava.beans.types import LoaderResult
    from fava.core import FavaLedger

    from beanfirm.store.registry import Firm

STYLESHEET = "/_portal/fava-client.css"
WORDS_SCRIPT = "/_portal/fava-words.js"
JOURNAL_SHOW = (
    "balance",
    "budget",
    "cleared",
    "discovered",
    "document",
    "note",
    "pending",
    "query",
    "statement",
    "transaction",
)
LOGO = "/_portal/logo.png"
# Fava's locale (number formats) for each of beanfirm's languages; English keeps Fava's own.
LOCALES = {"zh": "zh_CN"}


def client_options(ledger: FavaLedger, language: str) -> None:
    """Set a freshly loaded ledger's Fava options as a client user sees the books."""
    options = ledger.fava_options
    options.invert_income_liabilities_equity = True
    options.language = language
    options.locale = LOCALES.get(language, options.locale)


def _virtual_accounts(words: Words) -> dict[str, str]:
    """Return the equity accounts Fava's virtual close makes up, by option, in `words`."""
    # TRANSLATORS: accounts Fava makes up under Equity: when it closes the books virtually.
    # Beancount's rule for account names holds: parts joined by colons, no spaces, each part
    # starting with a capital letter or a Chinese character.
    return {
        "account_current_earnings": words.pgettext("virtual account", "Earnings:Current"),
        "account_previous_earnings": words.pgettext("virtual account", "Earnings:Previous"),
        "account_current_conversions": words.pgettext("virtual account", "Conversions:Current"),
        "account_previous_conversions": words.pgettext("virtual account", "Conversions:Previous"),
        "account_unrealized_gains": words.pgettext("virtual account", "Earnings:Unrealized"),
    }


# The `custom` entries a client's Fava reads: Fava's own settings (`fava-option`,
# `fava-extension`, `fava-sidebar-link`), budgets, and the reconciliation page's dates.
CLIENT_CUSTOMS = ("fava-", "budget", RECONCILED_THROUGH)


def _firms_own(entry: FavaDirective) -> bool:
    """Tell an entry a client's Fava leaves out: a booked closing entry, or the firm's notes.

    `custom` entries other than those a client's page reads are the firm's: locks, reopens,
    and whatever a preparer writes as `custom` (a note to a colleague). Fava's journal only
    hides them, and its API sent them to the client all the same.
    """
    if isinstance(entry, data.Transaction):
        return CLOSING in entry.tags
    return isinstance(entry, data.Custom) and not entry.type.startswith(CLIENT_CUSTOMS)


def close_virtually(language: str) -> None:
    """Make each load of a ledger in this process leave out the booked closing entries.

    And the firm's own `custom` entries (`_firms_own`).

    Fava then closes the books virtually, into equity accounts named in `language` (those
    the ledger's options leave at Beancount's default names).
    """
    names = _virtual_accounts(Words(language))

    def load(beancount_file_path: str, *, is_encrypted: bool) -> LoaderResult:
        entries, errors, options = load_uncached(beancount_file_path, is_encrypted=is_encrypted)
        settable = cast("dict[str, object]", options)  # a TypedDict, set by key here
        for key, name in names.items():
            if settable.get(key) == OPTIONS_DEFAULTS[key]:  # a name the ledger did not choose
                settable[key] = name
        kept = [e for e in entries if not _firms_own(e)]
        return kept, errors, options

    fava.core.load_uncached = load  # type: ignore[attr-defined]


# Markup in ledger text (a payee from a bank export, say) that Fava 1.30's journal would show
# as HTML: its angle brackets become the full-width ones, which read the same and mean nothing.
INERT = str.maketrans({"<": "\uff1c", ">": "\uff1e"})  # full-width less- and greater-than


def _inert(text: str | None) -> str | None:
    return text.translate(INERT) if text and ("<" in text or ">" in text) else text


def inert_markup() -> None:
    """Make each load of a ledger in this process show markup in its texts as text.

    Fava's journal writes the payee, the narration and a note's comment into the page as
    HTML: `<a href=…>` from a client's bank export became a link in the staff's journal. The
    portal's CSP stops scripts, not links or other markup; so the texts lose their markup
    here, for every worker (staff and clients), after any other patch of the load.
    """
    loaded = fava.core.load_uncached  # type: ignore[attr-defined]

    def load(beancount_file_path: str, *, is_encrypted: bool) -> LoaderResult:
        entries, errors, options = loaded(beancount_file_path, is_encrypted=is_encrypted)
        shown = []
        for entry in entries:
            if isinstance(entry, data.Transaction) and (
                _inert(entry.payee) != entry.payee or _inert(entry.narration) != entry.narration
            ):
                entry = entry._replace(  # noqa: PLW2901 - the entry as shown
                    payee=_inert(entry.payee), narration=_inert(entry.narration) or ""
                )
            elif isinstance(entry, data.Note) and _inert(entry.comment) != entry.comment:
                entry = entry._replace(comment=_inert(entry.comment) or "")  # noqa: PLW2901
            shown.append(entry)
        return shown, errors, options

    fava.core.load_uncached = load  # type: ignore[attr-defined]


def _no_errors() -> list[internal_api.SerialisedError]:
    return []


def hide_errors() -> None:
    """Leave the ledger's errors out of every page's data in this process (the Errors link)."""
    internal_api.get_errors = _no_errors


def css_string(value: str) -> str:
    """Quote text as a CSS string: every character but letters and digits escaped."""
    escaped = "".join(ch if ch.isascii() and ch.isalnum() else f"\\{ord(ch):06x}" for ch in value)
    return f'"{escaped}"'


def fava_words(language: str) -> dict[str, object]:
    """Return the words Fava writes in English whatever the language, in `language`.

    `types` are the journal's buttons, `flags` the journal's column of entry types (Fava's
    `short_type`, else the type's first three letters), `dates` the forms of the charts' dates.
    """
    t = Words(language)
    return {
        "types": {
            "Open": t.pgettext("entry type", "Open"),
            "Close": t.pgettext("entry type", "Close"),
            "Transaction": t.pgettext("entry type", "Transaction"),
            "Balance": t.pgettext("entry type", "Balance"),
            "Note": t.pgettext("entry type", "Note"),
            "Document": t.pgettext("entry type", "Document"),
            "Pad": t.pgettext("entry type", "Pad"),
            "Query": t.pgettext("entry type", "Query"),
            "Custom": t.pgettext("entry type", "Custom"),
        },
        "flags": {
            "Open": t.pgettext("entry type, short", "Open"),
            "Close": t.pgettext("entry type, short", "Close"),
            "Bal": t.pgettext("entry type, short", "Bal"),
            "Note": t.pgettext("entry type, short", "Note"),
            "Doc": t.pgettext("entry type, short", "Doc"),
            "pad": t.pgettext("entry type, short", "pad"),
            "que": t.pgettext("entry type, short", "que"),
            "cus": t.pgettext("entry type, short", "cus"),
            "eve": t.pgettext("entry type, short", "eve"),
            "com": t.pgettext("entry type, short", "com"),
            "pri": t.pgettext("entry type, short", "pri"),
        },
        # TRANSLATORS: around the date of an account's last entry, in Fava's account page.
        "last_entry": [t.pgettext("last entry", "(Last entry: "), t.pgettext("last entry", ")")],
        # Fava's entry types shown in the journal until the client chooses (fava-words.js):
        # Fava's defaults less `custom`, the firm's settings.
        "journal_show": JOURNAL_SHOW,
        # English keeps Fava's dates (the forms below number the month).
        "dates": None
        if language == SOURCE_LANGUAGE
        else {
            # TRANSLATORS: a chart's date, {month} and {day} as numbers: October 2025.
            "month_year": t.pgettext("chart date", "{month} {year}"),
            "month": t.pgettext("chart date", "{month}"),
            "month_day": t.pgettext("chart date", "{month} {day}"),
            "day": t.pgettext("chart date", "{day}"),
        },
    }


def head_extra(firm: Firm | None, language: str = SOURCE_LANGUAGE) -> bytes:
    """Return what goes before `</head>` of each Fava page a client user reads."""
    style = ""
    if firm is not None:
        name = css_string(f"{firm.name} · ")
        logo = (
            f"padding-left: 1.8em; background: url({LOGO}) no-repeat left center / contain;"
            if firm.logo
            else ""
        )
        style = (
            f"<style>header h1::before {{ content: {name}; font-weight: normal; {logo} }}</style>"
        )
    # JSON in a data block; `<` escaped, so that no text can close the block.
    data = json.dumps(fava_words(language), ensure_ascii=True).replace("<", "\\u003c")
    words = (
        f'<script type="application/json" id="beanfirm-fava-words">{data}</script>'
        f'<script src="{WORDS_SCRIPT}"></script>'
    )
    return f'<link rel="stylesheet" href="{STYLESHEET}">{style}{words}'.encode()
