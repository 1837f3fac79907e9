"""`beanfirm portal user add|passwd|remove|list` and `beanfirm portal demo-users`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from beanfirm.cli.context import exactly_one, practice_of
from beanfirm.cli.output import echo, echo_json, echo_table, json_option
from beanfirm.cli.portalstate import open_store, state_dir_option
from beanfirm.errors import UsageError
from beanfirm.portal.demo import demo_users
from beanfirm.portal.passwords import generate_password
from beanfirm.portal.users import add_user, list_users, remove_user, set_password


@click.group()
def portal() -> None:
    """Manage who may log in to the client portal (`beanfirm serve`)."""


@portal.group()
def user() -> None:
    """Add, change, remove and list portal users."""


def password_options(func: click.decorators.FC) -> click.decorators.FC:
    """Add --generate and --password-stdin (else the password is asked for twice)."""
    func = click.option(
        "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
    )(func)
    return click.option(
        "--generate", is_flag=True, help="Generate a random password and print it once."
    )(func)


def _password(generate: bool, password_stdin: bool) -> tuple[str, bool]:
    if generate and password_stdin:
        raise UsageError("Give --generate or --password-stdin, not both.")
    if generate:
        return generate_password(), True
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True)), False


@user.command("add")
@click.argument("email")
@click.option(
    "--client",
    "client_ids",
    multiple=True,
    metavar="ID",
    help="A client whose books the user may see (repeat for a group of companies).",
)
@click.option(
    "--staff",
    "staff_id",
    metavar="STAFF-ID",
    help="The staff member this user is (sees the clients they prepare or review; "
    "partners see all).",
)
@password_options
@state_dir_option
@click.pass_context
def add(
    ctx: click.Context,
    email: str,
    client_ids: tuple[str, ...],
    staff_id: str | None,
    generate: bool,
    password_stdin: bool,
    state_dir: Path | None,
) -> None:
    """Add a portal user EMAIL for clients (--client) or for a staff member (--staff)."""
    practice = practice_of(ctx)
    exactly_one(
        "Say whose books the user may see", "--client ID (repeatable)", "--staff STAFF-ID",
        given=(bool(client_ids), staff_id is not None),
    )  # fmt: skip
    password, show = _password(generate, password_stdin)
    store = open_store(practice, state_dir)
    created = add_user(
        store, practice.registry, email, password, client_ids=client_ids, staff_id=staff_id
    )
    echo(f"Added {created.email} ({created.describe()}).")
    if show:
        echo(f"Password: {password}")


@user.command("passwd")
@click.argument("email")
@password_options
@state_dir_option
@click.pass_context
def passwd(
    ctx: click.Context, email: str, generate: bool, password_stdin: bool, state_dir: Path | None
) -> None:
    """Set a new password for EMAIL; their open sessions end."""
    practice = practice_of(ctx)
    password, show = _password(generate, password_stdin)
    set_password(open_store(practice, state_dir), email, password)
    echo(f"New password set for {email}; their sessions have ended.")
    if show:
        echo(f"Password: {password}")


@user.command("remove")
@click.argument("email")
@state_dir_option
@click.pass_context
def remove(ctx: click.Context, email: str, state_dir: Path | None) -> None:
    """Remove the portal user EMAIL and end their sessions."""
    practice = practice_of(ctx)
    remove_user(open_store(practice, state_dir), email)
    echo(f"Removed {email}.")


@user.command("list")
@json_option()
@state_dir_option
@click.pass_context
def list_command(ctx: click.Context, as_json: bool, state_dir: Path | None) -> None:
    """List portal users and which clients each sees."""
    practice = practice_of(ctx)
    users = list_users(open_store(practice, state_dir))
    if as_json:
        echo_json(
            [
                {
                    "email": u.email,
                    "kind": u.kind,
                    "staff": u.staff_id,
                    "clients": list(u.client_ids),
                }
                for u in users
            ]
        )
        return
    echo_table(
        "portal users", ("email", "kind", "sees"), [(u.email, u.kind, u.describe()) for u in users]
    )


@portal.command("demo-users")
@state_dir_option
@click.pass_context
def demo_users_command(ctx: click.Context, state_dir: Path | None) -> None:
    """Create the demo users (one per staff member and client) with new passwords; print them."""
    practice = practice_of(ctx)
    for login in demo_users(open_store(practice, state_dir), practice.registry):
        echo(f"  {login.email:<40} {login.password:<20} {login.sees}")
