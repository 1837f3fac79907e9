"""Approving a client's books, and sending a change back: the rules checked, then one tag.

An approval is validate-then-act: the approver's role, the revision (it must descend from the
previous approval, and bring commits touching the client), the two-person rule (the approver
wrote none of those commits) and the client's check at that revision are all checked before
the tag is written; a refusal writes nothing. The check is of the revision, not the working
tree: at HEAD with a clean client folder (no uncommitted change, no git-ignored ledger file) it
comes from the check cache (`beanfirm check` may have done it already), otherwise the client's
folder is exported from git into a scratch folder and loaded there with its plugins. A dry run
checks all of it and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from beanfirm.core import paths
from beanfirm.core.scratch import scratch_folder
from beanfirm.errors import BeanfirmError, Problem, UsageError
from beanfirm.firm.checking import check_clients, check_ledger
from beanfirm.review.approving import approver_problems, emails_then, self_approved
from beanfirm.review.locks import lock_regressions
from beanfirm.store.approvals import (
    Approval,
    Returned,
    latest_approval,
    write_approval,
    write_return,
)
from beanfirm.store.ledger import ignored_ledger_files

if TYPE_CHECKING:
    from beanfirm.firm.summary import LedgerSummary
    from beanfirm.store.gitrepo import CommitRecord, PracticeRepo
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Staff


class ApprovalRefusedError(BeanfirmError):
    """An approval (or a send-back) breaks a rule; nothing was written."""

    exit_code = 1


@dataclass(frozen=True)
class ApprovalOutcome:
    """What `approve` did for one client: the approval made (None: a dry run or nothing new)."""

    client: str
    commit: str
    commits: tuple[CommitRecord, ...]  # the commits touching the client it covers
    approval: Approval | None
    nothing_new: str | None = None  # why there was nothing to approve

    @property
    def written(self) -> bool:
        """Return whether a tag was written."""
        return self.approval is not None


def unapproved_commits(
    repo: PracticeRepo, client_id: str, until: str = "HEAD"
) -> tuple[Approval | None, list[CommitRecord]]:
    """Return the client's latest approval and its commits after it up to `until`."""
    latest = latest_approval(repo, client_id)
    commits = repo.commits_touching(
        paths.client_folder(client_id), since=latest.commit if latest else None, until=until
    )
    return latest, commits


