"""`beanfirm init`: a new practice folder under git, ready for `beanfirm clients add`.

`set_up_clone` sets git's drivers up in it, and in a practice `beanfirm restore` rebuilds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from beanfirm.core import paths
from beanfirm.errors import UsageError
from beanfirm.jobs.diffdriver import ATTRIBUTE_LINE as DIFF_ATTRIBUTE
from beanfirm.jobs.diffdriver import driver_config
from beanfirm.store.gitrepo import Author, PracticeRepo
from beanfirm.store.mergedriver import ATTRIBUTES, ATTRIBUTES_FILE, install_merge_driver
from beanfirm.store.registry import REGISTRY_FILENAME, Staff, parse_registry
from beanfirm.store.writes import NO_CHECK, Written, apply_write, files_plan

GITIGNORE = """\
# beanfirm's caches and locks (never data of record)
/.beanfirm/
# Beancount's pickle cache: keyed on mtime, and a pickle any writer of the folder could plant
.*.picklecache
*.picklecache
# bank exports waiting to be imported; archived under documents/ once imported
ledgers/*/inbox/
__pycache__/
"""


def registry_text(firm_name: str, partner: Staff) -> str:
    """Return the clients.yaml of a new practice with its first staff member."""
    firm = {
        "name": firm_name,
        "staff": [
            {"id": partner.id, "name": partner.name, "email": partner.email, "role": partner.role}
        ],
    }
    body = yaml.safe_dump({"firm": firm}, allow_unicode=True, sort_keys=False)
    return (
        "# The client registry of the practice: the firm, its staff and its clients.\n"
        "# Format: docs/registry.md. Add clients with `beanfirm clients add`.\n"
        f"{body}clients: []\n"
    )


def init_practice(
    folder: Path, firm_name: str, partner: Staff, *, dry_run: bool = False
) -> Written[None]:
    """Create a practice in an empty or new folder and commit it."""
    if folder.exists() and any(folder.iterdir()):
        msg = (
            f"{folder} is not empty; `beanfirm init` creates a practice in a new or empty "
            "folder so that it never mixes with other files. Choose another folder."
        )
        raise UsageError(msg)
    text = registry_text(firm_name, partner)
    _registry, problems = parse_registry(folder / REGISTRY_FILENAME, text)
    if problems:
        raise UsageError("The firm details are not valid:", tuple(problems))
    if dry_run:
        return Written(None, tuple(sorted(_files(text))), None)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return _commit_new_practice(folder, firm_name, partner, text)
    except BaseException:
        # Nothing was there before: leave nothing behind, not even the new .git.
        shutil.rmtree(folder / ".git", ignore_errors=True)
        shutil.rmtree(folder / ".beanfirm", ignore_errors=True)
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        raise


def _files(registry: str) -> dict[str, bytes | None]:
    return {
        REGISTRY_FILENAME: registry.encode(),
        ".gitignore": GITIGNORE.encode(),
        ATTRIBUTES_FILE: (
            f"{ATTRIBUTES}# `git diff`, `git log -p` and `git show` in accounting terms "
            f"(docs/diff.md); set up with\n# `beanfirm diff --install` in each clone.\n"
            f"{DIFF_ATTRIBUTE}\n"
        ).encode(),
        f"{paths.LEDGERS}/.gitkeep": b"",
    }


def _commit_new_practice(folder: Path, firm_name: str, partner: Staff, text: str) -> Written[None]:
    repo = PracticeRepo.init(folder)
    plan = files_plan(
        _files(text),
        f"Start the practice of {firm_name}",
        locks=("registry",),
        guard=(REGISTRY_FILENAME, paths.LEDGERS),
        what=str(folder),
    )
    author = Author(partner.name, partner.email)
    written = apply_write(folder, repo, plan, author=author, check=NO_CHECK)
    set_up_clone(repo)
    return written


def set_up_clone(repo: PracticeRepo) -> None:
    """Set git's drivers up in a practice made on this machine (by init or restore).

    Git keeps drivers in each clone's own `.git/config`, which no commit carries, so a
    practice gets them where it comes into being: ledgers merge entry by entry
    (docs/merge-driver.md) and diff in accounting terms (docs/diff.md). Setting them again
    changes nothing.
    """
    install_merge_driver(repo)
    for key, value in driver_config().items():
        repo.set_config(key, value)
