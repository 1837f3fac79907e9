"""What waits for review: each client's commits since its last approval, and a change sent back.

For a whole practice this reads git twice, whatever the number of clients: one `git log` of
`ledgers/` (the commits and the files each touched) and one `git rev-list --parents` (which
commit descends from which), plus one listing of the approval tags. A commit waits for a
client's review when it touches the client's folder and is not the approved commit or one of
its ancestors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from beanfirm.core.paths import LEDGERS
from beanfirm.store.approvals import RETURNED, Approval, Returned, approval_records

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from beanfirm.store.gitrepo import CommitRecord, PracticeRepo


@dataclass(frozen=True)
class Pending:
    """A client's commits not yet approved (oldest first), its last approval, a send-back."""

    client: str
    approval: Approval | None
    commits: tuple[CommitRecord, ...]
    returned: Returned | None  # a send-back that still stands (no commit or approval since)


def pending_reviews(repo: PracticeRepo, client_ids: Iterable[str]) -> dict[str, Pending]:
    """Return the clients among `client_ids` with commits waiting, in the order given."""
    client_ids = list(client_ids)
    records = approval_records(repo)
    latest: dict[str, Approval] = {}
    for made in records.approvals:
        latest[made.client] = made  # oldest first: the last one stays
    returned: dict[str, Returned] = {}
    for sent in records.returned:
        returned[sent.client] = sent
    graph = repo.commit_graph()
    history = repo.log_records("HEAD", LEDGERS) if graph else []
    touching: dict[str, list[CommitRecord]] = {}
    for commit in history:  # newest first
        for client in {path.split("/")[1] for path in commit.files if "/" in path}:
            touching.setdefault(client, []).append(commit)
    ancestry = Ancestry(graph)
    pending: dict[str, Pending] = {}
    for client in client_ids:
        approval = latest.get(client)
        waiting = [
            c
            for c in touching.get(client, [])
            if approval is None or not ancestry.reaches(approval.commit, c.sha)
        ]
        if not waiting:
            continue
        waiting.reverse()
        back = returned.get(client)
        standing = back if back is not None and back.commit == waiting[-1].sha else None
        pending[client] = Pending(client, approval, tuple(waiting), standing)
    return pending


def standing_returns(repo: PracticeRepo, client_ids: Iterable[str]) -> dict[str, Returned]:
    """Return the send-backs that still stand, by client (for `beanfirm status`)."""
    if not repo.tag_records(f"refs/tags/{RETURNED}/"):
        return {}  # none ever: one look at the tags, not at the history
    return {
        client: item.returned
        for client, item in pending_reviews(repo, client_ids).items()
        if item.returned is not None
    }


class Ancestry:
    """Which commits are a commit or its ancestors, from one reading of the commit graph."""

    def __init__(self, graph: Mapping[str, tuple[str, ...]]) -> None:
        self.graph = graph
        self.linear = all(len(parents) <= 1 for parents in graph.values())
        self.order = {sha: index for index, sha in enumerate(graph)}  # newest first
        self.memo: dict[str, frozenset[str]] = {}

    def reaches(self, commit: str, other: str) -> bool:
        """Return whether `other` is `commit` or one of its ancestors."""
        if commit not in self.order or other not in self.order:
            return False
        if self.linear:  # one line of history: the ancestors are the older commits
            return self.order[other] >= self.order[commit]
        return other in self._ancestors(commit)

    def _ancestors(self, commit: str) -> frozenset[str]:
        if commit not in self.memo:
            seen = {commit}
            todo = [commit]
            while todo:
                for parent in self.graph.get(todo.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            self.memo[commit] = frozenset(seen)
        return self.memo[commit]
