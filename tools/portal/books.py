"""The ledger a worker serves: loaded, checked to stay in its folder, swapped on reload.

A worker's Fava never reloads on a request. A thread looks for changed files every few
seconds, loads the changed ledger beside the one being served, and swaps it in when it is
ready, so no client waits for a reload and no request sees a ledger half loaded. Fava gets a
`Books` where it expects its own loader of ledgers (`app.config["LEDGERS"]`): the same
mapping from slug to ledger, over the one ledger currently served.

A ledger that reads a file outside its client's folder (an include, a symlink, a documents
folder or a document in it, Fava's import folders) is loaded but refused: the worker answers
every request with a plain error and writes why, with the paths, to its own log only.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fava.core import FavaLedger
from fava.core.ingest import IngestModule
from fava.util import slugify

if TYPE_CHECKING:
    from collections.abc import Callable, ItemsView

log = logging.getLogger(__name__)

# Beancount's load errors for an include that is not there: a file, or a glob matching none.
_MISSING = re.compile(r'File (?:glob )?"(.+)" (?:does not exist|does not match any files)')


class _NoImportConfig(IngestModule):
    """Fava's import support without its import config.

    The import config is a Python file that Fava runs when it loads a ledger; the portal
    refuses the import page, so the file is never needed and never run.
    """

    def load_file(self) -> None:
        self.loaded_config = None
        self.errors = ()


class ServedLedger(FavaLedger):
    """A Fava ledger that never reloads itself: `Books` reloads it in the background."""

    def load_file(self) -> None:
        """Load the ledger (without running an import config)."""
        if not isinstance(self.ingest, _NoImportConfig):
            self.ingest = _NoImportConfig(self)
        super().load_file()

    def changed(self) -> bool:
        """Report no change: Fava asks on every request, the reload thread answers instead."""
        return False

    def files_changed(self) -> bool:
        """Tell whether a file of the ledger changed since it was loaded (or last asked)."""
        return bool(self.watcher.check())


def _outside(path: Path, root: Path) -> bool:
    try:
        return not path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a symlink loop is outside by definition
        return True


def confinement_problem(ledger: FavaLedger, folder: Path) -> str | None:
    """Say why a ledger reads outside its client's folder, or None if it does not."""
    root = folder.resolve()
    if root != folder.parent.resolve() / folder.name:
        return f"the client folder {folder} is a symlink to {root}"
    ledger_dir = Path(ledger.beancount_file_path).parent
    for name in ledger.options["include"]:
        if _outside(ledger_dir / name, root):
            return f"the ledger includes {name}, outside {root}"
    # An include of a missing file outside (in a snapshot, `../other-client/` is never there)
    # or a dangling link to outside: refused too, not served with an error that names it.
    for error in ledger.errors:
        missing = _MISSING.fullmatch(str(error.message))
        if missing and _outside(ledger_dir / missing.group(1), root):
            return f"the ledger includes {missing.group(1)}, outside {root}"
    for name in ledger.options["documents"]:
        if _outside(ledger_dir / name, root):
            return f"the documents folder {name} is outside {root}"
    for name in ledger.fava_options.import_dirs:
        if _outside(ledger_dir / name, root):
            return f"the import folder {name} is outside {root}"
    # Beancount follows symlinked folders when it looks for documents.
    for document in ledger.all_entries_by_type.Document:
        if _outside(ledger_dir / document.filename, root):
            return f"the document {document.filename} is outside {root}"
    return None


@dataclass(frozen=True)
class Loaded:
    """One load of the ledger: what is served between two reloads."""

    ledger: ServedLedger
    slug: str
    generation: int
    problem: str | None


def _slug(ledger: FavaLedger) -> str:
    # As Fava names a ledger in its URLs (application._slug).
    return slugify(ledger.options["title"]) or slugify(ledger.beancount_file_path)


class Books:
    """The one ledger of a worker, reloaded in the background; Fava's loader interface."""

    def __init__(
        self, path: Path, folder: Path, *, adjust: Callable[[ServedLedger], None] | None = None
    ) -> None:
        self.path = path
        self.folder = folder
        self.adjust = adjust  # called on each load, after its check (Fava options for clients)
        self._swap = threading.Lock()  # one reload at a time
        self._pending = False  # a file changed while the last reload was loading
        self._listeners: list[Callable[[Loaded, Loaded], None]] = []
        self.current = self._load(1)

    def _load(self, generation: int) -> Loaded:
        started = time.perf_counter()
        ledger = ServedLedger(str(self.path), poll_watcher=True)
        problem = confinement_problem(ledger, self.folder)
        if self.adjust is not None:
            self.adjust(ledger)
            ledger.extensions.after_load_file()  # their titles, in the language just set
        loaded = Loaded(ledger, _slug(ledger), generation, problem)
        log.info("loaded generation %d in %.2f s", generation, time.perf_counter() - started)
        if problem:
            log.error("refusing to serve: %s", problem)
        return loaded

    def on_reload(self, listener: Callable[[Loaded, Loaded], None]) -> None:
        """Call `listener(old, new)` after each reload."""
        self._listeners.append(listener)

    def reload_if_changed(self) -> bool:
        """Load the ledger again if a file changed, and serve the new load; tell if it did."""
        with self._swap:
            old = self.current
            if not (old.ledger.files_changed() or self._pending):
                return False
            fresh = self._load(old.generation + 1)
            self._pending = old.ledger.files_changed()
            # Keep the mtime Fava's pages carry moving forward, so that open pages notice.
            fresh.ledger.watcher.last_checked = max(
                fresh.ledger.watcher.last_checked, old.ledger.watcher.last_checked
            )
            self.current = fresh
        for listener in self._listeners:
            listener(old, fresh)
        return True

    def watch(self, every: float) -> None:
        """Reload in a daemon thread whenever files change (checked every `every` s)."""

        def loop() -> None:
            while True:
                time.sleep(every)
                # A change made during a reload is loaded at the next round (a file that is
                # missing looks changed at every round: one load per round, not a busy loop).
                try:
                    self.reload_if_changed()
                except Exception:  # a failed reload keeps the last good ledger served
                    log.exception("reload failed; still serving the last load")

        threading.Thread(target=loop, name="books-reload", daemon=True).start()

    # Fava's interface to its ledgers (application._LedgerSlugLoader).

    @property
    def ledgers(self) -> list[FavaLedger]:
        """The ledgers served: the one current load."""
        return [self.current.ledger]

    def first_slug(self) -> str:
        """Return the slug of the ledger."""
        return self.current.slug

    def items(self) -> ItemsView[str, FavaLedger]:
        """Return the slug and the ledger."""
        current = self.current
        return {current.slug: current.ledger}.items()

    def __getitem__(self, slug: str) -> FavaLedger:
        current = self.current
        if slug != current.slug:
            raise KeyError(slug)
        return current.ledger
