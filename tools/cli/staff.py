"""`beanfirm staff add|list|remove`: the firm's staff in clients.yaml, by command."""

from __future__ import annotations

import click

from beanfirm.cli.accounts import print_written
from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.output import echo_json, echo_table, json_option
from beanfirm.jobs.staffing import add_staff, remove_staff
from beanfirm.store.registry import ROLES, Staff

DRY_RUN = click.option("-n", "--dry-run", is_flag=True, help="Check everything; write nothing.")


@click.group()
def staff() -> None:
    """List, add and remove the firm's staff (docs/staff.md)."""


@staff.command("list")
@json_option()
@click.pass_context
def list_staff(ctx: click.Context, as_json: bool) -> None:
    """List the staff with their roles and the clients each prepares and reviews."""
    registry = practice_of(ctx).registry
    rows = [
        [
            member.id,
            member.name,
            member.email,
            member.role,
            ", ".join(c.id for c in registry.clients if c.preparer == member.id),
            ", ".join(c.id for c in registry.clients if c.reviewer == member.id),
        ]
        for member in registry.firm.staff
    ]
    columns = ("id", "name", "email", "role", "prepares", "reviews")
    if as_json:
        echo_json([dict(zip(columns, row, strict=True)) for row in rows])
    else:
        echo_table(f"{registry.firm.name}: staff", columns, rows)


@staff.command("add")
@click.argument("staff_id")
@click.option("--name", required=True, help="Their full name, as commits show it.")
@click.option("--email", required=True, help="Their email, the author of their commits.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What they may do.")
@DRY_RUN
@click.pass_context
def add(ctx: click.Context, staff_id: str, name: str, email: str, role: str, dry_run: bool) -> None:
    """Add STAFF_ID to the firm's staff, in one commit."""
    practice = practice_of(ctx)
    repo = repo_of(practice)
    author = author_of(staff_of(ctx, practice, repo))
    member = Staff(staff_id, name, email, role)
    written = add_staff(practice, repo, member, author=author, dry_run=dry_run)
    print_written(written, f"Added staff member {staff_id}", f"would add {staff_id}")


@staff.command("remove")
@click.argument("staff_id")
@DRY_RUN
@click.pass_context
def remove(ctx: click.Context, staff_id: str, dry_run: bool) -> None:
    """Remove STAFF_ID, who prepares and reviews no client and is not the last partner."""
    practice = practice_of(ctx)
    repo = repo_of(practice)
    author = author_of(staff_of(ctx, practice, repo))
    written = remove_staff(practice, repo, staff_id, author=author, dry_run=dry_run)
    print_written(written, f"Removed staff member {staff_id}", f"would remove {staff_id}")
