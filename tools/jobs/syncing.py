"""`beanfirm sync`: take the firm's remote work, replay ours on top, check, and push.

The local commits are rebased onto the remote branch with the merge driver active (so two
imports into one month file replay cleanly), every client the rebase changed (theirs and ours)
is checked at the new head, and the branch goes to the remote with the approval tags, in one
atomic push. When the remote moved meanwhile, it fetches and tries again, a few times. If the
rebase conflicts, a client breaks or the remote refuses, the branch is put back on the commit
it was on before sync (nothing lost: the rebase is aborted, then reset), and the error says why.
A dry run does everything but the push, then puts the branch back.

The rebase runs on a detached HEAD, and the branch moves only once the push is accepted. Where
the branch was is recorded first (`beanfirm.store.gitstate.SyncStart`); a sync that is killed
leaves that record, which stops every write, and the next sync aborts the killed one's rebase
and puts HEAD back on the branch before it starts.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from beanfirm.core import paths
from beanfirm.errors import BeanfirmError, ConfigError, Problem, UsageError, WriteRefusedError
from beanfirm.jobs.clientcheck import problems_at
from beanfirm.jobs.prereceive import broken_client, changed_clients, lock_refusals
from beanfirm.store.gitrepo import STATE_IN_GIT
from beanfirm.store.gitstate import (
    SYNC_START,
    drop_sync_start,
    merge_leftovers,
    read_sync_start,
    record_sync_start,
)
from beanfirm.store.locks import locked
from beanfirm.store.mergedriver import install_merge_driver, merge_driver_installed
from beanfirm.store.writes import problem_keys

if TYPE_CHECKING:
    from beanfirm.store.gitrepo import PracticeRepo, TagRecord
    from beanfirm.store.gitstate import SyncStart
    from beanfirm.store.practice import Practice

ATTEMPTS = 10  # pushes tried while other clones keep pushing first
# A retry waits a random while, up to BACKOFF_SECONDS doubled at each try (at most
# BACKOFF_LIMIT): clones that collided spread out instead of colliding again.
BACKOFF_SECONDS = 0.5
BACKOFF_LIMIT = 20.0
TAGS = "refs/tags/beanfirm/*:refs/tags/beanfirm/*"  # approvals (and returns) travel along
# The remote's branch moved since the fetch: before the push (rejected) or while its hook ran
# (git then fails to update the ref it expected at the old commit).
REMOTE_MOVED = re.compile(
    r"\[rejected\].*\((fetch first|non-fast-forward)\)|stale info|but expected [0-9a-f]{40}"
)
GIT_CONFLICT = re.compile(r"^(CONFLICT .*|.*: the entry .*)$", re.MULTILINE)
LOCK_WAIT = 120.0


@dataclass(frozen=True)
class Synced:
    """What sync did: the commits taken and sent, the clients checked, the head before/after."""

    remote: str
    branch: str
    before: str
    after: str
    pulled: int
    pushed: int
    checked: tuple[str, ...]
    attempts: int
    dry_run: bool
    recovered: str | None = None  # the branch's commit, where an interrupted sync was put back
    dropped: tuple[str, ...] = ()  # local approvals of commits the rebase replayed (tag names)


@dataclass(frozen=True)
class _Upstream:
    remote: str
    branch: str  # the branch on the remote

    @property
    def tracking(self) -> str:
        return f"refs/remotes/{self.remote}/{self.branch}"


def sync_practice(practice: Practice, repo: PracticeRepo, *, dry_run: bool = False) -> Synced:
    """Fetch, rebase onto the remote branch, check the changed clients, push (module doc)."""
    names = ["registry", *(client.id for client in practice.registry.clients)]
    with locked(practice.state_dir, names, wait_seconds=LOCK_WAIT):
        killed = recover_killed_sync(repo)
        repo.refuse_mid_operation("the practice by sync")
        branch = repo.current_branch()
        if branch is None:  # pragma: no cover - refuse_mid_operation refuses a detached HEAD
            msg = "HEAD is detached, so there is no branch to sync. Check out your branch first."
            raise UsageError(msg)
        upstream = _upstream(repo, branch)
        repo.refuse_if_dirty(["."], "the practice by sync")
        if not merge_driver_installed(repo):
            install_merge_driver(repo)  # a clone's config, not the practice's files
        start = _head(repo)
        # Recorded before HEAD leaves the branch: a sync killed from here on is put right by
        # the next one (`recover_killed_sync`), and no write commits meanwhile.
        record_sync_start(repo.state_dir, branch, start)
        try:
            # The rebase runs on a detached HEAD: the branch stays on `start` until the push
            # is accepted, so a kill at any moment leaves it where it was.
            repo.detach_head()
            done = _sync(repo, upstream, branch, start, dry_run=dry_run)
        except BaseException:
            _back_on_branch(repo, branch)
            drop_sync_start(repo.state_dir)
            raise
        drop_sync_start(repo.state_dir)
        return done if killed is None else replace(done, recovered=killed)


def recover_killed_sync(repo: PracticeRepo) -> str | None:
    """Put HEAD back on the branch a killed sync left; return the branch's commit, or None.

    The caller holds every lock sync takes, so a record found is a dead sync's. Its rebase is
    aborted, and HEAD goes back on its branch, which moved only if that sync's push was
    accepted (then it is where the remote is). Uncommitted changes made since are refused,
    never overwritten.
    """
    start = read_sync_start(repo.state_dir)
    if start is None:
        drop_sync_start(repo.state_dir)  # unreadable: it was never used, a rename writes it
        return None
    tip = repo.commit_of(f"refs/heads/{start.branch}")
    if tip is None:
        msg = (
            f"A `beanfirm sync` was interrupted, and its branch {start.branch} is gone since; "
            f"nothing was changed. It started from commit {start.commit}: check out the branch "
            f"you want (`git switch -c {start.branch} {start.commit[:12]}` brings that one "
            f"back), remove .git/{STATE_IN_GIT}/{SYNC_START}, and run `beanfirm sync` again."
        )
        raise WriteRefusedError(msg)
    for leftover in merge_leftovers(Path(repo.top)):
        leftover.unlink(missing_ok=True)  # the killed rebase's, from inside its merge driver
    if not repo.rebasing():
        # The killed sync left no change uncommitted but under a rebase (which the abort
        # undoes) or half-way through putting the files back (each file as HEAD or the branch
        # has it): anything else is someone's since, which putting HEAD back would overwrite.
        changed = _changed_by_hand(repo, tip)
        if changed:
            raise _changed_since(start, changed)
    _back_on_branch(repo, start.branch)
    drop_sync_start(repo.state_dir)
    return tip


def _changed_by_hand(repo: PracticeRepo, tip: str) -> list[str]:
    """Return the uncommitted files that are neither as HEAD nor as the branch's tip has them."""
    changed = repo.changed_paths(["."])
    if not changed:
        return []
    now = repo.texts_at(None, changed)
    at_head = repo.texts_at(repo.head(), changed)
    at_tip = repo.texts_at(tip, changed)
    return [path for path in changed if now[path] not in (at_head[path], at_tip[path])]


