"""The one module that talks to git (through GitPython).

A practice is a git repository; every write ends in exactly one commit authored by the staff
member who made it, and the check cache keys clients on git tree hashes.

Git's index is one file for the whole repository, so two gits that change it at once collide
on `.git/index.lock`. Every git that changes the index (add, commit, reset, checkout, rm) runs
under `index_lock`, one practice-wide lock in `.git/beanfirm/`, held only for the git calls and
always taken after the client locks. Under it, lock files a dead git left behind are cleared
(see `beanfirm.store.gitlocks`). `git status` runs without taking git's optional locks, so a
reader never blocks a writer.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import io
import os
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import git

from beanfirm.core.scratch import scratch_folder
from beanfirm.errors import BeanfirmError, ConfigError, WriteRefusedError
from beanfirm.store.gitlocks import stale_lock_files
from beanfirm.store.gitstate import GitOperation, git_operation
from beanfirm.store.locks import flock_within

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

STATE_IN_GIT = "beanfirm"  # beanfirm's folder inside `.git`: the git lock, write intents
GIT_LOCK_WAIT = 60.0
GIT_RETRIES = 3  # times a git that found the index taken by a git run by hand runs again
POLL_SECONDS = 0.02


class GitError(BeanfirmError):
    """A git command failed; the message says which and what to do, `detail` what git said."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class GitBusyError(WriteRefusedError):
    """Git's own lock files are held by a git running in the practice."""


@dataclass(frozen=True)
class Author:
    """Who a commit is by."""

    name: str
    email: str


@dataclass(frozen=True)
class CommitRecord:
    """One commit as the audit and the review queue see it."""

    sha: str
    author: Author
    when: datetime.datetime
    subject: str
    files: tuple[str, ...]  # practice-relative paths
    committer_email: str = ""  # beanfirm commits as the author; an amend or --author does not


