"""Adopting a client's existing Beancount ledger: its files, the firm's checks, one commit.

The client's ledger is kept as it is. Its files (those Beancount reads from its top file,
and the files of its `documents` folders) are copied into `ledgers/<id>/`, the top file as
`main.beancount`, and beanfirm adds one block at the end of that top file: the firm's
`plugin` lines and its Fava pages. Nothing else is written into the books, and no `open`:
the ledger's chart stays its own. Plugins must be declared in the top file, because
Beancount honours `plugin` only there; one declared in an included file is ignored, and the
adoption says so.

Copy, not a history import: the practice's history is the firm's audit trail, one reviewed
commit per change in a staff member's name. The client's commits, their authors and any file
they ever held stay in the client's own repository; the adoption is one commit of the books
as they load today.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Never

from beancount.core import data

from beanfirm.core import paths
from beanfirm.core.accountnames import is_account_name
from beanfirm.errors import ConfigError, LedgerError, Problem, UsageError
from beanfirm.firm.charts import FAVA_EXTENSIONS, RULES_SKELETON, plugin_lines
from beanfirm.jobs.onboarding import registered
from beanfirm.plugins.locked import LOCKS_FILENAME, LOCKS_HEADER
from beanfirm.plugins.receivables import MODULE as RECEIVABLES_MODULE
from beanfirm.plugins.severity import Finding, PluginConfigError, PluginCrashError
from beanfirm.store.ledger import error_problem, is_warning, load_ledger
from beanfirm.store.registry import REGISTRY_FILENAME
from beanfirm.store.writes import Planned, WritePlan, Written, apply_write

if TYPE_CHECKING:
    from collections.abc import Sequence

    from beanfirm.core.beans import BeanError
    from beanfirm.store.gitrepo import Author, PracticeRepo
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client

FIRM_PLUGINS = re.compile(r'^plugin\s+"(beanfirm\.plugins\.[a-z_]+)"', re.MULTILINE)
IGNORED_LINE = re.compile(r'^(plugin|option)\s+"([^"]+)"')
# Options Beancount does gather from included files; every other one counts only at the top.
GATHERED_OPTIONS = ("operating_currency", "insert_pythonpath")
EXAMPLES_SHOWN = 3
JOURNAL_GLOB = "journal/*/*.beancount"  # where imports and reconciliations write (core/paths)
SUSPENSE = ("Expenses:Uncategorized", "Income:Uncategorized")
RECEIVABLE_HINT = re.compile(r"receivable|应收", re.IGNORECASE)
PAYABLE_HINT = re.compile(r"payable|应付", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    """A client's ledger as found on disk: its files, keyed by where they go, and its options."""

    top: Path
    folder: Path
    files: dict[str, bytes]  # relative to the client's folder; the top file as main.beancount
    title: str | None
    currencies: tuple[str, ...]
    opened: tuple[str, ...]  # the accounts it opens
    last: datetime.date | None  # the date of its last entry
    ignored: tuple[tuple[str, int, str, str], ...]  # included files' (file, line, kind, name)


@dataclass(frozen=True)
class Roots:
    """Where a client's customer and vendor accounts are (prefixes ending in ':')."""

    receivable: tuple[str, ...] = ()
    payable: tuple[str, ...] = ()