def _changed_since(start: SyncStart, changed: list[str]) -> WriteRefusedError:
    shown = ", ".join(changed[:5]) + (" …" if len(changed) > 5 else "")  # noqa: PLR2004
    msg = (
        "A `beanfirm sync` was interrupted before it put HEAD back on your branch "
        f"{start.branch}, and files have changed since ({shown}); putting it back would "
        "overwrite them, so nothing was changed. Keep them aside with `git stash -u` (or drop "
        "them with `git reset --hard`), run `beanfirm sync` again, then `git stash pop`."
    )
    return WriteRefusedError(msg)


def _upstream(repo: PracticeRepo, branch: str) -> _Upstream:
    remote = repo.config(f"branch.{branch}.remote") or "origin"
    if repo.config(f"remote.{remote}.url") is None:
        msg = (
            f"The practice has no remote '{remote}' to sync with. Clone the practice from the "
            "firm's remote, or add it: `git remote add origin URL` and "
            f"`git branch --set-upstream-to=origin/{branch}` (docs/sync.md)."
        )
        raise ConfigError(msg)
    merge = repo.config(f"branch.{branch}.merge") or f"refs/heads/{branch}"
    return _Upstream(remote, merge.removeprefix("refs/heads/"))


def _head(repo: PracticeRepo) -> str:
    head = repo.head()
    if head is None:
        msg = "The practice has no commit yet; there is nothing to sync."
        raise UsageError(msg)
    return head


