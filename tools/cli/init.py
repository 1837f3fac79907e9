"""`beanfirm init DIR`."""

from __future__ import annotations

from pathlib import Path

import click

from beanfirm.jobs.newpractice import init_practice
from beanfirm.store.registry import Staff


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--firm", "firm_name", required=True, help="The firm's name.")
@click.option("--staff-id", required=True, help="Your staff id (lowercase, like 'wang').")
@click.option("--staff-name", required=True, help="Your name.")
@click.option("--staff-email", required=True, help="Your email (git author of your commits).")
@click.option("-n", "--dry-run", is_flag=True, help="Validate and show; write nothing.")
def init(
    folder: Path, firm_name: str, staff_id: str, staff_name: str, staff_email: str, dry_run: bool
) -> None:
    """Create a new practice in FOLDER: git repository, clients.yaml, ledgers/.

    You are registered as the first staff member, a partner. Add colleagues to clients.yaml
    and clients with `beanfirm clients add`.
    """
    partner = Staff(staff_id, staff_name, staff_email, "partner")
    result = init_practice(folder, firm_name, partner, dry_run=dry_run)
    if dry_run:
        click.echo(f"Dry run: would create practice {folder} with: {', '.join(result.paths)}")
        return
    click.echo(f"Created practice {folder} (commit {str(result.commit)[:10]}).")
    click.echo(f"Next: cd {folder} && beanfirm --as {staff_id} clients add ...")