def approve_client(
    practice: Practice,
    repo: PracticeRepo,
    client_id: str,
    approver: Staff,
    *,
    rev: str | None = None,
    dry_run: bool = False,
) -> ApprovalOutcome:
    """Approve a client's books up to `rev` (HEAD), or raise `ApprovalRefusedError`."""
    practice.registry.client(client_id)  # an unknown client is a ConfigError
    refused = approver_problems(practice.registry, approver.id)
    if refused:
        msg = f"{approver.id} may not approve {client_id}; nothing was written."
        raise ApprovalRefusedError(msg, tuple(refused))
    commit = repo.commit_of(rev or "HEAD")
    if commit is None:
        msg = (
            f"'{rev or 'HEAD'}' names no commit of the practice; nothing was written. Give a "
            "commit id, a branch or a tag (`git log` lists them)."
        )
        raise UsageError(msg)
    if not repo.is_ancestor(commit, "HEAD"):
        msg = (
            f"{rev} ({commit[:8]}) is not in the history of the current branch: approving it "
            f"would approve commits the branch does not hold, and stop every later approval of "
            f"{client_id} on it. Nothing was written. Merge it into the branch first, or "
            "approve a commit of the current branch (`git log --oneline` lists them)."
        )
        raise ApprovalRefusedError(msg)
    latest = latest_approval(repo, client_id)
    if latest is not None and repo.is_ancestor(commit, latest.commit):
        return ApprovalOutcome(
            client_id,
            commit,
            (),
            None,
            f"{client_id} is already approved up to {latest.commit[:8]} "
            f"({latest.tag}, by {latest.approver}).",
        )
    if latest is not None and not repo.is_ancestor(latest.commit, commit):
        msg = (
            f"{commit[:8]} does not descend from {latest.commit[:8]}, the commit of "
            f"{client_id}'s last approval ({latest.tag}): approving it would approve a history "
            "that leaves the approved one behind. Nothing was written. Approve a commit of "
            "the current branch (`git log --oneline` lists them)."
        )
        raise ApprovalRefusedError(msg)
    _, commits = unapproved_commits(repo, client_id, until=commit)
    if not commits:
        since = f"since {latest.commit[:8]} ({latest.tag})" if latest else "yet"
        return ApprovalOutcome(
            client_id,
            commit,
            (),
            None,
            f"{client_id} has no commits to approve {since}: nothing to do.",
        )
    own = self_approved(commits, approver, emails_then(repo, commits, approver.id))
    if own:
        shown = "; ".join(f"{c.sha[:8]} {c.subject}" for c in own[:3])
        more = f" and {len(own) - 3} more" if len(own) > 3 else ""  # noqa: PLR2004
        msg = (
            f"{approver.id} wrote {len(own)} of the {len(commits)} commits to approve for "
            f"{client_id} ({shown}{more}); the two-person rule needs another reviewer or "
            "partner to approve them. Nothing was written."
        )
        raise ApprovalRefusedError(msg)
    undone = lock_regressions(repo, client_id, latest.commit, commit) if latest else []
    if latest is not None and undone:
        msg = (
            f"The commits to approve for {client_id} (since {latest.commit[:8]}, its last "
            f"approval, up to {commit[:8]}) undo its locks: a locked period was unlocked or "
            "changed without a partner's reopen, which the shared remote refuses too. Nothing "
            "was written. Put the lock back as it was in a new commit (or have a partner "
            "reopen the period with `beanfirm reopen`, see docs/lock.md), and approve then:"
        )
        raise ApprovalRefusedError(msg, tuple(undone))
    errors = client_errors_at(practice, repo, client_id, commit)
    if errors:
        msg = (
            f"{client_id} does not check clean at {commit[:8]} ({len(errors)} error"
            f"{'s' if len(errors) != 1 else ''}); books with errors cannot be approved. "
            "Nothing was written. Fix them (`beanfirm check` lists them), commit, and approve "
            "the new commit:"
        )
        raise ApprovalRefusedError(msg, tuple(errors))
    if dry_run:
        return ApprovalOutcome(client_id, commit, tuple(commits), None)
    approval = write_approval(
        repo,
        client_id,
        approver,
        commit,
        previous=latest.commit if latest else None,
        commits=len(commits),
    )
    return ApprovalOutcome(client_id, commit, tuple(commits), approval)


def client_errors_at(
    practice: Practice, repo: PracticeRepo, client_id: str, commit: str
) -> list[Problem]:
    """Return the client's check errors at `commit` (the cache's when it is HEAD, unchanged).

    The cache (the check of the folder on disk) stands for HEAD only when the folder is exactly
    HEAD's: no uncommitted change, and no git-ignored file that the ledger reads.
    """
    folder = paths.client_folder(client_id)
    exact = not repo.changed_paths([folder]) and not ignored_ledger_files(repo, client_id)
    if commit == repo.head() and exact:
        client = practice.registry.client(client_id)
        summary: LedgerSummary = check_clients(practice, repo, [client], jobs=1)[0].summary
        return list(summary.errors)
    with scratch_folder("approve") as scratch:
        root = Path(scratch)
        top = [name for name in repo.names_at(commit) if name != paths.LEDGERS]
        repo.export_at(commit, [*top, folder], root)
        return list(check_ledger(root, client_id).errors)


def send_back(
    practice: Practice, repo: PracticeRepo, client_id: str, reviewer: Staff, note: str
) -> Returned:
    """Send the client's unapproved commits back to the preparer with a note."""
    practice.registry.client(client_id)
    refused = approver_problems(practice.registry, reviewer.id)
    if refused:
        msg = f"{reviewer.id} may not send {client_id} back: only a reviewer or partner may."
        raise ApprovalRefusedError(msg, tuple(refused))
    if not note.strip():
        msg = "Say what the preparer should change: --note TEXT must not be empty."
        raise UsageError(msg)
    latest, commits = unapproved_commits(repo, client_id)
    if not commits:
        msg = (
            f"{client_id} has no commits waiting for review, so there is nothing to send back; "
            "nothing was written."
        )
        raise ApprovalRefusedError(msg)
    del latest
    return write_return(repo, client_id, reviewer, commits[-1].sha, note)
