"""Measure the swap of a client's approved books in the portal (issue 15, item 5).

Generates a practice of one client with 10,000 transactions (fixed seed), approves its head,
opens the portal in this process (the real gateway, real worker processes) and logs a client
user in. Then, in one run:
1. the client's first page: the snapshot extracted and its worker started and loaded (what
   the first reader after the portal starts waits for, as before issue 15);
2. request latency before the swap: the income statement's JSON with a query parameter Fava
   ignores, new at each request, so that every request is rendered by the worker (the
   gateway's kept pages would hide the worker's load);
3. a commit and its approval; a reader keeps asking, one request after another, while the
   portal notices the approval, extracts the new snapshot and loads it in the background;
   the swap's duration (from noticing to the switch), the requests made during it (each must
   get the old books) and their latency against step 2; the first request after the switch
   must get the new books;
4. the control: the same reader while a worker of the same books starts and loads beside it
   without any swap (a staff member opening the client): what sharing the CPU with a load
   costs a request anyway, as during any background reload;
5. `git archive` and the read-only extraction alone, for scale.

    .venv/bin/python benchmarks/bench_snapshots.py [--transactions 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bench_portal import generate, percentile
from werkzeug.test import Client

from beanfirm.portal.gateway import make_app
from beanfirm.portal.pool import BooksView, PoolPolicy, head_view
from beanfirm.portal.site import Portal, PortalSettings
from beanfirm.portal.snapshots import ApprovedBooks, snapshot_view
from beanfirm.portal.users import add_user
from beanfirm.store.approvals import latest_approval, write_approval
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.registry import load_registry

EMAIL = "owner@bench.example"
PASSWORD = "benchmark password"  # noqa: S105 - a throwaway user of a generated practice
MARKER = "SWAP-BENCH-NEW-PAYEE"
OK = 200
T = TypeVar("T")


def check(condition: object, what: str) -> None:
    if not condition:
        raise SystemExit(f"benchmark failed: {what}")


def need(value: T | None, what: str) -> T:
    if value is None:
        raise SystemExit(f"benchmark failed: {what}")
    return value


def approve(practice: Path, client_id: str) -> str:
    """Record an approval of the client at HEAD (the record only, as `beanfirm approve` does)."""
    repo = PracticeRepo(practice)
    registry = load_registry(practice / "clients.yaml")
    approver = next(s for s in registry.firm.staff if s.role in {"reviewer", "partner"})
    head = subprocess.run(
        ["git", "rev-parse", "--verify", "HEAD^{commit}"],
        cwd=practice,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    latest = latest_approval(repo, client_id)
    if latest is None or latest.commit != head:
        write_approval(
            repo, client_id, approver, head, previous=latest.commit if latest else None, commits=1
        )
    return head


def log_in(portal: Portal) -> Client:
    browser = Client(make_app(portal))
    form = browser.get("/login").get_data(as_text=True)
    token = need(re.search(r'name="csrf" value="([^"]+)"', form), "a login form with a token")
    answer = browser.post(
        "/login", data={"csrf": token.group(1), "email": EMAIL, "password": PASSWORD}
    )
    check(answer.status_code == 303, f"login answered {answer.status_code}")  # noqa: PLR2004
    return browser


def ask(browser: Client, url: str, old: bytes = b"") -> tuple[float, bool]:
    """GET a page; return its seconds and whether it differs from `old` (the old books')."""
    started = time.perf_counter()
    response = browser.get(url)
    seconds = time.perf_counter() - started
    check(response.status_code == OK, f"{url} answered {response.status_code}")
    return seconds, response.get_data() != old


def summary(values: list[float]) -> str:
    return (
        f"n={len(values)} p50 {statistics.median(values) * 1000:.0f} ms, "
        f"p95 {percentile(values, 95) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"
    )


def add_entry(practice: Path, client_id: str) -> None:
    """Commit one sale by hand in the client's last month file."""
    months = sorted((practice / "ledgers" / client_id / "journal").glob("*/*.beancount"))
    text = months[-1].read_text(encoding="utf-8")
    bank = need(re.search(r"^\s+(Assets:\S+)\s+-?[\d.]+ (\w+)", text, re.MULTILINE), "a bank")
    income = need(re.search(r"^\s+(Income:\S+)\s", text, re.MULTILINE), "an income account")
    month, year = months[-1].stem, months[-1].parent.name
    entry = (
        f'\n{year}-{month}-28 * "{MARKER}" "a sale after the approval"\n'
        f"  {bank.group(1)}  12.34 {bank.group(2)}\n  {income.group(1)}  -12.34 {bank.group(2)}\n"
    )
    months[-1].write_text(text + entry, encoding="utf-8")
    for args in (["add", "--all"], ["commit", "-q", "-m", "A sale after the approval"]):
        subprocess.run(
            ["git", "-c", "user.name=Bench", "-c", "user.email=bench@firm.example", *args],
            cwd=practice,
            check=True,
        )


def swap(portal: Portal, browser: Client, url: str, client_id: str, commit: str) -> Swap:
    """Read on while the approval of `commit` is noticed and swapped in; time it all.

    The income statement's JSON is the same whatever the ignored parameter, so an answer
    other than the old books' is the new books' (the new sale moved the totals).
    """
    old = browser.get(url).get_data()
    seen: list[tuple[float, float, bool]] = []  # (start, seconds, new books)
    stop = threading.Event()

    def reader() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            at = time.perf_counter()
            seconds, new = ask(browser, f"{url}?during={number}", old)
            seen.append((at, seconds, new))

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    time.sleep(1.0)
    noticed = time.perf_counter()
    check(portal.approved.refresh() == [client_id], "the approval is noticed")
    while (shown := portal.approved.shown(client_id)) is None or shown.approval.commit != commit:
        time.sleep(0.005)
    switched = time.perf_counter()
    time.sleep(2.0)
    stop.set()
    thread.join(120)
    during = [s for at, s, _ in seen if noticed <= at and at + s <= switched]
    after = [(at, new) for at, _, new in seen if at > switched]
    check(during, "requests were answered during the swap")
    check(not any(new for at, s, new in seen if at + s <= switched), "old books until the switch")
    check(after and after[0][1], "the first request after the switch gets the new books")
    return Swap(switched - noticed, during, after[0][0] - switched)


@dataclass(frozen=True)
class Swap:
    """What the swap took, and the requests answered meanwhile."""

    seconds: float
    during: list[float]
    first_new_after: float


def beside_a_load(portal: Portal, browser: Client, url: str, view: BooksView) -> list[float]:
    """Read while `view`'s worker starts and loads beside the one answering; no swap."""

    def load() -> None:
        with portal.pool.lease(view):
            pass  # started and loaded

    loading = threading.Thread(target=load)
    times: list[float] = []
    loading.start()
    number = 0
    while loading.is_alive():
        number += 1
        times.append(ask(browser, f"{url}?control={number}")[0])
    return times


def extract_alone(practice: Path, work: Path, portal: Portal, client_id: str, commit: str) -> float:
    """Time git archive and the read-only extraction alone, into a scratch folder."""
    scratch = Path(tempfile.mkdtemp(prefix="extract-", dir=work))
    books = ApprovedBooks(practice, scratch, portal.pool)
    view = snapshot_view(scratch / "portal-snapshots", client_id, commit)
    at = time.perf_counter()
    books.extract(view)
    seconds = time.perf_counter() - at
    books.close()
    shutil.rmtree(scratch, ignore_errors=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transactions", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=40, help="Requests before the swap.")
    parser.add_argument("--keep", type=Path, help="Generate into (or reuse) this folder.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-snapshots-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    source = generate(work, 1, args.transactions)
    print(f"generated in {time.perf_counter() - started:.1f} s: {source}")
    practice = work / "practice"
    shutil.rmtree(practice, ignore_errors=True)
    shutil.copytree(source, practice, symlinks=True)
    client_id = load_registry(practice / "clients.yaml").clients[0].id
    first = approve(practice, client_id)
    settings = PortalSettings(state_dir=work / "state", pool=PoolPolicy(max_workers=4))
    shutil.rmtree(settings.state_dir, ignore_errors=True)
    portal = Portal(practice, settings)
    try:
        registry = load_registry(practice / "clients.yaml")
        add_user(portal.store, registry, EMAIL, PASSWORD, client_ids=(client_id,))
        browser = log_in(portal)
        at = time.perf_counter()
        located = browser.get(f"/c/{client_id}/")  # Fava's redirect: the worker must be up
        cold = time.perf_counter() - at
        url = f"{located.headers['Location'].rsplit('/', 2)[0]}/api/income_statement"
        before = [ask(browser, f"{url}?before={n}")[0] for n in range(args.requests)]
        add_entry(practice, client_id)
        second = approve(practice, client_id)
        check(second != first, "the second approval is of a new commit")
        swapped = swap(portal, browser, url, client_id, second)
        control = beside_a_load(portal, browser, url, head_view(practice, client_id))
        extract = extract_alone(practice, work, portal, client_id, second)
    finally:
        portal.close()
    print(f"client {client_id}, {args.transactions} transactions")
    print(f"first page (extract + worker start + load): {cold:.2f} s")
    print(f"extract alone (git archive, 0400/0500): {extract:.2f} s")
    print(f"swap, approval noticed to switch (extract + load): {swapped.seconds:.2f} s")
    print(f"requests before the swap:  {summary(before)}")
    print(f"requests during the swap:  {summary(swapped.during)}, all old books")
    print(f"requests beside a load, no swap: {summary(control)}")
    print(f"first request after the switch: new books, {swapped.first_new_after:.3f} s after")


if __name__ == "__main__":
    main()