@dataclass(frozen=True)
class TagRecord:
    """A tag as git holds it: what its ref points at and what its tag object says."""

    ref: str
    name: str
    annotated: bool
    object_id: str  # the tag object (the commit itself for a lightweight tag)
    target: str  # the commit it points at
    tag_header: str  # the name written inside the tag object
    tagger: Author
    when: datetime.datetime | None
    message: str
    signed: bool


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
        self.git_dir = Path(self.repo.git_dir)
        self._lock_depth = 0
        self.cleared: list[Path] = []  # git's stale lock files this process removed

    @classmethod
    def init(cls, root: Path) -> PracticeRepo:
        """Create a repository in `root` and open it."""
        git.Repo.init(root)
        return cls(root)

    @property
    def state_dir(self) -> Path:
        """Return beanfirm's folder inside `.git` (outside the working tree, never committed)."""
        return self.git_dir / STATE_IN_GIT

    def _git(self, *args: str, env: dict[str, str] | None = None) -> str:
        command = ["git", "-C", str(self.root), *args]
        full_env = None if env is None else {**os.environ, **env}
        for attempt in range(GIT_RETRIES + 1):
            try:
                return str(self.repo.git.execute(command, env=full_env))
            except git.GitCommandError as exc:
                held = "index.lock': File exists" in str(exc.stderr)
                if not (held and self._lock_depth and attempt < GIT_RETRIES):
                    raise git_failed(args[0], exc) from None
                # A git run by hand (an editor's `git status`) took the index meanwhile; such
                # a git changed nothing of ours, so wait for it and run ours again.
                self._clear_stale_locks(time.monotonic() + GIT_LOCK_WAIT)
        raise AssertionError  # the loop returns or raises

    @contextlib.contextmanager
    def index_lock(self, wait_seconds: float = GIT_LOCK_WAIT) -> Iterator[None]:
        """Hold the practice-wide git lock (re-entrant), clearing git's stale lock files."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        self.state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.state_dir / "git.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if not flock_within(fd, wait_seconds, POLL_SECONDS):
                msg = (
                    f"Another beanfirm process has been running git in {self.top} for "
                    f"{wait_seconds:.0f} seconds; nothing was written. Wait for it to finish "
                    "and run the command again."
                )
                raise WriteRefusedError(msg)
            deadline = time.monotonic() + wait_seconds
            self._lock_depth = 1
            try:
                self._clear_stale_locks(deadline)
                yield
            finally:
                self._lock_depth = 0
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _clear_stale_locks(self, deadline: float) -> None:
        while True:
            stale, live = stale_lock_files(self.git_dir, Path(self.top))
            for path in stale:
                path.unlink(missing_ok=True)
                self.cleared.append(path)
            if not live:
                return
            if time.monotonic() >= deadline:
                shown = "; ".join(f"pid {g.pid}: {g.command}" for g in live[:3])
                msg = (
                    f"git is running in the practice ({shown}) and holds git's lock files, so "
                    "beanfirm cannot commit; nothing was written. Let that git finish (or end "
                    "it) and run the command again."
                )
                raise GitBusyError(msg)
            time.sleep(POLL_SECONDS)

    def has_commits(self) -> bool:
        """Return whether HEAD points at a commit."""
        try:
            self.repo.head.commit  # noqa: B018 - resolving HEAD is the check
        except ValueError:
            return False
        return True

    def changed_paths(self, pathspecs: Iterable[str]) -> list[str]:
        """Return the paths under `pathspecs` with uncommitted changes (staged, unstaged, new)."""
        out = self._git(
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--",
            *pathspecs,
            env={"GIT_OPTIONAL_LOCKS": "0"},  # never refresh the index: a reader, not a writer
        )
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

    def operation_in_progress(self) -> GitOperation | None:
        """Return what git is in the middle of (or a killed sync, a detached HEAD), or None."""
        return git_operation(self.git_dir, self.state_dir)

    def refuse_mid_operation(self, what: str) -> None:
        """Refuse a write into `what` while git is in the middle of something (`gitstate`).

        A few file stats under the git folder: cheap enough for every write.
        """
        found = self.operation_in_progress()
        if found is not None:
            msg = (
                f"Refusing to change {what}: {found.state}; nothing was written. "
                f"{found.remedy}, then run the command again."
            )
            raise WriteRefusedError(msg)

    def subtree_hashes(self, folder: str, *, at: str = "HEAD") -> dict[str, str]:
        """Return the git tree hash at HEAD (or commit `at`) of each entry below `folder`."""
        if not self.has_commits():
            return {}
        out = self._git("ls-tree", "-z", at, "--", folder.rstrip("/") + "/")
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

    def ignored_files(self, pathspecs: Iterable[str]) -> list[str]:
        """Return the git-ignored files under `pathspecs` (in no commit, not in status), sorted."""
        out = self._git(
            "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--", *pathspecs
        )
        return sorted({path for path in out.split("\0") if path})

    def commit(self, paths: Iterable[str], message: str, author: Author) -> str:
        """Commit exactly `paths` (added, changed or deleted) and return the commit id."""
        paths = list(paths)
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": author.name,
            "GIT_COMMITTER_EMAIL": author.email,
        }
        with self.index_lock():
            self.refuse_mid_operation("the practice")
            self._git("add", "--all", "--", *paths)
            self._git("commit", "--quiet", "--no-verify", "-m", message, "--", *paths, env=env)
            return str(self.repo.head.commit.hexsha)

    def unstage(self, paths: Iterable[str]) -> None:
        """Put the index entries of `paths` back as they are at HEAD."""
        paths = list(paths)
        if not paths:
            return
        with self.index_lock():
            if self.has_commits():
                self._git("reset", "--quiet", "HEAD", "--", *paths)
            else:
                self._git("rm", "--cached", "--quiet", "--ignore-unmatch", "-r", "--", *paths)

    def committed_since(self, head: str | None, paths: Iterable[str], message: str) -> bool:
        """Return whether a commit after `head` that touches `paths` has `message`."""
        if not self.has_commits():
            return False
        span = "HEAD" if head is None else f"{head}..HEAD"
        out = self._git("log", "--format=%B%x00", span, "--", *paths)
        return message.strip() in {body.strip() for body in out.split("\0")}

    def restore(self, head: str | None, paths: Iterable[str]) -> None:
        """Put `paths` back as they are at `head`, in the working tree and the index.

        A path that `head` does not have is deleted; with no `head`, every path is.
        """
        paths = list(paths)
        if not paths:
            return
        with self.index_lock():
            known = set()
            if head is not None:
                out = self._git("ls-tree", "-r", "-z", "--name-only", head, "--", *paths)
                known = {os.path.normpath(path) for path in out.split("\0") if path}
            there = [path for path in paths if os.path.normpath(path) in known]
            if there:
                self._git("checkout", "--quiet", str(head), "--", *there)
            for path in paths:
                if os.path.normpath(path) not in known:
                    (self.root / path).unlink(missing_ok=True)
            self.unstage(paths)

    def names_at_head(self, folder: str = ".") -> list[str]:
        """Return the names of the files and folders directly in `folder` at HEAD."""
        if not self.has_commits():
            return []
        return self.names_at("HEAD", folder)

    def names_at(self, commit: str, folder: str = ".") -> list[str]:
        """Return the names of the files and folders directly in `folder` at `commit`."""
        out = self._git("ls-tree", "-z", "--name-only", commit, "--", folder.rstrip("/") + "/")
        return [os.path.basename(path) for path in out.split("\0") if path]

    def files_at(self, commit: str, folders: Iterable[str]) -> list[str]:
        """Return every file under any of `folders` at `commit`, with one git call."""
        specs = [folder.rstrip("/") + "/" for folder in folders]
        if not specs:
            return []
        out = self._git("ls-tree", "-r", "-z", "--name-only", commit, "--", *specs)
        return [path for path in out.split("\0") if path]

    def export_head(self, pathspecs: Iterable[str], dest: Path) -> None:
        """Write the files under `pathspecs` as they are at HEAD into the folder `dest`."""
        self.export_at("HEAD", pathspecs, dest)

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
        except GitError:
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
            except GitError:
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
        except GitError as exc:
            return exc.detail or str(exc)
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

    # The reviewer's desk (issue 15, part R): commits, tags and signatures of approvals.

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Return whether commit `ancestor` is `descendant` or one of its ancestors."""
        try:
            self._git("merge-base", "--is-ancestor", ancestor, descendant)
        except GitError:
            return False
        return True

    def practice_path(self, relpath: str) -> str:
        """Return a practice-relative path as a path from the repository's top."""
        return relpath if self.prefix == "." else f"{self.prefix}/{relpath}"

    def tree_at(self, commit: str, folder: str) -> str | None:
        """Return the tree id of the practice folder `folder` at `commit`, None if it has none."""
        try:
            out = self._git(
                "rev-parse", "--verify", "--quiet", f"{commit}:{self.practice_path(folder)}"
            )
        except GitError:
            return None
        return out.strip() or None

    def commits_touching(
        self, folder: str, *, since: str | None = None, until: str = "HEAD"
    ) -> list[CommitRecord]:
        """Return the commits after `since` up to `until` that touch `folder`, oldest first."""
        span = until if since is None else f"{since}..{until}"
        return list(reversed(self.log_records(span, folder)))

    def log_records(self, span: str, *pathspecs: str) -> list[CommitRecord]:
        """Return the commits of `span` (a `git log` range) touching `pathspecs`, newest first.

        A merge is listed only where its tree differs, under `pathspecs`, from what merging its
        parents gives (`merged_changes`): a trivial merge's changes are its parents', but a
        merge that adds to them (or resolves a conflict) is written by its author. Files are
        practice-relative.
        """
        out = self._git(
            "log",
            "--topo-order",
            "--relative",
            "--name-only",
            "-z",
            "--format=%x01%H%x00%an%x00%ae%x00%aI%x00%s%x00%ce%x00%P%x00",
            span,
            "--",
            *pathspecs,
        )
        records = []
        for chunk in out.split("\x01")[1:]:
            fields = chunk.split("\0")
            sha, name, email, when, subject, committer, parents = fields[:7]
            if len(parents.split()) > 1:
                files = tuple(self.merged_changes(sha, parents.split(), pathspecs))
                if not files:
                    continue
            else:
                files = tuple(path.strip("\n") for path in fields[7:] if path.strip("\n"))
            records.append(
                CommitRecord(
                    sha,
                    Author(name, email),
                    datetime.datetime.fromisoformat(when),
                    subject,
                    files,
                    committer,
                )
            )
        return records

    def merged_changes(
        self, merge: str, parents: Sequence[str], pathspecs: Iterable[str]
    ) -> list[str]:
        """Return the files under `pathspecs` where a merge differs from merging its parents.

        Two parents are merged again (`git merge-tree`, which writes nothing to any ref); a
        conflict leaves its markers there, so a resolved conflict counts as the merge's own.
        With more parents, the files that differ from every parent are taken.
        """
        if len(parents) == 2:  # noqa: PLR2004
            done = subprocess.run(
                ["git", "-C", str(self.root), "merge-tree", "--write-tree", *parents],
                capture_output=True,
                text=True,
                check=False,
            )
            lines = done.stdout.split()
            if done.returncode in (0, 1) and lines:
                out = self._git(
                    "diff",
                    "--name-only",
                    "--no-renames",
                    "--relative",
                    "-z",
                    lines[0],
                    merge,
                    "--",
                    *pathspecs,
                )
                return sorted(path for path in out.split("\0") if path)
        out = self._git(
            "diff-tree",
            "-c",
            "--name-only",
            "--relative",
            "-z",
            "--no-commit-id",
            merge,
            "--",
            *pathspecs,
        )
        return sorted({path for path in out.split("\0") if path})

    def commit_graph(self, until: str = "HEAD") -> dict[str, tuple[str, ...]]:
        """Return each commit reachable from `until` with its parents, newest first."""
        if not self.has_commits():
            return {}
        out = self._git("rev-list", "--topo-order", "--parents", until, "--")
        graph: dict[str, tuple[str, ...]] = {}
        for line in out.splitlines():
            sha, *parents = line.split()
            graph[sha] = tuple(parents)
        return graph

    def tag_records(self, prefix: str) -> list[TagRecord]:
        """Return the tags whose names start with `prefix` (`refs/tags/...`), by name."""
        fields = (
            "%(refname)",
            "%(objecttype)",
            "%(objectname)",
            "%(*objectname)",
            "%(tag)",
            "%(taggername)",
            "%(taggeremail)",
            "%(taggerdate:iso-strict)",
            "%(contents:subject)",
            "%(contents:body)",
            "%(contents:signature)",
        )
        out = self._git(
            "for-each-ref", "--sort=refname", f"--format=%01{'%00'.join(fields)}", prefix
        )
        records = []
        for chunk in out.split("\x01")[1:]:
            (ref, kind, obj, target, name, tagger, email, when, subject, body, signature) = (
                chunk.split("\0")
            )
            annotated = kind == "tag"
            records.append(
                TagRecord(
                    ref=ref,
                    name=ref.removeprefix("refs/tags/"),
                    annotated=annotated,
                    object_id=obj,
                    target=target if annotated else obj,
                    tag_header=name,
                    tagger=Author(tagger, email.strip("<>")),
                    when=datetime.datetime.fromisoformat(when) if when else None,
                    message=f"{subject}\n\n{body}".rstrip("\n") + "\n",
                    signed=bool(signature.strip()),
                )
            )
        return records

    def signing_config(self) -> dict[str, str]:
        """Return the practice's git settings that say how git signs (format, key, program)."""
        try:
            out = self._git("config", "--null", "--get-regexp", r"^(gpg\.|user\.signingkey)")
        except GitError:  # none set
            return {}
        pairs = (item.split("\n", 1) for item in out.split("\0") if item)
        return dict(pairs)

    def create_tag(
        self, name: str, commit: str, message: str, tagger: Author, *, signing_key: str | None
    ) -> str:
        """Create the annotated tag `name` at `commit` in one step; refuse if it exists.

        The tag object is made first in a scratch repository that borrows this one's objects
        (signed there with git's own settings when `signing_key` is given, and the signature
        verified against that listed key), then copied here and its ref created only if no
        such ref exists: a failure at any step leaves no ref behind.
        """
        env = {
            "GIT_COMMITTER_NAME": tagger.name,
            "GIT_COMMITTER_EMAIL": tagger.email,
        }
        settings = [f"{key}={value}" for key, value in self.signing_config().items()]
        with scratch_folder("tag") as scratch:
            git.Repo.init(scratch, bare=True)
            alternates = Path(scratch, "objects", "info", "alternates")
            alternates.write_text(str(self._objects_dir()) + "\n")
            args = [arg for setting in settings for arg in ("-c", setting)]
            sign = ["-s"] if signing_key else ["--no-sign"]
            scratch_git = ["git", f"--git-dir={scratch}", *args]
            try:
                self.repo.git.execute(
                    [*scratch_git, "tag", "-a", *sign, "-m", message, name, commit],
                    env={**os.environ, **env},
                )
            except git.GitCommandError as exc:
                said = str(exc.stderr or "").strip().removeprefix("stderr:").strip(" '\n")
                said = " ".join(said.split()) or f"exit status {exc.status}"
                msg = f"git could not make the tag {name}: {said}. Nothing was written." + (
                    " The approver has a signing key listed in clients.yaml, so the "
                    "approval must be signed: set git's `user.signingkey` (and "
                    "`gpg.format ssh` for an SSH key) to that key, then run the command "
                    "again."
                    if signing_key
                    else ""
                )
                raise GitError(msg, str(exc.stderr or "")) from None
            if signing_key:
                problem = _signature_problem(scratch_git, name, signing_key, self.repo.git)
                if problem:
                    msg = (
                        f"The approval could not be signed with the key listed in clients.yaml "
                        f"for {tagger.email} ({problem}); nothing was written. Set git's "
                        "`user.signingkey` (and `gpg.format ssh` for an SSH key) to that key, "
                        "or list the key git signs with, and run the command again."
                    )
                    raise GitError(msg, problem)
            content = self.repo.git.execute(
                [*scratch_git, "cat-file", "tag", name],
                stdout_as_string=False,
                strip_newline_in_stdout=False,
            )
        object_id = self._mktag(content)
        self._git("update-ref", "--create-reflog", f"refs/tags/{name}", object_id, "")
        return object_id

    def _objects_dir(self) -> Path:
        """Return the object store (shared by all worktrees: the common git folder's)."""
        common = self._git("rev-parse", "--git-common-dir").strip()
        return (self.root / common).resolve() / "objects"

    def _mktag(self, content: bytes) -> str:
        with tempfile.TemporaryFile() as handle:
            handle.write(content)
            handle.seek(0)
            out = self.repo.git.execute(["git", "-C", str(self.root), "mktag"], istream=handle)
        return str(out).strip()

    def tag_object(self, ref: str, object_id: str) -> TagRecord:
        """Return the tag object `object_id` as if `ref` pointed at it (a pushed, new tag).

        A pre-receive hook sees a new tag before its ref exists; this reads the object itself.
        """
        text = self._git("cat-file", "tag", object_id)
        head, _, message = text.partition("\n\n")
        fields = dict(line.split(" ", 1) for line in head.splitlines() if " " in line)
        tagger, when = fields.get("tagger", ""), None
        name, _, rest = tagger.partition(" <")
        email, _, stamp = rest.partition("> ")
        if stamp:
            seconds, _, zone = stamp.partition(" ")
            sign = -1 if zone.startswith("-") else 1
            offset = datetime.timedelta(hours=int(zone[1:3] or 0), minutes=int(zone[3:5] or 0))
            when = datetime.datetime.fromtimestamp(
                int(seconds), tz=datetime.timezone(sign * offset)
            )
        body, signature = message, ""
        for marker in ("-----BEGIN PGP SIGNATURE-----", "-----BEGIN SSH SIGNATURE-----"):
            if marker in message:
                body, signature = message.split(marker, 1)
        return TagRecord(
            ref=ref,
            name=ref.removeprefix("refs/tags/"),
            annotated=True,
            object_id=object_id,
            target=fields.get("object", ""),
            tag_header=fields.get("tag", ""),
            tagger=Author(name, email),
            when=when,
            message=body.rstrip("\n") + "\n",
            signed=bool(signature),
        )

    def signature_problem(self, tag: str, signing_key: str) -> str | None:
        """Return why the tag `tag`'s signature does not verify against `signing_key`, or None."""
        return _signature_problem(["git", "-C", str(self.root)], tag, signing_key, self.repo.git)

    def delete_ref(self, ref: str, old: str) -> None:
        """Delete `ref` if it still points at `old` (tests forge and break records with this)."""
        self._git("update-ref", "-d", ref, old)

    def export_at(self, commit: str, pathspecs: Iterable[str], dest: Path) -> None:
        """Write the files under the practice-relative `pathspecs` as they are at `commit`."""
        data = self.repo.git.execute(
            ["git", "-C", str(self.root), "archive", "--format=tar", commit, "--", *pathspecs],
            stdout_as_string=False,
        )
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            archive.extractall(dest, filter="data")

    # Approved snapshots (the portal, issue 15 part S): noticing new approval tags cheaply.

    def refs_under(self, prefix: str) -> dict[str, str]:
        """Return the refs whose names start with `prefix` and the objects they point at."""
        out = self._git("for-each-ref", "--format=%(refname) %(objectname)", prefix)
        return dict(line.split(" ", 1) for line in out.splitlines() if line)

    # Diffs (issue 15, `beanfirm diff`): which files two revisions differ in, and their blobs.

    def commit_of(self, rev: str) -> str | None:
        """Return the commit id that `rev` names, or None when it names no commit."""
        try:
            return self._git(
                "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"
            ).strip()
        except GitError:
            return None

    def first_parent(self, commit: str) -> str | None:
        """Return the first parent of `commit`, or None for a root commit."""
        out = self._git("rev-list", "--parents", "-n", "1", commit, "--").split()
        return out[1] if len(out) > 1 else None

    def paths_changed(self, old: str | None, new: str | None) -> list[str]:
        """Return the practice-relative files that differ from `old` to `new`, sorted.

        `old` None is the empty tree; `new` None is the working tree (tracked files as they are
        on disk, and files not yet added that git does not ignore). A renamed file is listed
        under both names.
        """
        base = old if old is not None else self._empty_tree()
        span = [base] if new is None else [base, new]
        out = self._git("diff", "--name-only", "--no-renames", "--relative", "-z", *span, "--")
        paths = {path for path in out.split("\0") if path}
        if new is None:
            out = self._git("ls-files", "-z", "--others", "--exclude-standard", "--", ".")
            paths.update(path for path in out.split("\0") if path)
        return sorted(paths)

    def _empty_tree(self) -> str:
        return self._git("hash-object", "-t", "tree", os.devnull).strip()

    def texts_at(self, commit: str | None, paths: Iterable[str]) -> dict[str, str | None]:
        """Return the text of each file at `commit` (None: the working tree); None if absent.

        Bytes that are not UTF-8 are decoded as lone surrogates (`surrogateescape`).
        """
        paths = list(paths)
        if commit is None:
            return {path: _read_text(self.root / path) for path in paths}
        texts: dict[str, str | None] = dict.fromkeys(paths)
        if any("\n" in path for path in paths):  # `--batch` reads names a line each
            msg = "a file name with a line break cannot be read from git's history"
            raise GitError(msg)
        if not paths:
            return texts
        inside = "" if self.prefix == "." else self.prefix.rstrip("/") + "/"
        names = "".join(f"{commit}:{inside}{path}\n" for path in paths).encode()
        done = subprocess.run(  # one git for every file: a diff's cost is its size
            ["git", "-C", str(self.root), "cat-file", "--batch"],
            input=names,
            capture_output=True,
            check=False,
        )
        if done.returncode:
            said = done.stderr.decode(errors="replace").strip()
            raise GitError(f"git cat-file failed: {said}", said)
        out, at = done.stdout, 0
        for path in paths:
            header_end = out.index(b"\n", at)
            header = out[at:header_end].split()
            at = header_end + 1
            if header[-1] == b"missing" or header[1] != b"blob":
                continue
            size = int(header[2])
            # Bytes that are not UTF-8 stay visible (as surrogates) for the reader to refuse.
            texts[path] = out[at : at + size].decode("utf-8", errors="surrogateescape")
            at += size + 1
        return texts

    def blobs_at(self, commits: Iterable[str], path: str) -> dict[str, str | None]:
        """Return the blob id of the file `path` at each commit (None: absent), in one git."""
        commits = list(commits)
        if not commits:
            return {}
        names = "".join(f"{commit}:{self.practice_path(path)}\n" for commit in commits)
        done = subprocess.run(
            ["git", "-C", str(self.root), "cat-file", "--batch-check"],
            input=names.encode(),
            capture_output=True,
            check=False,
        )
        lines = done.stdout.decode(errors="replace").splitlines()
        blobs: dict[str, str | None] = {}
        for commit, line in zip(commits, lines, strict=False):
            fields = line.split()
            blobs[commit] = fields[0] if len(fields) == 3 and fields[1] == "blob" else None  # noqa: PLR2004
        return blobs

    def raw_diff(self, old: str | None, new: str | None, pathspecs: Iterable[str]) -> str:
        """Return git's own text diff from `old` to `new` (as `paths_changed`), no driver."""
        base = old if old is not None else self._empty_tree()
        span = [base] if new is None else [base, new]
        return self._git(
            "-c",
            "core.quotepath=off",
            "diff",
            "--no-ext-diff",
            "--no-textconv",
            "--no-color",
            "--relative",
            *span,
            "--",
            *pathspecs,
        )

    def set_config(self, key: str, value: str) -> None:
        """Set a git setting in this repository's own configuration."""
        self._git("config", "--local", key, value)

    def unset_config(self, key: str) -> None:
        """Remove a git setting from this repository's own configuration, if it is there."""
        try:
            self._git("config", "--local", "--get-all", key)
        except GitError:
            return  # not set here
        self._git("config", "--local", "--unset-all", key)

    # Locked periods (issue 15, L): the commit that wrote a lock.

    def first_commit_adding(self, text: str, pathspec: str, until: str = "HEAD") -> str | None:
        """Return the oldest commit up to `until` that added `text` under `pathspec`, or None."""
        if not self.has_commits():
            return None
        out = self._git("log", "--reverse", "--format=%H", "-S", text, until, "--", pathspec)
        return out.split()[0] if out.split() else None

    def authors_adding(self, text: str, pathspec: str, since: str | None, until: str) -> set[str]:
        """Return the lower-cased e-mails of who changed how often `text` occurs under `pathspec`.

        The commits after `since` (None: from the first) up to `until` that add or remove it
        (git's pickaxe, `-S`).
        """
        span = until if since is None else f"{since}..{until}"
        out = self._git("log", "--format=%ae", "-S", text, span, "--", pathspec)
        return {line.strip().lower() for line in out.splitlines() if line.strip()}

    # The shared remote (issue 15, part F): a server's bare repository, history between two
    # commits, fetch, rebase and push. Kept in one block, apart from the other parts' methods.

    @classmethod
    def open_bare(cls, git_dir: Path) -> PracticeRepo:
        """Open a server's bare repository (a pre-receive hook's), for reading history only."""
        self = cls.__new__(cls)
        self.root = git_dir.resolve()
        try:
            self.repo = git.Repo(self.root)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            msg = f"{self.root} is not a git repository; name the bare repository (REPO.git)."
            raise ConfigError(msg) from None
        self.top = str(self.root)
        self.prefix = "."
        self.git_dir = Path(self.repo.git_dir)
        self._lock_depth = 0
        self.cleared = []
        return self

    def run_git(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run one git command of the remote's; its failure is a GitError with git's words."""
        return self._git(*args, env=env)

    def object_type(self, name: str) -> str | None:
        """Return the type of the object `name` names (commit, tag...), None if there is none."""
        try:
            return self._git("cat-file", "-t", name).strip()
        except GitError:
            return None

    def config(self, key: str) -> str | None:
        """Return a git setting of this repository, or None when it is not set."""
        try:
            return self._git("config", "--get", key).strip()
        except GitError:
            return None

    def current_branch(self) -> str | None:
        """Return the checked-out branch's short name, None when HEAD is detached."""
        ref = self.head_ref()
        return ref.removeprefix("refs/heads/") if ref and ref.startswith("refs/heads/") else None

    def fetch(self, remote: str) -> None:
        """Fetch the remote's branches and tags."""
        self._git("fetch", "--quiet", "--tags", remote)

    def rebase_onto(self, upstream: str) -> tuple[bool, str]:
        """Rebase the local commits onto `upstream`; return (done, what git said)."""
        env = {"GIT_EDITOR": "true", "GIT_SEQUENCE_EDITOR": "true"}
        with self.index_lock():
            status, out, err = self.repo.git.execute(
                # updateRefs would move the branches on the replayed commits, the one sync left
                # on its commit until the push is accepted included (unknown to an old git).
                [
                    "git",
                    "-C",
                    str(self.root),
                    "-c",
                    "rebase.updateRefs=false",
                    "rebase",
                    "--no-autostash",
                    upstream,
                ],
                env={**os.environ, **env},
                with_extended_output=True,
                with_exceptions=False,
            )
            if status != 0 and self.rebasing():
                self._git("rebase", "--abort")
            return status == 0, f"{out}\n{err}".strip()

    def rebasing(self) -> bool:
        """Return whether a rebase is in progress."""
        return (self.git_dir / "rebase-merge").exists() or (self.git_dir / "rebase-apply").exists()

    def abort_rebase(self) -> None:
        """Abort a rebase in progress (one a killed git left too: its lock files are cleared)."""
        with self.index_lock():
            if self.rebasing():
                self._git("rebase", "--abort")

    def detach_head(self) -> None:
        """Detach HEAD on its commit, so that a rebase leaves the branch alone until it is done.

        Only HEAD changes (the index and the files are that commit's already).
        """
        head = self.head()
        if head is None:
            msg = "The practice has no commit yet, so HEAD cannot be detached."
            raise GitError(msg)
        with self.index_lock():
            self._git("update-ref", "--no-deref", "-m", "beanfirm sync: detach", "HEAD", head)

    def attach_head(self, branch: str) -> None:
        """Put HEAD on `branch`, with the index and files of its tip (what is uncommitted goes).

        First HEAD is detached on the tip (the files follow), then it names the branch: a kill
        in between leaves a detached HEAD on the right commit, which this puts right again.
        HEAD already on the tip has only to name it: its files are the tip's (the callers
        abort a rebase first, and refuse files changed by hand).
        """
        ref = f"refs/heads/{branch}"
        with self.index_lock():
            if self.head() != self.commit_of(ref):
                self._git("checkout", "--quiet", "--force", "--detach", ref)
            self._git("symbolic-ref", "HEAD", ref)

    def move_branch(self, branch: str, new: str, old: str) -> None:
        """Move `branch` from `old` to `new` (refused if it moved meanwhile), HEAD on it.

        HEAD is detached on `new` with its files already: only the refs change.
        """
        with self.index_lock():
            self._git("update-ref", "-m", "beanfirm sync", f"refs/heads/{branch}", new, old)
            self._git("symbolic-ref", "HEAD", f"refs/heads/{branch}")

    def push(self, remote: str, refspecs: Iterable[str]) -> tuple[bool, str]:
        """Push refspecs atomically; return (accepted, what git and the remote said)."""
        status, out, err = self.repo.git.execute(
            ["git", "-C", str(self.root), "push", "--atomic", "--porcelain", remote, *refspecs],
            with_extended_output=True,
            with_exceptions=False,
        )
        return status == 0, f"{out}\n{err}".strip()


def merge_file(ours: Path, base: Path, theirs: Path) -> int:
    """Merge three files line by line into `ours` with git; return the conflicts it left."""
    status, _out, err = git.Git().execute(
        [
            "git",
            "merge-file",
            "-L",
            "ours",
            "-L",
            "base",
            "-L",
            "theirs",
            str(ours),
            str(base),
            str(theirs),
        ],
        with_extended_output=True,
        with_exceptions=False,
    )
    if status < 0 or status > 127:  # noqa: PLR2004 - git merge-file: 0-127 conflicts, else failed
        msg = f"git merge-file could not merge {ours}: {err.strip()}"
        raise GitError(msg, err)
    return int(status)


def git_failed(command: str, exc: git.GitCommandError) -> GitError:
    """Turn a failed git command into one paragraph that says what to run."""
    stderr = str(exc.stderr or "").strip().removeprefix("stderr:").strip(" '\n")
    said = " ".join(stderr.split()) or f"exit status {exc.status}"
    msg = (
        f"git {command} failed: {said}. beanfirm put back what it could; run "
        "`beanfirm repair` to finish or undo an interrupted change, then run the command again."
    )
    return GitError(msg, stderr)


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="surrogateescape")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def signing_format(signing_key: str) -> str:
    """Return git's `gpg.format` for a key listed in clients.yaml: `ssh` or `openpgp`."""
    kind = signing_key.split(" ", 1)[0]
    return "ssh" if kind.startswith(("ssh-", "ecdsa-", "sk-")) else "openpgp"


