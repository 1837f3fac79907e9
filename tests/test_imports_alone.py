"""Each module of the front-ends imports alone, in a fresh interpreter: no import cycle.

A cycle between two modules passes when another module happened to import one of them first
(as in a test run), and fails for the program that starts from the other.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import beanfirm.portal

MODULES = sorted(
    info.name for info in pkgutil.iter_modules(beanfirm.portal.__path__, "beanfirm.portal.")
)


def test_every_portal_module_imports_alone() -> None:
    script = (
        "import importlib, subprocess, sys\n"
        "bad = []\n"
        "for name in sys.argv[1:]:\n"
        "    done = subprocess.run([sys.executable, '-c', f'import {name}'], capture_output=True,"
        " text=True, check=False)\n"
        "    if done.returncode:\n"
        "        bad.append((name, done.stderr.strip().splitlines()[-1:]))\n"
        "print(bad)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *MODULES], capture_output=True, text=True, check=True
    )
    assert len(MODULES) > 20
    assert done.stdout.strip() == "[]", done.stdout
