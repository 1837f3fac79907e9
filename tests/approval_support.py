"""Approvals for tests, recorded as `beanfirm approve` records them (beanfirm.store.approvals)."""

from __future__ import annotations

from pathlib import Path

from conftest import git

from beanfirm.store.approvals import latest_approval, write_approval
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.registry import load_registry


def approve(folder: Path, client_id: str, *, commit: str = "HEAD", approver: str = "ana") -> str:
    """Record the client's next approval, by `approver`, at `commit`; return the commit id.

    Only the record: the rules of `beanfirm approve` (who may approve what) are not checked.
    """
    repo = PracticeRepo(folder)
    staff = next(s for s in load_registry(folder / "clients.yaml").firm.staff if s.id == approver)
    full = git(folder, "rev-parse", "--verify", f"{commit}^{{commit}}").strip()
    latest = latest_approval(repo, client_id)
    write_approval(
        repo, client_id, staff, full, previous=latest.commit if latest else None, commits=1
    )
    return full