def _signature_problem(base: list[str], tag: str, signing_key: str, runner: git.Git) -> str | None:
    """Verify a tag's signature against one listed key: SSH or a GPG fingerprint."""
    with scratch_folder("verify") as scratch:
        if signing_format(signing_key) == "ssh":
            allowed = Path(scratch, "allowed_signers")
            allowed.write_text(f'beanfirm namespaces="git" {signing_key.strip()}\n')
            setting = f"gpg.ssh.allowedSignersFile={allowed}"
            command = [*base, "-c", setting, "verify-tag", "--raw", tag]
        else:
            command = [*base, "verify-tag", "--raw", tag]
        try:
            status, _out, err = runner.execute(
                command, with_extended_output=True, with_exceptions=False
            )
        except git.GitCommandError as exc:  # pragma: no cover - with_exceptions=False
            return " ".join(str(exc.stderr).split())
    said = " ".join(str(err).split())
    if status != 0:
        return said or f"git verify-tag exit status {status}"
    if signing_format(signing_key) == "openpgp":
        wanted = signing_key.replace(" ", "").upper()
        # `[GNUPG:] VALIDSIG <fingerprint> ... <primary key's fingerprint>`
        signers = {
            fingerprint.upper()
            for line in str(err).splitlines()
            if line.split()[1:2] == ["VALIDSIG"]
            for fingerprint in (line.split()[2], line.split()[-1])
        }
        if wanted not in signers:
            return f"signed by another key than {wanted}"
    return None