@dataclass
class FindingsReport:
    """What the firm's plugins flag in the adopted books: counts and a few examples of each."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], list[Problem]] = field(default_factory=dict)

    def add(self, error: BeanError, problem: Problem) -> None:
        """Count one finding, under its plugin and severity, and keep it as an example."""
        name = type(error).__name__
        severity = "warning" if is_warning(error) else "error"
        plugin = name.removesuffix("Error").removesuffix("Warning").lower()
        self.counts[plugin, severity] += 1
        shown = self.examples.setdefault((plugin, severity), [])
        if len(shown) < EXAMPLES_SHOWN:
            shown.append(problem)


@dataclass(frozen=True)
class Adoption:
    """What an adoption wrote or would write, and what it found."""

    source: Source
    notes: tuple[str, ...]
    report: FindingsReport


def read_source(path: Path) -> Source:
    """Load a client's ledger from its top file (or a folder holding `main.beancount`).

    Raise a ConfigError when it is not there, and a LedgerError listing its errors with file
    and line when Beancount cannot load it cleanly with its own plugins.
    """
    top = path / paths.MAIN if path.is_dir() else path
    if not top.is_file():
        where = f"{path} has no {paths.MAIN}" if path.is_dir() else f"{path} does not exist"
        msg = (
            f"Cannot adopt a ledger: {where}. Give the top file of the client's ledger, the "
            "one they run `bean-check` on."
        )
        raise ConfigError(msg)
    top = top.resolve()
    folder = top.parent
    ledger = load_ledger(top)
    errors = [e for e in ledger.errors if not is_warning(e)]
    if errors:
        problems = tuple(error_problem(e, folder, top) for e in errors)
        msg = (
            f"The ledger {top.name} does not load cleanly ({len(errors)} "
            f"error{'s' if len(errors) != 1 else ''}), so it was not adopted and nothing was "
            "written. Fix these in the client's ledger (bean-check shows the same) and run "
            "the command again:"
        )
        raise LedgerError(msg, problems)
    read = [Path(name) for name in ledger.options["include"]]
    outside = [name for name in read if not name.resolve().is_relative_to(folder)]
    if outside:
        msg = (
            f"The ledger {top.name} includes {outside[0]}, outside its folder {folder}. A "
            "client's books must live in one folder (the portal refuses to read outside it): "
            "move the file into the folder, change the include, and run the command again."
        )
        raise ConfigError(msg)
    files = {_place(name, top, folder): name.read_bytes() for name in read}
    for document in _documents(ledger.options.get("documents", []), folder):
        files.setdefault(document.relative_to(folder).as_posix(), document.read_bytes())
    title = ledger.options.get("title")
    opened = tuple(entry.account for entry in ledger.entries if isinstance(entry, data.Open))
    return Source(
        top=top,
        folder=folder,
        files=files,
        title=None if title in (None, "Beancount") else str(title),
        currencies=tuple(ledger.options.get("operating_currency", ())),
        opened=opened,
        last=max((entry.date for entry in ledger.entries), default=None),
        ignored=tuple(_ignored_lines(read, top, folder)),
    )


def _place(name: Path, top: Path, folder: Path) -> str:
    """Return where a file of the ledger goes in the client's folder: the top file is main."""
    if name == top:
        return paths.MAIN
    relative = name.relative_to(folder).as_posix()
    if relative == paths.MAIN:
        msg = (
            f"The ledger's top file is {top.name}, and it includes a file named {paths.MAIN}; "
            f"beanfirm opens a client's books from {paths.MAIN}, so rename the included file "
            "(and its include line) and run the command again."
        )
        raise ConfigError(msg)
    return relative


def _documents(folders: Sequence[str], folder: Path) -> list[Path]:
    """Return the files of the ledger's `documents` folders that lie inside its folder.

    Hidden files and folders (`.git`, Beancount's pickle caches) are left out.
    """
    found: list[Path] = []
    for name in folders:
        base = (folder / name).resolve()
        if base.is_dir() and base.is_relative_to(folder):
            found.extend(
                item
                for item in sorted(base.rglob("*"))
                if item.is_file()
                and not any(part.startswith(".") for part in item.relative_to(base).parts)
            )
    return found


def _ignored_lines(read: list[Path], top: Path, folder: Path) -> list[tuple[str, int, str, str]]:
    """Find the `plugin` and `option` lines of included files, which Beancount ignores."""
    found = []
    for name in read:
        if name == top:
            continue
        text = name.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            match = IGNORED_LINE.match(line)
            if match and match[2] not in GATHERED_OPTIONS:
                found.append((name.relative_to(folder).as_posix(), number, match[1], match[2]))
    return found


def parse_roots(receivable: str | None, payable: str | None) -> Roots:
    """Check the roots given for customer and vendor accounts; return them as prefixes."""
    checked: list[tuple[str, ...]] = []
    given = ((receivable, "Assets", "receivable"), (payable, "Liabilities", "payable"))
    for value, root, what in given:
        if value is None:
            checked.append(())
            continue
        name = value.rstrip(":")
        if not is_account_name(name, (root,)):
            msg = (
                f"--{what}-root '{value}' is not an account name under {root}: (like "
                f"{root}:{'Receivables' if root == 'Assets' else 'Payables'}); customers' and "
                "vendors' accounts are opened one level below it."
            )
            raise UsageError(msg)
        checked.append((name + ":",))
    return Roots(*checked)


