"""Measure a client's home page against Fava's own income statement page (issue 18).

Generates a practice (default 2 clients x 10,000 transactions, fixed seed, as bench_portal.py),
approves the first client's head with three closed months' statements filed under
`documents/closing/` (placeholder files: the page lists them, it never reads them), starts
`beanfirm serve` with a user of that client and, for comparison, `fava --read-only` (Fava's own
command) on the same ledger, both on 127.0.0.1 only, then asks, one request after the other
(same machine moment), for the client's home page (`/`) through the gateway and for Fava's
income statement page straight from Fava, and prints p50/p95 of each and their ratio. The
home page's month status (a check of the client and git) is computed at the first request and
kept (home.py); the benchmark asks once before timing, as a client's first visit would.

    .venv/bin/python benchmarks/bench_home.py [--clients 2] [--transactions 10000] [-n 300]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench_portal import (
    BIN,
    HOST,
    OK,
    PASSWORD,
    check,
    first_page_fava,
    generate,
    get,
    opener,
    percentile,
)
from bench_snapshots import approve

from beanfirm.store.registry import load_registry

EMAIL = "owner@client.example"
MONTHS = ("2026-08", "2026-09", "2026-10")
SEE_OTHER = 303


def file_statements(practice: Path, client_id: str) -> None:
    """Put three months' statements where the close files them, commit, approve."""
    for month in MONTHS:
        folder = practice / "ledgers" / client_id / "documents" / "closing" / month
        folder.mkdir(parents=True, exist_ok=True)
        for fmt in ("pdf", "xlsx"):
            (folder / f"财务报表-{month}.{fmt}").write_bytes(b"placeholder")
    subprocess.run(["git", "add", "-A"], cwd=practice, check=True)
    subprocess.run(
        ["git", "commit", "-q", "-m", "bench: statements filed"], cwd=practice, check=True
    )
    approve(practice, client_id)


def serve(practice: Path, state: Path, client_id: str) -> tuple[subprocess.Popen[str], str]:
    subprocess.run(
        [
            str(BIN / "beanfirm"),
            "portal",
            "user",
            "add",
            EMAIL,
            "--client",
            client_id,
            "--password-stdin",
            "--state-dir",
            str(state),
        ],
        input=f"{PASSWORD}\n",
        text=True,
        cwd=practice,
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        [str(BIN / "beanfirm"), "serve", "--port", "0", "--state-dir", str(state)],
        cwd=practice,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = server.stdout.readline() if server.stdout is not None else ""
    found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
    check(found, "the portal printed its address")
    return server, found.group(1) if found else ""


def log_in(base: str) -> urllib.request.OpenerDirector:
    browser = opener()
    _, form, _ = get(browser, f"{base}/login")
    token = re.search(rb'name="csrf" value="([^"]+)"', form)
    check(token, "the login form has a CSRF token")
    data = urllib.parse.urlencode(
        {"csrf": token.group(1).decode() if token else "", "email": EMAIL, "password": PASSWORD}
    ).encode()
    try:
        browser.open(urllib.request.Request(f"{base}/login", data=data), timeout=60)  # noqa: S310
    except urllib.error.HTTPError as exc:
        check(exc.code == SEE_OTHER, f"login answered {exc.code}")
    return browser


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--transactions", type=int, default=10_000)
    parser.add_argument("-n", "--requests", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="folder to generate into and keep")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-home-"))
    work.mkdir(parents=True, exist_ok=True)
    servers: list[subprocess.Popen[str] | subprocess.Popen[bytes]] = []
    try:
        practice = generate(work, args.clients, args.transactions)
        client_id = load_registry(practice / "clients.yaml").clients[0].id
        if not (practice / "ledgers" / client_id / "documents" / "closing").is_dir():
            file_statements(practice, client_id)
        state = work / "state"
        shutil.rmtree(state, ignore_errors=True)
        server, base = serve(practice, state, client_id)
        servers.append(server)
        browser = log_in(base)
        began = time.perf_counter()
        status, page, _ = get(browser, f"{base}/")
        check(status == OK and f"/home/{client_id}/statements/".encode() in page, "home page")
        print(
            f"home page, first request (the month's status computed): "
            f"{time.perf_counter() - began:.2f} s"
        )
        _, fava, fava_books = first_page_fava(practice / "ledgers" / client_id / "main.beancount")
        servers.append(fava)
        fava_browser = opener()
        timings: dict[str, list[float]] = {"fava": [], "home": []}
        for _ in range(args.requests):  # interleaved, so both sides see the same machine
            for side, url, who in (
                ("fava", f"{fava_books}/income_statement/", fava_browser),
                ("home", f"{base}/", browser),
            ):
                began = time.perf_counter()
                status, _, _ = get(who, url)
                timings[side].append(time.perf_counter() - began)
                check(status == OK, f"{side} answered {status}")
        fava_p50, home_p50 = (statistics.median(timings[s]) for s in ("fava", "home"))
        fava_p95, home_p95 = (percentile(timings[s], 95) for s in ("fava", "home"))
        print(
            f"{args.requests} requests each, {args.transactions} transactions, on {HOST}: "
            f"Fava income statement p50 {fava_p50 * 1000:.1f} ms p95 {fava_p95 * 1000:.1f} ms; "
            f"home page p50 {home_p50 * 1000:.1f} ms p95 {home_p95 * 1000:.1f} ms; "
            f"ratio p50 {home_p50 / fava_p50:.2f}x p95 {home_p95 / fava_p95:.2f}x "
            f"(target p95 <= 1.1x)"
        )
    finally:
        for process in servers:
            process.terminate()
            process.wait(30)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
