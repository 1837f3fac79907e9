"""The one module that talks to git (through GitPython).

A practice is a git repository; every write ends in exactly one commit authored by the staff
member who made it, and the check cache keys clients on git tree hashes.
"""

from __future__ import annotations

import io
import os
import tarfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

import git

from beanfirm.errors import ConfigError, WriteRefusedError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path


@dataclass(frozen=True)
class Author:
    """Who a commit is by."""

    name: str
    email: str


class PracticeRepo:
    """A practice's git repository, with paths given relative to the practice root."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        try:
            self.repo = git.Repo(self.root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            msg = (
                f"The practice {self.root} is not a git repository, so beanfirm cannot keep "
                "its history or make commits. Run `git init` in it (and commit the current "
                "files), or create a practice with `beanfirm init DIR`."
            )
            raise ConfigError(msg) from None
        top = self.repo.working_tree_dir
        if top is None:
            msg = f"The git repository at {self.root} is bare; a practice needs a working tree."
            raise ConfigError(msg)
        self.top = os.path.realpath(top)
        self.prefix = os.path.relpath(self.root, self.top)

    @classmethod
    def init(cls, root: Path) -> PracticeRepo:
        """Create a repository in `root` and open it."""
        git.Repo.init(root)
        return cls(root)

    def _git(self, *args: str) -> str:
        return str(self.repo.git.execute(["git", "-C", str(self.root), *args]))

    def has_commits(self) -> bool:
        """Return whether HEAD points at a commit."""
        try:
            self.repo.head.commit  # noqa: B018 - resolving HEAD is the check
        except ValueError:
            return False
        return True

    def changed_paths(self, pathspecs: Iterable[str]) -> list[str]:
        """Return the paths under `pathspecs` with uncommitted changes (staged, unstaged, new)."""
        out = self._git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *pathspecs)
        paths: list[str] = []
        records = out.split("\0")
        index = 0
        while index < len(records):
            record = records[index]
            index += 1
            if len(record) < 4:  # noqa: PLR2004 - "XY path" is at least four characters
                continue
            status, path = record[:2], record[3:]
            if "R" in status or "C" in status:
                index += 1  # a rename carries its source path as the next record
            paths.append(os.path.relpath(os.path.join(self.top, path), self.root))
        return paths

    def refuse_if_dirty(self, pathspecs: Iterable[str], what: str) -> None:
        """Refuse a write into `what` while it has uncommitted changes."""
        pathspecs = list(pathspecs)
        changed = self.changed_paths(pathspecs)
        if changed:
            shown = ", ".join(changed[:5]) + (" …" if len(changed) > 5 else "")  # noqa: PLR2004
            msg = (
                f"Refusing to change {what}: files it needs have uncommitted changes ({shown}). "
                "beanfirm makes each change as one reviewed commit, so commit or stash these "
                "first (`git status` shows them), then run the command again."
            )
            raise WriteRefusedError(msg)

    def subtree_hashes(self, folder: str) -> dict[str, str]:
        """Return the git tree hash at HEAD of each entry directly below `folder`."""
        if not self.has_commits():
            return {}
        out = self._git("ls-tree", "-z", "HEAD", "--", folder.rstrip("/") + "/")
        hashes: dict[str, str] = {}
        for record in filter(None, out.split("\0")):
            meta, path = record.split("\t", 1)
            _mode, kind, sha = meta.split()
            if kind == "tree":
                hashes[os.path.basename(path)] = sha
        return hashes

    def files_under(self, folder: str) -> list[str]:
        """Return tracked and untracked (not ignored) files under `folder`, sorted."""
        out = self._git(
            "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", folder
        )
        return sorted({path for path in out.split("\0") if path})

    def commit(self, paths: Iterable[str], message: str, author: Author) -> str:
        """Commit exactly `paths` (added, changed or deleted) and return the commit id."""
        paths = list(paths)
        self._git("add", "--all", "--", *paths)
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": author.name,
            "GIT_COMMITTER_EMAIL": author.email,
        }
        self.repo.git.execute(
            [
                "git",
                "-C",
                str(self.root),
                "commit",
                "--quiet",
                "-m",
                message,
                "--",
                *paths,
            ],
            env={**os.environ, **env},
        )
        return str(self.repo.head.commit.hexsha)

    def unstage(self, paths: Iterable[str]) -> None:
        """Put the index entries of `paths` back as they are at HEAD."""
        paths = list(paths)
        if not paths:
            return
        if self.has_commits():
            self._git("reset", "--quiet", "HEAD", "--", *paths)
        else:
            self._git("rm", "--cached", "--quiet", "--ignore-unmatch", "-r", "--", *paths)

    def names_at_head(self, folder: str = ".") -> list[str]:
        """Return the names of the files and folders directly in `folder` at HEAD."""
        if not self.has_commits():
            return []
        out = self._git("ls-tree", "-z", "--name-only", "HEAD", "--", folder.rstrip("/") + "/")
        return [os.path.basename(path) for path in out.split("\0") if path]

    def export_head(self, pathspecs: Iterable[str], dest: Path) -> None:
        """Write the files under `pathspecs` as they are at HEAD into the folder `dest`."""
        data = self.repo.git.execute(
            ["git", "-C", str(self.root), "archive", "--format=tar", "HEAD", "--", *pathspecs],
            stdout_as_string=False,
        )
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            archive.extractall(dest, filter="data")

    def head(self) -> str | None:
        """Return the commit id of HEAD, or None in a repository with no commits."""
        return str(self.repo.head.commit.hexsha) if self.has_commits() else None

    # Backups: every ref as a git bundle, and a practice rebuilt from bundles.

    def refs(self) -> dict[str, str]:
        """Return every ref (branches, tags, notes...) and the object it points at."""
        out = self._git("for-each-ref", "--format=%(refname) %(objectname)")
        return dict(line.split(" ", 1) for line in out.splitlines() if line)

    def head_ref(self) -> str | None:
        """Return what HEAD names: a branch ref, a commit id when detached, None when unborn."""
        try:
            return self._git("symbolic-ref", "--quiet", "HEAD").strip()
        except git.GitCommandError:
            return self.head()

    def root_tree(self) -> str | None:
        """Return the tree id of HEAD's whole practice folder."""
        if not self.has_commits():
            return None
        return self._git("rev-parse", f"HEAD:{'' if self.prefix == '.' else self.prefix}").strip()

    def has_commits_named(self, commits: Iterable[str]) -> bool:
        """Return whether every one of `commits` is a commit in this repository."""
        for commit in commits:
            try:
                self._git("cat-file", "-e", f"{commit}^{{commit}}")
            except git.GitCommandError:
                return False
        return True

    def write_bundle(self, dest: Path, *, since: Iterable[str] = ()) -> bool:
        """Write every ref into a bundle at `dest`, less what `since` holds; False if none new."""
        since = [f"^{commit}" for commit in since]
        count = self._git("rev-list", "--count", "--all", *since).strip()
        if count == "0":
            return False
        self._git("bundle", "create", "--quiet", str(dest), "--all", *since)
        return True

    def bundle_problem(self, bundle: Path) -> str | None:
        """Return why `git bundle verify` refuses a bundle here, or None when it is whole."""
        try:
            self._git("bundle", "verify", "--quiet", str(bundle))
        except git.GitCommandError as exc:
            return str(exc.stderr).strip().removeprefix("stderr:").strip(" '\n") or str(exc)
        return None

    def unbundle(self, bundle: Path) -> None:
        """Add the objects of a verified bundle to this repository."""
        self._git("bundle", "unbundle", str(bundle))

    def set_refs(self, refs: dict[str, str], head: str | None) -> None:
        """Make the refs exactly `refs`, point HEAD at `head` and check its files out."""
        for name in set(self.refs()) - set(refs):
            self._git("update-ref", "-d", name)
        for name, target in sorted(refs.items()):
            self._git("update-ref", name, target)
        if head is not None and head.startswith("refs/"):
            self._git("symbolic-ref", "HEAD", head)
        elif head is not None:
            self._git("update-ref", "--no-deref", "HEAD", head)
        if self.has_commits():
            self._git("reset", "--quiet", "--hard", "HEAD")