def glue_text(top_text: str, roots: Roots, day: datetime.date) -> str:
    """Return the block added at the end of the adopted top file: the firm's checks, Fava pages.

    A firm plugin the file already declares, and a Fava extension it already turns on, are
    not added again. Postings to accounts with sub-accounts stay allowed (`leaf-only`), since
    the chart is the client's and not one the firm made with headings.
    """
    declared = set(FIRM_PLUGINS.findall(top_text))
    plugins = [
        line
        for line in plugin_lines(
            receivable=roots.receivable, payable=roots.payable, leaf_only=False
        ).splitlines()
        if not (match := FIRM_PLUGINS.match(line)) or match[1] not in declared
    ]
    fava = [
        f'{day.isoformat()} custom "fava-extension" "{module}"'
        for module in FAVA_EXTENSIONS
        if f'"{module}"' not in top_text
    ]
    documents = (
        []
        if re.search(rf'^option\s+"documents"\s+"{paths.DOCUMENTS}"', top_text, re.MULTILINE)
        else [f'option "documents" "{paths.DOCUMENTS}"']
    )
    lines = [
        "",
        "; beanfirm: added when the firm adopted these books (docs/onboarding.md). Beancount",
        "; honours `plugin` lines only in this top file, not in the files it includes.",
        *plugins,
        *fava,
        "; What beanfirm writes: imported entries by month, statements and reports, and the",
        "; locked periods (docs/lock.md).",
        *documents,
        f'include "{JOURNAL_GLOB}"',
        f'include "{LOCKS_FILENAME}"',
    ]
    head = "" if top_text.endswith("\n") or not top_text else "\n"
    return head + "\n".join(lines) + "\n"


def _headings(account: str, hint: re.Pattern[str]) -> list[str]:
    """Return the accounts above `account` whose own name matches the hint."""
    parts = account.split(":")
    return [
        ":".join(parts[:depth]) for depth in range(2, len(parts)) if hint.search(parts[depth - 1])
    ]


@dataclass
class AdoptionCheck:
    """A `WriteCheck` of an adoption: the books must load; the firm's findings are reported.

    What the firm's plugins flag is the work the adoption brings in, not a reason to refuse
    it; every other error (a broken plugin line, an error Beancount itself finds) undoes it.
    """

    client_id: str
    report: FindingsReport = field(default_factory=FindingsReport)

    def before(self, root: Path) -> list[Problem]:
        """Return no problems: a new client's books do not exist before the write."""
        del root
        return []

    def after(self, root: Path) -> list[Problem]:
        """Load the adopted books with the firm's plugins; count findings, return the rest."""
        main = root / paths.main_file(self.client_id)
        self.report = FindingsReport()
        blocking = []
        for error in load_ledger(main).errors:
            problem = error_problem(error, root, main)
            if isinstance(error, Finding) and not isinstance(
                error, (PluginConfigError, PluginCrashError)
            ):
                self.report.add(error, problem)
            elif not is_warning(error):
                blocking.append(problem)
        return blocking


def adoption_notes(client: Client, source: Source, roots: Roots) -> list[str]:
    """Say what the firm should know: ignored lines, roots with no accounts, likely roots."""
    base = paths.client_folder(client.id)
    notes = [
        f'{base}/{name}:{line}: plugin "{what}" is declared in an included file, which '
        "Beancount ignores: it never ran on these books. Move the line into main.beancount if "
        "it should run."
        if kind == "plugin"
        else f'{base}/{name}:{line}: option "{what}" is set in an included file, which '
        "Beancount ignores: only the top file's options count. Move the line into "
        "main.beancount if it should apply."
        for name, line, kind, what in source.ignored
    ]
    for given, hint, what, option, party in (
        (roots.receivable, RECEIVABLE_HINT, "receivable", "--receivable-root", "customer"),
        (roots.payable, PAYABLE_HINT, "payable", "--payable-root", "vendor"),
    ):
        if given and not any(account.startswith(given) for account in source.opened):
            notes.append(
                f"No account is opened under {given[0].rstrip(':')}: the {what} reports "
                "will be empty."
            )
        likely = sorted(
            {parent for account in source.opened for parent in _headings(account, hint)}
        )
        if likely and not given:
            notes.append(
                f"Accounts under {', '.join(likely[:EXAMPLES_SHOWN])} look {what}, but the "
                f"{what} reports look under the default roots only; give {option} to make "
                f"the accounts under it one per {party}."
            )
    missing = [account for account in SUSPENSE if account not in source.opened]
    if missing:
        notes.append(
            f"The ledger does not open {' or '.join(missing)}, where an import books what "
            "it cannot categorize yet: open them in the client's books before the first import."
        )
    return notes


