"""The CI jobs docs/remote.md gives parse as YAML and run real beanfirm commands."""

from __future__ import annotations

import re
from pathlib import Path

import click
import yaml

from beanfirm.cli import cli

PAGE = Path(__file__).resolve().parent.parent / "docs" / "remote.md"


def _yaml_blocks() -> list[str]:
    text = PAGE.read_text(encoding="utf-8")
    return re.findall(r"^```yaml\n(.*?)^```$", text, re.DOTALL | re.MULTILINE)


def _scripts(node: object) -> list[str]:
    """Every string of a parsed YAML document."""
    if isinstance(node, dict):
        return [text for value in node.values() for text in _scripts(value)]
    if isinstance(node, list):
        return [text for value in node for text in _scripts(value)]
    return [node] if isinstance(node, str) else []


def test_the_ci_jobs_parse_and_check_the_changed_clients() -> None:
    blocks = _yaml_blocks()
    assert len(blocks) == 2  # GitLab CI, Gitea/Forgejo Actions
    gitlab, actions = (yaml.safe_load(block) for block in blocks)
    assert gitlab["beanfirm-check"]["rules"][0]["if"].endswith('"merge_request_event"')
    # PyYAML reads the key `on` as YAML 1.1's boolean; the runners read it as the word.
    assert "pull_request" in actions[True]
    for job in (gitlab, actions):
        text = "\n".join(_scripts(job))
        commands = set(re.findall(r"\bbeanfirm ([a-z-]+)", text))
        assert commands == {"check"}
        assert commands <= set(cli.list_commands(click.Context(cli)))  # lazy: not cli.commands
        assert "ledgers/" in text
        assert "clients.yaml" in text
