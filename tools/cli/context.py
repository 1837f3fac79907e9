"""What every command needs from the group's options: the practice and the author."""

from __future__ import annotations

import click

from beanfirm.errors import ConfigError, UsageError
from beanfirm.store.gitrepo import Author, PracticeRepo
from beanfirm.store.practice import Practice, open_practice
from beanfirm.store.registry import Staff


def practice_of(ctx: click.Context) -> Practice:
    """Open the practice named by --practice, BEANFIRM_PRACTICE or the current folder."""
    return open_practice(ctx.find_root().obj.get("practice"))


def repo_of(practice: Practice) -> PracticeRepo:
    """Open the practice's git repository."""
    return PracticeRepo(practice.root)


def staff_of(ctx: click.Context, practice: Practice, repo: PracticeRepo) -> Staff:
    """Return the staff member making a change: --as, BEANFIRM_STAFF or git's user.email."""
    staff_id = ctx.find_root().obj.get("staff_id")
    if staff_id:
        return practice.registry.staff_member(staff_id)
    reader = repo.repo.config_reader()
    email = str(reader.get_value("user", "email", "")) if reader.has_section("user") else ""
    for member in practice.registry.firm.staff:
        if email and member.email.lower() == email.lower():
            return member
    known = ", ".join(s.id for s in practice.registry.firm.staff)
    msg = (
        "beanfirm does not know who you are, and every change is committed in a staff "
        f"member's name. Pass --as STAFF-ID or set BEANFIRM_STAFF (staff ids: {known}), or "
        "set git's user.email to your email in clients.yaml."
    )
    raise ConfigError(msg)


def author_of(staff: Staff) -> Author:
    """Return the git author for a staff member."""
    return Author(staff.name, staff.email)


def exactly_one(purpose: str, first: str, second: str, *, given: tuple[bool, bool]) -> None:
    """Refuse a call that gives both of two alternatives, or neither, saying which it did."""
    if all(given):
        msg = f"Give {first} or {second}, not both."
        raise UsageError(msg)
    if not any(given):
        msg = f"{purpose}: give {first} or {second}."
        raise UsageError(msg)