def adopt_client(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    source: Source,
    *,
    roots: Roots,
    author: Author,
    today: datetime.date,
    dry_run: bool = False,
) -> Written[Adoption]:
    """Register a client and bring in its existing ledger, validated first, in one commit.

    What beanfirm adds is dated with the ledger's last entry (`today` for an empty ledger):
    its month file is where the books go on.
    """
    start = source.last or today
    base = paths.client_folder(client.id)
    unopened = [acc.account for acc in client.accounts if acc.account not in source.opened]
    if unopened:
        msg = (
            f"--account {unopened[0]}: the ledger does not open this account, and adopting "
            "writes no `open` into the client's books. Give the account as the ledger names "
            "it, or open it in the client's ledger first."
        )
        raise UsageError(msg)
    top_text = source.files[paths.MAIN].decode("utf-8", errors="replace")
    if (roots.receivable or roots.payable) and RECEIVABLES_MODULE in FIRM_PLUGINS.findall(top_text):
        msg = (
            f'The ledger\'s top file already declares plugin "{RECEIVABLES_MODULE}", whose '
            "line sets the receivable and payable roots, and adopting keeps it as it is. Set "
            "the roots on that line ('receivable': [...], 'payable': [...]) and adopt without "
            "--receivable-root and --payable-root."
        )
        raise UsageError(msg)
    glue = glue_text(top_text, roots, start)
    files: dict[str, bytes | None] = {
        f"{base}/{name}": content for name, content in source.files.items()
    }
    files[paths.main_file(client.id)] = source.files[paths.MAIN] + glue.encode()
    files.setdefault(paths.rules_file(client.id), RULES_SKELETON.encode())
    files.setdefault(f"{base}/{LOCKS_FILENAME}", LOCKS_HEADER.encode())
    month = paths.month_file(client.id, start)
    files.setdefault(month, f"; {start:%Y-%m}: entries beanfirm writes, in date order.\n".encode())
    files.setdefault(f"{base}/{paths.DOCUMENTS}/.gitkeep", b"")
    notes = tuple(adoption_notes(client, source, roots))
    check = AdoptionCheck(client.id)
    renamed = (
        f" (its top file {source.top.name} becomes main.beancount)"
        if source.top.name != paths.MAIN
        else ""
    )
    count = len(source.files)
    message = (
        f"Adopt client {client.id}: {client.name}\n\n"
        f"Registers the client (preparer {client.preparer}, reviewer {client.reviewer}) and "
        f"brings in its existing ledger as it is: {count} file{'s' if count != 1 else ''}"
        f"{renamed}. "
        "beanfirm adds one block at the end of main.beancount (the firm's checks, its Fava "
        "pages, the journal and documents it writes) and opens no account."
    )

    def prepare() -> Planned[Adoption]:
        planned = dict(files)
        planned.update(registered(practice, client))
        return Planned(planned, message, Adoption(source, notes, check.report))

    prepare()  # validate before taking any lock; the write validates again under the lock
    plan: WritePlan[Adoption, Never] = WritePlan(
        prepare,
        locks=("registry", client.id),
        guard=(REGISTRY_FILENAME, base),
        what=f"client {client.id}",
    )
    written = apply_write(practice.root, repo, plan, author=author, check=check, dry_run=dry_run)
    adoption = Adoption(source, notes, check.report)
    return Written(written.commit, written.paths, adoption)
