"""Measure `beanfirm anomalies` of a 100,000-transaction client against a bare `bean-check` of it.

Generates one synthetic client (default about 100,000 transactions, 13 months from 2025-10-01,
fixed seed), then, alternating in one run, each in a fresh process with Beancount's pickle cache
off (beanfirm never reads it):

1. `bean-check ledgers/<client>/main.beancount`: Beancount's load with the client's plugins;
2. `beanfirm anomalies <client> --json`: the same load, the seven tests, the dismissals.

Prints each run, the ratios, how many anomalies of each kind were found, and the CPU time of a
load and of the tests in this process. Target (issue 17): anomalies at most 1.5x bean-check.

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python benchmarks/bench_anomalies.py \
        [--transactions 100000] [--runs 3]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from timing import cold_arguments, generate_practice, print_compared, timed_run

from beanfirm.anomalies.report import anomaly_report
from beanfirm.store.ledger import load_ledger
from beanfirm.store.registry import load_registry

BIN = Path(sys.executable).parent
START = "2025-10-01"  # named here, so that the benchmark measures the same ledger over time
SEED = "20251001"


def main() -> None:
    """Run the benchmark."""
    args = cold_arguments(__doc__.splitlines()[0], transactions=100_000)
    with tempfile.TemporaryDirectory() as tmp:
        practice = Path(tmp) / "practice"
        generate_practice(
            practice, clients=1, transactions=args.transactions, start=START, seed=SEED
        )
        client = load_registry(practice / "clients.yaml").clients[0]
        main_file = practice / "ledgers" / client.id / "main.beancount"
        runs: dict[str, list[float]] = {"bean-check": [], "anomalies": []}
        found: list[dict[str, object]] = []
        for _ in range(args.runs):
            check = [str(BIN / "bean-check"), str(main_file)]
            elapsed, _ = timed_run(check, practice, findings_ok=True)  # its warnings exit 1
            runs["bean-check"].append(elapsed)
            argv = [str(BIN / "beanfirm"), "anomalies", client.id, "--json"]
            elapsed, out = timed_run(argv, practice, findings_ok=True)
            runs["anomalies"].append(elapsed)
            found = json.loads(out)[0]["anomalies"]
        # CPU time in this process: what the tests add to a load, whatever else the machine runs.
        started = time.process_time()
        ledger = load_ledger(main_file)
        load_s = time.process_time() - started
        transactions = sum(1 for entry in ledger.entries if type(entry).__name__ == "Transaction")
        registered = [(account.account, account.kind) for account in client.accounts]
        started = time.process_time()
        report = anomaly_report(ledger.entries, main_file, practice, registered)
        tests_s = time.process_time() - started
        print(f"{client.id}: {transactions:,} transactions, {len(client.accounts)} accounts")
        print_compared(runs)
        kinds = Counter(str(anomaly["kind"]) for anomaly in found)
        print(f"  anomalies found: {len(found)} {dict(sorted(kinds.items()))}")
        print(
            f"  CPU in this process: the load {load_s:.2f} s, the seven tests {tests_s:.2f} s "
            f"({tests_s / load_s:.1%} of the load; {len(report.found)} found)"
        )


if __name__ == "__main__":
    main()