def _back_on_branch(repo: PracticeRepo, branch: str) -> None:
    """Abort a rebase in progress and put HEAD, the index and the files on `branch`'s tip."""
    repo.abort_rebase()
    repo.attach_head(branch)


def _sync(
    repo: PracticeRepo, upstream: _Upstream, branch: str, start: str, *, dry_run: bool
) -> Synced:
    checked: set[str] = set()
    seen: set[str] = set()
    pulled = 0
    for attempt in range(1, ATTEMPTS + 1):
        before = _head(repo)
        repo.fetch(upstream.remote)
        theirs = _commit(repo, upstream.tracking)
        if theirs is not None and not repo.is_ancestor(theirs, before):
            pulled += _count(repo, f"{before}..{theirs}")
            done, said = repo.rebase_onto(theirs)
            if not done:
                raise _conflict(upstream, said)
        after = _head(repo)
        checked |= _check_rebased(repo, start, theirs, after, seen)
        pushed = _count(repo, f"{theirs}..{after}") if theirs else _count(repo, after)
        stale = _replayed_approvals(repo, after)
        dropped = tuple(record.name for record in stale)
        if dry_run:
            _back_on_branch(repo, branch)
            return Synced(
                upstream.remote,
                branch,
                start,
                after,
                pulled,
                pushed,
                tuple(sorted(checked)),
                attempt,
                dry_run=True,
                dropped=dropped,
            )
        accepted, said = _push_without(repo, upstream, stale)
        if accepted:
            repo.move_branch(branch, after, start)
            return Synced(
                upstream.remote,
                branch,
                start,
                after,
                pulled,
                pushed,
                tuple(sorted(checked)),
                attempt,
                dry_run=False,
                dropped=dropped,
            )
        if not REMOTE_MOVED.search(said):
            raise _refused(upstream, said)
        longest = min(BACKOFF_LIMIT, BACKOFF_SECONDS * 2**attempt)
        time.sleep(random.uniform(0, longest))  # noqa: S311 - a spread, not a secret
    msg = (
        f"{upstream.remote} kept moving: other clones pushed first {ATTEMPTS} times, so "
        "nothing was pushed and your branch is as it was. Run `beanfirm sync` again."
    )
    raise WriteRefusedError(msg)


def _replayed_approvals(repo: PracticeRepo, after: str) -> list[TagRecord]:
    """Return the approvals (and send-backs) of commits that are not in the history at `after`.

    A reviewer approved local commits that the rebase then replayed onto the remote's newer
    work as new commits: the approval names the old ones, which no branch holds. Pushed, it
    would stand in the remote for good, and no later approval could follow it (each approval
    must descend from the last). Such a tag was never shared (the remote's are all in the
    history sync rebased onto), so sync leaves it out of the push and removes it; the reviewer
    approves the replayed commits again.
    """
    out = repo.run_git(
        "for-each-ref", f"--no-merged={after}", "--format=%(refname)", "refs/tags/beanfirm/"
    )
    outside = set(out.split())
    if not outside:
        return []
    return [record for record in repo.tag_records("refs/tags/beanfirm/") if record.ref in outside]


def _push_without(
    repo: PracticeRepo, upstream: _Upstream, stale: list[TagRecord]
) -> tuple[bool, str]:
    """Push the branch and the tags but `stale`; those are removed once the push is accepted.

    They are taken out of the way for the push (a tag refspec pushes every tag) and put back
    if it is refused or fails, since the branch then goes back to the commits they approve.
    """
    for record in stale:
        repo.run_git("update-ref", "-d", record.ref, record.object_id)
    accepted = False
    try:
        accepted, said = repo.push(upstream.remote, [f"HEAD:refs/heads/{upstream.branch}", TAGS])
    finally:
        if not accepted:
            for record in stale:
                repo.run_git("update-ref", record.ref, record.object_id, "")
    return accepted, said


