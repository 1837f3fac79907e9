"""`beanfirm serve`: the client portal."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from beanfirm.cli.context import practice_of
from beanfirm.cli.portalstate import state_dir_of, state_dir_option


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Keep the default behind a TLS proxy on this machine.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--max-workers",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Most Fava workers (one per client) running at once.",
)
@click.option(
    "--idle-minutes",
    type=click.FloatRange(min=0.1),
    default=15.0,
    show_default=True,
    help="Stop a client's worker after this long without requests.",
)
@click.option(
    "--secure-cookies",
    is_flag=True,
    help="Mark cookies Secure and send HSTS (set this when users reach the portal "
    "over https through a proxy).",
)
@click.option(
    "--behind-proxy",
    is_flag=True,
    help="Trust X-Forwarded-For/-Proto/-Host from one reverse proxy in front.",
)
@click.option(
    "--demo-users",
    "make_demo_users",
    is_flag=True,
    help="Create or refresh the demo users first and print their logins.",
)
@state_dir_option
@click.pass_context
def serve_command(
    ctx: click.Context,
    host: str,
    port: int,
    max_workers: int,
    idle_minutes: float,
    secure_cookies: bool,
    behind_proxy: bool,
    make_demo_users: bool,
    state_dir: Path | None,
) -> None:
    """Serve the client portal: a login in front of each client's read-only Fava.

    Runs until interrupted (Ctrl-C) or sent SIGTERM.
    """
    # The portal (Flask, cheroot, Fava) loads when it is served, not with every command.
    from beanfirm.portal.demo import demo_users  # noqa: PLC0415
    from beanfirm.portal.pool import PoolPolicy  # noqa: PLC0415
    from beanfirm.portal.server import make_server, serve  # noqa: PLC0415
    from beanfirm.portal.site import Portal, PortalSettings  # noqa: PLC0415

    practice = practice_of(ctx)
    settings = PortalSettings(
        state_dir=state_dir_of(practice, state_dir),
        secure_cookies=secure_cookies,
        trust_proxy=behind_proxy,
        pool=PoolPolicy(max_workers=max_workers, idle_seconds=idle_minutes * 60),
    )
    portal = Portal(practice.root, settings)
    if make_demo_users:
        click.echo("Demo logins (email, password, sees):")
        for login in demo_users(portal.store, practice.registry):
            click.echo(f"  {login.email:<40} {login.password:<20} {login.sees}")
    if not _is_loopback(host) and not secure_cookies:
        click.echo(
            f"Warning: listening on {host} without --secure-cookies; passwords and session "
            "cookies cross the network in clear unless a TLS proxy is in front "
            "(docs/portal.md).",
            err=True,
        )
    server = make_server(portal, host, port)
    serve(
        portal,
        server,
        on_ready=lambda url: click.echo(f"beanfirm portal on {url} (Ctrl-C stops it)"),
    )
