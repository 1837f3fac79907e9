"""The rules of an approval: who may approve, the two-person rule, and a record that holds.

The same functions refuse an approval before it is written (`beanfirm approve`), prove the
recorded ones (`beanfirm audit --verify`) and judge a pushed approval tag (the remote's
pre-receive hook): `approver_problems` and `self_approved` for an approval to be made,
`approval_problems` for one that is recorded, `chain_problems` for a client's whole series.
A problem names the tag (or the staff member) and says what is wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from beanfirm.core.paths import client_folder
from beanfirm.errors import Problem
from beanfirm.store.approvals import APPROVED, Approval, Malformed, tag_name
from beanfirm.store.registry import REGISTRY_FILENAME, Registry, Staff, parse_registry

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from beanfirm.store.gitrepo import CommitRecord, PracticeRepo

APPROVER_ROLES = ("reviewer", "partner")


def approver_problems(registry: Registry, staff_id: str) -> list[Problem]:
    """Return why `staff_id` may not approve: not on the staff, or not a reviewer or partner."""
    member = find_staff(registry, staff_id)
    where = REGISTRY_FILENAME
    if member is None:
        known = ", ".join(s.id for s in registry.firm.staff)
        return [Problem(where, None, f"'{staff_id}' is not on the staff (staff ids: {known}).")]
    if member.role not in APPROVER_ROLES:
        return [
            Problem(
                where,
                None,
                f"{member.id} is a {member.role}; only a reviewer or a partner may approve "
                "a client's books.",
            )
        ]
    return []


def find_staff(registry: Registry, staff_id: str) -> Staff | None:
    """Return the staff member with this id, or None."""
    return next((member for member in registry.firm.staff if member.id == staff_id), None)


def staff_by_email(registry: Registry, email: str) -> Staff | None:
    """Return the staff member with this e-mail (case does not matter), or None."""
    wanted = email.lower()
    return next((m for m in registry.firm.staff if m.email.lower() == wanted), None)


def self_approved(
    commits: Sequence[CommitRecord],
    approver: Staff,
    emails: Mapping[str, frozenset[str]] | None = None,
) -> list[CommitRecord]:
    """Return the commits among `commits` that the approver wrote (matched by e-mail).

    The author, or the committer: beanfirm commits as the author, so a committer of its own is
    someone who changed the commit by hand (`git commit --amend` of a colleague's commit, or
    `--author` naming someone else), and wrote what it holds as much as the author did.
    `emails` gives, per commit, the approver's e-mails as the staff list had them at that
    commit (`emails_then`): an e-mail changed since does not make their commit nobody's.
    """
    today = approver.email.lower()
    found = []
    for commit in commits:
        theirs = (emails or {}).get(commit.sha, frozenset()) | {today}
        if theirs & {commit.author.email.lower(), commit.committer_email.lower()}:
            found.append(commit)
    return found


def emails_then(
    repo: PracticeRepo, commits: Sequence[CommitRecord], staff_id: str
) -> dict[str, frozenset[str]]:
    """Return the staff member's e-mail (lower-cased) in clients.yaml as it was at each commit.

    Each version of clients.yaml among the commits is parsed once; a version that is missing
    or does not parse gives none.
    """
    blobs = repo.blobs_at([commit.sha for commit in commits], REGISTRY_FILENAME)
    parsed: dict[str | None, frozenset[str]] = {None: frozenset()}
    for commit in commits:
        blob = blobs.get(commit.sha)
        if blob in parsed:
            continue
        text = repo.texts_at(commit.sha, [REGISTRY_FILENAME])[REGISTRY_FILENAME]
        registry, _problems = parse_registry(
            repo.root / REGISTRY_FILENAME, text or "", check_ledgers=False
        )
        member = find_staff(registry, staff_id) if registry is not None else None
        parsed[blob] = frozenset({member.email.lower()}) if member is not None else frozenset()
    return {commit.sha: parsed[blobs.get(commit.sha)] for commit in commits}


def covered_commits(repo: PracticeRepo, approval: Approval) -> list[CommitRecord]:
    """Return the commits touching the client that the approval covers, oldest first."""
    return repo.commits_touching(
        client_folder(approval.client), since=approval.previous, until=approval.commit
    )


def registry_at(repo: PracticeRepo, commit: str, fallback: Registry) -> Registry:
    """Return the registry as the practice had it at `commit` (the staff and roles then).

    When clients.yaml at that commit is missing or does not parse, `fallback` is used.
    """
    text = repo.texts_at(commit, [REGISTRY_FILENAME])[REGISTRY_FILENAME]
    if text is None:
        return fallback
    registry, problems = parse_registry(fallback.path, text, check_ledgers=False)
    return registry if registry is not None and not problems else fallback


def approval_problems(repo: PracticeRepo, approval: Approval, registry: Registry) -> list[Problem]:
    """Return every way a recorded approval breaks the rules, judged against `registry`.

    The approver must be on the staff as a reviewer or partner, the tagger must be them,
    they must have written (authored or committed) none of the commits it covers, the
    recorded tree must be the
    tree of `ledgers/<client>/` at the approved commit, the commit must descend from the
    previous approval, and where the approver has a signing key listed the tag must be
    signed by that key.
    """
    where = approval.tag
    refused = approver_problems(registry, approval.approver)
    problems = [Problem(where, None, problem.message) for problem in refused]
    member = find_staff(registry, approval.approver)
    if member is not None and member.email.lower() != approval.tagger_email.lower():
        problems.append(
            Problem(
                where,
                None,
                f"it names {member.id} as approver, but was made by {approval.tagger_email}, "
                f"not {member.email}.",
            )
        )
    if approval.previous is not None and not repo.is_ancestor(approval.previous, approval.commit):
        problems.append(
            Problem(
                where,
                None,
                f"its commit {approval.commit[:12]} does not descend from the previous "
                f"approval's {approval.previous[:12]}.",
            )
        )
    elif member is not None:
        covered = covered_commits(repo, approval)
        own = self_approved(covered, member, emails_then(repo, covered, member.id))
        if own:
            shown = ", ".join(f"{c.sha[:8]} {c.subject!r}" for c in own[:3])
            problems.append(
                Problem(
                    where,
                    None,
                    f"{member.id} approved commits they wrote themselves ({shown}); the "
                    "two-person rule needs another reviewer or partner.",
                )
            )
    tree = repo.tree_at(approval.commit, client_folder(approval.client))
    if tree != approval.tree:
        problems.append(
            Problem(
                where,
                None,
                f"it records the tree {approval.tree[:12]} of ledgers/{approval.client}/, but "
                f"the commit it points at has {'none' if tree is None else tree[:12]}: the "
                "record does not match the books it claims to approve.",
            )
        )
    if member is not None and member.signing_key:
        if not approval.signed:
            problems.append(
                Problem(
                    where,
                    None,
                    f"it is not signed, but {member.id} has a signing key listed in "
                    "clients.yaml: every approval of theirs must be signed with it.",
                )
            )
        else:
            said = repo.signature_problem(approval.object_id or approval.tag, member.signing_key)
            if said is not None:
                problems.append(
                    Problem(
                        where,
                        None,
                        f"its signature does not verify against {member.id}'s key listed in "
                        f"clients.yaml ({said}).",
                    )
                )
    return problems


def chain_problems(
    client: str, approvals: Sequence[Approval], malformed: Sequence[Malformed]
) -> list[Problem]:
    """Return the gaps and broken links in one client's series of approvals.

    Numbers run 0001, 0002, ... without a gap (a missing number is a deleted tag), the first
    approval has no previous, and each other one's previous is the commit of the one before.
    """
    problems = [Problem(m.tag, None, f"not a valid approval record: {m.reason}") for m in malformed]
    present = {approval.number for approval in approvals}
    present.update(_number_of(m.tag) for m in malformed)
    highest = max(present, default=0)
    problems.extend(
        Problem(
            tag_name(APPROVED, client, number),
            None,
            "this approval is missing between its neighbours: its tag was deleted.",
        )
        for number in range(1, highest)
        if number not in present
    )
    by_number = {approval.number: approval for approval in approvals}
    for approval in sorted(approvals, key=lambda approval: approval.number):
        if approval.number == 1:
            expected = None
        elif approval.number - 1 in by_number:
            expected = by_number[approval.number - 1].commit
        else:
            continue  # the one before is missing or malformed, named above
        if approval.previous != expected:
            problems.append(
                Problem(
                    approval.tag,
                    None,
                    f"it names {_short(approval.previous)} as the previous approval, but the "
                    f"approval before it is of {_short(expected)}.",
                )
            )
    return problems


def _number_of(tag: str) -> int:
    last = tag.rsplit("/", 1)[-1]
    return int(last) if last.isdigit() else 0


def _short(commit: str | None) -> str:
    return "none" if commit is None else commit[:12]
