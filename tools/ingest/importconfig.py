"""The importers of a client's accounts, for beangulp's command line and Fava's import page.

`practice_importers(client_id, where)` is the `CONFIG` of a beangulp `import.py` (or of Fava's
`import-config`): one importer per account of the client in clients.yaml, each named after
its account and claiming only the files whose stated account number is that account's
`number:` (an exact number beats one that is only its suffix), so that two accounts of one
bank, with the same format, each take their own exports. A `csv` account without its config
file is an error that says where the file goes.
"""

from __future__ import annotations

from pathlib import Path

from beanfirm.core import paths
from beanfirm.errors import ConfigError
from beanfirm.importers.importer import BeanfirmImporter
from beanfirm.ingest.exports import importer_for, missing_config
from beanfirm.store.practice import find_practice_root
from beanfirm.store.registry import REGISTRY_FILENAME, Client, load_registry


def client_importers(client: Client, config_dir: Path) -> list[BeanfirmImporter]:
    """Return one importer per account of the client, each claiming its own number's files."""
    found: list[BeanfirmImporter] = []
    for account in client.accounts:
        rivals = tuple(
            other.number for other in client.accounts if other is not account and other.number
        )
        importer = importer_for(account, config_dir, number=account.number, rivals=rivals)
        if importer is None:
            why = missing_config(client.id, account) if account.importer == "csv" else None
            msg = f"{account.account} of {client.id}: {why or 'its importer cannot be built'}."
            raise ConfigError(msg)
        found.append(importer)
    return found


def practice_importers(client_id: str, where: Path | str | None = None) -> list[BeanfirmImporter]:
    """Return the importers of a client of the practice that holds `where` (default: here).

    `where` is a file or folder inside the practice, such as an `import.py`'s own `__file__`;
    `BEANFIRM_PRACTICE` and the current folder are used as the other commands use them.
    """
    start = None if where is None else Path(where).resolve()
    if start is not None and start.is_file():
        start = start.parent
    root = find_practice_root(start=start)
    client = load_registry(root / REGISTRY_FILENAME).client(client_id)
    return client_importers(client, root / paths.importers_folder(client_id))
