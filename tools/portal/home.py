"""A client's home page: their filed statements, the month's status in plain words, requests.

What a client user sees first after logging in, in the client's language: the financial
statements the close filed (`documents/closing/YYYY-MM/`, read from the approved snapshot, so
only approved books), where the firm stands with the last month (the month board, in
plain words), what the firm is waiting for from them, and the way into their books (Fava).

The page must answer as fast as a Fava page: the month's status needs a check of the client
and git, so it is kept per client and renewed in the background once it is older than
`STATUS_FRESH` seconds (the page shows the kept one meanwhile).
"""

from __future__ import annotations

import datetime
import functools
import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from beanfirm.core import paths
from beanfirm.core.translation import Words
from beanfirm.errors import BeanfirmError
from beanfirm.monthend.closing import month_of
from beanfirm.monthend.filing import STEMS
from beanfirm.portal.dashboard import firm_board
from beanfirm.store.requests import client_requests

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from beanfirm.firm.board import BoardRow
    from beanfirm.store.registry import Client, Registry

log = logging.getLogger(__name__)

# The formats of the filed statements a client may download, and their media types.
FILED_FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PERIOD_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
MONTHS_SHOWN = 3  # the latest closed months listed on the page
STATUS_FRESH = 60.0  # seconds a month's status is shown before it is renewed


@dataclass(frozen=True)
class FiledMonth:
    """A closed month's statements as the close filed them: its label and file names by format."""

    period: str
    files: dict[str, str]  # format -> file name, in documents/closing/<period>/


def filed_name(period: str, fmt: str, stem: str) -> str:
    """Return the file name the close gives a month's statements (`财务报表-2026-10.pdf`)."""
    return f"{stem}-{period}.{fmt}"


def filed_months(folder: Path, *, limit: int = MONTHS_SHOWN) -> list[FiledMonth]:
    """Return the latest closed months filed in a client's books folder, newest first."""
    closing = folder / paths.DOCUMENTS / "closing"
    if not closing.is_dir():
        return []
    found = []
    for month in sorted((p.name for p in closing.iterdir()), reverse=True):
        if not PERIOD_RE.fullmatch(month):
            continue
        files = {
            fmt: name
            for fmt in FILED_FORMATS
            for stem in STEMS.values()
            if (closing / month / (name := filed_name(month, fmt, stem))).is_file()
        }
        if files:
            found.append(FiledMonth(month, files))
        if len(found) == limit:
            break
    return found


# A snapshot never changes (its folders are read-only, one per approved commit): its listing
# is read once. The working head's (staff) is read at each request.
snapshot_filed_months = functools.lru_cache(maxsize=256)(filed_months)


def filed_file(folder: Path, period: str, fmt: str) -> Path | None:
    """Return a month's filed statements in one format, or None (no other file is ever named).

    Only a month (`YYYY-MM`) and a format of FILED_FORMATS choose the file, and its name is
    the close's own: nothing the address holds becomes part of a path.
    """
    if not PERIOD_RE.fullmatch(period) or fmt not in FILED_FORMATS:
        return None
    closing = folder / paths.DOCUMENTS / "closing"
    for stem in STEMS.values():
        path = closing / period / filed_name(period, fmt, stem)
        if (
            path.is_file()
            and not path.is_symlink()
            and path.resolve().is_relative_to(folder.resolve())
        ):
            return path
    return None


STAGES = ("waiting", "received", "booking", "reviewed", "closed")


def stage_words(stage: str, t: Words) -> tuple[str, str]:
    """Return where a month stands in a client's words: a heading and a sentence."""
    words = {
        "waiting": (
            t("Waiting for your documents"),
            t("We have not received this month's bank statements and receipts yet."),
        ),
        "received": (t("Received"), t("Your documents have arrived; we are booking them.")),
        "booking": (
            t("Being booked"),
            t("Your transactions are entered; we are reconciling and checking them."),
        ),
        "reviewed": (
            t("Reviewed"),
            t("A second accountant has reviewed the month; we are closing it."),
        ),
        "closed": (t("Closed"), t("The month is closed and its statements are ready below.")),
    }
    return words[stage]


def month_stage(row: BoardRow) -> str:
    """Return where a month stands (one of STAGES) from its board row.

    The stages count in the pipeline's order: a month with nothing received is waiting, even
    when everything committed so far is approved (an approval covers commits, not a month).
    """
    done = {item.name for item in row.stages if item.passed}
    if "closed" in done:
        return "closed"
    if "received" not in done:
        return "waiting"
    if "booked" not in done:
        return "received"
    return "reviewed" if {"reconciled", "approved"} <= done else "booking"


@dataclass(frozen=True)
class MonthStatus:
    """Where the firm stands with a client's month."""

    period: str
    stage: str | None  # one of STAGES; None when the board could not be read


@dataclass(frozen=True)
class WaitingFor:
    """Something the firm has asked the client for and not yet received."""

    title: str
    due: datetime.date | None


def open_requests_of(root: Path, client_id: str) -> Sequence[WaitingFor]:
    """Return what the firm waits for from a client: its open requests, soonest due first.

    A requests file with mistakes shows nothing here: the staff see its problems, by line, in
    `beanfirm requests list`, and the client is not shown the firm's broken file.
    """
    try:
        found = client_requests(root, client_id)
    except BeanfirmError:
        log.warning("the requests of %s cannot be read; the home page shows none", client_id)
        return ()
    waiting = sorted(
        (r for r in found if r.is_open), key=lambda r: (r.due or datetime.date.max, r.id)
    )
    return tuple(WaitingFor(r.title, r.due) for r in waiting)


class MonthStatuses:
    """Each client's month status, kept and renewed in the background when it gets old."""

    def __init__(self, root: Path, *, fresh: float = STATUS_FRESH) -> None:
        self.root = root
        self.fresh = fresh
        self._kept: dict[str, tuple[float, MonthStatus]] = {}
        self._renewing: set[str] = set()
        self._lock = threading.Lock()

    def status(self, registry: Registry, client: Client) -> MonthStatus:
        """Return a client's last month's status: kept, or computed now the first time."""
        with self._lock:
            kept = self._kept.get(client.id)
            stale = kept is None or time.monotonic() - kept[0] > self.fresh
            renew = stale and kept is not None and client.id not in self._renewing
            if renew:
                self._renewing.add(client.id)
        if kept is None:
            return self._compute(registry, client)
        if renew:
            threading.Thread(
                target=self._renew, args=(registry, client), name="home-status", daemon=True
            ).start()
        return kept[1]

    def _renew(self, registry: Registry, client: Client) -> None:
        try:
            self._compute(registry, client)
        finally:
            with self._lock:
                self._renewing.discard(client.id)

    def _compute(self, registry: Registry, client: Client) -> MonthStatus:
        last = month_of(datetime.date.today().replace(day=1) - datetime.timedelta(days=1))  # noqa: DTZ011
        try:
            rows = firm_board(self.root, registry, [client], last)
        except (BeanfirmError, OSError):
            # The page still shows the rest; the board's own page names the problem to staff.
            log.exception("the month board of %s could not be read", client.id)
            status = MonthStatus(last.label, None)
        else:
            status = MonthStatus(last.label, month_stage(rows[0]))
        with self._lock:
            self._kept[client.id] = (time.monotonic(), status)
        return status
