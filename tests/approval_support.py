"""Approval tags for tests: `beanfirm/approved/<client>/<NNNN>` as spec15.md records them.

Made with git directly, to the record's format, until part R's `beanfirm.store.approvals`
writes them; the portal reads them through that module either way.
"""

from __future__ import annotations

from pathlib import Path

from conftest import git


def approve(
    folder: Path,
    client_id: str,
    *,
    commit: str = "HEAD",
    approver: str = "ana",
    email: str = "ana@firm.example",
) -> str:
    """Tag `commit` as the client's next approval by `approver`; return the full commit id."""
    full = git(folder, "rev-parse", f"{commit}^{{commit}}").strip()
    tree = git(folder, "rev-parse", f"{full}:ledgers/{client_id}").strip()
    earlier = git(folder, "tag", "--list", f"beanfirm/approved/{client_id}/*").split()
    previous = "none"
    if earlier:
        previous = git(folder, "rev-parse", f"{max(earlier)}^{{commit}}").strip()
    number = len(earlier) + 1
    message = (
        f"Approve {client_id} up to {full[:8]}\n\n"
        f"beanfirm-approval: 1\nclient: {client_id}\napprover: {approver}\n"
        f"commit: {full}\ntree: {tree}\nprevious: {previous}\ncommits: 1\n"
    )
    git(
        folder,
        "-c", f"user.name={approver}", "-c", f"user.email={email}",
        "tag", "-a", "-m", message, f"beanfirm/approved/{client_id}/{number:04d}", full,
    )  # fmt: skip
    return full
