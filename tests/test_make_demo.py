"""`make demo`'s own steps, as the Makefile has them, run on a copy of the committed practice.

The recipe is read from `make -n demo` (so the test follows the Makefile, not a copy of it),
with the copy made under the test's temporary folder and everything up to the portal run; the
portal itself is tested by tests/test_portal_live.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _demo_steps(demo: Path) -> list[str]:
    """Return the shell lines of `make demo` from the copy to the portal (which is left out)."""
    shown = subprocess.run(
        ["make", "--no-print-directory", "-n", "demo", f"DEMO={demo}"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    first = next(i for i, line in enumerate(shown) if line.startswith(f"rm -rf {demo}"))
    steps = shown[first:]
    assert steps[-1].endswith("serve --demo-users"), steps[-1]
    return steps[:-1]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_closes_october_in_a_copy_and_leaves_the_checkout_alone(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout
    said = []
    for step in _demo_steps(demo):
        done = subprocess.run(  # noqa: S602 - the Makefile's own lines, as make runs them
            step, shell=True, cwd=REPO, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{step}\n{done.stdout}\n{done.stderr}"
        said.append(done.stdout)
    closes = next(text for text in said if "Close of 2026-10" in text)
    for client in ("dongsheng-trading", "brightpath-consulting", "silkroad-export"):
        assert any(client in line and "closed" in line for line in closes.splitlines()), client
    refused = next(line for line in closes.splitlines() if "huamei-retail" in line)
    assert "refused" in refused
    assert "uncategorized" in refused
    # The closes are approved, so the home pages offer the statements; the copy is clean.
    assert "nothing to do" not in said[-1]
    assert "Approved silkroad-export" in said[-1]
    board = subprocess.run(
        [
            str(REPO / ".venv/bin/beanfirm"),
            "--practice",
            str(demo),
            "status",
            "--period",
            "2026-10",
            "--json",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    issued = {row["client"]: row["issued"]["done"] for row in json.loads(board)}
    assert issued == {
        "huamei-retail": False,
        "dongsheng-trading": True,
        "brightpath-consulting": True,
        "silkroad-export": True,
    }
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=demo, check=True, capture_output=True, text=True
    )
    assert status.stdout == ""
    # This checkout is where it was: no commit of the demo's month landed here.
    after = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout
    assert after == head
