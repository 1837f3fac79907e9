"""The remote's `pre-receive` hook: the checks a push must pass, and installing the hook.

Git runs the hook in the bare repository with one line per ref the push updates (`old new
ref`), the pushed objects already readable; a non-zero exit refuses the whole push, and what
the hook prints reaches the pusher as `remote: ...` lines. For each update:

- a branch: the clients it changes (files under `ledgers/<id>/`, their `clients.yaml` entry)
  are checked at the new commit, in a scratch copy of only what the check reads, as
  `beanfirm check` checks them; errors the old commit did not have refuse the push. A
  non-fast-forward (or a deletion) that leaves any commit the remote has out of every branch
  refuses too, as does a locked period edited or unlocked without a partner's reopen;
- a tag `beanfirm/approved/*`: deleting or moving one is refused; a new one must be an
  annotated tag, of a commit a branch holds after the push, that keeps the approval rules
  (two persons, roles, signatures).
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from beanfirm.core import paths
from beanfirm.core.terminal import plain_lines
from beanfirm.errors import BeanfirmError, ConfigError, LedgerError, Problem, WriteRefusedError
from beanfirm.jobs.clientcheck import problems_at
from beanfirm.review.approving import approval_problems
from beanfirm.review.locks import lock_regressions, locks_file, read_directives
from beanfirm.store.approvals import pushed_approval
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.mergedriver import python_command
from beanfirm.store.registry import REGISTRY_FILENAME, Registry, parse_registry
from beanfirm.store.writes import problem_keys, write_atomic

if TYPE_CHECKING:
    from collections.abc import Iterable


ZERO = "0" * 40
HEADS = "refs/heads/"
APPROVED = "refs/tags/beanfirm/approved/"
HOOK_MARK = "# beanfirm pre-receive hook"


@dataclass(frozen=True)
class RefUpdate:
    """One line of a push: a ref from `old` to `new` (None: created, or deleted)."""

    old: str | None
    new: str | None
    ref: str

    @property
    def short(self) -> str:
        """Return the ref's short name (`main`, `beanfirm/approved/huamei/0001`)."""
        return self.ref.removeprefix(HEADS).removeprefix("refs/tags/")


def parse_updates(text: str) -> list[RefUpdate]:
    """Read git's `old new ref` lines."""
    updates = []
    for line in text.splitlines():
        if not line.strip():
            continue
        old, new, ref = line.split(maxsplit=2)
        updates.append(RefUpdate(None if old == ZERO else old, None if new == ZERO else new, ref))
    return updates


def push_refusals(repo: PracticeRepo, updates: Iterable[RefUpdate]) -> list[BeanfirmError]:
    """Return why the push must be refused, one error per finding; empty to accept it."""
    refusals: list[BeanfirmError] = []
    updates = list(updates)
    approved = {record.ref: record.target for record in repo.tag_records(APPROVED)}
    # The branches as the push leaves them: an approval must be of a commit one of them holds.
    tips = dict(repo.refs_under("refs/heads"))
    for update in updates:
        if update.ref.startswith(HEADS):
            tips.pop(update.ref, None)
            if update.new is not None:
                tips[update.ref] = update.new
    for update in updates:
        if update.ref.startswith(HEADS):
            refusals += _history_refusals(repo, update, approved)
            if update.new is not None:
                refusals += _branch_refusals(repo, update)
        elif update.ref.startswith(APPROVED):
            refusals += _approval_refusals(repo, update, tuple(tips.values()))
    return refusals


def _history_refusals(
    repo: PracticeRepo, update: RefUpdate, approved: dict[str, str]
) -> list[BeanfirmError]:
    """Refuse an update that leaves commits the remote has out of every branch.

    Approved or not: a force push over a colleague's pushed commits would throw their work
    away without a word. `beanfirm sync` never rewrites what the remote has.
    """
    if update.old is None or (update.new is not None and repo.is_ancestor(update.old, update.new)):
        return []
    keep = [update.new] if update.new is not None else []
    others = [f"^{c}" for r, c in repo.refs_under("refs/heads").items() if r != update.ref]
    dropped = repo.run_git("rev-list", update.old, *[f"^{c}" for c in keep], *others).split()
    if not dropped:
        return []
    lost = sorted(tag.removeprefix(APPROVED) for tag, c in approved.items() if c in set(dropped))
    how = "deleting" if update.new is None else "rewriting"
    approvals = ""
    if lost:
        shown = ", ".join(lost[:5]) + (" …" if len(lost) > 5 else "")  # noqa: PLR2004
        approvals = f", approved ones among them (approvals {shown})"
    msg = (
        f"The push is {how} {update.short}, which would leave {len(dropped)} commit(s) the "
        f"remote has out of every branch{approvals}: someone's pushed work would be lost, so "
        "the remote refused it. Pull with `beanfirm sync` and make the correction as a new "
        "commit on top."
    )
    return [WriteRefusedError(msg)]