def _commit(repo: PracticeRepo, ref: str) -> str | None:
    try:
        return repo.run_git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except BeanfirmError:
        return None


def _count(repo: PracticeRepo, span: str) -> int:
    return int(repo.run_git("rev-list", "--count", span).strip() or 0)


def _check_rebased(
    repo: PracticeRepo, start: str, theirs: str | None, after: str, seen: set[str]
) -> set[str]:
    """Check the clients the rebase changed, ours and theirs; refuse one it broke.

    `seen` holds what earlier tries found clean (a client's folder and the practice's files, as
    tree ids): a client the remote's newer commits left alone is not checked again.
    """
    clients = set(changed_clients(repo, start, after))
    clients |= set(changed_clients(repo, theirs, after))
    trees = _trees(repo, after)
    for client in sorted(clients):
        key = f"{client} {trees.get(paths.client_folder(client))} {trees['']}"
        if key in seen:
            continue
        problems = problems_at(repo, after, client)
        if problems:
            known = problem_keys(problems_at(repo, start, client))
            if theirs is not None:
                known |= problem_keys(problems_at(repo, theirs, client))
            new = [p for p in problems if (p.filename, p.message) not in known]
            if new:
                raise broken_client(client, after, new, where="sync")
        # What our commits undid of the locks the remote has (the hook refuses it too).
        undone = lock_refusals(repo, client, theirs, after, where="sync")
        if undone:
            raise undone[0]
        seen.add(key)
    return clients


def _trees(repo: PracticeRepo, commit: str) -> dict[str, str]:
    """Return the tree id of each client folder at `commit`, and ('') of the rest together."""
    out = repo.run_git("ls-tree", commit, "--", paths.LEDGERS + "/")
    trees = {}
    for line in out.splitlines():
        meta, path = line.split("\t", 1)
        trees[path] = meta.split()[2]
    top = repo.run_git("ls-tree", commit)
    trees[""] = "|".join(line for line in top.splitlines() if not line.endswith(paths.LEDGERS))
    return trees


def _conflict(upstream: _Upstream, said: str) -> WriteRefusedError:
    found = [_as_sync(line) for line in GIT_CONFLICT.findall(said)]
    where = f"{upstream.remote}/{upstream.branch}"
    msg = (
        f"Your commits do not replay onto {where}: the same entries were changed there, so "
        "sync stopped and put your branch back as it was (nothing was pushed, and there is "
        f"nothing to resolve in the files). See the remote's change with `git log -p "
        f"HEAD..{where}` and agree which version stands. Then undo your change of those "
        "entries as a new commit (edit them back, or `git revert` your commit) and run "
        "`beanfirm sync`; if yours stands, make it again after the sync, on top:"
    )
    problems = tuple(Problem("git rebase", None, line) for line in found[:10])
    return WriteRefusedError(msg, problems or (Problem("git rebase", None, said[-500:]),))


def _as_sync(line: str) -> str:
    """Put a conflict the merge driver reported in the words of the person who syncs.

    The driver writes for a merge (`ours`, `theirs`, edit the markers and continue); in the
    rebase sync runs, `ours` is the remote's side and `theirs` your own, and sync has aborted
    the rebase, so there are no markers. Git's progress (`Rebasing (1/1)` and a carriage
    return) goes too.
    """
    line = line.rsplit("\r", 1)[-1].strip()
    line = line.split(" Edit the entry between the markers", 1)[0]
    line = re.sub(r"\bours\b", "the remote's", line)
    return re.sub(r"\btheirs\b", "yours", line)


def _refused(upstream: _Upstream, said: str) -> WriteRefusedError:
    lines = [
        line.removeprefix("remote:").strip()
        for line in said.splitlines()
        if line.startswith("remote:") and line.removeprefix("remote:").strip()
    ]
    heard = "\n".join(f"  {line}" for line in lines) or f"  {said.strip()[-500:]}"
    msg = (
        f"{upstream.remote} refused the push, so sync put your branch back as it was (your "
        "commits are still there). What the remote said:\n"
        f"{heard}"
    )
    return WriteRefusedError(msg)
