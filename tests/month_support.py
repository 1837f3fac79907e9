"""Months for month-end tests: the two before the current one, a client's month file, huamei."""

from __future__ import annotations

import datetime
from pathlib import Path

from conftest import run_beanfirm

from beanfirm.monthend.closing import month_of

BANK = "Assets:1002-银行存款:工商银行"

# The two months before the current one: real past months, so that the `reconciled` plugin
# (which counts to today) sees them reconciled and their deadlines have passed.
LAST = month_of(datetime.date.today().replace(day=1) - datetime.timedelta(days=1))  # noqa: DTZ011
FIRST = LAST.previous()

# `beanfirm clients add` of huamei, opened at FIRST's start, with its ICBC account registered.
ADD_HUAMEI = (
    "clients", "add", "huamei", "--name", "华美便利店", "--industry", "retail",
    "--frequency", "high", "--region", "shanghai", "--size", "micro",
    "--preparer", "bo", "--reviewer", "ana", "--opened", str(FIRST.start),
    "--account", f"{BANK},bank,icbc-debit,6222001",
)  # fmt: skip


def append_to_month(folder: Path, client_id: str, day: datetime.date, text: str) -> None:
    """Add entries to the month file of a client's journal that holds `day`."""
    path = folder / f"ledgers/{client_id}/journal/{day:%Y}/{day:%m}.beancount"
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(old + "\n" + text, encoding="utf-8")


def close(folder: Path, *args: str) -> tuple[int, str, str]:
    """Run `beanfirm close ARGS --as ana` (a partner); return its exit code, output, errors."""
    result = run_beanfirm("close", *args, "--as", "ana", cwd=folder)
    return result.code, result.out, result.err