def changed_clients(repo: PracticeRepo, old: str | None, new: str) -> list[str]:
    """Return the clients whose folder or `clients.yaml` entry differ between two commits.

    `clients.yaml` is parsed (at both commits) only when the push changes it: a practice of 200
    clients takes a quarter of a second to parse, as long as loading a small ledger.
    """
    changed = repo.paths_changed(old, new)
    ids = {
        path.split("/")[1]
        for path in changed
        if path.startswith(paths.LEDGERS + "/") and path.count("/") >= 2  # noqa: PLR2004
    }
    if REGISTRY_FILENAME in changed:
        registry = registry_at(repo, new)
        before = {c.id: replace(c, line=0) for c in registry_at(repo, old).clients} if old else {}
        ids |= {c.id for c in registry.clients if before.get(c.id) != replace(c, line=0)}
    return sorted(ids)


def registry_at(repo: PracticeRepo, commit: str) -> Registry:
    """Parse `clients.yaml` as committed at `commit`; refuse a registry that does not parse."""
    text = repo.texts_at(commit, [REGISTRY_FILENAME])[REGISTRY_FILENAME]
    if text is None:
        msg = f"Commit {commit[:10]} has no {REGISTRY_FILENAME}, so it is not a practice."
        raise ConfigError(msg)
    registry, problems = parse_registry(Path(REGISTRY_FILENAME), text, check_ledgers=False)
    if registry is None or problems:
        msg = (
            f"The {REGISTRY_FILENAME} of commit {commit[:10]} is not valid; fix it in your "
            "clone, commit and push again:"
        )
        raise ConfigError(msg, tuple(problems))
    return registry


def _branch_refusals(repo: PracticeRepo, update: RefUpdate) -> list[BeanfirmError]:
    """Check the clients a branch update changes, at its new commit."""
    assert update.new is not None  # noqa: S101 - the caller skips deletions
    base = update.old or _default_tip(repo, update.ref)
    try:
        clients = changed_clients(repo, base, update.new)
    except BeanfirmError as exc:
        return [exc]
    refusals: list[BeanfirmError] = []
    for client in clients:
        problems = new_problems(repo, base, update.new, client)
        if problems:
            refusals.append(broken_client(client, update.new, problems, where="the remote"))
        refusals += lock_refusals(repo, client, base, update.new)
    return refusals


def _default_tip(repo: PracticeRepo, ref: str) -> str | None:
    """Return the tip a new branch is compared with: another branch's, if there is one."""
    for name, commit in sorted(repo.refs_under("refs/heads").items()):
        if name != ref:
            return commit
    return None


def new_problems(repo: PracticeRepo, old: str | None, new: str, client: str) -> list[Problem]:
    """Return the client's errors at `new` that it did not have at `old`."""
    after = problems_at(repo, new, client)
    if not after or old is None:
        return after
    before = problem_keys(problems_at(repo, old, client))
    return [problem for problem in after if (problem.filename, problem.message) not in before]


def broken_client(client: str, commit: str, problems: list[Problem], *, where: str) -> LedgerError:
    """Return the one paragraph that refuses a commit breaking a client's ledger."""
    msg = (
        f"Commit {commit[:10]} would break the ledger of client {client}, so {where} refused "
        f"it; nothing was changed. Fix these (`beanfirm check {client}` shows them), commit "
        "and run `beanfirm sync` again:"
    )
    return LedgerError(msg, tuple(problems))


def lock_refusals(
    repo: PracticeRepo, client: str, old: str | None, new: str, *, where: str = "the remote"
) -> list[BeanfirmError]:
    """Refuse a lock taken out or changed without a partner's reopen (part L's check).

    An edit to an entry of a locked period is the `locked` plugin's error, which the check
    of the client above has already refused. A client with no lock or reopen at either commit
    has nothing to undo, and is not asked (who is a partner takes parsing `clients.yaml`).
    """
    if old is None:
        return []
    name = locks_file(client)
    texts = [repo.texts_at(commit, [name])[name] for commit in (old, new)]
    if not any(read_directives(text, name) for text in texts):
        return []
    problems = lock_regressions(repo, client, old, new)
    if not problems:
        return []
    return [broken_client(client, new, problems, where=where)]


def _approval_refusals(
    repo: PracticeRepo, update: RefUpdate, tips: tuple[str, ...]
) -> list[BeanfirmError]:
    """Refuse deleting or moving an approval, and a new one that breaks the rules."""
    if update.old is not None:
        how = "delete" if update.new is None else "move"
        msg = (
            f"The push would {how} the approval {update.short}; an approval is a record and "
            "stays as it was made, so the remote refused it. Record a new approval with "
            "`beanfirm approve` instead."
        )
        return [WriteRefusedError(msg)]
    assert update.new is not None  # noqa: S101 - git never sends a line from nothing to nothing
    if repo.object_type(update.new) != "tag" or repo.object_type(f"{update.new}^{{}}") != "commit":
        msg = (
            f"The push creates {update.short} as a lightweight tag (or not a tag of a commit); "
            "an approval is an annotated "
            "tag written by `beanfirm approve` (who, when, what), so the remote refused it."
        )
        return [WriteRefusedError(msg)]
    return _approval_record_refusals(repo, update, tips)


