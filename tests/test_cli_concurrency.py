"""Writes that race, and input that must be refused before anything is written."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from conftest import BEANFIRM, STAFF_ENV, git, run_beanfirm, tree_state

from beanfirm.store.registry import parse_registry

if TYPE_CHECKING:
    from pathlib import Path


def _add_args(client_id: str) -> list[str]:
    return [
        str(BEANFIRM),
        "clients",
        "add",
        client_id,
        "--name",
        f"Client {client_id}",
        "--industry",
        "retail",
        "--frequency",
        "low",
        "--region",
        "x",
        "--size",
        "micro",
        "--preparer",
        "bo",
        "--reviewer",
        "ana",
        "--opened",
        "2025-01-01",
    ]


def test_two_adds_at_once_keep_both_clients(practice: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", **STAFF_ENV}
    procs = [
        subprocess.Popen(
            _add_args(cid),
            cwd=practice,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for cid in ("first", "second", "third")
    ]
    outcomes = [(*proc.communicate(), proc.returncode) for proc in procs]
    assert [code for _out, _err, code in outcomes] == [0, 0, 0], outcomes
    registry, problems = parse_registry(practice / "clients.yaml")
    assert problems == []
    assert registry is not None
    assert sorted(c.id for c in registry.clients) == ["first", "second", "third"]
    assert git(practice, "status", "--porcelain") == ""
    assert len(git(practice, "log", "--format=%s").splitlines()) == 2 + 3


def test_a_name_with_a_line_break_is_refused_up_front(practice: Path) -> None:
    before = tree_state(practice)
    args = [a if a != "Client x" else "Two\nlines" for a in _add_args("x")[1:]]
    result = run_beanfirm(*args, cwd=practice, env=STAFF_ENV)
    assert result.code == 2, result.err
    assert "must be one line" in result.err
    assert "Traceback" not in result.err
    assert tree_state(practice) == before


def test_init_refuses_a_firm_name_with_a_line_break(tmp_path: Path) -> None:
    result = run_beanfirm(
        "init",
        str(tmp_path / "p"),
        "--firm",
        "A\nB",
        "--staff-id",
        "ana",
        "--staff-name",
        "Ana",
        "--staff-email",
        "ana@firm.example",
        cwd=tmp_path,
    )
    assert result.code == 2, result.err
    assert "must be one line" in result.err
    assert not (tmp_path / "p").exists()


def test_generate_demo_never_overwrites_a_firms_practice(practice: Path) -> None:
    before = tree_state(practice)
    result = run_beanfirm("generate", str(practice), "--demo", cwd=practice)
    assert result.code == 2, result.err
    assert "is not empty" in result.err
    assert tree_state(practice) == before
