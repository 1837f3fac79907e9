"""Fava's filters in a portal worker: linear-time patterns, file names as the client sees them.

Python's `re` needs about a second for `^(?:.+)+Z` on 24 characters and twice as long for each
character more; the paths and names below are longer than 40. The filters run in a child
process with a timeout, so that a filter that backtracks fails this test instead of hanging it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

MONTH_FILE = "journal/2025/01-the-month-of-january-of-the-year.beancount"
LONG_NARRATION = "a" * 60
LONG_ACCOUNT = "Expenses:" + "A" + "a" * 40

LEDGER = f"""
option "operating_currency" "CNY"
include "{MONTH_FILE}"
2025-01-01 open Assets:Bank
2025-01-01 open {LONG_ACCOUNT}
2025-01-05 * "Payee" "{LONG_NARRATION}"
  Assets:Bank  -10.00 CNY
  {LONG_ACCOUNT}
"""

MONTH = """
2025-01-20 * "Shop" "paper"
  Assets:Bank  -5.00 CNY
  Expenses:Office
2025-01-01 open Expenses:Office
"""

# Each filter is run in the child; it prints how many entries it kept and in how many seconds.
SCRIPT = """
import sys, time
from pathlib import Path
from beancount import loader
import fava.core
from fava.core.filters import AdvancedFilter
from beanfirm.portal import filters
from beanfirm.portal.scrub import Scrubber
folder = Path(sys.argv[1])
filters.install(Scrubber(folder, folder.parent.parent).shown)
entries, errors, _ = loader.load_file(str(folder / "main.beancount"))
assert not errors, errors
for line in sys.stdin.read().splitlines():
    kind, _, value = line.partition("=")
    started = time.perf_counter()
    # The account filter as Fava's FilteredLedger finds it, in fava.core.
    kept = (fava.core.AccountFilter if kind == "account" else AdvancedFilter)(value).apply(entries)
    print(len([e for e in kept if type(e).__name__ == "Transaction"]), time.perf_counter() - started)
"""

# (parameter=value, how many of the two transactions it keeps)
FILTERS = [
    # Backtracking bombs: no match, at once.
    ('filter=filename:"^(?:.+)+Z"', 0),
    ('filter=filename:"(.*a){20}Z"', 0),
    ('filter="^(?:a+)+Z"', 0),
    ('filter=narration:"^(a|aa)+Z"', 0),
    ("account=^(?:a+)+Z", 0),
    ("account=(?:A|a)*(?:A|a)*(?:A|a)*Z", 0),
    ("account=Office", 1),
    ("account=(?:.+)+Z", 0),
    ("account=Expenses:(?:.+)+Z", 0),
    # Ordinary patterns still work, case-insensitive as in Fava.
    ('filter=narration:"^A{3}"', 1),
    ("filter=PAPER", 1),
    ("account=^expenses:", 2),
    # File names as the pages show them: the client's folder is /books ...
    ('filter=filename:"^/books/journal/2025/"', 1),
    ('filter=filename:"^/books/main\\.beancount$"', 1),
    # ... and the server's folders are not there to be found.
    ('filter=filename:"deep-folder"', 0),
    ('filter=filename:"pytest"', 0),
    ('filter=filename:"^/practice"', 0),
    # What RE2 does not do (look-behind, back-references) is compared as plain text.
    ('filter=narration:"(?<=a)a"', 0),
    ('filter=narration:"(a)\\1"', 0),
]


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("filters") / ("deep-folder-" + "x" * 30) / "acme"
    (folder / MONTH_FILE).parent.mkdir(parents=True)
    (folder / "main.beancount").write_text(LEDGER, encoding="utf-8")
    (folder / MONTH_FILE).write_text(MONTH, encoding="utf-8")
    return folder


def test_filters_run_in_linear_time_on_the_text_the_client_sees(ledger: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ledger)],
        input="\n".join(text for text, _ in FILTERS),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = [line.split() for line in done.stdout.splitlines()]
    kept = {text: int(count) for (text, _), (count, _) in zip(FILTERS, results, strict=True)}
    assert kept == dict(FILTERS)
    slowest = max(float(seconds) for _, seconds in results)
    assert slowest < 1.0, results
