"""Which client of which practice a Fava ledger holds: from where it lies, or from the portal.

A ledger opened in place is `<practice>/ledgers/<client>/main.beancount`, and the practice's
clients.yaml holds its client's record (name, language, currency, fiscal year) and the firm's
(the letterheads). A client user's books in the portal are a snapshot outside the practice
(portal/snapshots.py), so the portal's worker names the practice and the client it serves in
Flask's config under `CLIENT_CONFIG`, as `(practice root, client id)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app, has_app_context

from beanfirm.core import paths
from beanfirm.core.translation import LANGUAGES, Words, language_of
from beanfirm.errors import BeanfirmError
from beanfirm.store.registry import REGISTRY_FILENAME, Client, Firm, load_registry

if TYPE_CHECKING:
    from fava.core import FavaLedger

CLIENT_CONFIG = "BEANFIRM_CLIENT"


def practice_client(ledger_file: Path) -> tuple[Client, Firm] | None:
    """Find the client a ledger belongs to: `<practice>/ledgers/<client>/main.beancount`."""
    folder = ledger_file.resolve().parent
    root = folder.parent.parent
    if folder.parent.name != paths.LEDGERS or not (root / REGISTRY_FILENAME).is_file():
        return None
    return _registry_client(root, folder.name)


def portal_client(config: object) -> tuple[Client, Firm] | None:
    """Return the client a portal worker serves (Flask config `CLIENT_CONFIG`), if any."""
    if not isinstance(config, tuple) or len(config) != 2:  # noqa: PLR2004 - (root, id)
        return None
    root, client_id = config
    return _registry_client(Path(root), str(client_id))


def _registry_client(root: Path, client_id: str) -> tuple[Client, Firm] | None:
    try:
        registry = load_registry(root / REGISTRY_FILENAME)
        return registry.client(client_id), registry.firm
    except BeanfirmError:
        return None


class LedgerClient:
    """A ledger's client and firm, looked up once per load of the ledger."""

    def __init__(self, ledger_file: str) -> None:
        self.ledger_file = Path(ledger_file)
        self._found: tuple[Client, Firm] | None = None
        self._read = False

    def get(self) -> tuple[Client, Firm] | None:
        """Return the client and firm, or None when the ledger is not a practice's client's."""
        if self._read:
            return self._found
        found = practice_client(self.ledger_file)
        if found is None and not has_app_context():
            return None  # loaded outside a request: the portal's config is read in one
        if found is None:
            found = portal_client(current_app.config.get(CLIENT_CONFIG))
        self._found, self._read = found, True
        return found

    def forget(self) -> None:
        """Look again at the next `get` (the ledger or clients.yaml may have changed)."""
        self._read = False


class PageLanguage:
    """A page's language (configured, the client's, Fava's, else English) and its words.

    Mixed into an extension that sets `_client` (its `LedgerClient`) and has Fava's `ledger`;
    `configured_language` is the extension line's `language`, None when it names none.
    """

    ledger: FavaLedger
    _client: LedgerClient

    @property
    def configured_language(self) -> str | None:
        """Return the language the extension's line sets (None: none)."""
        return None

    @property
    def language(self) -> str:
        """Return the page's language: configured, the client's, Fava's, else English."""
        if self.configured_language:
            return self.configured_language
        found = self._client.get()
        if found is not None and found[0].language in LANGUAGES:
            return found[0].language
        return language_of(getattr(self.ledger.fava_options, "language", None))

    def t(self, message: str, **fields: object) -> str:
        """Return a message of the page in its language."""
        return Words(self.language)(message, **fields)

    def pgettext(self, context: str, message: str, **fields: object) -> str:
        """Return a message of a context (see `Words.pgettext`) in the page's language."""
        return Words(self.language).pgettext(context, message, **fields)