def _approval_record_refusals(
    repo: PracticeRepo, update: RefUpdate, tips: tuple[str, ...]
) -> list[BeanfirmError]:
    """Judge a new approval tag by the rules `beanfirm approve` keeps (part R's checks)."""
    assert update.new is not None  # noqa: S101 - the caller checked
    try:
        approval = pushed_approval(repo, update.ref, update.new)
        registry = registry_at(repo, approval.commit)
    except BeanfirmError as exc:
        msg = (
            f"The push creates {update.short}, which is not a valid approval record "
            f"({exc.message.rstrip('.')}), so the remote refused it; nothing was changed. "
            "Record approvals with `beanfirm approve`."
        )
        return [WriteRefusedError(msg, exc.problems)]
    if not any(repo.is_ancestor(approval.commit, tip) for tip in tips):
        msg = (
            f"The push creates the approval {update.short} of {approval.client}, of commit "
            f"{approval.commit[:10]}, which no branch holds after the push (a rebase replayed "
            "it as another commit), so the remote refused it; standing, it would stop every "
            "later approval of the client. Approve the commits as the branch holds them "
            "(`beanfirm approve`); `beanfirm sync` leaves such an approval out by itself."
        )
        return [WriteRefusedError(msg)]
    problems = approval_problems(repo, approval, registry)
    problems += problems_at(repo, approval.commit, approval.client)
    if not problems:
        return []
    msg = (
        f"The push creates the approval {update.short} of {approval.client} by "
        f"{approval.approver}, which breaks the approval rules, so the remote refused it; "
        "nothing was changed. An approval is by a reviewer or partner who wrote none of the "
        "commits it covers, of books that check clean (`beanfirm approve`):"
    )
    return [WriteRefusedError(msg, tuple(problems))]


def install_hooks(bare: Path, command: str | None = None, *, force: bool = False) -> Path:
    """Write the `pre-receive` hook into a bare repository; return the hook's path."""
    if not (bare / "HEAD").is_file() or not (bare / "objects").is_dir():
        msg = (
            f"{bare} is not a bare git repository (it has no HEAD and objects/); name the "
            "server's repository folder, such as /srv/git/firm.git."
        )
        raise ConfigError(msg)
    hook = bare / "hooks" / "pre-receive"
    if (bare / "hooks" / "pre-receive.d").is_dir():
        # Gitea, Forgejo and GitLab keep their own pre-receive, which runs each script in
        # pre-receive.d/ with the same input: beanfirm's goes beside theirs.
        hook = bare / "hooks" / "pre-receive.d" / "beanfirm"
    theirs = hook.exists() and HOOK_MARK not in hook.read_text(encoding="utf-8", errors="replace")
    if theirs and not force:
        msg = (
            f"{hook} is a hook beanfirm did not write; nothing was changed. Chain it by "
            "hand (docs/remote.md), or pass --force to replace it."
        )
        raise ConfigError(msg)
    script = (
        "#!/bin/sh\n"
        f"{HOOK_MARK}: refuses a push that breaks a client's check, edits a locked\n"
        "# period, rewrites approved history or carries an approval against the rules.\n"
        "# Written by `beanfirm remote install-hooks`; docs/remote.md.\n"
        f"exec {command or python_command(__name__)}\n"
    )
    hook.parent.mkdir(exist_ok=True)
    write_atomic(hook, script.encode("utf-8"))
    # git runs a hook only when it is executable, as whichever user serves the repository.
    os.chmod(hook, os.stat(hook).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)  # noqa: S103
    return hook


def run_hook(git_dir: Path, updates: str) -> list[str]:
    """Check one push as the hook does; return the paragraphs that refuse it (none: accept)."""
    repo = PracticeRepo.open_bare(git_dir)
    try:
        refusals = push_refusals(repo, parse_updates(updates))
    except BeanfirmError as exc:
        refusals = [exc]
    except Exception as exc:  # noqa: BLE001 - a failing check refuses, in one paragraph
        msg = (
            f"The remote could not check the push ({type(exc).__name__}: {exc}), so it "
            "refused it; nothing was changed. Tell whoever runs the server: its beanfirm "
            "hook fails (docs/remote.md)."
        )
        refusals = [BeanfirmError(msg)]
    return [plain_lines(f"Error: {refusal}") for refusal in refusals]


def main() -> int:
    """Run as the pre-receive hook: `python -m beanfirm.jobs.prereceive`, in the bare repo."""
    said = run_hook(Path(os.environ.get("GIT_DIR", ".")), sys.stdin.read())
    for paragraph in said:
        print(paragraph, file=sys.stderr)  # noqa: T201 - git relays it as "remote: ..."
    return 1 if said else 0


if __name__ == "__main__":
    sys.exit(main())
