"""An import batch: which files to import (named, or waiting in the inboxes), one by one.

A file taken from a client's inbox (`ledgers/<client>/inbox/`, git-ignored) is removed once
it is imported: the import archived it under `documents/` and committed it there. A file
named on the command line stays where it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from beanfirm.core import paths
from beanfirm.errors import UsageError
from beanfirm.ingest.exports import read_export
from beanfirm.jobs.importing import CategorizerFactory, ImportResult, rules_categorizer, run_import
from beanfirm.store.gitrepo import Author, PracticeRepo
from beanfirm.store.practice import Practice
from beanfirm.store.registry import Client


def inbox_files(practice: Practice, clients: list[Client]) -> list[tuple[Client, Path]]:
    """Return every file waiting in the clients' inboxes, client by client, by name."""
    found: list[tuple[Client, Path]] = []
    for client in clients:
        folder = practice.root / paths.inbox_folder(client.id)
        if folder.is_dir():
            found += [
                (client, path)
                for path in sorted(folder.iterdir())
                if path.is_file() and not path.name.startswith(".")
            ]
    return found


def select_jobs(
    practice: Practice,
    client_id: str | None,
    files: tuple[Path, ...],
    *,
    inbox: bool,
    account: str | None,
) -> list[tuple[Client, Path]]:
    """Return the (client, file) pairs to import, or raise a UsageError."""
    registry = practice.registry
    if inbox:
        if files:
            raise UsageError("--inbox imports the inbox files; give no FILE with it.")
        if account is not None:
            raise UsageError("--inbox finds each file's account itself; drop --account.")
        clients = [registry.client(client_id)] if client_id else list(registry.clients)
        return inbox_files(practice, clients)
    if client_id is None or not files:
        raise UsageError(
            "Give a client and the files to import (`beanfirm import CLIENT FILE...`), "
            "or --inbox to import every client's inbox."
        )
    client = registry.client(client_id)
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise UsageError(f"No such file: {', '.join(missing)}. Nothing was imported.")
    return [(client, path) for path in files]


@dataclass
class ImportBatch:
    """What every file of one `beanfirm import` shares."""

    practice: Practice
    repo: PracticeRepo
    author: Author
    account: str | None
    window: int
    dry_run: bool
    opening: bool = False
    categorizers: dict[str, CategorizerFactory] = field(default_factory=dict)

    def run(self, client: Client, path: Path) -> ImportResult:
        """Import one file (raises BeanfirmError); take it out of the inbox when done."""
        if not path.is_file():  # an inbox file taken away while the batch ran
            raise UsageError(f"{path}: no such file.")
        if client.id not in self.categorizers:
            self.categorizers[client.id] = rules_categorizer(self.practice, client)
        config_dir = self.practice.root / paths.importers_folder(client.id)
        export = read_export(client, path, self.account, config_dir=config_dir)
        result = run_import(
            self.practice,
            self.repo,
            client,
            export,
            categorizer=self.categorizers[client.id],
            author=self.author,
            dry_run=self.dry_run,
            window=self.window,
            opening=self.opening,
        )
        inbox = (self.practice.root / paths.inbox_folder(client.id)).resolve()
        if path.resolve().parent == inbox and not self.dry_run:
            path.unlink(missing_ok=True)  # untracked; archived under documents/ now
        return result
